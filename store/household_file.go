package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// householdFile is how a household's file is stored: one BSON binary value
// holding the file's own BSON, not an embedded document. The store never
// filters inside the file (scope, statuses and ID hashes sit beside it), and
// an embedded document costs FerretDB dearly: it keeps a type entry for
// every nested value ($s), which made two thirds of a demo household's
// 8.8 kB, and it converts every one of them on each read — a district's
// household list read 32 MB of JSON. As one binary the file is a single
// value to FerretDB. Files written before are embedded documents; reading
// accepts both, and writing always stores the binary (MigrateHouseholdFiles
// rewrites the old ones).
type householdFile struct{ domain.Household }

// MarshalBSONValue stores the file as a generic binary.
func (f householdFile) MarshalBSONValue() (byte, []byte, error) {
	raw, err := bson.Marshal(f.Household)
	if err != nil {
		return 0, nil, fmt.Errorf("store: encode household file: %w", err)
	}
	t, data, err := bson.MarshalValue(bson.Binary{Subtype: bson.TypeBinaryGeneric, Data: raw})
	return byte(t), data, err
}

// UnmarshalBSONValue reads a binary file, or an embedded document of the
// format before it.
func (f *householdFile) UnmarshalBSONValue(t byte, data []byte) error {
	switch bson.Type(t) {
	case bson.TypeBinary:
		var b bson.Binary
		if err := bson.UnmarshalValue(bson.TypeBinary, data, &b); err != nil {
			return fmt.Errorf("store: decode household file: %w", err)
		}
		f.Household = domain.Household{}
		return bson.Unmarshal(b.Data, &f.Household)
	case bson.TypeEmbeddedDocument:
		f.Household = domain.Household{}
		return bson.Unmarshal(data, &f.Household)
	}
	return fmt.Errorf("store: household file stored as BSON type %#x", t)
}

// MigrateHouseholdFiles rewrites the files still stored as embedded
// documents into the binary form, each in one update guarded by the
// version read (a file edited meanwhile is already binary). Version and
// times stay: only the encoding changes. It returns how many it rewrote;
// run it in the background after a start, it is idempotent.
func (db *DB) MigrateHouseholdFiles(ctx context.Context) (int, error) {
	old, err := findDocs[householdDoc](ctx, db.r.Collection(colHouseholds), "households to migrate",
		bson.D{{Key: "file", Value: bson.D{{Key: "$type", Value: "object"}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range old {
		var d householdDoc
		err := db.w.Collection(colHouseholds).FindOne(ctx, bson.D{{Key: "_id", Value: o.ID}}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // deleted meanwhile
		}
		if err != nil {
			return n, translate("read household to migrate", err)
		}
		res, err := db.w.Collection(colHouseholds).UpdateOne(ctx,
			bson.D{{Key: "_id", Value: d.ID}, {Key: "version", Value: d.Version}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "file", Value: d.File}}}})
		if err != nil {
			return n, translate("migrate household file", err)
		}
		n += int(res.ModifiedCount)
	}
	return n, nil
}
