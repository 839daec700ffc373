package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// guardedRetries bounds the rewrites of one guarded change: every lost race
// means another writer changed the document meanwhile.
const guardedRetries = 100

// rewriteGuarded reads the fields of document id that a rewrite needs,
// lets change compute what to $set (nil: nothing to write) and writes it
// with the version incremented, in one update guarded by the version read;
// a lost race (another rewrite came first) reads again, up to
// guardedRetries times, then answers busy.
func rewriteGuarded[T any](ctx context.Context, col *mongo.Collection, id string, fields bson.D, what string,
	version func(*T) int64, change func(*T) (bson.D, error), busy error) error {
	for range guardedRetries {
		var d T
		if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(fields)).Decode(&d); err != nil {
			return translate("read "+what, err)
		}
		set, err := change(&d)
		if err != nil || set == nil {
			return err
		}
		res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: version(&d)}},
			bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
		if err != nil {
			return translate("write "+what, err)
		}
		if res.MatchedCount == 1 {
			return nil
		}
	}
	return busy
}
