package domain

import (
	"testing"
	"time"
)

// wrValid is a valid rule with a condition of every kind.
func wrValid() WarningRule {
	return WarningRule{ID: "wr-test", NameZh: "测试规则", Severity: SeverityOrange, ExplanationZh: "测试说明",
		Triggers: []SignalKind{SignalLargeMedicalBill, SignalJobLoss}, Match: MatchAll,
		Conditions: []WarningCondition{
			{Kind: CondHousehold, Criterion: &Criterion{Kind: CriterionAny, Criteria: []Criterion{
				{Kind: CriterionMedical, IncomeShare: 0.5},
				{Kind: CriterionMedical, LimitFen: Yuan(20000)},
			}}},
			{Kind: CondSignalAmount, LimitFen: Yuan(10000)},
			{Kind: CondSignalPerson, Employments: []Employment{EmploymentEmployed, EmploymentFlexible}, MinAge: 16, MaxAge: 59},
			{Kind: CondNearPolicy, Policies: []string{"mz-test"}},
			{Kind: CondNewlyEligible, Policies: []string{"mz-test"}},
		}}
}

func TestWarningRuleValidate(t *testing.T) {
	params, policies := polParams(t), []Policy{polValid()}
	if err := wrValid().Validate(policies, params); err != nil {
		t.Fatalf("valid rule: %v", err)
	}
	tests := []struct {
		name        string
		change      func(r *WarningRule)
		field, rule string
	}{
		{"id format", func(r *WarningRule) { r.ID = "WR test" }, "id", "format"},
		{"name required", func(r *WarningRule) { r.NameZh = "" }, "name_zh", "required"},
		{"severity", func(r *WarningRule) { r.Severity = "purple" }, "severity", "enum"},
		{"explanation required", func(r *WarningRule) { r.ExplanationZh = " " }, "explanation_zh", "required"},
		{"triggers required", func(r *WarningRule) { r.Triggers = nil }, "triggers", "required"},
		{"unknown trigger", func(r *WarningRule) { r.Triggers[1] = "lottery_win" }, "triggers[1]", "enum"},
		{"repeated trigger", func(r *WarningRule) { r.Triggers[1] = SignalLargeMedicalBill }, "triggers[1]", "unique"},
		{"match", func(r *WarningRule) { r.Match = "most" }, "match", "enum"},
		{"unknown condition", func(r *WarningRule) { r.Conditions[0].Kind = "weather" }, "conditions[0].kind", "enum"},
		{"unknown fact", func(r *WarningRule) { r.Conditions[0].Criterion.Criteria[0].Kind = "height" },
			"conditions[0].criterion.criteria[0].kind", "enum"},
		{"criterion required", func(r *WarningRule) { r.Conditions[0].Criterion = nil }, "conditions[0].criterion", "required"},
		{"impossible income share", func(r *WarningRule) { r.Conditions[0].Criterion.Criteria[0].IncomeShare = 12 },
			"conditions[0].criterion.criteria[0].income_share", "range"},
		{"impossible disability grade", func(r *WarningRule) {
			r.Conditions[0].Criterion = &Criterion{Kind: CriterionDisability, Grade: 6}
		}, "conditions[0].criterion.grade", "range"},
		{"near margin in a warning", func(r *WarningRule) { r.Conditions[0].Criterion.Criteria[1].NearLimitFen = Yuan(15000) },
			"conditions[0].criterion.criteria[1].near_limit_fen", "forbidden"},
		{"unknown parameter in a criterion", func(r *WarningRule) {
			r.Conditions[0].Criterion = &Criterion{Kind: CriterionIncome, Param: "nope", Factor: 1}
		}, "conditions[0].criterion.param", "exists"},
		{"field of another kind", func(r *WarningRule) { r.Conditions[1].Policies = []string{"mz-test"} }, "conditions[1].policies", "forbidden"},
		{"amount threshold missing", func(r *WarningRule) { r.Conditions[1].LimitFen = 0 }, "conditions[1].param", "required"},
		{"amount threshold negative", func(r *WarningRule) { r.Conditions[1].LimitFen = -1 }, "conditions[1].limit_fen", "range"},
		{"two amount thresholds", func(r *WarningRule) { r.Conditions[1].Param = "dibao_standard" }, "conditions[1].limit_fen", "required"},
		{"amount parameter unknown", func(r *WarningRule) {
			r.Conditions[1] = WarningCondition{Kind: CondSignalAmount, Param: "nope", Factor: 2}
		},
			"conditions[1].param", "exists"},
		{"amount factor impossible", func(r *WarningRule) {
			r.Conditions[1] = WarningCondition{Kind: CondSignalAmount, Param: "dibao_standard", Factor: -2}
		}, "conditions[1].factor", "range"},
		{"amount beyond what the kind carries", func(r *WarningRule) { r.Conditions[1].LimitFen = Yuan(200_000) },
			"conditions[1].limit_fen", "range"},
		{"amount condition on a kind without amount", func(r *WarningRule) { r.Triggers[1] = SignalSeriousIllness },
			"triggers[1]", "conflict"},
		{"person condition empty", func(r *WarningRule) { r.Conditions[2] = WarningCondition{Kind: CondSignalPerson} },
			"conditions[2].employments", "required"},
		{"person employment unknown", func(r *WarningRule) { r.Conditions[2].Employments[0] = "astronaut" },
			"conditions[2].employments[0]", "enum"},
		{"person ages reversed", func(r *WarningRule) { r.Conditions[2].MaxAge = 10 }, "conditions[2].max_age", "range"},
		{"person age impossible", func(r *WarningRule) { r.Conditions[2].MinAge = 130 }, "conditions[2].min_age", "range"},
		{"policies required", func(r *WarningRule) { r.Conditions[3].Policies = nil }, "conditions[3].policies", "required"},
		{"unknown policy", func(r *WarningRule) { r.Conditions[3].Policies = []string{"mz-gone"} }, "conditions[3].policies[0]", "exists"},
		{"newly eligible from signals that change nothing", func(r *WarningRule) {
			r.Triggers = []SignalKind{SignalUtilityArrears}
			r.Conditions = r.Conditions[3:]
		}, "conditions[1].kind", "conflict"},
		{"too many conditions", func(r *WarningRule) {
			for len(r.Conditions) <= 10 {
				r.Conditions = append(r.Conditions, r.Conditions[3])
			}
		}, "conditions", "range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := wrValid() // fresh slices and criterion on every call
			tc.change(&r)
			polWantField(t, r.Validate(policies, params), tc.field, tc.rule)
		})
	}
}

func TestWarningRuleWithoutConditions(t *testing.T) {
	r := WarningRule{ID: "wr-death", NameZh: "劳动力死亡", Severity: SeverityRed, ExplanationZh: "说明",
		Triggers: []SignalKind{SignalEarnerDeath}, Match: MatchAll}
	if err := r.Validate(nil, ParamSet{}); err != nil {
		t.Fatalf("a trigger alone is a rule: %v", err)
	}
	if !r.TriggeredBy(SignalEarnerDeath) || r.TriggeredBy(SignalJobLoss) {
		t.Fatal("TriggeredBy")
	}
}

func TestValidateWarningRulesUniqueIDs(t *testing.T) {
	params, policies := polParams(t), []Policy{polValid()}
	rules := []WarningRule{wrValid(), wrValid()}
	polWantField(t, ValidateWarningRules(rules, policies, params), "rules[1].id", "unique")
	rules[1].Severity = ""
	polWantField(t, ValidateWarningRules(rules, policies, params), "rules[1].severity", "enum")
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		s          Severity
		rank, days int
	}{{SeverityRed, 3, 3}, {SeverityOrange, 2, 7}, {SeverityYellow, 1, 14}, {"purple", 0, 0}}
	for _, tc := range tests {
		if tc.s.Rank() != tc.rank || tc.s.VisitDays() != tc.days || tc.s.Valid() != (tc.rank > 0) || (tc.s.NameZh() != "") != (tc.rank > 0) {
			t.Errorf("%s: rank %d, days %d, name %q", tc.s, tc.s.Rank(), tc.s.VisitDays(), tc.s.NameZh())
		}
	}
	raised := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	if due := VisitDue(SeverityRed, raised); !due.Equal(time.Date(2025, 6, 4, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("red visit due %s", due)
	}
}
