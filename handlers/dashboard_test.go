package handlers

import (
	"encoding/json"
	"log/slog"
	"os"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/seed"
	"lianzhu/store"
)

// dashboardOf reads a dashboard.
func (e *env) dashboardOf(token, query string) DashboardResponse {
	e.t.Helper()
	r := e.do("GET", "/api/v1/dashboard"+query, token, nil)
	if r.status != 200 {
		e.t.Fatalf("dashboard%s: %d %s", query, r.status, r.body)
	}
	var d DashboardResponse
	if err := json.Unmarshal(r.body, &d); err != nil {
		e.t.Fatal(err)
	}
	return d
}

// TestDashboard fills a street with needs in several states, a matching
// run that leaves one need unserved, a referral gone into service three
// days after its need, a household just outside 低保 and providers of two
// lights, and checks every figure, the wire format of the missing voucher
// source, and the scope checks.
func TestDashboard(t *testing.T) {
	refs := &fakeReferrals{}
	e := newEnv(t, withReferrals(refs))
	street := e.login("coordinator.610103002").AccessToken
	ctx := t.Context()
	needs, _ := runFixture(e, street)
	run := e.waitRun(street, e.startRun(street, nil), nil)
	if run.Status != store.RunDone {
		t.Fatalf("run: %+v", run)
	}
	e.householdWithIncome(street, runHome, "61990119500101010", e.dibaoStandard()+8600, false)
	dup := e.do("POST", "/api/v1/needs", street, map[string]any{"household_id": e.householdWithIncome(street, runHome, "61990119500101029", 50000, false),
		"member_id": "m1", "item": "meal", "own_words": "吃饭难", "neutral_note": "需要助餐", "urgency": "normal", "channel": "home_visit"})
	if dup.status != 201 {
		t.Fatalf("need: %d %s", dup.status, dup.body)
	}
	if _, err := e.db.TransitionNeed(ctx, dup.json(t)["id"].(string), domain.NeedOpen, domain.NeedClosed, domain.CloseDuplicate); err != nil {
		t.Fatal(err)
	}
	served, err := e.db.TransitionNeed(ctx, needs[0], domain.NeedOpen, domain.NeedMatched, "")
	if err != nil {
		t.Fatal(err)
	}
	ref := endedReferral("r1", "p", served.CreatedAt.Add(72*time.Hour), domain.ReferralInService, 0)
	ref.NeedID, ref.Place = needs[0], runHome
	refs.add(ref)
	red := domain.Provider{Kind: domain.ProviderNGO, Name: "红灯机构", CreditCode: validUSCC(t, "52610103MJ0000009"), ContactName: "李",
		ContactPhone: "13900000009", Place: "610103002000", Area: domain.ServiceArea{Places: []string{"610103002000"}},
		Verification: domain.VerificationVerified, TrafficLight: domain.LightRed}
	if err := e.db.CreateProvider(ctx, &red); err != nil {
		t.Fatal(err)
	}

	d := e.dashboardOf(street, "")
	if d.Place != "610103002000" || d.Needs.Total != 3 || d.Needs.ByStatus["open"] != 1 || d.Needs.ByStatus["matched"] != 1 ||
		d.Needs.ByStatus["closed"] != 1 || len(d.Needs.ByItem) != 2 || d.Needs.ByItem[0].Item != "bathing" || d.Needs.ByItem[0].NameZh != "助浴" {
		t.Fatalf("needs: %+v", d.Needs)
	}
	if d.MatchRate != (MatchRate{Matched: 1, Needs: 2, Rate: 0.5}) {
		t.Fatalf("match rate: %+v", d.MatchRate)
	}
	if d.DaysToService != (DaysToService{MedianDays: 3, Samples: 1}) {
		t.Fatalf("days to service: %+v", d.DaysToService)
	}
	if d.JustOutside.Households < 1 || d.JustOutside.Evaluated != 4 {
		t.Fatalf("just outside: %+v", d.JustOutside)
	}
	g := d.SupplyGaps
	if g.RunID != run.ID || len(g.Items) != 1 || g.Items[0] != (GapRow{Item: "bathing", NameZh: "助浴", Community: runComm,
		CommunityName: g.Items[0].CommunityName, Needs: 1}) || g.Items[0].CommunityName == "" || g.ByReason["no_consent"] != 1 {
		t.Fatalf("supply gaps: %+v", g)
	}
	if d.ProviderLights["green"] != 1 || d.ProviderLights["red"] != 1 || d.ProviderLights["yellow"] != 0 {
		t.Fatalf("lights: %+v", d.ProviderLights)
	}
	if len(d.Unavailable) != 0 || d.VolunteerHours != 0 || d.VoucherSpend.Year == 0 {
		t.Fatalf("unavailable %v, hours %v, vouchers %+v", d.Unavailable, d.VolunteerHours, d.VoucherSpend)
	}
	r := e.do("GET", "/api/v1/dashboard", street, nil)
	for _, k := range []string{"needs", "match_rate", "days_to_service", "just_outside", "supply_gaps", "provider_lights", "volunteer_hours", "voucher_spend", "unavailable"} {
		if _, ok := r.json(t)[k]; !ok {
			t.Errorf("dashboard without %q", k)
		}
	}

	// The just-outside flags are served stale while a refresh runs.
	before := d.JustOutside.Households
	e.householdWithIncome(street, runHome, "61990119500101037", e.dibaoStandard()+8600, false)
	e.clock.Add(justOutsideTTL + time.Minute)
	if d := e.dashboardOf(street, ""); d.JustOutside.Households != before {
		t.Fatalf("stale flags not served: %d, want %d", d.JustOutside.Households, before)
	}
	deadline := time.Now().Add(30 * time.Second)
	for e.dashboardOf(street, "").JustOutside.Households != before+1 {
		if time.Now().After(deadline) {
			t.Fatal("the just-outside flags were not refreshed")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A community sees its own figures only.
	if d := e.dashboardOf(street, "?place=610103002001"); d.Needs.Total != 0 || len(d.SupplyGaps.Items) != 0 {
		t.Fatalf("another community's figures leak: %+v", d.Needs)
	}
	for name, c := range map[string]struct {
		token, query string
		want         int
	}{
		"community asks for its street": {e.login("coordinator.610103002001").AccessToken, "?place=610103002000", 403},
		"another street":                {e.login("coordinator.610103003").AccessToken, "?place=610103002000", 403},
		"provider":                      {e.login("volunteer1").AccessToken, "", 403},
		"malformed place":               {street, "?place=abc", 400},
		"admin":                         {e.login("admin").AccessToken, "?place=610103002000", 200},
		"district":                      {e.login("coordinator").AccessToken, "", 200},
	} {
		if r := e.do("GET", "/api/v1/dashboard"+c.query, c.token, nil); r.status != c.want {
			t.Errorf("%s: want %d, got %d %s", name, c.want, r.status, r.body)
		}
	}
}

// TestDashboardDemoDistrict loads the demo district the server loads (seed
// 1) through the store's bulk inserts, with a finished matching run, and
// measures the dashboard of the district and of a street: the first request
// (built), the next (kept), and what a build costs by part. A measurement,
// not run by default:
//
//	LIANZHU_BENCH_DASHBOARD=1 go test -tags ferretdb_no_sqlite ./handlers -run TestDashboardDemoDistrict -v
func TestDashboardDemoDistrict(t *testing.T) {
	if os.Getenv("LIANZHU_BENCH_DASHBOARD") == "" {
		t.Skip("set LIANZHU_BENCH_DASHBOARD=1 to load the demo district and measure the dashboard")
	}
	e := newEnv(t)
	ctx := t.Context()
	start := time.Now()
	dd, err := seed.Demo(seed.DemoOptions{Seed: 1, Now: e.clock.Now(), PasswordHash: testHash(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() (int, error){
		func() (int, error) { return e.db.InsertProviders(ctx, dd.Providers) },
		func() (int, error) { return e.db.InsertHouseholds(ctx, dd.Households) },
		func() (int, error) { return e.db.InsertNeeds(ctx, dd.Needs) },
		func() (int, error) { return e.db.InsertOfferings(ctx, dd.Offerings) },
		func() (int, error) { return e.db.InsertJobs(ctx, dd.Jobs) },
	} {
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("demo district loaded (%d households, %d needs, %d providers) in %v", len(dd.Households), len(dd.Needs),
		len(dd.Providers), time.Since(start).Round(time.Millisecond))
	district := e.login("coordinator").AccessToken
	// A finished run over the district that proposed help for every other
	// need (a real run over the whole district takes minutes on the
	// embedded FerretDB; the dashboard only reads its record and proposals).
	run := store.Run{Place: seed.DistrictCode, CreatedBy: "coordinator"}
	if err := e.db.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	var ps []store.Proposal
	for i, n := range dd.Needs {
		if i%2 == 0 {
			ps = append(ps, store.Proposal{Proposal: domain.Proposal{Kind: domain.ProposalService, RunID: run.ID, HouseholdID: n.HouseholdID,
				MemberID: n.MemberID, NeedID: n.ID, Place: n.Place, Target: domain.TargetOffering, TargetID: "o", ProviderID: "p",
				State: domain.ProposalProposed, CreatedAt: e.clock.Now()}, Item: n.Item})
		}
	}
	if _, err := e.db.InsertProposals(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if err := e.db.FinishRun(ctx, run.ID, store.RunDone, store.RunSummary{UnmatchedByReason: map[string]int{"no_capacity": len(dd.Needs) - len(ps)}}, ""); err != nil {
		t.Fatal(err)
	}

	first := time.Now()
	for _, c := range []struct{ name, query string }{
		{"district first", ""}, {"district next", ""}, {"street first", "?place=610103002000"}, {"street next", "?place=610103002000"},
	} {
		t0 := time.Now()
		d := e.dashboardOf(district, c.query)
		if c.name == "district next" {
			for d.JustOutside.Pending { // the first evaluation still runs
				time.Sleep(time.Second)
				t0, d = time.Now(), e.dashboardOf(district, c.query)
			}
			t.Logf("the district's just-outside count was ready %v after the first request", time.Since(first).Round(time.Second))
		}
		took := time.Since(t0)
		t.Logf("dashboard %-14s %6.0f ms: %d needs, match rate %.2f, %d just outside of %d (pending %v), %d gap rows, lights %v",
			c.name, float64(took.Microseconds())/1000, d.Needs.Total, d.MatchRate.Rate, d.JustOutside.Households,
			d.JustOutside.Evaluated, d.JustOutside.Pending, len(d.SupplyGaps.Items), d.ProviderLights)
		if c.query == "" && (d.Needs.Total != len(dd.Needs) || d.SupplyGaps.RunID != run.ID ||
			!d.JustOutside.Pending && d.JustOutside.Evaluated != len(dd.Households)) {
			t.Fatalf("district dashboard: %d needs, %d households, run %q", d.Needs.Total, d.JustOutside.Evaluated, d.SupplyGaps.RunID)
		}
		if took > 2*time.Minute {
			t.Errorf("dashboard %s took %v", c.name, took)
		}
	}
	// For comparison: the first page of the district's need list, which
	// FerretDB also answers by reading every need.
	t0 := time.Now()
	if r := e.do("GET", "/api/v1/needs?limit=50", district, nil); r.status != 200 {
		t.Fatalf("needs: %d", r.status)
	}
	t.Logf("GET /needs?limit=50 over the district: %v", time.Since(t0).Round(time.Millisecond))
	// Where the time goes: a build from scratch, then a rebuild with the
	// district's just-outside flags kept (what a background refresh does
	// every dashboardTTL).
	h := &dashboardHandlers{store: e.db, book: NewPolicyBook(e.db, seed.Policies(), seed.PolicyParams(), time.Now),
		catalogue: seed.Catalogue(), places: &placeTree{places: e.db, now: time.Now}, now: time.Now,
		work: ctx, log: slog.Default(), outsideWait: time.Hour}
	for _, name := range []string{"from scratch", "rebuild"} {
		t0 := time.Now()
		if _, err := h.answer(ctx, seed.DistrictCode); err != nil {
			t.Fatal(err)
		}
		h.cache.mu.Lock()
		out := h.cache.answers[seed.DistrictCode]
		delete(h.cache.answers, seed.DistrictCode)
		h.cache.mu.Unlock()
		t.Logf("district %s: %v, parts %v", name, time.Since(t0).Round(time.Millisecond), out.parts)
	}
}
