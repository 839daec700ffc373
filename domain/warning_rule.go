package domain

import (
	"slices"
	"time"
)

// Severity is how urgent a warning is; it sets the home-visit deadline.
type Severity string

// Severities, most severe first.
const (
	SeverityRed    Severity = "red"    // 红色：3天内入户
	SeverityOrange Severity = "orange" // 橙色：7天内入户
	SeverityYellow Severity = "yellow" // 黄色：14天内入户
)

// Severities returns every severity, most severe first.
func Severities() []Severity { return []Severity{SeverityRed, SeverityOrange, SeverityYellow} }

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return s.Rank() > 0 }

// Rank orders severities: 3 for red, 2 for orange, 1 for yellow, 0 if unknown.
func (s Severity) Rank() int {
	if i := slices.Index(Severities(), s); i >= 0 {
		return len(Severities()) - i
	}
	return 0
}

// NameZh returns the severity's Chinese name.
func (s Severity) NameZh() string {
	switch s {
	case SeverityRed:
		return "红色预警"
	case SeverityOrange:
		return "橙色预警"
	case SeverityYellow:
		return "黄色预警"
	}
	return ""
}

// VisitDays is how many days a home visit may take after a warning of this
// severity is raised: 3 for red, 7 for orange, 14 for yellow (0 if unknown).
func (s Severity) VisitDays() int {
	switch s {
	case SeverityRed:
		return 3
	case SeverityOrange:
		return 7
	case SeverityYellow:
		return 14
	}
	return 0
}

// VisitDue is when the home visit for a warning of the severity raised at
// raisedAt is due. The deadline runs from the warning, not from the
// assignment: a red warning left unassigned for two days leaves one day.
func VisitDue(s Severity, raisedAt time.Time) time.Time {
	return raisedAt.AddDate(0, 0, s.VisitDays())
}

// WarningConditionKind says what a warning condition reads.
type WarningConditionKind string

// Condition kinds. Each uses its own fields of WarningCondition; validation
// rejects fields a kind does not use.
const (
	// CondHousehold: Criterion (a policy criterion, without near margins)
	// holds over the household's facts after the signals were applied, e.g.
	// out-of-pocket medical costs ≥ 50% of yearly income. A criterion whose
	// facts are not recorded does not hold.
	CondHousehold WarningConditionKind = "household"
	// CondSignalAmount: the triggering signals' amounts add up to at least
	// LimitFen, or Factor × Param.
	CondSignalAmount WarningConditionKind = "signal_amount"
	// CondSignalPerson: a person a triggering signal is about had, before
	// the signal, an employment in Employments (e.g. employed or flexible:
	// an earner) and is aged MinAge..MaxAge (0 = unbounded).
	CondSignalPerson WarningConditionKind = "signal_person"
	// CondNearPolicy: before the signals the household was near one of
	// Policies (fails only criteria within their margin), or eligible for
	// one it does not receive: already at a threshold.
	CondNearPolicy WarningConditionKind = "near_policy"
	// CondNewlyEligible: the signals made the household eligible for one of
	// Policies that it was not eligible for before and does not receive.
	CondNewlyEligible WarningConditionKind = "newly_eligible"
)

// WarningConditionKinds returns every condition kind.
func WarningConditionKinds() []WarningConditionKind {
	return []WarningConditionKind{CondHousehold, CondSignalAmount, CondSignalPerson, CondNearPolicy, CondNewlyEligible}
}

// Valid reports whether k is a known condition kind.
func (k WarningConditionKind) Valid() bool { return slices.Contains(WarningConditionKinds(), k) }

// WarningCondition is one typed condition of a warning rule. Only the
// fields of its Kind may be set (see the kind constants).
type WarningCondition struct {
	Kind      WarningConditionKind `json:"kind"`
	Criterion *Criterion           `json:"criterion,omitempty"`
	// Signal amount threshold: LimitFen, or Factor × Param.
	LimitFen Fen     `json:"limit_fen,omitempty"`
	Param    string  `json:"param,omitempty"`
	Factor   float64 `json:"factor,omitempty"`
	// The signal's person, as the file recorded them before the signal.
	Employments []Employment `json:"employments,omitempty"`
	MinAge      int          `json:"min_age,omitempty"`
	MaxAge      int          `json:"max_age,omitempty"`
	// Policies are policy IDs of the catalogue.
	Policies []string `json:"policies,omitempty"`
}

// WarningRule is a rule that turns data signals into a warning. Like a
// policy it is data: the signal kinds that trigger it and typed conditions
// over the household's facts and the signals, checked when it is saved.
type WarningRule struct {
	// ID is a stable code such as "wr-medical-share".
	ID       string   `json:"id"`
	NameZh   string   `json:"name_zh"`
	Severity Severity `json:"severity"`
	// ExplanationZh tells the visiting worker why this matters.
	ExplanationZh string       `json:"explanation_zh"`
	Triggers      []SignalKind `json:"triggers"`
	// Match combines the conditions: all must hold, or any one. A rule
	// without conditions fires on its triggers alone.
	Match      Combinator         `json:"match"`
	Conditions []WarningCondition `json:"conditions"`
	// Demo marks demonstration data that no real district has published.
	Demo bool `json:"demo,omitempty"`
}

// TriggeredBy reports whether a signal of the kind triggers the rule.
func (r WarningRule) TriggeredBy(k SignalKind) bool { return slices.Contains(r.Triggers, k) }

// Validate checks the rule when it is saved, against the policy catalogue
// (conditions name policies) and the parameters (criteria and amounts name
// parameters). Thresholds must be possible: a criterion's own rules (a
// factor > 0, a grade 1–4, ages 0–120), no near margins (a warning either
// fires or not), and an amount threshold that the triggering kinds carry
// and can reach.
func (r WarningRule) Validate(policies []Policy, params ParamSet) error {
	var p Problems
	checkText(&p, "id", r.ID, true, 40, "预警规则编号")
	if r.ID != "" && !isPolicyCode(r.ID) {
		p.Add("id", "format", "预警规则编号只能包含小写字母、数字和连字符")
	}
	checkText(&p, "name_zh", r.NameZh, true, 60, "预警规则名称")
	if !r.Severity.Valid() {
		p.Add("severity", "enum", "预警等级须为 red、orange 或 yellow")
	}
	checkText(&p, "explanation_zh", r.ExplanationZh, true, 300, "预警说明")
	if len(r.Triggers) == 0 {
		p.Add("triggers", "required", "预警规则须至少有一种触发信号")
	}
	checkEnums(&p, "triggers", r.Triggers, SignalKind.Valid, "信号类型")
	if !r.Match.Valid() {
		p.Add("match", "enum", "条件组合方式须为 all 或 any")
	}
	if len(r.Conditions) > 10 {
		p.Add("conditions", "range", "预警条件不能超过10项")
	}
	ids := make([]string, len(policies))
	for i, pol := range policies {
		ids[i] = pol.ID
	}
	for i, c := range r.Conditions {
		c.check(&p, fieldIndex("conditions", i), r.Triggers, ids, params)
	}
	return p.Err()
}

// ValidateWarningRules checks a whole rule set: every rule, and IDs unique.
// Field paths are prefixed "rules[i]".
func ValidateWarningRules(rules []WarningRule, policies []Policy, params ParamSet) error {
	var p Problems
	seen := map[string]bool{}
	for i, r := range rules {
		f := fieldIndex("rules", i)
		p.Merge(f, r.Validate(policies, params))
		if seen[r.ID] {
			p.Addf(f+".id", "unique", "预警规则编号 %q 重复", r.ID)
		}
		seen[r.ID] = true
	}
	return p.Err()
}

// allowedFields lists the optional fields a condition kind may use.
func (k WarningConditionKind) allowedFields() []string {
	switch k {
	case CondHousehold:
		return []string{"criterion"}
	case CondSignalAmount:
		return []string{"limit_fen", "param", "factor"}
	case CondSignalPerson:
		return []string{"employments", "min_age", "max_age"}
	case CondNearPolicy, CondNewlyEligible:
		return []string{"policies"}
	}
	return nil
}

func (c WarningCondition) setFields() []string {
	set := []struct {
		name string
		on   bool
	}{
		{"criterion", c.Criterion != nil}, {"limit_fen", c.LimitFen != 0}, {"param", c.Param != ""},
		{"factor", c.Factor != 0}, {"employments", len(c.Employments) > 0}, {"min_age", c.MinAge != 0},
		{"max_age", c.MaxAge != 0}, {"policies", len(c.Policies) > 0},
	}
	var out []string
	for _, s := range set {
		if s.on {
			out = append(out, s.name)
		}
	}
	return out
}

func (c WarningCondition) check(p *Problems, f string, triggers []SignalKind, policyIDs []string, params ParamSet) {
	if !c.Kind.Valid() {
		p.Addf(f+".kind", "enum", "未知的预警条件类型 %q", c.Kind)
		return
	}
	for _, name := range c.setFields() {
		if !slices.Contains(c.Kind.allowedFields(), name) {
			p.Addf(f+"."+name, "forbidden", "预警条件类型 %s 不使用字段 %s", c.Kind, name)
		}
	}
	switch c.Kind {
	case CondHousehold:
		if c.Criterion == nil {
			p.Add(f+".criterion", "required", "家庭条件须填写资格条件")
			return
		}
		c.Criterion.check(p, f+".criterion", params, 1)
		checkNoNearMargin(p, f+".criterion", *c.Criterion)
	case CondSignalAmount:
		c.checkAmount(p, f, triggers, params)
	case CondSignalPerson:
		checkEnums(p, f+".employments", c.Employments, Employment.Valid, "就业状况")
		Criterion{MinAge: c.MinAge, MaxAge: c.MaxAge}.checkAgeBounds(p, f)
		if len(c.Employments) == 0 && c.MinAge == 0 && c.MaxAge == 0 {
			p.Add(f+".employments", "required", "信号人员条件须有就业状况或年龄范围")
		}
	case CondNearPolicy, CondNewlyEligible:
		if len(c.Policies) == 0 {
			p.Add(f+".policies", "required", "须至少选择一项政策")
		}
		for i, id := range c.Policies {
			fi := fieldIndex(f+".policies", i)
			switch {
			case !slices.Contains(policyIDs, id):
				p.Addf(fi, "exists", "政策 %q 不存在", id)
			case slices.Index(c.Policies, id) < i:
				p.Addf(fi, "unique", "政策 %q 重复", id)
			}
		}
		if c.Kind == CondNewlyEligible && !slices.ContainsFunc(triggers, func(k SignalKind) bool {
			s, _ := k.Spec()
			return s.UpdatesFacts
		}) {
			p.Add(f+".kind", "conflict", "触发信号都不改变家庭信息，不可能新符合政策")
		}
	}
}

// checkAmount requires one threshold form, a parameter that exists, and
// triggers that carry an amount that can reach a fixed threshold.
func (c WarningCondition) checkAmount(p *Problems, f string, triggers []SignalKind, params ParamSet) {
	switch {
	case c.LimitFen != 0 && (c.Param != "" || c.Factor != 0):
		p.Add(f+".limit_fen", "required", "须且只能填写一种门槛：limit_fen 或 factor×param")
	case c.LimitFen < 0:
		p.Add(f+".limit_fen", "range", "金额门槛须大于0")
	case c.LimitFen == 0 && c.Param == "":
		p.Add(f+".param", "required", "须填写金额门槛或所乘的参数")
	case c.LimitFen == 0 && !params.Has(c.Param):
		p.Addf(f+".param", "exists", "参数 %q 不存在", c.Param)
	case c.LimitFen == 0 && (c.Factor <= 0 || c.Factor > 100):
		p.Add(f+".factor", "range", "倍数须大于0且不超过100")
	}
	for i, k := range triggers {
		spec, ok := k.Spec()
		switch {
		case !ok:
		case spec.Amount == AmountForbidden:
			p.Addf(fieldIndex("triggers", i), "conflict", "%s信号不带金额，不能用金额条件", spec.NameZh)
		case c.LimitFen > spec.MaxAmountFen:
			p.Addf(f+".limit_fen", "range", "金额门槛超过%s信号可能的最大金额%s", spec.NameZh, spec.MaxAmountFen)
		}
	}
}

// checkNoNearMargin forbids near margins anywhere in a criterion: a warning
// condition holds or not, it is never "near".
func checkNoNearMargin(p *Problems, f string, c Criterion) {
	for _, name := range c.setFields() {
		if name == "near_factor" || name == "near_limit_fen" || name == "near_income_share" ||
			name == "near_grade" || name == "near_years" {
			p.Addf(f+"."+name, "forbidden", "预警条件不设接近范围（%s）", name)
		}
	}
	for i, sub := range c.Criteria {
		checkNoNearMargin(p, fieldIndex(f+".criteria", i), sub)
	}
}
