package matching

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"lianzhu/domain"
)

// engine is one run's indexed view of a validated Problem. Needs and targets
// are sorted by ID first, so that the result depends on the content of the
// problem and never on the order it was listed in.
type engine struct {
	w       Weights
	opts    Options
	needs   []Need
	targets []Target
	items   map[string]*Item
	// related holds each item's related items, both directions.
	related map[string][]string
	// areas finds the targets whose service area may cover a home.
	areas areaIndex

	needTok     [][]uint64
	needTokW    [][]float64
	needTokSum  []float64
	targetTok   [][]uint64
	vuln, class []int
}

// edge is one candidate pair, stored on the need's side.
type edge struct {
	target int32
	fit    fit
	// base is the pair's score without the priority bonus.
	base int64
}

// newEngine indexes a validated problem.
func newEngine(p *Problem, w Weights, opts Options) *engine {
	e := &engine{w: w, opts: opts, items: map[string]*Item{}, related: map[string][]string{},
		areas: newAreaIndex()}
	e.needs = slices.Clone(p.Needs)
	slices.SortFunc(e.needs, func(a, b Need) int { return cmp.Compare(a.ID, b.ID) })
	e.targets = slices.Clone(p.Targets)
	slices.SortFunc(e.targets, func(a, b Target) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID))
	})
	for i := range p.Catalogue {
		it := &p.Catalogue[i]
		e.items[it.Code] = it
	}
	for _, it := range p.Catalogue {
		for _, r := range it.Related {
			e.related[it.Code] = append(e.related[it.Code], r)
			e.related[r] = append(e.related[r], it.Code)
		}
	}
	for code, rs := range e.related {
		slices.Sort(rs)
		e.related[code] = slices.Compact(rs)
	}
	e.targetTok = make([][]uint64, len(e.targets))
	for i := range e.targets {
		t := &e.targets[i]
		e.areas.add(groupOf(t), int32(i), t)
		texts := []string{t.Title, t.Text}
		if it, ok := e.items[t.Item]; ok {
			texts = append(texts, it.NameZh)
			texts = append(texts, it.Synonyms...)
		}
		e.targetTok[i] = tokens(texts...)
	}
	x := newIDF(e.targetTok)
	n := len(e.needs)
	e.needTok, e.needTokW, e.needTokSum = make([][]uint64, n), make([][]float64, n), make([]float64, n)
	e.vuln, e.class = make([]int, n), make([]int, n)
	for i := range e.needs {
		nd := &e.needs[i]
		e.needTok[i] = tokens(nd.Words, nd.Note)
		e.needTokW[i], e.needTokSum[i] = x.weighted(e.needTok[i])
		e.vuln[i] = vulnerability(nd)
		e.class[i] = priorityClass(nd, e.vuln[i])
	}
	return e
}

// stage is how far a need–target pair got through the filters, in the order
// they are checked; a need without candidates is explained by the furthest
// stage any of its targets reached (see Reason).
type stage uint8

const (
	stageArea stage = iota
	stageAudience
	stageEligibility
	stageLight
	stageCapacity
	stageVoucher
	stageConsent
	stagePassed
)

// stageReasons maps the furthest failed stage to the reason reported.
var stageReasons = [...]Reason{ReasonOutsideArea, ReasonAudience, ReasonEligibility, ReasonProviderRed,
	ReasonNoCapacity, ReasonVoucherExhausted, ReasonNoConsent}

// check runs the filters on a pair and returns the stage it failed at, or
// stagePassed, with the distance between them (−1 when unknown).
func (e *engine) check(n *Need, t *Target) (stage, float64) {
	area := &t.Area
	if (len(area.Places) > 0 || area.Center != nil) && !area.Covers(n.Place, n.Location) {
		return stageArea, -1
	}
	dist := -1.0
	at := t.Location
	if at == nil {
		at = t.Area.Center
	}
	if at != nil && n.Location != nil {
		dist = domain.DistanceM(*n.Location, *at)
	}
	if e.opts.MaxDistanceM > 0 && dist > e.opts.MaxDistanceM {
		return stageArea, dist
	}
	a := &t.Audience
	if !a.Anyone && !(a.JustOutside && n.JustOutside) &&
		!slices.ContainsFunc(a.Tiers, func(k domain.AssistanceKind) bool { return slices.Contains(n.Assistance, k) }) {
		return stageAudience, dist
	}
	if !eligible(a, n) {
		return stageEligibility, dist
	}
	if !t.ProviderLight.AcceptsReferrals() {
		return stageLight, dist
	}
	if t.CapacityLeft <= 0 {
		return stageCapacity, dist
	}
	if t.VoucherFen > 0 && n.VoucherLeftFen < t.VoucherFen {
		return stageVoucher, dist
	}
	if !slices.Contains(n.Consents, t.Recipient) {
		return stageConsent, dist
	}
	return stagePassed, dist
}

// eligible applies the audience's age, disability and place limits. An
// unknown age fails an age limit: a limit is never assumed to be met.
func eligible(a *domain.Audience, n *Need) bool {
	if a.MinAge > 0 || a.MaxAge > 0 {
		if n.Age == nil || *n.Age < a.MinAge || (a.MaxAge > 0 && *n.Age > a.MaxAge) {
			return false
		}
	}
	if a.DisabilityOnly || len(a.DisabilityTypes) > 0 {
		if n.Disability == nil || (len(a.DisabilityTypes) > 0 && !slices.Contains(a.DisabilityTypes, n.Disability.Type)) {
			return false
		}
	}
	if len(a.Places) > 0 && !slices.ContainsFunc(a.Places, func(code string) bool { return domain.PlaceWithin(n.Place, code) }) {
		return false
	}
	return true
}

// universe lists the targets that could serve the need's item and whose
// area may cover the home, with their fit: offerings and pools of the item
// or a related one, every job for an employment need, every item-less pool
// for a task-like need. Jobs and pools serve only needs of their kind. It
// also reports whether any such target exists anywhere, to tell "no supply"
// from "outside the service area".
func (e *engine) universe(n *Need, buf []edge) ([]edge, bool) {
	it := e.items[n.Item]
	exists := false
	add := func(group string, f fit) {
		sz := e.areas.size[group]
		if sz[0] > 0 || (it.TaskLike && sz[1] > 0) {
			exists = true
		}
		from := len(buf)
		e.areas.each(group, n, func(t int32) {
			switch {
			case e.targets[t].Kind == TargetVolunteerPool && !it.TaskLike:
			case f == fitGeneric && e.targets[t].Item == n.Item:
				buf = append(buf, edge{target: t, fit: fitExact})
			default:
				buf = append(buf, edge{target: t, fit: f})
			}
		})
		// A target listed under several places or cells shows up once.
		part := buf[from:]
		slices.SortFunc(part, func(a, b edge) int { return cmp.Compare(a.target, b.target) })
		buf = buf[:from+len(slices.CompactFunc(part, func(a, b edge) bool { return a.target == b.target }))]
	}
	add(n.Item, fitExact)
	for _, r := range e.related[n.Item] {
		add(r, fitRelated)
	}
	if it.Employment {
		add(jobGroup, fitGeneric)
	}
	if it.TaskLike {
		add(poolGroup, fitGeneric)
	}
	return buf, exists
}

// candidates returns the need's candidate edges, sorted by target, or the
// reason it has none; buf is scratch space reused between needs.
func (e *engine) candidates(i int, buf *[]edge) ([]edge, Reason) {
	n := &e.needs[i]
	if n.DoNotContact {
		return nil, ReasonDoNotContact
	}
	all, exists := e.universe(n, (*buf)[:0])
	*buf = all
	if !exists {
		return nil, ReasonNoSupply
	}
	var out []edge
	furthest := stageArea
	for _, c := range all {
		t := &e.targets[c.target]
		st, dist := e.check(n, t)
		if st != stagePassed {
			furthest = max(furthest, st)
			continue
		}
		rel := relevance(e.needTok[i], e.needTokW[i], e.needTokSum[i], e.targetTok[c.target])
		c.base = baseFactors(&e.w, n, t, c.fit, rel, dist, e.vuln[i]).sum()
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, stageReasons[furthest]
	}
	slices.SortFunc(out, func(a, b edge) int { return cmp.Compare(a.target, b.target) })
	return out, ""
}

// allCandidates computes every need's candidates, spread over workers; each
// need's result lands in its own slot, so the outcome is independent of
// scheduling.
func (e *engine) allCandidates(workers int) ([][]edge, []Reason) {
	edges := make([][]edge, len(e.needs))
	reasons := make([]Reason, len(e.needs))
	var wg sync.WaitGroup
	chunk := (len(e.needs) + workers - 1) / workers
	for lo := 0; lo < len(e.needs); lo += chunk {
		hi := min(lo+chunk, len(e.needs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []edge
			for i := lo; i < hi; i++ {
				edges[i], reasons[i] = e.candidates(i, &buf)
			}
		}()
	}
	wg.Wait()
	return edges, reasons
}

// Groups of targets in the area index besides catalogue items: jobs serve
// every employment need and item-less pools every task-like need.
const (
	jobGroup  = "#job"
	poolGroup = "#pool"
)

// groupOf returns the index group of a target.
func groupOf(t *Target) string {
	switch {
	case t.Kind == TargetJob:
		return jobGroup
	case t.Item == "":
		return poolGroup
	}
	return t.Item
}

// areaIndex narrows a need's targets to those whose service area may cover
// the home, so that a city-sized run does not test every need against
// every target of its item. It may return too much (Covers decides) but
// never too little: a place area is found through the need's place
// prefixes, a radius area through every grid cell its circle touches.
type areaIndex struct {
	// size counts each group's targets: [0] offerings and jobs, [1] pools.
	size     map[string][2]int
	byPrefix map[groupKey][]int32
	byCell   map[groupKey][]int32
	// anywhere holds targets without an area or with a very wide radius.
	anywhere map[string][]int32
}

// groupKey is a group with a place prefix or a grid cell.
type groupKey struct {
	group, prefix string
	x, y          int32
}

const (
	cellDeg  = 0.02 // about 2 km: a district is a few dozen cells
	maxCells = 400  // a wider circle goes to anywhere
)

func newAreaIndex() areaIndex {
	return areaIndex{size: map[string][2]int{}, byPrefix: map[groupKey][]int32{},
		byCell: map[groupKey][]int32{}, anywhere: map[string][]int32{}}
}

func cellOf(l domain.LatLng) (int32, int32) {
	return int32(math.Floor(l.Lat / cellDeg)), int32(math.Floor(l.Lng / cellDeg))
}

func (x *areaIndex) add(group string, i int32, t *Target) {
	sz := x.size[group]
	if t.Kind == TargetVolunteerPool {
		sz[1]++
	} else {
		sz[0]++
	}
	x.size[group] = sz
	a := &t.Area
	if len(a.Places) == 0 && a.Center == nil {
		x.anywhere[group] = append(x.anywhere[group], i)
		return
	}
	for _, code := range a.Places {
		k := groupKey{group: group, prefix: domain.PlacePrefix(code)}
		x.byPrefix[k] = append(x.byPrefix[k], i)
	}
	if a.Center == nil {
		return
	}
	// The box around the circle, widened by a tenth and a cell, holds
	// every point within the radius away from the poles and the date line.
	r := float64(a.RadiusM) * 1.1
	dLat := r/111_320 + cellDeg
	cos := math.Cos((math.Abs(a.Center.Lat) + dLat) * math.Pi / 180)
	if cos < 0.05 {
		x.anywhere[group] = append(x.anywhere[group], i)
		return
	}
	dLng := r/(111_320*cos) + cellDeg
	x0, y0 := cellOf(domain.LatLng{Lat: a.Center.Lat - dLat, Lng: a.Center.Lng - dLng})
	x1, y1 := cellOf(domain.LatLng{Lat: a.Center.Lat + dLat, Lng: a.Center.Lng + dLng})
	if int64(x1-x0+1)*int64(y1-y0+1) > maxCells {
		x.anywhere[group] = append(x.anywhere[group], i)
		return
	}
	for cx := x0; cx <= x1; cx++ {
		for cy := y0; cy <= y1; cy++ {
			k := groupKey{group: group, x: cx, y: cy}
			x.byCell[k] = append(x.byCell[k], i)
		}
	}
}

// each calls f for every target of the group that may cover the need's
// home; a target may come more than once.
func (x *areaIndex) each(group string, n *Need, f func(int32)) {
	for _, l := range []int{6, 9, 12, 15} {
		if l > len(n.Place) {
			break
		}
		for _, t := range x.byPrefix[groupKey{group: group, prefix: n.Place[:l]}] {
			f(t)
		}
	}
	if n.Location != nil {
		cx, cy := cellOf(*n.Location)
		for _, t := range x.byCell[groupKey{group: group, x: cx, y: cy}] {
			f(t)
		}
	}
	for _, t := range x.anywhere[group] {
		f(t)
	}
}
