// Package store keeps Lianzhu's system of record in MongoDB. It stays inside
// what both MongoDB and FerretDB 1.24 support (ARCHITECTURE.md), translates
// driver errors into domain codes, and keeps bson and ObjectIDs to itself.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"lianzhu/domain"
)

// Options tune Open.
type Options struct {
	// Logger receives the FerretDB single-writer warning. Defaults to slog.Default.
	Logger *slog.Logger
	// Now is the clock; defaults to time.Now.
	Now func() time.Time
	// PII encrypts ID numbers and hashes them; households need it.
	PII *PII
	// ServerSelectionTimeout bounds how long an operation waits for a server
	// that is down before failing with EUNAVAILABLE.
	ServerSelectionTimeout time.Duration
	// FerretDBPostgres, when the server is FerretDB on PostgreSQL, is the
	// PostgreSQL URL under it: Open then adds the GIN indexes that let
	// FerretDB's equality filters use an index (ferretdb_pg.go). Empty
	// leaves FerretDB's tables as FerretDB made them.
	FerretDBPostgres string
}

// DB is a connection to the database. Against FerretDB every write goes over
// one dedicated connection (ARCHITECTURE.md: FerretDB 1.24 does not make
// guarded single-document updates atomic across connections); reads use a
// normal pool. Against MongoDB both are the same pooled client.
type DB struct {
	reader   *mongo.Client
	writer   *mongo.Client
	r        *mongo.Database
	w        *mongo.Database
	ferretDB bool
	now      func() time.Time
	pii      *PII
}

// Open connects to uri, detects FerretDB and creates the indexes.
func Open(ctx context.Context, uri, dbName string, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ServerSelectionTimeout <= 0 {
		opts.ServerSelectionTimeout = 5 * time.Second
	}
	base := func() *options.ClientOptions {
		return options.Client().ApplyURI(uri).
			SetServerSelectionTimeout(opts.ServerSelectionTimeout).
			SetConnectTimeout(5 * time.Second).
			SetAppName("lianzhu")
	}
	reader, err := mongo.Connect(base())
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := reader.Ping(ctx, readpref.Primary()); err != nil {
		_ = reader.Disconnect(context.Background())
		return nil, domain.Errorf(domain.EUNAVAILABLE, "MongoDB at %s is not reachable: %v", RedactURI(uri), err)
	}
	db := &DB{reader: reader, writer: reader, now: opts.Now, pii: opts.PII}
	ferret, err := isFerretDB(ctx, reader)
	if err != nil {
		_ = reader.Disconnect(context.Background())
		return nil, fmt.Errorf("store: buildInfo: %w", err)
	}
	if ferret {
		db.ferretDB = true
		opts.Logger.Warn("the MongoDB server is FerretDB: all writes go over one connection, because FerretDB does not make guarded single-document updates atomic across connections")
		// A write waits for the one connection as long as server selection
		// allows: background work (the index worker, a matching run) can hold
		// it for seconds under load, and a sign-in should queue behind it
		// rather than fail with 503 after 5 s.
		writer, err := mongo.Connect(base().SetMaxPoolSize(1).SetMinPoolSize(1).
			SetServerSelectionTimeout(max(opts.ServerSelectionTimeout, 30*time.Second)))
		if err != nil {
			_ = reader.Disconnect(context.Background())
			return nil, fmt.Errorf("store: connect writer: %w", err)
		}
		db.writer = writer
	}
	db.r = db.reader.Database(dbName)
	db.w = db.writer.Database(dbName)
	if err := db.ensureIndexes(ctx); err != nil {
		_ = db.Close(context.Background())
		return nil, err
	}
	if ferret && opts.FerretDBPostgres != "" {
		if err := indexEqualities(ctx, opts.FerretDBPostgres, dbName, opts.Logger); err != nil {
			_ = db.Close(context.Background())
			return nil, err
		}
	}
	return db, nil
}

// FerretDB reports whether the server is FerretDB.
func (db *DB) FerretDB() bool { return db.ferretDB }

// Ping reports whether the server answers; an error is EUNAVAILABLE.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.reader.Ping(ctx, readpref.Primary()); err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "MongoDB is not reachable")
	}
	// The single write connection can lag behind the read pool after an
	// outage; ready means writes work too.
	if db.writer != db.reader {
		if err := db.writer.Ping(ctx, readpref.Primary()); err != nil {
			return domain.Errorf(domain.EUNAVAILABLE, "MongoDB is not reachable for writes")
		}
	}
	return nil
}

// Close disconnects.
func (db *DB) Close(ctx context.Context) error {
	var errs []error
	if db.writer != db.reader {
		errs = append(errs, db.writer.Disconnect(ctx))
	}
	errs = append(errs, db.reader.Disconnect(ctx))
	return errors.Join(errs...)
}

// Drop deletes the whole database (tests).
func (db *DB) Drop(ctx context.Context) error {
	return translate("drop database", db.w.Drop(ctx))
}

func isFerretDB(ctx context.Context, c *mongo.Client) (bool, error) {
	var info bson.M
	if err := c.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false, err
	}
	_, ok := info["ferretdbVersion"]
	return ok, nil
}

// indexSpec is one secondary index.
type indexSpec struct {
	name   string
	keys   bson.D
	unique bool
}

// collectionIndexes lists every collection's indexes. Unique indexes are only
// on fields every document has (FerretDB ignores sparse and rejects partial).
func collectionIndexes() map[string][]indexSpec {
	scope := []indexSpec{
		{name: "district", keys: bson.D{{Key: "district", Value: 1}}},
		{name: "street", keys: bson.D{{Key: "street", Value: 1}}},
		{name: "community", keys: bson.D{{Key: "community", Value: 1}}},
	}
	household := indexSpec{name: "household", keys: bson.D{{Key: "household_id", Value: 1}}}
	// The search outbox: documents not yet in Meilisearch (outbox.go).
	dirty := indexSpec{name: "indexed", keys: bson.D{{Key: "indexed", Value: 1}}}
	return map[string][]indexSpec{
		colUsers:         {{name: "username_unique", keys: bson.D{{Key: "username", Value: 1}}, unique: true}},
		colRefreshTokens: {{name: "family", keys: bson.D{{Key: "family", Value: 1}}}, {name: "user", keys: bson.D{{Key: "user_id", Value: 1}}}},
		colPlaces:        {{name: "parent", keys: bson.D{{Key: "parent", Value: 1}}}},
		colHouseholds:    scope,
		colAudit:         scope,
		colNeeds:         withScope(scope, household, dirty),
		colProviders:     withScope(scope, indexSpec{name: "credit_key_unique", keys: bson.D{{Key: "credit_key", Value: 1}}, unique: true}),
		colOfferings: {
			{name: "provider", keys: bson.D{{Key: "provider_id", Value: 1}}},
			{name: "area_up", keys: bson.D{{Key: "area_up", Value: 1}}},
			{name: "area_places", keys: bson.D{{Key: "area_places", Value: 1}}},
			dirty,
		},
		colJobs: withScope(scope, indexSpec{name: "enterprise", keys: bson.D{{Key: "enterprise_id", Value: 1}}}, dirty),
		// Signals and warnings (signals.go, warnings.go): by place and by
		// household (the timeline). A city's batch inserts 100,000 signals,
		// each insert paying for every index, so no more: lists by state
		// narrow a place, and the reconciler's read by batch is rare.
		colSignals:       withScope(scope, household),
		colWarnings:      withScope(scope, household, indexSpec{name: "state", keys: bson.D{{Key: "state", Value: 1}}}),
		colSignalBatches: {{name: "state", keys: bson.D{{Key: "state", Value: 1}}}},
		// Tasks (tasks.go): need_slot is unique by construction ("one live task per need").
		colTasks: withScope(scope,
			indexSpec{name: "need_slot_unique", keys: bson.D{{Key: "need_slot", Value: 1}}, unique: true},
			indexSpec{name: "volunteer", keys: bson.D{{Key: "volunteer_id", Value: 1}}},
			indexSpec{name: "state", keys: bson.D{{Key: "state", Value: 1}}},
			indexSpec{name: "synced", keys: bson.D{{Key: "synced", Value: 1}}}),
		colHouseholdLog:      {household},
		colVolunteerProfiles: {{name: "status", keys: bson.D{{Key: "status", Value: 1}}}},
		// Supervision (complaints.go, lights.go, settlements.go).
		colComplaints: withScope(scope, indexSpec{name: "provider", keys: bson.D{{Key: "provider_id", Value: 1}}},
			indexSpec{name: "light_pending", keys: bson.D{{Key: "light_pending", Value: 1}}}),
		colLightChanges: {{name: "provider", keys: bson.D{{Key: "provider_id", Value: 1}}}, {name: "status", keys: bson.D{{Key: "status", Value: 1}}}},
		colSettlements:  {{name: "provider", keys: bson.D{{Key: "provider_id", Value: 1}}}, {name: "month", keys: bson.D{{Key: "month", Value: 1}}}},
		// Job applications (applications.go): live_slot is unique by
		// construction ("one live application per member and job").
		colApplications: withScope(scope, household,
			indexSpec{name: "job", keys: bson.D{{Key: "job_id", Value: 1}}},
			indexSpec{name: "enterprise", keys: bson.D{{Key: "enterprise_id", Value: 1}}},
			indexSpec{name: "state", keys: bson.D{{Key: "state", Value: 1}}},
			indexSpec{name: "synced", keys: bson.D{{Key: "synced", Value: 1}}},
			indexSpec{name: "live_slot_unique", keys: bson.D{{Key: "live_slot", Value: 1}}, unique: true}),
		// Matching runs and proposals (runs.go, proposals.go).
		colRuns: withScope(scope, indexSpec{name: "status", keys: bson.D{{Key: "status", Value: 1}}}),
		// Referrals (referrals.go): slot is unique by construction ("one
		// live referral per need"); service records and voucher ledgers
		// (service_records.go, vouchers.go).
		colReferrals: withScope(scope, household,
			indexSpec{name: "slot_unique", keys: bson.D{{Key: "slot", Value: 1}}, unique: true},
			indexSpec{name: "provider", keys: bson.D{{Key: "provider_id", Value: 1}}},
			indexSpec{name: "state", keys: bson.D{{Key: "state", Value: 1}}},
			indexSpec{name: "synced", keys: bson.D{{Key: "synced", Value: 1}}}),
		colServiceRecords: {{name: "provider", keys: bson.D{{Key: "provider_id", Value: 1}}},
			{name: "referral", keys: bson.D{{Key: "referral_id", Value: 1}}}, household},
		colVouchers: withScope(scope, household, indexSpec{name: "year", keys: bson.D{{Key: "year", Value: 1}}}),
		colProposals: withScope(scope, household,
			indexSpec{name: "run", keys: bson.D{{Key: "run_id", Value: 1}}},
			indexSpec{name: "need", keys: bson.D{{Key: "need_id", Value: 1}}},
			indexSpec{name: "state", keys: bson.D{{Key: "state", Value: 1}}}),
	}
}

// withScope returns the place-scope indexes followed by more.
func withScope(scope []indexSpec, more ...indexSpec) []indexSpec {
	return append(append([]indexSpec(nil), scope...), more...)
}

// ensureIndexes creates the indexes that do not exist yet. Re-creating an
// existing index should be a no-op, but FerretDB 1.24 panicked on it (a
// collection with three single-field indexes, re-created at a second start),
// so only missing ones are sent.
func (db *DB) ensureIndexes(ctx context.Context) error {
	specs := collectionIndexes()
	cols := make([]string, 0, len(specs))
	for c := range specs {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, col := range cols {
		have, err := db.indexNames(ctx, col)
		if err != nil {
			return err
		}
		var missing []mongo.IndexModel
		for _, s := range specs[col] {
			if !have[s.name] {
				missing = append(missing, mongo.IndexModel{Keys: s.keys, Options: options.Index().SetName(s.name).SetUnique(s.unique)})
			}
		}
		if len(missing) == 0 {
			continue
		}
		if _, err := db.w.Collection(col).Indexes().CreateMany(ctx, missing); err != nil {
			return translate("create indexes on "+col, err)
		}
	}
	return nil
}

func (db *DB) indexNames(ctx context.Context, col string) (map[string]bool, error) {
	cur, err := db.w.Collection(col).Indexes().List(ctx)
	if err != nil {
		return nil, translate("list indexes on "+col, err)
	}
	var existing []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &existing); err != nil {
		return nil, translate("list indexes on "+col, err)
	}
	have := make(map[string]bool, len(existing))
	for _, e := range existing {
		have[e.Name] = true
	}
	return have, nil
}

// translate maps driver errors to domain codes and wraps them with context.
func translate(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("store: %s: %w", op, domain.Errorf(domain.ENOTFOUND, "未找到 / not found"))
	case isDuplicateKey(err):
		return fmt.Errorf("store: %s: %w", op, domain.Errorf(domain.ECONFLICT, "已存在 / already exists"))
	case mongo.IsNetworkError(err) || mongo.IsTimeout(err) || isServerSelection(err):
		return fmt.Errorf("store: %s: %w: %w", op, domain.Errorf(domain.EUNAVAILABLE, "数据库暂不可用 / database unavailable"), err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// isServerSelection recognises "no server answered" without importing the
// driver's experimental topology package.
func isServerSelection(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "server selection error")
}

// RedactURI hides the password of a MongoDB URI, for logs and errors.
func RedactURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return uri
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "***")
	}
	return u.String()
}

func newID() string { return bson.NewObjectID().Hex() }

// page trims docs fetched with limit+1 to one page and returns the cursor of
// the next page ("" when this is the last).
func page[D any](docs []D, limit int, id func(D) string) ([]D, string) {
	if len(docs) <= limit {
		return docs, ""
	}
	docs = docs[:limit]
	return docs, id(docs[len(docs)-1])
}
