package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// Data signals (数据信号) from other departments: stored sealed (the keyed
// hash and a masked number, never the plain ID number), one document per
// signal under its idempotency key (domain.Signal.Key), so the same signal
// sent twice is one signal.

const colSignals = "signals"

// SignalState says whether a stored signal was matched to a household.
type SignalState string

// Signal states. An unmatched signal waits for a coordinator to resolve it;
// whether a matched one was evaluated is its batch's state (SignalBatch).
const (
	SignalUnmatched SignalState = "unmatched"
	SignalMatched   SignalState = "matched"
)

// Valid reports whether s is a known state.
func (s SignalState) Valid() bool { return s == SignalUnmatched || s == SignalMatched }

// SignalRecord is a stored signal with its place in the intake.
type SignalRecord struct {
	domain.Signal
	State SignalState
	// Batch names the intake run that stored (or resolved) the signal
	// (SignalBatch); its household records the batches it took in
	// (ApplySignalFacts).
	Batch string
	// Place is the household's place once matched, else IntakePlace: the
	// place of the coordinator who took the signal in (a district), whose
	// coordinators resolve it.
	Place       string
	IntakePlace string
	StoredBy    string
	StoredAt    time.Time
	ResolvedBy  string
	ResolvedAt  time.Time
	Version     int64
}

type signalDoc struct {
	ID               string             `bson:"_id"`
	Kind             string             `bson:"kind"`
	AmountFen        domain.Fen         `bson:"amount_fen"`
	Disability       *domain.Disability `bson:"disability,omitempty"`
	Date             time.Time          `bson:"date"`
	SourceDepartment string             `bson:"source_department"`
	IDMasked         string             `bson:"id_masked"`
	IDHash           string             `bson:"id_hash"`
	Name             string             `bson:"name"`
	HouseholdID      string             `bson:"household_id"`
	MemberID         string             `bson:"member_id"`
	ReceivedAt       time.Time          `bson:"received_at"`
	ExternalRef      string             `bson:"external_ref"`
	State            string             `bson:"state"`
	Batch            string             `bson:"batch"`
	IntakePlace      string             `bson:"intake_place"`
	Place            string             `bson:"place"`
	District         string             `bson:"district"`
	Street           string             `bson:"street"`
	Community        string             `bson:"community"`
	StoredBy         string             `bson:"stored_by"`
	StoredAt         time.Time          `bson:"stored_at"`
	ResolvedBy       string             `bson:"resolved_by"`
	ResolvedAt       time.Time          `bson:"resolved_at"`
	Version          int64              `bson:"version"`
}

func signalToDoc(r SignalRecord) signalDoc {
	s := scopeOf(r.Place)
	return signalDoc{ID: r.ID, Kind: string(r.Kind), AmountFen: r.AmountFen, Disability: r.Disability, Date: r.Date.UTC(),
		SourceDepartment: string(r.SourceDepartment), IDMasked: r.IDMasked, IDHash: r.IDHash, Name: r.Name,
		HouseholdID: r.HouseholdID, MemberID: r.MemberID, ReceivedAt: r.ReceivedAt.UTC(), ExternalRef: r.ExternalRef,
		State: string(r.State), Batch: r.Batch, IntakePlace: r.IntakePlace, Place: r.Place, District: s.District,
		Street: s.Street, Community: s.Community, StoredBy: r.StoredBy, StoredAt: r.StoredAt.UTC(),
		ResolvedBy: r.ResolvedBy, ResolvedAt: r.ResolvedAt.UTC(), Version: r.Version}
}

func (d signalDoc) record() SignalRecord {
	return SignalRecord{Signal: domain.Signal{ID: d.ID, Kind: domain.SignalKind(d.Kind), AmountFen: d.AmountFen,
		Disability: d.Disability, Date: d.Date.UTC(), SourceDepartment: domain.Department(d.SourceDepartment),
		IDMasked: d.IDMasked, IDHash: d.IDHash, Name: d.Name, HouseholdID: d.HouseholdID, MemberID: d.MemberID,
		ReceivedAt: d.ReceivedAt.UTC(), ExternalRef: d.ExternalRef},
		State: SignalState(d.State), Batch: d.Batch, Place: d.Place, IntakePlace: d.IntakePlace, StoredBy: d.StoredBy,
		StoredAt: d.StoredAt.UTC(), ResolvedBy: d.ResolvedBy, ResolvedAt: d.ResolvedAt.UTC(), Version: d.Version}
}

func signalID(d signalDoc) string { return d.ID }

// SealSignal replaces a signal's plain ID number by its keyed hash and
// masked form (domain.Signal.Seal) and sets its ID to its idempotency key.
// The number must be valid (the caller validated the signal).
func (db *DB) SealSignal(s *domain.Signal) error {
	if err := db.requirePII(); err != nil {
		return err
	}
	if s.IDNumber != "" {
		s.Seal(db.pii.Hash(domain.NormalizeIDNumber(s.IDNumber)))
	}
	key, err := s.Key()
	s.ID = key
	return err
}

// SignalOwner is the household member an ID number belongs to
// (MatchSignals).
type SignalOwner struct {
	HouseholdID string
	MemberID    string
	Place       string
}

// InsertSignals stores sealed signals in bulk (IDs are their keys). A signal
// whose ID is stored already is left as it is and its position returned in
// dups: the same signal twice is one signal. A signal carrying a plain ID
// number is refused (EINVALID) before anything is written.
func (db *DB) InsertSignals(ctx context.Context, rs []SignalRecord) (n int, dups []int, err error) {
	now := db.now().UTC()
	docs := make([]any, len(rs))
	for i := range rs {
		r := &rs[i]
		if r.IDNumber != "" || r.IDHash == "" || r.ID == "" {
			return 0, nil, domain.Errorf(domain.EINVALID, "store: signal %d is not sealed", i)
		}
		if r.StoredAt.IsZero() {
			r.StoredAt = now
		}
		if r.Version == 0 {
			r.Version = 1
		}
		docs[i] = signalToDoc(*r)
	}
	if len(docs) == 0 {
		return 0, nil, nil
	}
	return insertNew(ctx, db.w.Collection(colSignals), "insert signals", docs)
}

// Signal returns one stored signal, or ENOTFOUND.
func (db *DB) Signal(ctx context.Context, id string) (SignalRecord, error) {
	return getOne(ctx, db, colSignals, "get signal", id, signalDoc.record)
}

// SignalFilter selects signals for ListSignals.
type SignalFilter struct {
	Within      string
	State       SignalState
	HouseholdID string
	Kind        domain.SignalKind
	After       string
	Limit       int
}

// ListSignals returns a page of signals sorted by id and the next cursor.
func (db *DB) ListSignals(ctx context.Context, f SignalFilter) ([]SignalRecord, string, error) {
	filter := withEqual(scopeFilter(f.Within), "state", string(f.State), "household_id", f.HouseholdID, "kind", string(f.Kind))
	docs, next, err := listPage(ctx, db.r.Collection(colSignals), "list signals", []bson.D{filter}, f.After, f.Limit, signalID)
	return mapDocs(docs, signalDoc.record), next, err
}

// HouseholdSignals returns every signal matched to a household, by date.
func (db *DB) HouseholdSignals(ctx context.Context, householdID string) ([]SignalRecord, error) {
	docs, err := findDocs[signalDoc](ctx, db.r.Collection(colSignals), "household signals",
		bson.D{{Key: "household_id", Value: householdID}})
	out := mapDocs(docs, signalDoc.record)
	slices.SortFunc(out, func(a, b SignalRecord) int { return a.Date.Compare(b.Date) })
	return out, err
}

// BatchSignals returns the matched signals of a batch (one equality read).
func (db *DB) BatchSignals(ctx context.Context, batch string) ([]SignalRecord, error) {
	docs, err := findDocs[signalDoc](ctx, db.r.Collection(colSignals), "batch signals",
		bson.D{{Key: "batch", Value: batch}, {Key: "state", Value: string(SignalMatched)}})
	return mapDocs(docs, signalDoc.record), err
}

// SignalResolution is what a coordinator decided about an unmatched signal.
type SignalResolution struct {
	HouseholdID string
	MemberID    string
	// Place is the household's place.
	Place string
	// Batch is the new batch the signal is evaluated in.
	Batch string
	By    string
}

// ResolveSignal matches an unmatched signal to a household member, in one
// update guarded by the state: the signal is matched in a batch of its
// own (create the batch first: it is the intent). A signal already matched
// (or resolved by someone else first) is ECONFLICT; an unknown one
// ENOTFOUND.
func (db *DB) ResolveSignal(ctx context.Context, id string, r SignalResolution) (SignalRecord, error) {
	s := scopeOf(r.Place)
	set := bson.D{{Key: "household_id", Value: r.HouseholdID}, {Key: "member_id", Value: r.MemberID},
		{Key: "place", Value: r.Place}, {Key: "district", Value: s.District}, {Key: "street", Value: s.Street},
		{Key: "community", Value: s.Community}, {Key: "state", Value: string(SignalMatched)}, {Key: "batch", Value: r.Batch},
		{Key: "resolved_by", Value: r.By}, {Key: "resolved_at", Value: db.now().UTC()}}
	var d signalDoc
	err := db.w.Collection(colSignals).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "state", Value: string(SignalUnmatched)}},
		bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err == nil {
		return d.record(), nil
	}
	if domain.ErrorCode(translate("", err)) != domain.ENOTFOUND {
		return SignalRecord{}, translate("resolve signal", err)
	}
	if _, gerr := db.Signal(ctx, id); gerr != nil {
		return SignalRecord{}, gerr
	}
	return SignalRecord{}, domain.Errorf(domain.ECONFLICT, "该信号已匹配到家庭 / the signal is matched already")
}
