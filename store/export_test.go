package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// RawDocument returns a stored document as extended JSON, for tests that
// check what is at rest.
func (db *DB) RawDocument(ctx context.Context, collection, id string) (string, error) {
	var m bson.M
	if err := db.r.Collection(collection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&m); err != nil {
		return "", err
	}
	b, err := bson.MarshalExtJSON(m, false, false)
	return string(b), err
}

// DeleteRaw removes a document behind the store's back, simulating a crash
// between two writes.
func (db *DB) DeleteRaw(ctx context.Context, collection, id string) error {
	_, err := db.w.Collection(collection).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return err
}

// UnsetRaw removes a field from a stored document behind the store's back,
// e.g. to recreate a document written before the field existed.
func (db *DB) UnsetRaw(ctx context.Context, collection, id, field string) error {
	_, err := db.w.Collection(collection).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: field, Value: ""}}}})
	return err
}
