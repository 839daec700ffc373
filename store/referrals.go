package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

const colReferrals = "referrals"

// referralDoc is a referral with its place scope and two fields of the
// store's own:
//
//   - Slot carries the unique index "one live referral per need" (for a
//     policy referral: per household and policy): "need:"+need id while the
//     referral is live, "ended:"+id after. Every document has a value
//     (FerretDB ignores sparse, rejects partial).
//   - Synced is false from a change of state until everything outside the
//     referral follows it (SyncReferral): the offering's capacity, the
//     voucher ledger, the need, the proposal, the household log, the task.
//     No transaction spans them, so this flag is the recorded intent the
//     sweeper repairs after a crash.
type referralDoc struct {
	ID              string                                     `bson:"_id"`
	Target          string                                     `bson:"target"`
	ProposalID      string                                     `bson:"proposal_id"`
	NeedID          string                                     `bson:"need_id"`
	HouseholdID     string                                     `bson:"household_id"`
	MemberID        string                                     `bson:"member_id"`
	Place           string                                     `bson:"place"`
	District        string                                     `bson:"district"`
	Street          string                                     `bson:"street"`
	Community       string                                     `bson:"community"`
	Item            string                                     `bson:"item"`
	OfferingID      string                                     `bson:"offering_id"`
	ProviderID      string                                     `bson:"provider_id"`
	PolicyID        string                                     `bson:"policy_id"`
	TaskID          string                                     `bson:"task_id"`
	Units           int                                        `bson:"units"`
	VoucherFen      domain.Fen                                 `bson:"voucher_fen"`
	VoucherYear     int                                        `bson:"voucher_year"`
	UsedVoucherFen  domain.Fen                                 `bson:"used_voucher_fen"`
	Services        int                                        `bson:"services"`
	RecordIDs       []string                                   `bson:"record_ids"`
	State           string                                     `bson:"state"`
	DeclineReason   string                                     `bson:"decline_reason"`
	Outcome         string                                     `bson:"outcome"`
	Result          string                                     `bson:"result"`
	ContactAttempts []time.Time                                `bson:"contact_attempts"`
	Code            *domain.ProofCode                          `bson:"code"`
	Proof           *domain.Proof                              `bson:"proof"`
	Rating          *domain.Rating                             `bson:"rating"`
	History         []domain.StateChange[domain.ReferralState] `bson:"history"`
	CreatedBy       string                                     `bson:"created_by"`
	CreatedAt       time.Time                                  `bson:"created_at"`
	UpdatedAt       time.Time                                  `bson:"updated_at"`
	Version         int64                                      `bson:"version"`
	Slot            string                                     `bson:"slot"`
	Synced          bool                                       `bson:"synced"`
}

// referralLive reports whether a referral in state s still holds its need:
// until it ends or is completed (a rating may follow, but the need is met).
func referralLive(s domain.ReferralState) bool {
	return !s.Final() && s != domain.ReferralCompleted
}

// referralSlot is the value of the "one live referral" index.
func referralSlot(r domain.Referral) string {
	switch {
	case !referralLive(r.State):
		return "ended:" + r.ID
	case r.NeedID != "":
		return "need:" + r.NeedID
	}
	return "policy:" + r.HouseholdID + ":" + r.PolicyID
}

// referralToDoc builds the document (unsynced; recordIDs kept by the caller).
func referralToDoc(r domain.Referral, recordIDs []string) referralDoc {
	s := scopeOf(r.Place)
	attempts := make([]time.Time, len(r.ContactAttempts))
	for i, a := range r.ContactAttempts {
		attempts[i] = a.UTC()
	}
	return referralDoc{ID: r.ID, Target: string(r.Target), ProposalID: r.ProposalID, NeedID: r.NeedID,
		HouseholdID: r.HouseholdID, MemberID: r.MemberID, Place: r.Place, District: s.District, Street: s.Street,
		Community: s.Community, Item: r.Item, OfferingID: r.OfferingID, ProviderID: r.ProviderID, PolicyID: r.PolicyID,
		TaskID: r.TaskID, Units: r.Units, VoucherFen: r.VoucherFen, VoucherYear: r.VoucherYear,
		UsedVoucherFen: r.UsedVoucherFen, Services: r.Services, RecordIDs: recordIDs, State: string(r.State),
		DeclineReason: string(r.DeclineReason), Outcome: string(r.Outcome), Result: string(r.Result),
		ContactAttempts: attempts, Code: r.Code, Proof: r.Proof, Rating: r.Rating, History: r.History,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		Slot: referralSlot(r)}
}

func (d referralDoc) referral() domain.Referral {
	var attempts []time.Time
	for _, a := range d.ContactAttempts {
		attempts = append(attempts, a.UTC())
	}
	return domain.Referral{ID: d.ID, Target: domain.TargetKind(d.Target), ProposalID: d.ProposalID, NeedID: d.NeedID,
		HouseholdID: d.HouseholdID, MemberID: d.MemberID, Place: d.Place, Item: d.Item, OfferingID: d.OfferingID,
		ProviderID: d.ProviderID, PolicyID: d.PolicyID, TaskID: d.TaskID, Units: d.Units, VoucherFen: d.VoucherFen,
		VoucherYear: d.VoucherYear, UsedVoucherFen: d.UsedVoucherFen, Services: d.Services,
		State: domain.ReferralState(d.State), DeclineReason: domain.DeclineReason(d.DeclineReason),
		Outcome: domain.CloseOutcome(d.Outcome), Result: domain.OfficialOutcome(d.Result), ContactAttempts: attempts,
		Code: d.Code, Proof: d.Proof, Rating: d.Rating, History: d.History, CreatedBy: d.CreatedBy,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version}
}

func referralID(d referralDoc) string { return d.ID }

// ReferralIDFor is the ID of the referral made by accepting a proposal:
// derived from the proposal's, so that two acceptances (a double click, a
// retry after a crash) insert one referral.
func ReferralIDFor(proposalID string) string { return "r-" + proposalID }

// liveReferralTaken is the conflict of a second live referral for a need.
func liveReferralTaken() error {
	return &domain.Error{Code: domain.ECONFLICT,
		Message: "该需求已有进行中的转介 / this need already has a live referral",
		Fields:  []domain.FieldError{{Field: "need_id", Rule: "unique", Message: "该需求已有进行中的转介"}}}
}

// CreateReferral stores a new referral (Start and Validate it first) and
// sets its version; an empty ID gets a new one (see ReferralIDFor). A
// referral with VoucherFen reserves that much of the household's voucher for
// VoucherYear first (ECONFLICT when the balance is short; the reservation's
// ID derives from the referral's, so a retry reserves once). A need has at
// most one live referral: a second is ECONFLICT naming need_id, as is an ID
// that exists (the proposal was accepted already). The referral starts
// unsynced: call SyncReferral next (the sweeper does it after a crash).
func (db *DB) CreateReferral(ctx context.Context, r *domain.Referral) error {
	now := db.now().UTC()
	if r.ID == "" {
		r.ID = newID()
	}
	r.Version, r.UpdatedAt = 1, now
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	if r.VoucherFen > 0 {
		// Dated like the referral (the sync derives the same entry from it).
		entries := domain.VoucherEffect(r.Target, "", r.State, r.VoucherFen, 0).Entries(*r, r.CreatedBy, r.CreatedAt)
		if err := db.applyVoucher(ctx, r.HouseholdID, r.VoucherYear, entries); err != nil {
			return err
		}
	}
	_, err := db.w.Collection(colReferrals).InsertOne(ctx, referralToDoc(*r, nil))
	if !isDuplicateKey(err) {
		return translate("create referral", err)
	}
	stored, serr := db.storedIDs(ctx, colReferrals, []string{r.ID})
	if serr != nil {
		return serr
	}
	if stored[r.ID] {
		// The reservation (if any) is the stored referral's: keep it.
		return domain.Errorf(domain.ECONFLICT, "已转介 / this proposal was accepted already")
	}
	if r.VoucherFen > 0 {
		release := domain.VoucherChange{Release: r.VoucherFen}.Entries(*r, r.CreatedBy, now)
		if err := db.applyVoucher(ctx, r.HouseholdID, r.VoucherYear, release); err != nil {
			return fmt.Errorf("store: give back the reservation of a referral not made: %w", err)
		}
	}
	return fmt.Errorf("store: create referral: %w", liveReferralTaken())
}

// InsertReferrals stores referrals in bulk as they are (the demo loader:
// any state, history and IDs given) and returns how many were new; those
// whose ID exists already are skipped. They are stored synced: the loader
// writes their ledgers (PutVoucherLedger), records and needs itself. The
// offerings' capacity follows at the next SweepReferrals.
func (db *DB) InsertReferrals(ctx context.Context, rs []domain.Referral) (int, error) {
	n, _, err := insertValues(ctx, db, colReferrals, "insert referrals", rs, func(x *domain.Referral) any {
		db.fillNew(&x.ID, &x.Version, &x.CreatedAt, &x.UpdatedAt)
		d := referralToDoc(*x, nil)
		d.Synced = true
		return d
	})
	return n, err
}

// Referral returns one referral, or ENOTFOUND.
func (db *DB) Referral(ctx context.Context, id string) (domain.Referral, error) {
	return getOne(ctx, db, colReferrals, "get referral", id, referralDoc.referral)
}

// ReferralFilter selects referrals for ListReferrals; empty fields select
// everything.
type ReferralFilter struct {
	Within      string // the referral's place lies in this place
	State       domain.ReferralState
	Target      domain.TargetKind
	ProviderID  string
	HouseholdID string
	NeedID      string
	After       string
	Limit       int
}

// ListReferrals returns a page of referrals sorted by id and the next cursor.
func (db *DB) ListReferrals(ctx context.Context, f ReferralFilter) ([]domain.Referral, string, error) {
	filter := withEqual(scopeFilter(f.Within), "state", string(f.State), "target", string(f.Target),
		"provider_id", f.ProviderID, "household_id", f.HouseholdID, "need_id", f.NeedID)
	docs, next, err := listPage(ctx, db.r.Collection(colReferrals), "list referrals", []bson.D{filter}, f.After, f.Limit, referralID)
	return mapDocs(docs, referralDoc.referral), next, err
}

// FindReferrals returns every referral that matches f (no paging: a place's
// case list sorted by waiting time, a provider's inbox).
func (db *DB) FindReferrals(ctx context.Context, f ReferralFilter) ([]domain.Referral, error) {
	filter := withEqual(scopeFilter(f.Within), "state", string(f.State), "target", string(f.Target),
		"provider_id", f.ProviderID, "household_id", f.HouseholdID, "need_id", f.NeedID)
	docs, err := findDocs[referralDoc](ctx, db.r.Collection(colReferrals), "find referrals", filter)
	return mapDocs(docs, referralDoc.referral), err
}

// ReferralsWithin returns every referral of a place (the dashboard's days
// from need to service).
func (db *DB) ReferralsWithin(ctx context.Context, within string) ([]domain.Referral, error) {
	return db.FindReferrals(ctx, ReferralFilter{Within: within})
}

// ProviderReferrals returns every referral to a provider (its traffic light).
func (db *DB) ProviderReferrals(ctx context.Context, providerID string) ([]domain.Referral, error) {
	if providerID == "" {
		return nil, nil
	}
	return db.FindReferrals(ctx, ReferralFilter{ProviderID: providerID})
}

// storedReferral reads the document of a referral.
func (db *DB) storedReferral(ctx context.Context, id string) (referralDoc, error) {
	var d referralDoc
	err := db.r.Collection(colReferrals).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	return d, translate("get referral", err)
}

// UpdateReferral reads referral id, applies change (which must not change
// the state: MoveReferral does) and writes the result in ONE update guarded
// by the state and version it read: a lost race is ECONFLICT with nothing
// written. An error from change is returned and nothing is written, unless
// keep is true for it (a wrong code's counted attempt must be saved): then
// the change is written and the error returned.
func (db *DB) UpdateReferral(ctx context.Context, id string, change func(*domain.Referral) error, keep func(error) bool) (domain.Referral, error) {
	d, err := db.storedReferral(ctx, id)
	if err != nil {
		return domain.Referral{}, err
	}
	r := d.referral()
	cerr := change(&r)
	if cerr != nil && (keep == nil || !keep(cerr)) {
		return domain.Referral{}, cerr
	}
	if r.State != domain.ReferralState(d.State) {
		return domain.Referral{}, fmt.Errorf("store: update referral: the state is MoveReferral's to change")
	}
	if err := db.saveReferral(ctx, &r, d, false); err != nil {
		return domain.Referral{}, err
	}
	return r, cerr
}

// MoveReferral moves referral id (domain.Referral.Apply) after check passes
// on the referral as read (who may move it: ENOTFOUND, EFORBIDDEN ...). It is
// ONE update guarded by the state and version read: of concurrent moves one
// wins, the others get ECONFLICT and change nothing. A move that takes a
// place of the offering (the provider's acceptance) takes it first: the
// referral joins the offering's holders, ECONFLICT "no capacity left" when
// they are full; a lost move gives the place back. Everything else the move
// implies follows in SyncReferral (the referral is left unsynced).
func (db *DB) MoveReferral(ctx context.Context, id string, m domain.ReferralMove, check func(domain.Referral) error) (domain.Referral, error) {
	d, err := db.storedReferral(ctx, id)
	if err != nil {
		return domain.Referral{}, err
	}
	r := d.referral()
	if check != nil {
		if err := check(r); err != nil {
			return domain.Referral{}, err
		}
	}
	eff, err := r.Apply(m)
	if err != nil {
		return domain.Referral{}, err
	}
	if eff.Capacity < 0 {
		if err := db.takeCapacity(ctx, r.OfferingID, r.ID); err != nil {
			return domain.Referral{}, err
		}
	}
	if err := db.saveReferral(ctx, &r, d, true); err != nil {
		if eff.Capacity < 0 {
			db.returnCapacityUnlessHeld(ctx, r)
		}
		return domain.Referral{}, err
	}
	return r, nil
}

// returnCapacityUnlessHeld gives back the place a lost acceptance took,
// unless the referral as stored now holds it (a concurrent acceptance won).
// A failure here is left to the sweeper.
func (db *DB) returnCapacityUnlessHeld(ctx context.Context, r domain.Referral) {
	now, err := db.Referral(ctx, r.ID)
	if err == nil && !domain.TakesCapacity(now.Target, now.State) {
		_ = db.returnCapacity(ctx, r.OfferingID, r.ID)
	}
}

// saveReferral writes r, read as d, guarded by d's state and version; it
// bumps the version and, when unsync, marks the referral unsynced.
func (db *DB) saveReferral(ctx context.Context, r *domain.Referral, d referralDoc, unsync bool) error {
	r.Version, r.UpdatedAt = d.Version+1, db.now().UTC()
	except := []string{"_id", "created_at", "synced"}
	if unsync {
		except = except[:2]
	}
	set, err := setFields(referralToDoc(*r, d.RecordIDs), except...)
	if err != nil {
		return fmt.Errorf("store: save referral: %w", err)
	}
	res, err := db.w.Collection(colReferrals).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: r.ID}, {Key: "state", Value: d.State}, {Key: "version", Value: d.Version}},
		bson.D{{Key: "$set", Value: set}})
	if isDuplicateKey(err) {
		return fmt.Errorf("store: save referral: %w", liveReferralTaken())
	}
	if err != nil {
		return translate("save referral", err)
	}
	if res.MatchedCount == 0 {
		return domain.Errorf(domain.ECONFLICT, "转介已被他人抢先处理，请刷新 / someone else changed the referral first")
	}
	return nil
}

// countService adds a service record to an in-service offering referral
// (domain.Referral.AddService) in one update guarded by state and version,
// retried a few times when another record was added meanwhile.
func (db *DB) countService(ctx context.Context, rec domain.ServiceRecord) (domain.Referral, error) {
	for range 10 {
		d, err := db.storedReferral(ctx, rec.ReferralID)
		if err != nil {
			return domain.Referral{}, err
		}
		if slices.Contains(d.RecordIDs, rec.ID) {
			return d.referral(), nil
		}
		r := d.referral()
		if err := r.AddService(rec); err != nil {
			return domain.Referral{}, err
		}
		d.RecordIDs = append(d.RecordIDs, rec.ID)
		err = db.saveReferral(ctx, &r, d, false)
		if domain.ErrorCode(err) != domain.ECONFLICT {
			return r, err
		}
	}
	return domain.Referral{}, domain.Errorf(domain.ECONFLICT, "转介正被频繁修改，请重试 / the referral is busy, try again")
}

// OfferingsByID reads offerings in bulk, by id (the referral lists' titles).
func (db *DB) OfferingsByID(ctx context.Context, ids []string) (map[string]domain.Offering, error) {
	return readByID(ctx, db, colOfferings, "offerings by id", ids, offeringID, offeringDoc.offering)
}
