package store_test

import (
	"context"
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/store"
)

// TestHouseholdFileFormats: a file is stored as one binary value; a file of
// the older format (an embedded document) still reads the same, and the
// migration rewrites it to binary without changing its version or content.
func TestHouseholdFileFormats(t *testing.T) {
	for _, tg := range testenv.MongoTargets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := t.Context()
			name := testenv.DBName(t)
			pii, err := store.NewPII([]byte("0123456789abcdef0123456789abcdef"), "test-id-hash-key-test-id-hash-key!")
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, tg.URI, name, store.Options{PII: pii, Logger: quietLogger(), FerretDBPostgres: tg.FerretDBPostgres})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close(context.Background())
			client, err := mongo.Connect(options.Client().ApplyURI(tg.URI))
			if err != nil {
				t.Fatal(err)
			}
			defer client.Disconnect(context.Background())
			col := client.Database(name).Collection("households")
			fileType := func(id string) bson.Type {
				t.Helper()
				raw, err := col.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
				if err != nil {
					t.Fatal(err)
				}
				return raw.Lookup("file").Type
			}

			h := household("610103002001001", idNumber(t, "61019919500101002"))
			h.Members[0].Skills = []string{"做饭"}
			h.Consents = []domain.ConsentEvent{{MemberID: "m1", Recipient: domain.RecipientVolunteer, Action: domain.ConsentGrant,
				At: h.CreatedAt, Method: domain.ConsentVerbal, RecordedBy: "coordinator"}}
			if err := db.CreateHousehold(ctx, &h); err != nil {
				t.Fatal(err)
			}
			if ft := fileType(h.ID); ft != bson.TypeBinary {
				t.Fatalf("new file stored as %v, want binary", ft)
			}
			want, err := db.Household(ctx, h.ID)
			if err != nil {
				t.Fatal(err)
			}

			// Rewrite it as the older format stored it: the file embedded.
			var file bson.Raw
			if file, err = bson.Marshal(want); err != nil {
				t.Fatal(err)
			}
			if _, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: h.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "file", Value: file}}}}); err != nil {
				t.Fatal(err)
			}
			if ft := fileType(h.ID); ft != bson.TypeEmbeddedDocument {
				t.Fatalf("old-format file stored as %v", ft)
			}
			old, err := db.Household(ctx, h.ID)
			if err != nil || !reflect.DeepEqual(old, want) {
				t.Fatalf("old format reads\n%+v\nwant\n%+v (%v)", old, want, err)
			}
			if n, err := db.MigrateHouseholdFiles(ctx); err != nil || n != 1 {
				t.Fatalf("migrate = %d, %v", n, err)
			}
			if ft := fileType(h.ID); ft != bson.TypeBinary {
				t.Fatalf("migrated file stored as %v", ft)
			}
			got, err := db.Household(ctx, h.ID)
			if err != nil || !reflect.DeepEqual(got, want) || got.Version != want.Version {
				t.Fatalf("migrated file reads\n%+v\nwant\n%+v (%v)", got, want, err)
			}
			if n, err := db.MigrateHouseholdFiles(ctx); err != nil || n != 0 {
				t.Fatalf("second migrate = %d, %v", n, err)
			}
		})
	}
}
