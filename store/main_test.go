package store_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"lianzhu/internal/testenv"
	"lianzhu/store"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// forEachTarget runs fn against the embedded FerretDB and, when
// LIANZHU_TEST_MONGODB_URI is set, a real MongoDB, each with a fresh database.
func forEachTarget(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, tg := range testenv.MongoTargets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			fn(t, mustOpen(t, tg, nil))
		})
	}
}

// mustOpen opens a store on its own database, closed when the test ends.
func mustOpen(tb testing.TB, tg testenv.Target, now func() time.Time) *store.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pii, err := store.NewPII([]byte("0123456789abcdef0123456789abcdef"), "test-id-hash-key-test-id-hash-key!")
	if err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(ctx, tg.URI, testenv.DBName(tb), store.Options{Now: now, PII: pii, Logger: quietLogger(), FerretDBPostgres: tg.FerretDBPostgres})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close(context.Background()) })
	return db
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
