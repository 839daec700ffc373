package matching

import (
	"slices"

	"lianzhu/domain"
)

// SignalLead is a policy a household seems eligible for after its signals
// and does not receive, with why: proposed with the warning, so that the
// visiting worker can help the family apply.
type SignalLead struct {
	PolicyID   string            `json:"policy_id"`
	NameZh     string            `json:"name_zh"`
	Department domain.Department `json:"department"`
	// Newly is true when the signals made the household eligible.
	Newly bool `json:"newly"`
	// Before is the policy's status before the signals.
	Before    PolicyStatus `json:"before"`
	ReasonsZh []string     `json:"reasons_zh"`
	ReasonsEn []string     `json:"reasons_en"`
}

// LeadsOf ranks a signal evaluation's leads: newly eligible first, then the
// rest, each group in catalogue order. Each lead's reasons are its status
// before the signals and the facts the evaluation read, with their sources
// (a department's figure, an economic check…).
func LeadsOf(ev SignalEvaluation, policies []domain.Policy) []SignalLead {
	tx := &texts{}
	out := []SignalLead{}
	for i, p := range policies {
		if i >= len(ev.After) || i >= len(ev.Before) {
			break
		}
		after, before := ev.After[i], ev.Before[i]
		if !slices.ContainsFunc(ev.Leads, func(r PolicyResult) bool { return r.PolicyID == p.ID }) {
			continue
		}
		l := SignalLead{PolicyID: p.ID, NameZh: p.NameZh, Department: p.Department, Before: before.Status,
			Newly: before.Status != PolicyEligible}
		if l.Newly {
			l.ReasonsZh = append(l.ReasonsZh, "信号后疑似符合「"+p.NameZh+"」（此前："+statusZh(before.Status)+"）")
			l.ReasonsEn = append(l.ReasonsEn, "now seems eligible for "+p.NameEn+" (before: "+string(before.Status)+")")
		} else {
			l.ReasonsZh = append(l.ReasonsZh, "此前已疑似符合「"+p.NameZh+"」，尚未享受")
			l.ReasonsEn = append(l.ReasonsEn, "already seemed eligible for "+p.NameEn+", not received")
		}
		if len(after.Trace) > 0 {
			zh, en := tx.traced(after.Trace, ev.Household)
			l.ReasonsZh, l.ReasonsEn = append(l.ReasonsZh, "依据："+zh), append(l.ReasonsEn, "based on: "+en)
		}
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b SignalLead) int {
		switch {
		case a.Newly == b.Newly:
			return 0
		case a.Newly:
			return -1
		}
		return 1
	})
	return out
}
