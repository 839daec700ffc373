package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/store"
)

func TestZZDebugLeak(t *testing.T) {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "dbg-")
	os.Chmod(dir, 0o755)
	defer os.RemoveAll(dir)
	e, err := store.StartEmbedded(ctx, store.EmbeddedOptions{DataDir: filepath.Join(dir, "data"), PGBin: pgBin(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(ctx)
	b, _ := os.ReadFile(filepath.Join(dir, "data", "postgres", "postmaster.pid"))
	port, _ := strconv.Atoi(strings.Split(string(b), "\n")[3])
	pc, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lianzhu@127.0.0.1:%d/postgres", port))
	if err != nil {
		t.Fatal(err)
	}
	count := func(label string) {
		var n int
		var states string
		pc.QueryRow(ctx, "select count(*), string_agg(state || ':' || left(query, 40), ' | ') from pg_stat_activity where application_name='FerretDB'").Scan(&n, &states)
		t.Logf("%s: %d ferret conns", label, n)
	}
	client, _ := mongo.Connect(options.Client().ApplyURI(e.URI()))
	w, _ := mongo.Connect(options.Client().ApplyURI(e.URI()).SetMaxPoolSize(1).SetMinPoolSize(1))
	coll := client.Database("x").Collection("places")
	wcoll := w.Database("x").Collection("places")
	var docs []any
	for i := range 375 {
		docs = append(docs, bson.M{"_id": fmt.Sprintf("%012d", i), "name": "n"})
	}
	count("start")
	if _, err := wcoll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		t.Fatal(err)
	}
	count("after insertmany")
	for i := range 3 {
		cur, err := coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			t.Fatal(err)
		}
		var all []bson.M
		if err := cur.All(ctx, &all); err != nil {
			t.Fatal(err)
		}
		count(fmt.Sprintf("after find %d (%d docs)", i, len(all)))
	}
	for i := range 60 {
		if _, err := wcoll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("%012d", i)}}, bson.M{"name": "m"}); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			count(fmt.Sprintf("after replace %d", i))
		}
	}
}
