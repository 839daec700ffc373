package store_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/internal/testenv"
	"lianzhu/seed"
	"lianzhu/store"
)

// BenchmarkListHouseholds reads the first page (100) of the demo district's
// household list as the district coordinator does — on FerretDB every file
// of the district is read and sorted — with the files stored as one binary
// each (binary) and, in a copy of the same documents, as the embedded
// documents stored before (embedded):
//
//	go test -tags ferretdb_no_sqlite ./store -run '^$' -bench ListHouseholds -benchtime 5x
func BenchmarkListHouseholds(b *testing.B) {
	ctx := context.Background()
	pii, err := store.NewPII([]byte("0123456789abcdef0123456789abcdef"), "test-id-hash-key-test-id-hash-key!")
	if err != nil {
		b.Fatal(err)
	}
	uri := testenv.MongoURI(b)
	open := func(name string) *store.DB {
		db, err := store.Open(ctx, uri, name, store.Options{PII: pii, Logger: quietLogger(), FerretDBPostgres: testenv.FerretDBPostgres(b)})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = db.Close(context.Background()) })
		return db
	}
	binName, embName := testenv.DBName(b), testenv.DBName(b)
	binDB, embDB := open(binName), open(embName)
	d, err := seed.Demo(seed.DemoOptions{Seed: 1, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	if err := binDB.UpsertPlaces(ctx, seed.Places()); err != nil {
		b.Fatal(err)
	}
	if _, err := binDB.InsertHouseholds(ctx, d.Households); err != nil {
		b.Fatal(err)
	}
	// The copy: the same documents with the file embedded.
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Disconnect(ctx)
	cur, err := client.Database(binName).Collection("households").Find(ctx, bson.D{})
	if err != nil {
		b.Fatal(err)
	}
	var docs []any
	for cur.Next(ctx) {
		var doc bson.D
		if err := cur.Decode(&doc); err != nil {
			b.Fatal(err)
		}
		for i, e := range doc {
			if bin, ok := e.Value.(bson.Binary); ok && e.Key == "file" {
				doc[i].Value = bson.Raw(bin.Data)
			}
		}
		docs = append(docs, doc)
	}
	if _, err := client.Database(embName).Collection("households").InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	district := d.Households[0].Place[:6] + "000000"
	for _, c := range []struct {
		name string
		db   *store.DB
	}{{"binary", binDB}, {"embedded", embDB}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				hs, _, err := c.db.ListHouseholds(ctx, store.HouseholdFilter{Within: district, Limit: 100})
				if err != nil || len(hs) != 100 {
					b.Fatalf("%d households, %v", len(hs), err)
				}
			}
		})
	}
}
