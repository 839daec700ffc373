package matching

import (
	"strconv"
	"strings"
	"time"

	"lianzhu/domain"
)

// Texts of warnings and fact updates, in Chinese for coordinators and in
// English. Dates are shown as the day in China.

// dayText is the day of t in China (UTC+8, no daylight saving).
func dayText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Add(8 * time.Hour).Format(time.DateOnly)
}

// texts is what one evaluation's texts look up: a department's name is
// built once per evaluation, not once per line of text.
type texts struct {
	depts map[domain.Department]string
}

func (tx *texts) dept(d domain.Department) string {
	name, ok := tx.depts[d]
	if !ok {
		if tx.depts == nil {
			tx.depts = map[domain.Department]string{}
		}
		name = d.NameZh()
		tx.depts[d] = name
	}
	return name
}

// requirementText describes what a plain criterion requires, with its
// threshold resolved on the evaluation date.
func (e *policyEval) requirementText(c domain.Criterion) (zh, en string) {
	agesZh, agesEn := polAgeRangeText(c.MinAge, c.MaxAge)
	switch c.Kind {
	case domain.CriterionIncome:
		lim, _ := e.limitOf(c, "", c.LimitFen, c.Factor, 0)
		lz, le := e.limitText(lim, false)
		return "家庭人均月收入不高于" + lz, "per-capita income at most " + le
	case domain.CriterionAssets:
		lim, _ := e.limitOf(c, "", c.LimitFen, c.Factor, 0)
		lz, le := e.limitText(lim, false)
		if c.PerCapita {
			return "家庭人均财产不高于" + lz, "per-capita assets at most " + le
		}
		return "家庭财产不高于" + lz, "assets at most " + le
	case domain.CriterionMedical:
		lim, _ := e.limitOf(c, "", c.LimitFen, c.Factor, c.IncomeShare)
		lz, le := e.limitText(lim, true)
		return "近12个月自付医疗费用不低于" + lz, "out-of-pocket medical costs (12 months) at least " + le
	case domain.CriterionWorkAbility, domain.CriterionEmployment, domain.CriterionIllness:
		rz, rn := polRequirementText(c)
		if c.Members == domain.EveryMember {
			return agesZh + "成员均" + rz, "every member" + agesEn + " with " + rn
		}
		return "有" + agesZh + "成员" + rz, "a member" + agesEn + " with " + rn
	case domain.CriterionDisability:
		g := strconv.Itoa(c.Grade)
		typesZh, typesEn := "", ""
		if len(c.DisabilityTypes) > 0 {
			typesZh, typesEn = polLabelsZh(c.DisabilityTypes, polDisabilityTypeZh)+"类", " ("+polLabelsEn(c.DisabilityTypes)+")"
		}
		return "有" + agesZh + "成员持" + g + "级及以上" + typesZh + "残疾证", "a member" + agesEn + " with a certified disability" + typesEn + " of grade ≤ " + g
	case domain.CriterionAge:
		switch {
		case !c.LivingAlone:
			return "有" + agesZh + "成员", "a member" + agesEn
		case c.MinAge == 0 && c.MaxAge == 0:
			return "独居", "living alone"
		}
		return "有" + agesZh + "成员且独居", "a member" + agesEn + " living alone"
	case domain.CriterionNoSupporter:
		return "没有有履行能力的赡养（抚养、扶养）义务人", "no obliged supporter able to support the household"
	case domain.CriterionStatus:
		if c.Exclude {
			return "未认定为" + polAssistanceListZh(c.Statuses), "holds none of " + polAssistanceListEn(c.Statuses)
		}
		return "已认定为" + polAssistanceListZh(c.Statuses) + "之一", "holds one of " + polAssistanceListEn(c.Statuses)
	case domain.CriterionPlace:
		return "住址在规定区域内", "lives within the places named"
	}
	return string(c.Kind), string(c.Kind)
}

// traced lists the facts read, each with its source and date.
func (tx *texts) traced(trace []TracedFact, h *domain.Household) (zh, en string) {
	zhs, ens := make([]string, 0, len(trace)), make([]string, 0, len(trace))
	for _, t := range trace {
		labelZh, labelEn := factLabel(t.Fact)
		whoZh, whoEn := "", ""
		if m, ok := h.Member(t.MemberID); ok && t.MemberID != "" {
			whoZh, whoEn = m.Name+"的", " of "+m.Name
		}
		when := dayText(t.Date)
		zhs = append(zhs, whoZh+labelZh+valueZh(t.Fact, t.Value)+"（"+strings.TrimSuffix(tx.source(t.Source)+"，"+when, "，")+"）")
		ens = append(ens, labelEn+whoEn+" "+t.Value+" ("+strings.TrimSuffix(t.Source+", "+when, ", ")+")")
	}
	return strings.Join(zhs, "；"), strings.Join(ens, "; ")
}

func factLabel(f PolicyFact) (zh, en string) {
	switch f {
	case FactDisability:
		return "残疾情况", "disability"
	case FactAge:
		return "年龄", "age"
	case FactMembers:
		return "家庭人口", "members"
	case FactAssistance:
		return "救助认定", "assistance status"
	case FactPlace:
		return "住址区划", "place"
	}
	return polFactLabel(f)
}

// valueZh writes a traced value in Chinese where it is a code.
func valueZh(f PolicyFact, v string) string {
	switch f {
	case FactEmployment:
		return polEmploymentZh(domain.Employment(v))
	case FactWorkAbility:
		return polWorkAbilityZh(domain.WorkAbility(v))
	case FactSeriousIllness, FactLivingAlone:
		switch v {
		case "true":
			return "是"
		case "false":
			return "否"
		}
	case FactDisability:
		if typ, grade, ok := strings.Cut(v, " grade "); ok {
			return polDisabilityTypeZh(domain.DisabilityType(typ)) + "残疾" + grade + "级"
		}
	case FactAssistance:
		if v == "none" {
			return "无"
		}
		return polAssistanceZh(domain.AssistanceKind(v))
	case FactMembers:
		return v + "人"
	}
	return v
}

// source names where a fact came from.
func (tx *texts) source(src string) string {
	switch src {
	case string(domain.SourceSelfReported):
		return "本人申报"
	case string(domain.SourceHomeVisit):
		return "入户调查"
	case string(domain.SourceEconomicCheck):
		return "经济状况核对"
	case SourceHouseholdFile:
		return "家庭档案"
	case SourceOfficialDecision:
		return "认定决定"
	}
	if d, ok := domain.FactSource(src).Department(); ok {
		return tx.dept(d) + "数据"
	}
	return src
}

func statusZh(s PolicyStatus) string {
	switch s {
	case PolicyEligible:
		return "疑似符合"
	case PolicyNear:
		return "接近"
	case PolicyIneligible:
		return "不符合"
	case PolicyUnknown:
		return "待核实"
	}
	return string(s)
}

func gapTexts(gaps []PolicyGap) (zh, en string) {
	zhs, ens := make([]string, len(gaps)), make([]string, len(gaps))
	for i, g := range gaps {
		zhs[i], ens[i] = g.TextZh, g.TextEn
	}
	return strings.Join(zhs, "；"), strings.Join(ens, "; ")
}

// signal describes a signal: kind, amount, person, department, date.
func (tx *texts) signal(h *domain.Household, s domain.Signal) (zh, en string) {
	spec, _ := s.Kind.Spec()
	zh, en = spec.NameZh, spec.NameEn
	if s.AmountFen > 0 {
		zh += "，" + spec.AmountZh + s.AmountFen.String()
		en += " " + s.AmountFen.String()
	}
	if d := s.Disability; d != nil {
		zh += "，" + valueZh(FactDisability, disabilityValue(*d))
		en += ", " + disabilityValue(*d)
	}
	if i := signalMember(h, s); i >= 0 {
		zh += "，成员" + h.Members[i].Name
		en += ", member " + h.Members[i].Name
	}
	day := dayText(s.Date)
	return zh + "（" + tx.dept(s.SourceDepartment) + "，" + day + "）", en + " (" + string(s.SourceDepartment) + ", " + day + ")"
}
