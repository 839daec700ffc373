package domain

import (
	"fmt"
	"time"
)

// VisitFacts are household facts a home visit established (入户核实), e.g.
// when verifying a warning: every fact set is recorded with source
// home_visit and the visit's date, replacing what the file held (a
// department's figure or a self-report).
type VisitFacts struct {
	MonthlyIncomeFen         *Fen               `json:"monthly_income_fen,omitempty"`
	AssetsFen                *Fen               `json:"assets_fen,omitempty"`
	MedicalOutOfPocket12mFen *Fen               `json:"medical_out_of_pocket_12m_fen,omitempty"`
	LivingAlone              *bool              `json:"living_alone,omitempty"`
	Members                  []MemberVisitFacts `json:"members,omitempty"`
}

// MemberVisitFacts are one member's facts established at a visit.
type MemberVisitFacts struct {
	MemberID       string       `json:"member_id"`
	WorkAbility    *WorkAbility `json:"work_ability,omitempty"`
	Employment     *Employment  `json:"employment,omitempty"`
	SeriousIllness *bool        `json:"serious_illness,omitempty"`
	Disability     *Disability  `json:"disability,omitempty"`
}

// Empty reports whether no fact is set.
func (f VisitFacts) Empty() bool {
	return f.MonthlyIncomeFen == nil && f.AssetsFen == nil && f.MedicalOutOfPocket12mFen == nil &&
		f.LivingAlone == nil && len(f.Members) == 0
}

// Validate checks the facts against the household: amounts not negative,
// known values, members of the file, each member once. Field paths follow
// the JSON names under "facts".
func (f VisitFacts) Validate(h *Household) error {
	var p Problems
	amounts := []struct {
		name string
		v    *Fen
	}{{"monthly_income_fen", f.MonthlyIncomeFen}, {"assets_fen", f.AssetsFen},
		{"medical_out_of_pocket_12m_fen", f.MedicalOutOfPocket12mFen}}
	for _, a := range amounts {
		if a.v != nil && *a.v < 0 {
			p.Add("facts."+a.name, "range", "金额不能为负数")
		}
	}
	if f.LivingAlone != nil && *f.LivingAlone && len(h.Members) != 1 {
		p.Add("facts.living_alone", "conflict", "独居家庭只能有一名成员")
	}
	seen := map[string]bool{}
	for i, m := range f.Members {
		field := fieldIndex("facts.members", i)
		if _, ok := h.Member(m.MemberID); !ok {
			p.Add(field+".member_id", "exists", "该家庭没有此成员")
		} else if seen[m.MemberID] {
			p.Add(field+".member_id", "unique", "同一成员只能出现一次")
		}
		seen[m.MemberID] = true
		if m.WorkAbility != nil && !m.WorkAbility.Valid() {
			p.Add(field+".work_ability", "enum", "劳动能力无效")
		}
		if m.Employment != nil && !m.Employment.Valid() {
			p.Add(field+".employment", "enum", "就业状况无效")
		}
		if d := m.Disability; d != nil && (!d.Type.Valid() || d.Grade < 1 || d.Grade > 4) {
			p.Add(field+".disability", "enum", "残疾类别或等级无效（等级1–4）")
		}
	}
	return p.Err()
}

// Apply records the facts in h with source home_visit, dated at, and
// returns the names of the facts whose value or source changed, e.g.
// "monthly_income" or "members[m2].employment". Applying the same facts
// again at the same date changes nothing and returns none.
func (f VisitFacts) Apply(h *Household, at time.Time) []string {
	var changed []string
	track := func(name string, did bool) {
		if did {
			changed = append(changed, name)
		}
	}
	track("monthly_income", setVisitFact(&h.MonthlyIncome, f.MonthlyIncomeFen, at))
	track("assets", setVisitFact(&h.Assets, f.AssetsFen, at))
	track("medical_out_of_pocket_12m", setVisitFact(&h.MedicalOutOfPocket12m, f.MedicalOutOfPocket12mFen, at))
	track("living_alone", setVisitFact(&h.LivingAlone, f.LivingAlone, at))
	for _, mf := range f.Members {
		for i := range h.Members {
			m := &h.Members[i]
			if m.ID != mf.MemberID {
				continue
			}
			name := fmt.Sprintf("members[%s].", m.ID)
			track(name+"work_ability", setVisitFact(&m.WorkAbility, mf.WorkAbility, at))
			track(name+"employment", setVisitFact(&m.Employment, mf.Employment, at))
			track(name+"serious_illness", setVisitFact(&m.SeriousIllness, mf.SeriousIllness, at))
			track(name+"disability", setVisitFact(&m.Disability, mf.Disability, at))
		}
	}
	return changed
}

// setVisitFact sets *fact to value from a home visit at the date, unless
// value is nil or the fact already holds it from a home visit that day.
func setVisitFact[T comparable](fact **Fact[T], value *T, at time.Time) bool {
	if value == nil {
		return false
	}
	if cur := *fact; cur != nil && cur.Value == *value && cur.Source == SourceHomeVisit && cur.Date.Equal(at) {
		return false
	}
	*fact = &Fact[T]{Value: *value, Source: SourceHomeVisit, Date: at}
	return true
}
