package store

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// The search outbox. MongoDB is the truth and Meilisearch is derived
// (ARCHITECTURE.md): every write of an offering, job or need sets
// indexed:false in the same single-document write, the search syncer reads
// the dirty documents, indexes them and calls MarkIndexed, which sets
// indexed:true only if the document is still at the version it read. A
// document changed meanwhile stays dirty and is indexed again, so no update
// is lost when Meilisearch is down or the syncer dies half-way. Documents
// written before the flag existed lack it and count as dirty too.

// The kinds of searchable documents, as package search names them.
const (
	kindOffering = "offering"
	kindJob      = "job"
	kindNeed     = "need"
)

// eachBatch is the cursor batch size of the full scans.
const eachBatch = 1000

// searchable returns the collection of a searchable kind.
func searchable(kind string) (string, error) {
	switch kind {
	case kindOffering:
		return colOfferings, nil
	case kindJob:
		return colJobs, nil
	case kindNeed:
		return colNeeds, nil
	}
	return "", domain.Errorf(domain.EINVALID, "store: %q is not a searchable kind (offering, job, need)", kind)
}

// dirtyFilter selects documents not yet in the search index. $ne is pushed
// down by FerretDB, and it also matches documents that lack the field.
func dirtyFilter() bson.D {
	return bson.D{{Key: "indexed", Value: bson.D{{Key: "$ne", Value: true}}}}
}

// dirtyDocs reads up to limit dirty documents of a collection, in no
// particular order: without a sort FerretDB can stop at the limit, with one
// it reads and sorts every dirty document first (680 ms against 7 s for 500
// of 5,000 on this machine under load).
func dirtyDocs[D any](ctx context.Context, db *DB, col string, limit int) ([]D, error) {
	if limit <= 0 {
		limit = 100
	}
	return findDocs[D](ctx, db.r.Collection(col), "read dirty "+col, dirtyFilter(),
		options.Find().SetLimit(int64(limit)))
}

// DirtyOfferings returns up to limit offerings not yet in the search index.
func (db *DB) DirtyOfferings(ctx context.Context, limit int) ([]domain.Offering, error) {
	docs, err := dirtyDocs[offeringDoc](ctx, db, colOfferings, limit)
	return mapDocs(docs, offeringDoc.offering), err
}

// DirtyJobs returns up to limit job openings not yet in the search index.
func (db *DB) DirtyJobs(ctx context.Context, limit int) ([]domain.JobOpening, error) {
	docs, err := dirtyDocs[jobDoc](ctx, db, colJobs, limit)
	return mapDocs(docs, jobDoc.job), err
}

// DirtyNeeds returns up to limit needs not yet in the search index.
func (db *DB) DirtyNeeds(ctx context.Context, limit int) ([]domain.Need, error) {
	docs, err := dirtyDocs[needDoc](ctx, db, colNeeds, limit)
	return mapDocs(docs, needDoc.need), err
}

// MarkIndexed records that the search index holds documents ids[i] of kind
// at versions[i]. Each update is guarded by {_id, version}: a document
// changed since it was read keeps its dirty flag: documents are grouped by
// the version they were read at, and each group is one UpdateMany guarded by
// {_id in group, version}. One statement per group, not per document: on
// FerretDB 1.24 the guarded UpdateOne per document measured 50 ms each (500
// in 25 s on this loaded 2-core machine) against 6–9 s for the same 500 as
// one UpdateMany.
func (db *DB) MarkIndexed(ctx context.Context, kind string, ids []string, versions []int64) error {
	col, err := searchable(kind)
	if err != nil {
		return err
	}
	if len(ids) != len(versions) {
		return fmt.Errorf("store: mark indexed: %d ids but %d versions", len(ids), len(versions))
	}
	groups := map[int64][]string{}
	var order []int64
	for i, id := range ids {
		v := versions[i]
		if _, ok := groups[v]; !ok {
			order = append(order, v)
		}
		groups[v] = append(groups[v], id)
	}
	slices.Sort(order)
	c := db.w.Collection(col)
	for _, v := range order {
		_, err := c.UpdateMany(ctx,
			bson.D{{Key: "version", Value: v}, {Key: "indexed", Value: bson.D{{Key: "$ne", Value: true}}},
				{Key: "_id", Value: bson.D{{Key: "$in", Value: groups[v]}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "indexed", Value: true}}}})
		if err != nil {
			return translate("mark "+kind+" indexed", err)
		}
	}
	return nil
}

// each streams every document of a collection to fn, with a cursor (batches
// of eachBatch), stopping at fn's first error.
func each[D, T any](ctx context.Context, db *DB, col string, conv func(D) T, fn func(T) error) error {
	cur, err := db.r.Collection(col).Find(ctx, bson.D{}, options.Find().SetBatchSize(eachBatch))
	if err != nil {
		return translate("scan "+col, err)
	}
	defer func(cur *mongo.Cursor) { _ = cur.Close(context.WithoutCancel(ctx)) }(cur)
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return translate("scan "+col, err)
		}
		if err := fn(conv(d)); err != nil {
			return err
		}
	}
	return translate("scan "+col, cur.Err())
}

// EachOffering calls fn for every offering (a full scan, for reindexing).
func (db *DB) EachOffering(ctx context.Context, fn func(domain.Offering) error) error {
	return each(ctx, db, colOfferings, offeringDoc.offering, fn)
}

// EachJob calls fn for every job opening (a full scan, for reindexing).
func (db *DB) EachJob(ctx context.Context, fn func(domain.JobOpening) error) error {
	return each(ctx, db, colJobs, jobDoc.job, fn)
}

// EachNeed calls fn for every need (a full scan, for reindexing).
func (db *DB) EachNeed(ctx context.Context, fn func(domain.Need) error) error {
	return each(ctx, db, colNeeds, needDoc.need, fn)
}

// CountSearchable returns how many documents of kind there are and how many
// of them are not yet in the search index (the drift check).
func (db *DB) CountSearchable(ctx context.Context, kind string) (total, dirty int64, err error) {
	col, err := searchable(kind)
	if err != nil {
		return 0, 0, err
	}
	c := db.r.Collection(col)
	if total, err = c.CountDocuments(ctx, bson.D{}); err != nil {
		return 0, 0, translate("count "+col, err)
	}
	if dirty, err = c.CountDocuments(ctx, dirtyFilter()); err != nil {
		return 0, 0, translate("count dirty "+col, err)
	}
	return total, dirty, nil
}
