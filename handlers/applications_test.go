package handlers

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// appEnv is a server with an enterprise (ent1) and its job, a rival
// enterprise (ent2), a household of 柏树林街道 whose head 李建国 (m1)
// consents to employers and whose child (m2) consents to nothing, m1's
// employment need and a matching run's proposal of the job for it.
type appEnv struct {
	*env
	admin, street, other, ent1, ent2 string
	enterpriseID, jobID              string
	household                        domain.Household
	need                             domain.Need
	proposal                         store.Proposal
}

const appHouseholdPlace = "610103002001001"

func newAppEnv(t *testing.T) *appEnv {
	t.Helper()
	e := &appEnv{env: newEnv(t)}
	e.admin = e.login("admin").AccessToken
	e.enterpriseID = e.newProvider(e.admin, "enterprise", "91610103MA0000001", "ent1")
	e.newProvider(e.admin, "enterprise", "91610103MA0000002", "ent2")
	e.street, e.other = e.login("coordinator.610103002").AccessToken, e.login("coordinator.610103003").AccessToken
	e.ent1, e.ent2 = e.login("ent1").AccessToken, e.login("ent2").AccessToken
	r := e.do("POST", "/api/v1/jobs", e.ent1, map[string]any{"title": "小区保洁员", "kind_of_work": "保洁", "item": "flexible_employment",
		"requirements": map[string]any{"physical": "light", "hours_per_week": 20, "skills": []string{"细心"}},
		"wage_min_fen": 200000, "wage_max_fen": 260000, "place": "610103002001", "openings": 2})
	if r.status != 201 {
		t.Fatalf("create job: %d %s", r.status, r.body)
	}
	e.jobID = r.json(t)["id"].(string)
	e.household = e.newHousehold(t, "61990119800101001", "61990120150101002")
	e.need = e.newNeed(t, e.household.ID, "m1")
	e.proposal = e.propose(t, e.need)
	return e
}

// newHousehold files a household full of what an employer must never see.
func (e *appEnv) newHousehold(t *testing.T, id17s ...string) domain.Household {
	t.Helper()
	now := e.clock.Now()
	h := domain.Household{Place: appHouseholdPlace, Address: "柏树林街道东木头市社区锦绣家属院3号楼2单元501",
		MonthlyIncome: &domain.Fact[domain.Fen]{Value: 98765, Source: domain.SourceEconomicCheck, Date: now.Add(-time.Hour)},
		Assistance:    []domain.AssistanceStatus{{Kind: domain.AssistDibao, DecidedOn: now.Add(-24 * time.Hour)}},
		Consents: []domain.ConsentEvent{{MemberID: "m1", Recipient: domain.RecipientEmployer, Action: domain.ConsentGrant,
			At: now.Add(-time.Hour), Method: domain.ConsentWritten, RecordedBy: "coordinator"}}}
	for i, s := range id17s {
		m := domain.Member{ID: "m" + string(rune('1'+i)), Name: []string{"李建国", "李小明"}[i], IDNumber: validID(t, s), Relation: domain.RelationSelf}
		if i > 0 {
			m.Relation = domain.RelationChild
		}
		h.Members = append(h.Members, m)
	}
	h.Members[0].Skills, h.Members[0].Phone = []string{"保洁", "做饭"}, "13900001234"
	h.Members[0].Disability = &domain.Fact[domain.Disability]{Value: domain.Disability{Type: domain.DisabilityPhysical, Grade: 4},
		Source: domain.SourceHomeVisit, Date: now.Add(-time.Hour)}
	if err := e.db.CreateHousehold(t.Context(), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func (e *appEnv) newNeed(t *testing.T, householdID, memberID string) domain.Need {
	t.Helper()
	n := domain.Need{HouseholdID: householdID, MemberID: memberID, Place: appHouseholdPlace, Item: "flexible_employment",
		OwnWords: "低保快停了，想找份活", NeutralNote: "想找一份离家近的工作", PreferredTime: "工作日白天",
		Urgency: domain.UrgencyNormal, Channel: domain.ChannelHomeVisit, CreatedBy: "coordinator"}
	if err := e.db.CreateNeed(t.Context(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *appEnv) propose(t *testing.T, n domain.Need) store.Proposal {
	t.Helper()
	ps := []store.Proposal{{Item: n.Item, TargetTitle: "小区保洁员", Proposal: domain.Proposal{RunID: "run-1",
		Kind: domain.ProposalService, HouseholdID: n.HouseholdID, MemberID: n.MemberID, NeedID: n.ID, Place: n.Place,
		Target: domain.TargetJob, TargetID: e.jobID, ProviderID: e.enterpriseID, Score: 987.5,
		Factors: map[string]float64{"category_fit": 900, "priority_low_income": 87.5}}}}
	if _, err := e.db.InsertProposals(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	return ps[0]
}

// apply makes the application from the fixture proposal.
func (e *appEnv) apply(t *testing.T) string {
	t.Helper()
	r := e.do("POST", "/api/v1/applications", e.street, map[string]any{"proposal_id": e.proposal.ID})
	if r.status != 201 {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	return r.json(t)["id"].(string)
}

// secretsOf lists what an employer must never read about the fixture
// household, as it would appear in JSON.
func (e *appEnv) secretsOf() []string {
	return []string{"score", "factors", "explanation", "reason", "gaps", "income", "assistance", "dibao", "disability",
		"health", "illness", "household_id", "member_id", "need_id", "own_words", "address", "98765", "987.5",
		"低保", "锦绣家属院", "李建国", e.household.ID, e.need.ID, "id_masked", "history", "created_by"}
}

func assertNoSecrets(t *testing.T, what string, body []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(string(body), s) {
			t.Errorf("%s discloses %q: %s", what, s, body)
		}
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestCandidatesDisclosure: an employer sees its job's consenting
// candidates masked, with skills, availability and community — never why
// they are candidates, nor anything of their household's file.
func TestCandidatesDisclosure(t *testing.T) {
	e := newAppEnv(t)
	// m2 has no consent to employers: proposed, but never shown.
	e.propose(t, e.newNeed(t, e.household.ID, "m2"))
	path := "/api/v1/jobs/" + e.jobID + "/candidates"

	r := e.do("GET", path, e.ent1, nil)
	if r.status != 200 {
		t.Fatalf("candidates: %d %s", r.status, r.body)
	}
	items := r.json(t)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("want 1 candidate, got %s", r.body)
	}
	item := items[0].(map[string]any)
	want := []string{"availability", "candidate", "community", "community_name", "proposal_id", "skills"}
	if !slices.Equal(keysOf(item), want) || item["candidate"] != "李先生, 40s" || item["availability"] != "工作日白天" ||
		item["proposal_id"] != e.proposal.ID || item["community_name"] == "" || item["skills"].([]any)[0] != "保洁" {
		t.Fatalf("candidate view: %v", item)
	}
	assertNoSecrets(t, "the candidate list", r.body, append(e.secretsOf(), "13900001234", "phone"))

	coord := e.do("GET", path, e.street, nil)
	if coord.status != 200 || len(coord.json(t)["items"].([]any)) != 1 {
		t.Fatalf("coordinator: %d %s", coord.status, coord.body)
	}
	if c := coord.json(t)["items"].([]any)[0].(map[string]any); c["score"] != 987.5 || c["household_id"] != e.household.ID {
		t.Fatalf("a coordinator sees why: %v", c)
	}
	for _, c := range []struct {
		name   string
		token  string
		status int
		items  int
	}{
		{"another enterprise", e.ent2, 404, 0},
		{"another street's coordinator", e.other, 200, 0},
		{"admin", e.admin, 403, 0},
		{"volunteer", e.login("volunteer1").AccessToken, 403, 0},
	} {
		r := e.do("GET", path, c.token, nil)
		if r.status != c.status || r.status == 200 && len(r.json(t)["items"].([]any)) != c.items {
			t.Errorf("%s: want %d/%d items, got %d %s", c.name, c.status, c.items, r.status, r.body)
		}
	}
}

// TestApplicationEndpointsMatrix walks role × endpoint over one application.
func TestApplicationEndpointsMatrix(t *testing.T) {
	e := newAppEnv(t)
	id := e.apply(t)
	app := "/api/v1/applications/" + id
	vol := e.login("volunteer1").AccessToken
	tests := []struct {
		name, method, path, token string
		body                      any
		status                    int
	}{
		{"enterprise creates", "POST", "/api/v1/applications", e.ent1, map[string]any{"proposal_id": e.proposal.ID}, 403},
		{"volunteer creates", "POST", "/api/v1/applications", vol, map[string]any{"proposal_id": e.proposal.ID}, 403},
		{"other street creates", "POST", "/api/v1/applications", e.other, map[string]any{"job_id": e.jobID, "household_id": e.household.ID, "member_id": "m1"}, 400},
		{"admin lists", "GET", "/api/v1/applications", e.admin, nil, 403},
		{"volunteer lists", "GET", "/api/v1/applications", vol, nil, 403},
		{"rival reads", "GET", app, e.ent2, nil, 404},
		{"other street reads", "GET", app, e.other, nil, 404},
		{"admin reads", "GET", app, e.admin, nil, 403},
		{"rival interviews", "POST", app + "/interview", e.ent2, nil, 404},
		{"coordinator interviews", "POST", app + "/interview", e.street, nil, 403},
		{"coordinator hires", "POST", app + "/hire", e.street, nil, 403},
		{"enterprise withdraws", "POST", app + "/withdraw", e.ent1, nil, 403},
		{"other street withdraws", "POST", app + "/withdraw", e.other, nil, 404},
		{"wage without a hire", "POST", app + "/interview", e.ent1, map[string]any{"wage_fen": 100}, 400},
		{"enterprise reads", "GET", app, e.ent1, nil, 200},
		{"district reads", "GET", app, e.login("coordinator").AccessToken, nil, 200},
		{"enterprise filters by household", "GET", "/api/v1/applications?household=" + e.household.ID, e.ent1, nil, 400},
	}
	for _, tt := range tests {
		if r := e.do(tt.method, tt.path, tt.token, tt.body); r.status != tt.status {
			t.Errorf("%s: want %d, got %d %s", tt.name, tt.status, r.status, r.body)
		}
	}
	if got := e.do("GET", app, e.street, nil).json(t)["state"]; got != "applied" {
		t.Fatalf("refused requests changed the state: %v", got)
	}
	lists := map[string]int{e.ent1: 1, e.ent2: 0, e.street: 1, e.other: 0}
	for tok, n := range lists {
		r := e.do("GET", "/api/v1/applications?job="+e.jobID, tok, nil)
		if r.status != 200 || len(r.json(t)["items"].([]any)) != n {
			t.Errorf("list: want %d items, got %d %s", n, r.status, r.body)
		}
	}
}

// TestApplicationLifecycle: made from a proposal (idempotently), then the
// employer interviews and hires; the household log, the review flag and the
// need follow, and contact details reach the employer only from the
// interview on.
func TestApplicationLifecycle(t *testing.T) {
	e := newAppEnv(t)
	id := e.apply(t)
	again := e.do("POST", "/api/v1/applications", e.street, map[string]any{"proposal_id": e.proposal.ID})
	if again.status != 200 || again.json(t)["id"] != id || id != store.ApplicationIDFor(e.proposal.ID) {
		t.Fatalf("retry: %d %s", again.status, again.body)
	}
	if p, _ := e.db.Proposal(t.Context(), e.proposal.ID); p.State != domain.ProposalAccepted {
		t.Fatalf("proposal: %s", p.State)
	}
	if r := e.do("GET", "/api/v1/jobs/"+e.jobID+"/candidates", e.ent1, nil); len(r.json(t)["items"].([]any)) != 0 {
		t.Fatalf("an accepted proposal is no longer a candidate: %s", r.body)
	}
	noConsent := e.do("POST", "/api/v1/applications", e.street, map[string]any{"job_id": e.jobID, "household_id": e.household.ID, "member_id": "m2"})
	if noConsent.status != 400 || !slices.Contains(noConsent.fields(t), "member_id") || !strings.Contains(string(noConsent.body), `"consent"`) {
		t.Fatalf("without consent: %d %s", noConsent.status, noConsent.body)
	}
	app := "/api/v1/applications/" + id

	applied := e.do("GET", app, e.ent1, nil)
	if v := applied.json(t); v["state"] != "applied" || v["candidate"] != "李先生, 40s" || v["phone"] != nil || v["name"] != nil {
		t.Fatalf("applied, as the employer: %s", applied.body)
	}
	assertNoSecrets(t, "an applied application", applied.body, append(e.secretsOf(), "13900001234"))

	iv := e.do("POST", app+"/interview", e.ent1, map[string]any{"note": "周三上午面试"})
	if v := iv.json(t); iv.status != 200 || v["state"] != "interview" || v["phone"] != "13900001234" || v["name"] != "李建国" {
		t.Fatalf("interview: %d %s", iv.status, iv.body)
	}
	assertNoSecrets(t, "an interview", iv.body, []string{"score", "income", "assistance", "disability", e.household.ID, "history"})
	if r := e.do("POST", app+"/interview", e.ent1, nil); r.status != 409 {
		t.Fatalf("interview twice: %d", r.status)
	}
	e.clock.Add(10 * time.Minute) // within the tokens' lifetime
	hired := e.do("POST", app+"/hire", e.ent1, map[string]any{"note": "下周一上岗", "wage_fen": 230000})
	if v := hired.json(t); hired.status != 200 || v["state"] != "hired" || v["wage_fen"] != 230000.0 {
		t.Fatalf("hire: %d %s", hired.status, hired.body)
	}
	for _, to := range []string{"reject", "interview", "hire"} {
		if r := e.do("POST", app+"/"+to, e.ent1, nil); r.status != 409 {
			t.Errorf("%s after the hire: %d", to, r.status)
		}
	}
	if r := e.do("POST", app+"/withdraw", e.street, nil); r.status != 409 {
		t.Errorf("withdraw after the hire: %d", r.status)
	}
	coord := e.do("GET", app, e.street, nil).json(t)
	if coord["synced"] != true || len(coord["history"].([]any)) != 3 {
		t.Fatalf("coordinator's view: %v", coord)
	}
	if n, _ := e.db.Need(t.Context(), e.need.ID); n.State != domain.NeedResolved {
		t.Fatalf("need after the hire: %s", n.State)
	}

	emp := "/api/v1/households/" + e.household.ID + "/employment"
	ledger := e.do("GET", emp, e.street, nil)
	var got struct {
		Items     []EmploymentLine         `json:"items"`
		ReviewDue bool                     `json:"review_due"`
		Review    *domain.AssistanceReview `json:"review"`
		Version   int64                    `json:"version"`
	}
	if err := json.Unmarshal(ledger.body, &got); err != nil || ledger.status != 200 {
		t.Fatalf("ledger: %d %s", ledger.status, ledger.body)
	}
	if len(got.Items) != 1 || got.Items[0].JobTitle != "小区保洁员" || got.Items[0].EnterpriseName == "" ||
		got.Items[0].WageFen != 230000 || got.Items[0].ApplicationID != id || got.Items[0].At.Sub(e.clock.Now()).Abs() > time.Millisecond ||
		!got.ReviewDue || got.Review.Reason != domain.ReviewReasonHire {
		t.Fatalf("ledger: %s", ledger.body)
	}
	for _, c := range []struct {
		token  string
		status int
	}{{e.ent1, 403}, {e.other, 404}, {e.admin, 403}} {
		if r := e.do("GET", emp, c.token, nil); r.status != c.status {
			t.Errorf("ledger: want %d, got %d", c.status, r.status)
		}
	}
	clear := "/api/v1/households/" + e.household.ID + "/review/clear"
	if r := e.do("POST", clear, e.street, map[string]any{"note": ""}); r.status != 400 {
		t.Fatalf("clear without a note: %d", r.status)
	}
	if r := e.do("POST", clear, e.ent1, map[string]any{"note": "x"}); r.status != 403 {
		t.Fatalf("employer clears: %d", r.status)
	}
	if r := e.do("POST", clear, e.street, map[string]any{"note": "已核对新收入，低保渐退", "version": got.Version}); r.status != 200 || r.json(t)["review_due"] != false {
		t.Fatalf("clear: %d %s", r.status, r.body)
	}
	if r := e.do("POST", clear, e.street, map[string]any{"note": "again"}); r.status != 409 {
		t.Fatalf("clear twice: %d", r.status)
	}
	if r := e.do("GET", emp, e.street, nil); r.json(t)["review_due"] != false {
		t.Fatalf("after clearing: %s", r.body)
	}
	if !auditHas(t, e.env, e.street, "household.employment.read", "household.review.clear") {
		t.Fatal("ledger reads and clears are audited")
	}
}

// auditHas reports whether the place's audit trail holds every action.
func auditHas(t *testing.T, e *env, token string, actions ...string) bool {
	t.Helper()
	r := e.do("GET", "/api/v1/audit", token, nil)
	seen := map[string]bool{}
	for _, it := range r.json(t)["items"].([]any) {
		seen[it.(map[string]any)["action"].(string)] = true
	}
	for _, a := range actions {
		if !seen[a] {
			return false
		}
	}
	return true
}

// TestApplicationConcurrentDecisions: ten employer sessions decide one
// application at once; one wins, the others get 409.
func TestApplicationConcurrentDecisions(t *testing.T) {
	e := newAppEnv(t)
	id := e.apply(t)
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := range 10 {
		to := []string{"hire", "reject"}[i%2]
		wg.Go(func() {
			r := e.do("POST", "/api/v1/applications/"+id+"/"+to, e.ent1, nil)
			mu.Lock()
			codes[r.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[200] != 1 || codes[409] != 9 {
		t.Fatalf("statuses: %v", codes)
	}
	v := e.do("GET", "/api/v1/applications/"+id, e.street, nil).json(t)
	if len(v["history"].([]any)) != 2 {
		t.Fatalf("one decision recorded: %v", v["history"])
	}
}

// TestHiresFillOpenings: five applications to a job of two openings hired
// at once over HTTP — two 200, three 409 "岗位已招满"; the job answers
// hired 2 and filled; reopening it needs more openings than hires (a field
// error names openings); with three it opens again and takes a third hire.
func TestHiresFillOpenings(t *testing.T) {
	e := newAppEnv(t)
	var ids []string
	for i := range 5 {
		h := e.newHousehold(t, fmt.Sprintf("61990119800101%03d", 101+2*i))
		r := e.do("POST", "/api/v1/applications", e.street, map[string]any{"job_id": e.jobID, "household_id": h.ID, "member_id": "m1"})
		if r.status != 201 {
			t.Fatalf("apply %d: %d %s", i, r.status, r.body)
		}
		ids = append(ids, r.json(t)["id"].(string))
	}
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			r := e.do("POST", "/api/v1/applications/"+id+"/hire", e.ent1, map[string]any{"wage_fen": 230000})
			mu.Lock()
			codes[r.status]++
			mu.Unlock()
			if r.status == 409 && !strings.Contains(string(r.body), "岗位已招满") {
				t.Errorf("409 without the reason: %s", r.body)
			}
		})
	}
	wg.Wait()
	if codes[200] != 2 || codes[409] != 3 {
		t.Fatalf("statuses: %v", codes)
	}
	job := e.do("GET", "/api/v1/jobs/"+e.jobID, e.ent1, nil).json(t)
	if job["hired"] != float64(2) || job["status"] != "filled" {
		t.Fatalf("job after the hires: hired %v, status %v", job["hired"], job["status"])
	}
	job["status"] = "open"
	if r := e.do("PUT", "/api/v1/jobs/"+e.jobID, e.ent1, job); r.status != 400 || !slices.Contains(r.fields(t), "openings") {
		t.Fatalf("reopen without more openings: %d %s", r.status, r.body)
	}
	job["openings"] = 3
	r := e.do("PUT", "/api/v1/jobs/"+e.jobID, e.ent1, job)
	if r.status != 200 || r.json(t)["hired"] != float64(2) {
		t.Fatalf("reopen with three openings: %d %s", r.status, r.body)
	}
	hired := 0
	for _, id := range ids {
		if r := e.do("POST", "/api/v1/applications/"+id+"/hire", e.ent1, nil); r.status == 200 {
			hired++
		}
	}
	if job := e.do("GET", "/api/v1/jobs/"+e.jobID, e.ent1, nil).json(t); hired != 1 || job["hired"] != float64(3) || job["status"] != "filled" {
		t.Fatalf("third hire: %d hired now, job %v %v", hired, job["hired"], job["status"])
	}
}
