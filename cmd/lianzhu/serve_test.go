package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"lianzhu/internal/binpath"
	"lianzhu/internal/proc"
	"lianzhu/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// running is a server started by startServe.
type running struct {
	base string
	logs *syncBuffer
	stop func() error
}

// startServe runs serve() with the environment in a goroutine and waits for
// /readyz.
func startServe(t *testing.T, environ []string) running {
	t.Helper()
	root, err := binpath.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	port, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	environ = append(environ, "LIANZHU_ADDR=127.0.0.1:"+strconv.Itoa(port), "LIANZHU_LOG_LEVEL=debug")
	cfg, err := loadConfig(environ, os.ReadFile, root)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	// First start writes the demo district (about a minute; several under load).
	deadline := time.Now().Add(10 * time.Minute)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited before ready: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("not ready in time:\n%s", logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(90 * time.Second):
			t.Fatal("serve did not stop within 90 s")
			return nil
		}
	}
	t.Cleanup(func() { _ = stop() })
	return running{base: base, logs: logs, stop: stop}
}

func login(t *testing.T, base, username, password string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// processesMentioning lists pids whose command line contains s.
func processesMentioning(s string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), s) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestServeDefaultMode runs the real default mode: PostgreSQL, FerretDB and
// Meilisearch under a fresh data dir, the demo loaded, a second server on
// the same folder refused, and nothing left running after shutdown.
func TestServeDefaultMode(t *testing.T) {
	dir := testenv.PostgresDir(t, "lianzhu-serve-")
	srv := startServe(t, []string{"LIANZHU_DATA_DIR=" + dir})
	if code := login(t, srv.base, "coordinator", "lianzhu-demo"); code != 200 {
		t.Fatalf("demo login: %d\n%s", code, srv.logs.String())
	}
	if code := login(t, srv.base, "coordinator.610103002", "lianzhu-demo"); code != 200 {
		t.Fatalf("street demo login: %d", code)
	}
	if len(processesMentioning(dir)) < 2 {
		t.Fatalf("expected PostgreSQL and Meilisearch children under %s", dir)
	}

	root, _ := binpath.RepoRoot()
	cfg2, err := loadConfig([]string{"LIANZHU_DATA_DIR=" + dir, "LIANZHU_ADDR=127.0.0.1:0"}, os.ReadFile, root)
	if err != nil {
		t.Fatal(err)
	}
	err = serve(t.Context(), cfg2, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("second serve on the same data dir: want 'already in use', got %v", err)
	}

	for _, secret := range []string{"jwt_secret", "pii_key", "id_hash_key", "meili_master_key"} {
		fi, err := os.Stat(filepath.Join(dir, "secrets", secret))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("secret %s: %v %v", secret, fi, err)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "secrets", secret))
		if strings.Contains(srv.logs.String(), strings.TrimSpace(string(b))) {
			t.Fatalf("secret %s appears in the log", secret)
		}
	}

	if err := srv.stop(); err != nil {
		t.Fatalf("serve returned %v", err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(processesMentioning(dir)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("children outlived the server: %v", processesMentioning(dir))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestServeProductionMode uses the test harness's FerretDB and Meilisearch as
// "external" servers: nothing embedded starts, the first start creates an
// admin with a password in a 0600 file, and switching demo mode off
// disables the demo accounts.
func TestServeProductionMode(t *testing.T) {
	url, key := testenv.Meili(t)
	dir := t.TempDir()
	env := []string{
		"LIANZHU_DATA_DIR=" + dir,
		"LIANZHU_MONGODB_URI=" + testenv.MongoURI(t),
		"LIANZHU_MONGODB_DB=" + testenv.DBName(t),
		"LIANZHU_MEILI_URL=" + url, "LIANZHU_MEILI_KEY=" + key,
		"LIANZHU_JWT_SECRET=" + goodSecret, "LIANZHU_PII_KEY=" + goodPII, "LIANZHU_ID_HASH_KEY=" + goodSecret,
	}

	srv := startServe(t, append(env, "LIANZHU_DEMO=true"))
	if code := login(t, srv.base, "coordinator", "lianzhu-demo"); code != 200 {
		t.Fatalf("demo login in production with demo on: %d", code)
	}
	if !strings.Contains(srv.logs.String(), "FerretDB: all writes go over one connection") {
		t.Fatal("a FerretDB behind LIANZHU_MONGODB_URI must be detected and logged")
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}

	srv = startServe(t, append(env, "LIANZHU_DEMO=false"))
	if code := login(t, srv.base, "coordinator", "lianzhu-demo"); code != 401 {
		t.Fatalf("demo account with demo off: want 401, got %d", code)
	}
	file := filepath.Join(dir, "initial-admin-password")
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("initial admin password file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(file)
	password := strings.TrimSpace(string(b))
	if strings.Contains(srv.logs.String(), password) {
		t.Fatal("the admin password appears in the log")
	}
	// The demo "admin" is disabled and keeps its name, so the real one is sysadmin.
	if code := login(t, srv.base, "sysadmin", password); code != 200 {
		t.Fatalf("first admin login: %d\n%s", code, srv.logs.String())
	}
	if len(processesMentioning(dir)) > 0 {
		t.Fatal("production mode must not start children")
	}
}
