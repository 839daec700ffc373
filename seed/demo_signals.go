package seed

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"lianzhu/domain"
)

// DemoSignalsPerDistrict is how many signals DemoSignals makes for each
// copy of the demo district: a month's data from other departments.
const DemoSignalsPerDistrict = 300

// DemoSignalStream is a deterministic stream of data signals for a demo
// district, as the intake would have them before sealing: plain ID numbers
// (the store hashes and seals them), and HouseholdID and MemberID set for
// the people of the district as matching by keyed hash would find them.
type DemoSignalStream struct {
	// Signals are sorted by date; IDs are sig-000001… in that order.
	Signals []domain.Signal
	// MedicalHardship is the household the stream makes poor by large
	// medical bills: outside every tier, with income known and medical
	// costs under the 刚性支出 mark until two bills settled in the last
	// month push them over it. Evaluating its signals raises a warning, a
	// 刚性支出困难家庭 lead and services to propose.
	MedicalHardship string
	// Unmatched counts the signals about people in no household file.
	Unmatched int
}

// DemoSignals generates the signal stream for a district made by Demo
// with the same Now: DemoSignalsPerDistrict per copy of the district, of
// every kind, about members who fit the kind (job losses of earners,
// school fees of families with pupils…), dated over the 90 days before
// now; the showcase family (MedicalHardship); and a few signals about ID
// numbers under DemoIDAreaPrefix that belong to nobody in the district.
// The same district, now and seed give the same stream.
func DemoSignals(d *District, now time.Time, seed uint64) DemoSignalStream {
	g := newDemoGen(DemoOptions{Seed: seed, Now: now})
	// Another stream than the district's for the same seed.
	g.r = rand.New(rand.NewPCG(seed, 0x7369676e616c73))
	sg := &signalGen{g: g, d: d, taken: map[string]bool{}}
	for _, h := range d.Households {
		for _, m := range h.Members {
			sg.taken[m.IDNumber] = true
		}
	}
	var out DemoSignalStream
	if len(d.Households) == 0 {
		return out
	}
	var signals []domain.Signal
	if hh, bills := sg.medicalHardship(); hh != "" {
		out.MedicalHardship, signals = hh, bills
	}
	n := DemoSignalsPerDistrict * max(1, len(d.Households)/DemoHouseholds)
	out.Unmatched = max(3, n/40)
	for len(signals) < n-out.Unmatched {
		if s, ok := sg.matched(out.MedicalHardship); ok {
			signals = append(signals, s)
		}
	}
	for range out.Unmatched {
		signals = append(signals, sg.unmatched())
	}
	domain.SortSignals(signals)
	for i := range signals {
		signals[i].ID = fmt.Sprintf("sig-%06d", i+1)
	}
	out.Signals = signals
	return out
}

// signalGen draws signals about the district's people.
type signalGen struct {
	g     *demoGen
	d     *District
	taken map[string]bool // ID numbers of the district
	refs  int
}

// signalKindWeights: medical bills and arrears are the bulk of what
// departments share; deaths are rare.
func signalKindWeights() ([]domain.SignalKind, []int) {
	return []domain.SignalKind{domain.SignalLargeMedicalBill, domain.SignalSeriousIllness, domain.SignalJobLoss,
			domain.SignalNewDisability, domain.SignalEarnerDeath, domain.SignalUtilityArrears, domain.SignalSchoolFeeHardship},
		[]int{34, 8, 16, 10, 3, 19, 10}
}

// matched draws one signal of a weighted kind about a member who fits it;
// ok is false when the tries found none (the caller draws again).
func (sg *signalGen) matched(skip string) (domain.Signal, bool) {
	g := sg.g
	kinds, weights := signalKindWeights()
	kind := kinds[g.weighted(weights)]
	for range 50 {
		h := &sg.d.Households[g.intn(len(sg.d.Households))]
		i := g.intn(len(h.Members))
		if h.ID == skip || !sg.fits(kind, h, i) {
			continue
		}
		return sg.signal(kind, h, i, g.daysAgo(1, 90)), true
	}
	return domain.Signal{}, false
}

// fits says whether a signal of the kind may be about member i.
func (sg *signalGen) fits(kind domain.SignalKind, h *domain.Household, i int) bool {
	m := h.Members[i]
	age := m.Age(sg.g.now)
	earning := m.Employment != nil && (m.Employment.Value == domain.EmploymentEmployed || m.Employment.Value == domain.EmploymentFlexible)
	switch kind {
	case domain.SignalLargeMedicalBill:
		return m.SeriousIllness != nil && m.SeriousIllness.Value || age >= 50 || sg.g.chance(0.2)
	case domain.SignalSeriousIllness:
		return age >= 30 && (m.SeriousIllness == nil || !m.SeriousIllness.Value)
	case domain.SignalJobLoss:
		return age >= 18 && age < 60 && earning
	case domain.SignalNewDisability:
		return m.Disability == nil || m.Disability.Value.Grade > 2
	case domain.SignalEarnerDeath:
		return age >= 25 && age < 65 && earning && len(h.Members) > 1
	case domain.SignalUtilityArrears:
		return m.Relation == domain.RelationSelf && (age >= 60 || sg.g.chance(0.4))
	case domain.SignalSchoolFeeHardship:
		return age >= 6 && age <= 22 && m.Employment != nil && m.Employment.Value == domain.EmploymentStudent
	}
	return false
}

// signal makes a signal about member i dated on the day of date (midnight
// in China, in UTC as stored), received one to five days later but not
// after now.
func (sg *signalGen) signal(kind domain.SignalKind, h *domain.Household, i int, date time.Time) domain.Signal {
	g := sg.g
	m := h.Members[i]
	y, mo, dd := date.In(cst()).Date()
	day := time.Date(y, mo, dd, 0, 0, 0, 0, cst()).UTC()
	s := domain.Signal{Kind: kind, Date: day, IDNumber: m.IDNumber, Name: m.Name, HouseholdID: h.ID, MemberID: m.ID,
		ReceivedAt: day.AddDate(0, 0, g.between(1, 5)).Add(time.Duration(g.intn(36000)) * time.Second)}
	if s.ReceivedAt.After(g.now) {
		s.ReceivedAt = g.now
	}
	sg.refs++
	switch kind {
	case domain.SignalLargeMedicalBill:
		s.SourceDepartment, s.AmountFen = domain.DeptMedicalSecurity, g.yuanBetween(2000, 15000)
		if m.SeriousIllness != nil && m.SeriousIllness.Value {
			s.AmountFen = g.yuanBetween(5000, 60000)
		}
	case domain.SignalSeriousIllness:
		s.SourceDepartment = domain.DeptMedicalSecurity
	case domain.SignalJobLoss:
		s.SourceDepartment = domain.DeptHumanResources
		if g.chance(0.7) {
			s.AmountFen = g.yuanBetween(25, 65) * 100 // the last wage, ¥2,500–6,500
		}
	case domain.SignalNewDisability:
		s.SourceDepartment = domain.DeptDisabledFederation
		s.Disability = &domain.Disability{Type: demoPick(g, g.text.disabilities), Grade: g.between(1, 4)}
		if d := m.Disability; d != nil {
			s.Disability.Type, s.Disability.Grade = d.Value.Type, g.between(1, d.Value.Grade-1) // an upgrade
		}
	case domain.SignalEarnerDeath:
		s.SourceDepartment = domain.DeptCivilAffairs // from the funeral records
		if g.chance(0.8) {
			s.AmountFen = g.yuanBetween(30, 80) * 100
		}
	case domain.SignalUtilityArrears:
		s.SourceDepartment, s.AmountFen = domain.DeptHousing, g.yuanBetween(200, 3000)
	case domain.SignalSchoolFeeHardship:
		s.SourceDepartment, s.AmountFen = domain.DeptEducation, g.yuanBetween(1000, 8000)
	}
	s.ExternalRef = fmt.Sprintf("%s-%d-%06d", demoRefPrefix(s.SourceDepartment), y, sg.refs)
	return s
}

func demoRefPrefix(d domain.Department) string {
	switch d {
	case domain.DeptMedicalSecurity:
		return "YB"
	case domain.DeptHumanResources:
		return "RS"
	case domain.DeptDisabledFederation:
		return "CL"
	case domain.DeptCivilAffairs:
		return "MZ"
	case domain.DeptEducation:
		return "JY"
	}
	return "SD"
}

// unmatched makes a signal about a person in no file of the district: a
// number under the demo prefix that nobody here holds.
func (sg *signalGen) unmatched() domain.Signal {
	g := sg.g
	gender := g.gender()
	age := g.between(20, 85)
	id := g.idNumber(age, gender)
	for sg.taken[id] {
		id = g.idNumber(age, gender)
	}
	sg.taken[id] = true
	kinds := []domain.SignalKind{domain.SignalLargeMedicalBill, domain.SignalJobLoss, domain.SignalUtilityArrears}
	kind := kinds[g.intn(len(kinds))]
	if age >= 60 && kind == domain.SignalJobLoss {
		kind = domain.SignalUtilityArrears
	}
	stranger := domain.Household{Members: []domain.Member{{IDNumber: id, Name: g.personName(age, gender)}}}
	s := sg.signal(kind, &stranger, 0, g.daysAgo(1, 60))
	s.HouseholdID, s.MemberID = "", ""
	return s
}

// medicalHardship picks the showcase family and makes its two bills: the
// first settled a month ago, the second ten days ago, together taking the
// out-of-pocket costs ¥5,000–20,000 past the ¥20,000 刚性支出 mark.
func (sg *signalGen) medicalHardship() (string, []domain.Signal) {
	g := sg.g
	first, second := g.now.AddDate(0, 0, -30), g.now.AddDate(0, 0, -10)
	line, ok := PolicyParams().ValueAt(ParamDisposableIncome, g.now)
	if !ok {
		return "", nil
	}
	var ill, cands []int
	for i := range sg.d.Households {
		h := &sg.d.Households[i]
		if !demoJustOutsideRigid(h, line.Value, first) {
			continue
		}
		cands = append(cands, i)
		if slices.ContainsFunc(h.Members, func(m domain.Member) bool { return m.SeriousIllness != nil && m.SeriousIllness.Value }) {
			ill = append(ill, i)
		}
	}
	if len(ill) > 0 {
		cands = ill
	}
	if len(cands) == 0 {
		return "", nil
	}
	h := &sg.d.Households[cands[g.intn(len(cands))]]
	patient := max(0, slices.IndexFunc(h.Members, func(m domain.Member) bool { return m.SeriousIllness != nil && m.SeriousIllness.Value }))
	need := domain.Yuan(20000) - h.MedicalOutOfPocket12m.Value + g.yuanBetween(5000, 20000)
	a := sg.signal(domain.SignalLargeMedicalBill, h, patient, first)
	b := sg.signal(domain.SignalLargeMedicalBill, h, patient, second)
	a.AmountFen = need * 3 / 5 / 100 * 100
	b.AmountFen = need - a.AmountFen
	out := []domain.Signal{a, b}
	if h.Members[patient].SeriousIllness == nil || !h.Members[patient].SeriousIllness.Value {
		out = append(out, sg.signal(domain.SignalSeriousIllness, h, patient, first.AddDate(0, 0, -5)))
	}
	return h.ID, out
}

// demoJustOutsideRigid: a household in no tier that may be contacted, with
// income and medical costs recorded before the bills, per-capita income
// within the 刚性支出 income line and costs under its ¥20,000 mark.
func demoJustOutsideRigid(h *domain.Household, line domain.Fen, before time.Time) bool {
	if h.DoNotContact || h.MonthlyIncome == nil || h.MedicalOutOfPocket12m == nil || len(h.Members) == 0 {
		return false
	}
	for _, k := range []domain.AssistanceKind{domain.AssistTekun, domain.AssistDibao, domain.AssistDibaoEdge, domain.AssistRigidExpense} {
		if h.Has(k) {
			return false
		}
	}
	total := h.MonthlyIncome.Value
	if s := h.Supporters; s != nil {
		for _, sup := range s.Value {
			total += sup.MonthlySupportFen
		}
	}
	n := domain.Fen(len(h.Members))
	perCapita := (total + n - 1) / n
	med := h.MedicalOutOfPocket12m
	return perCapita <= line && med.Value < domain.Yuan(20000) && med.Date.Before(before) && h.MonthlyIncome.Date.Before(before)
}

func cst() *time.Location { return time.FixedZone("CST", 8*3600) }
