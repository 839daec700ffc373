package matching

import (
	"fmt"
	"sort"
	"time"

	"lianzhu/domain"
)

// OfflineVersion is the version of the offline instance format written by
// `lianzhu seed --export` and read by `lianzhu match --in`.
const OfflineVersion = 1

// OfflineInstance is a whole matching problem in one JSON document: what the
// engine needs, without any database. IDs are unique across kinds.
type OfflineInstance struct {
	Version int `json:"version"`
	// Seed and Scale say how a generated instance was made.
	Seed  uint64 `json:"seed,omitempty"`
	Scale int    `json:"scale,omitempty"`
	// At is the evaluation date: dated parameters and ages are read then.
	At         time.Time          `json:"at"`
	Catalogue  []Item             `json:"catalogue"`
	Params     domain.ParamSet    `json:"params"`
	Policies   []domain.Policy    `json:"policies"`
	Households []domain.Household `json:"households"`
	// Vouchers is what is left of each entitled household's service voucher.
	Vouchers []OfflineVoucher `json:"vouchers,omitempty"`
	Needs    []domain.Need    `json:"needs"`
	Targets  []Target         `json:"targets"`
}

// OfflineVoucher is one household's remaining voucher.
type OfflineVoucher struct {
	HouseholdID string     `json:"household_id"`
	LeftFen     domain.Fen `json:"left_fen"`
}

// PolicyProposal is a policy lead (eligible, not yet received) or a near
// miss with its gaps, for one household.
type PolicyProposal struct {
	HouseholdID string       `json:"household_id"`
	PolicyID    string       `json:"policy_id"`
	Status      PolicyStatus `json:"status"`
	Closeness   float64      `json:"closeness"`
	Gaps        []PolicyGap  `json:"gaps"`
}

// OfflineSummary counts what a run found.
type OfflineSummary struct {
	Households  int `json:"households"`
	Inside      int `json:"inside"`       // holding a tier status (特困, 低保, 低保边缘, 刚性支出困难)
	JustOutside int `json:"just_outside"` // no tier status, but near a policy that confers one
	Needs       int `json:"needs"`
	Matched     int `json:"matched"`
	Leads       int `json:"leads"`
	NearMisses  int `json:"near_misses"`
}

// OfflineResult is what `lianzhu match` writes.
type OfflineResult struct {
	Version         int              `json:"version"`
	Assignments     []Assignment     `json:"assignments"`
	PolicyProposals []PolicyProposal `json:"policy_proposals"`
	Unmatched       []Unmatched      `json:"unmatched"`
	Gaps            []Gap            `json:"gaps"`
	Candidates      []Candidate      `json:"candidates,omitempty"`
	// Capacity maps each target to its capacity for the run (with
	// --candidates), so an external solver can check optimality.
	Capacity map[string]int `json:"capacity,omitempty"`
	Summary  OfflineSummary `json:"summary"`
	Stats    Stats          `json:"stats"`
}

// tierKinds are the exclusive layers of 分层分类 whose absence, with a near
// miss, makes a household "just outside".
func tierKinds() []domain.AssistanceKind {
	return []domain.AssistanceKind{domain.AssistTekun, domain.AssistDibao, domain.AssistDibaoEdge, domain.AssistRigidExpense}
}

// RunOffline evaluates every policy for every household, marks households
// just outside a tier, and matches every open need. Pure and deterministic:
// the same instance gives the same result.
func RunOffline(in OfflineInstance, opts Options) (OfflineResult, error) {
	if in.Version != OfflineVersion {
		return OfflineResult{}, domain.Invalid("version", "enum", fmt.Sprintf("实例版本须为 %d / instance version must be %d", OfflineVersion, OfflineVersion))
	}
	if in.At.IsZero() {
		return OfflineResult{}, domain.Invalid("at", "required", "缺少评估日期 / evaluation date is required")
	}
	if err := domain.ValidatePolicies(in.Policies, in.Params); err != nil {
		return OfflineResult{}, err
	}
	households := make(map[string]*domain.Household, len(in.Households))
	for i := range in.Households {
		h := &in.Households[i]
		if _, dup := households[h.ID]; dup || h.ID == "" {
			return OfflineResult{}, domain.Invalid(fmt.Sprintf("households[%d].id", i), "unique", "家庭编号为空或重复 / household id empty or duplicated")
		}
		households[h.ID] = h
	}
	vouchers := map[string]domain.Fen{}
	for i, v := range in.Vouchers {
		if _, ok := households[v.HouseholdID]; !ok {
			return OfflineResult{}, domain.Invalid(fmt.Sprintf("vouchers[%d].household_id", i), "exists", "家庭不存在 / unknown household")
		}
		vouchers[v.HouseholdID] = v.LeftFen
	}

	out := OfflineResult{Version: OfflineVersion}
	justOutside := map[string]bool{}
	conferring := map[string]bool{}
	for _, p := range in.Policies {
		for _, k := range tierKinds() {
			if p.Confers == k {
				conferring[p.ID] = true
			}
		}
	}
	byPolicy := make(map[string]domain.Policy, len(in.Policies))
	for _, p := range in.Policies {
		byPolicy[p.ID] = p
	}
	ids := make([]string, 0, len(households))
	for id := range households {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		h := households[id]
		inside := holdsTier(h)
		if inside {
			out.Summary.Inside++
		}
		for _, r := range EvaluateHousehold(h, in.Policies, in.Params, in.At) {
			p := byPolicy[r.PolicyID]
			switch {
			case r.Status == PolicyEligible && !p.ReceivedBy(h):
				out.PolicyProposals = append(out.PolicyProposals, PolicyProposal{HouseholdID: id, PolicyID: r.PolicyID, Status: r.Status, Closeness: r.Closeness, Gaps: r.Gaps})
				out.Summary.Leads++
			case r.Status == PolicyNear:
				out.PolicyProposals = append(out.PolicyProposals, PolicyProposal{HouseholdID: id, PolicyID: r.PolicyID, Status: r.Status, Closeness: r.Closeness, Gaps: r.Gaps})
				out.Summary.NearMisses++
				if !inside && conferring[r.PolicyID] {
					justOutside[id] = true
				}
			}
		}
	}
	out.Summary.Households = len(households)
	out.Summary.JustOutside = len(justOutside)

	p := Problem{Catalogue: in.Catalogue, Targets: in.Targets}
	for i, n := range in.Needs {
		if n.State != "" && n.State != domain.NeedOpen {
			continue
		}
		mn, err := NeedFrom(n, households[n.HouseholdID], in.At)
		if err != nil {
			var pr domain.Problems
			pr.Merge(fmt.Sprintf("needs[%d]", i), err)
			return OfflineResult{}, pr.Err()
		}
		mn.JustOutside = justOutside[n.HouseholdID]
		mn.VoucherLeftFen = vouchers[n.HouseholdID]
		p.Needs = append(p.Needs, mn)
	}
	out.Summary.Needs = len(p.Needs)
	res, err := Match(p, opts)
	if err != nil {
		return OfflineResult{}, err
	}
	out.Assignments, out.Unmatched, out.Gaps, out.Candidates, out.Stats = res.Assignments, res.Unmatched, res.Gaps, res.Candidates, res.Stats
	out.Summary.Matched = len(res.Assignments)
	if opts.IncludeCandidates {
		out.Capacity = make(map[string]int, len(in.Targets))
		for _, t := range in.Targets {
			out.Capacity[t.ID] = t.CapacityLeft
		}
	}
	if out.Assignments == nil {
		out.Assignments = []Assignment{}
	}
	if out.PolicyProposals == nil {
		out.PolicyProposals = []PolicyProposal{}
	}
	return out, nil
}

func holdsTier(h *domain.Household) bool {
	for _, k := range tierKinds() {
		if h.Has(k) {
			return true
		}
	}
	return false
}
