package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"lianzhu/internal/binpath"
	"lianzhu/internal/proc"
)

// LocalOptions configures StartLocal.
type LocalOptions struct {
	// DataDir holds the Meilisearch database (DataDir/data.ms), its dumps
	// and snapshots, its log (DataDir/meilisearch.log), its pid file and the
	// lock that keeps a second server out; e.g. ./data/meili.
	DataDir string

	// Bin is the meilisearch executable (see binpath.DefaultMeiliBin).
	Bin string

	// MasterKey protects the API; at least 16 bytes (see StartLocal).
	MasterKey string

	// Logger receives our messages; nil means slog.Default().
	Logger *slog.Logger

	// Port, when not zero, is the loopback port to listen on (tests that
	// restart Meilisearch where clients expect it); zero picks a free one.
	Port int
}

// Local is a Meilisearch process on a free 127.0.0.1 port: the search engine
// of the default mode. Stop it with Close.
type Local struct {
	url    string
	p      *proc.Process
	unlock func() error
	closed bool
}

// meiliStartTimeout bounds a start, including opening a large existing index.
const meiliStartTimeout = 2 * time.Minute

// StartLocal starts Meilisearch in opts.DataDir and returns once GET /health
// answers "available". It holds the lock on opts.DataDir until Close.
//
// It runs with --env production: the local instance holds the same
// household-derived documents as a real one, production mode refuses a
// master key shorter than 16 bytes (a config mistake caught at start rather
// than an open index) and does not serve the search-preview dashboard. The
// key goes in the environment, not argv, where every local user could read
// it in ps.
func StartLocal(ctx context.Context, opts LocalOptions) (_ *Local, err error) {
	if opts.DataDir == "" || opts.Bin == "" {
		return nil, errors.New("search: local: DataDir and Bin are required")
	}
	if len(opts.MasterKey) < 16 {
		return nil, errors.New("search: local: MasterKey must be at least 16 bytes (Meilisearch production mode)")
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "meilisearch")
	dir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("search: local: %w", err)
	}
	bin, err := filepath.Abs(opts.Bin)
	if err != nil {
		return nil, fmt.Errorf("search: local: %w", err)
	}
	if err := binpath.EnsureExecutable(bin); err != nil {
		return nil, fmt.Errorf("search: local: Meilisearch binary: %w", err)
	}

	l := &Local{}
	if l.unlock, err = proc.LockDir(dir); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = l.Close(context.Background())
		}
	}()

	pidFile := filepath.Join(dir, "meilisearch.pid")
	if pid, err := proc.KillStale(ctx, pidFile, bin); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	} else if pid != 0 {
		log.Warn("killed a stale Meilisearch left by an earlier run", "pid", pid)
	}

	logFile := filepath.Join(dir, "meilisearch.log")
	ctx, cancel := context.WithTimeout(ctx, meiliStartTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		port := opts.Port
		if port == 0 {
			if port, err = proc.FreePort(); err != nil {
				return nil, err
			}
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		l.url = "http://" + addr
		l.p, err = proc.Start(proc.Spec{
			Path: bin,
			Args: []string{
				"--db-path", filepath.Join(dir, "data.ms"),
				"--http-addr", addr,
				"--env", "production",
				"--no-analytics",
				// Info logs every request.
				"--log-level", "WARN",
			},
			Env: append(meiliEnv(), "MEILI_MASTER_KEY="+opts.MasterKey),
			// Dumps and snapshots default to folders relative to the
			// working directory.
			Dir:         dir,
			LogFile:     logFile,
			PIDFile:     pidFile,
			StopSignal:  syscall.SIGTERM,
			StopTimeout: 10 * time.Second,
		})
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		err = waitHealthy(ctx, l.p, l.url)
		if err == nil {
			log.Info("meilisearch ready", "url", l.url, "pid", l.p.PID(), "dir", dir)
			return l, nil
		}
		_ = l.p.Stop(context.Background())
		tail := proc.Tail(logFile, 20)
		if attempt < 3 && opts.Port == 0 && strings.Contains(tail, "Address already in use") {
			log.Warn("meilisearch lost its port to another process; retrying", "port", port)
			continue
		}
		return nil, fmt.Errorf("search: start Meilisearch: %w; last lines of %s:\n%s", err, logFile, tail)
	}
}

// URL returns the base URL of the local Meilisearch.
func (l *Local) URL() string { return l.url }

// PID returns the pid of the Meilisearch process, for tests that check it
// dies with us.
func (l *Local) PID() int { return l.p.PID() }

// Close stops Meilisearch (SIGTERM, then SIGKILL if ctx ends or it takes
// more than 10 s), waits for it and releases the data folder.
func (l *Local) Close(ctx context.Context) error {
	if l.closed {
		return nil
	}
	l.closed = true
	var errs []error
	if l.p != nil {
		if err := l.p.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("search: stop Meilisearch: %w", err))
		}
	}
	if l.unlock != nil {
		if err := l.unlock(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// waitHealthy polls GET /health until Meilisearch says "available", the
// process exits, or ctx ends.
func waitHealthy(ctx context.Context, p *proc.Process, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		if last = health(ctx, client, url); last == nil {
			return nil
		}
		select {
		case <-p.Done():
			return fmt.Errorf("meilisearch exited during start-up: %v", p.Err())
		case <-ctx.Done():
			return fmt.Errorf("meilisearch not ready: %w (last attempt: %v)", ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func health(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("health: %s: %w", resp.Status, err)
	}
	if body.Status != "available" {
		return fmt.Errorf("health: status %q", body.Status)
	}
	return nil
}

// meiliEnv is our environment without MEILI_* variables: Meilisearch reads
// its whole configuration from them too, and one left in the shell (a config
// file, a snapshot schedule, a different log level) would silently add to
// what the flags say.
func meiliEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MEILI_") {
			env = append(env, kv)
		}
	}
	return env
}
