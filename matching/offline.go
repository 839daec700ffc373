package matching

import (
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
	p, err := Prepare(&in)
	if err != nil {
		return OfflineResult{}, err
	}
	ev := p.Evaluate(nil)
	res, err := p.Match(ev, opts)
	if err != nil {
		return OfflineResult{}, err
	}
	out := OfflineResult{Version: OfflineVersion, PolicyProposals: ev.Proposals, Summary: ev.Summary}
	out.Assignments, out.Unmatched, out.Gaps, out.Candidates, out.Stats = res.Assignments, res.Unmatched, res.Gaps, res.Candidates, res.Stats
	out.Summary.Needs, out.Summary.Matched = res.Stats.Needs, len(res.Assignments)
	if opts.IncludeCandidates {
		out.Capacity = make(map[string]int, len(in.Targets))
		for _, t := range in.Targets {
			out.Capacity[t.ID] = t.CapacityLeft
		}
	}
	if out.Assignments == nil {
		out.Assignments = []Assignment{}
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
