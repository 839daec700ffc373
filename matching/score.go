package matching

import (
	"math"
	"math/bits"
	"slices"

	"lianzhu/domain"
)

// Weights are the score factors' weights, in whole points: the one place
// where the engine's preferences are set. A factor contributes its weight
// times a fit in 0..1, rounded to a whole point, so a score is an exact
// integer sum and equal scores are truly equal.
type Weights struct {
	// CategoryExact, CategoryGeneric and CategoryRelated score an offering of
	// the need's own item, a job or pool serving any item of the kind, and an
	// offering of a related item.
	CategoryExact   int64 `json:"category_exact"`
	CategoryGeneric int64 `json:"category_generic"`
	CategoryRelated int64 `json:"category_related"`
	// TextRelevance weighs how much of the resident's words the target's
	// text speaks to.
	TextRelevance int64 `json:"text_relevance"`
	// Distance weighs nearness: the full weight at the door, half of it at
	// DistanceScaleM, and half of it as well when a location is unknown.
	Distance       int64   `json:"distance"`
	DistanceScaleM float64 `json:"distance_scale_m"`
	// ProviderQuality weighs the traffic light and the (shrunk) rating.
	ProviderQuality int64 `json:"provider_quality"`
	// Urgency and Vulnerability rank needs against each other when they
	// compete for capacity within a priority class; the class itself is
	// enforced by a bonus (see priorityBonus), not by these weights.
	Urgency       int64 `json:"urgency"`
	Vulnerability int64 `json:"vulnerability"`
	// Continuity rewards a provider the household already knows.
	Continuity int64 `json:"continuity"`
}

// DefaultWeights are the district's defaults: the item first, then the
// resident's words and nearness, then quality and continuity.
func DefaultWeights() Weights {
	return Weights{
		CategoryExact: 1000, CategoryGeneric: 800, CategoryRelated: 500,
		TextRelevance: 300, Distance: 300, DistanceScaleM: 2000,
		ProviderQuality: 200, Urgency: 400, Vulnerability: 400, Continuity: 200,
	}
}

// maxWeight bounds each weight so that priority bonuses cannot overflow.
const maxWeight = 1_000_000

// Validate checks that every weight lies in 0..1,000,000 and the distance
// scale is a positive finite number.
func (w Weights) Validate() error {
	var p domain.Problems
	for _, f := range []struct {
		name string
		v    int64
	}{{"category_exact", w.CategoryExact}, {"category_generic", w.CategoryGeneric},
		{"category_related", w.CategoryRelated}, {"text_relevance", w.TextRelevance},
		{"distance", w.Distance}, {"provider_quality", w.ProviderQuality}, {"urgency", w.Urgency},
		{"vulnerability", w.Vulnerability}, {"continuity", w.Continuity}} {
		if f.v < 0 || f.v > maxWeight {
			p.Addf(f.name, "range", "权重须在0–%d之间 / weight out of range", maxWeight)
		}
	}
	if !(w.DistanceScaleM > 0) || math.IsInf(w.DistanceScaleM, 0) {
		p.Add("distance_scale_m", "range", "距离尺度须为正数 / distance scale must be positive")
	}
	return p.Err()
}

// maxBase is the most a pair can score before the priority bonus.
func (w Weights) maxBase() int64 {
	return max(w.CategoryExact, w.CategoryGeneric, w.CategoryRelated) + w.TextRelevance + w.Distance +
		w.ProviderQuality + w.Urgency + w.Vulnerability + w.Continuity
}

// Factor names, as they appear in Assignment.Factors.
const (
	FactorCategoryFit     = "category_fit"
	FactorTextRelevance   = "text_relevance"
	FactorDistance        = "distance"
	FactorProviderQuality = "provider_quality"
	FactorUrgency         = "urgency"
	FactorVulnerability   = "vulnerability"
	FactorContinuity      = "continuity"
	// FactorPriority is the priority class bonus; see priorityBonus.
	FactorPriority = "priority"
)

// factorNames lists the factors in factorVec order.
var factorNames = [...]string{FactorCategoryFit, FactorTextRelevance, FactorDistance,
	FactorProviderQuality, FactorUrgency, FactorVulnerability, FactorContinuity, FactorPriority}

// factorVec holds one pair's factors in points; the score is their sum.
type factorVec [len(factorNames)]int64

func (f factorVec) sum() int64 {
	s := int64(0)
	for _, v := range f {
		s += v
	}
	return s
}

// fit says how a target's item relates to the need's item.
type fit uint8

const (
	fitExact   fit = iota // the same item
	fitGeneric            // a job or pool that serves every item of the need's kind
	fitRelated            // a related item of the catalogue
)

// points rounds weight × share (share in 0..1) to a whole point.
func points(weight int64, share float64) int64 {
	return int64(math.Round(float64(weight) * math.Max(0, math.Min(1, share))))
}

// baseFactors scores a pair on everything but the priority bonus. distM < 0
// means a location is unknown; rel is text relevance in 0..1.
func baseFactors(w *Weights, n *Need, t *Target, f fit, rel, distM float64, vuln int) factorVec {
	var v factorVec
	switch f {
	case fitExact:
		v[0] = w.CategoryExact
	case fitGeneric:
		v[0] = w.CategoryGeneric
	default:
		v[0] = w.CategoryRelated
	}
	v[1] = points(w.TextRelevance, rel)
	if distM < 0 {
		v[2] = points(w.Distance, 0.5)
	} else {
		v[2] = points(w.Distance, w.DistanceScaleM/(w.DistanceScaleM+distM))
	}
	v[3] = points(w.ProviderQuality, quality(t))
	v[4] = points(w.Urgency, float64(n.Urgency.Rank())/4)
	v[5] = points(w.Vulnerability, float64(vuln)/maxVulnerability)
	if t.ProviderID != "" && slices.Contains(n.KnownProviders, t.ProviderID) {
		v[6] = w.Continuity
	}
	return v
}

// quality blends the traffic light with the rating. The rating is shrunk
// toward a neutral 3.5 by three phantom ratings, so that one 5-star review
// does not outrank a hundred 4.8s and an unrated newcomer is not shut out.
func quality(t *Target) float64 {
	light := 1.0
	if t.ProviderLight == domain.LightYellow {
		light = 0.5
	}
	const prior, priorCount = 3.5, 3.0
	n := float64(t.ProviderRatingCount)
	rating := (n*t.ProviderRating + priorCount*prior) / (n + priorCount)
	return 0.5*light + 0.5*(rating-1)/4
}

// maxVulnerability is the most vulnerability points a need can have.
const maxVulnerability = 9

// vulnerability counts points for the facts that make a household more
// vulnerable: the assistance tier (特困 and orphans highest), old age or
// childhood, a severe disability, living alone (more so when old).
func vulnerability(n *Need) int {
	pts := 0
	for _, k := range n.Assistance {
		switch k {
		case domain.AssistTekun, domain.AssistOrphan:
			pts = max(pts, 3)
		case domain.AssistDibao:
			pts = max(pts, 2)
		case domain.AssistDibaoEdge, domain.AssistRigidExpense:
			pts = max(pts, 1)
		}
	}
	old := false
	if n.Age != nil {
		switch a := *n.Age; {
		case a >= 80:
			pts += 2
			old = true
		case a >= 60:
			pts++
			old = true
		case a < 14:
			pts++
		}
	}
	if d := n.Disability; d != nil {
		if d.Grade <= 2 {
			pts += 2
		} else {
			pts++
		}
	}
	if n.LivingAlone {
		pts++
		if old {
			pts++
		}
	}
	return min(pts, maxVulnerability)
}

// Priority classes order needs lexicographically: urgency first, then a
// vulnerability level (0: none, 1: some, 2: high). Class 0 is a low-urgency
// need with no vulnerability, class 11 a critical need of a very vulnerable
// member.
const (
	vulnerabilityLevels = 3
	priorityClasses     = 4 * vulnerabilityLevels
)

// priorityClass returns the need's class in 0..priorityClasses-1.
func priorityClass(n *Need, vuln int) int {
	level := 0
	switch {
	case vuln >= 5:
		level = 2
	case vuln >= 2:
		level = 1
	}
	return (n.Urgency.Rank()-1)*vulnerabilityLevels + level
}

// priorityUnit is the bonus step between two adjacent priority classes: one
// more than the most that the base scores of all needs could add up to. The
// pair weight is bonus(class) + base, with bonus(c) = (c+1) × unit.
//
// Why this suffices (and a step merely above the largest pair score would
// not): two assignments differ by alternating paths, and each path changes
// the set of matched needs by at most one need in and one need out, while
// the needs along it only change targets. Its base scores change by less
// than unit in total, so a path that brings in a need of class a and drops
// one of class b < a (or drops none) always gains at least
// (a−b)·unit − (unit−1) > 0. Hence a maximum-weight assignment admits no such
// path: it never leaves a higher-class need out to serve lower-class ones,
// and, since even class 0 earns a full unit, it serves as many needs as it
// can before it looks at quality. The bonus grows linearly in the class, not
// exponentially, so it fits in int64 for any realistic run; priorityUnit
// still checks, and reports ok=false on overflow.
func priorityUnit(needs int, w *Weights) (unit int64, ok bool) {
	hi, lo := bits.Mul64(uint64(needs), uint64(w.maxBase()))
	if hi != 0 || lo >= math.MaxInt64 {
		return 0, false
	}
	unit = int64(lo) + 1
	// The largest total is needs × (classes × unit + maxBase); it must fit.
	top := float64(needs+1) * (float64(priorityClasses+1)*float64(unit) + float64(w.maxBase()))
	return unit, top < math.MaxInt64/2
}

// priorityBonus is the class bonus, (class+1) × unit.
func priorityBonus(class int, unit int64) int64 { return int64(class+1) * unit }
