package handlers

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

const (
	runComm  = "610103002002"    // a community of 柏树林街道 (610103002000)
	runHome  = "610103002002001" // a compound in it
	runOther = "coordinator.610103003"
)

// fact is a recorded fact in the wire format, established a month ago.
func (e *env) fact(value any) map[string]any {
	return map[string]any{"value": value, "source": "economic_check", "date": e.clock.Now().AddDate(0, -1, 0).Format(time.RFC3339)}
}

// householdWithIncome files a one-person household with a monthly income
// and small assets recorded, optionally consenting to NGOs, and returns its
// ID.
func (e *env) householdWithIncome(token, place, id17 string, incomeFen int64, consent bool) string {
	e.t.Helper()
	h := newHousehold(e.t, place, validID(e.t, id17))
	h["monthly_income"], h["assets"] = e.fact(incomeFen), e.fact(100000)
	if consent {
		h["consents"] = []map[string]any{{"member_id": "m1", "recipient": "ngo_unit", "action": "grant",
			"at": e.clock.Now().Add(-time.Hour).Format(time.RFC3339), "method": "written", "recorded_by": "coordinator"}}
	}
	r := e.do("POST", "/api/v1/households", token, h)
	if r.status != 201 {
		e.t.Fatalf("household: %d %s", r.status, r.body)
	}
	return r.json(e.t)["id"].(string)
}

// runFixture files two households of runComm with a bathing need each (the
// first consents to NGOs, the second does not) and a verified NGO's bathing
// offering serving the community.
func runFixture(e *env, token string) (needs []string, offering domain.Offering) {
	e.t.Helper()
	for i, h := range []struct {
		id17    string
		consent bool
	}{{"61990119400101002", true}, {"61990119450202003", false}} {
		hid := e.householdWithIncome(token, runHome, h.id17, 50000, h.consent)
		r := e.do("POST", "/api/v1/needs", token, map[string]any{"household_id": hid, "member_id": "m1", "item": "bathing",
			"own_words": "洗澡不方便", "neutral_note": "行动不便，需要上门助浴", "urgency": []string{"high", "normal"}[i], "channel": "home_visit"})
		if r.status != 201 {
			e.t.Fatalf("need: %d %s", r.status, r.body)
		}
		needs = append(needs, r.json(e.t)["id"].(string))
	}
	ctx := e.t.Context()
	prov := domain.Provider{Kind: domain.ProviderNGO, Name: "碑林区爱心助浴服务中心", CreditCode: "52610103MJ0000001X",
		ContactName: "王主任", ContactPhone: "13900000001", Place: "610103002000", Area: domain.ServiceArea{Places: []string{runComm}},
		Verification: domain.VerificationVerified, TrafficLight: domain.LightGreen}
	if err := e.db.CreateProvider(ctx, &prov); err != nil {
		e.t.Fatal(err)
	}
	offering = domain.Offering{ProviderID: prov.ID, Item: "bathing", Title: "上门助浴", Description: "为行动不便的老人提供上门助浴",
		Audience: domain.Audience{Anyone: true}, Period: domain.CapacityPerMonth, Capacity: 5, Left: 5,
		Area: domain.ServiceArea{Places: []string{runComm}}, Status: domain.OfferingActive, ValidFrom: e.clock.Now().Add(-24 * time.Hour)}
	if err := e.db.CreateOffering(ctx, &offering); err != nil {
		e.t.Fatal(err)
	}
	return needs, offering
}

// startRun posts a run and returns its ID.
func (e *env) startRun(token string, body any) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/matching/runs", token, body)
	if r.status != 202 {
		e.t.Fatalf("start run: %d %s", r.status, r.body)
	}
	run := r.json(e.t)
	if run["status"] != "queued" || r.header.Get("Location") != "/api/v1/matching/runs/"+run["id"].(string) {
		e.t.Fatalf("new run: %s (Location %q)", r.body, r.header.Get("Location"))
	}
	return run["id"].(string)
}

// waitRun polls a run until until says so (default: it finished).
func (e *env) waitRun(token, id string, until func(run RunResponse) bool) RunResponse {
	e.t.Helper()
	if until == nil {
		until = func(run RunResponse) bool { return run.Status == store.RunDone || run.Status == store.RunFailed }
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		r := e.do("GET", "/api/v1/matching/runs/"+id, token, nil)
		var run RunResponse
		if r.status != 200 || json.Unmarshal(r.body, &run) != nil {
			e.t.Fatalf("get run: %d %s", r.status, r.body)
		}
		if until(run) {
			return run
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("run %s did not get there: %s", id, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// proposalsOf lists proposals with the query.
func (e *env) proposalsOf(token, query string) []ProposalResponse {
	e.t.Helper()
	r := e.do("GET", "/api/v1/proposals?"+query, token, nil)
	if r.status != 200 {
		e.t.Fatalf("proposals?%s: %d %s", query, r.status, r.body)
	}
	var page struct {
		Items      []ProposalResponse `json:"items"`
		NextCursor *string            `json:"next_cursor"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil || page.NextCursor == nil {
		e.t.Fatalf("proposals page: %v %s", err, r.body)
	}
	return page.Items
}

// TestMatchingRunLifecycle: a coordinator runs matching over their street;
// the run reports its summary, its proposals explain their scores, and a
// second run supersedes the first one's open service proposals while the
// policy leads stand.
func TestMatchingRunLifecycle(t *testing.T) {
	e := newEnv(t)
	street := e.login("coordinator.610103002").AccessToken
	needs, offering := runFixture(e, street)

	first := e.waitRun(street, e.startRun(street, nil), nil)
	if first.Status != store.RunDone || first.Place != "610103002000" || first.Stage != store.StageSaving ||
		first.Total == 0 || first.Done != first.Total || first.StartedAt.IsZero() || first.FinishedAt.IsZero() {
		t.Fatalf("first run: %+v", first)
	}
	s := first.Summary
	if s == nil || s.Households != 2 || s.Needs != 2 || s.Matched != 1 || s.Unmatched != 1 || len(s.UnmatchedByReason) != 1 ||
		s.UnmatchedByReason[0].Reason != "no_consent" || s.UnmatchedByReason[0].TextZh == "" || s.Inside != 0 || s.Leads == 0 ||
		s.Proposals != 1+s.Leads {
		t.Fatalf("summary: %+v", s)
	}

	service := e.proposalsOf(street, "run="+first.ID+"&kind=service")
	if len(service) != 1 {
		t.Fatalf("service proposals: %+v", service)
	}
	p := service[0]
	if p.NeedID != needs[0] || p.Target != domain.TargetOffering || p.TargetID != offering.ID || p.TargetTitle != "上门助浴" ||
		p.ProviderID != offering.ProviderID || p.State != domain.ProposalProposed || p.Item != "bathing" || p.CategoryName != "助浴" {
		t.Fatalf("service proposal: %+v", p)
	}
	sum := 0.0
	for _, f := range p.Explanation {
		if f.LabelZh == "" {
			t.Fatalf("factor without a label: %+v", f)
		}
		sum += f.Value
	}
	if len(p.Explanation) != len(p.Factors) || sum != p.Score || p.Score <= 0 {
		t.Fatalf("explanation %+v sums to %v, score %v", p.Explanation, sum, p.Score)
	}
	if got := e.proposalsOf(street, "need="+needs[0]); len(got) != 1 || got[0].ID != p.ID {
		t.Fatalf("by need: %+v", got)
	}
	leads := e.proposalsOf(street, "run="+first.ID+"&kind=policy&limit=200")
	if len(leads) != s.Leads || leads[0].Target != domain.TargetPolicy || leads[0].TargetTitle == "" || leads[0].Note == "" {
		t.Fatalf("%d leads listed, summary says %d: %+v", len(leads), s.Leads, leads[:min(1, len(leads))])
	}

	second := e.waitRun(street, e.startRun(street, map[string]string{"place": "610103002000"}), nil)
	if second.Status != store.RunDone || second.Summary.Superseded != 1 || second.Summary.Proposals != 1 {
		t.Fatalf("second run: %+v %+v", second, second.Summary)
	}
	old := e.proposalsOf(street, "need="+needs[0]+"&run="+first.ID)
	if len(old) != 1 || old[0].State != domain.ProposalSuperseded || old[0].SupersededBy != second.ID {
		t.Fatalf("the first run's proposal after the second: %+v", old)
	}
	now := e.proposalsOf(street, "need="+needs[0]+"&state=proposed")
	if len(now) != 1 || now[0].RunID != second.ID {
		t.Fatalf("open proposals of the need: %+v", now)
	}
	if standing := e.proposalsOf(street, "kind=policy&state=proposed&limit=200"); len(standing) != s.Leads || standing[0].RunID != first.ID {
		t.Fatalf("leads after the second run: %d, want the first run's %d", len(standing), s.Leads)
	}

	list := e.do("GET", "/api/v1/matching/runs", street, nil)
	if items := list.json(t)["items"].([]any); list.status != 200 || len(items) != 2 || items[0].(map[string]any)["id"] != second.ID {
		t.Fatalf("runs: %d %s", list.status, list.body)
	}
}

// TestMatchingRunScope: only coordinators run matching, over their own
// place; a run and its proposals are invisible outside it.
func TestMatchingRunScope(t *testing.T) {
	e := newEnv(t)
	street := e.login("coordinator.610103002").AccessToken
	other := e.login(runOther).AccessToken
	runFixture(e, street)
	id := e.startRun(street, nil)
	e.waitRun(street, id, nil)

	for name, c := range map[string]struct {
		token string
		body  any
		code  int
	}{
		"another street's place": {other, map[string]string{"place": "610103002000"}, 403},
		"the district":           {street, map[string]string{"place": "610103000000"}, 403},
		"admin":                  {e.login("admin").AccessToken, nil, 403},
		"volunteer":              {e.login("volunteer1").AccessToken, nil, 403},
		"bad place":              {street, map[string]string{"place": "6101"}, 400},
		"unknown place":          {street, map[string]string{"place": "610103002999"}, 400},
		"unknown field":          {street, map[string]string{"where": "here"}, 400},
		"signed out":             {"", nil, 401},
	} {
		if r := e.do("POST", "/api/v1/matching/runs", c.token, c.body); r.status != c.code {
			t.Errorf("%s: want %d, got %d %s", name, c.code, r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/matching/runs/"+id, other, nil); r.status != 404 {
		t.Errorf("another street reads the run: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/matching/runs/"+id, e.login("coordinator").AccessToken, nil); r.status != 200 {
		t.Errorf("the district reads the street's run: %d", r.status)
	}
	if got := e.proposalsOf(other, "run="+id); len(got) != 0 {
		t.Errorf("another street lists %d proposals of the run", len(got))
	}
	if r := e.do("GET", "/api/v1/proposals?place=610103002000", other, nil); r.status != 403 {
		t.Errorf("another street asks for the street's proposals: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/proposals?kind=gift", street, nil); r.status != 400 || r.fields(t)[0] != "kind" {
		t.Errorf("bad kind: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/proposals", e.login("admin").AccessToken, nil); r.status != 403 {
		t.Errorf("admin lists proposals: %d", r.status)
	}
}

// gatedRuns holds a run at its first write of proposals until released.
type gatedRuns struct {
	MatchingStore
	gate chan struct{}
}

func (g gatedRuns) InsertProposals(ctx context.Context, ps []store.Proposal) (int, error) {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return g.MatchingStore.InsertProposals(ctx, ps)
}

// TestMatchingRunProgressAndConflict: a running run shows its stage and
// counts, and no second run over the same or an overlapping place starts
// until it is done.
func TestMatchingRunProgressAndConflict(t *testing.T) {
	gate := make(chan struct{})
	e := newEnv(t, func(d *Deps) { d.Matching = gatedRuns{MatchingStore: d.Matching, gate: gate} })
	street := e.login("coordinator.610103002").AccessToken
	runFixture(e, street)
	id := e.startRun(street, nil)
	released := false
	defer func() {
		if !released {
			close(gate)
			e.waitRun(street, id, nil)
		}
	}()
	run := e.waitRun(street, id, func(r RunResponse) bool { return r.Stage == store.StageSaving })
	if run.Status != store.RunRunning || run.Total == 0 || run.Done != 0 || run.Summary != nil {
		t.Fatalf("running run: %+v", run)
	}
	for _, place := range []string{"610103002000", runComm} {
		r := e.do("POST", "/api/v1/matching/runs", street, map[string]string{"place": place})
		if r.status != 409 || !strings.Contains(string(r.body), "已有匹配在运行") {
			t.Fatalf("run over %s while one runs: %d %s", place, r.status, r.body)
		}
	}
	close(gate)
	released = true
	if done := e.waitRun(street, id, nil); done.Status != store.RunDone || done.Done != done.Total {
		t.Fatalf("released run: %+v", done)
	}
	e.waitRun(street, e.startRun(street, map[string]string{"place": runComm}), nil)
}
