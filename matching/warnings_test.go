package matching_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/seed"
)

// wsAt is the evaluation date: mid-2026, 低保 standard ¥820, disposable
// income line ¥4,300 (seed parameters).
var wsAt = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

var wsRecorded = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func wsFact[T any](v T) *domain.Fact[T] {
	return &domain.Fact[T]{Value: v, Source: domain.SourceEconomicCheck, Date: wsRecorded}
}

// wsFamily is a couple with a pupil, outside every tier: per-capita income
// ¥3,000 (under the ¥4,300 刚性支出 line), ¥12,000 of medical costs (under
// its ¥20,000 mark); the wife is seriously ill, the husband employed.
func wsFamily() *domain.Household {
	return &domain.Household{ID: "hh-1", Place: "610103002001001", Address: "东关正街1号",
		Members: []domain.Member{
			{ID: "m1", Name: "张伟", IDHash: "h:m1", BirthYear: 1980, Relation: domain.RelationSelf,
				WorkAbility: wsFact(domain.WorkAbilityFull), Employment: wsFact(domain.EmploymentEmployed), Skills: []string{"会开车"}},
			{ID: "m2", Name: "李娟", IDHash: "h:m2", BirthYear: 1982, Relation: domain.RelationSpouse,
				WorkAbility: wsFact(domain.WorkAbilityPartial), Employment: wsFact(domain.EmploymentNotWorking), SeriousIllness: wsFact(true)},
			{ID: "m3", Name: "张子轩", IDHash: "h:m3", BirthYear: 2015, Relation: domain.RelationChild,
				Employment: wsFact(domain.EmploymentStudent)},
		},
		MonthlyIncome: wsFact(domain.Yuan(9000)), Assets: wsFact(domain.Yuan(30000)),
		MedicalOutOfPocket12m: wsFact(domain.Yuan(12000)), LivingAlone: wsFact(false),
		Assistance: []domain.AssistanceStatus{}, Consents: []domain.ConsentEvent{}}
}

// wsCouple is near 低保: per-capita income ¥1,000 (line ¥820, near up to
// ¥1,230), which makes them a 低保边缘 lead already.
func wsCouple() *domain.Household {
	h := wsFamily()
	h.Members = h.Members[:2]
	h.Members[1].SeriousIllness = nil
	h.MonthlyIncome, h.Assets = wsFact(domain.Yuan(2000)), wsFact(domain.Yuan(10000))
	return h
}

// wsSignal is a signal about a member of hh-1, from the department that
// reports its kind, dated days before wsAt.
func wsSignal(id string, kind domain.SignalKind, amount domain.Fen, member string, daysBefore int) domain.Signal {
	dept := map[domain.SignalKind]domain.Department{
		domain.SignalLargeMedicalBill: domain.DeptMedicalSecurity, domain.SignalSeriousIllness: domain.DeptMedicalSecurity,
		domain.SignalJobLoss: domain.DeptHumanResources, domain.SignalNewDisability: domain.DeptDisabledFederation,
		domain.SignalEarnerDeath: domain.DeptCivilAffairs, domain.SignalUtilityArrears: domain.DeptHousing,
		domain.SignalSchoolFeeHardship: domain.DeptEducation}[kind]
	date := wsAt.AddDate(0, 0, -daysBefore)
	return domain.Signal{ID: id, Kind: kind, AmountFen: amount, Date: date, SourceDepartment: dept, IDHash: "h:" + member,
		HouseholdID: "hh-1", MemberID: member, ReceivedAt: date.AddDate(0, 0, 1)}
}

func wsRule(id string, sev domain.Severity, triggers []domain.SignalKind, cs ...domain.WarningCondition) domain.WarningRule {
	return domain.WarningRule{ID: id, NameZh: "规则" + id, Severity: sev, ExplanationZh: "说明" + id, Triggers: triggers,
		Match: domain.MatchAll, Conditions: cs}
}

func wsMedical(c domain.Criterion) domain.WarningCondition {
	return domain.WarningCondition{Kind: domain.CondHousehold, Criterion: &c}
}

// wsEvaluate evaluates with the seed policy catalogue, checking that the
// rules validate against it and that the input household is left as it was.
func wsEvaluate(t *testing.T, h *domain.Household, signals []domain.Signal, rules []domain.WarningRule) matching.SignalEvaluation {
	t.Helper()
	policies, params := seed.Policies(), seed.PolicyParams()
	if err := domain.ValidateWarningRules(rules, policies, params); err != nil {
		t.Fatalf("test rules invalid: %v", err)
	}
	before, _ := json.Marshal(h)
	ev := matching.EvaluateSignals(h, signals, rules, policies, params, wsAt)
	if after, _ := json.Marshal(h); string(after) != string(before) {
		t.Fatal("EvaluateSignals changed its input household")
	}
	if ev.Warning != nil {
		if err := ev.Warning.Warning.Validate(wsAt); err != nil {
			t.Fatalf("raised warning invalid: %v", err)
		}
	}
	return ev
}

func wsPolicyIDs(rs []matching.PolicyResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.PolicyID)
	}
	return out
}

func wsHasText(reasons []matching.WarningReason, parts ...string) bool {
	return slices.ContainsFunc(reasons, func(r matching.WarningReason) bool {
		for _, p := range parts {
			if !strings.Contains(r.TextZh, p) {
				return false
			}
		}
		return true
	})
}

func TestMedicalBillClosesTheRigidExpenseGap(t *testing.T) {
	h := wsFamily()
	bill := wsSignal("sig-1", domain.SignalLargeMedicalBill, domain.Yuan(15000), "m2", 12)
	rules := []domain.WarningRule{
		wsRule("wr-share", domain.SeverityRed, []domain.SignalKind{domain.SignalLargeMedicalBill},
			wsMedical(domain.Criterion{Kind: domain.CriterionMedical, IncomeShare: 0.5})),
		wsRule("wr-amount", domain.SeverityOrange, []domain.SignalKind{domain.SignalLargeMedicalBill},
			wsMedical(domain.Criterion{Kind: domain.CriterionMedical, LimitFen: domain.Yuan(20000)})),
		wsRule("wr-arrears", domain.SeverityRed, []domain.SignalKind{domain.SignalUtilityArrears}),
	}
	ev := wsEvaluate(t, h, []domain.Signal{bill}, rules)

	med := ev.Household.MedicalOutOfPocket12m
	if med.Value != domain.Yuan(27000) || med.Source != "dept:medical_security" || !med.Date.Equal(bill.Date) {
		t.Fatalf("medical costs after the bill = %+v", med)
	}
	if len(ev.FactUpdates) != 1 || ev.FactUpdates[0].Before != "¥12,000.00" || ev.FactUpdates[0].After != "¥27,000.00" ||
		!strings.Contains(ev.FactUpdates[0].TextZh, "医保数据") {
		t.Fatalf("fact updates = %+v", ev.FactUpdates)
	}
	if !slices.Contains(wsPolicyIDs(ev.NewlyEligible), "mz-rigid-expense") {
		t.Fatalf("newly eligible = %v, want the 刚性支出 recognition", wsPolicyIDs(ev.NewlyEligible))
	}
	if !slices.ContainsFunc(ev.Changes, func(c matching.RescanEntry) bool {
		return c.PolicyID == "mz-rigid-expense" && c.Move == matching.RescanMoveIn && c.Before == matching.PolicyIneligible
	}) {
		t.Fatalf("changes = %+v", ev.Changes)
	}
	// A lead the family had before (the ill wife's family doctor) is a lead,
	// not a new one.
	leads := wsPolicyIDs(ev.Leads)
	if !slices.Contains(leads, "wj-family-doctor") || slices.Contains(wsPolicyIDs(ev.NewlyEligible), "wj-family-doctor") ||
		!slices.Contains(leads, "mz-rigid-expense") {
		t.Fatalf("leads %v, newly eligible %v", leads, wsPolicyIDs(ev.NewlyEligible))
	}

	w := ev.Warning
	if w == nil {
		t.Fatal("no warning")
	}
	// ¥27,000 is under half of the yearly ¥108,000: orange, not red.
	if w.Warning.RuleID != "wr-amount" || w.Warning.Severity != domain.SeverityOrange || !slices.Equal(w.Warning.Rules, []string{"wr-amount"}) ||
		!w.Warning.DueAt.Equal(wsAt.AddDate(0, 0, 7)) || w.Warning.State != domain.WarningNew ||
		w.Warning.ID != domain.WarningKey("hh-1", []string{"sig-1"}) || w.Warning.Place != h.Place {
		t.Fatalf("warning = %+v", w.Warning)
	}
	if !wsHasText(w.Reasons, "大额医疗费用", "¥15,000.00", "成员李娟", "医保") ||
		!wsHasText(w.Reasons, "近12个月自付医疗费用不低于门槛¥20,000.00", "¥27,000.00", "医保数据，2026-05-20") {
		t.Fatalf("reasons = %+v", w.Reasons)
	}
	if len(w.Warning.Reasons) != len(w.Reasons) || len(w.Trace) == 0 {
		t.Fatalf("warning texts %v, trace %v", w.Warning.Reasons, w.Trace)
	}
}

func TestJobLossNearDibaoRaisesARedWarning(t *testing.T) {
	h := wsCouple()
	loss := wsSignal("sig-9", domain.SignalJobLoss, domain.Yuan(1500), "m1", 20)
	earner := domain.WarningCondition{Kind: domain.CondSignalPerson, MinAge: 16, MaxAge: 59,
		Employments: []domain.Employment{domain.EmploymentEmployed, domain.EmploymentFlexible}}
	rules := []domain.WarningRule{
		wsRule("wr-near", domain.SeverityOrange, []domain.SignalKind{domain.SignalJobLoss}, earner,
			domain.WarningCondition{Kind: domain.CondNearPolicy, Policies: []string{"mz-dibao", "mz-dibao-edge"}}),
		wsRule("wr-lead", domain.SeverityRed, []domain.SignalKind{domain.SignalJobLoss},
			domain.WarningCondition{Kind: domain.CondNewlyEligible, Policies: []string{"mz-dibao"}}),
	}
	ev := wsEvaluate(t, h, []domain.Signal{loss}, rules)
	m1 := ev.Household.Members[0]
	if m1.Employment.Value != domain.EmploymentUnemployed || m1.Employment.Source != "dept:human_resources" ||
		ev.Household.MonthlyIncome.Value != domain.Yuan(500) {
		t.Fatalf("after the job loss: employment %+v, income %+v", m1.Employment, ev.Household.MonthlyIncome)
	}
	if !slices.Contains(wsPolicyIDs(ev.NewlyEligible), "mz-dibao") || slices.Contains(wsPolicyIDs(ev.NewlyEligible), "mz-dibao-edge") {
		t.Fatalf("newly eligible = %v: 低保 is new, 低保边缘 was a lead already", wsPolicyIDs(ev.NewlyEligible))
	}
	w := ev.Warning
	if w == nil || w.Warning.RuleID != "wr-lead" || w.Warning.Severity != domain.SeverityRed ||
		!slices.Equal(w.Warning.Rules, []string{"wr-lead", "wr-near"}) || !w.Warning.DueAt.Equal(wsAt.AddDate(0, 0, 3)) {
		t.Fatalf("warning = %+v", w)
	}
	if !wsHasText(w.Reasons, "信号后疑似符合「最低生活保障」", "此前：接近") ||
		!wsHasText(w.Reasons, "信号前已接近「最低生活保障」", "¥1,000.00") ||
		!wsHasText(w.Reasons, "成员张伟", "信号前就业状况为“在职”") {
		t.Fatalf("reasons = %+v", w.Reasons)
	}
	// The same loss of a member who was not working is not an earner's.
	h.Members[0].Employment = wsFact(domain.EmploymentFlexible)
	h.Members[0].Employment.Value = domain.EmploymentNotWorking
	if ev := wsEvaluate(t, h, []domain.Signal{loss}, rules[:1]); ev.Warning != nil {
		t.Fatalf("warning for a member who did not work: %+v", ev.Warning.Warning)
	}
}

func TestNewDisabilityOfSomeoneAlone(t *testing.T) {
	h := wsFamily()
	h.Members = h.Members[:1]
	h.LivingAlone = wsFact(true)
	sig := wsSignal("sig-3", domain.SignalNewDisability, 0, "m1", 5)
	sig.Disability = &domain.Disability{Type: domain.DisabilityPhysical, Grade: 2}
	alone := wsRule("wr-alone", domain.SeverityRed, []domain.SignalKind{domain.SignalNewDisability},
		wsMedical(domain.Criterion{Kind: domain.CriterionAge, LivingAlone: true}))
	ev := wsEvaluate(t, h, []domain.Signal{sig}, []domain.WarningRule{alone})
	d := ev.Household.Members[0].Disability
	if d == nil || d.Value != *sig.Disability || d.Source != "dept:disabled_federation" {
		t.Fatalf("disability after the signal = %+v", d)
	}
	if ev.Warning == nil || ev.Warning.Warning.Severity != domain.SeverityRed || !wsHasText(ev.Warning.Reasons, "独居", "是否独居是") ||
		!wsHasText(ev.Warning.Reasons, "新办残疾证", "肢体残疾2级") {
		t.Fatalf("warning = %+v", ev.Warning)
	}
	// A disability upgrade changes policies that read disability, so the
	// care subsidy for grades 1–2 is a new lead.
	if !slices.Contains(wsPolicyIDs(ev.NewlyEligible), "mz-disability-care") {
		t.Fatalf("newly eligible = %v", wsPolicyIDs(ev.NewlyEligible))
	}
}

func TestSignalsThatChangeNoFact(t *testing.T) {
	h := wsFamily()
	arrears := wsSignal("sig-4", domain.SignalUtilityArrears, domain.Yuan(800), "m1", 3)
	fees := wsSignal("sig-5", domain.SignalSchoolFeeHardship, domain.Yuan(3000), "m3", 3)
	amount := func(yuan int64) domain.WarningCondition {
		return domain.WarningCondition{Kind: domain.CondSignalAmount, LimitFen: domain.Yuan(yuan)}
	}
	rules := []domain.WarningRule{
		wsRule("wr-big", domain.SeverityYellow, []domain.SignalKind{domain.SignalUtilityArrears}, amount(1000)),
		wsRule("wr-any", domain.SeverityYellow, []domain.SignalKind{domain.SignalSchoolFeeHardship}, amount(5000),
			wsMedical(domain.Criterion{Kind: domain.CriterionEmployment, Members: domain.SomeMember,
				Employments: []domain.Employment{domain.EmploymentStudent}, MinAge: 6, MaxAge: 17})),
	}
	rules[1].Match = domain.MatchAny
	ev := wsEvaluate(t, h, []domain.Signal{fees, arrears}, rules)
	if len(ev.FactUpdates) != 0 || !reflect.DeepEqual(ev.Before, ev.After) || len(ev.Changes) != 0 {
		t.Fatalf("facts changed: %+v %+v", ev.FactUpdates, ev.Changes)
	}
	// ¥800 of arrears is under ¥1,000; the pupil meets the any-rule.
	if ev.Warning == nil || !slices.Equal(ev.Warning.Warning.Rules, []string{"wr-any"}) ||
		!slices.Equal(ev.Warning.Warning.SignalIDs, []string{"sig-5"}) {
		t.Fatalf("warning = %+v", ev.Warning)
	}
	if !wsHasText(ev.Warning.Reasons, "有6–17岁成员就业状况为“在校学生”") {
		t.Fatalf("reasons = %+v", ev.Warning.Reasons)
	}
	arrears.AmountFen = domain.Yuan(1200)
	if ev := wsEvaluate(t, h, []domain.Signal{arrears}, rules); ev.Warning == nil || !wsHasText(ev.Warning.Reasons, "金额合计¥1,200.00", "门槛¥1,000.00") {
		t.Fatalf("warning for ¥1,200 of arrears = %+v", ev.Warning)
	}
}

func TestSignalNotes(t *testing.T) {
	h := wsFamily()
	other := wsSignal("sig-a", domain.SignalJobLoss, 0, "m1", 3)
	other.HouseholdID = "hh-2"
	unknown := wsSignal("sig-b", "lottery_win", 0, "m1", 3)
	bill := wsSignal("sig-c", domain.SignalLargeMedicalBill, domain.Yuan(1000), "m2", 3)
	old := wsSignal("sig-d", domain.SignalLargeMedicalBill, domain.Yuan(1000), "m2", 100) // before the economic check
	stale := wsSignal("sig-e", domain.SignalLargeMedicalBill, domain.Yuan(1000), "m2", 400)
	stranger := wsSignal("sig-f", domain.SignalSeriousIllness, 0, "m9", 3)
	h.MonthlyIncome = nil
	death := wsSignal("sig-g", domain.SignalEarnerDeath, domain.Yuan(3000), "m1", 3)
	ev := wsEvaluate(t, h, []domain.Signal{other, unknown, bill, bill, old, stale, stranger, death}, nil)
	got := map[string]matching.SignalNoteKind{}
	for _, n := range ev.Notes {
		got[n.SignalID] = n.Kind
		if n.TextZh == "" || n.TextEn == "" {
			t.Errorf("note without text: %+v", n)
		}
	}
	want := map[string]matching.SignalNoteKind{"sig-a": matching.NoteOtherHousehold, "sig-b": matching.NoteUnknownKind,
		"sig-c": matching.NoteDuplicate, "sig-d": matching.NoteAlreadyCounted, "sig-e": matching.NoteOutsideWindow,
		"sig-f": matching.NoteNoMember, "sig-g": matching.NoteFactMissing}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("notes = %v, want %v", got, want)
	}
	if !slices.Equal(ev.Signals, []string{"sig-e", "sig-d", "sig-c", "sig-f", "sig-g"}) {
		t.Fatalf("signals evaluated = %v, want the household's in date order, once", ev.Signals)
	}
	if ev.Household.MedicalOutOfPocket12m.Value != domain.Yuan(13000) || ev.Household.MonthlyIncome != nil {
		t.Fatalf("only the new bill counts, an unknown income stays unknown: %+v", ev.Household)
	}
	if ev.Warning != nil {
		t.Fatal("a warning without rules")
	}
}

func TestEvaluateSignalsIgnoresOrder(t *testing.T) {
	h := wsFamily()
	signals := []domain.Signal{
		wsSignal("sig-1", domain.SignalLargeMedicalBill, domain.Yuan(9000), "m2", 40),
		wsSignal("sig-2", domain.SignalLargeMedicalBill, domain.Yuan(9000), "m2", 10),
		wsSignal("sig-3", domain.SignalJobLoss, domain.Yuan(4000), "m1", 10),
		wsSignal("sig-4", domain.SignalUtilityArrears, domain.Yuan(900), "m1", 2),
	}
	rules := seed.SeedWarningRules()
	first := wsEvaluate(t, h, signals, rules)
	if first.Warning == nil || first.Warning.Warning.Severity != domain.SeverityRed {
		t.Fatalf("warning = %+v", first.Warning)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		r.Shuffle(len(signals), func(i, j int) { signals[i], signals[j] = signals[j], signals[i] })
		if again := wsEvaluate(t, h, signals, rules); !reflect.DeepEqual(first, again) {
			t.Fatal("the result depends on the order of the signals")
		}
	}
}

func TestCloneSharesNothing(t *testing.T) {
	h := wsFamily()
	ev := wsEvaluate(t, h, []domain.Signal{wsSignal("sig-1", domain.SignalUtilityArrears, domain.Yuan(100), "m1", 1)}, nil)
	c := ev.Household
	c.Members[0].Employment.Value = domain.EmploymentRetired
	c.Members[0].Skills[0] = "tampered"
	c.MonthlyIncome.Value = 1
	if h.Members[0].Employment.Value != domain.EmploymentEmployed || h.Members[0].Skills[0] != "会开车" || h.MonthlyIncome.Value != domain.Yuan(9000) {
		t.Fatal("the updated copy shares facts with the input")
	}
}
