package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const colProposals = "proposals"

// Proposal is a stored proposal with what a list shows without a join.
type Proposal struct {
	domain.Proposal
	// TargetTitle names the offering, job, volunteer pool or policy.
	TargetTitle string
	// Item is the need's catalogue item (service proposals).
	Item string
}

type proposalDoc struct {
	ID           string             `bson:"_id"`
	Kind         string             `bson:"kind"`
	RunID        string             `bson:"run_id"`
	HouseholdID  string             `bson:"household_id"`
	MemberID     string             `bson:"member_id"`
	NeedID       string             `bson:"need_id"`
	Item         string             `bson:"item"`
	Place        string             `bson:"place"`
	District     string             `bson:"district"`
	Street       string             `bson:"street"`
	Community    string             `bson:"community"`
	Target       string             `bson:"target"`
	TargetID     string             `bson:"target_id"`
	TargetTitle  string             `bson:"target_title"`
	ProviderID   string             `bson:"provider_id"`
	Score        float64            `bson:"score"`
	Factors      map[string]float64 `bson:"factors,omitempty"`
	Near         bool               `bson:"near"`
	Gaps         []string           `bson:"gaps,omitempty"`
	State        string             `bson:"state"`
	RejectReason string             `bson:"reject_reason"`
	RejectNote   string             `bson:"reject_note"`
	DecidedBy    string             `bson:"decided_by"`
	DecidedAt    time.Time          `bson:"decided_at"`
	SupersededBy string             `bson:"superseded_by"`
	CreatedAt    time.Time          `bson:"created_at"`
	UpdatedAt    time.Time          `bson:"updated_at"`
	Version      int64              `bson:"version"`
}

func proposalToDoc(p Proposal) proposalDoc {
	s := scopeOf(p.Place)
	return proposalDoc{ID: p.ID, Kind: string(p.Kind), RunID: p.RunID, HouseholdID: p.HouseholdID, MemberID: p.MemberID,
		NeedID: p.NeedID, Item: p.Item, Place: p.Place, District: s.District, Street: s.Street, Community: s.Community,
		Target: string(p.Target), TargetID: p.TargetID, TargetTitle: p.TargetTitle, ProviderID: p.ProviderID, Score: p.Score,
		Factors: p.Factors, Near: p.Near, Gaps: p.Gaps, State: string(p.State), RejectReason: string(p.RejectReason),
		RejectNote: p.RejectNote, DecidedBy: p.DecidedBy, DecidedAt: p.DecidedAt, SupersededBy: p.SupersededBy,
		CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt, Version: p.Version}
}

func (d proposalDoc) proposal() Proposal {
	return Proposal{TargetTitle: d.TargetTitle, Item: d.Item, Proposal: domain.Proposal{ID: d.ID, Kind: domain.ProposalKind(d.Kind),
		RunID: d.RunID, HouseholdID: d.HouseholdID, MemberID: d.MemberID, NeedID: d.NeedID, Place: d.Place,
		Target: domain.TargetKind(d.Target), TargetID: d.TargetID, ProviderID: d.ProviderID, Score: d.Score, Factors: d.Factors,
		Near: d.Near, Gaps: d.Gaps, State: domain.ProposalState(d.State), RejectReason: domain.RejectReason(d.RejectReason),
		RejectNote: d.RejectNote, DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt.UTC(), SupersededBy: d.SupersededBy,
		CreatedAt: d.CreatedAt.UTC(), Version: d.Version}}
}

func proposalID(d proposalDoc) string { return d.ID }

// InsertProposals writes new proposals (state proposed unless given) in
// batches of 500 and sets each one's ID (when empty), version and creation
// time in the slice. It returns how many were written; on an error the
// batches before it stay written (see DeleteRunProposals).
func (db *DB) InsertProposals(ctx context.Context, ps []Proposal) (int, error) {
	n, _, err := insertValues(ctx, db, colProposals, "insert proposals", ps, func(p *Proposal) any {
		db.fillNew(&p.ID, &p.Version, &p.CreatedAt, &p.CreatedAt)
		if p.State == "" {
			p.State = domain.ProposalProposed
		}
		return proposalToDoc(*p)
	})
	return n, err
}

// ProposalFilter selects proposals for ListProposals.
type ProposalFilter struct {
	Within      string // place scope ("" = all)
	RunID       string
	NeedID      string
	HouseholdID string
	Kind        domain.ProposalKind
	State       domain.ProposalState
	After       string // cursor: the last id of the previous page
	Limit       int
}

// ListProposals returns a page of proposals sorted by id (the order a run
// wrote them in) and the next cursor.
func (db *DB) ListProposals(ctx context.Context, f ProposalFilter) ([]Proposal, string, error) {
	filter := withEqual(scopeFilter(f.Within), "run_id", f.RunID, "need_id", f.NeedID, "household_id", f.HouseholdID,
		"kind", string(f.Kind), "state", string(f.State))
	docs, next, err := listPage(ctx, db.r.Collection(colProposals), "list proposals", []bson.D{filter}, f.After, f.Limit, proposalID)
	return mapDocs(docs, proposalDoc.proposal), next, err
}

// Proposal returns one proposal, or ENOTFOUND.
func (db *DB) Proposal(ctx context.Context, id string) (Proposal, error) {
	var d proposalDoc
	if err := db.r.Collection(colProposals).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return Proposal{}, translate("get proposal", err)
	}
	return d.proposal(), nil
}

// StandingProposals returns what a new run over the place must respect: the
// policy proposals that are not superseded (a lead stands for one household
// and one policy for as long as it holds, and a decided one is not proposed
// again while it blocks) and the rejected service proposals (see
// domain.Proposal.Blocks). Two bulk reads with equality filters.
func (db *DB) StandingProposals(ctx context.Context, within string) ([]domain.Proposal, error) {
	col := db.r.Collection(colProposals)
	leads, err := findDocs[proposalDoc](ctx, col, "standing proposals", append(withEqual(scopeFilter(within), "kind", string(domain.ProposalPolicy)),
		bson.E{Key: "state", Value: bson.D{{Key: "$ne", Value: string(domain.ProposalSuperseded)}}}))
	if err != nil {
		return nil, err
	}
	rejected, err := findDocs[proposalDoc](ctx, col, "standing proposals", withEqual(scopeFilter(within),
		"kind", string(domain.ProposalService), "state", string(domain.ProposalRejected)))
	if err != nil {
		return nil, err
	}
	out := make([]domain.Proposal, 0, len(leads)+len(rejected))
	for _, d := range append(leads, rejected...) {
		out = append(out, d.proposal().Proposal)
	}
	return out, nil
}

// SupersedeServiceProposals makes runID's service proposals the current
// ones within the place: every open service proposal there from another run
// becomes superseded (naming runID), in one UpdateMany guarded by state
// proposed; accepted and rejected ones are never touched. Runs over
// overlapping places never run at once (CreateRun), so every other run is an
// older one. Service proposals that an earlier run superseded there are
// deleted first: a coordinator can still see what the previous run said,
// and the collection, which FerretDB scans on every query, keeps at most two
// runs' worth per place besides the decisions. Call it per community (or
// compound) to keep each write short: FerretDB commits an UpdateMany
// document by document (about 4 ms each) on the one write connection. It
// returns how many it superseded and deleted.
func (db *DB) SupersedeServiceProposals(ctx context.Context, within, runID string) (superseded, pruned int, err error) {
	if within == "" || runID == "" {
		return 0, 0, domain.Invalid("place", "required", "a place and a run are required")
	}
	scope := withEqual(scopeFilter(within), "kind", string(domain.ProposalService))
	notThisRun := bson.E{Key: "superseded_by", Value: bson.D{{Key: "$ne", Value: runID}}}
	del, err := db.w.Collection(colProposals).DeleteMany(ctx, append(withEqual(scope, "state", string(domain.ProposalSuperseded)), notThisRun))
	if err != nil {
		return 0, 0, translate("prune proposals", err)
	}
	notThisRun.Key = "run_id"
	res, err := db.w.Collection(colProposals).UpdateMany(ctx,
		append(withEqual(scope, "state", string(domain.ProposalProposed)), notThisRun), supersede(runID, db.now()))
	if err != nil {
		return 0, int(del.DeletedCount), translate("supersede proposals", err)
	}
	return int(res.ModifiedCount), int(del.DeletedCount), nil
}

func supersede(runID string, now time.Time) bson.D {
	return bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: string(domain.ProposalSuperseded)},
		{Key: "superseded_by", Value: runID}, {Key: "updated_at", Value: now.UTC()}}},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}
}

// SupersedeProposal marks one open proposal superseded by runID (a lead
// that no longer holds). ECONFLICT if it is no longer open.
func (db *DB) SupersedeProposal(ctx context.Context, id, runID string) error {
	_, err := db.updateProposal(ctx, id, supersede(runID, db.now()))
	return err
}

// DecideProposal records a coordinator's decision (domain.Proposal.Accept
// or Reject set it on p) in one update guarded by state proposed; a lost
// race is ECONFLICT and changes nothing.
func (db *DB) DecideProposal(ctx context.Context, p *domain.Proposal) error {
	if p.State != domain.ProposalAccepted && p.State != domain.ProposalRejected {
		return domain.Invalid("state", "enum", "a decision accepts or rejects")
	}
	saved, err := db.updateProposal(ctx, p.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: string(p.State)},
		{Key: "reject_reason", Value: string(p.RejectReason)}, {Key: "reject_note", Value: p.RejectNote},
		{Key: "decided_by", Value: p.DecidedBy}, {Key: "decided_at", Value: p.DecidedAt.UTC()},
		{Key: "updated_at", Value: db.now().UTC()}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
	if err == nil {
		*p = saved.Proposal
	}
	return err
}

// updateProposal applies update to a proposal that is still proposed.
func (db *DB) updateProposal(ctx context.Context, id string, update bson.D) (Proposal, error) {
	var d proposalDoc
	err := db.w.Collection(colProposals).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "state", Value: string(domain.ProposalProposed)}},
		update, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err == nil {
		return d.proposal(), nil
	}
	if domain.ErrorCode(translate("", err)) != domain.ENOTFOUND {
		return Proposal{}, translate("update proposal", err)
	}
	if _, gerr := db.Proposal(ctx, id); gerr != nil {
		return Proposal{}, gerr
	}
	return Proposal{}, domain.Errorf(domain.ECONFLICT, "建议已处理 / the proposal is no longer proposed")
}

// DeleteRunProposals removes what a failed run wrote before it failed (the
// ones still proposed).
func (db *DB) DeleteRunProposals(ctx context.Context, runID string) error {
	_, err := db.w.Collection(colProposals).DeleteMany(ctx, withEqual(bson.D{}, "run_id", runID, "state", string(domain.ProposalProposed)))
	return translate("delete run proposals", err)
}
