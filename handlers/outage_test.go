package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/url"
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
	// The index worker runs as in the server.
	e.indexNow()
	workCtx, stopWork := context.WithCancel(ctx)
	worker := make(chan struct{})
	go func() { e.syncer.Run(workCtx); close(worker) }()
	defer func() { stopWork(); <-worker }()
	admin := e.login("admin").AccessToken
	e.newProvider(admin, "ngo", "51610103MJ0000031", "ngo1")
	ngo := e.login("ngo1").AccessToken
	publish := func(i int) {
		t.Helper()
		if r := e.do("POST", "/api/v1/offerings", ngo, offeringBody("bathing", "助浴服务 "+strconv.Itoa(i))); r.status != 201 {
			t.Fatalf("offering %d: %d %s", i, r.status, r.body)
		}
	}
	for i := range 5 {
		publish(i)
	}
	// Meilisearch killed during a burst of writes: every write succeeds;
	// readiness says it is down; sign-in does not need it.
	burst := make(chan struct{})
	go func() {
		defer close(burst)
		for i := 5; i < 40; i++ {
			publish(i)
		}
	}()
	if err := ms.Close(ctx); err != nil {
		t.Fatal(err)
	}
	<-burst
	readyDown("meilisearch")
	e.login("admin")
	ms = startMeili()
	waitReady()
	// The index catches up by itself: it matches MongoDB.
	deadline := time.Now().Add(90 * time.Second)
	for {
		reports, err := e.index.Drift(ctx, e.db)
		if err == nil && reports[0].Kind == "offering" && reports[0].OK && reports[0].Mongo == 40 && reports[0].Index == 40 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("index did not catch up: %+v %v", reports, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if r := e.do("GET", "/api/v1/search?q="+url.QueryEscape("助浴"), ngo, nil); r.status != 200 || r.json(t)["total"].(float64) != 40 {
		t.Fatalf("search after recovery: %d %s", r.status, r.body)
	}

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
