package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/store"
)

// TestFerretDBEqualityIndexes: with FerretDBPostgres set, Open gives every
// collection GIN indexes that serve FerretDB's equality filters, exactly as
// FerretDB phrases them (`_jsonb -> $1 @> $2`, a prepared statement run with
// a custom plan); a second Open changes nothing; reads through the indexes
// answer what a scan answers.
func TestFerretDBEqualityIndexes(t *testing.T) {
	ctx := t.Context()
	pgURL := testenv.FerretDBPostgres(t)
	uri := testenv.MongoURI(t)
	name := testenv.DBName(t)
	open := func() *store.DB {
		db, err := store.Open(ctx, uri, name, store.Options{Logger: quietLogger(), FerretDBPostgres: pgURL})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = db.Close(context.Background()) })
		return db
	}
	start := time.Now()
	open()
	t.Logf("first Open with equality indexes: %v", time.Since(start))

	conn, err := pgx.Connect(ctx, pgURL+"&plan_cache_mode=force_custom_plan")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	table := func(col string) string {
		var tbl string
		q := `SELECT _jsonb->>'table' FROM ` + pgx.Identifier{name}.Sanitize() + `._ferretdb_database_metadata WHERE _jsonb->>'_id' = $1`
		if err := conn.QueryRow(ctx, q, col).Scan(&tbl); err != nil {
			t.Fatalf("table of %s: %v", col, err)
		}
		return tbl
	}
	ginIndexes := func() map[string]string {
		rows, err := conn.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND indexdef LIKE '%USING gin%'`, name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
			var n, def string
			err := r.Scan(&n, &def)
			return [2]string{n, def}, err
		})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, g := range got {
			m[g[0]] = g[1]
		}
		return m
	}
	first := ginIndexes()
	needs := table("needs")
	var onNeeds []string
	for _, def := range first {
		if strings.Contains(def, needs) {
			onNeeds = append(onNeeds, def)
		}
	}
	for _, field := range []string{"'_id'", "'household_id'", "'community'", "'indexed'"} {
		found := false
		for _, def := range onNeeds {
			found = found || (strings.Contains(def, field) && strings.Contains(def, "jsonb_path_ops"))
		}
		if !found {
			t.Errorf("no GIN index on needs.%s; have %v", field, onNeeds)
		}
	}

	open()
	if again := ginIndexes(); len(again) != len(first) {
		t.Errorf("second Open: %d GIN indexes, first %d", len(again), len(first))
	}

	// Documents of each type FerretDB pushes down, read back by equality
	// through the mongo driver (FerretDB's SQL, our indexes).
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	col := client.Database(name).Collection("needs")
	docs := []any{
		bson.D{{Key: "_id", Value: "n1"}, {Key: "household_id", Value: "hh-1"}, {Key: "status", Value: string(domain.NeedOpen)}, {Key: "indexed", Value: false}},
		bson.D{{Key: "_id", Value: "n2"}, {Key: "household_id", Value: "hh-1"}, {Key: "status", Value: "resolved"}, {Key: "indexed", Value: true}},
		bson.D{{Key: "_id", Value: "n3"}, {Key: "household_id", Value: "hh-2"}, {Key: "status", Value: string(domain.NeedOpen)}, {Key: "indexed", Value: true}},
	}
	if _, err := col.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		filter bson.D
		want   int64
	}{
		{bson.D{{Key: "_id", Value: "n2"}}, 1},
		{bson.D{{Key: "household_id", Value: "hh-1"}}, 2},
		{bson.D{{Key: "household_id", Value: "hh-1"}, {Key: "status", Value: string(domain.NeedOpen)}}, 1},
		{bson.D{{Key: "indexed", Value: true}}, 2},
		{bson.D{{Key: "household_id", Value: "hh-9"}}, 0},
	} {
		n, err := col.CountDocuments(ctx, c.filter)
		if err != nil {
			t.Fatal(err)
		}
		if n != c.want {
			t.Errorf("count %v = %d, want %d", c.filter, n, c.want)
		}
	}

	// The plan of FerretDB's own statement shape uses the index once scans
	// are priced out (the table is tiny, so the planner would rightly scan).
	if _, err := conn.Exec(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	q := `EXPLAIN SELECT _jsonb FROM ` + pgx.Identifier{name, needs}.Sanitize() + ` WHERE _jsonb->$1 @> $2`
	rows, err := conn.Query(ctx, q, "household_id", `"hh-1"`)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(plan, "\n"); !strings.Contains(text, "Bitmap Index Scan") {
		t.Errorf("FerretDB's equality filter does not use the index:\n%s", text)
	}
}
