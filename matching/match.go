package matching

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"lianzhu/domain"
)

// Options tune a run without changing what the problem says.
type Options struct {
	// IncludeCandidates adds every candidate pair with its score to the
	// result, for coordinators who want to see the alternatives.
	IncludeCandidates bool `json:"include_candidates,omitempty"`
	// MaxDistanceM, when positive, drops targets further than this from a
	// home whose location is known, even inside their service area.
	MaxDistanceM float64 `json:"max_distance_m,omitempty"`
	// Workers bounds the goroutines used; 0 means GOMAXPROCS. The result
	// does not depend on it.
	Workers int `json:"workers,omitempty"`
}

// Assignment proposes one target for one need. Score is exactly the sum of
// Factors, all whole points; Factors["priority"] is the priority class bonus
// that makes the assignment respect urgency and vulnerability.
type Assignment struct {
	NeedID        string             `json:"need_id"`
	TargetKind    TargetKind         `json:"target_kind"`
	TargetID      string             `json:"target_id"`
	Score         float64            `json:"score"`
	Factors       map[string]float64 `json:"factors"`
	PriorityClass int                `json:"priority_class"`
}

// Unmatched is a need that got no proposal, with the reason.
type Unmatched struct {
	NeedID        string `json:"need_id"`
	Item          string `json:"item"`
	Place         string `json:"place"`
	Reason        Reason `json:"reason"`
	PriorityClass int    `json:"priority_class"`
}

// Gap counts unmatched needs of one item in one community for one reason:
// one row of the supply-gap report.
type Gap struct {
	Item   string `json:"item"`
	Place  string `json:"place"`
	Reason Reason `json:"reason"`
	Count  int    `json:"count"`
}

// Candidate is a pair that passed every filter, with the score it would get.
type Candidate struct {
	NeedID     string     `json:"need_id"`
	TargetKind TargetKind `json:"target_kind"`
	TargetID   string     `json:"target_id"`
	Score      float64    `json:"score"`
}

// CapacityUse says how much of a target's capacity the run proposes to use.
type CapacityUse struct {
	TargetKind   TargetKind `json:"target_kind"`
	TargetID     string     `json:"target_id"`
	CapacityLeft int        `json:"capacity_left"`
	Assigned     int        `json:"assigned"`
	LeftAfter    int        `json:"left_after"`
}

// Stats describe the run's size.
type Stats struct {
	Needs            int   `json:"needs"`
	Targets          int   `json:"targets"`
	CandidatePairs   int   `json:"candidate_pairs"`
	Components       int   `json:"components"`
	LargestComponent int   `json:"largest_component"`
	Matched          int   `json:"matched"`
	TotalScore       int64 `json:"total_score"`
}

// Result is a run's outcome. Every list is sorted: assignments, unmatched
// needs and candidates by need ID (candidates then by score, best first),
// gaps by item, place and reason, capacity by target kind and ID.
type Result struct {
	Assignments []Assignment  `json:"assignments"`
	Unmatched   []Unmatched   `json:"unmatched"`
	Gaps        []Gap         `json:"gaps"`
	Candidates  []Candidate   `json:"candidates,omitempty"`
	Capacity    []CapacityUse `json:"capacity"`
	Stats       Stats         `json:"stats"`
}

// Match assigns targets to needs so that the total score is maximal, each
// need gets at most one target and no target more than its capacity left;
// see priorityUnit for why maximising never trades a more urgent or more
// vulnerable need for less urgent ones. The graph of candidate pairs splits
// into connected components, which are solved exactly and independently (in
// parallel). An invalid problem gives an EINVALID *domain.Error.
func Match(p Problem, opts Options) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if d := opts.MaxDistanceM; math.IsNaN(d) || math.IsInf(d, 0) || d < 0 {
		return Result{}, domain.Invalid("max_distance_m", "range", "最大距离须为非负数 / max distance must be non-negative")
	}
	w := DefaultWeights()
	if p.Weights != nil {
		w = *p.Weights
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	e := newEngine(&p, w, opts)
	edges, reasons := e.allCandidates(workers)
	competing := 0
	for _, es := range edges {
		if len(es) > 0 {
			competing++
		}
	}
	unit, ok := priorityUnit(competing, &w)
	if !ok {
		return Result{}, domain.Errorf(domain.EINVALID, "需求过多，无法精确计算优先级 / too many needs for exact priorities")
	}
	comps := e.components(edges)
	chosen := e.solveAll(comps, edges, unit, workers)
	return e.result(edges, reasons, chosen, comps, unit), nil
}

// component is a connected part of the candidate graph.
type component struct {
	needs, targets []int32
}

// components splits the candidate graph with union–find. No candidate pair
// crosses two components, so solving each alone is exact.
func (e *engine) components(edges [][]edge) []component {
	nN := len(e.needs)
	parent := make([]int32, nN+len(e.targets))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i, es := range edges {
		for _, c := range es {
			a, b := find(int32(i)), find(int32(nN)+c.target)
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	index := map[int32]int{}
	var comps []component
	for i, es := range edges {
		if len(es) == 0 {
			continue
		}
		r := find(int32(i))
		k, ok := index[r]
		if !ok {
			k = len(comps)
			index[r] = k
			comps = append(comps, component{})
		}
		comps[k].needs = append(comps[k].needs, int32(i))
	}
	for t := range e.targets {
		if k, ok := index[find(int32(nN+t))]; ok {
			comps[k].targets = append(comps[k].targets, int32(t))
		}
	}
	return comps
}

// solveAll solves every component and returns, per need, the index of its
// chosen edge or −1. Components are handed out largest first so that one
// big component does not start last; each writes only its own needs.
func (e *engine) solveAll(comps []component, edges [][]edge, unit int64, workers int) []int32 {
	chosen := make([]int32, len(e.needs))
	for i := range chosen {
		chosen[i] = -1
	}
	local := make([]int32, len(e.targets))
	order := make([]int, len(comps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(len(comps[b].needs)+len(comps[b].targets), len(comps[a].needs)+len(comps[a].targets))
	})
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(comps)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(order) {
					return
				}
				e.solveComponent(&comps[order[k]], edges, unit, local, chosen)
			}
		}()
	}
	wg.Wait()
	return chosen
}

// solveComponent builds the component's b-matching graph and solves it.
// Needs enter the solver most urgent class first: the result is the same
// optimum either way, but fewer displaced needs mean shorter searches.
func (e *engine) solveComponent(c *component, edges [][]edge, unit int64, local, chosen []int32) {
	g := &bgraph{nLeft: len(c.needs), nRight: len(c.targets), start: make([]int32, 1, len(c.needs)+1),
		cap: make([]int32, len(c.targets))}
	for j, t := range c.targets {
		local[t] = int32(j)
		g.cap[j] = int32(min(e.targets[t].CapacityLeft, len(c.needs)))
	}
	for _, n := range c.needs {
		bonus := priorityBonus(e.class[n], unit)
		for _, x := range edges[n] {
			g.to = append(g.to, local[x.target])
			g.weight = append(g.weight, bonus+x.base)
		}
		g.start = append(g.start, int32(len(g.to)))
	}
	order := make([]int32, len(c.needs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(e.class[c.needs[b]], e.class[c.needs[a]]) })
	assign := g.solve(order)
	for i, n := range c.needs {
		if assign[i] >= 0 {
			chosen[n] = assign[i] - g.start[i]
		}
	}
}

// result assembles the sorted outputs from the chosen edges.
func (e *engine) result(edges [][]edge, reasons []Reason, chosen []int32, comps []component, unit int64) Result {
	res := Result{Assignments: []Assignment{}, Unmatched: []Unmatched{}, Gaps: []Gap{}, Capacity: []CapacityUse{}}
	res.Stats = Stats{Needs: len(e.needs), Targets: len(e.targets), Components: len(comps)}
	for _, c := range comps {
		res.Stats.LargestComponent = max(res.Stats.LargestComponent, len(c.needs)+len(c.targets))
	}
	used := make([]int, len(e.targets))
	// minHolder is the lowest priority class among a target's holders.
	minHolder := make([]int, len(e.targets))
	for t := range minHolder {
		minHolder[t] = priorityClasses
	}
	for i, k := range chosen {
		if k >= 0 {
			t := edges[i][k].target
			used[t]++
			minHolder[t] = min(minHolder[t], e.class[i])
		}
	}
	for i := range e.needs {
		n := &e.needs[i]
		res.Stats.CandidatePairs += len(edges[i])
		if k := chosen[i]; k >= 0 {
			res.Assignments = append(res.Assignments, e.assignment(i, edges[i][k], unit))
			res.Stats.Matched++
			res.Stats.TotalScore += priorityBonus(e.class[i], unit) + edges[i][k].base
			continue
		}
		reason := reasons[i]
		if reason == "" {
			reason = lostReason(edges[i], e.class[i], used, minHolder, e.targets)
		}
		res.Unmatched = append(res.Unmatched, Unmatched{NeedID: n.ID, Item: n.Item, Place: n.Place,
			Reason: reason, PriorityClass: e.class[i]})
	}
	res.Gaps = gaps(res.Unmatched)
	for t := range e.targets {
		tg := &e.targets[t]
		res.Capacity = append(res.Capacity, CapacityUse{TargetKind: tg.Kind, TargetID: tg.ID,
			CapacityLeft: tg.CapacityLeft, Assigned: used[t], LeftAfter: tg.CapacityLeft - used[t]})
	}
	if e.opts.IncludeCandidates {
		res.Candidates = e.candidateList(edges, unit)
	}
	return res
}

// lostReason explains a need that had candidates but got none. In an
// optimal assignment every candidate target is full (one more pair would
// raise the total), and held only by needs of the same or a higher class
// (else swapping would raise it too): the reason says which.
func lostReason(es []edge, class int, used, minHolder []int, targets []Target) Reason {
	for _, x := range es {
		if used[x.target] < targets[x.target].CapacityLeft || minHolder[x.target] <= class {
			return ReasonTakenBySamePriority
		}
	}
	return ReasonTakenByHigherPriority
}

// assignment reports need i's chosen pair with its factors. The factors are
// recomputed from the same inputs, so they sum to the score the solver used.
func (e *engine) assignment(i int, x edge, unit int64) Assignment {
	n, t := &e.needs[i], &e.targets[x.target]
	_, dist := e.check(n, t)
	rel := relevance(e.needTok[i], e.needTokW[i], e.needTokSum[i], e.targetTok[x.target])
	f := baseFactors(&e.w, n, t, x.fit, rel, dist, e.vuln[i])
	f[len(f)-1] = priorityBonus(e.class[i], unit)
	factors := make(map[string]float64, len(f))
	for j, v := range f {
		factors[factorNames[j]] = float64(v)
	}
	return Assignment{NeedID: n.ID, TargetKind: t.Kind, TargetID: t.ID, Score: float64(f.sum()),
		Factors: factors, PriorityClass: e.class[i]}
}

// candidateList lists every candidate pair, best first within each need.
func (e *engine) candidateList(edges [][]edge, unit int64) []Candidate {
	var out []Candidate
	for i, es := range edges {
		es = slices.Clone(es)
		slices.SortStableFunc(es, func(a, b edge) int { return cmp.Compare(b.base, a.base) })
		bonus := priorityBonus(e.class[i], unit)
		for _, x := range es {
			t := &e.targets[x.target]
			out = append(out, Candidate{NeedID: e.needs[i].ID, TargetKind: t.Kind, TargetID: t.ID,
				Score: float64(bonus + x.base)})
		}
	}
	return out
}

// gaps sums unmatched needs by item, community and reason. A compound code
// is folded into its community, the level at which districts plan supply.
func gaps(unmatched []Unmatched) []Gap {
	type key struct {
		item, place string
		reason      Reason
	}
	counts := map[key]int{}
	for _, u := range unmatched {
		place := u.Place
		if domain.PlaceLevelOf(place) == domain.LevelCompound {
			place = place[:12]
		}
		counts[key{u.Item, place, u.Reason}]++
	}
	out := make([]Gap, 0, len(counts))
	for k, c := range counts {
		out = append(out, Gap{Item: k.item, Place: k.place, Reason: k.reason, Count: c})
	}
	slices.SortFunc(out, func(a, b Gap) int {
		return cmp.Or(cmp.Compare(a.Item, b.Item), cmp.Compare(a.Place, b.Place), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}
