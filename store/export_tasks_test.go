package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// SetRaw sets a field of a stored document behind the store's back, e.g. to
// put back the intent a crash would have left (a sign-up still signing_up).
func (db *DB) SetRaw(ctx context.Context, collection, id, field string, value any) error {
	_, err := db.w.Collection(collection).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: value}}}})
	return err
}
