package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/internal/testenv"
	"lianzhu/search"
)

func TestHealthReadyMetrics(t *testing.T) {
	e := newEnv(t)
	if r := e.do("GET", "/healthz", "", nil); r.status != 200 {
		t.Fatalf("healthz %d", r.status)
	}
	r := e.do("GET", "/readyz", "", nil)
	if r.status != 200 || r.json(t)["status"] != "ok" {
		t.Fatalf("readyz %d %s", r.status, r.body)
	}
	e.login("admin")
	m := e.do("GET", "/metrics", "", nil)
	for _, want := range []string{`lianzhu_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"}`, "lianzhu_http_request_duration_seconds_bucket", "go_goroutines"} {
		if !strings.Contains(string(m.body), want) {
			t.Fatalf("/metrics lacks %s", want)
		}
	}
	if r.header.Get("X-Request-ID") == "" {
		t.Fatal("no request id header")
	}
	// A proxy's sane request id is kept.
	if r := e.do("GET", "/healthz", "", nil, "X-Request-ID", "proxy-id-12345"); r.header.Get("X-Request-ID") != "proxy-id-12345" {
		t.Fatalf("request id not propagated: %q", r.header.Get("X-Request-ID"))
	}
}

// TestReadyzNamesTheServiceThatIsDown stops a real Meilisearch under a
// running server.
func TestReadyzNamesTheServiceThatIsDown(t *testing.T) {
	dir := t.TempDir()
	bin, err := testenv.MeiliBin()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ms, err := search.StartLocal(ctx, search.LocalOptions{DataDir: dir, Bin: bin, MasterKey: "a-test-master-key-0123456789", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := search.Connect(ctx, ms.URL(), "a-test-master-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	e := newEnv(t, func(d *Deps) { d.Ready["meilisearch"] = sc })
	if r := e.do("GET", "/readyz", "", nil); r.status != 200 {
		t.Fatalf("before: %d %s", r.status, r.body)
	}
	if err := ms.Close(ctx); err != nil {
		t.Fatal(err)
	}
	r := e.do("GET", "/readyz", "", nil)
	if r.status != 503 {
		t.Fatalf("after stop: want 503, got %d %s", r.status, r.body)
	}
	down := r.json(t)["down"].([]any)
	if len(down) != 1 || down[0] != "meilisearch" {
		t.Fatalf("down = %v", down)
	}
}

func TestUIFallbackAndUnknownAPI(t *testing.T) {
	files := fstest.MapFS{
		"index.html":      {Data: []byte("<html>app</html>")},
		"assets/app-1.js": {Data: []byte("console.log(1)")},
		".hidden":         {Data: []byte("secret")},
		"favicon.svg":     {Data: []byte("<svg/>")},
	}
	e := newEnv(t, func(d *Deps) { d.UI = files })
	tests := []struct {
		path, want, ctype string
	}{
		{"/", "<html>app</html>", "text/html"},
		{"/households/42", "<html>app</html>", "text/html"},
		{"/assets/app-1.js", "console.log(1)", "javascript"},
		{"/.hidden", "<html>app</html>", "text/html"},
		{"/../../etc/passwd", "<html>app</html>", "text/html"},
	}
	for _, tt := range tests {
		r := e.do("GET", tt.path, "", nil)
		if r.status != 200 || string(r.body) != tt.want || !strings.Contains(r.header.Get("Content-Type"), tt.ctype) {
			t.Fatalf("%s: %d %q %q", tt.path, r.status, r.body, r.header.Get("Content-Type"))
		}
	}
	tok := e.login("admin").AccessToken
	if r := e.do("GET", "/api/v1/no-such-thing", tok, nil); r.status != 404 || r.errorCode(t) != "not_found" {
		t.Fatalf("unknown API: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/no-such-thing", "", nil); r.status != 401 {
		t.Fatalf("unknown API without token: %d", r.status)
	}
}

func TestPanicBecomesInternalError(t *testing.T) {
	s := &server{log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: time.Now, metrics: newMetrics()}
	app := fiber.New(fiber.Config{ErrorHandler: s.errorHandler})
	app.Use(withRequestID, s.observe, s.recoverPanics)
	app.Get("/boom", func(*fiber.Ctx) error { panic("secret detail") })
	resp, err := app.Test(httptest.NewRequest("GET", "/boom", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || !strings.Contains(string(b), `"code":"internal"`) || strings.Contains(string(b), "secret detail") {
		t.Fatalf("panic answer: %d %s", resp.StatusCode, b)
	}
}
