package matching

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"lianzhu/domain"
)

// genSmall builds a random valid problem over the test catalogue with up to
// maxNeeds needs and maxTargets targets, every filter exercised.
func genSmall(rng *rand.Rand, maxNeeds, maxTargets int) Problem {
	items := testItems()
	places := []string{commA, commA + "002", commB, commC}
	loc := func() *domain.LatLng {
		if rng.IntN(4) == 0 {
			return nil
		}
		return &domain.LatLng{Lat: 34.25 + rng.Float64()*0.04, Lng: 108.95 + rng.Float64()*0.04}
	}
	tiers := domain.AssistanceKinds()
	urg := []domain.Urgency{domain.UrgencyLow, domain.UrgencyNormal, domain.UrgencyHigh, domain.UrgencyCritical}
	p := Problem{Catalogue: items}
	for i := range 1 + rng.IntN(maxNeeds) {
		// Needs favour a few items so that they compete for the same targets.
		n := Need{ID: string(rune('a' + i)), Item: items[[]int{0, 0, 1, 3, 4, rng.IntN(len(items))}[rng.IntN(6)]].Code, Place: places[rng.IntN(len(places))],
			Location: loc(), Urgency: urg[rng.IntN(len(urg))], JustOutside: rng.IntN(2) == 0,
			LivingAlone: rng.IntN(3) == 0, DoNotContact: rng.IntN(20) == 0, VoucherLeftFen: domain.Fen(rng.IntN(5000)),
			Words: []string{"", "做饭吃饭", "洗澡", "找工作", "聊天 没人照顾"}[rng.IntN(5)], KnownProviders: []string{"p1"}}
		if rng.IntN(3) > 0 {
			n.Assistance = []domain.AssistanceKind{tiers[rng.IntN(len(tiers))]}
		}
		if rng.IntN(5) > 0 {
			age := rng.IntN(95)
			n.Age = &age
		}
		if rng.IntN(4) == 0 {
			n.Disability = &domain.Disability{Type: domain.DisabilityVisual, Grade: 1 + rng.IntN(4)}
		}
		for _, r := range domain.RecipientKinds() {
			if rng.IntN(10) > 0 {
				n.Consents = append(n.Consents, r)
			}
		}
		p.Needs = append(p.Needs, n)
	}
	targets := 0
	if maxTargets > 0 {
		targets = 1 + rng.IntN(maxTargets)
	}
	for i := range targets {
		t := Target{Kind: TargetOffering, ID: string(rune('t' + i)), ProviderID: []string{"p1", "p2", "p3"}[rng.IntN(3)],
			Item: items[[]int{0, 0, 1, 3, rng.IntN(len(items))}[rng.IntN(5)]].Code, Title: []string{"社区食堂", "上门助浴", "就业岗位", "陪伴聊天"}[rng.IntN(4)],
			CapacityLeft: rng.IntN(4), Recipient: domain.RecipientNGOUnit, Location: loc(),
			ProviderLight: []domain.TrafficLight{domain.LightGreen, domain.LightGreen, domain.LightYellow, domain.LightRed}[rng.IntN(4)],
			Audience:      domain.Audience{Anyone: rng.IntN(3) > 0, JustOutside: rng.IntN(2) == 0}}
		switch rng.IntN(7) {
		case 0:
			t.Kind, t.Recipient, t.Item = TargetJob, domain.RecipientEmployer, []string{"", "job_placement"}[rng.IntN(2)]
		case 1:
			t.Kind, t.Recipient, t.Item = TargetVolunteerPool, domain.RecipientVolunteer, []string{"", "companionship"}[rng.IntN(2)]
		}
		if !t.Audience.Anyone && (!t.Audience.JustOutside || rng.IntN(2) == 0) {
			t.Audience.Tiers = []domain.AssistanceKind{tiers[rng.IntN(len(tiers))]}
		}
		if rng.IntN(6) == 0 {
			t.Audience.MinAge, t.Audience.MaxAge = 60, 90*rng.IntN(2)
		}
		t.Audience.DisabilityOnly = rng.IntN(8) == 0
		if rng.IntN(6) == 0 {
			t.Audience.Places = []string{commA}
		}
		if rng.IntN(4) == 0 {
			t.VoucherFen = domain.Fen(1000 + rng.IntN(3000))
		}
		if rng.IntN(3) > 0 {
			t.ProviderRating, t.ProviderRatingCount = 1+4*rng.Float64(), 1+rng.IntN(9)
		}
		switch rng.IntN(5) {
		case 0, 4:
			t.Area.Places = []string{street}
		case 1:
			t.Area.Places = []string{places[rng.IntN(len(places))]}
		case 2:
			t.Area.Center, t.Area.RadiusM = &domain.LatLng{Lat: 34.26, Lng: 108.96}, 500+rng.IntN(3000)
		default:
			if t.Kind == TargetOffering {
				t.Area.Places = []string{"610103000000"}
			}
		}
		p.Targets = append(p.Targets, t)
	}
	return p
}

// slowFits is an independent, plain restatement of every candidate filter.
func slowFits(p *Problem, n *Need, t *Target) bool {
	var it Item
	for _, x := range p.Catalogue {
		if x.Code == n.Item {
			it = x
		}
	}
	related := func(a, b string) bool {
		for _, x := range p.Catalogue {
			if (x.Code == a && slices.Contains(x.Related, b)) || (x.Code == b && slices.Contains(x.Related, a)) {
				return true
			}
		}
		return false
	}
	kindOK := false
	switch t.Kind {
	case TargetOffering:
		kindOK = t.Item == n.Item || related(n.Item, t.Item)
	case TargetJob:
		kindOK = it.Employment
	case TargetVolunteerPool:
		kindOK = it.TaskLike && (t.Item == "" || t.Item == n.Item || related(n.Item, t.Item))
	}
	covered := len(t.Area.Places) == 0 && t.Area.Center == nil
	for _, code := range t.Area.Places {
		covered = covered || domain.PlaceWithin(n.Place, code)
	}
	if c := t.Area.Center; c != nil && n.Location != nil && domain.DistanceM(*c, *n.Location) <= float64(t.Area.RadiusM) {
		covered = true
	}
	a := t.Audience
	aud := a.Anyone || (a.JustOutside && n.JustOutside)
	for _, k := range a.Tiers {
		aud = aud || slices.Contains(n.Assistance, k)
	}
	elig := true
	if a.MinAge > 0 || a.MaxAge > 0 {
		elig = n.Age != nil && *n.Age >= a.MinAge && (a.MaxAge == 0 || *n.Age <= a.MaxAge)
	}
	if a.DisabilityOnly && n.Disability == nil {
		elig = false
	}
	if len(a.Places) > 0 && !domain.PlaceWithin(n.Place, a.Places[0]) {
		elig = false
	}
	return !n.DoNotContact && kindOK && covered && aud && elig && t.ProviderLight != domain.LightRed &&
		t.CapacityLeft > 0 && (t.VoucherFen == 0 || n.VoucherLeftFen >= t.VoucherFen) && slices.Contains(n.Consents, t.Recipient)
}

// exhaustive returns the best total score and the lexicographically best
// vector of matched needs per priority class (highest class first) over
// every feasible assignment of candidate pairs.
func exhaustive(p *Problem, res Result) (int64, []int) {
	type pair struct {
		target int
		score  int64
	}
	needIdx, targetIdx := map[string]int{}, map[string]int{}
	for i, n := range p.Needs {
		needIdx[n.ID] = i
	}
	for i, t := range p.Targets {
		targetIdx[string(t.Kind)+"/"+t.ID] = i
	}
	class := make([]int, len(p.Needs))
	for _, a := range res.Assignments {
		class[needIdx[a.NeedID]] = a.PriorityClass
	}
	for _, u := range res.Unmatched {
		class[needIdx[u.NeedID]] = u.PriorityClass
	}
	pairs := make([][]pair, len(p.Needs))
	for _, c := range res.Candidates {
		i := needIdx[c.NeedID]
		pairs[i] = append(pairs[i], pair{targetIdx[string(c.TargetKind)+"/"+c.TargetID], int64(c.Score)})
	}
	load := make([]int, len(p.Targets))
	counts := make([]int, priorityClasses)
	var best int64
	var bestLex []int
	var rec func(i int, total int64)
	rec = func(i int, total int64) {
		if i == len(p.Needs) {
			best = max(best, total)
			lex := slices.Clone(counts)
			slices.Reverse(lex)
			if bestLex == nil || slices.Compare(lex, bestLex) > 0 {
				bestLex = lex
			}
			return
		}
		rec(i+1, total)
		for _, c := range pairs[i] {
			if load[c.target] < p.Targets[c.target].CapacityLeft {
				load[c.target]++
				counts[class[i]]++
				rec(i+1, total+c.score)
				counts[class[i]]--
				load[c.target]--
			}
		}
	}
	rec(0, 0)
	return best, bestLex
}

// TestMatchOptimalSmall compares the engine with exhaustive search on
// hundreds of small random problems: the candidate pairs are exactly those
// the plain filters allow, the total is the optimum, and the matched needs
// per priority class are the lexicographic best.
func TestMatchOptimalSmall(t *testing.T) {
	for seed := range uint64(400) {
		p := genSmall(rand.New(rand.NewPCG(seed, 3)), 7, 4)
		res := mustMatch(t, p, Options{IncludeCandidates: true})
		checkInvariants(t, &p, res)
		want, wantLex := exhaustive(&p, res)
		if res.Stats.TotalScore != want {
			t.Fatalf("seed %d: total %d, exhaustive optimum %d", seed, res.Stats.TotalScore, want)
		}
		got := make([]int, priorityClasses)
		for _, a := range res.Assignments {
			got[priorityClasses-1-a.PriorityClass]++
		}
		if !slices.Equal(got, wantLex) {
			t.Fatalf("seed %d: matched per class %v, lexicographic best %v", seed, got, wantLex)
		}
	}
}

// checkInvariants checks what must hold for any problem: every need once,
// capacities kept, pairs allowed, candidates exactly the allowed pairs,
// scores the sum of factors, reasons from the set, lost needs' targets full.
func checkInvariants(t *testing.T, p *Problem, res Result) {
	t.Helper()
	need := map[string]*Need{}
	for i := range p.Needs {
		need[p.Needs[i].ID] = &p.Needs[i]
	}
	target := map[string]*Target{}
	for i := range p.Targets {
		target[string(p.Targets[i].Kind)+"/"+p.Targets[i].ID] = &p.Targets[i]
	}
	seen := map[string]bool{}
	load := map[string]int{}
	for _, a := range res.Assignments {
		key := string(a.TargetKind) + "/" + a.TargetID
		if seen[a.NeedID] || need[a.NeedID] == nil || target[key] == nil {
			t.Fatalf("bad or repeated assignment %+v", a)
		}
		seen[a.NeedID] = true
		load[key]++
		if !slowFits(p, need[a.NeedID], target[key]) {
			t.Fatalf("assigned pair fails a filter: %+v", a)
		}
		sum := 0.0
		for _, v := range a.Factors {
			sum += v
		}
		if sum != a.Score {
			t.Fatalf("score %v is not the factor sum %v", a.Score, sum)
		}
	}
	for key, l := range load {
		if l > target[key].CapacityLeft {
			t.Fatalf("%s over capacity: %d > %d", key, l, target[key].CapacityLeft)
		}
	}
	for _, u := range res.Unmatched {
		if seen[u.NeedID] || !u.Reason.Valid() {
			t.Fatalf("bad unmatched %+v", u)
		}
		seen[u.NeedID] = true
		lost := u.Reason == ReasonTakenByHigherPriority || u.Reason == ReasonTakenBySamePriority
		for key, tg := range target {
			fits := slowFits(p, need[u.NeedID], tg)
			if fits && (!lost || load[key] < tg.CapacityLeft) {
				t.Fatalf("need %s unmatched (%s) though %s fits with room", u.NeedID, u.Reason, key)
			}
		}
	}
	if len(seen) != len(p.Needs) {
		t.Fatalf("%d needs reported, want %d", len(seen), len(p.Needs))
	}
	if res.Candidates != nil {
		allowed := 0
		for _, n := range p.Needs {
			for _, tg := range p.Targets {
				if slowFits(p, &n, &tg) {
					allowed++
				}
			}
		}
		for _, c := range res.Candidates {
			if !slowFits(p, need[c.NeedID], target[string(c.TargetKind)+"/"+c.TargetID]) {
				t.Fatalf("candidate fails a filter: %+v", c)
			}
		}
		if allowed != len(res.Candidates) {
			t.Fatalf("%d candidates, %d allowed pairs", len(res.Candidates), allowed)
		}
	}
}

// FuzzMatch feeds the engine random problems and checks the invariants,
// optimality on small ones, and that the same input gives the same output
// whatever its order.
func FuzzMatch(f *testing.F) {
	for seed := range uint64(16) {
		f.Add(seed, uint8(seed%8), uint8(seed%5))
	}
	f.Fuzz(func(t *testing.T, seed uint64, needs, targets uint8) {
		rng := rand.New(rand.NewPCG(seed, uint64(needs)<<8|uint64(targets)))
		small := needs%2 == 0
		maxN, maxT := 7, 4
		if !small {
			maxN, maxT = 1+int(needs%40), int(targets%16)
		}
		p := genSmall(rng, maxN, maxT)
		res, err := Match(p, Options{IncludeCandidates: true})
		if err != nil {
			t.Fatalf("Match: %v", err)
		}
		checkInvariants(t, &p, res)
		if small {
			if want, _ := exhaustive(&p, res); want != res.Stats.TotalScore {
				t.Fatalf("total %d, optimum %d", res.Stats.TotalScore, want)
			}
		}
		q := p
		q.Needs, q.Targets = slices.Clone(p.Needs), slices.Clone(p.Targets)
		slices.Reverse(q.Needs)
		slices.Reverse(q.Targets)
		again, err := Match(q, Options{IncludeCandidates: true, Workers: 3})
		if err != nil || !reflect.DeepEqual(again, res) {
			t.Fatalf("same input, different output (err %v)", err)
		}
	})
}
