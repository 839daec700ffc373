package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// runHealth asks a running server's /readyz; it exits 0 when ready. The
// container image has no curl, so its health check calls this.
func runHealth(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "readiness URL (default: http://127.0.0.1:<port of LIANZHU_ADDR>/readyz)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: lianzhu health [--url URL]\n\nExits 0 when the server's /readyz answers 200.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	target := *url
	if target == "" {
		addr := ":8080"
		for _, kv := range environ {
			if v, ok := strings.CutPrefix(kv, "LIANZHU_ADDR="); ok && v != "" {
				addr = v
			}
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			fmt.Fprintf(stderr, "lianzhu health: LIANZHU_ADDR %q: %v\n", addr, err)
			return 2
		}
		target = "http://127.0.0.1:" + port + "/readyz"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu health: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu health: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprintf(stdout, "%d %s\n", resp.StatusCode, body)
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}
