// Command lianzhu is the Lianzhu (联助) server and its tools.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `lianzhu — 联助, a resource-linking marketplace for social assistance

Usage:
  lianzhu <command> [flags]

Commands:
  serve     run the HTTP server (embedded PostgreSQL/FerretDB/Meilisearch unless
            LIANZHU_MONGODB_URI and LIANZHU_MEILI_URL are set)
  seed      write the deterministic demo district as an offline matching instance
  match     run the policy and matching engines offline on an instance
  import    import households-with-needs or offerings from .xlsx/.csv
  reindex   rebuild the search indexes from MongoDB, or --check for drift
  health    exit 0 when a running server's /readyz answers 200 (container health check)
  help      show this text

Run "lianzhu <command> --help" for a command's flags. Configuration is read
from LIANZHU_* environment variables; see the README.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the exit code.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], environ, stdout, stderr)
	case "seed":
		return runSeed(ctx, args[1:], stdout, stderr)
	case "match":
		return runMatch(ctx, args[1:], stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], environ, stdout, stderr)
	case "reindex":
		return runReindex(ctx, args[1:], environ, stdout, stderr)
	case "health":
		return runHealth(ctx, args[1:], environ, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "lianzhu: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
