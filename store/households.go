package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

const (
	colHouseholds = "households"
	// colIDIndex maps the keyed hash of an ID number to the household that
	// holds it. Its _id is the hash, so the unique _id index makes "one
	// person, one household file" atomic without transactions.
	colIDIndex = "id_index"
)

// householdDoc stores the file (with every member's plain ID number removed)
// beside the fields that filters need at the top level.
type householdDoc struct {
	ID        string        `bson:"_id"`
	Place     string        `bson:"place"`
	District  string        `bson:"district"`
	Street    string        `bson:"street"`
	Community string        `bson:"community"`
	Statuses  []string      `bson:"statuses"`
	Version   int64         `bson:"version"`
	PII       []memberPII   `bson:"pii"`
	File      householdFile `bson:"file"`
	CreatedAt time.Time     `bson:"created_at"`
	UpdatedAt time.Time     `bson:"updated_at"`
	// SignalBatches are the signal batches whose facts this file took in
	// (ApplySignalFacts, signal_facts.go): an update keeps them.
	SignalBatches []string `bson:"signal_batches,omitempty"`
}

// memberPII is one member's encrypted ID number and its keyed hash.
type memberPII struct {
	MemberID string `bson:"member_id"`
	Enc      string `bson:"enc"`
	Hash     string `bson:"hash"`
}

type idIndexDoc struct {
	Hash        string `bson:"_id"`
	HouseholdID string `bson:"household_id"`
	MemberID    string `bson:"member_id"`
}

// DuplicateMemberError says that a member's ID number already belongs to
// another household file. The handler decides whether the caller may be
// told which one (only if that file is in their scope).
type DuplicateMemberError struct {
	// MemberIndex is the position of the member in the submitted file.
	MemberIndex int
	HouseholdID string
	Place       string
}

func (e *DuplicateMemberError) Error() string {
	return fmt.Sprintf("member %d already belongs to household %s", e.MemberIndex, e.HouseholdID)
}

// Unwrap makes the error an ECONFLICT naming the field, for ErrorCode and
// the error response; it does not name the other file.
func (e *DuplicateMemberError) Unwrap() error {
	return &domain.Error{Code: domain.ECONFLICT, Message: "该身份证号已在另一户档案中 / this ID number is already in another household file",
		Fields: []domain.FieldError{{Field: fmt.Sprintf("members[%d].id_number", e.MemberIndex), Rule: "unique", Message: "该身份证号已在另一户档案中"}}}
}

// CreateHousehold stores a new file. Members' plain ID numbers are encrypted
// and replaced by their masked form and keyed hash; a number that already
// belongs to another file is a *DuplicateMemberError (ECONFLICT).
func (db *DB) CreateHousehold(ctx context.Context, h *domain.Household) error {
	if err := db.requirePII(); err != nil {
		return err
	}
	now := db.now().UTC()
	h.ID, h.Version, h.CreatedAt, h.UpdatedAt = newID(), 1, now, now
	pii, err := db.sealMembers(h)
	if err != nil {
		return err
	}
	claimed, err := db.claimIDs(ctx, h.ID, pii)
	if err != nil {
		return withMemberIndex(err, h.Members)
	}
	if _, err := db.w.Collection(colHouseholds).InsertOne(ctx, db.householdToDoc(*h, pii)); err != nil {
		db.releaseIDs(ctx, h.ID, claimed)
		return translate("create household", err)
	}
	return nil
}

// requirePII fails when the store was opened without PII keys: household
// files cannot be written or searched by ID number without them.
func (db *DB) requirePII() error {
	if db.pii == nil {
		return errors.New("store: no PII keys configured (Options.PII)")
	}
	return nil
}

// sealMembers encrypts each member's ID number and clears the plain value.
func (db *DB) sealMembers(h *domain.Household) ([]memberPII, error) {
	var out []memberPII
	for i := range h.Members {
		m := &h.Members[i]
		if m.IDNumber == "" {
			continue
		}
		m.FillFromIDNumber()
		enc, err := db.pii.Encrypt(m.IDNumber)
		if err != nil {
			return nil, err
		}
		m.IDHash = db.pii.Hash(m.IDNumber)
		out = append(out, memberPII{MemberID: m.ID, Enc: enc, Hash: m.IDHash})
		m.IDNumber = ""
	}
	return out, nil
}

// claimIDs inserts one id_index entry per member. An entry left by a crash
// (its household was never written) is taken over; an entry of a live file
// is a duplicate. On any failure the entries claimed so far are released.
func (db *DB) claimIDs(ctx context.Context, householdID string, pii []memberPII) ([]string, error) {
	col := db.w.Collection(colIDIndex)
	var claimed []string
	for _, p := range pii {
		_, err := col.InsertOne(ctx, idIndexDoc{Hash: p.Hash, HouseholdID: householdID, MemberID: p.MemberID})
		if err == nil {
			claimed = append(claimed, p.Hash)
			continue
		}
		if domain.ErrorCode(translate("", err)) != domain.ECONFLICT {
			db.releaseIDs(ctx, householdID, claimed)
			return nil, translate("claim id", err)
		}
		var owner idIndexDoc
		if err := db.w.Collection(colIDIndex).FindOne(ctx, bson.D{{Key: "_id", Value: p.Hash}}).Decode(&owner); err != nil {
			db.releaseIDs(ctx, householdID, claimed)
			return nil, translate("read id owner", err)
		}
		var hd householdDoc
		err = db.w.Collection(colHouseholds).FindOne(ctx, bson.D{{Key: "_id", Value: owner.HouseholdID}}).Decode(&hd)
		if err == nil && hd.hasHash(p.Hash) {
			db.releaseIDs(ctx, householdID, claimed)
			return nil, &duplicateID{memberID: p.MemberID, householdID: hd.ID, place: hd.Place}
		}
		if err != nil && domain.ErrorCode(translate("", err)) != domain.ENOTFOUND {
			db.releaseIDs(ctx, householdID, claimed)
			return nil, translate("read id owner household", err)
		}
		// Orphan: take it over, guarded by the owner we saw.
		res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: p.Hash}, {Key: "household_id", Value: owner.HouseholdID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "household_id", Value: householdID}, {Key: "member_id", Value: p.MemberID}}}})
		if err != nil || res.MatchedCount == 0 {
			db.releaseIDs(ctx, householdID, claimed)
			if err == nil {
				err = domain.Errorf(domain.ECONFLICT, "该身份证号正被另一操作登记 / being registered concurrently")
			}
			return nil, translate("take over id", err)
		}
		claimed = append(claimed, p.Hash)
	}
	return claimed, nil
}

// duplicateID is claimIDs' finding, turned into a DuplicateMemberError by
// the caller, who knows the members' positions.
type duplicateID struct{ memberID, householdID, place string }

func (d *duplicateID) Error() string { return "duplicate id of member " + d.memberID }

func withMemberIndex(err error, members []domain.Member) error {
	var d *duplicateID
	if !errors.As(err, &d) {
		return err
	}
	for i, m := range members {
		if m.ID == d.memberID {
			return &DuplicateMemberError{MemberIndex: i, HouseholdID: d.householdID, Place: d.place}
		}
	}
	return &DuplicateMemberError{MemberIndex: -1, HouseholdID: d.householdID, Place: d.place}
}

func (db *DB) releaseIDs(ctx context.Context, householdID string, hashes []string) {
	for _, h := range hashes {
		// Guarded: never release an entry someone else took over.
		_, _ = db.w.Collection(colIDIndex).DeleteOne(ctx, bson.D{{Key: "_id", Value: h}, {Key: "household_id", Value: householdID}})
	}
}

func (d householdDoc) hasHash(hash string) bool { return hasHash(d.PII, hash) }

func (db *DB) householdToDoc(h domain.Household, pii []memberPII) householdDoc {
	s := scopeOf(h.Place)
	statuses := make([]string, 0, len(h.Assistance))
	for _, a := range h.Assistance {
		statuses = append(statuses, string(a.Kind))
	}
	for i := range h.Members {
		h.Members[i].IDNumber = ""
	}
	return householdDoc{ID: h.ID, Place: h.Place, District: s.District, Street: s.Street, Community: s.Community,
		Statuses: statuses, Version: h.Version, PII: pii, File: householdFile{h}, CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt}
}

func (d householdDoc) household() domain.Household {
	h := d.File.Household
	h.ID, h.Place, h.Version, h.CreatedAt, h.UpdatedAt = d.ID, d.Place, d.Version, d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return h
}

// Household returns a file with members' ID numbers masked, or ENOTFOUND.
func (db *DB) Household(ctx context.Context, id string) (domain.Household, error) {
	var d householdDoc
	if err := db.r.Collection(colHouseholds).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return domain.Household{}, translate("get household", err)
	}
	return d.household(), nil
}

// RevealIDNumber decrypts one member's ID number (the caller audits it).
func (db *DB) RevealIDNumber(ctx context.Context, householdID, memberID string) (string, error) {
	if err := db.requirePII(); err != nil {
		return "", err
	}
	var d householdDoc
	if err := db.r.Collection(colHouseholds).FindOne(ctx, bson.D{{Key: "_id", Value: householdID}}).Decode(&d); err != nil {
		return "", translate("reveal id", err)
	}
	for _, p := range d.PII {
		if p.MemberID == memberID {
			return db.pii.Decrypt(p.Enc)
		}
	}
	return "", domain.Errorf(domain.ENOTFOUND, "该成员没有登记身份证号 / no ID number recorded")
}

// HouseholdByIDNumber finds the file a person belongs to, through the keyed
// hash (never a scan of decrypted numbers).
func (db *DB) HouseholdByIDNumber(ctx context.Context, idNumber string) (domain.Household, error) {
	if err := db.requirePII(); err != nil {
		return domain.Household{}, err
	}
	var entry idIndexDoc
	err := db.r.Collection(colIDIndex).FindOne(ctx, bson.D{{Key: "_id", Value: db.pii.Hash(domain.NormalizeIDNumber(idNumber))}}).Decode(&entry)
	if err != nil {
		return domain.Household{}, translate("household by id number", err)
	}
	return db.Household(ctx, entry.HouseholdID)
}

// HouseholdFilter selects files for ListHouseholds.
type HouseholdFilter struct {
	Within string // place scope ("" = all)
	Status domain.AssistanceKind
	After  string // cursor: the last id of the previous page
	Limit  int
}

// ListHouseholds returns a page of files sorted by id and the cursor of the
// next page ("" at the end).
func (db *DB) ListHouseholds(ctx context.Context, f HouseholdFilter) ([]domain.Household, string, error) {
	filter := withEqual(scopeFilter(f.Within), "statuses", string(f.Status))
	docs, next, err := listPage(ctx, db.r.Collection(colHouseholds), "list households", []bson.D{filter}, f.After, f.Limit,
		func(d householdDoc) string { return d.ID })
	return mapDocs(docs, householdDoc.household), next, err
}

// UpdateHousehold replaces a file if it is still at expectedVersion (else
// ECONFLICT, nothing written) and bumps the version. New ID numbers are
// claimed first; numbers no longer present are released afterwards. When the
// place changed (a move), the household's needs follow it and are marked for
// re-indexing.
func (db *DB) UpdateHousehold(ctx context.Context, h *domain.Household, expectedVersion int64) error {
	if err := db.requirePII(); err != nil {
		return err
	}
	var old householdDoc
	if err := db.r.Collection(colHouseholds).FindOne(ctx, bson.D{{Key: "_id", Value: h.ID}}).Decode(&old); err != nil {
		return translate("update household", err)
	}
	if old.Version != expectedVersion {
		return domain.Errorf(domain.ECONFLICT, "档案已被他人修改，请刷新后重试 / the file changed since you read it")
	}
	fresh, err := db.sealMembers(h)
	if err != nil {
		return err
	}
	pii := keepPII(old.PII, h.Members, fresh)
	var newOnes []memberPII
	for _, p := range fresh {
		if !old.hasHash(p.Hash) {
			newOnes = append(newOnes, p)
		}
	}
	claimed, err := db.claimIDs(ctx, h.ID, newOnes)
	if err != nil {
		return withMemberIndex(err, h.Members)
	}
	h.Version, h.CreatedAt, h.UpdatedAt = expectedVersion+1, old.CreatedAt.UTC(), db.now().UTC()
	doc := db.householdToDoc(*h, pii)
	doc.SignalBatches = old.SignalBatches
	res, err := db.w.Collection(colHouseholds).ReplaceOne(ctx, bson.D{{Key: "_id", Value: h.ID}, {Key: "version", Value: expectedVersion}}, doc)
	if err != nil || res.MatchedCount == 0 {
		db.releaseIDs(ctx, h.ID, claimed)
		if err == nil {
			return domain.Errorf(domain.ECONFLICT, "档案已被他人修改，请刷新后重试 / the file changed since you read it")
		}
		return translate("update household", err)
	}
	var gone []string
	for _, p := range old.PII {
		if !hasHash(pii, p.Hash) {
			gone = append(gone, p.Hash)
		}
	}
	db.releaseIDs(ctx, h.ID, gone)
	// A move changes the needs' place too; see followHousehold.
	return db.followHousehold(ctx, h.ID, h.Place)
}

// keepPII keeps the stored entries of members still present whose number was
// not re-entered, and adds the freshly sealed ones.
func keepPII(old []memberPII, members []domain.Member, fresh []memberPII) []memberPII {
	present := map[string]bool{}
	for _, m := range members {
		present[m.ID] = true
	}
	out := append([]memberPII(nil), fresh...)
	for _, p := range old {
		if present[p.MemberID] && !hasMember(fresh, p.MemberID) {
			out = append(out, p)
		}
	}
	for i := range members {
		for _, p := range out {
			if p.MemberID == members[i].ID {
				members[i].IDHash = p.Hash
			}
		}
	}
	return out
}

func hasHash(list []memberPII, hash string) bool {
	return slices.ContainsFunc(list, func(p memberPII) bool { return p.Hash == hash })
}

func hasMember(list []memberPII, memberID string) bool {
	return slices.ContainsFunc(list, func(p memberPII) bool { return p.MemberID == memberID })
}
