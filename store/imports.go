package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

const colImports = "imports"

// Import statuses.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed" // a fault (database down, unreadable file)
	// ImportRejected: the file had bad rows and nothing was stored.
	ImportRejected = "rejected"
)

// maxImportErrors bounds the row errors kept in one record, so that a file
// of nothing but bad rows cannot outgrow a document (16 MB). ErrorCount
// keeps the full count.
const maxImportErrors = 10_000

// ImportRowError is one bad row of an imported file.
type ImportRowError struct {
	Row    int    `bson:"row" json:"row"`
	Column string `bson:"column" json:"column"`
	Reason string `bson:"reason" json:"reason"`
}

// ImportRecord is an import job and its progress.
type ImportRecord struct {
	ID        string `bson:"_id" json:"id"`
	Kind      string `bson:"kind" json:"kind"`
	Filename  string `bson:"filename" json:"filename"`
	CreatedBy string `bson:"created_by" json:"created_by"`
	Place     string `bson:"place" json:"place"`
	Status    string `bson:"status" json:"status"` // ImportRunning, ImportDone, ImportRejected or ImportFailed
	Total     int    `bson:"total" json:"total"`
	Done      int    `bson:"done" json:"done"`
	Created   int    `bson:"created" json:"created"`
	Skipped   int    `bson:"skipped" json:"skipped"`
	// Errors holds the first maxImportErrors row errors; ErrorCount counts
	// them all.
	Errors     []ImportRowError `bson:"errors" json:"errors"`
	ErrorCount int              `bson:"error_count" json:"error_count"`
	CreatedAt  time.Time        `bson:"created_at" json:"created_at"`
	UpdatedAt  time.Time        `bson:"updated_at" json:"updated_at"`
}

// CreateImport stores a new import record in status running and sets its ID
// and times.
func (db *DB) CreateImport(ctx context.Context, r *ImportRecord) error {
	now := db.now().UTC()
	r.ID, r.Status, r.CreatedAt, r.UpdatedAt = newID(), ImportRunning, now, now
	if r.Errors == nil {
		r.Errors = []ImportRowError{}
	}
	_, err := db.w.Collection(colImports).InsertOne(ctx, r)
	return translate("create import", err)
}

// UpdateImportProgress records how many rows a running import has done; a
// finished import is ECONFLICT, a missing one ENOTFOUND.
func (db *DB) UpdateImportProgress(ctx context.Context, id string, done, total int) error {
	return db.updateRunningImport(ctx, id, "update import progress", bson.D{{Key: "done", Value: done}, {Key: "total", Value: total}})
}

// FinishImport ends a running import with status done or failed, its counts
// and row errors; an import already finished is ECONFLICT.
func (db *DB) FinishImport(ctx context.Context, id, status string, created, skipped int, errs []ImportRowError) error {
	if status != ImportDone && status != ImportFailed && status != ImportRejected {
		return domain.Invalid("status", "enum", "导入结果须为 done、rejected 或 failed / status must be done, rejected or failed")
	}
	kept := append([]ImportRowError{}, errs[:min(len(errs), maxImportErrors)]...)
	return db.updateRunningImport(ctx, id, "finish import", bson.D{{Key: "status", Value: status},
		{Key: "created", Value: created}, {Key: "skipped", Value: skipped},
		{Key: "errors", Value: kept}, {Key: "error_count", Value: len(errs)}})
}

// updateRunningImport sets fields of an import guarded by status running.
func (db *DB) updateRunningImport(ctx context.Context, id, op string, set bson.D) error {
	set = append(set, bson.E{Key: "updated_at", Value: db.now().UTC()})
	res, err := db.w.Collection(colImports).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: ImportRunning}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return translate(op, err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	return db.missingOr(ctx, colImports, op, id, domain.Errorf(domain.ECONFLICT, "导入已结束 / the import has finished"))
}

// Import returns one import record, or ENOTFOUND.
func (db *DB) Import(ctx context.Context, id string) (ImportRecord, error) {
	return getOne(ctx, db, colImports, "get import", id, func(r ImportRecord) ImportRecord {
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		return r
	})
}

// FailStaleImports marks imports that have shown no progress since before
// cutoff as failed: their server stopped (a restart, a crash) mid-import.
// Imports report progress every batch, so a live one is never this quiet.
// It is safe with several replicas: each stale record is ended by one
// guarded update, and a live import elsewhere is not stale.
func (db *DB) FailStaleImports(ctx context.Context, cutoff time.Time) (int, error) {
	cur, err := db.r.Collection(colImports).Find(ctx, bson.D{{Key: "status", Value: ImportRunning}})
	if err != nil {
		return 0, translate("stale imports", err)
	}
	var docs []ImportRecord
	if err := cur.All(ctx, &docs); err != nil {
		return 0, translate("stale imports", err)
	}
	n := 0
	for _, d := range docs {
		if !d.UpdatedAt.Before(cutoff) {
			continue
		}
		res, err := db.w.Collection(colImports).UpdateOne(ctx,
			bson.D{{Key: "_id", Value: d.ID}, {Key: "status", Value: ImportRunning}, {Key: "updated_at", Value: d.UpdatedAt}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: ImportFailed}, {Key: "updated_at", Value: db.now().UTC()},
				{Key: "errors", Value: []ImportRowError{{Reason: "导入被服务器重启中断，请重新导入 / interrupted by a server restart: import the file again"}}},
				{Key: "error_count", Value: 1}}}})
		if err != nil {
			return n, translate("fail stale import", err)
		}
		n += int(res.ModifiedCount)
	}
	return n, nil
}
