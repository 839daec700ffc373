package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// MarkApplicationUnsynced puts back the intent a crash would have left: the
// application's effects are written, but the process died before it was
// marked synced.
func (db *DB) MarkApplicationUnsynced(ctx context.Context, id string) error {
	_, err := db.w.Collection(colApplications).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "synced", Value: false}}}})
	return err
}

// TakeOpeningForTest takes an opening of the job for an application, as a
// hire does before it moves the application — the state a crash between
// the two writes leaves.
func (db *DB) TakeOpeningForTest(ctx context.Context, jobID, applicationID string) error {
	return db.takeOpening(ctx, jobID, applicationID)
}
