package matching

import (
	"strconv"
	"strings"

	"lianzhu/domain"
)

// Gap and missing-fact texts, in Chinese for coordinators and in English.
// Money is always formatted by domain.Fen.String.

// moneyGapText describes a money gap: above an upper limit or below a
// lower one.
func (e *policyEval) moneyGapText(fact PolicyFact, value, gap domain.Fen, lim polLimit, above bool) (zh, en string) {
	subjZh, subjEn, perEn := "家庭财产", "assets", ""
	switch fact {
	case FactPerCapitaIncome:
		subjZh, subjEn, perEn = "家庭人均月收入", "per-capita income", "/month"
	case FactPerCapitaAssets:
		subjZh, subjEn = "家庭人均财产", "per-capita assets"
	case FactMedicalCosts:
		subjZh, subjEn = "近12个月自付医疗费用", "out-of-pocket medical costs (12 months)"
	}
	limZh, limEn := e.limitText(lim, fact == FactMedicalCosts)
	if above {
		zh = subjZh + value.String() + "，超出" + limZh + gap.String()
		en = subjEn + " " + gap.String() + perEn + " above " + limEn + " (" + subjEn + " " + value.String() + perEn + ")"
		return zh, en
	}
	zh = subjZh + value.String() + "，距" + limZh + "还差" + gap.String()
	en = subjEn + " " + gap.String() + " below " + limEn + " (paid " + value.String() + ")"
	return zh, en
}

// limitText describes a threshold: "1.5倍低保标准（¥820.00，即¥1,230.00）" /
// "1.5 × 低保 standard ¥820.00 = ¥1,230.00".
func (e *policyEval) limitText(lim polLimit, lower bool) (zh, en string) {
	switch {
	case lim.share != 0:
		pct := polFactor(lim.share*100, false) + "%"
		return "年收入（" + lim.base.String() + "）的" + pct + "（即" + lim.fen.String() + "）",
			pct + " of yearly income " + lim.base.String() + " = " + lim.fen.String()
	case lim.param == "":
		if lower {
			return "门槛" + lim.fen.String(), "the threshold " + lim.fen.String()
		}
		return "限额" + lim.fen.String(), "the limit " + lim.fen.String()
	}
	labelZh, labelEn := lim.param, lim.param
	if p, ok := e.params.Get(lim.param); ok {
		labelZh, labelEn = p.LabelZh, p.LabelEn
	}
	f := polFactor(lim.factor, true)
	zh = f + "倍" + labelZh + "（" + lim.base.String()
	en = f + " × " + labelEn + " " + lim.base.String()
	if lim.fen != lim.base {
		zh += "，即" + lim.fen.String()
		en += " = " + lim.fen.String()
	}
	return zh + "）", en
}

// polFactor writes 1 as "1.0" when oneDecimal (a factor reads better so),
// otherwise with as few digits as needed.
func polFactor(f float64, oneDecimal bool) string {
	if oneDecimal && f == float64(int64(f)) {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// memberGapText describes a failed member criterion: the member who breaks
// an "every" rule (with what was recorded), or that no member meets a
// "some" rule.
func (e *policyEval) memberGapText(c domain.Criterion, violator *domain.Member) (zh, en string) {
	reqZh, reqEn := polRequirementText(c)
	agesZh, agesEn := polAgeRangeText(c.MinAge, c.MaxAge)
	if violator == nil {
		return "没有" + agesZh + "成员" + reqZh, "no member" + agesEn + " with " + reqEn
	}
	zh, en = "成员"+violator.Name+"不符合：须"+reqZh, "member "+violator.Name+" does not meet: "+reqEn
	if w := violator.WorkAbility; w != nil && c.Kind == domain.CriterionWorkAbility {
		zh += "（现为“" + polWorkAbilityZh(w.Value) + "”）"
		en += " (recorded: " + string(w.Value) + ")"
	}
	return zh, en
}

func polRequirementText(c domain.Criterion) (zh, en string) {
	switch c.Kind {
	case domain.CriterionIllness:
		return "患有重大疾病", "a serious illness"
	case domain.CriterionEmployment:
		zh, en = "就业状况为"+polLabelsZh(c.Employments, polEmploymentZh), "employment "+polLabelsEn(c.Employments)
		if len(c.WorkAbilities) > 0 {
			zh += "且劳动能力为" + polLabelsZh(c.WorkAbilities, polWorkAbilityZh)
			en += " and work ability " + polLabelsEn(c.WorkAbilities)
		}
		return zh, en
	}
	return "劳动能力为" + polLabelsZh(c.WorkAbilities, polWorkAbilityZh), "work ability " + polLabelsEn(c.WorkAbilities)
}

// polAgeRangeText writes age bounds: "60岁以上" / " aged 60+", "6–18岁" / " aged 6–18".
func polAgeRangeText(minAge, maxAge int) (zh, en string) {
	lo, hi := strconv.Itoa(minAge), strconv.Itoa(maxAge)
	switch {
	case minAge > 0 && maxAge > 0:
		return lo + "–" + hi + "岁", " aged " + lo + "–" + hi
	case minAge > 0:
		return lo + "岁以上", " aged " + lo + "+"
	case maxAge > 0:
		return hi + "岁以下", " aged up to " + hi
	}
	return "", ""
}

func (e *policyEval) disabilityGapText(c domain.Criterion, best int) (zh, en string) {
	g := strconv.Itoa(c.Grade)
	typesZh, typesEn := "", ""
	if len(c.DisabilityTypes) > 0 {
		typesZh, typesEn = polLabelsZh(c.DisabilityTypes, polDisabilityTypeZh)+"类", " ("+polLabelsEn(c.DisabilityTypes)+")"
	}
	agesZh, agesEn := polAgeRangeText(c.MinAge, c.MaxAge)
	if best == 0 {
		return "没有" + agesZh + "持证" + typesZh + "残疾成员（须" + g + "级及以上）",
			"no member" + agesEn + " with a certified disability" + typesEn + " of grade ≤ " + g
	}
	b, d := strconv.Itoa(best), strconv.Itoa(best-c.Grade)
	return "成员中最重的" + typesZh + "残疾等级为" + b + "级，须" + g + "级及以上（差" + d + "级）",
		"most severe disability" + typesEn + " is grade " + b + ", " + d + " grade(s) short of grade ≤ " + g
}

func polAgeGapText(c domain.Criterion, age, bound, gap int) (zh, en string) {
	a, b, g := strconv.Itoa(age), strconv.Itoa(bound), strconv.Itoa(gap)
	if age < bound {
		return "最接近条件的成员" + a + "岁，距" + b + "岁还差" + g + "年",
			"closest member is " + a + ", " + g + " year(s) short of " + b
	}
	return "最接近条件的成员" + a + "岁，超过" + b + "岁上限" + g + "年",
		"closest member is " + a + ", " + g + " year(s) over the limit of " + b
}

// polMissing says what to verify, for the household or one member.
func polMissing(path string, f PolicyFact, m domain.Member) MissingFact {
	zh, en := polFactLabel(f)
	mf := MissingFact{Criterion: path, Fact: f, MemberID: m.ID}
	if m.ID != "" {
		mf.TextZh = "成员" + m.Name + "的" + zh + "未记录，请核实"
		mf.TextEn = en + " of member " + m.Name + " not recorded: verify"
		return mf
	}
	mf.TextZh, mf.TextEn = zh+"未记录，请核实", en+" not recorded: verify"
	return mf
}

func polFactLabel(f PolicyFact) (zh, en string) {
	switch f {
	case FactMonthlyIncome:
		return "家庭月收入", "monthly income"
	case FactAssets:
		return "家庭财产", "assets"
	case FactSupporters:
		return "赡养（抚养、扶养）义务人情况", "obliged supporters"
	case FactWorkAbility:
		return "劳动能力", "work ability"
	case FactEmployment:
		return "就业状况", "employment"
	case FactBirthYear:
		return "出生年份", "birth year"
	case FactLivingAlone:
		return "是否独居", "living alone"
	case FactSeriousIllness:
		return "是否患重大疾病", "serious illness"
	case FactMedicalCosts:
		return "近12个月自付医疗费用", "out-of-pocket medical costs (12 months)"
	}
	return string(f), string(f)
}

func polSupportersText(s []domain.Supporter) string {
	able := 0
	for _, sup := range s {
		if sup.Able {
			able++
		}
	}
	var paid domain.Fen
	for _, sup := range s {
		paid += sup.MonthlySupportFen
	}
	return strconv.Itoa(len(s)) + " supporter(s), " + strconv.Itoa(able) + " able, paying " + paid.String() + "/month"
}

func polLabelsZh[T ~string](values []T, name func(T) string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = "“" + name(v) + "”"
	}
	return strings.Join(parts, "或")
}

func polLabelsEn[T ~string](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = string(v)
	}
	return strings.Join(parts, " or ")
}

func polAssistanceListZh(kinds []domain.AssistanceKind) string {
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = polAssistanceZh(k)
	}
	return strings.Join(parts, "、")
}

func polAssistanceListEn(kinds []domain.AssistanceKind) string {
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = polAssistanceZh(k) + " (" + string(k) + ")"
	}
	return strings.Join(parts, ", ")
}

// polAssistanceZh names a status; domain has no label for it yet.
func polAssistanceZh(k domain.AssistanceKind) string {
	switch k {
	case domain.AssistTekun:
		return "特困人员"
	case domain.AssistDibao:
		return "低保"
	case domain.AssistDibaoEdge:
		return "低保边缘家庭"
	case domain.AssistRigidExpense:
		return "刚性支出困难家庭"
	case domain.AssistOrphan:
		return "孤儿（事实无人抚养儿童）"
	case domain.AssistTemporary:
		return "临时救助"
	}
	return string(k)
}

func polWorkAbilityZh(w domain.WorkAbility) string {
	switch w {
	case domain.WorkAbilityFull:
		return "有劳动能力"
	case domain.WorkAbilityPartial:
		return "部分丧失劳动能力"
	case domain.WorkAbilityNone:
		return "完全丧失劳动能力"
	}
	return string(w)
}

func polEmploymentZh(em domain.Employment) string {
	switch em {
	case domain.EmploymentEmployed:
		return "在职"
	case domain.EmploymentFlexible:
		return "灵活就业"
	case domain.EmploymentUnemployed:
		return "失业"
	case domain.EmploymentRetired:
		return "退休"
	case domain.EmploymentStudent:
		return "在校学生"
	case domain.EmploymentNotWorking:
		return "无业"
	}
	return string(em)
}

func polDisabilityTypeZh(d domain.DisabilityType) string {
	switch d {
	case domain.DisabilityVisual:
		return "视力"
	case domain.DisabilityHearing:
		return "听力"
	case domain.DisabilitySpeech:
		return "言语"
	case domain.DisabilityPhysical:
		return "肢体"
	case domain.DisabilityIntellectual:
		return "智力"
	case domain.DisabilityMental:
		return "精神"
	case domain.DisabilityMultiple:
		return "多重"
	}
	return string(d)
}

func polItoa(n int64) string { return strconv.FormatInt(n, 10) }
