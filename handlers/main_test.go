package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"lianzhu/auth"
	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/outreach"
	"lianzhu/search"
	"lianzhu/seed"
	"lianzhu/store"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const testPassword = "correct horse battery"

var (
	hashOnce sync.Once
	hash     string
)

// testHash is a cheap bcrypt hash of testPassword: cost 12 under -race would
// cost a second per account.
func testHash(tb testing.TB) string {
	hashOnce.Do(func() {
		b, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
		if err != nil {
			tb.Fatal(err)
		}
		hash = string(b)
	})
	return hash
}

func testPII(t *testing.T) *store.PII {
	t.Helper()
	pii, err := store.NewPII([]byte("0123456789abcdef0123456789abcdef"), "test-id-hash-key-test-id-hash-key!")
	if err != nil {
		t.Fatal(err)
	}
	return pii
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is one test's server over its own database.
type env struct {
	t      *testing.T
	app    *fiber.App
	db     *store.DB
	clock  *clock
	index  *search.Indexes
	syncer *search.Syncer
}

type envOption func(*Deps)

// newEnv opens a store on a fresh database with the demo places and a few
// accounts, and builds the app with real dependencies.
func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	url, key := testenv.Meili(t)
	return newEnvOn(t, testenv.MongoURI(t), url, key, opts...)
}

// newEnvOn is newEnv against the given servers.
func newEnvOn(t *testing.T, mongoURI, url, key string, opts ...envOption) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	clk := &clock{t: time.Now().UTC()}
	ferretPG := "" // the embedded server's, as lianzhu serve runs it
	if mongoURI == testenv.MongoURI(t) {
		ferretPG = testenv.FerretDBPostgres(t)
	}
	db, err := store.Open(ctx, mongoURI, testenv.DBName(t), store.Options{
		Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ServerSelectionTimeout: 2 * time.Second,
		PII: testPII(t), FerretDBPostgres: ferretPG,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	sc, err := search.Connect(ctx, url, key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sc.Close)
	if err := db.UpsertPlaces(ctx, seed.Places()); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertDemoUsers(ctx, seed.DemoAccounts(testHash(t))); err != nil {
		t.Fatal(err)
	}
	vol := domain.User{Username: "volunteer1", Role: domain.RoleVolunteer, PasswordHash: testHash(t)}
	if err := db.CreateUser(ctx, &vol); err != nil {
		t.Fatal(err)
	}
	places, err := domain.NewPlaces(seed.Places())
	if err != nil {
		t.Fatal(err)
	}
	idx := search.NewIndexes(sc, testenv.IndexPrefix(t), seed.Catalogue(), places)
	syncer := search.NewSyncer(idx, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tokens, err := auth.NewTokens([]byte("test-secret-test-secret-test-secret!"), 15*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clk.Now, Tokens: tokens,
		Users: db, Accounts: db, Places: db, Households: db, Needs: db, Catalogue: seed.Catalogue(),
		Ready:   map[string]Pinger{"mongodb": db, "meilisearch": sc},
		Limiter: auth.NewLoginLimiter(15*time.Minute, 5, 50, clk.Now),
		// Matching runs and evaluations (handlers/matching.go, evaluations.go).
		Matching: db, Policies: seed.Policies(), Params: seed.PolicyParams(),
		Providers: db, Supply: db, Imports: db, Search: idx, Index: syncer, Admin: testIndexAdmin{idx, db},
		// Volunteer tasks and volunteers (handlers/tasks.go, volunteers.go).
		Tasks: db, ProofKey: []byte("test-proof-key-test-proof-key!!!"),
		// Admin, supervision and the dashboard (handlers/oversight.go).
		// (Vouchers stays nil: TestDashboard checks how a missing source is reported.)
		Oversight: OversightDeps{Store: db, Hash: cheapHash, Referrals: db, Records: db, Vouchers: db},
		// Referrals, service records and vouchers (handlers/referrals.go).
		Referrals: db,
		// Signals, warnings and timelines (handlers/signals.go, warnings.go, timeline.go).
		Outreach: OutreachDeps{Store: db, Engine: &outreach.Engine{Store: db, Rules: seed.SeedWarningRules(),
			Policies: seed.Policies(), Params: seed.PolicyParams(), Catalogue: seed.Catalogue(), Now: clk.Now,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}},
		// Job applications, consents and the employment ledger (handlers/applications.go, consents.go).
		Applications: db,
	}
	for _, o := range opts {
		o(&d)
	}
	return &env{t: t, app: New(d), db: db, clock: clk, index: idx, syncer: syncer}
}

// testIndexAdmin is cmd/lianzhu's indexAdmin: the index and its source.
type testIndexAdmin struct {
	idx *search.Indexes
	src search.Source
}

func (a testIndexAdmin) Reindex(ctx context.Context, kind string) (int, error) {
	return a.idx.Reindex(ctx, a.src, kind)
}

func (a testIndexAdmin) Drift(ctx context.Context) ([]search.DriftReport, error) {
	return a.idx.Drift(ctx, a.src)
}

// indexNow sets the search indexes up (once per env) and brings them up to
// date, as the server's index worker would.
func (e *env) indexNow() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := e.index.Setup(ctx); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.syncer.SyncAll(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.body)
	}
	return m
}

// errorCode returns error.code of an error body, checking the shape.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	m := r.json(t)
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %s", r.body)
	}
	if e["request_id"] == "" || e["request_id"] != r.header.Get("X-Request-ID") {
		t.Fatalf("request_id %v does not match header %q", e["request_id"], r.header.Get("X-Request-ID"))
	}
	if _, ok := e["message"].(string); !ok {
		t.Fatalf("error without message: %s", r.body)
	}
	return e["code"].(string)
}

// fields returns the field names of an error body.
func (r response) fields(t *testing.T) []string {
	t.Helper()
	e := r.json(t)["error"].(map[string]any)
	var out []string
	fs, _ := e["fields"].([]any)
	for _, f := range fs {
		out = append(out, f.(map[string]any)["field"].(string))
	}
	return out
}

// do sends a request; body may be nil, a string (sent as is) or a value
// (sent as JSON).
func (e *env) do(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = bytes.NewBufferString(b), fiber.MIMEApplicationJSON
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(raw), fiber.MIMEApplicationJSON
	}
	req := httptest.NewRequest(method, path, rd)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// serveReal serves the app on a loopback port, for what the in-memory
// transport of app.Test cannot show (a body over the limit).
func (e *env) serveReal() string {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	e.t.Cleanup(func() { _ = e.app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// login signs in and returns the token response.
func (e *env) login(username string) TokenResponse {
	e.t.Helper()
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": testPassword})
	if r.status != 200 {
		e.t.Fatalf("login %s: %d %s", username, r.status, r.body)
	}
	var tr TokenResponse
	if err := json.Unmarshal(r.body, &tr); err != nil {
		e.t.Fatal(err)
	}
	return tr
}
