package search_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"lianzhu/internal/proc"
	"lianzhu/internal/testenv"
	"lianzhu/search"
)

// TestMain starts the package's servers through the shared harness; all
// search tests live in package search_test because testenv imports search.
func TestMain(m *testing.M) { testenv.Main(m) }

func TestLocalAnswers(t *testing.T) {
	url, key := testenv.Meili(t)
	resp, err := http.Get(url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	var health struct{ Status string }
	err = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if err != nil || health.Status != "available" {
		t.Fatalf("health: %+v, %v", health, err)
	}

	for _, tc := range []struct {
		name, key string
		want      int
	}{
		{"master key", key, http.StatusOK},
		{"no key", "", http.StatusUnauthorized},
		{"wrong key", key + "x", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url+"/indexes", nil)
			if tc.key != "" {
				req.Header.Set("Authorization", "Bearer "+tc.key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("GET /indexes: %s, want %d", resp.Status, tc.want)
			}
		})
	}
}

func TestStartLocalRejectsShortKey(t *testing.T) {
	_, err := search.StartLocal(context.Background(), search.LocalOptions{
		DataDir: t.TempDir(), Bin: meiliBin(t), MasterKey: "short",
	})
	if err == nil {
		t.Fatal("StartLocal accepted a 5-byte master key")
	}
}

func TestStartLocalDirInUse(t *testing.T) {
	dir := t.TempDir()
	unlock, err := proc.LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, err = search.StartLocal(context.Background(), search.LocalOptions{
		DataDir: dir, Bin: meiliBin(t), MasterKey: "0123456789abcdef",
	})
	want := fmt.Sprintf("data dir %s is already in use by another lianzhu process (pid %d)", dir, os.Getpid())
	if err == nil || err.Error() != want {
		t.Fatalf("StartLocal on a locked dir: got %v, want %q", err, want)
	}
}

// TestStartLocalKillsStale: a Meilisearch that escaped a killed server (here
// a bare process of the same binary, named in the pid file) is killed before
// the new one starts.
func TestStartLocalKillsStale(t *testing.T) {
	dir, bin := t.TempDir(), meiliBin(t)
	port, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	stale := exec.Command(bin, "--db-path", filepath.Join(t.TempDir(), "data.ms"),
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", port), "--no-analytics")
	if err := stale.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stale.Process.Kill(); _ = stale.Wait() }()
	// The pid file name is StartLocal's own; this test knows it.
	pidFile := filepath.Join(dir, "meilisearch.pid")
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(stale.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	local, err := search.StartLocal(ctx, search.LocalOptions{DataDir: dir, Bin: bin, MasterKey: "0123456789abcdef"})
	if err != nil {
		t.Fatalf("StartLocal with a stale Meilisearch: %v", err)
	}
	if err := local.Close(ctx); err != nil {
		t.Error(err)
	}
	if !proc.Gone(stale.Process.Pid) {
		t.Fatalf("stale Meilisearch pid %d still alive", stale.Process.Pid)
	}
}

func meiliBin(t *testing.T) string {
	t.Helper()
	bin, err := testenv.MeiliBin()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}
