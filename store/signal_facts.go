package store

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// The household side of the signal intake: reading the files a batch of
// signals is about, and writing the facts the signals changed, with the
// batch recorded in the same update (the marker that makes re-evaluating a
// batch after a crash a no-op for a file that took it in already).

// maxSignalBatches bounds the batches a file remembers: only a batch still
// pending after a crash is ever looked up, and that is a recent one.
const maxSignalBatches = 20

// pointReads is the size of a set up to which FerretDB reads each document
// by an equality filter rather than the whole collection. FerretDB pushes
// only equality down to PostgreSQL; a $in it evaluates in Go, after reading
// and decoding every document of the collection, which is what a plain scan
// costs too (1,000 IDs against 7,200 household files took over a minute on
// this busy machine, a full read of 3,600 files half a minute), while an
// equality read costs PostgreSQL one pass over the table and FerretDB one
// document (a third of a second at 3,600 files).
const pointReads = 50

// findSet reads the documents of col whose key (the field's value) is one of
// values: on MongoDB a $in per thousand values, answered from an index; on
// FerretDB one equality read per value for a few values, else one read of
// the whole collection kept to the set in Go.
func findSet[D any](ctx context.Context, db *DB, col, op, field string, values []string, key func(D) string,
	opts ...options.Lister[options.FindOptions]) ([]D, error) {
	switch {
	case !db.ferretDB:
		return findIn[D](ctx, db.r.Collection(col), op, field, values, opts...)
	case len(values) <= pointReads:
		var out []D
		for _, v := range slices.Compact(slices.Sorted(slices.Values(values))) {
			docs, err := findDocs[D](ctx, db.r.Collection(col), op, bson.D{{Key: field, Value: v}}, opts...)
			if err != nil {
				return nil, err
			}
			out = append(out, docs...)
		}
		return out, nil
	}
	want := make(map[string]bool, len(values))
	for _, v := range values {
		want[v] = true
	}
	cur, err := db.r.Collection(col).Find(ctx, bson.D{}, opts...)
	if err != nil {
		return nil, translate(op, err)
	}
	defer cur.Close(ctx)
	var out []D
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return nil, translate(op, err)
		}
		if want[key(d)] {
			out = append(out, d)
		}
	}
	return out, translate(op, cur.Err())
}

// SignalHousehold is a household file with the signal batches it took in.
type SignalHousehold struct {
	domain.Household
	Batches []string
}

// Applied reports whether the file took in the batch's facts.
func (h SignalHousehold) Applied(batch string) bool { return slices.Contains(h.Batches, batch) }

// SignalHouseholds reads files in bulk (members' ID numbers masked) with the
// batches each took in; ids not found are absent.
func (db *DB) SignalHouseholds(ctx context.Context, ids []string) (map[string]SignalHousehold, error) {
	docs, err := findSet(ctx, db, colHouseholds, "signal households", "_id", ids, func(d householdDoc) string { return d.ID })
	out := make(map[string]SignalHousehold, len(docs))
	for _, d := range docs {
		out[d.ID] = SignalHousehold{Household: d.household(), Batches: d.SignalBatches}
	}
	return out, err
}

// SignalMatch is what MatchSignals found.
type SignalMatch struct {
	// Owners are the members holding the hashes, by hash.
	Owners map[string]SignalOwner
	// Files are those members' household files, by ID, with the signal
	// batches each took in: the intake evaluates them without reading them
	// again (on FerretDB a read of the files is a pass over all of them).
	Files map[string]SignalHousehold
}

// MatchSignals maps keyed ID hashes to the members holding them and reads
// their files, in bulk (see findSet): one read of the ID index, one of the
// files. Hashes of nobody's number, or of an ID-index entry a crash left
// behind (its file does not hold the number), are absent.
func (db *DB) MatchSignals(ctx context.Context, hashes []string) (SignalMatch, error) {
	out := SignalMatch{Owners: map[string]SignalOwner{}, Files: map[string]SignalHousehold{}}
	entries, err := findSet(ctx, db, colIDIndex, "match signals", "_id", hashes, func(d idIndexDoc) string { return d.Hash })
	if err != nil || len(entries) == 0 {
		return out, err
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.HouseholdID
	}
	docs, err := findSet(ctx, db, colHouseholds, "match signal files", "_id", ids, func(d householdDoc) string { return d.ID })
	if err != nil {
		return out, err
	}
	byID := make(map[string]householdDoc, len(docs))
	for _, d := range docs {
		byID[d.ID] = d
	}
	for _, e := range entries {
		d, ok := byID[e.HouseholdID]
		if !ok || !d.hasHash(e.Hash) {
			continue
		}
		out.Owners[e.Hash] = SignalOwner{HouseholdID: e.HouseholdID, MemberID: e.MemberID, Place: d.Place}
		if _, done := out.Files[d.ID]; !done {
			out.Files[d.ID] = SignalHousehold{Household: d.household(), Batches: d.SignalBatches}
		}
	}
	return out, nil
}

// ApplySignalFacts writes the facts a batch of signals changed into a file
// and records the batch, in one update guarded by the version the caller
// read (h.Version): ECONFLICT when the file changed since (nothing written),
// ENOTFOUND when it is gone. Only the file's facts change: its place,
// statuses and ID numbers are the file's own endpoints' business. On success
// h carries the new version and time.
func (db *DB) ApplySignalFacts(ctx context.Context, h *domain.Household, batches []string, batch string) error {
	expected := h.Version
	next := *h
	next.Members = slices.Clone(h.Members)
	for i := range next.Members {
		next.Members[i].IDNumber = ""
	}
	next.Version, next.UpdatedAt = expected+1, db.now().UTC()
	list := append(slices.Clone(batches), batch)
	list = list[max(0, len(list)-maxSignalBatches):]
	res, err := db.w.Collection(colHouseholds).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: h.ID}, {Key: "version", Value: expected}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "file", Value: householdFile{next}}, {Key: "version", Value: next.Version},
			{Key: "updated_at", Value: next.UpdatedAt}, {Key: "signal_batches", Value: list}}}})
	if err != nil {
		return translate("apply signal facts", err)
	}
	if res.MatchedCount == 0 {
		return db.missingOr(ctx, colHouseholds, "apply signal facts", h.ID,
			domain.Errorf(domain.ECONFLICT, "档案已被他人修改 / the file changed since it was read"))
	}
	h.Version, h.UpdatedAt = next.Version, next.UpdatedAt
	return nil
}
