package matching

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"lianzhu/domain"
)

const (
	commA  = "610103001001"
	commB  = "610103001002"
	commC  = "610103002001"
	street = "610103001000"
)

func testItems() []Item {
	return []Item{
		{Code: "meal", NameZh: "助餐", Synonyms: []string{"吃饭", "做饭"}, Related: []string{"home_care"}},
		{Code: "home_care", NameZh: "居家照护", Synonyms: []string{"没人照顾"}},
		{Code: "bathing", NameZh: "助浴", Synonyms: []string{"洗澡"}},
		{Code: "companionship", NameZh: "精神慰藉", Synonyms: []string{"聊天"}, TaskLike: true},
		{Code: "job_placement", NameZh: "就业推荐", Synonyms: []string{"找工作"}, Employment: true},
		{Code: "flexible_employment", NameZh: "灵活就业", Employment: true, Related: []string{"job_placement"}},
	}
}

func mkNeed(id, item string, mods ...func(*Need)) Need {
	age := 70
	n := Need{ID: id, Item: item, Place: commA + "001", Location: &domain.LatLng{Lat: 34.25, Lng: 108.95},
		Urgency: domain.UrgencyNormal, Assistance: []domain.AssistanceKind{domain.AssistDibao}, Age: &age,
		Consents: domain.RecipientKinds(), VoucherLeftFen: 10_000}
	for _, m := range mods {
		m(&n)
	}
	return n
}

func mkTarget(id, item string, capacity int, mods ...func(*Target)) Target {
	t := Target{Kind: TargetOffering, ID: id, ProviderID: "p-" + id, Item: item, Title: "服务",
		Audience: domain.Audience{Anyone: true}, Area: domain.ServiceArea{Places: []string{street}},
		CapacityLeft: capacity, Recipient: domain.RecipientNGOUnit, ProviderLight: domain.LightGreen}
	for _, m := range mods {
		m(&t)
	}
	return t
}

func mustMatch(t *testing.T, p Problem, opts Options) Result {
	t.Helper()
	res, err := Match(p, opts)
	if err != nil {
		t.Fatalf("Match: %v", err)
	}
	return res
}

func assigned(res Result) map[string]string {
	out := map[string]string{}
	for _, a := range res.Assignments {
		out[a.NeedID] = a.TargetID
	}
	return out
}

func reasonOf(res Result, needID string) Reason {
	for _, u := range res.Unmatched {
		if u.NeedID == needID {
			return u.Reason
		}
	}
	return ""
}

func TestScoreIsSumOfFactors(t *testing.T) {
	p := Problem{Catalogue: testItems(),
		Needs:   []Need{mkNeed("n1", "meal", func(n *Need) { n.Words = "做不了饭，想在社区吃饭" })},
		Targets: []Target{mkTarget("t1", "meal", 2, func(t *Target) { t.Title = "社区长者食堂吃饭" })}}
	res := mustMatch(t, p, Options{})
	if len(res.Assignments) != 1 {
		t.Fatalf("assignments = %+v", res.Assignments)
	}
	a := res.Assignments[0]
	sum := 0.0
	for _, name := range factorNames {
		v, ok := a.Factors[name]
		if !ok {
			t.Errorf("factor %q missing", name)
		}
		sum += v
	}
	if sum != a.Score || int64(a.Score) != res.Stats.TotalScore {
		t.Errorf("score %v, factor sum %v, total %d", a.Score, sum, res.Stats.TotalScore)
	}
	if a.Factors[FactorTextRelevance] <= 0 || a.Factors[FactorCategoryFit] != 1000 {
		t.Errorf("factors = %v", a.Factors)
	}
}

// TestPriorityBeatsFit: a critical need takes the only place even though a
// low-urgency need fits it better, and the loser is told why.
func TestPriorityBeatsFit(t *testing.T) {
	p := Problem{Catalogue: testItems(), Needs: []Need{
		mkNeed("low", "meal", func(n *Need) { n.Urgency = domain.UrgencyLow; n.Words = "做饭" }),
		mkNeed("urgent", "home_care", func(n *Need) { n.Urgency = domain.UrgencyCritical }),
	}, Targets: []Target{mkTarget("t1", "meal", 1, func(t *Target) { t.Title = "做饭" })}}
	res := mustMatch(t, p, Options{})
	if got := assigned(res); got["urgent"] != "t1" || len(got) != 1 {
		t.Fatalf("assigned = %v", got)
	}
	if r := reasonOf(res, "low"); r != ReasonTakenByHigherPriority {
		t.Errorf("reason = %q", r)
	}
}

// TestVulnerabilityBeatsFit: at equal urgency the more vulnerable member
// (特困, 85, living alone, disability) wins over a better-fitting need.
func TestVulnerabilityBeatsFit(t *testing.T) {
	old := 85
	p := Problem{Catalogue: testItems(), Needs: []Need{
		mkNeed("a", "meal", func(n *Need) { n.Assistance = nil; n.JustOutside = true; n.Age = nil }),
		mkNeed("b", "home_care", func(n *Need) {
			n.Assistance, n.Age, n.LivingAlone = []domain.AssistanceKind{domain.AssistTekun}, &old, true
		}),
	}, Targets: []Target{mkTarget("t1", "meal", 1)}}
	res := mustMatch(t, p, Options{})
	if got := assigned(res); got["b"] != "t1" {
		t.Fatalf("assigned = %v", got)
	}
}

// TestNotGreedy: a greedy pass would give a's favourite to a and leave b
// without anything; the optimum serves both.
func TestNotGreedy(t *testing.T) {
	p := Problem{Catalogue: testItems(), Needs: []Need{
		mkNeed("a", "meal", func(n *Need) { n.Words = "食堂" }),
		mkNeed("b", "meal", func(n *Need) { n.Place = commB }),
	}, Targets: []Target{
		mkTarget("t1", "meal", 1, func(t *Target) { t.Title = "食堂" }),
		mkTarget("t2", "meal", 1, func(t *Target) { t.Area.Places = []string{commA} }),
	}}
	res := mustMatch(t, p, Options{})
	if got := assigned(res); got["a"] != "t2" || got["b"] != "t1" {
		t.Fatalf("assigned = %v", got)
	}
}

func TestKindsAndFit(t *testing.T) {
	pool := mkTarget("pool", "", 5, func(t *Target) {
		t.Kind, t.Recipient, t.Area = TargetVolunteerPool, domain.RecipientVolunteer, domain.ServiceArea{}
	})
	job := mkTarget("job", "flexible_employment", 1, func(t *Target) { t.Kind, t.Recipient = TargetJob, domain.RecipientEmployer })
	p := Problem{Catalogue: testItems(), Needs: []Need{
		mkNeed("chat", "companionship"), mkNeed("work", "job_placement"), mkNeed("bath", "bathing"),
		mkNeed("meal", "meal"),
	}, Targets: []Target{pool, job, mkTarget("care", "home_care", 1), mkTarget("meal", "meal", 0)}}
	res := mustMatch(t, p, Options{})
	got := assigned(res)
	if got["chat"] != "pool" || got["work"] != "job" || got["meal"] != "care" {
		t.Fatalf("assigned = %v", got)
	}
	for _, a := range res.Assignments {
		want := map[string]float64{"chat": 800, "work": 800, "meal": 500}[a.NeedID]
		if a.Factors[FactorCategoryFit] != want {
			t.Errorf("%s: category fit %v, want %v", a.NeedID, a.Factors[FactorCategoryFit], want)
		}
	}
	if r := reasonOf(res, "bath"); r != ReasonNoSupply {
		t.Errorf("bathing reason = %q (a pool must not serve a need that is not task-like)", r)
	}
}

func TestReasons(t *testing.T) {
	for _, tc := range []struct {
		name   string
		need   func(*Need)
		target func(*Target)
		want   Reason
	}{
		{"do not contact", func(n *Need) { n.DoNotContact = true }, nil, ReasonDoNotContact},
		{"no supply", func(n *Need) { n.Item = "bathing" }, nil, ReasonNoSupply},
		{"outside area", func(n *Need) { n.Place = commC }, nil, ReasonOutsideArea},
		{"audience", nil, func(t *Target) { t.Audience = domain.Audience{Tiers: []domain.AssistanceKind{domain.AssistTekun}} }, ReasonAudience},
		{"age limit", nil, func(t *Target) { t.Audience.MinAge = 80 }, ReasonEligibility},
		{"disability only", nil, func(t *Target) { t.Audience.DisabilityOnly = true }, ReasonEligibility},
		{"red provider", nil, func(t *Target) { t.ProviderLight = domain.LightRed }, ReasonProviderRed},
		{"no capacity", nil, func(t *Target) { t.CapacityLeft = 0 }, ReasonNoCapacity},
		{"voucher", func(n *Need) { n.VoucherLeftFen = 100 }, func(t *Target) { t.VoucherFen = 2000 }, ReasonVoucherExhausted},
		{"consent", func(n *Need) { n.Consents = []domain.RecipientKind{domain.RecipientEmployer} }, nil, ReasonNoConsent},
		{"distance", func(n *Need) { n.Location = &domain.LatLng{Lat: 34.35, Lng: 108.95} },
			func(t *Target) {
				t.Area = domain.ServiceArea{Center: &domain.LatLng{Lat: 34.25, Lng: 108.95}, RadiusM: 3000}
			}, ReasonOutsideArea},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := mkNeed("n", "meal")
			if tc.need != nil {
				tc.need(&n)
			}
			tg := mkTarget("t", "meal", 1)
			if tc.target != nil {
				tc.target(&tg)
			}
			res := mustMatch(t, Problem{Catalogue: testItems(), Needs: []Need{n}, Targets: []Target{tg}}, Options{})
			if got := reasonOf(res, "n"); got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
			if len(res.Gaps) != 1 || res.Gaps[0].Reason != tc.want || res.Gaps[0].Count != 1 {
				t.Errorf("gaps = %+v", res.Gaps)
			}
		})
	}
}

// TestFurthestReason: with one target out of the area and one failing only
// on consent, the reason is consent.
func TestFurthestReason(t *testing.T) {
	p := Problem{Catalogue: testItems(),
		Needs: []Need{mkNeed("n", "meal", func(n *Need) { n.Consents = nil })},
		Targets: []Target{mkTarget("far", "meal", 1, func(t *Target) { t.Area.Places = []string{commC} }),
			mkTarget("near", "meal", 1)}}
	if r := reasonOf(mustMatch(t, p, Options{}), "n"); r != ReasonNoConsent {
		t.Fatalf("reason = %q", r)
	}
}

func TestGapsFoldCompounds(t *testing.T) {
	p := Problem{Catalogue: testItems(), Needs: []Need{
		mkNeed("n1", "bathing"), mkNeed("n2", "bathing", func(n *Need) { n.Place = commA + "002" }),
		mkNeed("n3", "bathing", func(n *Need) { n.Place = commB }), mkNeed("n4", "meal"),
	}}
	res := mustMatch(t, p, Options{})
	want := []Gap{{"bathing", commA, ReasonNoSupply, 2}, {"bathing", commB, ReasonNoSupply, 1}, {"meal", commA, ReasonNoSupply, 1}}
	if !reflect.DeepEqual(res.Gaps, want) {
		t.Fatalf("gaps = %+v", res.Gaps)
	}
}

// TestDeterministicAndOrderFree: the same problem listed in another order,
// solved with other worker counts, gives the same result.
func TestDeterministicAndOrderFree(t *testing.T) {
	p := genProblem(3, genSpec{needs: 400, targets: 150, items: 12, communities: 12})
	want := mustMatch(t, p, Options{IncludeCandidates: true, Workers: 1})
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3 {
		q := p
		q.Needs, q.Targets = slices.Clone(p.Needs), slices.Clone(p.Targets)
		rng.Shuffle(len(q.Needs), func(a, b int) { q.Needs[a], q.Needs[b] = q.Needs[b], q.Needs[a] })
		rng.Shuffle(len(q.Targets), func(a, b int) { q.Targets[a], q.Targets[b] = q.Targets[b], q.Targets[a] })
		got := mustMatch(t, q, Options{IncludeCandidates: true, Workers: i + 2})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("run %d differs", i)
		}
	}
	if want.Stats.Matched == 0 || len(want.Unmatched) == 0 {
		t.Errorf("degenerate instance: %+v", want.Stats)
	}
}

func TestCapacityReport(t *testing.T) {
	p := Problem{Catalogue: testItems(), Needs: []Need{mkNeed("n1", "meal"), mkNeed("n2", "meal")},
		Targets: []Target{mkTarget("t1", "meal", 5)}}
	res := mustMatch(t, p, Options{})
	want := []CapacityUse{{TargetOffering, "t1", 5, 2, 3}}
	if !reflect.DeepEqual(res.Capacity, want) {
		t.Fatalf("capacity = %+v", res.Capacity)
	}
}

// TestResultJSON pins the wire format the offline tool and the API share.
func TestResultJSON(t *testing.T) {
	p := Problem{Catalogue: testItems(), Needs: []Need{mkNeed("n1", "meal"), mkNeed("n2", "bathing")},
		Targets: []Target{mkTarget("t1", "meal", 1)}}
	res := mustMatch(t, p, Options{IncludeCandidates: true})
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string][]map[string]any
	_ = json.Unmarshal(raw, &doc)
	for list, keys := range map[string][]string{
		"assignments": {"need_id", "target_kind", "target_id", "score", "factors", "priority_class"},
		"unmatched":   {"need_id", "item", "place", "reason", "priority_class"},
		"gaps":        {"item", "place", "reason", "count"},
		"candidates":  {"need_id", "target_kind", "target_id", "score"},
		"capacity":    {"target_kind", "target_id", "capacity_left", "assigned", "left_after"},
	} {
		if len(doc[list]) == 0 {
			t.Fatalf("%s missing in %s", list, raw)
		}
		for _, k := range keys {
			if _, ok := doc[list][0][k]; !ok {
				t.Errorf("%s lacks %q", list, k)
			}
		}
	}
}
