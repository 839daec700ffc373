package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A signal batch is one intake run (a delivery of signals, or one resolved
// signal). It is created pending before its signals are stored and
// finished once every household they touch was evaluated: a pending batch
// is the intent the reconciler (outreach.Resume) finishes after a crash.
// One small document per run, so that finishing 100,000 signals is one
// update, not 100,000.

const colSignalBatches = "signal_batches"

// Batch states.
const (
	BatchPending = "pending"
	BatchDone    = "done"
)

// SignalBatch is one intake run and what it did.
type SignalBatch struct {
	ID    string `bson:"_id"`
	State string `bson:"state"`
	// Place is where the signals were taken in; By who took them in.
	Place string `bson:"place"`
	By    string `bson:"by"`
	// Received, Stored and the rest are filled in when the batch is done.
	Received   int       `bson:"received"`
	Stored     int       `bson:"stored"`
	Matched    int       `bson:"matched"`
	Unmatched  int       `bson:"unmatched"`
	Households int       `bson:"households"`
	Warnings   int       `bson:"warnings"`
	CreatedAt  time.Time `bson:"created_at"`
	FinishedAt time.Time `bson:"finished_at"`
}

// CreateSignalBatch stores a new pending batch (its ID set by the caller)
// and sets its creation time.
func (db *DB) CreateSignalBatch(ctx context.Context, b *SignalBatch) error {
	b.State, b.CreatedAt = BatchPending, db.now().UTC()
	_, err := db.w.Collection(colSignalBatches).InsertOne(ctx, b)
	return translate("create signal batch", err)
}

// PendingSignalBatches returns the batches not finished, oldest first.
func (db *DB) PendingSignalBatches(ctx context.Context) ([]SignalBatch, error) {
	out, err := findDocs[SignalBatch](ctx, db.r.Collection(colSignalBatches), "pending signal batches",
		bson.D{{Key: "state", Value: BatchPending}})
	slices.SortFunc(out, func(a, b SignalBatch) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}

// FinishSignalBatch marks a pending batch done with its counts, in one
// update guarded by the state; a batch finished already is left as it is
// (a second run of the same work).
func (db *DB) FinishSignalBatch(ctx context.Context, b SignalBatch) error {
	_, err := db.w.Collection(colSignalBatches).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: b.ID}, {Key: "state", Value: BatchPending}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: BatchDone}, {Key: "received", Value: b.Received},
			{Key: "stored", Value: b.Stored}, {Key: "matched", Value: b.Matched}, {Key: "unmatched", Value: b.Unmatched},
			{Key: "households", Value: b.Households}, {Key: "warnings", Value: b.Warnings},
			{Key: "finished_at", Value: db.now().UTC()}}}})
	if err != nil {
		return translate("finish signal batch", err)
	}
	return nil
}
