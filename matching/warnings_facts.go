package matching

import (
	"slices"
	"strconv"
	"time"

	"lianzhu/domain"
)

// factApplier applies signals to a copy of a household file. A signal
// changes a fact only when it is newer than what the file recorded: the
// file's fact dated on or after the signal already reflects it (an
// economic check that counted the bill), so the signal is not counted
// twice. The comparison is with the file as it was, so that two bills of
// one batch are both counted.
type factApplier struct {
	orig, h *domain.Household
	at      time.Time
	tx      *texts
	updates []FactUpdate
	notes   []SignalNote
	changed []PolicyFact
}

// applySignals applies the household's signals, sorted by date.
func applySignals(h *domain.Household, signals []domain.Signal, at time.Time, tx *texts) *factApplier {
	a := &factApplier{orig: h, h: cloneHousehold(h), at: at, tx: tx, updates: []FactUpdate{}}
	for _, s := range signals {
		m := signalMember(a.h, s)
		switch s.Kind {
		case domain.SignalLargeMedicalBill:
			a.medicalBill(s)
		case domain.SignalJobLoss:
			a.lowerIncome(s)
			if a.member(s, m) {
				a.employment(s, m)
			}
		case domain.SignalEarnerDeath:
			a.lowerIncome(s)
		case domain.SignalSeriousIllness:
			if a.member(s, m) {
				a.illness(s, m)
			}
		case domain.SignalNewDisability:
			if a.member(s, m) && s.Disability != nil {
				a.disability(s, m)
			}
		}
	}
	return a
}

func (a *factApplier) note(s domain.Signal, k SignalNoteKind, zh, en string) {
	a.notes = append(a.notes, SignalNote{SignalID: s.ID, Kind: k, TextZh: zh, TextEn: en})
}

func (a *factApplier) member(s domain.Signal, m int) bool {
	if m < 0 {
		a.note(s, NoteNoMember, "信号所涉人员不是本户成员，未更新成员信息", "the person is not a member of the file: member facts not updated")
	}
	return m >= 0
}

// newer reports whether the signal is newer than the file's fact, noting
// it otherwise.
func (a *factApplier) newer(s domain.Signal, recorded time.Time, f PolicyFact) bool {
	if !s.Date.After(recorded) {
		labelZh, labelEn := factLabel(f)
		a.note(s, NoteAlreadyCounted, "档案中的"+labelZh+"记录于"+dayText(recorded)+"，不早于信号日期，视为已反映",
			"the file's "+labelEn+" was recorded on "+dayText(recorded)+", not before the signal: taken as already reflected")
		return false
	}
	return true
}

func (a *factApplier) update(s domain.Signal, f PolicyFact, member domain.Member, before, after string) {
	labelZh, labelEn := factLabel(f)
	whoZh, whoEn := "", ""
	if member.ID != "" {
		whoZh, whoEn = "成员"+member.Name+"的", " of member "+member.Name
	}
	beforeZh, beforeEn := "未记录", "not recorded"
	if before != "" {
		beforeZh, beforeEn = valueZh(f, before), before
	}
	src := domain.DepartmentSource(s.SourceDepartment)
	a.updates = append(a.updates, FactUpdate{SignalID: s.ID, Fact: f, MemberID: member.ID, Before: before, After: after,
		Source: src, Date: s.Date,
		TextZh: whoZh + labelZh + "由" + beforeZh + "更新为" + valueZh(f, after) + "（" + a.tx.source(string(src)) + "，" + dayText(s.Date) + "）",
		TextEn: labelEn + whoEn + " updated from " + beforeEn + " to " + after + " (" + string(src) + ", " + dayText(s.Date) + ")"})
	if !slices.Contains(a.changed, f) {
		a.changed = append(a.changed, f)
	}
}

// medicalBill adds a bill of the 12 months before the date to the
// out-of-pocket costs.
func (a *factApplier) medicalBill(s domain.Signal) {
	if !s.Date.After(a.at.AddDate(-1, 0, 0)) || s.Date.After(a.at) {
		a.note(s, NoteOutsideWindow, "账单日期不在评估日前12个月内，未计入", "bill dated outside the 12 months before the evaluation date: not added")
		return
	}
	orig := a.orig.MedicalOutOfPocket12m
	if orig != nil && !a.newer(s, orig.Date, FactMedicalCosts) {
		return
	}
	before, beforeText := domain.Fen(0), ""
	if cur := a.h.MedicalOutOfPocket12m; cur != nil {
		before, beforeText = cur.Value, cur.Value.String()
	}
	fact := &domain.Fact[domain.Fen]{Value: before + s.AmountFen, Source: domain.DepartmentSource(s.SourceDepartment), Date: s.Date}
	a.h.MedicalOutOfPocket12m = fact
	a.update(s, FactMedicalCosts, domain.Member{}, beforeText, fact.Value.String())
}

// lowerIncome takes the income a job loss or a death ends off the
// household's monthly income, never below zero. An income the file does
// not record stays unknown: a guess would make the household look poorer.
func (a *factApplier) lowerIncome(s domain.Signal) {
	if s.AmountFen <= 0 {
		return
	}
	cur, orig := a.h.MonthlyIncome, a.orig.MonthlyIncome
	if cur == nil {
		a.note(s, NoteFactMissing, "家庭月收入未记录，未按信号减少", "monthly income not recorded: not lowered")
		return
	}
	if !a.newer(s, orig.Date, FactMonthlyIncome) {
		return
	}
	fact := &domain.Fact[domain.Fen]{Value: max(0, cur.Value-s.AmountFen), Source: domain.DepartmentSource(s.SourceDepartment), Date: s.Date}
	a.h.MonthlyIncome = fact
	a.update(s, FactMonthlyIncome, domain.Member{}, cur.Value.String(), fact.Value.String())
}

func (a *factApplier) employment(s domain.Signal, m int) {
	setMemberFact(a, s, m, FactEmployment, func(x *domain.Member) **domain.Fact[domain.Employment] { return &x.Employment },
		domain.EmploymentUnemployed, func(e domain.Employment) string { return string(e) })
}

func (a *factApplier) illness(s domain.Signal, m int) {
	setMemberFact(a, s, m, FactSeriousIllness, func(x *domain.Member) **domain.Fact[bool] { return &x.SeriousIllness },
		true, strconv.FormatBool)
}

func (a *factApplier) disability(s domain.Signal, m int) {
	setMemberFact(a, s, m, FactDisability, func(x *domain.Member) **domain.Fact[domain.Disability] { return &x.Disability },
		*s.Disability, disabilityValue)
}

// setMemberFact records the signal's value as member m's fact (the one
// field picks), sourced to the department, unless the member already has
// that value or the file's fact is not older than the signal.
func setMemberFact[T comparable](a *factApplier, s domain.Signal, m int, f PolicyFact,
	field func(*domain.Member) **domain.Fact[T], value T, format func(T) string) {
	cur, orig := *field(&a.h.Members[m]), *field(&a.orig.Members[m])
	if cur != nil && cur.Value == value || orig != nil && !a.newer(s, orig.Date, f) {
		return
	}
	before := ""
	if cur != nil {
		before = format(cur.Value)
	}
	*field(&a.h.Members[m]) = &domain.Fact[T]{Value: value, Source: domain.DepartmentSource(s.SourceDepartment), Date: s.Date}
	a.update(s, f, a.h.Members[m], before, format(value))
}

// disabilityValue formats a disability as the policy trace does.
func disabilityValue(d domain.Disability) string {
	return string(d.Type) + " grade " + strconv.Itoa(d.Grade)
}

// cloneHousehold copies a household so that nothing is shared: changing
// the copy, through any pointer or slice, leaves the original as it was.
func cloneHousehold(h *domain.Household) *domain.Household {
	c := *h
	c.Location = clonePtr(h.Location)
	c.Members = make([]domain.Member, len(h.Members))
	for i, m := range h.Members {
		m.Disability, m.SeriousIllness = clonePtr(m.Disability), clonePtr(m.SeriousIllness)
		m.WorkAbility, m.Employment = clonePtr(m.WorkAbility), clonePtr(m.Employment)
		m.Skills = slices.Clone(m.Skills)
		c.Members[i] = m
	}
	c.MonthlyIncome, c.Assets = clonePtr(h.MonthlyIncome), clonePtr(h.Assets)
	c.MedicalOutOfPocket12m, c.LivingAlone = clonePtr(h.MedicalOutOfPocket12m), clonePtr(h.LivingAlone)
	if s := clonePtr(h.Supporters); s != nil {
		s.Value = slices.Clone(s.Value)
		c.Supporters = s
	}
	c.Assistance = slices.Clone(h.Assistance)
	c.Consents = slices.Clone(h.Consents)
	for i := range c.Consents {
		c.Consents[i].Guardian = clonePtr(c.Consents[i].Guardian)
	}
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
