package domain

import "slices"

// Combinator joins criteria: all of them must hold, or any one.
type Combinator string

// Combinators.
const (
	MatchAll Combinator = "all"
	MatchAny Combinator = "any"
)

// Valid reports whether c is all or any.
func (c Combinator) Valid() bool { return c == MatchAll || c == MatchAny }

// CriterionKind says which household fact a criterion tests. Each kind uses
// its own fields of Criterion; Validate rejects fields a kind does not use.
type CriterionKind string

// Criterion kinds. Money thresholds are LimitFen or Factor × Param (a dated
// parameter such as the local 低保 standard); a near margin is the lenient
// threshold of the same form (NearLimitFen, NearFactor, NearIncomeShare,
// NearGrade, NearYears) within which a failing household counts as near.
const (
	// CriterionAll and CriterionAny group Criteria (at most two levels deep).
	CriterionAll CriterionKind = "all"
	CriterionAny CriterionKind = "any"
	// CriterionIncome: per-capita monthly income ≤ threshold.
	CriterionIncome CriterionKind = "per_capita_income"
	// CriterionAssets: assets (per capita when PerCapita) ≤ threshold.
	CriterionAssets CriterionKind = "assets"
	// CriterionWorkAbility: Members (some/every, within the optional age
	// bounds) have a work ability in WorkAbilities. "every" holds when no
	// member is within the bounds.
	CriterionWorkAbility CriterionKind = "work_ability"
	// CriterionEmployment: Members (some/every, within the optional age
	// bounds) have an employment in Employments and, when WorkAbilities is
	// set, a work ability in it too (the same member).
	CriterionEmployment CriterionKind = "employment"
	// CriterionNoSupporter: nobody obliged to support the household is able to.
	CriterionNoSupporter CriterionKind = "no_able_supporter"
	// CriterionDisability: a member (within the optional age bounds) has a
	// certified disability of grade ≤ Grade, of one of DisabilityTypes if set.
	CriterionDisability CriterionKind = "disability"
	// CriterionAge: a member is aged MinAge..MaxAge (0 = unbounded); with
	// LivingAlone, the household also lives alone.
	CriterionAge CriterionKind = "age"
	// CriterionIllness: a member (within the optional age bounds) has a
	// serious illness.
	CriterionIllness CriterionKind = "serious_illness"
	// CriterionMedical: out-of-pocket medical costs of the last 12 months ≥
	// LimitFen, Factor × Param, or IncomeShare × the household's yearly income.
	CriterionMedical CriterionKind = "medical_costs"
	// CriterionStatus: the household holds one of Statuses (none of them
	// with Exclude).
	CriterionStatus CriterionKind = "assistance_status"
	// CriterionPlace: the household lives within one of Places.
	CriterionPlace CriterionKind = "place"
)

// CriterionKinds returns every kind, groups first.
func CriterionKinds() []CriterionKind {
	return []CriterionKind{CriterionAll, CriterionAny, CriterionIncome, CriterionAssets, CriterionWorkAbility,
		CriterionEmployment, CriterionNoSupporter, CriterionDisability, CriterionAge, CriterionIllness,
		CriterionMedical, CriterionStatus, CriterionPlace}
}

// Valid reports whether k is a known kind.
func (k CriterionKind) Valid() bool { return slices.Contains(CriterionKinds(), k) }

// IsGroup reports whether k combines other criteria.
func (k CriterionKind) IsGroup() bool { return k == CriterionAll || k == CriterionAny }

// Quantifier says whether some member or every member must match.
type Quantifier string

// Quantifiers.
const (
	SomeMember  Quantifier = "some"
	EveryMember Quantifier = "every"
)

// MaxCriterionDepth is how deep groups may nest: a top-level group may hold
// another group, whose criteria must be plain.
const MaxCriterionDepth = 3

// Criterion is one typed eligibility condition over household facts. Only
// the fields of its Kind may be set (see the kind constants).
type Criterion struct {
	Kind CriterionKind `json:"kind"`
	// Criteria are the members of an all/any group.
	Criteria []Criterion `json:"criteria,omitempty"`

	// Money thresholds: LimitFen, or Factor × Param; IncomeShare for medical.
	Param        string  `json:"param,omitempty"`
	Factor       float64 `json:"factor,omitempty"`
	LimitFen     Fen     `json:"limit_fen,omitempty"`
	IncomeShare  float64 `json:"income_share,omitempty"`
	PerCapita    bool    `json:"per_capita,omitempty"`
	NearFactor   float64 `json:"near_factor,omitempty"`
	NearLimitFen Fen     `json:"near_limit_fen,omitempty"`
	// NearIncomeShare is the lower share of yearly income still counted near.
	NearIncomeShare float64 `json:"near_income_share,omitempty"`

	// Disability grade: 1 is the most severe; grade ≤ Grade matches.
	Grade           int              `json:"grade,omitempty"`
	NearGrade       int              `json:"near_grade,omitempty"`
	DisabilityTypes []DisabilityType `json:"disability_types,omitempty"`

	// Age bounds in years (0 = unbounded): the condition of an age
	// criterion, a filter on members for member criteria.
	MinAge      int  `json:"min_age,omitempty"`
	MaxAge      int  `json:"max_age,omitempty"`
	NearYears   int  `json:"near_years,omitempty"`
	LivingAlone bool `json:"living_alone,omitempty"`

	Members       Quantifier    `json:"members,omitempty"`
	WorkAbilities []WorkAbility `json:"work_abilities,omitempty"`
	Employments   []Employment  `json:"employments,omitempty"`

	Statuses []AssistanceKind `json:"statuses,omitempty"`
	Exclude  bool             `json:"exclude,omitempty"`
	Places   []string         `json:"places,omitempty"`
}

// allowedFields lists the optional fields a kind may use; check reports any
// other field that is set as "forbidden".
func allowedFields(k CriterionKind) []string {
	switch k {
	case CriterionAll, CriterionAny:
		return []string{"criteria"}
	case CriterionIncome:
		return []string{"param", "factor", "limit_fen", "near_factor", "near_limit_fen"}
	case CriterionAssets:
		return []string{"param", "factor", "limit_fen", "near_factor", "near_limit_fen", "per_capita"}
	case CriterionMedical:
		return []string{"param", "factor", "limit_fen", "near_factor", "near_limit_fen", "income_share", "near_income_share"}
	case CriterionWorkAbility:
		return []string{"members", "work_abilities", "min_age", "max_age"}
	case CriterionEmployment:
		return []string{"members", "employments", "work_abilities", "min_age", "max_age"}
	case CriterionDisability:
		return []string{"grade", "near_grade", "disability_types", "min_age", "max_age"}
	case CriterionAge:
		return []string{"min_age", "max_age", "near_years", "living_alone"}
	case CriterionIllness:
		return []string{"min_age", "max_age"}
	case CriterionStatus:
		return []string{"statuses", "exclude"}
	case CriterionPlace:
		return []string{"places"}
	}
	return nil
}

// setFields names the fields of c that hold a non-zero value.
func (c Criterion) setFields() []string {
	set := []struct {
		name string
		on   bool
	}{
		{"criteria", len(c.Criteria) > 0}, {"param", c.Param != ""}, {"factor", c.Factor != 0},
		{"limit_fen", c.LimitFen != 0}, {"income_share", c.IncomeShare != 0}, {"per_capita", c.PerCapita},
		{"near_factor", c.NearFactor != 0}, {"near_limit_fen", c.NearLimitFen != 0},
		{"near_income_share", c.NearIncomeShare != 0}, {"grade", c.Grade != 0}, {"near_grade", c.NearGrade != 0},
		{"disability_types", len(c.DisabilityTypes) > 0}, {"min_age", c.MinAge != 0}, {"max_age", c.MaxAge != 0},
		{"near_years", c.NearYears != 0}, {"living_alone", c.LivingAlone}, {"members", c.Members != ""},
		{"work_abilities", len(c.WorkAbilities) > 0}, {"employments", len(c.Employments) > 0},
		{"statuses", len(c.Statuses) > 0}, {"exclude", c.Exclude}, {"places", len(c.Places) > 0},
	}
	var out []string
	for _, s := range set {
		if s.on {
			out = append(out, s.name)
		}
	}
	return out
}

// check validates c at field path f; depth is 1 for a top-level criterion.
func (c Criterion) check(p *Problems, f string, params ParamSet, depth int) {
	if !c.Kind.Valid() {
		p.Addf(f+".kind", "enum", "未知的条件类型 %q", c.Kind)
		return
	}
	for _, name := range c.setFields() {
		if !slices.Contains(allowedFields(c.Kind), name) {
			p.Addf(f+"."+name, "forbidden", "条件类型 %s 不使用字段 %s", c.Kind, name)
		}
	}
	switch c.Kind {
	case CriterionAll, CriterionAny:
		switch {
		case len(c.Criteria) == 0:
			p.Add(f+".criteria", "required", "条件组须至少包含一项条件")
		case depth >= MaxCriterionDepth:
			p.Addf(f+".criteria", "depth", "条件组最多嵌套%d层", MaxCriterionDepth-1)
			return
		}
		for i, sub := range c.Criteria {
			sub.check(p, fieldIndex(f+".criteria", i), params, depth+1)
		}
	case CriterionIncome, CriterionAssets:
		c.checkMoney(p, f, params, false)
	case CriterionMedical:
		c.checkMoney(p, f, params, true)
	case CriterionWorkAbility, CriterionEmployment:
		c.checkMembers(p, f)
	case CriterionDisability:
		if c.Grade < 1 || c.Grade > 4 {
			p.Add(f+".grade", "range", "残疾等级须为1–4级")
		}
		if c.NearGrade != 0 && (c.NearGrade <= c.Grade || c.NearGrade > 4) {
			p.Add(f+".near_grade", "range", "接近等级须比条件等级宽松（更大）且不超过4级")
		}
		checkEnums(p, f+".disability_types", c.DisabilityTypes, DisabilityType.Valid, "残疾类别")
		c.checkAgeBounds(p, f)
	case CriterionAge:
		c.checkAgeBounds(p, f)
		if c.MinAge == 0 && c.MaxAge == 0 && !c.LivingAlone {
			p.Add(f+".min_age", "required", "年龄条件须有年龄下限、上限或独居要求")
		}
		if c.NearYears < 0 || c.NearYears > 20 {
			p.Add(f+".near_years", "range", "接近年数须在0–20之间")
		}
		if c.NearYears > 0 && c.MinAge == 0 && c.MaxAge == 0 {
			p.Add(f+".near_years", "forbidden", "无年龄界限时不能设接近年数")
		}
	case CriterionIllness:
		c.checkAgeBounds(p, f)
	case CriterionStatus:
		if len(c.Statuses) == 0 {
			p.Add(f+".statuses", "required", "须至少选择一种救助类别")
		}
		checkEnums(p, f+".statuses", c.Statuses, AssistanceKind.Valid, "救助类别")
	case CriterionPlace:
		if len(c.Places) == 0 {
			p.Add(f+".places", "required", "须至少选择一个区划")
		}
		for i, code := range c.Places {
			if PlaceLevelOf(code) == "" {
				p.Addf(fieldIndex(f+".places", i), "format", "区划代码 %q 格式错误", code)
			}
		}
	}
}

// checkMoney validates a money threshold and its near margin. Income and
// assets are upper limits (near is higher); medical costs are a lower limit
// (near is lower).
func (c Criterion) checkMoney(p *Problems, f string, params ParamSet, lower bool) {
	forms := 0
	if c.LimitFen != 0 {
		forms++
		if c.LimitFen < 0 {
			p.Add(f+".limit_fen", "range", "限额须大于0")
		}
	}
	if c.Param != "" || c.Factor != 0 {
		forms++
		if c.Param == "" {
			p.Add(f+".param", "required", "倍数须注明所乘的参数")
		} else if !params.Has(c.Param) {
			p.Addf(f+".param", "exists", "参数 %q 不存在", c.Param)
		}
		if c.Factor <= 0 || c.Factor > 100 {
			p.Add(f+".factor", "range", "倍数须大于0且不超过100")
		}
	}
	if c.IncomeShare != 0 {
		forms++
		if c.IncomeShare <= 0 || c.IncomeShare > 10 {
			p.Add(f+".income_share", "range", "收入占比须大于0且不超过10")
		}
	}
	if forms != 1 {
		p.Add(f+".limit_fen", "required", "须且只能填写一种门槛：limit_fen、factor×param 或 income_share")
	}
	lenient := func(field string, near, threshold float64, set, matches bool) {
		switch {
		case !set:
		case !matches:
			p.Addf(f+"."+field, "mismatch", "接近范围须与门槛同一形式")
		case !lower && near <= threshold:
			p.Addf(f+"."+field, "range", "接近范围须大于门槛")
		case lower && (near >= threshold || near <= 0):
			p.Addf(f+"."+field, "range", "接近范围须小于门槛且大于0")
		}
	}
	lenient("near_limit_fen", float64(c.NearLimitFen), float64(c.LimitFen), c.NearLimitFen != 0, c.LimitFen != 0)
	lenient("near_factor", c.NearFactor, c.Factor, c.NearFactor != 0, c.Factor != 0)
	lenient("near_income_share", c.NearIncomeShare, c.IncomeShare, c.NearIncomeShare != 0, c.IncomeShare != 0)
	if !lower && c.NearFactor > 100 {
		p.Add(f+".near_factor", "range", "倍数不能超过100")
	}
}

func (c Criterion) checkMembers(p *Problems, f string) {
	if c.Members != SomeMember && c.Members != EveryMember {
		p.Add(f+".members", "enum", "成员范围须为 some 或 every")
	}
	if c.Kind == CriterionWorkAbility && len(c.WorkAbilities) == 0 {
		p.Add(f+".work_abilities", "required", "须至少选择一种劳动能力")
	}
	checkEnums(p, f+".work_abilities", c.WorkAbilities, WorkAbility.Valid, "劳动能力")
	if c.Kind == CriterionEmployment && len(c.Employments) == 0 {
		p.Add(f+".employments", "required", "须至少选择一种就业状况")
	}
	checkEnums(p, f+".employments", c.Employments, Employment.Valid, "就业状况")
	c.checkAgeBounds(p, f)
}

func (c Criterion) checkAgeBounds(p *Problems, f string) {
	if c.MinAge < 0 || c.MinAge > 120 {
		p.Add(f+".min_age", "range", "年龄须在0–120岁之间")
	}
	if c.MaxAge < 0 || c.MaxAge > 120 {
		p.Add(f+".max_age", "range", "年龄须在0–120岁之间")
	}
	if c.MaxAge > 0 && c.MinAge > c.MaxAge {
		p.Add(f+".max_age", "range", "年龄上限不能小于下限")
	}
}

// checkEnums requires every value to be valid and unique.
func checkEnums[T ~string](p *Problems, field string, values []T, valid func(T) bool, label string) {
	seen := map[T]bool{}
	for i, v := range values {
		f := fieldIndex(field, i)
		if !valid(v) {
			p.Addf(f, "enum", "%s %q 无效", label, v)
		}
		if seen[v] {
			p.Addf(f, "unique", "%s %q 重复", label, v)
		}
		seen[v] = true
	}
}
