package matching_test

import (
	"strings"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/matching"
)

// ptNow is the evaluation date of these tests: mid-2026, when the test 低保
// standard is ¥820 (it becomes ¥870 on 2027-01-01, China time).
var ptNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

var ptCST = time.FixedZone("CST", 8*3600)

func ptParams(tb testing.TB) domain.ParamSet {
	tb.Helper()
	set, err := domain.NewParamSet(
		domain.Parameter{Name: "dibao_standard", LabelZh: "低保标准", LabelEn: "低保 standard", Values: []domain.ParamValue{
			{From: time.Date(2025, 7, 1, 0, 0, 0, 0, ptCST), Value: domain.Yuan(820)},
			{From: time.Date(2027, 1, 1, 0, 0, 0, 0, ptCST), Value: domain.Yuan(870)},
		}},
		domain.Parameter{Name: "late_param", LabelZh: "未来参数", LabelEn: "future parameter", Values: []domain.ParamValue{
			{From: time.Date(2030, 1, 1, 0, 0, 0, 0, ptCST), Value: domain.Yuan(1)},
		}},
	)
	if err != nil {
		tb.Fatalf("params: %v", err)
	}
	return set
}

func ptFact[T any](v T) *domain.Fact[T] {
	return &domain.Fact[T]{Value: v, Source: domain.SourceEconomicCheck, Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
}

// ptHousehold is a couple (born 1956 and 1960) with recorded facts:
// per-capita income ¥820 (exactly the line), assets ¥30,000, no able
// supporter, ¥23,000.50 of medical costs, on 低保.
func ptHousehold() *domain.Household {
	return &domain.Household{ID: "h1", Place: "610103002001",
		Members: []domain.Member{
			{ID: "m1", Name: "王秀兰", BirthYear: 1956, Relation: domain.RelationSelf,
				WorkAbility: ptFact(domain.WorkAbilityNone), Employment: ptFact(domain.EmploymentRetired),
				SeriousIllness: ptFact(false)},
			{ID: "m2", Name: "李建国", BirthYear: 1960, Relation: domain.RelationSpouse,
				WorkAbility: ptFact(domain.WorkAbilityNone), Employment: ptFact(domain.EmploymentNotWorking),
				SeriousIllness: ptFact(true)},
		},
		MonthlyIncome:         ptFact(domain.Yuan(1640)),
		Assets:                ptFact(domain.Yuan(30000)),
		Supporters:            ptFact([]domain.Supporter{{Name: "李明", Relation: domain.RelationChild, Able: false}}),
		MedicalOutOfPocket12m: ptFact(domain.Yuan(23000) + 50),
		Assistance:            []domain.AssistanceStatus{{Kind: domain.AssistDibao, DecidedOn: time.Date(2024, 11, 20, 0, 0, 0, 0, time.UTC)}},
	}
}

func ptPolicy(cs ...domain.Criterion) domain.Policy {
	return domain.Policy{ID: "test-policy", Department: domain.DeptCivilAffairs, NameZh: "测试政策", Match: domain.MatchAll, Criteria: cs,
		Benefit: domain.Benefit{Kind: domain.BenefitService, DescriptionZh: "测试"}, LegalRef: "测试"}
}

// ptGap describes the one gap a case expects.
type ptGap struct {
	fact                  matching.PolicyFact
	value, threshold, gap int64
	unit                  matching.GapUnit
}

type ptCase struct {
	name    string
	c       domain.Criterion
	change  func(h *domain.Household)
	status  matching.PolicyStatus
	gap     *ptGap                // the single expected gap, when status is near or ineligible
	missing []matching.PolicyFact // expected missing facts, when status is unknown
	text    string                // a fragment expected in the gap's Chinese or English text
}

func ptRun(t *testing.T, cases []ptCase) {
	t.Helper()
	params := ptParams(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := ptHousehold()
			if tc.change != nil {
				tc.change(h)
			}
			p := ptPolicy(tc.c)
			if err := p.Validate(params); err != nil {
				t.Fatalf("test policy invalid: %v", err)
			}
			r := matching.EvaluatePolicy(h, p, params, ptNow)
			if r.Status != tc.status {
				t.Fatalf("status = %s, want %s; gaps %+v missing %+v", r.Status, tc.status, r.Gaps, r.Missing)
			}
			ptCheckResult(t, tc, r)
		})
	}
}

func ptCheckResult(t *testing.T, tc ptCase, r matching.PolicyResult) {
	t.Helper()
	switch r.Status {
	case matching.PolicyEligible:
		if len(r.Gaps) != 0 || len(r.Missing) != 0 || r.Closeness != 1 {
			t.Fatalf("eligible result with gaps %+v, missing %+v, closeness %v", r.Gaps, r.Missing, r.Closeness)
		}
	case matching.PolicyUnknown:
		var got []matching.PolicyFact
		for _, m := range r.Missing {
			got = append(got, m.Fact)
			if m.TextZh == "" || m.TextEn == "" {
				t.Errorf("missing fact without text: %+v", m)
			}
		}
		if strings.Join(ptStrings(got), ",") != strings.Join(ptStrings(tc.missing), ",") {
			t.Fatalf("missing = %v, want %v", got, tc.missing)
		}
	default:
		if len(r.Gaps) != 1 {
			t.Fatalf("gaps = %+v, want one", r.Gaps)
		}
		g := r.Gaps[0]
		if tc.gap != nil {
			got := ptGap{g.Fact, g.Value, g.Threshold, g.Gap, g.Unit}
			if got != *tc.gap {
				t.Fatalf("gap = %+v, want %+v", got, *tc.gap)
			}
		}
		if g.WithinMargin != (r.Status == matching.PolicyNear) {
			t.Fatalf("within_margin = %v for status %s", g.WithinMargin, r.Status)
		}
		if g.TextZh == "" || g.TextEn == "" || g.Criterion != "criteria[0]" {
			t.Fatalf("gap without texts or path: %+v", g)
		}
	}
	if tc.text != "" && !ptTextHas(r, tc.text) {
		t.Fatalf("no gap or missing text contains %q: %+v %+v", tc.text, r.Gaps, r.Missing)
	}
}

func ptTextHas(r matching.PolicyResult, s string) bool {
	for _, g := range r.Gaps {
		if strings.Contains(g.TextZh, s) || strings.Contains(g.TextEn, s) {
			return true
		}
	}
	for _, m := range r.Missing {
		if strings.Contains(m.TextZh, s) || strings.Contains(m.TextEn, s) {
			return true
		}
	}
	return false
}

func ptStrings[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = string(s)
	}
	return out
}

func TestIncomeCriterion(t *testing.T) {
	line := domain.Criterion{Kind: domain.CriterionIncome, Param: "dibao_standard", Factor: 1.0, NearFactor: 1.5}
	edge := domain.Criterion{Kind: domain.CriterionIncome, Param: "dibao_standard", Factor: 1.5, NearFactor: 2.0}
	fixed := domain.Criterion{Kind: domain.CriterionIncome, LimitFen: domain.Yuan(2000), NearLimitFen: domain.Yuan(2500)}
	income := func(f domain.Fen) func(*domain.Household) {
		return func(h *domain.Household) { h.MonthlyIncome = ptFact(f) }
	}
	ptRun(t, []ptCase{
		{name: "eligible exactly at the line", c: line, status: matching.PolicyEligible},
		{name: "near: ¥86 above the line", c: line, change: income(domain.Yuan(1812)), status: matching.PolicyNear,
			gap:  &ptGap{matching.FactPerCapitaIncome, 90600, 82000, 8600, matching.UnitFenPerMonth},
			text: "per-capita income ¥86.00/month above 1.0 × 低保 standard ¥820.00"},
		{name: "near text in Chinese", c: line, change: income(domain.Yuan(1812)), status: matching.PolicyNear,
			text: "家庭人均月收入¥906.00，超出1.0倍低保标准（¥820.00）¥86.00"},
		{name: "ineligible beyond 1.5 × the line", c: line, change: income(domain.Yuan(2600)), status: matching.PolicyIneligible,
			gap: &ptGap{matching.FactPerCapitaIncome, 130000, 82000, 48000, matching.UnitFenPerMonth}},
		{name: "unknown without income", c: line, change: func(h *domain.Household) { h.MonthlyIncome = nil },
			status: matching.PolicyUnknown, missing: []matching.PolicyFact{matching.FactMonthlyIncome}, text: "家庭月收入未记录"},
		{name: "per-capita rounds up to the fen", c: line,
			change: func(h *domain.Household) {
				h.Members = append(h.Members, domain.Member{ID: "m3", Name: "李小", BirthYear: 2012})
				h.MonthlyIncome = ptFact(domain.Yuan(2460) + 1)
			},
			status: matching.PolicyNear, gap: &ptGap{matching.FactPerCapitaIncome, 82001, 82000, 1, matching.UnitFenPerMonth}},
		{name: "supporters' payments count as income", c: line,
			change: func(h *domain.Household) {
				h.MonthlyIncome = ptFact(domain.Yuan(1540))
				h.Supporters = ptFact([]domain.Supporter{{Name: "李明", Relation: domain.RelationChild, MonthlySupportFen: domain.Yuan(300)}})
			},
			status: matching.PolicyNear, gap: &ptGap{matching.FactPerCapitaIncome, 92000, 82000, 10000, matching.UnitFenPerMonth}},
		{name: "factor 1.5 shows the product", c: edge, change: income(domain.Yuan(2600)), status: matching.PolicyNear,
			text: "1.5 × 低保 standard ¥820.00 = ¥1,230.00"},
		{name: "fixed limit", c: fixed, change: income(domain.Yuan(4200)), status: matching.PolicyNear,
			gap: &ptGap{matching.FactPerCapitaIncome, 210000, 200000, 10000, matching.UnitFenPerMonth}, text: "the limit ¥2,000.00"},
		{name: "parameter not yet in force is unknown",
			c:      domain.Criterion{Kind: domain.CriterionIncome, Param: "late_param", Factor: 1},
			status: matching.PolicyUnknown, missing: []matching.PolicyFact{matching.FactParam}},
	})
}

func TestAssetsCriterion(t *testing.T) {
	perCapita := domain.Criterion{Kind: domain.CriterionAssets, Param: "dibao_standard", Factor: 24, NearFactor: 30, PerCapita: true}
	total := domain.Criterion{Kind: domain.CriterionAssets, LimitFen: domain.Yuan(50000)}
	assets := func(f domain.Fen) func(*domain.Household) {
		return func(h *domain.Household) { h.Assets = ptFact(f) }
	}
	ptRun(t, []ptCase{
		{name: "eligible", c: perCapita, status: matching.PolicyEligible},
		{name: "near", c: perCapita, change: assets(domain.Yuan(40000)), status: matching.PolicyNear,
			gap: &ptGap{matching.FactPerCapitaAssets, 2000000, 1968000, 32000, matching.UnitFen}, text: "per-capita assets ¥320.00 above 24.0 × 低保 standard ¥820.00 = ¥19,680.00"},
		{name: "ineligible", c: perCapita, change: assets(domain.Yuan(60000)), status: matching.PolicyIneligible},
		{name: "unknown", c: perCapita, change: func(h *domain.Household) { h.Assets = nil }, status: matching.PolicyUnknown,
			missing: []matching.PolicyFact{matching.FactAssets}},
		{name: "total without margin is ineligible", c: total, change: assets(domain.Yuan(50001)), status: matching.PolicyIneligible,
			gap: &ptGap{matching.FactAssets, 5000100, 5000000, 100, matching.UnitFen}, text: "assets ¥1.00 above the limit ¥50,000.00"},
	})
}

func TestMedicalCriterion(t *testing.T) {
	amount := domain.Criterion{Kind: domain.CriterionMedical, LimitFen: domain.Yuan(20000), NearLimitFen: domain.Yuan(15000)}
	share := domain.Criterion{Kind: domain.CriterionMedical, IncomeShare: 0.5, NearIncomeShare: 0.4}
	costs := func(f domain.Fen) func(*domain.Household) {
		return func(h *domain.Household) { h.MedicalOutOfPocket12m = ptFact(f) }
	}
	ptRun(t, []ptCase{
		{name: "eligible", c: amount, status: matching.PolicyEligible},
		{name: "near", c: amount, change: costs(domain.Yuan(17000)), status: matching.PolicyNear,
			gap:  &ptGap{matching.FactMedicalCosts, 1700000, 2000000, 300000, matching.UnitFen},
			text: "out-of-pocket medical costs (12 months) ¥3,000.00 below the threshold ¥20,000.00"},
		{name: "ineligible", c: amount, change: costs(domain.Yuan(5000)), status: matching.PolicyIneligible},
		{name: "unknown", c: amount, change: func(h *domain.Household) { h.MedicalOutOfPocket12m = nil },
			status: matching.PolicyUnknown, missing: []matching.PolicyFact{matching.FactMedicalCosts}},
		{name: "share of yearly income: eligible", c: share, status: matching.PolicyEligible},
		{name: "share of yearly income: near", c: share, change: costs(domain.Yuan(9000)), status: matching.PolicyNear,
			gap: &ptGap{matching.FactMedicalCosts, 900000, 984000, 84000, matching.UnitFen}, text: "50% of yearly income ¥19,680.00 = ¥9,840.00"},
		{name: "share needs income", c: share, change: func(h *domain.Household) { h.MonthlyIncome = nil },
			status: matching.PolicyUnknown, missing: []matching.PolicyFact{matching.FactMonthlyIncome}},
		{name: "share of no income still needs costs", c: share,
			change: func(h *domain.Household) {
				h.MonthlyIncome = ptFact(domain.Fen(0))
				h.MedicalOutOfPocket12m = ptFact(domain.Fen(0))
			},
			status: matching.PolicyIneligible},
	})
}

func TestMemberCriteria(t *testing.T) {
	noneEvery := domain.Criterion{Kind: domain.CriterionWorkAbility, Members: domain.EveryMember,
		WorkAbilities: []domain.WorkAbility{domain.WorkAbilityNone}, MinAge: 16}
	canWork := domain.Criterion{Kind: domain.CriterionWorkAbility, Members: domain.SomeMember,
		WorkAbilities: []domain.WorkAbility{domain.WorkAbilityFull, domain.WorkAbilityPartial}}
	jobless := domain.Criterion{Kind: domain.CriterionEmployment, Members: domain.SomeMember,
		Employments: []domain.Employment{domain.EmploymentUnemployed}, WorkAbilities: []domain.WorkAbility{domain.WorkAbilityFull}}
	student := domain.Criterion{Kind: domain.CriterionEmployment, Members: domain.SomeMember,
		Employments: []domain.Employment{domain.EmploymentStudent}, MinAge: 6, MaxAge: 15}
	ill := domain.Criterion{Kind: domain.CriterionIllness}
	m2 := func(f func(m *domain.Member)) func(*domain.Household) {
		return func(h *domain.Household) { f(&h.Members[1]) }
	}
	child := func(h *domain.Household) {
		h.Members = append(h.Members, domain.Member{ID: "m3", Name: "李小", BirthYear: 2014, Employment: ptFact(domain.EmploymentStudent)})
	}
	ptRun(t, []ptCase{
		{name: "every: all without work ability", c: noneEvery, status: matching.PolicyEligible},
		{name: "every: children below the age bound do not count", c: noneEvery, change: child, status: matching.PolicyEligible},
		{name: "every: one member can work", c: noneEvery, change: m2(func(m *domain.Member) { m.WorkAbility = ptFact(domain.WorkAbilityFull) }),
			status: matching.PolicyIneligible, gap: &ptGap{matching.FactWorkAbility, 0, 0, 0, matching.UnitCategory}, text: "member 李建国 does not meet: work ability none (recorded: full)"},
		{name: "every: one member unrecorded", c: noneEvery, change: m2(func(m *domain.Member) { m.WorkAbility = nil }),
			status: matching.PolicyUnknown, missing: []matching.PolicyFact{matching.FactWorkAbility}, text: "成员李建国的劳动能力未记录"},
		{name: "every: birth year unknown and failing", c: noneEvery,
			change: m2(func(m *domain.Member) { m.WorkAbility = ptFact(domain.WorkAbilityFull); m.BirthYear = 0 }),
			status: matching.PolicyUnknown, missing: []matching.PolicyFact{matching.FactBirthYear}},
		{name: "some: nobody can work", c: canWork, status: matching.PolicyIneligible, text: "no member with work ability full or partial"},
		{name: "some: one can work", c: canWork, change: m2(func(m *domain.Member) { m.WorkAbility = ptFact(domain.WorkAbilityPartial) }),
			status: matching.PolicyEligible},
		{name: "employment with work ability: same member", c: jobless,
			change: m2(func(m *domain.Member) {
				m.Employment = ptFact(domain.EmploymentUnemployed)
				m.WorkAbility = ptFact(domain.WorkAbilityFull)
			}), status: matching.PolicyEligible},
		{name: "employment with work ability: unemployed but cannot work", c: jobless,
			change: m2(func(m *domain.Member) { m.Employment = ptFact(domain.EmploymentUnemployed) }), status: matching.PolicyIneligible},
		{name: "employment with work ability: ability unrecorded", c: jobless,
			change: m2(func(m *domain.Member) { m.Employment = ptFact(domain.EmploymentUnemployed); m.WorkAbility = nil }),
			status: matching.PolicyUnknown, missing: []matching.PolicyFact{matching.FactWorkAbility}},
		{name: "student of school age", c: student, change: child, status: matching.PolicyEligible},
		{name: "no student", c: student, status: matching.PolicyIneligible, text: "没有6–15岁成员就业状况为“在校学生”"},
		{name: "illness: some member ill", c: ill, status: matching.PolicyEligible},
		{name: "illness: nobody ill", c: ill, change: m2(func(m *domain.Member) { m.SeriousIllness = ptFact(false) }),
			status: matching.PolicyIneligible},
		{name: "illness: unrecorded", c: ill, change: m2(func(m *domain.Member) { m.SeriousIllness = nil }),
			status: matching.PolicyUnknown, missing: []matching.PolicyFact{matching.FactSeriousIllness}},
	})
}

func TestSupporterStatusAndPlaceCriteria(t *testing.T) {
	noSup := domain.Criterion{Kind: domain.CriterionNoSupporter}
	onDibao := domain.Criterion{Kind: domain.CriterionStatus, Statuses: []domain.AssistanceKind{domain.AssistDibao, domain.AssistTekun}}
	notDibao := domain.Criterion{Kind: domain.CriterionStatus, Statuses: []domain.AssistanceKind{domain.AssistDibao}, Exclude: true}
	street := domain.Criterion{Kind: domain.CriterionPlace, Places: []string{"610103002000"}}
	ptRun(t, []ptCase{
		{name: "no able supporter", c: noSup, status: matching.PolicyEligible},
		{name: "an able supporter", c: noSup,
			change: func(h *domain.Household) {
				h.Supporters = ptFact([]domain.Supporter{{Name: "李明", Relation: domain.RelationChild, Able: true}})
			},
			status: matching.PolicyIneligible, gap: &ptGap{matching.FactSupporters, 1, 0, 1, matching.UnitPeople}},
		{name: "supporters unrecorded", c: noSup, change: func(h *domain.Household) { h.Supporters = nil },
			status: matching.PolicyUnknown, missing: []matching.PolicyFact{matching.FactSupporters}},
		{name: "status held", c: onDibao, status: matching.PolicyEligible},
		{name: "status not held", c: onDibao, change: func(h *domain.Household) { h.Assistance = nil },
			status: matching.PolicyIneligible, text: "未认定为低保、特困人员（须为其一）"},
		{name: "excluded status held", c: notDibao, status: matching.PolicyIneligible, text: "already receives 低保 (dibao)"},
		{name: "excluded status not held", c: notDibao, change: func(h *domain.Household) { h.Assistance = nil }, status: matching.PolicyEligible},
		{name: "place within the street", c: street, status: matching.PolicyEligible},
		{name: "place outside", c: street, change: func(h *domain.Household) { h.Place = "610103005001" }, status: matching.PolicyIneligible},
	})
}

func TestDisabilityAndAgeCriteria(t *testing.T) {
	severe := domain.Criterion{Kind: domain.CriterionDisability, Grade: 2, NearGrade: 3}
	mental := domain.Criterion{Kind: domain.CriterionDisability, Grade: 4, DisabilityTypes: []domain.DisabilityType{domain.DisabilityMental}}
	childRehab := domain.Criterion{Kind: domain.CriterionDisability, Grade: 4, MaxAge: 6}
	aged60 := domain.Criterion{Kind: domain.CriterionAge, MinAge: 60, NearYears: 2}
	aged80s := domain.Criterion{Kind: domain.CriterionAge, MinAge: 80, MaxAge: 89, NearYears: 2}
	alone70 := domain.Criterion{Kind: domain.CriterionAge, MinAge: 70, NearYears: 2, LivingAlone: true}
	disabled := func(tp domain.DisabilityType, grade int) func(*domain.Household) {
		return func(h *domain.Household) {
			h.Members[1].Disability = ptFact(domain.Disability{Type: tp, Grade: grade})
		}
	}
	born := func(years ...int) func(*domain.Household) {
		return func(h *domain.Household) {
			for i, y := range years {
				h.Members[i].BirthYear = y
			}
		}
	}
	single := func(year int, alone *domain.Fact[bool]) func(*domain.Household) {
		return func(h *domain.Household) {
			h.Members = h.Members[:1]
			h.Members[0].BirthYear = year
			h.LivingAlone = alone
		}
	}
	ptRun(t, []ptCase{
		{name: "grade 2 holds", c: severe, change: disabled(domain.DisabilityPhysical, 2), status: matching.PolicyEligible},
		{name: "grade 3 is near", c: severe, change: disabled(domain.DisabilityPhysical, 3), status: matching.PolicyNear,
			gap: &ptGap{matching.FactDisability, 3, 2, 1, matching.UnitGrade}, text: "most severe disability is grade 3, 1 grade(s) short of grade ≤ 2"},
		{name: "grade 4 is beyond the margin", c: severe, change: disabled(domain.DisabilityPhysical, 4), status: matching.PolicyIneligible},
		{name: "no certified disability is known, not missing", c: severe, status: matching.PolicyIneligible,
			gap: &ptGap{matching.FactDisability, 0, 0, 0, matching.UnitCategory}},
		{name: "type filter", c: mental, change: disabled(domain.DisabilityPhysical, 1), status: matching.PolicyIneligible, text: "“精神”类"},
		{name: "age filter: an adult does not count", c: childRehab, change: disabled(domain.DisabilityPhysical, 1), status: matching.PolicyIneligible},
		{name: "age filter: a child counts", c: childRehab,
			change: func(h *domain.Household) {
				h.Members = append(h.Members, domain.Member{ID: "m3", Name: "李小", BirthYear: 2022,
					Disability: ptFact(domain.Disability{Type: domain.DisabilityIntellectual, Grade: 3})})
			}, status: matching.PolicyEligible},
		{name: "aged 60", c: aged60, change: born(1966, 1970), status: matching.PolicyEligible},
		{name: "aged 58 is near", c: aged60, change: born(1968, 1970), status: matching.PolicyNear,
			gap: &ptGap{matching.FactAge, 58, 60, 2, matching.UnitYears}, text: "closest member is 58, 2 year(s) short of 60"},
		{name: "aged 56 is ineligible", c: aged60, change: born(1970, 1972), status: matching.PolicyIneligible},
		{name: "birth year unknown and the other too young", c: aged60, change: born(0, 1972), status: matching.PolicyUnknown,
			missing: []matching.PolicyFact{matching.FactBirthYear}},
		{name: "over the upper bound", c: aged80s, change: born(1935, 1990), status: matching.PolicyNear,
			gap: &ptGap{matching.FactAge, 91, 89, 2, matching.UnitYears}},
		{name: "alone and old enough", c: alone70, change: single(1950, ptFact(true)), status: matching.PolicyEligible},
		{name: "alone but 68", c: alone70, change: single(1958, ptFact(true)), status: matching.PolicyNear},
		{name: "living alone unrecorded", c: alone70, change: single(1950, nil), status: matching.PolicyUnknown,
			missing: []matching.PolicyFact{matching.FactLivingAlone}},
		{name: "two members do not live alone", c: alone70, change: born(1950, 1950), status: matching.PolicyIneligible,
			text: "does not live alone"},
	})
}
