package matching_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/seed"
)

// Tests of whole results: combinations, dated parameters, the trace and
// the wire format, the seed catalogue and the benchmark. Fixtures are in
// policy_test.go.

func TestCombinations(t *testing.T) {
	params := ptParams(t)
	incomeNear := domain.Criterion{Kind: domain.CriterionIncome, Param: "dibao_standard", Factor: 1.0, NearFactor: 1.5} // ¥86 of ¥410: d = 0.2098
	ageNear := domain.Criterion{Kind: domain.CriterionAge, MinAge: 72, NearYears: 5}                                    // 70 of 72: d = 0.4
	pass := domain.Criterion{Kind: domain.CriterionStatus, Statuses: []domain.AssistanceKind{domain.AssistDibao}}
	fail := domain.Criterion{Kind: domain.CriterionPlace, Places: []string{"610103005000"}}
	missing := domain.Criterion{Kind: domain.CriterionNoSupporter}
	any := func(cs ...domain.Criterion) domain.Criterion {
		return domain.Criterion{Kind: domain.CriterionAny, Criteria: cs}
	}
	all := func(cs ...domain.Criterion) domain.Criterion {
		return domain.Criterion{Kind: domain.CriterionAll, Criteria: cs}
	}
	cases := []struct {
		name           string
		match          domain.Combinator
		cs             []domain.Criterion
		status, best   matching.PolicyStatus
		gaps, nMissing int
		closeness      float64
	}{
		{"all: near and pass", domain.MatchAll, []domain.Criterion{incomeNear, pass}, matching.PolicyNear, matching.PolicyNear, 1, 0, 0.8951},
		{"all: two near, the worst counts", domain.MatchAll, []domain.Criterion{incomeNear, ageNear}, matching.PolicyNear, matching.PolicyNear, 2, 0, 0.8},
		{"all: near and fail", domain.MatchAll, []domain.Criterion{incomeNear, fail}, matching.PolicyIneligible, matching.PolicyIneligible, 2, 0, 0},
		{"all: a known failure outweighs a missing fact", domain.MatchAll, []domain.Criterion{missing, fail}, matching.PolicyIneligible, matching.PolicyIneligible, 1, 0, 0},
		{"all: missing and pass is never eligible", domain.MatchAll, []domain.Criterion{missing, pass}, matching.PolicyUnknown, matching.PolicyEligible, 0, 1, 1},
		{"all: missing and near", domain.MatchAll, []domain.Criterion{missing, incomeNear}, matching.PolicyUnknown, matching.PolicyNear, 1, 1, 0.8951},
		{"any: pass beats missing", domain.MatchAny, []domain.Criterion{missing, pass}, matching.PolicyEligible, matching.PolicyEligible, 0, 0, 1},
		{"any: the closest near counts", domain.MatchAny, []domain.Criterion{incomeNear, ageNear}, matching.PolicyNear, matching.PolicyNear, 2, 0, 0.8951},
		{"any: near and missing", domain.MatchAny, []domain.Criterion{incomeNear, missing}, matching.PolicyUnknown, matching.PolicyEligible, 1, 1, 1},
		{"any: all fail", domain.MatchAny, []domain.Criterion{fail, fail}, matching.PolicyIneligible, matching.PolicyIneligible, 2, 0, 0},
		{"nested: all(near, any(fail, all(pass, pass)))", domain.MatchAll,
			[]domain.Criterion{incomeNear, any(fail, all(pass, pass))}, matching.PolicyNear, matching.PolicyNear, 1, 0, 0.8951},
		{"nested: all(pass, any(fail, all(pass, near)))", domain.MatchAll,
			[]domain.Criterion{pass, any(fail, all(pass, ageNear))}, matching.PolicyNear, matching.PolicyNear, 2, 0, 0.8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := ptHousehold()
			h.MonthlyIncome = ptFact(domain.Yuan(1812))
			h.Members[0].BirthYear, h.Members[1].BirthYear = 1956, 1960 // 70 and 66
			h.Supporters = nil
			p := ptPolicy(tc.cs...)
			p.Match = tc.match
			if err := p.Validate(params); err != nil {
				t.Fatalf("policy invalid: %v", err)
			}
			r := matching.EvaluatePolicy(h, p, params, ptNow)
			if r.Status != tc.status || r.Best != tc.best || len(r.Gaps) != tc.gaps || len(r.Missing) != tc.nMissing || r.Closeness != tc.closeness {
				t.Fatalf("got status %s best %s, %d gaps, %d missing, closeness %v; want %s %s %d %d %v\n%+v",
					r.Status, r.Best, len(r.Gaps), len(r.Missing), r.Closeness, tc.status, tc.best, tc.gaps, tc.nMissing, tc.closeness, r)
			}
		})
	}
}

func TestDatedParameters(t *testing.T) {
	params := ptParams(t)
	p := ptPolicy(domain.Criterion{Kind: domain.CriterionIncome, Param: "dibao_standard", Factor: 1.0, NearFactor: 1.5})
	h := ptHousehold()
	h.MonthlyIncome = ptFact(domain.Yuan(1700)) // ¥850 per capita
	change := time.Date(2027, 1, 1, 0, 0, 0, 0, ptCST)
	cases := []struct {
		name   string
		at     time.Time
		status matching.PolicyStatus
		line   domain.Fen
	}{
		{"before the new standard", change.Add(-time.Second), matching.PolicyNear, domain.Yuan(820)},
		{"from the new standard (midnight in China)", change, matching.PolicyEligible, domain.Yuan(870)},
		{"2026-12-31 16:00 UTC is already 2027 in China", time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), matching.PolicyEligible, domain.Yuan(870)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := matching.EvaluatePolicy(h, p, params, tc.at)
			if r.Status != tc.status {
				t.Fatalf("status = %s, want %s", r.Status, tc.status)
			}
			if len(r.Params) != 1 || r.Params[0].Name != "dibao_standard" || r.Params[0].Value != tc.line {
				t.Fatalf("params = %+v, want the 低保 standard %v", r.Params, tc.line)
			}
		})
	}
}

func TestTraceAndWireFormat(t *testing.T) {
	params := ptParams(t)
	h := ptHousehold()
	h.MonthlyIncome = ptFact(domain.Yuan(1812))
	p := ptPolicy(
		domain.Criterion{Kind: domain.CriterionIncome, Param: "dibao_standard", Factor: 1.0, NearFactor: 1.5},
		domain.Criterion{Kind: domain.CriterionStatus, Statuses: []domain.AssistanceKind{domain.AssistDibao}})
	r := matching.EvaluatePolicy(h, p, params, ptNow)
	facts := map[matching.PolicyFact]matching.TracedFact{}
	for _, tf := range r.Trace {
		facts[tf.Fact] = tf
	}
	if f := facts[matching.FactMonthlyIncome]; f.Value != "¥1,812.00" || f.Source != string(domain.SourceEconomicCheck) || f.Date.IsZero() {
		t.Errorf("income trace = %+v", f)
	}
	if f := facts[matching.FactMembers]; f.Value != "2" || f.Source != matching.SourceHouseholdFile {
		t.Errorf("members trace = %+v", f)
	}
	if f := facts[matching.FactAssistance]; f.Value != "dibao" || f.Source != matching.SourceOfficialDecision {
		t.Errorf("assistance trace = %+v", f)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var wire map[string]any
	if err := json.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"policy_id", "household_id", "status", "best", "worst", "closeness", "gaps", "missing", "trace", "params"} {
		if _, ok := wire[key]; !ok {
			t.Errorf("result JSON lacks %q: %s", key, b)
		}
	}
	gap := wire["gaps"].([]any)[0].(map[string]any)
	for _, key := range []string{"criterion", "fact", "value", "threshold", "gap", "unit", "text_zh", "text_en", "within_margin"} {
		if _, ok := gap[key]; !ok {
			t.Errorf("gap JSON lacks %q: %v", key, gap)
		}
	}
	param := wire["params"].([]any)[0].(map[string]any)
	if param["name"] != "dibao_standard" || param["value"] != float64(82000) || param["from"] == nil {
		t.Errorf("param JSON = %v", param)
	}
	// An eligible result still has empty lists, not null.
	h.MonthlyIncome = ptFact(domain.Yuan(1000))
	b, _ = json.Marshal(matching.EvaluatePolicy(h, p, params, ptNow))
	if !strings.Contains(string(b), `"gaps":[]`) || !strings.Contains(string(b), `"missing":[]`) {
		t.Errorf("eligible JSON = %s", b)
	}
}

func TestEvaluateHouseholdWithSeedCatalogue(t *testing.T) {
	policies, params := seed.Policies(), seed.PolicyParams()
	h := ptHousehold()
	results := matching.EvaluateHousehold(h, policies, params, ptNow)
	if len(results) != len(policies) {
		t.Fatalf("%d results for %d policies", len(results), len(policies))
	}
	byID := map[string]matching.PolicyResult{}
	for i, r := range results {
		if r.PolicyID != policies[i].ID || r.HouseholdID != "h1" {
			t.Fatalf("result %d is for %s/%s", i, r.HouseholdID, r.PolicyID)
		}
		byID[r.PolicyID] = r
	}
	// On 低保 at exactly the line, with ¥23,000 of medical costs and a
	// seriously ill member: a lead for inpatient medical assistance, not
	// for 低保 itself (which the household holds: the policy excludes 特困
	// only, so it shows as eligible and the matching engine filters by Confers).
	want := map[string]matching.PolicyStatus{
		"mz-dibao":        matching.PolicyEligible,
		"yb-inpatient":    matching.PolicyEligible,
		"yb-chronic":      matching.PolicyEligible,
		"mz-dibao-edge":   matching.PolicyIneligible,
		"mz-longevity-80": matching.PolicyIneligible,
	}
	for id, st := range want {
		if byID[id].Status != st {
			t.Errorf("%s: status %s, want %s (%+v)", id, byID[id].Status, st, byID[id].Gaps)
		}
	}
}

// BenchmarkEvaluateHousehold evaluates one household against the whole seed
// catalogue, as the matching run does per household.
func BenchmarkEvaluateHousehold(b *testing.B) {
	policies, params := seed.Policies(), seed.PolicyParams()
	h := ptHousehold()
	b.ReportAllocs()
	for b.Loop() {
		matching.EvaluateHousehold(h, policies, params, ptNow)
	}
}
