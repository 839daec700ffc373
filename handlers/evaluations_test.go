package handlers

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"lianzhu/matching"
	"lianzhu/seed"
)

// dibaoStandard is the 低保 standard in force now, in fen.
func (e *env) dibaoStandard() int64 {
	e.t.Helper()
	v, ok := seed.PolicyParams().ValueAt(seed.ParamDibao, e.clock.Now())
	if !ok {
		e.t.Fatal("no 低保 standard in force")
	}
	return int64(v.Value)
}

// TestHouseholdEvaluation: a household ¥86 a month above the 低保 line is
// near 低保, told by how much in the fact's unit, with the facts and
// parameters used, the official steps ahead and a note that a lead is no
// decision.
func TestHouseholdEvaluation(t *testing.T) {
	e := newEnv(t)
	street := e.login("coordinator.610103002").AccessToken
	id := e.householdWithIncome(street, runHome, "61990119500101002", e.dibaoStandard()+8600, false)

	r := e.do("GET", "/api/v1/households/"+id+"/evaluation", street, nil)
	if r.status != 200 {
		t.Fatalf("evaluation: %d %s", r.status, r.body)
	}
	var ev EvaluationResponse
	if err := json.Unmarshal(r.body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.HouseholdID != id || len(ev.Policies) != len(seed.Policies()) || !strings.Contains(ev.NoteZh, "不是资格认定") {
		t.Fatalf("evaluation head: %+v", ev)
	}
	total := 0
	for _, n := range ev.Counts {
		total += n
	}
	if total != len(ev.Policies) || ev.Counts[matching.PolicyNear] == 0 {
		t.Fatalf("counts: %v", ev.Counts)
	}
	if first := ev.Policies[0]; first.Status != matching.PolicyEligible || first.Received || first.StatusZh != "疑似符合" {
		t.Fatalf("leads come first: %+v", first.PolicyResult)
	}
	i := slices.IndexFunc(ev.Policies, func(p PolicyEvaluation) bool { return p.PolicyID == "mz-dibao" })
	dibao := ev.Policies[i]
	if dibao.Status != matching.PolicyNear || dibao.StatusZh != "接近条件" || dibao.DepartmentZh != "民政" || len(dibao.Gaps) != 1 {
		t.Fatalf("低保: %+v", dibao)
	}
	g := dibao.Gaps[0]
	if g.Gap != 8600 || g.Unit != matching.UnitFenPerMonth || !strings.Contains(g.TextZh, "¥86.00") ||
		!strings.Contains(g.TextZh, "低保标准") || !strings.Contains(g.TextZh, "人均月收入") {
		t.Fatalf("gap: %+v", g)
	}
	if !slices.ContainsFunc(dibao.Trace, func(f matching.TracedFact) bool {
		return f.Fact == matching.FactMonthlyIncome && f.Source == "economic_check"
	}) || !slices.ContainsFunc(dibao.Params, func(p matching.UsedParam) bool {
		return p.Name == seed.ParamDibao && int64(p.Value) == e.dibaoStandard()
	}) {
		t.Fatalf("trace %+v, params %+v", dibao.Trace, dibao.Params)
	}
	if dibao.BenefitValueFen == 0 || len(dibao.NextSteps) != 7 || !strings.Contains(dibao.NextSteps[0].NameZh, "核对授权书") ||
		dibao.NextSteps[5].Step != "public_notice" {
		t.Fatalf("benefit %d, steps %+v", dibao.BenefitValueFen, dibao.NextSteps)
	}

	for name, c := range map[string]struct {
		token string
		code  int
	}{
		"district":       {e.login("coordinator").AccessToken, 200},
		"another street": {e.login(runOther).AccessToken, 404},
		"admin":          {e.login("admin").AccessToken, 403},
		"volunteer":      {e.login("volunteer1").AccessToken, 403},
	} {
		if r := e.do("GET", "/api/v1/households/"+id+"/evaluation", c.token, nil); r.status != c.code {
			t.Errorf("%s: want %d, got %d", name, c.code, r.status)
		}
	}
	trail := e.do("GET", "/api/v1/audit", street, nil)
	if !strings.Contains(string(trail.body), "household.evaluate") {
		t.Fatalf("the evaluation was not audited: %s", trail.body)
	}
}

// TestNearList: households just outside a policy they do not receive, the
// closest first, paged.
func TestNearList(t *testing.T) {
	e := newEnv(t)
	street := e.login("coordinator.610103002").AccessToken
	std := e.dibaoStandard()
	near := e.householdWithIncome(street, runHome, "61990119500101002", std+8600, false)
	far := e.householdWithIncome(street, runHome, "61990119520202003", std+30000, false)

	r := e.do("GET", "/api/v1/evaluations/near?place="+runComm, street, nil)
	if r.status != 200 {
		t.Fatalf("near: %d %s", r.status, r.body)
	}
	var page struct {
		Items      []NearHousehold `json:"items"`
		Total      int             `json:"total"`
		NextCursor string          `json:"next_cursor"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 || len(page.Items) != 2 || page.NextCursor != "" {
		t.Fatalf("near list: %s", r.body)
	}
	if !slices.IsSortedFunc(page.Items, func(a, b NearHousehold) int { return cmp.Compare(b.Closeness, a.Closeness) }) {
		t.Fatalf("not closest first: %s", r.body)
	}
	dibao := func(h NearHousehold) NearPolicy {
		i := slices.IndexFunc(h.Policies, func(p NearPolicy) bool { return p.PolicyID == "mz-dibao" })
		if i < 0 {
			t.Fatalf("%s is not near 低保: %+v", h.HouseholdID, h.Policies)
		}
		return h.Policies[i]
	}
	byID := map[string]NearHousehold{}
	for _, h := range page.Items {
		byID[h.HouseholdID] = h
		if h.Closeness != h.Policies[0].Closeness || h.Head != "李一" {
			t.Fatalf("item: %+v", h)
		}
	}
	a, b := dibao(byID[near]), dibao(byID[far])
	if a.Closeness <= b.Closeness || !strings.Contains(a.Gaps[0].TextZh, "¥86.00") || !byID[near].JustOutside {
		t.Fatalf("¥86 over: %+v; ¥300 over: %+v", a, b)
	}

	one := e.do("GET", "/api/v1/evaluations/near?limit=1", street, nil)
	next := e.do("GET", "/api/v1/evaluations/near?limit=1&cursor=1", street, nil)
	if one.json(t)["next_cursor"] != "1" || next.json(t)["next_cursor"] != "" ||
		next.json(t)["items"].([]any)[0].(map[string]any)["household_id"] != page.Items[1].HouseholdID {
		t.Fatalf("pages: %s / %s", one.body, next.body)
	}
	for name, c := range map[string]struct {
		token, query string
		code         int
	}{
		"another street's place": {e.login(runOther).AccessToken, "?place=610103002000", 403},
		"admin":                  {e.login("admin").AccessToken, "", 403},
		"bad cursor":             {street, "?cursor=x", 400},
	} {
		if r := e.do("GET", "/api/v1/evaluations/near"+c.query, c.token, nil); r.status != c.code {
			t.Errorf("%s: want %d, got %d %s", name, c.code, r.status, r.body)
		}
	}
	if got := e.do("GET", "/api/v1/evaluations/near", e.login(runOther).AccessToken, nil); got.json(t)["total"] != 0.0 {
		t.Errorf("another street sees near households: %s", got.body)
	}
}
