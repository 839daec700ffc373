package handlers

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"lianzhu/internal/proc"
	"lianzhu/internal/testenv"
	"lianzhu/search"
	"lianzhu/store"
)

// TestOutageAndRecovery stops the real MongoDB-compatible server and the real
// Meilisearch under a running app, then starts them again where they were:
// /readyz names what is down, requests that need MongoDB answer 503, and the
// app recovers by itself.
func TestOutageAndRecovery(t *testing.T) {
	dir := testenv.PostgresDir(t, "lianzhu-outage-")
	pgBin, err := testenv.PGBin()
	if err != nil {
		t.Fatal(err)
	}
	meiliBin, err := testenv.MeiliBin()
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	fport, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	mport, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	const key = "outage-test-master-key-0123456789"
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	startDB := func() *store.Embedded {
		emb, err := store.StartEmbedded(ctx, store.EmbeddedOptions{
			DataDir: filepath.Join(dir, "db"), PGBin: pgBin, Logger: quiet, FerretDBAddr: "127.0.0.1:" + strconv.Itoa(fport),
		})
		if err != nil {
			t.Fatal(err)
		}
		return emb
	}
	startMeili := func() *search.Local {
		ms, err := search.StartLocal(ctx, search.LocalOptions{DataDir: filepath.Join(dir, "meili"), Bin: meiliBin, MasterKey: key, Logger: quiet, Port: mport})
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	emb, ms := startDB(), startMeili()
	t.Cleanup(func() { _ = ms.Close(context.Background()) })
	t.Cleanup(func() { _ = emb.Close(context.Background()) })
	sc, err := search.Connect(ctx, ms.URL(), key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sc.Close)
	e := newEnvOn(t, emb.URI(), ms.URL(), key)
	token := e.login("coordinator").AccessToken

	readyDown := func(want string) {
		t.Helper()
		r := e.do("GET", "/readyz", "", nil)
		if want == "" {
			if r.status != 200 {
				t.Fatalf("readyz: want 200, got %d %s", r.status, r.body)
			}
			return
		}
		if r.status != 503 {
			t.Fatalf("readyz: want 503, got %d %s", r.status, r.body)
		}
		if down := r.json(t)["down"].([]any); len(down) != 1 || down[0] != want {
			t.Fatalf("down = %v, want [%s]", down, want)
		}
	}
	waitReady := func() {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			r := e.do("GET", "/readyz", "", nil)
			if r.status == 200 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("did not recover: %d %s", r.status, r.body)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}

	readyDown("")
	// Meilisearch down: readiness says so; sign-in does not need it.
	if err := ms.Close(ctx); err != nil {
		t.Fatal(err)
	}
	readyDown("meilisearch")
	e.login("admin")
	ms = startMeili()
	waitReady()

	// MongoDB down: readiness names it and requests that need it are 503.
	if err := emb.Close(ctx); err != nil {
		t.Fatal(err)
	}
	readyDown("mongodb")
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "coordinator", "password": testPassword})
	if r.status != 503 || r.errorCode(t) != "unavailable" {
		t.Fatalf("login with MongoDB down: want 503 unavailable, got %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/me", token, nil); r.status != 503 {
		t.Fatalf("/me with MongoDB down: want 503, got %d %s", r.status, r.body)
	}
	emb = startDB()
	waitReady()
	if r := e.do("GET", "/api/v1/me", token, nil); r.status != 200 {
		t.Fatalf("/me after recovery: %d %s", r.status, r.body)
	}
	e.login("coordinator")
}
