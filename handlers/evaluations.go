package handlers

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/store"
)

// A lead is not a decision (DOMAIN.md): the office decides, on the official
// path, after the economic check and the home visit.
const (
	leadNoteZh = "“疑似符合”只是线索，不是资格认定：是否符合由主管部门按法定程序（申请、核对、入户调查、审核确认、公示）决定。"
	leadNoteEn = "A lead (疑似符合) is not a decision: the office decides on the official path (application, economic check, home visit, review and confirmation, public notice)."
)

// evaluationHandlers evaluate households against the policy catalogue for
// coordinators of their place.
type evaluationHandlers struct {
	households *householdHandlers
	// snapshots reads every household of a place at once: a list page
	// costs FerretDB a read of them all (it sorts in Go), so paging through
	// a district would read it once per page.
	snapshots interface {
		Snapshot(ctx context.Context, within string) (store.Snapshot, error)
	}
	// book is the policy catalogue; each request takes the one in force
	// into policies and params (withPolicies, handlers/policies.go).
	book     *PolicyBook
	policies []domain.Policy
	params   domain.ParamSet
	now      func() time.Time
}

// EvaluationResponse is every policy evaluated for one household.
type EvaluationResponse struct {
	HouseholdID string    `json:"household_id"`
	Place       string    `json:"place"`
	At          time.Time `json:"at"`
	// Counts has the number of policies per status.
	Counts   map[matching.PolicyStatus]int `json:"counts"`
	NoteZh   string                        `json:"note_zh"`
	NoteEn   string                        `json:"note_en"`
	Policies []PolicyEvaluation            `json:"policies"`
}

// PolicyEvaluation is one policy's evaluation (the engine's result, with its
// gaps, missing facts, trace and parameters) with what a coordinator needs
// to act on it.
type PolicyEvaluation struct {
	matching.PolicyResult
	NameZh       string            `json:"name_zh"`
	NameEn       string            `json:"name_en,omitempty"`
	Department   domain.Department `json:"department"`
	DepartmentZh string            `json:"department_zh"`
	// StatusZh reads the status for people: 疑似符合, 接近条件, 待核实, 不符合.
	StatusZh string `json:"status_zh"`
	// Received is true when the household already holds the status the
	// policy confers.
	Received bool           `json:"received"`
	Benefit  domain.Benefit `json:"benefit"`
	// BenefitValueFen is the benefit's amount in force at At (a fixed value
	// or its parameter's), 0 when it has none.
	BenefitValueFen domain.Fen `json:"benefit_value_fen"`
	LegalRef        string     `json:"legal_ref"`
	// NextSteps are the official steps still ahead.
	NextSteps []OfficialStep `json:"next_steps"`
}

// OfficialStep is one step of a policy's official path.
type OfficialStep struct {
	Step   string `json:"step"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// household answers the evaluation of one household, to a coordinator of
// its place (others: 403, outside the place: 404). Audited: it shows income,
// assets and health facts.
func (h *evaluationHandlers) household(c *fiber.Ctx) error {
	p, hh, err := h.households.load(c)
	if err != nil {
		return err
	}
	if h, err = h.withPolicies(c.UserContext()); err != nil {
		return err
	}
	if err := h.households.audit(c, p, "household.evaluate", hh.ID, hh.Place, ""); err != nil {
		return err
	}
	at := h.now().UTC()
	out := EvaluationResponse{HouseholdID: hh.ID, Place: hh.Place, At: at, Counts: map[matching.PolicyStatus]int{},
		NoteZh: leadNoteZh, NoteEn: leadNoteEn, Policies: make([]PolicyEvaluation, len(h.policies))}
	for i, r := range matching.EvaluateHousehold(&hh, h.policies, h.params, at) {
		out.Policies[i] = h.view(&hh, h.policies[i], r)
		out.Counts[r.Status]++
	}
	slices.SortStableFunc(out.Policies, func(a, b PolicyEvaluation) int {
		return cmp.Or(cmp.Compare(evaluationRank(a), evaluationRank(b)), cmp.Compare(b.Closeness, a.Closeness))
	})
	return c.JSON(out)
}

// evaluationRank orders a household's policies for a coordinator: leads,
// near misses, what to verify, what the household receives, the rest.
func evaluationRank(e PolicyEvaluation) int {
	switch {
	case e.Status == matching.PolicyEligible && !e.Received:
		return 0
	case e.Status == matching.PolicyNear:
		return 1
	case e.Status == matching.PolicyUnknown:
		return 2
	case e.Received:
		return 3
	}
	return 4
}

func (h *evaluationHandlers) view(hh *domain.Household, p domain.Policy, r matching.PolicyResult) PolicyEvaluation {
	out := PolicyEvaluation{PolicyResult: r, NameZh: p.NameZh, NameEn: p.NameEn, Department: p.Department,
		DepartmentZh: p.Department.NameZh(), StatusZh: statusZh(r.Status), Received: p.ReceivedBy(hh), Benefit: p.Benefit,
		BenefitValueFen: p.Benefit.ValueFen, LegalRef: p.LegalRef, NextSteps: officialSteps(p)}
	if v, ok := h.params.ValueAt(p.Benefit.ValueParam, r.At); ok && p.Benefit.ValueParam != "" {
		out.BenefitValueFen = v.Value
	}
	if out.Received {
		out.NextSteps = []OfficialStep{reviewStep()}
	}
	return out
}

func statusZh(s matching.PolicyStatus) string {
	switch s {
	case matching.PolicyEligible:
		return "疑似符合"
	case matching.PolicyNear:
		return "接近条件"
	case matching.PolicyUnknown:
		return "待核实"
	}
	return "不符合"
}

// officialSteps is the path a policy's application follows. Assistance
// that looks at income or assets follows the path fixed by law (DOMAIN.md):
// application with a signed authorisation for the economic check, the check
// and a home visit, the street's review, the county's confirmation, a
// public notice and periodic review. Other policies are applied for at
// their department, which reviews and decides.
func officialSteps(p domain.Policy) []OfficialStep {
	if meansTested(p.Criteria) {
		return []OfficialStep{
			{Step: "application", NameZh: "提出申请，签署家庭经济状况核对授权书", NameEn: "application with a signed authorisation for the economic check"},
			{Step: "economic_check", NameZh: "家庭经济状况核对", NameEn: "household economic check"},
			{Step: "home_visit", NameZh: "入户调查", NameEn: "home visit"},
			{Step: "street_review", NameZh: "街道（乡镇）审核", NameEn: "street review"},
			{Step: "county_confirmation", NameZh: "县级民政部门审核确认", NameEn: "county civil-affairs confirmation"},
			{Step: "public_notice", NameZh: "公示（7天）", NameEn: "public notice (7 days)"},
			reviewStep(),
		}
	}
	dept := p.Department.NameZh()
	return []OfficialStep{
		{Step: "application", NameZh: "向" + dept + "部门提出申请并提交证明材料", NameEn: "application with supporting documents to the department"},
		{Step: "department_review", NameZh: dept + "部门审核", NameEn: "review by the department"},
		{Step: "decision", NameZh: "审批决定并告知结果", NameEn: "decision and notice of the result"},
	}
}

func reviewStep() OfficialStep {
	return OfficialStep{Step: "periodic_review", NameZh: "动态复核", NameEn: "periodic review"}
}

// meansTested reports whether any criterion reads income or assets.
func meansTested(cs []domain.Criterion) bool {
	return slices.ContainsFunc(cs, func(c domain.Criterion) bool {
		return c.Kind == domain.CriterionIncome || c.Kind == domain.CriterionAssets || meansTested(c.Criteria)
	})
}

// NearHousehold is a household just outside at least one policy it does
// not receive, with those policies, closest first.
type NearHousehold struct {
	HouseholdID string                  `json:"household_id"`
	Place       string                  `json:"place"`
	Head        string                  `json:"head"`
	Assistance  []domain.AssistanceKind `json:"assistance"`
	// JustOutside is true when the household holds no tier status and is
	// near a policy that confers one.
	JustOutside bool `json:"just_outside"`
	// Closeness is the closest policy's (see matching.PolicyResult).
	Closeness float64      `json:"closeness"`
	Policies  []NearPolicy `json:"policies"`
}

// NearPolicy is one policy a household misses narrowly, with the gaps.
type NearPolicy struct {
	PolicyID     string                `json:"policy_id"`
	NameZh       string                `json:"name_zh"`
	Department   domain.Department     `json:"department"`
	DepartmentZh string                `json:"department_zh"`
	Closeness    float64               `json:"closeness"`
	Gaps         []matching.PolicyGap  `json:"gaps"`
	Confers      domain.AssistanceKind `json:"confers,omitempty"`
}

// near answers the households of the caller's place (or ?place= below it)
// that narrowly miss a policy they do not receive, closest first (the
// smallest gap as a share of its margin), paged by ?limit= and ?cursor=
// (an offset). Every household of the place is read in one bulk read and
// evaluated; audited once per request.
func (h *evaluationHandlers) near(c *fiber.Ctx) error {
	place, err := scopedPlace(c)
	if err != nil {
		return err
	}
	var pr domain.Problems
	limit := pageLimit(c, &pr)
	offset := 0
	if s := c.Query("cursor"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 {
			pr.Add("cursor", "format", "cursor 无效 / bad cursor")
		}
	}
	if err := pr.Err(); err != nil {
		return err
	}
	if h, err = h.withPolicies(c.UserContext()); err != nil {
		return err
	}
	snap, err := h.snapshots.Snapshot(c.UserContext(), place)
	if err != nil {
		return err
	}
	at := h.now().UTC()
	var items []NearHousehold
	for i := range snap.Households {
		if item, ok := h.nearOf(&snap.Households[i], at); ok {
			items = append(items, item)
		}
	}
	if err := h.households.audit(c, principal(c), "evaluation.near", "", place, ""); err != nil {
		return err
	}
	slices.SortFunc(items, func(a, b NearHousehold) int {
		return cmp.Or(cmp.Compare(b.Closeness, a.Closeness), cmp.Compare(a.HouseholdID, b.HouseholdID))
	})
	end, next := min(offset+limit, len(items)), ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	page := []NearHousehold{}
	if offset < len(items) {
		page = items[offset:end]
	}
	return c.JSON(fiber.Map{"items": page, "total": len(items), "next_cursor": next})
}

// nearOf evaluates a household and reports the policies it narrowly misses
// and does not receive.
func (h *evaluationHandlers) nearOf(hh *domain.Household, at time.Time) (NearHousehold, bool) {
	out := NearHousehold{HouseholdID: hh.ID, Place: hh.Place, Assistance: []domain.AssistanceKind{}}
	for _, m := range hh.Members {
		if m.Relation == domain.RelationSelf {
			out.Head = m.Name
		}
	}
	inTier := false
	for _, a := range hh.Assistance {
		out.Assistance = append(out.Assistance, a.Kind)
		inTier = inTier || matching.IsTier(a.Kind)
	}
	for i, r := range matching.EvaluateHousehold(hh, h.policies, h.params, at) {
		p := h.policies[i]
		if r.Status != matching.PolicyNear || p.ReceivedBy(hh) {
			continue
		}
		out.Policies = append(out.Policies, NearPolicy{PolicyID: p.ID, NameZh: p.NameZh, Department: p.Department,
			DepartmentZh: p.Department.NameZh(), Closeness: r.Closeness, Gaps: r.Gaps, Confers: p.Confers})
		out.Closeness = max(out.Closeness, r.Closeness)
		out.JustOutside = out.JustOutside || !inTier && matching.IsTier(p.Confers)
	}
	slices.SortStableFunc(out.Policies, func(a, b NearPolicy) int { return cmp.Compare(b.Closeness, a.Closeness) })
	return out, len(out.Policies) > 0
}
