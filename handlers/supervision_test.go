package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
)

// fakeReferrals stands in for the referrals collection (another part of
// the loop): tests insert referrals and the oversight code reads them.
type fakeReferrals struct {
	mu   sync.Mutex
	list []domain.Referral
}

func (f *fakeReferrals) add(rs ...domain.Referral) {
	f.mu.Lock()
	f.list = append(f.list, rs...)
	f.mu.Unlock()
}

// pick returns the elements of list that keep accepts, holding mu.
func pick[T any](mu *sync.Mutex, list *[]T, keep func(T) bool) []T {
	mu.Lock()
	defer mu.Unlock()
	var out []T
	for _, x := range *list {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func (f *fakeReferrals) ProviderReferrals(_ context.Context, providerID string) ([]domain.Referral, error) {
	return pick(&f.mu, &f.list, func(r domain.Referral) bool { return r.ProviderID == providerID }), nil
}

func (f *fakeReferrals) ReferralsWithin(_ context.Context, within string) ([]domain.Referral, error) {
	return pick(&f.mu, &f.list, func(r domain.Referral) bool { return domain.PlaceWithin(r.Place, within) }), nil
}

func (f *fakeReferrals) Referral(_ context.Context, id string) (domain.Referral, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.list {
		if r.ID == id {
			return r, nil
		}
	}
	return domain.Referral{}, domain.Errorf(domain.ENOTFOUND, "not found")
}

// endedReferral is a referral to providerID's offering, accepted and then
// ended in state at at, with a rating when stars > 0.
func endedReferral(id, providerID string, at time.Time, state domain.ReferralState, stars int) domain.Referral {
	r := domain.Referral{ID: id, Target: domain.TargetOffering, ProviderID: providerID, Place: "610103002001001", State: state,
		History: []domain.StateChange[domain.ReferralState]{
			{At: at.Add(-48 * time.Hour), To: domain.ReferralAwaitingProvider},
			{At: at.Add(-24 * time.Hour), From: domain.ReferralAwaitingProvider, To: domain.ReferralAccepted},
			{At: at, From: domain.ReferralAccepted, To: state}}}
	if stars > 0 {
		r.Rating = &domain.Rating{Stars: stars, At: at}
	}
	return r
}

func withReferrals(f *fakeReferrals) envOption {
	return func(d *Deps) { d.Oversight.Referrals = f }
}

// lightOf reads a provider's light as a coordinator.
func (e *env) lightOf(token, providerID string) LightResponse {
	e.t.Helper()
	var lr LightResponse
	r := e.do("GET", "/api/v1/providers/"+providerID+"/light", token, nil)
	if r.status != 200 {
		e.t.Fatalf("light: %d %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, &lr); err != nil {
		e.t.Fatal(err)
	}
	return lr
}

// TestTrafficLights computes lights from referral outcomes and ratings over
// the rolling window: failures turn a provider red, the evidence ageing out
// turns it green again, low ratings yellow; every change is recorded with
// its reasons and figures.
func TestTrafficLights(t *testing.T) {
	refs := &fakeReferrals{}
	e := newEnv(t, withReferrals(refs))
	admin := e.login("admin").AccessToken
	coord := e.login("coordinator").AccessToken
	provID := e.newProvider(admin, "ngo", "51610103MJ0000001", "ngo1")
	now := e.clock.Now()
	for i, st := range []domain.ReferralState{domain.ReferralCompleted, domain.ReferralCompleted, domain.ReferralCompleted,
		domain.ReferralDeclined, domain.ReferralDeclined} {
		refs.add(endedReferral(fmt.Sprint("f", i), provID, now.Add(-time.Duration(i+1)*24*time.Hour), st, 0))
	}
	if r := e.do("POST", "/api/v1/providers/"+provID+"/light/recompute", e.login("ngo1").AccessToken, nil); r.status != 403 {
		t.Fatalf("provider recomputes its own light: %d", r.status)
	}
	r := e.do("POST", "/api/v1/providers/"+provID+"/light/recompute", coord, nil)
	if r.status != 200 {
		t.Fatalf("recompute: %d %s", r.status, r.body)
	}
	lr := e.lightOf(coord, provID)
	if lr.Light != domain.LightRed || lr.Computed.Light != domain.LightRed || len(lr.Changes) != 1 ||
		lr.Changes[0].Reasons[0].Code != "failures" || lr.Changes[0].Figures.Failures != 2 || lr.Changes[0].Figures.Outcomes != 5 {
		t.Fatalf("red from failures: %+v", lr)
	}
	if p, _ := e.db.Provider(t.Context(), provID); p.TrafficLight != domain.LightRed {
		t.Fatalf("stored light %s", p.TrafficLight)
	}
	// Recomputing without new evidence changes nothing and records nothing.
	e.do("POST", "/api/v1/providers/"+provID+"/light/recompute", coord, nil)
	if lr := e.lightOf(coord, provID); len(lr.Changes) != 1 {
		t.Fatalf("an unchanged light was recorded: %+v", lr.Changes)
	}

	// 91 days on the evidence is out of the window: green, reason "ok".
	e.clock.Add(91 * 24 * time.Hour)
	coord = e.login("coordinator").AccessToken
	if r := e.do("POST", "/api/v1/providers/"+provID+"/light/recompute", coord, nil); r.status != 200 {
		t.Fatalf("recompute later: %d", r.status)
	}
	lr = e.lightOf(coord, provID)
	if lr.Light != domain.LightGreen || len(lr.Changes) != 2 || lr.Changes[0].To != domain.LightGreen || lr.Changes[0].Reasons[0].Code != "ok" {
		t.Fatalf("green after the window: %+v", lr)
	}

	// Low ratings: yellow.
	later := e.clock.Now()
	for i := range 5 {
		refs.add(endedReferral(fmt.Sprint("g", i), provID, later.Add(-time.Duration(i+1)*time.Hour), domain.ReferralRated, 3))
	}
	if n, err := NewLightKeeper(e.db, refs, domain.LightThresholds{}, e.clock.Now, nil).RecomputeAll(t.Context()); err != nil || n != 1 {
		t.Fatalf("recompute all: %v %d", err, n)
	}
	lr = e.lightOf(coord, provID)
	if lr.Light != domain.LightYellow || lr.Changes[0].Reasons[0].Code != "rating" || lr.Changes[0].Figures.MeanTenths != 30 {
		t.Fatalf("yellow from ratings: %+v", lr)
	}
}

// TestLightCrashRepair crashes a light change between its writes: after the
// intent (the provider unchanged) and after the provider's update (the
// intent not marked). The reconciler finishes both, records each change
// exactly once and clears the complaints' flags.
func TestLightCrashRepair(t *testing.T) {
	var keeper *LightKeeper
	var crashAt string
	var mu sync.Mutex
	e := newEnv(t, func(d *Deps) {
		keeper = NewLightKeeper(d.Oversight.Store, nil, domain.LightThresholds{}, d.Now, d.Logger)
		keeper.crash = func(step string) error {
			mu.Lock()
			defer mu.Unlock()
			if step == crashAt {
				return errors.New("crash at " + step)
			}
			return nil
		}
		d.Oversight.Keeper = keeper
	})
	setCrash := func(s string) { mu.Lock(); crashAt = s; mu.Unlock() }
	admin := e.login("admin").AccessToken
	street := e.login("coordinator.610103002").AccessToken
	provID := e.newProvider(admin, "ngo", "51610103MJ0000001", "ngo1")
	ctx := t.Context()

	uphold := func() map[string]any {
		t.Helper()
		r := e.do("POST", "/api/v1/complaints", street, map[string]any{"provider_id": provID, "category": "quality", "text": "服务敷衍"})
		if r.status != 201 {
			t.Fatalf("file: %d %s", r.status, r.body)
		}
		id := r.json(t)["id"].(string)
		e.do("POST", "/api/v1/complaints/"+id+"/review", street, nil)
		r = e.do("POST", "/api/v1/complaints/"+id+"/uphold", street, map[string]string{"finding": "属实"})
		if r.status != 200 {
			t.Fatalf("uphold: %d %s", r.status, r.body)
		}
		return r.json(t)
	}

	// Crash after the intent: the decision stands, the light waits.
	setCrash("intent")
	if got := uphold(); got["state"] != "upheld" || got["light"] != nil {
		t.Fatalf("upheld with a crash: %v", got)
	}
	if p, _ := e.db.Provider(ctx, provID); p.TrafficLight != domain.LightGreen {
		t.Fatalf("light moved despite the crash: %s", p.TrafficLight)
	}
	if pend, _ := e.db.PendingLightChanges(ctx); len(pend) != 1 {
		t.Fatalf("pending intents: %+v", pend)
	}
	if pend, _ := e.db.PendingLightComplaints(ctx); len(pend) != 1 {
		t.Fatalf("flagged complaints: %+v", pend)
	}
	setCrash("")
	if n, err := keeper.Reconcile(ctx); err != nil || n != 1 {
		t.Fatalf("reconcile: %v %d", err, n)
	}
	if p, _ := e.db.Provider(ctx, provID); p.TrafficLight != domain.LightYellow {
		t.Fatalf("light after repair: %s", p.TrafficLight)
	}
	if pend, _ := e.db.PendingLightComplaints(ctx); len(pend) != 0 {
		t.Fatalf("complaints still flagged: %+v", pend)
	}

	// Second upheld complaint: still yellow, nothing to record.
	if got := uphold(); got["light"].(map[string]any)["light"] != "yellow" {
		t.Fatalf("second complaint: %v", got)
	}
	// Third: red, but the crash comes after the provider's update.
	setCrash("provider")
	uphold()
	if p, _ := e.db.Provider(ctx, provID); p.TrafficLight != domain.LightRed {
		t.Fatalf("provider not updated before the crash: %s", p.TrafficLight)
	}
	setCrash("")
	if _, err := keeper.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	changes, _ := e.db.LightChanges(ctx, provID, 0)
	if len(changes) != 2 || changes[0].To != domain.LightRed || changes[1].To != domain.LightYellow {
		t.Fatalf("changes after repairs: %+v", changes)
	}
	if pend, _ := e.db.PendingLightChanges(ctx); len(pend) != 0 {
		t.Fatalf("intents left: %+v", pend)
	}
	if n, err := keeper.Reconcile(ctx); err != nil || n != 0 {
		t.Fatalf("second reconcile: %v %d", err, n)
	}
}

// TestRedProviderGetsNoProposals: a matching run proposes a provider's
// offering; three upheld complaints turn the provider red; the next run
// proposes it to nobody.
func TestRedProviderGetsNoProposals(t *testing.T) {
	e := newEnv(t)
	street := e.login("coordinator.610103002").AccessToken
	_, offering := runFixture(e, street)
	first := e.waitRun(street, e.startRun(street, nil), nil)
	if ps := e.proposalsOf(street, "run="+first.ID+"&kind=service"); len(ps) != 1 || ps[0].TargetID != offering.ID {
		t.Fatalf("first run: %+v", ps)
	}
	for range 3 {
		r := e.do("POST", "/api/v1/complaints", street, map[string]any{"provider_id": offering.ProviderID, "category": "safety", "text": "未按规范操作"})
		id := r.json(t)["id"].(string)
		e.do("POST", "/api/v1/complaints/"+id+"/review", street, nil)
		if r := e.do("POST", "/api/v1/complaints/"+id+"/uphold", street, map[string]string{"finding": "属实"}); r.status != 200 {
			t.Fatalf("uphold: %d %s", r.status, r.body)
		}
	}
	if p, _ := e.db.Provider(t.Context(), offering.ProviderID); p.TrafficLight != domain.LightRed {
		t.Fatalf("light: %s", p.TrafficLight)
	}
	second := e.waitRun(street, e.startRun(street, nil), nil)
	if ps := e.proposalsOf(street, "run="+second.ID+"&kind=service"); slices.ContainsFunc(ps, func(p ProposalResponse) bool { return p.TargetID == offering.ID }) {
		t.Fatalf("a red provider was proposed: %+v", ps)
	}
}

// fakeRecords stands in for the service records collection.
type fakeRecords struct {
	mu         sync.Mutex
	recs       []domain.ServiceRecord
	failSettle int
	settles    int
}

func (f *fakeRecords) ProviderServiceRecords(_ context.Context, providerID string) ([]domain.ServiceRecord, error) {
	return pick(&f.mu, &f.recs, func(r domain.ServiceRecord) bool { return r.ProviderID == providerID }), nil
}

func (f *fakeRecords) SettleServiceRecords(_ context.Context, statementID string, ids []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failSettle > 0 {
		f.failSettle--
		return errors.New("crash before marking")
	}
	f.settles++
	for i := range f.recs {
		if slices.Contains(ids, f.recs[i].ID) && f.recs[i].StatementID == "" {
			f.recs[i].StatementID = statementID
		}
	}
	return nil
}

func (f *fakeRecords) statementOf(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.recs {
		if r.ID == id {
			return r.StatementID
		}
	}
	return ""
}

// TestSettlements builds monthly statements from confirmed priced records:
// the totals, the record confirmed late going into the next month's
// statement, rebuilding answering the stored one, a crash between storing a
// statement and marking its records repaired without settling anything
// twice, and who may see which statement.
func TestSettlements(t *testing.T) {
	recs := &fakeRecords{}
	e := newEnv(t, func(d *Deps) { d.Oversight.Records = recs })
	admin := e.login("admin").AccessToken
	coord := e.login("coordinator").AccessToken
	provID := e.newProvider(admin, "ngo", "51610103MJ0000001", "ngo1")
	otherID := e.newProvider(admin, "ngo", "51610103MJ0000002", "ngo2")
	ngo := e.login("ngo1").AccessToken

	cn := e.clock.Now().In(domain.ChinaZone())
	thisMonth := time.Date(cn.Year(), cn.Month(), 1, 0, 0, 0, 0, domain.ChinaZone())
	m1, m2 := thisMonth.AddDate(0, -2, 0), thisMonth.AddDate(0, -1, 0)
	day := func(m time.Time, d int) time.Time { return m.AddDate(0, 0, d-1).Add(10 * time.Hour) }
	rec := func(id, prov string, date, confirmed time.Time, voucher, other domain.Fen) domain.ServiceRecord {
		return domain.ServiceRecord{ID: id, ReferralID: "ref-" + id, ProviderID: prov, Item: "meals", Date: date, Units: 1,
			VoucherFen: voucher, OtherFen: other, ConfirmedAt: confirmed}
	}
	recs.recs = []domain.ServiceRecord{
		rec("a", provID, day(m1, 3), day(m1, 4), 1500, 500),
		rec("b", provID, day(m1, 10), day(m1, 11), 3000, 0),
		rec("late", provID, day(m1, 28), day(m2, 2), 2000, 0), // confirmed the next month
		rec("free", provID, day(m1, 5), day(m1, 5), 0, 0),     // unpriced: never a line
		rec("c", provID, day(m2, 7), day(m2, 7), 1000, 0),
		rec("x", otherID, day(m1, 3), day(m1, 4), 9900, 0), // another provider's
	}
	month1, month2 := m1.Format("2006-01"), m2.Format("2006-01")
	get := func(token, query string) response {
		t.Helper()
		return e.do("GET", "/api/v1/settlements?"+query, token, nil)
	}

	// A crash before the records are marked: the statement is stored.
	recs.failSettle = 1
	r := get(admin, "provider="+provID+"&month="+month1)
	if r.status != 200 {
		t.Fatalf("statement: %d %s", r.status, r.body)
	}
	var st domain.Statement
	if err := json.Unmarshal(r.body, &st); err != nil {
		t.Fatal(err)
	}
	if st.ID != domain.StatementID(provID, month1) || len(st.Lines) != 2 || st.VoucherFen != 4500 || st.OtherFen != 500 ||
		st.TotalFen != 5000 || st.PendingRecords != 1 || st.PendingFen != 2000 || len(st.ByItem) != 1 || st.ByItem[0].Records != 2 {
		t.Fatalf("statement of %s: %+v", month1, st)
	}
	if recs.statementOf("a") != "" {
		t.Fatalf("records marked despite the crash")
	}
	// The next read repairs the marks and answers the stored statement.
	r = get(ngo, "month="+month1)
	var again domain.Statement
	if err := json.Unmarshal(r.body, &again); err != nil || r.status != 200 || again.TotalFen != 5000 || !again.CreatedAt.Equal(st.CreatedAt) {
		t.Fatalf("stored statement: %d %s", r.status, r.body)
	}
	if recs.statementOf("a") != st.ID || recs.statementOf("b") != st.ID || recs.statementOf("late") != "" {
		t.Fatalf("marks after repair: a=%q b=%q late=%q", recs.statementOf("a"), recs.statementOf("b"), recs.statementOf("late"))
	}

	// The next month: its own record and the late one, nothing twice.
	r = get(admin, "provider="+provID+"&month="+month2)
	var st2 domain.Statement
	if err := json.Unmarshal(r.body, &st2); err != nil || r.status != 200 {
		t.Fatalf("second statement: %d %s", r.status, r.body)
	}
	lines := map[string]bool{}
	for _, l := range st2.Lines {
		lines[l.RecordID] = l.Late
	}
	if len(st2.Lines) != 2 || !lines["late"] || lines["c"] || st2.TotalFen != 3000 {
		t.Fatalf("statement of %s: %+v", month2, st2)
	}

	// The month under way cannot be settled; the month must be well-formed.
	if r := get(admin, "provider="+provID+"&month="+thisMonth.Format("2006-01")); r.status != 409 {
		t.Fatalf("current month: %d %s", r.status, r.body)
	}
	if r := get(admin, "provider="+provID+"&month=2025-13"); r.status != 400 || !slices.Contains(r.fields(t), "month") {
		t.Fatalf("bad month: %d %s", r.status, r.body)
	}
	// Who sees what.
	if r := get(ngo, "provider="+otherID+"&month="+month1); r.status != 403 {
		t.Fatalf("provider reads another's statement: %d", r.status)
	}
	if r := get(e.login("volunteer1").AccessToken, "month="+month1); r.status != 403 {
		t.Fatalf("volunteer without a provider: %d", r.status)
	}
	r = get(coord, "month="+month1)
	if r.status != 200 || len(r.json(t)["items"].([]any)) != 1 {
		t.Fatalf("month list: %d %s", r.status, r.body)
	}
	if r := get(coord, "provider=nope&month="+month1); r.status != 400 || !slices.Contains(r.fields(t), "provider") {
		t.Fatalf("unknown provider: %d %s", r.status, r.body)
	}
}
