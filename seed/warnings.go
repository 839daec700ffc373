package seed

import "lianzhu/domain"

// SeedWarningRules returns the demo district's warning rules: what turns a
// data signal into a home visit. They follow the pilots' practice of
// "policy finds the person" (政策找人): out-of-pocket medical costs against
// income or a fixed mark, an earner's job loss in a household already at a
// threshold, a new disability of someone living alone, the death of an
// earner with dependants, arrears of an old person alone. Thresholds are
// DEMONSTRATION values (every rule has Demo set), chosen to agree with the
// demo policy catalogue (the ¥20,000 mark is the 刚性支出 one). Each call
// builds fresh values.
func SeedWarningRules() []domain.WarningRule {
	const (
		red, orange, yellow = domain.SeverityRed, domain.SeverityOrange, domain.SeverityYellow
		bill, illness, job  = domain.SignalLargeMedicalBill, domain.SignalSeriousIllness, domain.SignalJobLoss
		disability, death   = domain.SignalNewDisability, domain.SignalEarnerDeath
		arrears, fees       = domain.SignalUtilityArrears, domain.SignalSchoolFeeHardship
	)
	earner := wcPerson(16, 59, domain.EmploymentEmployed, domain.EmploymentFlexible)
	// A function, so that no two rules share a criterion.
	lowIncome := func() domain.WarningCondition { return wcHousehold(crIncome(2.0, 0)) }
	return []domain.WarningRule{
		warnRule("wr-medical-share", "自付医疗费用达年收入一半", red,
			"近12个月自付医疗费用已达家庭年收入的一半，因病致贫风险高：尽快入户，协助申请医疗救助、临时救助和刚性支出困难家庭认定。",
			// 特困 and 低保 are covered by medical assistance at settlement already.
			[]domain.SignalKind{bill}, wcHousehold(crMedicalShare(0.5, 0)), wcHousehold(crNotStatus(pTekun, pDibao))),
		warnRule("wr-medical-amount", "自付医疗费用超过2万元", orange,
			"近12个月自付医疗费用达到刚性支出困难家庭的门槛（2万元）：入户了解治疗和照护情况，协助申请专项救助。",
			[]domain.SignalKind{bill}, wcHousehold(crMedical(20000, 0))),
		warnRule("wr-signal-new-lead", "信号后新符合救助政策", orange,
			"数据信号使家庭跨过了救助政策的门槛，疑似符合新的政策：入户核实后协助申请。",
			[]domain.SignalKind{bill, illness, disability},
			wcPolicies(domain.CondNewlyEligible, "mz-rigid-expense", "mz-temporary-expense", "yb-tilted", "mz-disability-care", "cs-medical")),
		warnRule("wr-illness-low-income", "低收入家庭成员确诊重病", orange,
			"低收入家庭成员确诊重特大疾病，医疗支出将持续增加：入户了解治疗安排和家庭照护能力。",
			[]domain.SignalKind{illness}, lowIncome()),
		warnRule("wr-job-loss-near", "临界家庭劳动力失业", orange,
			"家庭收入本已接近低保或低保边缘标准，劳动力失业后很可能跌入救助范围：入户核实收入，推荐就业。",
			[]domain.SignalKind{job}, earner, wcPolicies(domain.CondNearPolicy, "mz-dibao", "mz-dibao-edge", "xc-relapse-monitoring")),
		warnRule("wr-income-new-lead", "收入骤减后疑似符合低保", red,
			"失业或劳动力死亡使家庭人均收入降到低保或低保边缘标准以下：3日内入户，协助申请。",
			[]domain.SignalKind{job, death}, wcPolicies(domain.CondNewlyEligible, "mz-tekun", "mz-dibao", "mz-dibao-edge")),
		warnRule("wr-disability-alone", "独居人员新增残疾", red,
			"独居人员新办残疾证，日常生活可能无人照应：尽快入户评估照护、康复和居家安全需求。",
			[]domain.SignalKind{disability}, wcHousehold(domain.Criterion{Kind: domain.CriterionAge, LivingAlone: true})),
		warnRule("wr-disability-severe", "新增重度残疾", orange,
			"家庭成员新办一、二级残疾证：入户评估护理补贴、康复、辅具和家属照护负担。",
			[]domain.SignalKind{disability}, wcHousehold(crDisabled(2, 0))),
		warnRule("wr-earner-death-dependants", "劳动力死亡且有被抚养人", red,
			"家庭主要劳动力去世，留下未成年人、老人或重度残疾人：3日内入户慰问，协助申请临时救助。",
			[]domain.SignalKind{death}, wcHousehold(crAny(crAges(0, 17, 0), crAge(60, 0), crDisabled(2, 0)))),
		warnRule("wr-earner-death", "家庭主要劳动力死亡", orange,
			"家庭主要劳动力去世，收入和照料都可能中断：入户慰问，了解家庭生活来源。",
			[]domain.SignalKind{death}),
		warnRule("wr-arrears-elderly-alone", "独居老人水电气欠费", orange,
			"独居老人欠缴水电气费，可能已停水停电停气：尽快上门查看，链接缴费帮扶。",
			[]domain.SignalKind{arrears}, wcHousehold(crAlone(60, 0))),
		warnRule("wr-arrears-low-income", "低收入家庭大额欠费", yellow,
			"低收入家庭水电气欠费超过1000元：入户了解收支情况，必要时申请临时救助。",
			[]domain.SignalKind{arrears}, wcAmount(1000), lowIncome()),
		warnRule("wr-school-fees", "低收入家庭学费困难", yellow,
			"低收入家庭学生缴费困难：协助申请教育资助和助学金，避免因贫辍学。",
			[]domain.SignalKind{fees}, lowIncome()),
	}
}

// Builders keep the rules one entry each.

func warnRule(id, name string, sev domain.Severity, explanation string, triggers []domain.SignalKind, cs ...domain.WarningCondition) domain.WarningRule {
	return domain.WarningRule{ID: id, NameZh: name, Severity: sev, ExplanationZh: explanation, Triggers: triggers,
		Match: domain.MatchAll, Conditions: cs, Demo: true}
}

func wcHousehold(c domain.Criterion) domain.WarningCondition {
	return domain.WarningCondition{Kind: domain.CondHousehold, Criterion: &c}
}

func wcPerson(minAge, maxAge int, es ...domain.Employment) domain.WarningCondition {
	return domain.WarningCondition{Kind: domain.CondSignalPerson, Employments: es, MinAge: minAge, MaxAge: maxAge}
}

func wcPolicies(kind domain.WarningConditionKind, ids ...string) domain.WarningCondition {
	return domain.WarningCondition{Kind: kind, Policies: ids}
}

func wcAmount(yuan int64) domain.WarningCondition {
	return domain.WarningCondition{Kind: domain.CondSignalAmount, LimitFen: domain.Yuan(yuan)}
}
