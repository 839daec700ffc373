package domain

import (
	"slices"
	"strings"
)

// Department is the government department or mass organisation that runs a
// policy. A district merges the policies of many of them into one catalogue
// (a pilot merged 17 departments' 53 policies).
type Department string

// Departments, in the order a district catalogue lists them.
const (
	DeptCivilAffairs        Department = "civil_affairs"        // 民政
	DeptMedicalSecurity     Department = "medical_security"     // 医保
	DeptHumanResources      Department = "human_resources"      // 人社
	DeptEducation           Department = "education"            // 教育
	DeptHousing             Department = "housing"              // 住建
	DeptDisabledFederation  Department = "disabled_federation"  // 残联
	DeptHealth              Department = "health"               // 卫健
	DeptTradeUnion          Department = "trade_union"          // 总工会
	DeptWomensFederation    Department = "womens_federation"    // 妇联
	DeptYouthLeague         Department = "youth_league"         // 团区委
	DeptJustice             Department = "justice"              // 司法
	DeptVeteransAffairs     Department = "veterans_affairs"     // 退役军人事务
	DeptRuralRevitalization Department = "rural_revitalization" // 农业农村（乡村振兴）
	DeptTaxation            Department = "taxation"             // 税务
	DeptRedCross            Department = "red_cross"            // 红十字会
	DeptCharityFederation   Department = "charity_federation"   // 慈善总会
	DeptEmergency           Department = "emergency_management" // 应急管理
)

// Departments returns every department in catalogue order.
func Departments() []Department {
	return []Department{DeptCivilAffairs, DeptMedicalSecurity, DeptHumanResources, DeptEducation, DeptHousing,
		DeptDisabledFederation, DeptHealth, DeptTradeUnion, DeptWomensFederation, DeptYouthLeague, DeptJustice,
		DeptVeteransAffairs, DeptRuralRevitalization, DeptTaxation, DeptRedCross, DeptCharityFederation, DeptEmergency}
}

// Valid reports whether d is a known department.
func (d Department) Valid() bool { return slices.Contains(Departments(), d) }

// NameZh returns the department's usual short Chinese name.
func (d Department) NameZh() string {
	return map[Department]string{
		DeptCivilAffairs: "民政", DeptMedicalSecurity: "医保", DeptHumanResources: "人社", DeptEducation: "教育",
		DeptHousing: "住建", DeptDisabledFederation: "残联", DeptHealth: "卫健", DeptTradeUnion: "总工会",
		DeptWomensFederation: "妇联", DeptYouthLeague: "团区委", DeptJustice: "司法", DeptVeteransAffairs: "退役军人事务",
		DeptRuralRevitalization: "乡村振兴", DeptTaxation: "税务", DeptRedCross: "红十字会", DeptCharityFederation: "慈善总会",
		DeptEmergency: "应急管理",
	}[d]
}

// BenefitKind is what a policy gives.
type BenefitKind string

// Benefit kinds.
const (
	BenefitCash      BenefitKind = "cash"      // 现金：按月或一次性发放
	BenefitService   BenefitKind = "service"   // 服务：照护、康复、培训、法律援助
	BenefitInKind    BenefitKind = "in_kind"   // 实物：辅具、慰问品、住房
	BenefitSubsidy   BenefitKind = "subsidy"   // 补贴：代缴、资助、补助（专款专用）
	BenefitReduction BenefitKind = "reduction" // 减免：费用减免、税收扣除
)

// Valid reports whether k is a known benefit kind.
func (k BenefitKind) Valid() bool {
	return slices.Contains([]BenefitKind{BenefitCash, BenefitService, BenefitInKind, BenefitSubsidy, BenefitReduction}, k)
}

// BenefitPeriod is how often a benefit's value is given.
type BenefitPeriod string

// Benefit periods.
const (
	PeriodOnce    BenefitPeriod = "once"
	PeriodMonthly BenefitPeriod = "monthly"
	PeriodYearly  BenefitPeriod = "yearly"
)

// Valid reports whether p is a known period.
func (p BenefitPeriod) Valid() bool {
	return p == PeriodOnce || p == PeriodMonthly || p == PeriodYearly
}

// Benefit is what a household gets from a policy. Its value is a fixed
// amount, a dated parameter (特困 support follows the 特困 standard), or
// nothing when it has no yuan value (legal aid, a place in public housing).
type Benefit struct {
	Kind BenefitKind `json:"kind"`
	// ValueFen is the amount per Period; 0 when the benefit has no fixed value.
	ValueFen Fen `json:"value_fen,omitempty"`
	// ValueParam names a parameter whose value in force is the amount.
	ValueParam string `json:"value_param,omitempty"`
	// Period is required when the benefit has a value.
	Period        BenefitPeriod `json:"period,omitempty"`
	DescriptionZh string        `json:"description_zh"`
}

// Policy is one assistance policy of the district catalogue. Eligibility is
// data: typed criteria over household facts, combined by Match; nothing is
// ever evaluated from a string.
type Policy struct {
	// ID is a stable code such as "mz-dibao"; proposals and logs refer to it.
	ID         string     `json:"id"`
	Department Department `json:"department"`
	NameZh     string     `json:"name_zh"`
	NameEn     string     `json:"name_en,omitempty"`
	Benefit    Benefit    `json:"benefit"`
	// LegalRef cites the regulation the policy rests on.
	LegalRef string `json:"legal_ref"`
	// Confers is the official status the policy grants, when it grants one
	// (the 低保 policy grants AssistDibao): a household holding it already
	// receives the policy.
	Confers AssistanceKind `json:"confers,omitempty"`
	// Match combines the top-level criteria: all must hold, or any one.
	Match    Combinator  `json:"match"`
	Criteria []Criterion `json:"criteria"`
	// Demo marks demonstration data that no real district has published.
	Demo bool `json:"demo,omitempty"`
}

// Validate checks the policy when it is saved. Parameters named by criteria
// and the benefit must exist in params; thresholds must be possible (a
// factor > 0, a near margin on the lenient side of its threshold, a
// disability grade 1–4, ages 0–120, at most two levels of nested groups).
// Field paths follow the JSON names, e.g. "criteria[2].factor".
func (p Policy) Validate(params ParamSet) error {
	var pr Problems
	checkText(&pr, "id", p.ID, true, 40, "政策编号")
	if p.ID != "" && !isPolicyCode(p.ID) {
		pr.Add("id", "format", "政策编号只能包含小写字母、数字和连字符")
	}
	if !p.Department.Valid() {
		pr.Add("department", "enum", "主管部门无效")
	}
	checkText(&pr, "name_zh", p.NameZh, true, 60, "政策名称")
	checkText(&pr, "name_en", p.NameEn, false, 120, "英文名称")
	checkText(&pr, "legal_ref", p.LegalRef, true, 300, "政策依据")
	p.Benefit.check(&pr, params)
	if p.Confers != "" && !p.Confers.Valid() {
		pr.Add("confers", "enum", "认定的救助类别无效")
	}
	if !p.Match.Valid() {
		pr.Add("match", "enum", "条件组合方式须为 all 或 any")
	}
	if len(p.Criteria) == 0 {
		pr.Add("criteria", "required", "政策须至少有一项资格条件")
	}
	if len(p.Criteria) > 30 {
		pr.Add("criteria", "range", "资格条件不能超过30项")
	}
	for i, c := range p.Criteria {
		c.check(&pr, fieldIndex("criteria", i), params, 1)
	}
	return pr.Err()
}

func (b Benefit) check(p *Problems, params ParamSet) {
	if !b.Kind.Valid() {
		p.Add("benefit.kind", "enum", "待遇类型须为 cash、service、in_kind、subsidy 或 reduction")
	}
	if b.ValueFen < 0 {
		p.Add("benefit.value_fen", "range", "待遇金额不能为负数")
	}
	if b.ValueFen > 0 && b.ValueParam != "" {
		p.Add("benefit.value_param", "conflict", "待遇金额与待遇参数只能填一项")
	}
	if b.ValueParam != "" && !params.Has(b.ValueParam) {
		p.Addf("benefit.value_param", "exists", "参数 %q 不存在", b.ValueParam)
	}
	hasValue := b.ValueFen > 0 || b.ValueParam != ""
	switch {
	case b.Period != "" && !b.Period.Valid():
		p.Add("benefit.period", "enum", "发放周期须为 once、monthly 或 yearly")
	case hasValue && b.Period == "":
		p.Add("benefit.period", "required", "有金额的待遇须注明发放周期")
	}
	if b.Kind == BenefitCash && !hasValue {
		p.Add("benefit.value_fen", "required", "现金待遇须注明金额或参数")
	}
	checkText(p, "benefit.description_zh", b.DescriptionZh, true, 200, "待遇说明")
}

// ReceivedBy reports whether the household already receives the policy, as
// far as the file shows: it holds the status the policy confers. A policy
// that confers no status is never known to be received.
func (p Policy) ReceivedBy(h *Household) bool { return p.Confers != "" && h.Has(p.Confers) }

// ParamNames returns the parameters the policy refers to (criteria and
// benefit), sorted and without repeats: a change to any other parameter
// cannot change its evaluation.
func (p Policy) ParamNames() []string {
	var names []string
	if p.Benefit.ValueParam != "" {
		names = append(names, p.Benefit.ValueParam)
	}
	var walk func(cs []Criterion)
	walk = func(cs []Criterion) {
		for _, c := range cs {
			if c.Param != "" {
				names = append(names, c.Param)
			}
			walk(c.Criteria)
		}
	}
	walk(p.Criteria)
	slices.Sort(names)
	return slices.Compact(names)
}

// UsesParam reports whether the policy's eligibility or benefit refers to the
// parameter.
func (p Policy) UsesParam(name string) bool { return slices.Contains(p.ParamNames(), name) }

// ValidatePolicies checks a whole catalogue: every policy, and IDs unique.
// Field paths are prefixed "policies[i]".
func ValidatePolicies(policies []Policy, params ParamSet) error {
	var p Problems
	seen := map[string]bool{}
	for i, pol := range policies {
		f := fieldIndex("policies", i)
		p.Merge(f, pol.Validate(params))
		if seen[pol.ID] {
			p.Addf(f+".id", "unique", "政策编号 %q 重复", pol.ID)
		}
		seen[pol.ID] = true
	}
	return p.Err()
}

func isPolicyCode(s string) bool {
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == "" && !strings.HasPrefix(s, "-")
}
