package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// Bulk loading (the demo loader, the importer) and the bulk reads behind it.

const (
	// bulkBatch is how many documents one InsertMany sends.
	bulkBatch = 500
	// inChunk bounds the values of one $in read. FerretDB evaluates $in in
	// Go over the whole collection, so every chunk costs a scan: one per
	// thousand values, never one query per value.
	inChunk = 1000
	// fewIn is how many values are read one equality query each instead:
	// FerretDB pushes equality down to PostgreSQL, so a page's worth of
	// values (a task board's households) costs a few small queries rather
	// than decoding the whole collection in Go.
	fewIn = 64
)

// findDocs decodes every document that matches filter.
func findDocs[D any](ctx context.Context, col *mongo.Collection, op string, filter any, opts ...options.Lister[options.FindOptions]) ([]D, error) {
	cur, err := col.Find(ctx, filter, opts...)
	if err != nil {
		return nil, translate(op, err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(op, err)
	}
	return docs, nil
}

// getOne reads document id of col as a domain value, or ENOTFOUND.
func getOne[D, T any](ctx context.Context, db *DB, col, op, id string, conv func(D) T) (T, error) {
	var d D
	if err := db.r.Collection(col).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		var zero T
		return zero, translate(op, err)
	}
	return conv(d), nil
}

// findIn decodes the documents whose field equals one of values, with one
// read per inChunk distinct values (one equality query each for at most
// fewIn values). Results come in no particular order.
func findIn[D any](ctx context.Context, col *mongo.Collection, op, field string, values []string, opts ...options.Lister[options.FindOptions]) ([]D, error) {
	values = slices.Compact(slices.Sorted(slices.Values(values)))
	var out []D
	if len(values) <= fewIn {
		return findEach[D](ctx, col, op, field, values, opts...)
	}
	for chunk := range slices.Chunk(values, inChunk) {
		docs, err := findDocs[D](ctx, col, op, bson.D{{Key: field, Value: bson.D{{Key: "$in", Value: chunk}}}}, opts...)
		if err != nil {
			return nil, err
		}
		out = append(out, docs...)
	}
	return out, nil
}

// fewInParallel is how many of findEach's queries run at once: each is a
// scan inside PostgreSQL (FerretDB binds the field name as a parameter, so
// no index serves it), and the reader pool has connections to spare.
const fewInParallel = 4

// findEach reads the documents whose field equals each of values, one
// equality query per value, fewInParallel at a time.
func findEach[D any](ctx context.Context, col *mongo.Collection, op, field string, values []string, opts ...options.Lister[options.FindOptions]) ([]D, error) {
	found := make([][]D, len(values))
	errs := make([]error, len(values))
	sem := make(chan struct{}, fewInParallel)
	var wg sync.WaitGroup
	for i, v := range values {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			found[i], errs[i] = findDocs[D](ctx, col, op, bson.D{{Key: field, Value: v}}, opts...)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(found...), nil
}

// readByID reads the documents of col with the given ids in bulk, as domain
// values by id.
func readByID[D, T any](ctx context.Context, db *DB, col, op string, ids []string, id func(D) string, conv func(D) T) (map[string]T, error) {
	docs, err := findIn[D](ctx, db.r.Collection(col), op, "_id", ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]T, len(docs))
	for _, d := range docs {
		out[id(d)] = conv(d)
	}
	return out, nil
}

// withEqual returns a copy of filter with field = value added for each pair
// whose value is not empty.
func withEqual(filter bson.D, pairs ...string) bson.D {
	out := append(bson.D{}, filter...)
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			out = append(out, bson.E{Key: pairs[i], Value: pairs[i+1]})
		}
	}
	return out
}

// listPage returns the page after the cursor of the documents that match any
// of filters, sorted by _id, and the cursor of the next page ("" at the end).
// Each filter is its own query (FerretDB pushes only equality down, never
// $or); their pages are merged in Go. limit defaults to 50, at most 500.
func listPage[D any](ctx context.Context, col *mongo.Collection, op string, filters []bson.D, after string, limit int, id func(D) string) ([]D, string, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var all []D
	for _, f := range filters {
		if after != "" {
			f = append(f[:len(f):len(f)], bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}})
		}
		docs, err := findDocs[D](ctx, col, op, f, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit+1)))
		if err != nil {
			return nil, "", err
		}
		all = append(all, docs...)
	}
	if len(filters) > 1 {
		slices.SortFunc(all, func(a, b D) int { return strings.Compare(id(a), id(b)) })
		all = slices.CompactFunc(all, func(a, b D) bool { return id(a) == id(b) })
	}
	docs, next := page(all, limit, id)
	return docs, next, nil
}

// mapDocs converts documents to domain values.
func mapDocs[D, T any](docs []D, conv func(D) T) []T {
	out := make([]T, len(docs))
	for i, d := range docs {
		out[i] = conv(d)
	}
	return out
}

// insertNew inserts docs in batches of bulkBatch, unordered. A document that
// breaks a unique index (mostly: its _id exists, an earlier run wrote it) is
// left out and its position returned in dups; n counts the documents written.
func insertNew(ctx context.Context, col *mongo.Collection, op string, docs []any) (n int, dups []int, err error) {
	for start := 0; start < len(docs); start += bulkBatch {
		batch := docs[start:min(start+bulkBatch, len(docs))]
		_, err := col.InsertMany(ctx, batch, options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
			err = nil
			for _, we := range bwe.WriteErrors {
				if !mongo.IsDuplicateKeyError(we.WriteError) {
					err = bwe
					break
				}
				dups = append(dups, start+we.Index)
			}
		}
		if err != nil {
			return n, dups, translate(op, err)
		}
		n += len(batch) - len(bwe.WriteErrors)
	}
	return n, dups, nil
}

// fillNew gives a bulk value its defaults: an ID when it has none (written
// back into the caller's slice), version 1 and creation times.
func (db *DB) fillNew(id *string, version *int64, created, updated *time.Time) {
	if *id == "" {
		*id = newID()
	}
	if *version == 0 {
		*version = 1
	}
	if created.IsZero() {
		*created = db.now().UTC()
	}
	if updated.IsZero() {
		*updated = *created
	}
}

// insertValues fills and converts each value and inserts the documents;
// values whose ID exists already are skipped. It returns how many were new.
func insertValues[T any](ctx context.Context, db *DB, col, op string, vs []T, toDoc func(*T) any) (int, []int, error) {
	docs := make([]any, len(vs))
	for i := range vs {
		docs[i] = toDoc(&vs[i])
	}
	if len(docs) == 0 {
		return 0, nil, nil
	}
	return insertNew(ctx, db.w.Collection(col), op, docs)
}

// InsertNeeds stores needs in bulk (state open unless given) and returns how
// many were new; needs whose ID exists already are skipped.
func (db *DB) InsertNeeds(ctx context.Context, ns []domain.Need) (int, error) {
	n, _, err := insertValues(ctx, db, colNeeds, "insert needs", ns, func(x *domain.Need) any {
		db.fillNew(&x.ID, &x.Version, &x.CreatedAt, &x.UpdatedAt)
		if x.State == "" {
			x.State = domain.NeedOpen
		}
		return needToDoc(*x)
	})
	return n, err
}

// InsertJobs stores job openings in bulk and returns how many were new; those
// whose ID exists already are skipped.
func (db *DB) InsertJobs(ctx context.Context, js []domain.JobOpening) (int, error) {
	n, _, err := insertValues(ctx, db, colJobs, "insert jobs", js, func(x *domain.JobOpening) any {
		db.fillNew(&x.ID, &x.Version, &x.CreatedAt, &x.UpdatedAt)
		return jobToDoc(*x)
	})
	return n, err
}

// InsertOfferings stores offerings in bulk and returns how many were new;
// those whose ID exists already are skipped. The providers of radius areas
// are read in one bulk read (see offeringDoc), so insert providers first.
func (db *DB) InsertOfferings(ctx context.Context, os []domain.Offering) (int, error) {
	bases, err := db.providerPlaces(ctx, os)
	if err != nil {
		return 0, err
	}
	n, _, err := insertValues(ctx, db, colOfferings, "insert offerings", os, func(x *domain.Offering) any {
		db.fillNew(&x.ID, &x.Version, &x.CreatedAt, &x.UpdatedAt)
		return offeringToDoc(*x, bases[x.ProviderID])
	})
	return n, err
}

// InsertProviders stores providers in bulk and returns how many were new;
// those whose ID exists already are skipped. The others are written even
// when some fail: a credit code already registered to another provider is an
// ECONFLICT naming "[i].credit_code" for each such position i.
func (db *DB) InsertProviders(ctx context.Context, ps []domain.Provider) (int, error) {
	n, dups, err := insertValues(ctx, db, colProviders, "insert providers", ps, func(x *domain.Provider) any {
		db.fillNew(&x.ID, &x.Version, &x.CreatedAt, &x.UpdatedAt)
		return providerToDoc(*x)
	})
	if err != nil || len(dups) == 0 {
		return n, err
	}
	// FerretDB does not say which index a duplicate broke: the positions
	// whose ID is not stored broke the credit code.
	ids := make([]string, len(dups))
	for k, i := range dups {
		ids[k] = ps[i].ID
	}
	stored, err := db.storedIDs(ctx, colProviders, ids)
	if err != nil {
		return n, err
	}
	var taken []string
	for _, i := range dups {
		if !stored[ps[i].ID] {
			taken = append(taken, fmt.Sprintf("[%d].credit_code", i))
		}
	}
	if len(taken) == 0 {
		return n, nil
	}
	return n, fmt.Errorf("store: insert providers: %w", creditCodeTaken(taken...))
}

// storedIDs reports which of ids exist in collection col, in bulk.
func (db *DB) storedIDs(ctx context.Context, col string, ids []string) (map[string]bool, error) {
	type idOnly struct {
		ID string `bson:"_id"`
	}
	docs, err := findIn[idOnly](ctx, db.w.Collection(col), "read ids of "+col, "_id", ids,
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	out := make(map[string]bool, len(docs))
	for _, d := range docs {
		out[d.ID] = true
	}
	return out, err
}

// CountHouseholds returns how many household files there are (the demo
// loader's "already loaded?").
func (db *DB) CountHouseholds(ctx context.Context) (int64, error) {
	n, err := db.r.Collection(colHouseholds).CountDocuments(ctx, bson.D{})
	return n, translate("count households", err)
}

// MemberConflict is one member of a household batch whose ID number belongs
// to another file.
type MemberConflict struct {
	// Index is the household's position in the batch, MemberIndex the
	// member's position in that household.
	Index       int
	MemberIndex int
	// HouseholdID and Place name the file that holds the number: a stored
	// file, or the batch's household at OtherIndex (-1 for a stored file).
	HouseholdID string
	Place       string
	OtherIndex  int
}

// BulkDuplicateError lists the members of a household batch whose ID numbers
// already belong to other files, stored or earlier in the batch. Nothing of
// the batch was written; the caller may drop those households and try again.
type BulkDuplicateError struct {
	Conflicts []MemberConflict
}

func (e *BulkDuplicateError) Error() string {
	parts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		if c.OtherIndex >= 0 {
			parts[i] = fmt.Sprintf("household %d member %d: ID number also in household %d of the batch", c.Index, c.MemberIndex, c.OtherIndex)
		} else {
			parts[i] = fmt.Sprintf("household %d member %d: ID number already belongs to household %s", c.Index, c.MemberIndex, c.HouseholdID)
		}
	}
	return "store: insert households: " + strings.Join(parts, "; ")
}

// Unwrap makes the error an ECONFLICT naming "[i].members[j].id_number" for
// each conflict; like DuplicateMemberError it does not name the other file.
func (e *BulkDuplicateError) Unwrap() error {
	de := &domain.Error{Code: domain.ECONFLICT, Message: "身份证号已在其他户档案中 / ID numbers already in other household files"}
	for _, c := range e.Conflicts {
		de.Fields = append(de.Fields, domain.FieldError{Field: fmt.Sprintf("[%d].members[%d].id_number", c.Index, c.MemberIndex),
			Rule: "unique", Message: "该身份证号已在另一户档案中"})
	}
	return de
}

// idOwner is the id_index entry of an ID number and the place of its file.
// Orphan marks an entry whose file does not hold the number: a crash between
// claiming it and writing (or releasing from) the file.
type idOwner struct {
	HouseholdID string
	MemberID    string
	Place       string
	Orphan      bool
}

// idOwners reads the id_index entries of hashes, then their files' places
// and hashes, in bulk.
func (db *DB) idOwners(ctx context.Context, hashes []string) (map[string]idOwner, error) {
	entries, err := findIn[idIndexDoc](ctx, db.r.Collection(colIDIndex), "read id index", "_id", hashes)
	out := make(map[string]idOwner, len(entries))
	if err != nil || len(entries) == 0 {
		return out, err
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.HouseholdID
	}
	type owner struct {
		ID    string      `bson:"_id"`
		Place string      `bson:"place"`
		PII   []memberPII `bson:"pii"`
	}
	files, err := findIn[owner](ctx, db.r.Collection(colHouseholds), "read id owners", "_id", ids,
		options.Find().SetProjection(bson.D{{Key: "place", Value: 1}, {Key: "pii.hash", Value: 1}}))
	if err != nil {
		return nil, err
	}
	byID := make(map[string]owner, len(files))
	for _, f := range files {
		byID[f.ID] = f
	}
	for _, e := range entries {
		f, ok := byID[e.HouseholdID]
		out[e.Hash] = idOwner{HouseholdID: e.HouseholdID, MemberID: e.MemberID, Place: f.Place, Orphan: !ok || !hasHash(f.PII, e.Hash)}
	}
	return out, nil
}

// HouseholdsByID returns the household files with the given ids (members'
// ID numbers masked, as Household), by id, in one bulk read; ids not found
// are absent from the map.
func (db *DB) HouseholdsByID(ctx context.Context, ids []string) (map[string]domain.Household, error) {
	return readByID(ctx, db, colHouseholds, "households by id", ids, func(d householdDoc) string { return d.ID }, householdDoc.household)
}

// MemberHouseholds returns, for each ID number that belongs to a household
// file, the file's ID (keyed by the number as passed in). Numbers are looked
// up by their keyed hash in bulk, not one query per number.
func (db *DB) MemberHouseholds(ctx context.Context, idNumbers []string) (map[string]string, error) {
	if err := db.requirePII(); err != nil {
		return nil, err
	}
	asked := make(map[string][]string, len(idNumbers))
	hashes := make([]string, 0, len(idNumbers))
	for _, n := range idNumbers {
		if norm := domain.NormalizeIDNumber(n); norm != "" {
			h := db.pii.Hash(norm)
			asked[h] = append(asked[h], n)
			hashes = append(hashes, h)
		}
	}
	owners, err := db.idOwners(ctx, hashes)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(owners))
	for h, o := range owners {
		for _, n := range asked[h] {
			if !o.Orphan {
				out[n] = o.HouseholdID
			}
		}
	}
	return out, nil
}

// InsertHouseholds stores household files in bulk and returns how many were
// new; files whose ID exists already are skipped. ID numbers are sealed as by
// CreateHousehold (encrypted, masked, keyed hash) and claimed in the id_index
// in bulk. If any member's number belongs to another file (stored, or an
// earlier household of the batch) nothing is written and the error is a
// *BulkDuplicateError (ECONFLICT) naming each household and member.
//
// IDs, versions and times are filled in the caller's slice at once; the
// sealed members (plain numbers cleared) replace the caller's only when the
// call succeeds, so a batch refused for duplicates can be retried without
// the households at fault. A crash between claiming numbers and writing the
// files leaves id_index entries that a retry with the same IDs keeps and any
// other file takes over (see claimIDs).
func (db *DB) InsertHouseholds(ctx context.Context, hs []domain.Household) (int, error) {
	if err := db.requirePII(); err != nil {
		return 0, err
	}
	sealed := make([]domain.Household, len(hs))
	pii := make([][]memberPII, len(hs))
	var hashes []string
	for i := range hs {
		db.fillNew(&hs[i].ID, &hs[i].Version, &hs[i].CreatedAt, &hs[i].UpdatedAt)
		h := hs[i]
		h.Members = slices.Clone(h.Members)
		p, err := db.sealMembers(&h)
		if err != nil {
			return 0, err
		}
		sealed[i], pii[i] = h, p
		for _, x := range p {
			hashes = append(hashes, x.Hash)
		}
	}
	owners, err := db.idOwners(ctx, hashes)
	if err != nil {
		return 0, err
	}
	fresh, orphans, err := planClaims(sealed, pii, owners)
	if err != nil {
		return 0, err
	}
	if err := db.claimBulk(ctx, fresh, orphans); err != nil {
		return 0, err
	}
	docs := make([]any, len(sealed))
	for i, h := range sealed {
		docs[i] = db.householdToDoc(h, pii[i])
	}
	n, _, err := insertNew(ctx, db.w.Collection(colHouseholds), "insert households", docs)
	if err == nil {
		copy(hs, sealed)
	}
	return n, err
}

// takeover is an orphaned id_index entry to point at a new file, guarded by
// the file it pointed at.
type takeover struct {
	entry idIndexDoc
	from  string
}

// planClaims sorts the batch's numbers into entries to insert, orphaned
// entries to take over, and conflicts. An entry that already points at its
// own household (a re-run of the batch) needs nothing.
func planClaims(hs []domain.Household, pii [][]memberPII, owners map[string]idOwner) ([]idIndexDoc, []takeover, error) {
	var fresh []idIndexDoc
	var orphans []takeover
	var conflicts []MemberConflict
	first := map[string]int{}
	for i, h := range hs {
		for _, p := range pii[i] {
			entry := idIndexDoc{Hash: p.Hash, HouseholdID: h.ID, MemberID: p.MemberID}
			c := MemberConflict{Index: i, OtherIndex: -1,
				MemberIndex: slices.IndexFunc(h.Members, func(m domain.Member) bool { return m.ID == p.MemberID })}
			o, held := owners[p.Hash]
			j, seen := first[p.Hash]
			switch {
			case seen:
				c.OtherIndex, c.HouseholdID, c.Place = j, hs[j].ID, hs[j].Place
				conflicts = append(conflicts, c)
			case held && o.HouseholdID == h.ID:
			case held && !o.Orphan:
				c.HouseholdID, c.Place = o.HouseholdID, o.Place
				conflicts = append(conflicts, c)
			case held:
				orphans = append(orphans, takeover{entry: entry, from: o.HouseholdID})
			default:
				fresh = append(fresh, entry)
			}
			if !seen {
				first[p.Hash] = i
			}
		}
	}
	if len(conflicts) > 0 {
		return nil, nil, &BulkDuplicateError{Conflicts: conflicts}
	}
	return fresh, orphans, nil
}

// claimBulk inserts the fresh id_index entries in bulk and takes over the
// orphans one by one (rare: only after a crash). If a number was claimed
// concurrently since it was read, everything claimed here is released and
// the batch fails with ECONFLICT.
func (db *DB) claimBulk(ctx context.Context, fresh []idIndexDoc, orphans []takeover) error {
	col := db.w.Collection(colIDIndex)
	var claimed []idIndexDoc
	release := func(err error) error {
		for _, e := range claimed {
			db.releaseIDs(ctx, e.HouseholdID, []string{e.Hash})
		}
		if err == nil {
			err = domain.Errorf(domain.ECONFLICT, "身份证号正被另一操作登记，请重试 / ID numbers are being registered concurrently; try again")
		}
		return err
	}
	if len(fresh) > 0 {
		docs := make([]any, len(fresh))
		for i, e := range fresh {
			docs[i] = e
		}
		_, dups, err := insertNew(ctx, col, "claim ids", docs)
		for i, e := range fresh {
			if !slices.Contains(dups, i) {
				claimed = append(claimed, e)
			}
		}
		if err != nil || len(dups) > 0 {
			return release(err)
		}
	}
	for _, t := range orphans {
		res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: t.entry.Hash}, {Key: "household_id", Value: t.from}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "household_id", Value: t.entry.HouseholdID}, {Key: "member_id", Value: t.entry.MemberID}}}})
		if err != nil || res.MatchedCount == 0 {
			return release(translate("take over id", err))
		}
		claimed = append(claimed, t.entry)
	}
	return nil
}
