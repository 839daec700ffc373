// Package matching evaluates policies against households and matches needs
// to help. Everything here is a pure, deterministic function of domain
// values: no I/O, no clock, no randomness.
package matching

import (
	"math"
	"slices"
	"strconv"
	"time"

	"lianzhu/domain"
)

// PolicyStatus is the outcome of evaluating one policy for one household.
// It is a lead (疑似符合) for a coordinator, never an eligibility decision:
// the office decides after the economic check and the home visit.
type PolicyStatus string

// Policy statuses.
//
// A criterion whose fact is not recorded is unknown. Unknown never counts in
// the household's favour: a known failure beyond the margin still makes the
// policy ineligible (the missing fact could not change that), but when the
// missing facts could change the outcome the status is PolicyUnknown, with
// Best and Worst saying what it would be if they turned out one way or the
// other, and Missing listing what a coordinator must verify. So a household
// is never eligible, and never near, on facts nobody recorded.
const (
	PolicyEligible   PolicyStatus = "eligible"   // every criterion holds on recorded facts: a lead
	PolicyNear       PolicyStatus = "near"       // fails only criteria within their near margin
	PolicyIneligible PolicyStatus = "ineligible" // fails a criterion beyond its margin
	PolicyUnknown    PolicyStatus = "unknown"    // missing facts decide; see Missing
)

// PolicyResult is the evaluation of one policy for one household on a date,
// with the reasons: what it misses by how much, what is missing, and the
// facts and parameters it was based on. It is the API's wire format.
type PolicyResult struct {
	PolicyID    string       `json:"policy_id"`
	HouseholdID string       `json:"household_id"`
	At          time.Time    `json:"at"`
	Status      PolicyStatus `json:"status"`
	// Best and Worst bound the status once the missing facts are known; both
	// equal Status unless Status is unknown.
	Best  PolicyStatus `json:"best"`
	Worst PolicyStatus `json:"worst"`
	// Closeness ranks results: 1 when eligible, 0 when ineligible, and for
	// near 1 − d/2 in [0.5, 1), where d is the worst failing criterion's gap
	// as a share of its near margin (just over the line is close to 1, the
	// margin's edge is 0.5). Criteria of every kind are thus comparable: ¥86
	// over a ¥410 income margin and 1 year short of a 5-year age margin are
	// both about a fifth of the way out. An unknown result gets the
	// closeness of its best case. Near lists sort by closeness, descending.
	Closeness float64 `json:"closeness"`
	// Gaps are the failing criteria (empty when eligible).
	Gaps []PolicyGap `json:"gaps"`
	// Missing are the facts a coordinator must verify (only those that could
	// change the status).
	Missing []MissingFact `json:"missing"`
	Trace   []TracedFact  `json:"trace"`
	Params  []UsedParam   `json:"params"`
}

// PolicyGap says how a household misses one criterion, in the fact's unit.
// Value, Threshold and Gap are integers in Unit (fen, years, grades,
// people); for a categorical fact (work ability, status, place) Unit is
// UnitCategory, they are 0 and the texts say what was found and required.
type PolicyGap struct {
	// Criterion is the criterion's path in the policy, e.g. "criteria[1]".
	Criterion string               `json:"criterion"`
	Kind      domain.CriterionKind `json:"kind"`
	Fact      PolicyFact           `json:"fact"`
	MemberID  string               `json:"member_id,omitempty"`
	Value     int64                `json:"value"`
	Threshold int64                `json:"threshold"`
	// Gap is how far Value is from Threshold, on the failing side (> 0).
	Gap  int64   `json:"gap"`
	Unit GapUnit `json:"unit"`
	// WithinMargin is true when the gap is within the criterion's near margin;
	// MarginShare is then Gap as a share of that margin, in (0, 1].
	WithinMargin bool    `json:"within_margin"`
	MarginShare  float64 `json:"margin_share,omitempty"`
	TextZh       string  `json:"text_zh"`
	TextEn       string  `json:"text_en"`
}

// MissingFact is a fact a criterion needed but the household file lacks (or
// a parameter with no value in force on the date).
type MissingFact struct {
	Criterion string     `json:"criterion"`
	Fact      PolicyFact `json:"fact"`
	MemberID  string     `json:"member_id,omitempty"`
	Param     string     `json:"param,omitempty"`
	TextZh    string     `json:"text_zh"`
	TextEn    string     `json:"text_en"`
}

// TracedFact is a household fact the evaluation read, with where it came
// from. Value is formatted for people (money as ¥1,234.50, enums as codes).
type TracedFact struct {
	Fact     PolicyFact `json:"fact"`
	MemberID string     `json:"member_id,omitempty"`
	Value    string     `json:"value"`
	// Source is a domain.FactSource, or SourceHouseholdFile /
	// SourceOfficialDecision for data that is not a sourced fact.
	Source string    `json:"source"`
	Date   time.Time `json:"date,omitzero"`
}

// UsedParam is a parameter value the evaluation used: the one in force on
// the evaluation date.
type UsedParam struct {
	Name    string     `json:"name"`
	LabelZh string     `json:"label_zh"`
	Value   domain.Fen `json:"value"`
	From    time.Time  `json:"from"`
}

// Sources of traced data that is not a domain.Fact.
const (
	SourceHouseholdFile    = "household_file"    // members, birth years, place: the file itself
	SourceOfficialDecision = "official_decision" // an assistance status, dated by its decision
)

// PolicyFact names a household fact that criteria read.
type PolicyFact string

// Facts read by policy criteria.
const (
	FactMonthlyIncome   PolicyFact = "monthly_income"
	FactPerCapitaIncome PolicyFact = "per_capita_income"
	FactMembers         PolicyFact = "members"
	FactAssets          PolicyFact = "assets"
	FactPerCapitaAssets PolicyFact = "per_capita_assets"
	FactSupporters      PolicyFact = "supporters"
	FactWorkAbility     PolicyFact = "work_ability"
	FactEmployment      PolicyFact = "employment"
	FactDisability      PolicyFact = "disability"
	FactBirthYear       PolicyFact = "birth_year"
	FactAge             PolicyFact = "age"
	FactLivingAlone     PolicyFact = "living_alone"
	FactSeriousIllness  PolicyFact = "serious_illness"
	FactMedicalCosts    PolicyFact = "medical_out_of_pocket_12m"
	FactAssistance      PolicyFact = "assistance"
	FactPlace           PolicyFact = "place"
	FactParam           PolicyFact = "param"
)

// GapUnit is the unit of a gap's numbers.
type GapUnit string

// Gap units.
const (
	UnitFenPerMonth GapUnit = "fen_per_month"
	UnitFen         GapUnit = "fen"
	UnitYears       GapUnit = "years"
	UnitGrade       GapUnit = "grade"
	UnitPeople      GapUnit = "people"
	UnitCategory    GapUnit = "category"
)

// EvaluatePolicy evaluates one policy for the household with the parameter
// values in force at the instant. Per-capita amounts divide by every member
// of the household file (the file lists the people who share a household,
// wherever one of them sleeps) and round up to the fen, so rounding never
// makes a household look eligible; support paid by obliged supporters is
// added to the household's monthly income.
func EvaluatePolicy(h *domain.Household, p domain.Policy, params domain.ParamSet, at time.Time) PolicyResult {
	e := &policyEval{h: h, params: params, at: at, trace: make([]TracedFact, 0, 8)}
	kind := domain.CriterionAll
	if p.Match == domain.MatchAny {
		kind = domain.CriterionAny
	}
	out := e.group(kind, p.Criteria)
	if len(p.Criteria) == 0 {
		// Only an unvalidated policy has no criteria; it makes no leads.
		out = polUnknown(MissingFact{Criterion: "criteria", TextZh: "政策没有资格条件", TextEn: "the policy has no criteria"})
	}
	r := PolicyResult{PolicyID: p.ID, HouseholdID: h.ID, At: at,
		Best: polStatusOf(out.hi), Worst: polStatusOf(out.lo),
		Gaps: out.gaps, Missing: out.missing, Trace: e.trace, Params: e.used}
	r.Status = r.Best
	if out.lo != out.hi {
		r.Status = PolicyUnknown
	}
	switch out.hi {
	case polLevelPass:
		r.Closeness = 1
	case polLevelNear:
		r.Closeness = math.Round((1-out.dist/2)*1e4) / 1e4
	}
	r.Missing = polDedupeMissing(r.Missing)
	if r.Gaps == nil {
		r.Gaps = []PolicyGap{}
	}
	if r.Missing == nil {
		r.Missing = []MissingFact{}
	}
	if r.Trace == nil {
		r.Trace = []TracedFact{}
	}
	if r.Params == nil {
		r.Params = []UsedParam{}
	}
	return r
}

// EvaluateHousehold evaluates every policy for the household, in the order
// given.
func EvaluateHousehold(h *domain.Household, policies []domain.Policy, params domain.ParamSet, at time.Time) []PolicyResult {
	out := make([]PolicyResult, len(policies))
	for i := range policies {
		out[i] = EvaluatePolicy(h, policies[i], params, at)
	}
	return out
}

// polDedupeMissing keeps the first mention of each missing fact: alternatives
// of an any group often need the same one.
func polDedupeMissing(ms []MissingFact) []MissingFact {
	var out []MissingFact
	for _, m := range ms {
		if !slices.ContainsFunc(out, func(o MissingFact) bool {
			return o.Fact == m.Fact && o.MemberID == m.MemberID && o.Param == m.Param
		}) {
			out = append(out, m)
		}
	}
	return out
}

// polLevel is a criterion's outcome on known facts, ordered fail < near < pass.
type polLevel int8

const (
	polLevelFail polLevel = iota
	polLevelNear
	polLevelPass
)

func polStatusOf(l polLevel) PolicyStatus {
	switch l {
	case polLevelPass:
		return PolicyEligible
	case polLevelNear:
		return PolicyNear
	}
	return PolicyIneligible
}

// polOutcome is a criterion's outcome as an interval [lo, hi]: a known fact
// gives lo == hi, a missing one lo = fail and hi = pass (it could be
// anything). dist is the best case's distance: 0 for pass, the share of the
// margin for near, +Inf for fail. Groups combine intervals (all: minimum,
// any: maximum), which is three-valued logic with the near level in between.
type polOutcome struct {
	lo, hi  polLevel
	dist    float64
	gaps    []PolicyGap
	missing []MissingFact
}

func polPassed() polOutcome { return polOutcome{lo: polLevelPass, hi: polLevelPass} }

func polFailed(g PolicyGap) polOutcome {
	return polOutcome{lo: polLevelFail, hi: polLevelFail, dist: math.Inf(1), gaps: []PolicyGap{g}}
}

func polUnknown(m ...MissingFact) polOutcome {
	return polOutcome{lo: polLevelFail, hi: polLevelPass, missing: m}
}

// polOrUnknown widens a known outcome when members' facts are missing: the
// household is at least as well off as the known members make it, and
// could pass.
func polOrUnknown(known polOutcome, missing []MissingFact) polOutcome {
	if len(missing) == 0 || known.lo == polLevelPass {
		return known
	}
	known.hi, known.dist, known.missing = polLevelPass, 0, missing
	return known
}

// polGraded turns a gap with its margin share into near (share ≤ 1) or fail.
func polGraded(g PolicyGap, share float64) polOutcome {
	if share > 0 && share <= 1 {
		g.WithinMargin, g.MarginShare = true, math.Round(share*1e4)/1e4
		return polOutcome{lo: polLevelNear, hi: polLevelNear, dist: share, gaps: []PolicyGap{g}}
	}
	return polFailed(g)
}

// polBoth combines two outcomes that must both hold (a criterion with two parts).
func polBoth(a, b polOutcome) polOutcome {
	return polCombine(domain.CriterionAll, []polOutcome{a, b})
}

func polCombine(kind domain.CriterionKind, parts []polOutcome) polOutcome {
	out := polOutcome{lo: polLevelPass, hi: polLevelPass}
	if kind == domain.CriterionAny {
		out = polOutcome{lo: polLevelFail, hi: polLevelFail, dist: math.Inf(1)}
	}
	for _, r := range parts {
		if kind == domain.CriterionAny {
			out.lo, out.hi, out.dist = max(out.lo, r.lo), max(out.hi, r.hi), min(out.dist, r.dist)
		} else {
			out.lo, out.hi, out.dist = min(out.lo, r.lo), min(out.hi, r.hi), max(out.dist, r.dist)
		}
		out.gaps = append(out.gaps, r.gaps...)
		out.missing = append(out.missing, r.missing...)
	}
	// A group that holds whatever the missing facts are reports no gaps;
	// one whose outcome no missing fact can change reports nothing missing.
	if out.lo == polLevelPass {
		out.gaps = nil
	}
	if out.lo == out.hi {
		out.missing = nil
	}
	return out
}

// policyEval holds what one evaluation reads and records.
type policyEval struct {
	h      *domain.Household
	params domain.ParamSet
	at     time.Time
	trace  []TracedFact
	used   []UsedParam
}

// group evaluates a group's criteria. Paths of gaps and missing facts are
// built bottom-up, only for the few that need one: a leaf leaves Criterion
// empty and each group prefixes its index.
func (e *policyEval) group(kind domain.CriterionKind, cs []domain.Criterion) polOutcome {
	parts := make([]polOutcome, len(cs))
	for i, c := range cs {
		parts[i] = e.eval(c)
		if len(parts[i].gaps)+len(parts[i].missing) == 0 {
			continue
		}
		prefix := polPath("criteria", i)
		for j := range parts[i].gaps {
			parts[i].gaps[j].Criterion = polJoinPath(prefix, parts[i].gaps[j].Criterion)
		}
		for j := range parts[i].missing {
			parts[i].missing[j].Criterion = polJoinPath(prefix, parts[i].missing[j].Criterion)
		}
	}
	return polCombine(kind, parts)
}

func polJoinPath(prefix, rest string) string {
	if rest == "" {
		return prefix
	}
	return prefix + "." + rest
}

func (e *policyEval) eval(c domain.Criterion) polOutcome {
	const path = "" // filled in by group
	switch c.Kind {
	case domain.CriterionAll, domain.CriterionAny:
		return e.group(c.Kind, c.Criteria)
	case domain.CriterionIncome:
		return e.income(c, path)
	case domain.CriterionAssets:
		return e.assets(c, path)
	case domain.CriterionMedical:
		return e.medical(c, path)
	case domain.CriterionWorkAbility, domain.CriterionEmployment, domain.CriterionIllness:
		return e.memberFacts(c, path)
	case domain.CriterionDisability:
		return e.disability(c, path)
	case domain.CriterionAge:
		return e.age(c, path)
	case domain.CriterionNoSupporter:
		return e.noSupporter(c, path)
	case domain.CriterionStatus:
		return e.status(c, path)
	case domain.CriterionPlace:
		return e.place(c, path)
	}
	// An unvalidated policy with an unknown kind can never produce a lead.
	return polUnknown(MissingFact{Criterion: path, Fact: PolicyFact(c.Kind),
		TextZh: "未知的条件类型：" + string(c.Kind), TextEn: "unknown criterion kind: " + string(c.Kind)})
}

// traceFact records a fact read, once per fact, member and value.
func (e *policyEval) traceFact(f PolicyFact, member, value, source string, date time.Time) {
	for _, t := range e.trace {
		if t.Fact == f && t.MemberID == member && t.Value == value {
			return
		}
	}
	e.trace = append(e.trace, TracedFact{Fact: f, MemberID: member, Value: value, Source: source, Date: date})
}

// traceFen and traceInt format a value only the first time it is traced.
func (e *policyEval) traceFen(f PolicyFact, v domain.Fen, source string, date time.Time) {
	if !e.traced(f, "") {
		e.traceFact(f, "", v.String(), source, date)
	}
}

func (e *policyEval) traceInt(f PolicyFact, member string, v int, source string, date time.Time) {
	if !e.traced(f, member) {
		e.traceFact(f, member, strconv.Itoa(v), source, date)
	}
}

func (e *policyEval) traced(f PolicyFact, member string) bool {
	for _, t := range e.trace {
		if t.Fact == f && t.MemberID == member {
			return true
		}
	}
	return false
}

// param returns the value in force of a parameter and records its use.
func (e *policyEval) param(name string) (domain.ParamValue, bool) {
	v, ok := e.params.ValueAt(name, e.at)
	if !ok {
		return v, false
	}
	for _, u := range e.used {
		if u.Name == name {
			return v, true
		}
	}
	p, _ := e.params.Get(name)
	e.used = append(e.used, UsedParam{Name: name, LabelZh: p.LabelZh, Value: v.Value, From: v.From})
	return v, true
}

func polPath(path string, i int) string {
	return path + "[" + polItoa(int64(i)) + "]"
}
