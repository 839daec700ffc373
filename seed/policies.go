package seed

import (
	"time"

	"lianzhu/domain"
)

// Parameters of the demo policy catalogue. Criteria and benefits refer to
// them by name; their values are dated.
const (
	ParamDibao            = "dibao_standard"    // 低保标准（城市，月）
	ParamTekun            = "tekun_standard"    // 特困人员基本生活标准（月）
	ParamMinWage          = "min_wage"          // 最低工资标准（月）
	ParamDisposableIncome = "disposable_income" // 上年度居民人均可支配收入（月）
	ParamMonitoringLine   = "monitoring_line"   // 防止返贫监测线（月）
)

// DibaoChangeDate is when the demo district's next 低保 standard (and the
// 特困 standard that follows it) takes effect, midnight in China. The values
// are recorded ahead, so a re-scan can show whom the change would move
// before it applies.
func DibaoChangeDate() time.Time { return policyDate(2027, 1, 1) }

// PolicyParams returns the demo district's dated parameters. Every value is
// a DEMONSTRATION value, in the range of a large western Chinese city
// (e.g. 西安) around 2024–2026, not a published standard: 低保 ¥790 from
// mid-2024, ¥820 from mid-2025 and ¥870 from 2027; the 特困 standard at 1.3×
// the 低保 standard, as many provinces set it.
func PolicyParams() domain.ParamSet {
	set, err := domain.NewParamSet(
		domain.Parameter{Name: ParamDibao, LabelZh: "低保标准", LabelEn: "低保 standard", Demo: true,
			Values: []domain.ParamValue{
				{From: policyDate(2024, 7, 1), Value: domain.Yuan(790)},
				{From: policyDate(2025, 7, 1), Value: domain.Yuan(820)},
				{From: DibaoChangeDate(), Value: domain.Yuan(870)},
			}},
		domain.Parameter{Name: ParamTekun, LabelZh: "特困人员基本生活标准", LabelEn: "特困 basic living standard", Demo: true,
			Values: []domain.ParamValue{
				{From: policyDate(2024, 7, 1), Value: domain.Yuan(1027)},
				{From: policyDate(2025, 7, 1), Value: domain.Yuan(1066)},
				{From: DibaoChangeDate(), Value: domain.Yuan(1131)},
			}},
		domain.Parameter{Name: ParamMinWage, LabelZh: "最低工资标准", LabelEn: "minimum wage", Demo: true,
			Values: []domain.ParamValue{{From: policyDate(2023, 5, 1), Value: domain.Yuan(2160)}}},
		domain.Parameter{Name: ParamDisposableIncome, LabelZh: "上年度居民人均可支配收入（月）", LabelEn: "average disposable income per month", Demo: true,
			Values: []domain.ParamValue{
				{From: policyDate(2025, 1, 1), Value: domain.Yuan(4100)},
				{From: policyDate(2026, 1, 1), Value: domain.Yuan(4300)},
			}},
		domain.Parameter{Name: ParamMonitoringLine, LabelZh: "防止返贫监测线", LabelEn: "poverty-relapse monitoring line", Demo: true,
			Values: []domain.ParamValue{{From: policyDate(2025, 1, 1), Value: domain.Yuan(650)}}},
	)
	if err != nil {
		panic("seed: policy parameters: " + err.Error()) // a bug in this file, caught by its test
	}
	return set
}

// Policies returns the demo policy catalogue: about 60 policies of 15
// departments, modelled on real Chinese assistance (特困供养, 低保, 低保边缘
// and 刚性支出 special assistance, 临时救助, 医疗救助, 残疾人两项补贴, 高龄津贴,
// 教育资助, 住房救助, 就业援助, 法律援助, 困难职工帮扶, …). Amounts, factors and
// margins are DEMONSTRATION values (every policy has Demo set); legal
// references cite the national rule a district's own rule rests on. Each
// call builds fresh values.
func Policies() []domain.Policy {
	var out []domain.Policy
	for _, group := range [][]domain.Policy{civilAffairsPolicies(), medicalPolicies(), employmentPolicies(),
		educationPolicies(), housingPolicies(), disabilityPolicies(), healthPolicies(), unionPolicies(),
		massOrganisationPolicies(), otherPolicies()} {
		out = append(out, group...)
	}
	return out
}

// chinaDate is midnight of a date in China (UTC+8), when standards change.
func policyDate(y, m, d int) time.Time {
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
}

// Builders keep the catalogue readable: one line per criterion.

func pol(id string, dept domain.Department, zh, en string, b domain.Benefit, ref string, cs ...domain.Criterion) domain.Policy {
	return domain.Policy{ID: id, Department: dept, NameZh: zh, NameEn: en, Benefit: b, LegalRef: ref,
		Match: domain.MatchAll, Criteria: cs, Demo: true}
}

// conferring marks the status a policy grants.
func polConferring(p domain.Policy, k domain.AssistanceKind) domain.Policy {
	p.Confers = k
	return p
}

func polBenefit(kind domain.BenefitKind, yuan int64, period domain.BenefitPeriod, desc string) domain.Benefit {
	return domain.Benefit{Kind: kind, ValueFen: domain.Yuan(yuan), Period: period, DescriptionZh: desc}
}

func polParamBenefit(kind domain.BenefitKind, param string, period domain.BenefitPeriod, desc string) domain.Benefit {
	return domain.Benefit{Kind: kind, ValueParam: param, Period: period, DescriptionZh: desc}
}

// crIncome: per-capita monthly income ≤ factor × the 低保 standard, near up
// to nearFactor × it.
func crIncome(factor, nearFactor float64) domain.Criterion {
	return crIncomeOf(ParamDibao, factor, nearFactor)
}

func crIncomeOf(param string, factor, nearFactor float64) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionIncome, Param: param, Factor: factor, NearFactor: nearFactor}
}

// crAssets: per-capita assets ≤ months × the monthly 低保 standard.
func crAssets(months, nearMonths float64) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionAssets, Param: ParamDibao, Factor: months, NearFactor: nearMonths, PerCapita: true}
}

func crStatus(kinds ...domain.AssistanceKind) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionStatus, Statuses: kinds}
}

func crNotStatus(kinds ...domain.AssistanceKind) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionStatus, Statuses: kinds, Exclude: true}
}

// crAge: a member aged minAge or more (near from minAge − near).
func crAge(minAge, near int) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionAge, MinAge: minAge, NearYears: near}
}

// crAges: a member aged minAge..maxAge.
func crAges(minAge, maxAge, near int) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionAge, MinAge: minAge, MaxAge: maxAge, NearYears: near}
}

// crAlone: a member aged minAge or more, living alone.
func crAlone(minAge, near int) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionAge, MinAge: minAge, NearYears: near, LivingAlone: true}
}

// crDisabled: a member with a certified disability of grade ≤ grade.
func crDisabled(grade, nearGrade int, types ...domain.DisabilityType) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionDisability, Grade: grade, NearGrade: nearGrade, DisabilityTypes: types}
}

// crWork: members aged 16+ (some or every) have one of the work abilities.
func crWork(q domain.Quantifier, abilities ...domain.WorkAbility) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionWorkAbility, Members: q, WorkAbilities: abilities, MinAge: 16}
}

// crJobless: a member aged minAge..maxAge out of work who can work.
func crJobless(minAge, maxAge int, es ...domain.Employment) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionEmployment, Members: domain.SomeMember, Employments: es,
		WorkAbilities: []domain.WorkAbility{domain.WorkAbilityFull, domain.WorkAbilityPartial}, MinAge: minAge, MaxAge: maxAge}
}

// crWorking: a member who is employed or works flexibly (or, with retired,
// is a retired worker).
func crWorking(es ...domain.Employment) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionEmployment, Members: domain.SomeMember, Employments: es}
}

// crStudent: a member in school aged minAge..maxAge.
func crStudent(minAge, maxAge int) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionEmployment, Members: domain.SomeMember,
		Employments: []domain.Employment{domain.EmploymentStudent}, MinAge: minAge, MaxAge: maxAge}
}

func crIll() domain.Criterion { return domain.Criterion{Kind: domain.CriterionIllness} }

func crNoSupporter() domain.Criterion { return domain.Criterion{Kind: domain.CriterionNoSupporter} }

// crMedical: out-of-pocket medical costs of 12 months ≥ yuan (near from nearYuan).
func crMedical(yuan, nearYuan int64) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionMedical, LimitFen: domain.Yuan(yuan), NearLimitFen: domain.Yuan(nearYuan)}
}

// crMedicalShare: out-of-pocket medical costs ≥ share of yearly income.
func crMedicalShare(share, nearShare float64) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionMedical, IncomeShare: share, NearIncomeShare: nearShare}
}

func crPlace(codes ...string) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionPlace, Places: codes}
}

func crAny(cs ...domain.Criterion) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionAny, Criteria: cs}
}

func crAll(cs ...domain.Criterion) domain.Criterion {
	return domain.Criterion{Kind: domain.CriterionAll, Criteria: cs}
}
