package store_test

import (
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/seed"
	"lianzhu/store"
)

// refFx is a store at a settable clock (June 2025: two voucher stages,
// ¥800, are open) with a 低保 household of 东木头市社区 whose member m1
// consents to NGOs, its open bathing need, a verified NGO and its bathing
// offering (capacity 3, ¥80 a bath from the voucher).
type refFx struct {
	db        *store.DB
	clk       *taskClock
	household domain.Household
	need      domain.Need
	provider  domain.Provider
	offering  domain.Offering
}

func forEachReferralTarget(t *testing.T, fn func(t *testing.T, fx *refFx)) {
	t.Helper()
	for _, tg := range testenv.MongoTargets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			clk := &taskClock{t: time.Date(2025, 6, 14, 8, 0, 0, 0, time.UTC)}
			fx := &refFx{db: openPatient(t, tg, clk.Now), clk: clk}
			ctx := t.Context()
			h := household(taskPlace, idNumber(t, "61990119500101002"))
			h.Assistance = []domain.AssistanceStatus{{Kind: domain.AssistDibao, DecidedOn: clk.Now().AddDate(-1, 0, 0)}}
			h.Consents = []domain.ConsentEvent{{MemberID: "m1", Recipient: domain.RecipientNGOUnit, Action: domain.ConsentGrant,
				At: clk.Now().Add(-time.Hour), Method: domain.ConsentWritten, RecordedBy: "coordinator"}}
			if err := fx.db.CreateHousehold(ctx, &h); err != nil {
				t.Fatal(err)
			}
			fx.household = h
			fx.need = fx.newNeed(t)
			fx.provider = domain.Provider{Kind: domain.ProviderNGO, Name: "助浴中心", ContactPhone: "13800002222", Place: taskPlace,
				Area: domain.ServiceArea{Places: []string{taskPlace}}, Verification: domain.VerificationVerified, TrafficLight: domain.LightGreen}
			if err := fx.db.CreateProvider(ctx, &fx.provider); err != nil {
				t.Fatal(err)
			}
			fx.offering = domain.Offering{ProviderID: fx.provider.ID, Item: "bathing", Title: "上门助浴", Period: domain.CapacityPerMonth,
				Capacity: 3, Left: 3, VoucherFen: domain.Yuan(80), Status: domain.OfferingActive, ValidFrom: clk.Now().AddDate(0, -1, 0),
				Area: domain.ServiceArea{Places: []string{taskPlace}}}
			if err := fx.db.CreateOffering(ctx, &fx.offering); err != nil {
				t.Fatal(err)
			}
			fn(t, fx)
		})
	}
}

func (fx *refFx) newNeed(t *testing.T) domain.Need {
	t.Helper()
	n := domain.Need{HouseholdID: fx.household.ID, MemberID: "m1", Place: taskPlace, Item: "bathing",
		NeutralNote: "行动不便，需要上门助浴", Urgency: domain.UrgencyNormal, Channel: domain.ChannelHomeVisit, CreatedBy: "coordinator"}
	if err := fx.db.CreateNeed(t.Context(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// referralFor builds an offering referral of one bath for a need, reserving
// its voucher.
func (fx *refFx) referralFor(needID string) domain.Referral {
	r := domain.Referral{Target: domain.TargetOffering, NeedID: needID, HouseholdID: fx.household.ID, MemberID: "m1",
		Place: taskPlace, Item: "bathing", OfferingID: fx.offering.ID, ProviderID: fx.provider.ID, Units: 1,
		VoucherFen: domain.Yuan(80), VoucherYear: 2025}
	r.Start("coordinator", fx.clk.Now())
	return r
}

func (fx *refFx) create(t *testing.T, r *domain.Referral, sync bool) {
	t.Helper()
	if err := fx.db.CreateReferral(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	if sync {
		fx.sync(t, r.ID)
	}
}

func (fx *refFx) sync(t *testing.T, id string) {
	t.Helper()
	if err := fx.db.SyncReferral(t.Context(), id, seed.Catalogue()); err != nil {
		t.Fatal(err)
	}
}

// move moves a referral and syncs it.
func (fx *refFx) move(t *testing.T, id string, m domain.ReferralMove) domain.Referral {
	t.Helper()
	if m.By == "" {
		m.By = "someone"
	}
	m.At = fx.clk.Now()
	r, err := fx.db.MoveReferral(t.Context(), id, m, nil)
	if err != nil {
		t.Fatalf("move to %s: %v", m.To, err)
	}
	fx.sync(t, id)
	return r
}

func (fx *refFx) needState(t *testing.T, id string) domain.NeedState {
	t.Helper()
	n, err := fx.db.Need(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return n.State
}

func (fx *refFx) left(t *testing.T) int {
	t.Helper()
	o, err := fx.db.Offering(t.Context(), fx.offering.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o.Left
}

func (fx *refFx) balance(t *testing.T) domain.VoucherBalance {
	t.Helper()
	_, b, err := fx.db.VoucherLedger(t.Context(), fx.household.ID, 2025)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReferralLifecycle walks an offering referral from dispatch to rating:
// the voucher reserved then spent, the capacity taken and kept, the record
// confirmed, the need resolved, the household log written once with the
// rating.
func TestReferralLifecycle(t *testing.T) {
	forEachReferralTarget(t, func(t *testing.T, fx *refFx) {
		ctx := t.Context()
		r := fx.referralFor(fx.need.ID)
		fx.create(t, &r, true)
		if b := fx.balance(t); b.GrantedFen != domain.Yuan(800) || b.ReservedFen != domain.Yuan(80) || b.LeftFen != domain.Yuan(720) {
			t.Fatalf("balance after dispatch %+v", b)
		}
		if s := fx.needState(t, fx.need.ID); s != domain.NeedMatched {
			t.Fatalf("need %s after dispatch", s)
		}
		second := fx.referralFor(fx.need.ID)
		if err := fx.db.CreateReferral(ctx, &second); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("second live referral: %v", err)
		}
		if b := fx.balance(t); b.ReservedFen != domain.Yuan(80) {
			t.Fatalf("the refused referral kept its reservation: %+v", b)
		}
		// Illegal moves change nothing.
		for _, to := range []domain.ReferralState{domain.ReferralInService, domain.ReferralCompleted, domain.ReferralRated, domain.ReferralTaskPosted} {
			if _, err := fx.db.MoveReferral(ctx, r.ID, domain.ReferralMove{To: to, By: "x", At: fx.clk.Now()}, nil); domain.ErrorCode(err) != domain.ECONFLICT {
				t.Fatalf("awaiting → %s: %v", to, err)
			}
		}
		fx.move(t, r.ID, domain.ReferralMove{To: domain.ReferralAccepted})
		if fx.left(t) != 2 {
			t.Fatalf("left %d after acceptance", fx.left(t))
		}
		fx.clk.Add(time.Hour)
		fx.move(t, r.ID, domain.ReferralMove{To: domain.ReferralInService})
		if s := fx.needState(t, fx.need.ID); s != domain.NeedInService {
			t.Fatalf("need %s in service", s)
		}
		rec := domain.ServiceRecord{ReferralID: r.ID, HouseholdID: r.HouseholdID, MemberID: "m1", ProviderID: fx.provider.ID,
			OfferingID: fx.offering.ID, Item: "bathing", Date: fx.clk.Now(), Minutes: 60, Units: 1, WhatWasDone: "上门助浴",
			Worker: "王护工", VoucherFen: domain.Yuan(60), RecordedBy: "ngo"}
		if _, err := fx.db.AddServiceRecord(ctx, &rec); err != nil {
			t.Fatal(err)
		}
		over := rec
		over.ID, over.VoucherFen = "", domain.Yuan(30)
		if _, err := fx.db.AddServiceRecord(ctx, &over); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("record beyond the reservation: %v", err)
		}
		if recs, _ := fx.db.ReferralServiceRecords(ctx, r.ID); len(recs) != 1 {
			t.Fatalf("records %+v", recs)
		}
		// Completion by code: a code must be redeemed first.
		key := []byte("k")
		var code string
		if _, err := fx.db.UpdateReferral(ctx, r.ID, func(x *domain.Referral) error {
			c, pc, err := domain.IssueProofCode(rand.Reader, key, x.ID, fx.clk.Now(), 0)
			code, x.Code = c, &pc
			return err
		}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.db.UpdateReferral(ctx, r.ID, func(x *domain.Referral) error {
			return x.Code.Redeem(key, x.ID, code, fx.clk.Now())
		}, nil); err != nil {
			t.Fatal(err)
		}
		fx.clk.Add(time.Hour)
		proof := &domain.Proof{Method: domain.ProofByCode, At: fx.clk.Now(), RecordedBy: "ngo", RecorderRole: domain.RoleNGO}
		fx.move(t, r.ID, domain.ReferralMove{To: domain.ReferralCompleted, Proof: proof})
		if b := fx.balance(t); b.SpentFen != domain.Yuan(60) || b.ReservedFen != 0 || b.LeftFen != domain.Yuan(740) {
			t.Fatalf("balance after completion %+v", b)
		}
		if recs, _ := fx.db.ReferralServiceRecords(ctx, r.ID); len(recs) != 1 || recs[0].ConfirmedAt.IsZero() {
			t.Fatalf("records not confirmed: %+v", recs)
		}
		if s := fx.needState(t, fx.need.ID); s != domain.NeedResolved {
			t.Fatalf("need %s after completion", s)
		}
		fx.move(t, r.ID, domain.ReferralMove{To: domain.ReferralRated, Rating: &domain.Rating{Stars: 4, At: fx.clk.Now(), RecordedBy: "c"}})
		log, err := fx.db.HouseholdLog(ctx, fx.household.ID)
		if err != nil || len(log) != 1 || log[0].ID != "svc-"+r.ID || !strings.Contains(log[0].Text, "王护工") ||
			!strings.Contains(log[0].Text, "4星") || !strings.Contains(log[0].Text, "60分钟") {
			t.Fatalf("household log %+v, %v", log, err)
		}
		if fx.left(t) != 2 {
			t.Fatalf("a completed referral keeps its place: left %d", fx.left(t))
		}
		if _, err := fx.db.SweepReferrals(ctx, seed.Catalogue()); err != nil {
			t.Fatal(err)
		}
		if b := fx.balance(t); b.SpentFen != domain.Yuan(60) || fx.left(t) != 2 {
			t.Fatalf("a sweep changed a synced referral: %+v, left %d", b, fx.left(t))
		}
		got, _ := fx.db.Referral(ctx, r.ID)
		if got.State != domain.ReferralRated || len(got.History) != 5 || got.Services != 1 || got.UsedVoucherFen != domain.Yuan(60) {
			t.Fatalf("referral %+v", got)
		}
	})
}

// TestReferralDeclineAndClose: a decline gives back the place and the
// voucher and opens the need again; a close as helped resolves it.
func TestReferralDeclineAndClose(t *testing.T) {
	forEachReferralTarget(t, func(t *testing.T, fx *refFx) {
		r := fx.referralFor(fx.need.ID)
		fx.create(t, &r, true)
		fx.move(t, r.ID, domain.ReferralMove{To: domain.ReferralAccepted})
		fx.move(t, r.ID, domain.ReferralMove{To: domain.ReferralDeclined, Decline: domain.DeclineCantReach})
		if fx.left(t) != 3 || fx.needState(t, fx.need.ID) != domain.NeedOpen {
			t.Fatalf("after decline: left %d, need %s", fx.left(t), fx.needState(t, fx.need.ID))
		}
		if b := fx.balance(t); b.ReservedFen != 0 || b.LeftFen != domain.Yuan(800) {
			t.Fatalf("after decline %+v", b)
		}
		if _, err := fx.db.MoveReferral(t.Context(), r.ID, domain.ReferralMove{To: domain.ReferralAccepted, By: "x", At: fx.clk.Now()}, nil); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("declined → accepted: %v", err)
		}
		next := fx.referralFor(fx.need.ID)
		fx.create(t, &next, true)
		fx.move(t, next.ID, domain.ReferralMove{To: domain.ReferralClosed, Outcome: domain.OutcomeGotHelp})
		if fx.needState(t, fx.need.ID) != domain.NeedResolved {
			t.Fatalf("closed as helped: need %s", fx.needState(t, fx.need.ID))
		}
		if _, err := fx.db.MoveReferral(t.Context(), next.ID, domain.ReferralMove{To: domain.ReferralCancelled, By: "x", At: fx.clk.Now()}, nil); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("closed → cancelled: %v", err)
		}
	})
}

// TestReferralCapacityRace: fifty providers' acceptances of fifty referrals
// against three places; exactly three win, Left never below 0.
func TestReferralCapacityRace(t *testing.T) {
	forEachReferralTarget(t, func(t *testing.T, fx *refFx) {
		ctx := t.Context()
		const n = 50
		ids := make([]string, n)
		rs := make([]domain.Referral, n)
		for i := range rs {
			rs[i] = fx.referralFor(fmt.Sprintf("need-%02d", i))
			rs[i].VoucherFen, rs[i].VoucherYear = 0, 0
		}
		if _, err := fx.db.InsertReferrals(ctx, rs); err != nil {
			t.Fatal(err)
		}
		for i := range rs {
			ids[i] = rs[i].ID
		}
		var wins, full atomic.Int32
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := fx.db.MoveReferral(ctx, id, domain.ReferralMove{To: domain.ReferralAccepted, By: "ngo", At: fx.clk.Now()}, nil)
				switch domain.ErrorCode(err) {
				case "":
					wins.Add(1)
				case domain.ECONFLICT:
					full.Add(1)
				default:
					t.Errorf("accept: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 3 || full.Load() != n-3 || fx.left(t) != 0 {
			t.Fatalf("%d wins, %d full, left %d", wins.Load(), full.Load(), fx.left(t))
		}
		accepted := 0
		for _, id := range ids {
			if r, _ := fx.db.Referral(ctx, id); r.State == domain.ReferralAccepted {
				accepted++
			}
		}
		if accepted != 3 {
			t.Fatalf("%d referrals accepted", accepted)
		}
	})
}

// TestVoucherReservationRace: thirty concurrent dispatches of ¥80 each
// against ¥800; ten reserve, the ledger never goes negative.
func TestVoucherReservationRace(t *testing.T) {
	forEachReferralTarget(t, func(t *testing.T, fx *refFx) {
		const n = 30
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := fx.referralFor(fmt.Sprintf("need-%02d", i))
				err := fx.db.CreateReferral(t.Context(), &r)
				switch domain.ErrorCode(err) {
				case "":
					wins.Add(1)
				case domain.ECONFLICT:
				default:
					t.Errorf("create: %v", err)
				}
			}()
		}
		wg.Wait()
		b := fx.balance(t)
		if wins.Load() != 10 || b.LeftFen != 0 || b.ReservedFen != domain.Yuan(800) {
			t.Fatalf("%d reservations, balance %+v", wins.Load(), b)
		}
	})
}

// TestReferralCrashRepair: the referral's own write lands but the process
// dies before what follows it; the sweep repairs every effect, once.
func TestReferralCrashRepair(t *testing.T) {
	forEachReferralTarget(t, func(t *testing.T, fx *refFx) {
		ctx := t.Context()
		cat := seed.Catalogue()
		// 1. Accepting a proposal: the referral is stored, the proposal not decided.
		ps := []store.Proposal{{Proposal: domain.Proposal{Kind: domain.ProposalService, RunID: "run1", HouseholdID: fx.household.ID,
			MemberID: "m1", NeedID: fx.need.ID, Place: taskPlace, Target: domain.TargetOffering, TargetID: fx.offering.ID,
			ProviderID: fx.provider.ID, Score: 1}}}
		if _, err := fx.db.InsertProposals(ctx, ps); err != nil {
			t.Fatal(err)
		}
		r := fx.referralFor(fx.need.ID)
		r.ID, r.ProposalID = store.ReferralIDFor(ps[0].ID), ps[0].ID
		fx.create(t, &r, false)
		again := r
		if err := fx.db.CreateReferral(ctx, &again); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("second acceptance of the proposal: %v", err)
		}
		if s, err := fx.db.SweepReferrals(ctx, cat); err != nil || s.Synced != 1 {
			t.Fatalf("sweep %+v, %v", s, err)
		}
		if p, _ := fx.db.Proposal(ctx, ps[0].ID); p.State != domain.ProposalAccepted {
			t.Fatalf("proposal %s after repair", p.State)
		}
		if fx.needState(t, fx.need.ID) != domain.NeedMatched || fx.balance(t).ReservedFen != domain.Yuan(80) {
			t.Fatalf("need %s, balance %+v", fx.needState(t, fx.need.ID), fx.balance(t))
		}
		// 2. The provider accepts, then declines; the process dies after each write.
		for _, m := range []domain.ReferralMove{{To: domain.ReferralAccepted}, {To: domain.ReferralDeclined, Decline: domain.DeclineNoCapacity}} {
			m.By, m.At = "ngo", fx.clk.Now()
			if _, err := fx.db.MoveReferral(ctx, r.ID, m, nil); err != nil {
				t.Fatal(err)
			}
		}
		if fx.left(t) != 2 {
			t.Fatalf("left %d before the repair", fx.left(t))
		}
		if _, err := fx.db.SweepReferrals(ctx, cat); err != nil {
			t.Fatal(err)
		}
		if fx.left(t) != 3 || fx.needState(t, fx.need.ID) != domain.NeedOpen || fx.balance(t).ReservedFen != 0 {
			t.Fatalf("after repair: left %d, need %s, balance %+v", fx.left(t), fx.needState(t, fx.need.ID), fx.balance(t))
		}
		// 3. A proposal superseded between the referral's insert and its decision: the
		// referral is cancelled, its reservation released.
		ps2 := []store.Proposal{ps[0]}
		ps2[0].ID = ""
		if _, err := fx.db.InsertProposals(ctx, ps2); err != nil {
			t.Fatal(err)
		}
		r2 := fx.referralFor(fx.need.ID)
		r2.ID, r2.ProposalID = store.ReferralIDFor(ps2[0].ID), ps2[0].ID
		fx.create(t, &r2, false)
		if err := fx.db.SupersedeProposal(ctx, ps2[0].ID, "run2"); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.db.SweepReferrals(ctx, cat); err != nil {
			t.Fatal(err)
		}
		got, _ := fx.db.Referral(ctx, r2.ID)
		if got.State != domain.ReferralCancelled || fx.balance(t).ReservedFen != 0 || fx.needState(t, fx.need.ID) != domain.NeedOpen {
			t.Fatalf("after a superseded proposal: %s, balance %+v, need %s", got.State, fx.balance(t), fx.needState(t, fx.need.ID))
		}
		// 4. A capacity holder whose acceptance never landed is dropped after the grace period.
		r3 := fx.referralFor(fx.need.ID)
		fx.create(t, &r3, true)
		if err := fx.db.TakeCapacityForTest(ctx, fx.offering.ID, r3.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.db.SweepReferrals(ctx, cat); err != nil || fx.left(t) != 2 {
			t.Fatalf("holder dropped within the grace period: left %d, %v", fx.left(t), err)
		}
		fx.clk.Add(10 * time.Minute)
		if s, err := fx.db.SweepReferrals(ctx, cat); err != nil || s.Capacity != 1 || fx.left(t) != 3 {
			t.Fatalf("sweep %+v, left %d, %v", s, fx.left(t), err)
		}
	})
}

// TestVoucherTotalsAndLeft: the dashboard's totals and matching's remaining
// budgets add up a place's ledgers; a place elsewhere has none.
func TestVoucherTotalsAndLeft(t *testing.T) {
	forEachReferralTarget(t, func(t *testing.T, fx *refFx) {
		ctx := t.Context()
		r := fx.referralFor(fx.need.ID)
		fx.create(t, &r, true)
		b, err := fx.db.VoucherBalanceWithin(ctx, "610103002000", 2025)
		if err != nil || b.GrantedFen != domain.Yuan(800) || b.ReservedFen != domain.Yuan(80) {
			t.Fatalf("street totals %+v, %v", b, err)
		}
		left, err := fx.db.VoucherLeft(ctx, "610103002001", 2025)
		if err != nil || len(left) != 1 || left[fx.household.ID] != domain.Yuan(720) {
			t.Fatalf("left %v, %v", left, err)
		}
		if b, _ := fx.db.VoucherBalanceWithin(ctx, "610103001000", 2025); b != (domain.VoucherBalance{}) {
			t.Fatalf("another street %+v", b)
		}
	})
}

// TestReferralCapacityRenews: capacity is per period (here a month). A
// completed service uses its place in the month it ended; one still in
// service uses a place every month. When the month turns over the sweeper
// gives back the places of services that ended before it, once.
func TestReferralCapacityRenews(t *testing.T) {
	forEachReferralTarget(t, func(t *testing.T, fx *refFx) {
		ctx := t.Context()
		done := fx.referralFor(fx.need.ID)
		fx.create(t, &done, true)
		fx.move(t, done.ID, domain.ReferralMove{To: domain.ReferralAccepted})
		fx.move(t, done.ID, domain.ReferralMove{To: domain.ReferralInService})
		rec := domain.ServiceRecord{ReferralID: done.ID, HouseholdID: done.HouseholdID, MemberID: "m1", ProviderID: fx.provider.ID,
			OfferingID: fx.offering.ID, Item: "bathing", Date: fx.clk.Now(), Minutes: 60, Units: 1, WhatWasDone: "上门助浴",
			Worker: "王护工", RecordedBy: "ngo"}
		if _, err := fx.db.AddServiceRecord(ctx, &rec); err != nil {
			t.Fatal(err)
		}
		fx.move(t, done.ID, domain.ReferralMove{To: domain.ReferralCompleted,
			Proof: &domain.Proof{Method: domain.ProofByCallback, At: fx.clk.Now(), RecordedBy: "coordinator", RecorderRole: domain.RoleCoordinator,
				Note: "居民确认已洗浴"}})

		ongoing := fx.referralFor(fx.newNeed(t).ID)
		fx.create(t, &ongoing, true)
		fx.move(t, ongoing.ID, domain.ReferralMove{To: domain.ReferralAccepted})
		if fx.left(t) != 1 {
			t.Fatalf("June: left %d, want 1 (one completed, one accepted)", fx.left(t))
		}
		// A sweep within the month changes nothing.
		if s, err := fx.db.SweepReferrals(ctx, seed.Catalogue()); err != nil || s.Capacity != 0 || fx.left(t) != 1 {
			t.Fatalf("sweep in June: %+v, %v, left %d", s, err, fx.left(t))
		}

		fx.clk.t = time.Date(2025, 7, 1, 0, 30, 0, 0, domain.ChinaZone()) // July in China, still June 30 in UTC
		if s, err := fx.db.SweepReferrals(ctx, seed.Catalogue()); err != nil || s.Capacity != 1 {
			t.Fatalf("sweep in July: %+v, %v", s, err)
		}
		if fx.left(t) != 2 {
			t.Fatalf("July: left %d, want 2 (the completed service's place renewed, the ongoing one still held)", fx.left(t))
		}
		if s, err := fx.db.SweepReferrals(ctx, seed.Catalogue()); err != nil || s.Capacity != 0 || fx.left(t) != 2 {
			t.Fatalf("second sweep in July: %+v, %v, left %d", s, err, fx.left(t))
		}
		// Rating the June service later does not take a July place.
		fx.move(t, done.ID, domain.ReferralMove{To: domain.ReferralRated, Rating: &domain.Rating{Stars: 5, At: fx.clk.Now(), RecordedBy: "c"}})
		if fx.left(t) != 2 {
			t.Fatalf("after rating the June service: left %d", fx.left(t))
		}
		// Two new acceptances fill July; a third finds no place.
		for i := range 3 {
			r := fx.referralFor(fx.newNeed(t).ID)
			fx.create(t, &r, true)
			_, err := fx.db.MoveReferral(ctx, r.ID, domain.ReferralMove{To: domain.ReferralAccepted, By: "ngo", At: fx.clk.Now()}, nil)
			if want := i < 2; (err == nil) != want {
				t.Fatalf("July acceptance %d: %v", i, err)
			}
		}
		if fx.left(t) != 0 {
			t.Fatalf("July full: left %d", fx.left(t))
		}
	})
}
