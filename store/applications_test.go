package store_test

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/store"
)

// appFx is a store at a settable clock with an enterprise, its open job, a
// household of 东木头市社区 whose head m1 consents to employers (m2, a child,
// consents to nothing), m1's employment need and a matching run's proposal
// of the job for it.
type appFx struct {
	db         *store.DB
	clk        *taskClock
	household  domain.Household
	enterprise domain.Provider
	job        domain.JobOpening
	need       domain.Need
	proposal   store.Proposal
}

const appPlace = "610103002001001"

func forEachAppTarget(t *testing.T, fn func(t *testing.T, fx *appFx)) {
	t.Helper()
	for _, tg := range testenv.MongoTargets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			clk := &taskClock{t: time.Date(2025, 6, 14, 8, 0, 0, 0, time.UTC)}
			fx := &appFx{db: openPatient(t, tg, clk.Now), clk: clk}
			ctx := t.Context()
			fx.household = fx.newHousehold(t, "61990119800101002", "61990120150101003")
			fx.enterprise = domain.Provider{Kind: domain.ProviderEnterprise, Name: "碑林家政服务有限公司", ContactPhone: "13800003333",
				Place: "610103002000", Area: domain.ServiceArea{Places: []string{"610103002000"}},
				Verification: domain.VerificationVerified, TrafficLight: domain.LightGreen}
			if err := fx.db.CreateProvider(ctx, &fx.enterprise); err != nil {
				t.Fatal(err)
			}
			fx.job = mustCreateJob(t, fx.db, job(fx.enterprise.ID, "小区保洁员", "610103002001"))
			fx.need = domain.Need{HouseholdID: fx.household.ID, MemberID: "m1", Place: appPlace, Item: "flexible_employment",
				NeutralNote: "想找一份离家近的工作", PreferredTime: "工作日白天", Urgency: domain.UrgencyNormal,
				Channel: domain.ChannelHomeVisit, CreatedBy: "coordinator"}
			if err := fx.db.CreateNeed(ctx, &fx.need); err != nil {
				t.Fatal(err)
			}
			fx.proposal = fx.propose(t, fx.need, fx.job.ID)
			fn(t, fx)
		})
	}
}

// newHousehold files a household whose first member consents to employers.
func (fx *appFx) newHousehold(t *testing.T, id17s ...string) domain.Household {
	t.Helper()
	var ids []string
	for _, s := range id17s {
		ids = append(ids, idNumber(t, s))
	}
	h := household(appPlace, ids...)
	h.Members[0].Skills = []string{"保洁", "做饭"}
	h.Members[0].Phone = "13900001234"
	h.Consents = []domain.ConsentEvent{{MemberID: "m1", Recipient: domain.RecipientEmployer, Action: domain.ConsentGrant,
		At: fx.clk.Now().Add(-time.Hour), Method: domain.ConsentWritten, RecordedBy: "coordinator"}}
	if err := fx.db.CreateHousehold(t.Context(), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// propose writes a run's job proposal for a need.
func (fx *appFx) propose(t *testing.T, n domain.Need, jobID string) store.Proposal {
	t.Helper()
	ps := []store.Proposal{{Item: n.Item, TargetTitle: "小区保洁员", Proposal: domain.Proposal{RunID: "run-1",
		Kind: domain.ProposalService, HouseholdID: n.HouseholdID, MemberID: n.MemberID, NeedID: n.ID, Place: n.Place,
		Target: domain.TargetJob, TargetID: jobID, ProviderID: fx.enterprise.ID, Score: 900,
		Factors: map[string]float64{"category_fit": 900}}}}
	if _, err := fx.db.InsertProposals(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	return ps[0]
}

// apply creates the application from the fixture proposal.
func (fx *appFx) apply(t *testing.T) store.Application {
	t.Helper()
	a := store.Application{ProposalID: fx.proposal.ID, CreatedBy: "coordinator",
		JobApplication: domain.JobApplication{JobID: fx.job.ID, HouseholdID: fx.household.ID, MemberID: "m1"}}
	if created, err := fx.db.CreateApplication(t.Context(), &a); err != nil || !created {
		t.Fatalf("CreateApplication = %v, %v", created, err)
	}
	return a
}

func (fx *appFx) move(t *testing.T, a store.Application, to domain.ApplicationState) store.Application {
	t.Helper()
	fx.clk.Add(time.Minute)
	got, err := fx.db.MoveApplication(t.Context(), a, store.ApplicationMove{To: to, By: "ent1", Note: "note " + string(to)})
	if err != nil {
		t.Fatalf("move to %s: %v", to, err)
	}
	return got
}

func (fx *appFx) reload(t *testing.T, id string) store.Application {
	t.Helper()
	a, err := fx.db.Application(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (fx *appFx) needState(t *testing.T) domain.NeedState {
	t.Helper()
	n, err := fx.db.Need(t.Context(), fx.need.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n.State
}

func (fx *appFx) employmentEntries(t *testing.T) []domain.LogEntry {
	t.Helper()
	log, err := fx.db.HouseholdLog(t.Context(), fx.household.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.LogEntry
	for _, e := range log {
		if e.Kind == domain.LogEmployment {
			out = append(out, e)
		}
	}
	return out
}

func (fx *appFx) householdNow(t *testing.T) domain.Household {
	t.Helper()
	h, err := fx.db.Household(t.Context(), fx.household.ID)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestApplicationFromProposalIsIdempotent(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		ctx := t.Context()
		a := fx.apply(t)
		if a.ID != store.ApplicationIDFor(fx.proposal.ID) || a.State != domain.ApplicationApplied || a.Synced ||
			a.EnterpriseID != fx.enterprise.ID || a.JobTitle != "小区保洁员" || a.Place != appPlace || a.NeedID != "" ||
			len(a.History) != 1 || a.History[0].By != "coordinator" {
			t.Fatalf("created: %+v", a)
		}
		// The retried request finds the application it made.
		again := store.Application{ProposalID: fx.proposal.ID, CreatedBy: "coordinator",
			JobApplication: domain.JobApplication{JobID: fx.job.ID, HouseholdID: fx.household.ID, MemberID: "m1"}}
		if created, err := fx.db.CreateApplication(ctx, &again); err != nil || created || again.ID != a.ID || again.Version != 1 {
			t.Fatalf("retry: created %v, %+v, %v", created, again, err)
		}
		// A second live application of the member to the job, by hand.
		manual := store.Application{CreatedBy: "coordinator",
			JobApplication: domain.JobApplication{JobID: fx.job.ID, HouseholdID: fx.household.ID, MemberID: "m1"}}
		if _, err := fx.db.CreateApplication(ctx, &manual); domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(errFields(err), "member_id") {
			t.Fatalf("second live application: %v", err)
		}
		if err := fx.db.SyncApplication(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		p, err := fx.db.Proposal(ctx, fx.proposal.ID)
		if err != nil || p.State != domain.ProposalAccepted || p.DecidedBy != "coordinator" {
			t.Fatalf("proposal after sync: %+v, %v", p, err)
		}
		if !fx.reload(t, a.ID).Synced {
			t.Fatal("not synced")
		}
	})
}

func TestApplicationChecks(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		ctx := t.Context()
		mk := func(jobID, member string) error {
			a := store.Application{CreatedBy: "coordinator",
				JobApplication: domain.JobApplication{JobID: jobID, HouseholdID: fx.household.ID, MemberID: member}}
			_, err := fx.db.CreateApplication(ctx, &a)
			return err
		}
		if err := mk(fx.job.ID, "m2"); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(errFields(err), "member_id:consent") {
			t.Fatalf("without consent: %v", err)
		}
		if err := mk(fx.job.ID, "m9"); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(errFields(err), "member_id:exists") {
			t.Fatalf("no such member: %v", err)
		}
		if err := mk("nope", "m1"); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(errFields(err), "job_id") {
			t.Fatalf("no such job: %v", err)
		}
		closed := job(fx.enterprise.ID, "已招满", "610103002001")
		closed.Status = domain.JobClosed
		closed = mustCreateJob(t, fx.db, closed)
		if err := mk(closed.ID, "m1"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("closed job: %v", err)
		}
		if _, err := fx.db.SetDoNotContact(ctx, fx.household.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := mk(fx.job.ID, "m1"); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(errFields(err), "member_id:consent") {
			t.Fatalf("do not contact: %v", err)
		}
	})
}

// errFields lists an error's "field:rule" pairs.
func errFields(err error) string {
	var e *domain.Error
	if !errors.As(err, &e) {
		return ""
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+":"+f.Rule)
	}
	return strings.Join(out, ",")
}

func TestApplicationTransitionsAndHire(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		ctx := t.Context()
		a := store.Application{ProposalID: fx.proposal.ID, NeedID: fx.need.ID, CreatedBy: "coordinator",
			JobApplication: domain.JobApplication{JobID: fx.job.ID, HouseholdID: fx.household.ID, MemberID: "m1"}}
		if _, err := fx.db.CreateApplication(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if err := fx.db.SyncApplication(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if s := fx.needState(t); s != domain.NeedMatched {
			t.Fatalf("need after applying: %s", s)
		}
		a = fx.reload(t, a.ID)
		iv := fx.move(t, a, domain.ApplicationInterview)
		// The copy read before the interview is stale now.
		if _, err := fx.db.MoveApplication(ctx, a, store.ApplicationMove{To: domain.ApplicationRejected, By: "ent1"}); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale move: %v", err)
		}
		if _, err := fx.db.MoveApplication(ctx, iv, store.ApplicationMove{To: domain.ApplicationApplied, By: "ent1"}); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("illegal move back: %v", err)
		}
		if fx.reload(t, a.ID).State != domain.ApplicationInterview {
			t.Fatal("a refused move changed the state")
		}
		fx.clk.Add(time.Minute)
		hired, err := fx.db.MoveApplication(ctx, iv, store.ApplicationMove{To: domain.ApplicationHired, By: "ent1", Note: "下周一上岗", WageFen: 230000})
		if err != nil {
			t.Fatal(err)
		}
		if hired.Synced || hired.WageFen != 230000 || len(hired.History) != 3 || hired.History[2].By != "ent1" ||
			!hired.HiredAt().Equal(fx.clk.Now()) || hired.History[2].From != domain.ApplicationInterview {
			t.Fatalf("hired: %+v", hired)
		}
		if err := fx.db.SyncApplication(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		emp := fx.employmentEntries(t)
		if len(emp) != 1 || emp[0].ID != store.EmploymentLogID(a.ID) || emp[0].RefID != a.ID || emp[0].Author != "ent1" ||
			!strings.Contains(emp[0].Text, "小区保洁员") || !strings.Contains(emp[0].Text, "碑林家政服务有限公司") ||
			!strings.Contains(emp[0].Text, domain.Fen(230000).String()) || !emp[0].At.Equal(hired.HiredAt()) {
			t.Fatalf("employment entry: %+v", emp)
		}
		h := fx.householdNow(t)
		if h.Review == nil || h.Review.Reason != domain.ReviewReasonHire || h.Review.Source != "application:"+a.ID {
			t.Fatalf("review flag: %+v", h.Review)
		}
		if s := fx.needState(t); s != domain.NeedResolved {
			t.Fatalf("need after the hire: %s", s)
		}
		if _, err := fx.db.MoveApplication(ctx, fx.reload(t, a.ID), store.ApplicationMove{To: domain.ApplicationWithdrawn, By: "c"}); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("a decision is final: %v", err)
		}
		ledger, err := fx.db.EmploymentLedger(ctx, fx.household.ID)
		if err != nil || len(ledger) != 1 || ledger[0].Application == nil || ledger[0].Job == nil ||
			ledger[0].EnterpriseName != "碑林家政服务有限公司" || ledger[0].Application.WageFen != 230000 {
			t.Fatalf("ledger: %+v, %v", ledger, err)
		}
		// A hire ended the live slot: the member may apply to the job again.
		again := store.Application{CreatedBy: "coordinator",
			JobApplication: domain.JobApplication{JobID: fx.job.ID, HouseholdID: fx.household.ID, MemberID: "m1"}}
		if _, err := fx.db.CreateApplication(ctx, &again); err != nil {
			t.Fatalf("after a decision: %v", err)
		}
		for _, c := range []struct {
			f    store.ApplicationFilter
			want int
		}{
			{store.ApplicationFilter{EnterpriseID: fx.enterprise.ID}, 2},
			{store.ApplicationFilter{JobID: fx.job.ID, State: domain.ApplicationHired}, 1},
			{store.ApplicationFilter{Within: "610103002000", HouseholdID: fx.household.ID}, 2},
			{store.ApplicationFilter{Within: "610103003000"}, 0},
			{store.ApplicationFilter{EnterpriseID: "other"}, 0},
		} {
			if l, _, err := fx.db.ListApplications(ctx, c.f); err != nil || len(l) != c.want {
				t.Errorf("ListApplications(%+v) = %d, %v; want %d", c.f, len(l), err, c.want)
			}
		}
	})
}

// TestApplicationWithdrawGivesNeedBack: an application that ends without a
// hire gives its need back (open).
func TestApplicationWithdrawGivesNeedBack(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		a := store.Application{ProposalID: fx.proposal.ID, NeedID: fx.need.ID, CreatedBy: "coordinator",
			JobApplication: domain.JobApplication{JobID: fx.job.ID, HouseholdID: fx.household.ID, MemberID: "m1"}}
		if _, err := fx.db.CreateApplication(t.Context(), &a); err != nil {
			t.Fatal(err)
		}
		w := fx.move(t, a, domain.ApplicationWithdrawn)
		if n, err := fx.db.SweepApplications(t.Context()); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v", n, err)
		}
		if s := fx.needState(t); s != domain.NeedOpen {
			t.Fatalf("need after withdrawal: %s", s)
		}
		if len(fx.employmentEntries(t)) != 0 || fx.householdNow(t).Review != nil || !fx.reload(t, w.ID).Synced {
			t.Fatal("a withdrawal writes no employment and raises no review")
		}
	})
}

// TestApplicationCrashRepair crashes at each point between an application's
// own update and what follows it; the sweep repairs each, and repairing
// twice writes nothing twice.
func TestApplicationCrashRepair(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		ctx := t.Context()
		// Crash between the application and its proposal's acceptance.
		a := fx.apply(t)
		if p, _ := fx.db.Proposal(ctx, fx.proposal.ID); p.State != domain.ProposalProposed {
			t.Fatalf("before the sweep the proposal is %s", p.State)
		}
		// Crash right after the hire's own update (nothing else written).
		hired := fx.move(t, fx.move(t, a, domain.ApplicationInterview), domain.ApplicationHired)
		if len(fx.employmentEntries(t)) != 0 || fx.householdNow(t).Review != nil {
			t.Fatal("nothing follows without a sync")
		}
		if n, err := fx.db.SweepApplications(ctx); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v", n, err)
		}
		if p, _ := fx.db.Proposal(ctx, fx.proposal.ID); p.State != domain.ProposalAccepted {
			t.Fatalf("proposal after the sweep: %s", p.State)
		}
		h := fx.householdNow(t)
		if len(fx.employmentEntries(t)) != 1 || h.Review == nil || !fx.reload(t, a.ID).Synced {
			t.Fatalf("after the sweep: %d entries, review %+v", len(fx.employmentEntries(t)), h.Review)
		}
		if n, err := fx.db.SweepApplications(ctx); err != nil || n != 0 {
			t.Fatalf("second sweep = %d, %v", n, err)
		}

		// Crash after the employment entry, before the flag: a second
		// household's hire whose log entry is written, then the process dies.
		other := fx.newHousehold(t, "61990119750101004")
		b := store.Application{CreatedBy: "coordinator",
			JobApplication: domain.JobApplication{JobID: fx.job.ID, HouseholdID: other.ID, MemberID: "m1"}}
		if _, err := fx.db.CreateApplication(ctx, &b); err != nil {
			t.Fatal(err)
		}
		b = fx.move(t, b, domain.ApplicationHired)
		if err := fx.db.AppendLog(ctx, domain.LogEntry{ID: store.EmploymentLogID(b.ID), HouseholdID: other.ID, MemberID: "m1",
			Kind: domain.LogEmployment, At: b.HiredAt(), Author: "ent1", Text: "受聘", RefID: b.ID}); err != nil {
			t.Fatal(err)
		}
		if n, err := fx.db.SweepApplications(ctx); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v", n, err)
		}
		log, _ := fx.db.HouseholdLog(ctx, other.ID)
		oh, _ := fx.db.Household(ctx, other.ID)
		if len(log) != 1 || oh.Review == nil || oh.Review.Source != "application:"+b.ID {
			t.Fatalf("repaired: log %+v, review %+v", log, oh.Review)
		}
		// Crash after the flag, before "synced": the repair writes nothing again.
		version := oh.Version
		if err := fx.db.MarkApplicationUnsynced(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := fx.db.SweepApplications(ctx); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v", n, err)
		}
		log, _ = fx.db.HouseholdLog(ctx, other.ID)
		oh, _ = fx.db.Household(ctx, other.ID)
		if len(log) != 1 || oh.Version != version {
			t.Fatalf("a repeated repair wrote again: %d entries, version %d → %d", len(log), version, oh.Version)
		}
		_ = hired
	})
}

// TestApplicationConcurrentMoves: many enterprise sessions decide one
// application at once; exactly one decision wins.
func TestApplicationConcurrentMoves(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		a := fx.apply(t)
		const n = 20
		var wins atomic.Int32
		var winner atomic.Value
		var wg sync.WaitGroup
		for i := range n {
			to := domain.ApplicationHired
			if i%2 == 1 {
				to = domain.ApplicationRejected
			}
			wg.Go(func() {
				got, err := fx.db.MoveApplication(t.Context(), a, store.ApplicationMove{To: to, By: "ent1"})
				switch domain.ErrorCode(err) {
				case "":
					wins.Add(1)
					winner.Store(got.State)
				case domain.ECONFLICT:
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got := fx.reload(t, a.ID)
		if wins.Load() != 1 || got.State != winner.Load() || len(got.History) != 2 || got.Version != 2 {
			t.Fatalf("%d winners; stored %s (winner %v), %d history entries, version %d", wins.Load(), got.State, winner.Load(), len(got.History), got.Version)
		}
	})
}

func TestJobCandidates(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		ctx := t.Context()
		// m2 has no consent; another household asked not to be contacted;
		// a proposal of another job; a rejected proposal.
		noConsent := fx.need
		noConsent.ID, noConsent.MemberID = "", "m2"
		if err := fx.db.CreateNeed(ctx, &noConsent); err != nil {
			t.Fatal(err)
		}
		fx.propose(t, noConsent, fx.job.ID)
		dnc := fx.newHousehold(t, "61990119700101005")
		if _, err := fx.db.SetDoNotContact(ctx, dnc.ID, true); err != nil {
			t.Fatal(err)
		}
		dncNeed := fx.need
		dncNeed.ID, dncNeed.HouseholdID = "", dnc.ID
		if err := fx.db.CreateNeed(ctx, &dncNeed); err != nil {
			t.Fatal(err)
		}
		fx.propose(t, dncNeed, fx.job.ID)
		fx.propose(t, fx.need, "another-job")
		rejected := fx.propose(t, fx.need, fx.job.ID)
		if err := rejected.Reject(domain.RejectNotSuitable, "", "coordinator", fx.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if err := fx.db.DecideProposal(ctx, &rejected.Proposal); err != nil {
			t.Fatal(err)
		}

		cs, err := fx.db.JobCandidates(ctx, fx.job.ID, "")
		if err != nil || len(cs) != 1 || cs[0].Proposal.ID != fx.proposal.ID || cs[0].Availability != "工作日白天" ||
			cs[0].Household.ID != fx.household.ID {
			t.Fatalf("candidates: %+v, %v", cs, err)
		}
		if cs, _ := fx.db.JobCandidates(ctx, fx.job.ID, "610103003000"); len(cs) != 0 {
			t.Fatalf("another street's coordinator sees %d", len(cs))
		}
		// Withdrawing the consent hides the candidate at once.
		fx.clk.Add(time.Minute)
		if _, err := fx.db.AppendConsent(ctx, fx.household.ID, domain.ConsentEvent{MemberID: "m1", Recipient: domain.RecipientEmployer,
			Action: domain.ConsentWithdraw, At: fx.clk.Now(), Method: domain.ConsentVerbal, RecordedBy: "coordinator"}); err != nil {
			t.Fatal(err)
		}
		if cs, _ := fx.db.JobCandidates(ctx, fx.job.ID, ""); len(cs) != 0 {
			t.Fatalf("after withdrawal: %+v", cs)
		}
	})
}

func TestConsentsAndReviewFlag(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		ctx := t.Context()
		id := fx.household.ID
		at := fx.clk.Now()
		ev := func(member string, r domain.RecipientKind, act domain.ConsentAction, g *domain.Guardian) domain.ConsentEvent {
			return domain.ConsentEvent{MemberID: member, Recipient: r, Action: act, At: at, Method: domain.ConsentWritten,
				RecordedBy: "coordinator", Guardian: g}
		}
		if _, err := fx.db.AppendConsent(ctx, id, ev("m2", domain.RecipientVolunteer, domain.ConsentGrant, nil)); domain.ErrorCode(err) != domain.EINVALID ||
			!strings.Contains(errFields(err), "guardian:required") {
			t.Fatalf("a child without a guardian: %v", err)
		}
		if _, err := fx.db.AppendConsent(ctx, id, ev("m9", domain.RecipientVolunteer, domain.ConsentGrant, nil)); !strings.Contains(errFields(err), "member_id:exists") {
			t.Fatalf("no such member: %v", err)
		}
		h, err := fx.db.AppendConsent(ctx, id, ev("m2", domain.RecipientVolunteer, domain.ConsentGrant,
			&domain.Guardian{Name: "成员甲", Relation: domain.RelationParent, MemberID: "m1"}))
		if err != nil || !h.Allows("m2", domain.RecipientVolunteer) || h.Version != fx.household.Version+1 || len(h.Consents) != 2 {
			t.Fatalf("guardian's grant: %+v, %v", h, err)
		}
		// Ten coordinators record at once: every event is kept, in one
		// version-guarded update each.
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if _, err := fx.db.AppendConsent(ctx, id, ev("m1", domain.RecipientNGOUnit, domain.ConsentGrant, nil)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		h = fx.householdNow(t)
		if len(h.Consents) != 12 || h.Version != fx.household.Version+11 || h.Consents[0].RecordedBy != "coordinator" {
			t.Fatalf("after concurrent appends: %d events, version %d", len(h.Consents), h.Version)
		}

		if h, err := fx.db.SetDoNotContact(ctx, id, true); err != nil || !h.DoNotContact || h.Allows("m1", domain.RecipientEmployer) {
			t.Fatalf("do not contact: %+v, %v", h, err)
		}

		if _, err := fx.db.ClearReview(ctx, id, 0, "coordinator", "x"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("no review due: %v", err)
		}
		r := domain.AssistanceReview{Reason: domain.ReviewReasonHire, Since: at, Source: "application:a1"}
		if err := fx.db.RaiseReview(ctx, id, r); err != nil {
			t.Fatal(err)
		}
		second := r
		second.Source = "application:a2"
		if err := fx.db.RaiseReview(ctx, id, second); err != nil {
			t.Fatal(err)
		}
		h = fx.householdNow(t)
		if h.Review == nil || h.Review.Source != "application:a1" {
			t.Fatalf("the first flag stands: %+v", h.Review)
		}
		if _, err := fx.db.ClearReview(ctx, id, h.Version-1, "coordinator", "已核对收入"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale clear: %v", err)
		}
		cleared, err := fx.db.ClearReview(ctx, id, h.Version, "coordinator", "已核对收入")
		if err != nil || cleared.Review != nil {
			t.Fatalf("clear: %+v, %v", cleared.Review, err)
		}
		log, _ := fx.db.HouseholdLog(ctx, id)
		if len(log) != 1 || log[0].Kind != domain.LogNote || !strings.Contains(log[0].Text, "已核对收入") || log[0].RefID != "application:a1" {
			t.Fatalf("review note: %+v", log)
		}
	})
}

// TestInsertApplications: the demo loader's bulk insert fills what it can
// from the jobs and households, and the sweep writes what the hires imply.
func TestInsertApplications(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		ctx := t.Context()
		at := fx.clk.Now().Add(-time.Hour)
		as := []store.Application{{ProposalID: fx.proposal.ID, NeedID: fx.need.ID, CreatedBy: "coordinator",
			JobApplication: domain.JobApplication{JobID: fx.job.ID, HouseholdID: fx.household.ID, MemberID: "m1",
				State: domain.ApplicationHired, AppliedAt: at}}}
		if n, err := fx.db.InsertApplications(ctx, as); err != nil || n != 1 {
			t.Fatalf("InsertApplications = %d, %v", n, err)
		}
		if n, _ := fx.db.InsertApplications(ctx, as); n != 0 {
			t.Fatalf("inserted twice: %d", n)
		}
		a := fx.reload(t, store.ApplicationIDFor(fx.proposal.ID))
		if a.EnterpriseID != fx.enterprise.ID || a.Place != appPlace || a.JobTitle != "小区保洁员" || a.Synced || len(a.History) != 1 {
			t.Fatalf("inserted: %+v", a)
		}
		if n, err := fx.db.SweepApplications(ctx); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v", n, err)
		}
		p, _ := fx.db.Proposal(ctx, fx.proposal.ID)
		if len(fx.employmentEntries(t)) != 1 || fx.householdNow(t).Review == nil || p.State != domain.ProposalAccepted ||
			fx.needState(t) != domain.NeedResolved {
			t.Fatalf("after the sweep: proposal %s, need %s", p.State, fx.needState(t))
		}
	})
}
