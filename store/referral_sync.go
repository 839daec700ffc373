package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// What a referral's change implies elsewhere is written after the
// referral's own guarded update, never in one transaction (there are none).
// The referral records the intent (synced: false in the same update);
// SyncReferral derives every effect from the referral's state alone and
// applies it idempotently — the proposal decided, the volunteer task made or
// cancelled, the offering's holders, the voucher entries (IDs derived from
// the referral), the need walked, the household log written under derived
// IDs, the service records confirmed — then clears the flag. SweepReferrals
// runs it for every referral a crash left unsynced.

// referralNeedTarget is the state a referral's need should reach: matched
// while the referral waits or is accepted, in service while served, resolved
// once done (or closed as helped); open again when it ended otherwise.
func referralNeedTarget(r domain.Referral) domain.NeedState {
	switch r.State {
	case domain.ReferralAwaitingProvider, domain.ReferralAccepted, domain.ReferralTaskPosted:
		return domain.NeedMatched
	case domain.ReferralInService:
		return domain.NeedInService
	case domain.ReferralCompleted, domain.ReferralRated:
		return domain.NeedResolved
	case domain.ReferralClosed:
		if r.Outcome == domain.OutcomeGotHelp {
			return domain.NeedResolved
		}
	}
	return domain.NeedOpen
}

// SyncReferral brings what lies outside referral id up to its state,
// idempotently, then marks it synced (unless it changed meanwhile: the next
// sync takes that). A referral whose proposal turns out rejected or
// superseded is cancelled. cat names the item in the household log (nil:
// the code).
func (db *DB) SyncReferral(ctx context.Context, id string, cat *domain.Catalogue) error {
	d, err := db.storedReferral(ctx, id)
	if err != nil || d.Synced {
		return err
	}
	r := d.referral()
	moved, err := db.followProposal(ctx, r)
	if err != nil {
		return err
	}
	if !moved {
		moved, err = db.followReferralTask(ctx, r, cat)
		if err != nil {
			return err
		}
	}
	if moved {
		return db.SyncReferral(ctx, id, cat)
	}
	if d, err = db.storedReferral(ctx, id); err != nil || d.Synced {
		return err
	}
	r = d.referral()
	if err := db.followCapacity(ctx, r); err != nil {
		return err
	}
	if entries := referralVoucherEntries(r); len(entries) > 0 {
		if err := db.applyVoucher(ctx, r.HouseholdID, r.VoucherYear, entries); err != nil {
			return err
		}
	}
	if err := db.followReferralNeed(ctx, r); err != nil {
		return err
	}
	if err := db.logReferral(ctx, r, cat); err != nil {
		return err
	}
	_, err = db.w.Collection(colReferrals).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: r.ID}, {Key: "version", Value: r.Version}, {Key: "synced", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "synced", Value: true}}}})
	return translate("mark referral synced", err)
}

// referralVoucherEntries are the ledger entries a referral in its state
// implies: its reservation from creation on, and once it ended the spend of
// what its records used and the release of the rest.
func referralVoucherEntries(r domain.Referral) []domain.VoucherEntry {
	if r.VoucherFen <= 0 || len(r.History) == 0 {
		return nil
	}
	start := domain.ReferralStart(r.Target)
	out := domain.VoucherEffect(r.Target, "", start, r.VoucherFen, 0).Entries(r, r.CreatedBy, r.CreatedAt)
	if end := domain.VoucherEffect(r.Target, start, r.State, r.VoucherFen, r.UsedVoucherFen); !domain.ReservesVoucher(r.Target, r.State) {
		last := r.History[len(r.History)-1]
		out = append(out, end.Entries(r, last.By, last.At)...)
	}
	return out
}

// cancelBySystem cancels a live referral for a reason the system found; a
// referral that moved on meanwhile is left alone.
func (db *DB) cancelBySystem(ctx context.Context, r domain.Referral, note string) (bool, error) {
	if !domain.CanTransitionReferral(r.State, domain.ReferralCancelled) {
		return false, nil
	}
	_, err := db.MoveReferral(ctx, r.ID, domain.ReferralMove{To: domain.ReferralCancelled, By: SystemActor,
		At: db.now().UTC(), Note: note}, nil)
	if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		return false, err
	}
	return true, nil
}

// followProposal records the acceptance of the referral's proposal; when
// the proposal was decided otherwise (rejected, superseded by a newer run)
// meanwhile, the referral is cancelled (moved reports it).
func (db *DB) followProposal(ctx context.Context, r domain.Referral) (moved bool, err error) {
	if r.ProposalID == "" {
		return false, nil
	}
	for range 3 {
		p, err := db.Proposal(ctx, r.ProposalID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		switch p.State {
		case domain.ProposalAccepted:
			return false, nil
		case domain.ProposalProposed:
			dp := p.Proposal
			if err := dp.Accept(r.CreatedBy, r.CreatedAt); err != nil {
				return false, err
			}
			err := db.DecideProposal(ctx, &dp)
			if domain.ErrorCode(err) != domain.ECONFLICT {
				return false, err
			}
		default:
			if !referralLive(r.State) {
				return false, nil
			}
			return db.cancelBySystem(ctx, r, "建议已被驳回或被新一轮匹配替换 / the proposal was decided otherwise")
		}
	}
	return false, domain.Errorf(domain.ECONFLICT, "建议正被修改 / the proposal is changing")
}

// referralTask finds the task made for a volunteer-pool referral.
func (db *DB) referralTask(ctx context.Context, referralID string) (domain.Task, bool, error) {
	var d taskDoc
	err := db.r.Collection(colTasks).FindOne(ctx, bson.D{{Key: "referral_id", Value: referralID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.Task{}, false, nil
	}
	if err != nil {
		return domain.Task{}, false, translate("find referral task", err)
	}
	t, err := db.task(d)
	return t, err == nil, err
}

// followReferralTask keeps a volunteer-pool referral's task: made (and
// named on the referral) while the referral is live, cancelled when the
// referral was cancelled or closed. A task that cannot be made (consent
// withdrawn, a hand-posted task holds the need) cancels the referral.
func (db *DB) followReferralTask(ctx context.Context, r domain.Referral, cat *domain.Catalogue) (moved bool, err error) {
	if r.Target != domain.TargetVolunteerPool {
		return false, nil
	}
	t, found, err := db.referralTask(ctx, r.ID)
	if err != nil {
		return false, err
	}
	if !referralLive(r.State) {
		if found && live(t.State) && (r.State == domain.ReferralCancelled || r.State == domain.ReferralClosed) {
			_, err := db.UpdateTask(ctx, t.ID, func(t *domain.Task) error {
				return t.Cancel(SystemActor, "转介已结束 / the referral ended", db.now())
			})
			if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
				return false, err
			}
			return false, db.SyncTask(ctx, t.ID, cat)
		}
		return false, nil
	}
	if !found {
		if t, err = db.createReferralTask(ctx, r); domain.ErrorCode(err) == domain.ECONFLICT {
			if t, found, _ = db.referralTask(ctx, r.ID); !found {
				return db.cancelBySystem(ctx, r, domain.ErrorMessage(err))
			}
		} else if err != nil {
			return false, err
		}
		if err := db.SyncTask(ctx, t.ID, cat); err != nil {
			return false, err
		}
	}
	if r.TaskID != t.ID {
		_, err := db.UpdateReferral(ctx, r.ID, func(x *domain.Referral) error { x.TaskID = t.ID; return nil }, nil)
		if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
			return false, err
		}
		return true, nil
	}
	return false, nil
}

// referralTaskWindow is the window of a task made from a referral: from an
// hour on, for a week; the volunteer agrees the visit with the resident.
const referralTaskWindow = 7 * 24 * time.Hour

// createReferralTask posts the task of a volunteer-pool referral from its
// need and household (address sealed, resident masked).
func (db *DB) createReferralTask(ctx context.Context, r domain.Referral) (domain.Task, error) {
	need, err := db.Need(ctx, r.NeedID)
	if err != nil {
		return domain.Task{}, err
	}
	hh, err := db.Household(ctx, r.HouseholdID)
	if err != nil {
		return domain.Task{}, err
	}
	now := db.now().UTC()
	m, _ := hh.Member(r.MemberID)
	t := domain.Task{ReferralID: r.ID, NeedID: r.NeedID, HouseholdID: r.HouseholdID, MemberID: r.MemberID, Item: r.Item,
		Note: need.NeutralNote, Place: hh.Place, Address: hh.Address, Location: hh.Location,
		Resident:    domain.MaskResidentName(m.Name, m.Gender, m.BirthYear, now),
		WindowStart: now.Add(time.Hour).Truncate(time.Minute), WindowEnd: now.Add(time.Hour + referralTaskWindow).Truncate(time.Minute)}
	t.Start(r.CreatedBy, now)
	err = db.CreateTask(ctx, &t)
	return t, err
}

// followReferralNeed walks the referral's need towards referralNeedTarget.
// Back to open only when nothing else holds the need: no other live
// referral, no live task.
func (db *DB) followReferralNeed(ctx context.Context, r domain.Referral) error {
	if r.NeedID == "" {
		return nil
	}
	need, err := db.Need(ctx, r.NeedID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	target := referralNeedTarget(r)
	if target == domain.NeedOpen {
		held, err := db.needHeld(ctx, r)
		if err != nil || held {
			return err
		}
	}
	return db.walkNeed(ctx, need, target)
}

// needHeld reports whether another live referral or a live task holds r's
// need.
func (db *DB) needHeld(ctx context.Context, r domain.Referral) (bool, error) {
	idOnly := options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})
	for _, q := range []struct {
		col    string
		filter bson.D
	}{
		{colReferrals, bson.D{{Key: "slot", Value: "need:" + r.NeedID}, {Key: "_id", Value: bson.D{{Key: "$ne", Value: r.ID}}}}},
		{colTasks, bson.D{{Key: "need_slot", Value: r.NeedID}}},
	} {
		err := db.r.Collection(q.col).FindOne(ctx, q.filter, idOnly).Err()
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return false, translate("find what holds the need", err)
		}
	}
	return false, nil
}

// logReferral writes the household log's entries for the referral: a
// policy referral's assisted application and recorded result; an offering
// referral's service once completed (one entry, ID derived from the
// referral, rewritten with the rating once rated).
func (db *DB) logReferral(ctx context.Context, r domain.Referral, cat *domain.Catalogue) error {
	switch r.Target {
	case domain.TargetPolicy:
		first := r
		first.State, first.History = domain.ReferralStart(r.Target), r.History[:1]
		for _, x := range []domain.Referral{first, r} {
			if e, ok := x.PolicyLogEntry(); ok {
				if err := db.AppendLog(ctx, e); err != nil {
					return err
				}
			}
		}
	case domain.TargetOffering:
		if r.State != domain.ReferralCompleted && r.State != domain.ReferralRated {
			return nil
		}
		done := completedAt(r)
		if err := db.confirmRecords(ctx, r.ID, done.At); err != nil {
			return err
		}
		recs, err := db.ReferralServiceRecords(ctx, r.ID)
		if err != nil {
			return err
		}
		name := r.Item
		if cat != nil {
			if it, ok := cat.Get(r.Item); ok {
				name = it.NameZh
			}
		}
		return db.putLog(ctx, referralServiceEntry(r, recs, done, name))
	}
	return nil
}

// completedAt is the history entry of the referral's completion.
func completedAt(r domain.Referral) domain.StateChange[domain.ReferralState] {
	for _, c := range r.History {
		if c.To == domain.ReferralCompleted {
			return c
		}
	}
	return domain.StateChange[domain.ReferralState]{At: r.UpdatedAt, By: SystemActor}
}

// referralServiceEntry sums a completed referral's records into its one log
// entry: the last date, the minutes, what was done, the workers, the rating.
func referralServiceEntry(r domain.Referral, recs []domain.ServiceRecord, done domain.StateChange[domain.ReferralState], itemName string) domain.LogEntry {
	sum := domain.ServiceRecord{ID: r.ID, ReferralID: r.ID, HouseholdID: r.HouseholdID, MemberID: r.MemberID,
		Date: done.At, RecordedBy: done.By, Rating: r.Rating}
	var what, workers []string
	for i, rec := range recs {
		if i == 0 || rec.Date.After(sum.Date) {
			sum.Date = rec.Date
		}
		sum.Minutes += rec.Minutes
		what = append(what, rec.WhatWasDone)
		if !slices.Contains(workers, rec.Worker) {
			workers = append(workers, rec.Worker)
		}
	}
	sum.WhatWasDone, sum.Worker = strings.Join(what, "；"), strings.Join(workers, "、")
	return sum.LogEntry(itemName)
}

// putLog writes a log entry under its ID, replacing the one stored: for
// entries derived from a source that may still change (a rating added).
func (db *DB) putLog(ctx context.Context, e domain.LogEntry) error {
	_, err := db.w.Collection(colHouseholdLog).ReplaceOne(ctx, bson.D{{Key: "_id", Value: e.ID}},
		logDoc{ID: e.ID, HouseholdID: e.HouseholdID, MemberID: e.MemberID, Kind: string(e.Kind), At: e.At.UTC(),
			Author: e.Author, Text: e.Text, Assistance: string(e.Assistance), PolicyID: e.PolicyID,
			Outcome: string(e.Outcome), RefID: e.RefID}, options.Replace().SetUpsert(true))
	return translate("write household log", err)
}

// followTaskReferral moves a volunteer-pool referral after its task: the
// check-in puts it in service, the confirmation completes it (with the
// task's proof, and rates it with the task's rating), a cancellation cancels
// it. Called by SyncTask.
func (db *DB) followTaskReferral(ctx context.Context, t domain.Task, cat *domain.Catalogue) error {
	if t.ReferralID == "" || t.ReferralID == DirectReferral {
		return nil
	}
	moved := false
	for range 4 {
		r, err := db.Referral(ctx, t.ReferralID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		m, ok := taskReferralMove(t, r, db.now().UTC())
		if !ok || r.Target != domain.TargetVolunteerPool {
			break
		}
		if m.Proof != nil && m.Proof.Method == domain.ProofByCode && !r.Code.Redeemed() {
			if _, err := db.UpdateReferral(ctx, r.ID, func(x *domain.Referral) error { x.Code = t.Code; return nil }, nil); err != nil {
				return err
			}
			continue
		}
		_, err = db.MoveReferral(ctx, r.ID, m, nil)
		if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
		moved = true
	}
	if !moved {
		return nil
	}
	return db.SyncReferral(ctx, t.ReferralID, cat)
}

// taskReferralMove is the next move of a volunteer-pool referral towards
// its task's state; false when the referral is there already.
func taskReferralMove(t domain.Task, r domain.Referral, now time.Time) (domain.ReferralMove, bool) {
	m := domain.ReferralMove{By: SystemActor, At: now}
	switch {
	case t.State == domain.TaskCancelled:
		m.To, m.Note = domain.ReferralCancelled, "志愿任务已取消 / the task was cancelled"
	case r.State == domain.ReferralTaskPosted && (t.State == domain.TaskInProgress || t.State == domain.TaskDone || t.State == domain.TaskConfirmed):
		m.To = domain.ReferralInService
	case r.State == domain.ReferralInService && t.State == domain.TaskConfirmed && t.Proof != nil:
		m.To, m.Proof = domain.ReferralCompleted, t.Proof
	case r.State == domain.ReferralCompleted && t.Rating != nil:
		m.To, m.Rating = domain.ReferralRated, t.Rating
	default:
		return m, false
	}
	return m, domain.CanTransitionReferral(r.State, m.To)
}

// ReferralSweep counts what SweepReferrals did.
type ReferralSweep struct {
	Synced   int // referrals whose effects were brought up to date
	Capacity int // offerings whose holders or Left were corrected
	Records  int // service records left uncounted by a crash, counted or removed
	Released int // voucher reservations of referrals never stored, given back
}

// SweepReferrals is the referrals' reconciler, run at start and then every
// minute: it syncs every referral a crash left unsynced, makes the
// offerings' holders agree with the referrals, and settles what a crash
// left of service records and voucher reservations.
func (db *DB) SweepReferrals(ctx context.Context, cat *domain.Catalogue) (ReferralSweep, error) {
	var s ReferralSweep
	unsynced, err := findDocs[referralDoc](ctx, db.r.Collection(colReferrals), "unsynced referrals", bson.D{{Key: "synced", Value: false}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return s, err
	}
	var errs []error
	for _, d := range unsynced {
		// One referral that cannot be synced must not hold up the others.
		if err := db.SyncReferral(ctx, d.ID, cat); err != nil {
			errs = append(errs, err)
			continue
		}
		s.Synced++
	}
	var e error
	if s.Capacity, e = db.repairCapacity(ctx); e != nil {
		errs = append(errs, e)
	}
	if s.Records, e = db.repairRecords(ctx); e != nil {
		errs = append(errs, e)
	}
	if s.Released, e = db.releaseOrphanReserves(ctx); e != nil {
		errs = append(errs, e)
	}
	return s, errors.Join(errs...)
}
