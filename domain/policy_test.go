package domain

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

var polCST = time.FixedZone("CST", 8*3600)

func polDate(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, polCST) }

func polParams(tb testing.TB) ParamSet {
	tb.Helper()
	set, err := NewParamSet(
		Parameter{Name: "dibao_standard", LabelZh: "低保标准", LabelEn: "低保 standard", Demo: true, Values: []ParamValue{
			{From: polDate(2027, 1, 1), Value: Yuan(870)}, // out of order on purpose
			{From: polDate(2025, 7, 1), Value: Yuan(820)},
		}},
		Parameter{Name: "tekun_standard", LabelZh: "特困标准", LabelEn: "特困 standard", Values: []ParamValue{{From: polDate(2025, 7, 1), Value: Yuan(1066)}}},
	)
	if err != nil {
		tb.Fatalf("params: %v", err)
	}
	return set
}

// polValid is a valid policy with a criterion of every kind but the groups,
// and a nested group.
func polValid() Policy {
	return Policy{ID: "mz-test", Department: DeptCivilAffairs, NameZh: "测试政策", NameEn: "Test policy",
		Benefit:  Benefit{Kind: BenefitCash, ValueParam: "dibao_standard", Period: PeriodMonthly, DescriptionZh: "按月发放"},
		LegalRef: "《社会救助暂行办法》", Confers: AssistDibao, Match: MatchAll,
		Criteria: []Criterion{
			{Kind: CriterionIncome, Param: "dibao_standard", Factor: 1, NearFactor: 1.5},
			{Kind: CriterionAssets, Param: "dibao_standard", Factor: 24, NearFactor: 30, PerCapita: true},
			{Kind: CriterionAny, Criteria: []Criterion{
				{Kind: CriterionMedical, LimitFen: Yuan(20000), NearLimitFen: Yuan(15000)},
				{Kind: CriterionMedical, IncomeShare: 0.5, NearIncomeShare: 0.4},
				{Kind: CriterionAll, Criteria: []Criterion{
					{Kind: CriterionDisability, Grade: 2, NearGrade: 3, DisabilityTypes: []DisabilityType{DisabilityPhysical}},
					{Kind: CriterionAge, MinAge: 60, NearYears: 2, LivingAlone: true},
				}},
			}},
			{Kind: CriterionWorkAbility, Members: EveryMember, WorkAbilities: []WorkAbility{WorkAbilityNone}, MinAge: 16},
			{Kind: CriterionEmployment, Members: SomeMember, Employments: []Employment{EmploymentStudent}, MinAge: 6, MaxAge: 18},
			{Kind: CriterionIllness},
			{Kind: CriterionNoSupporter},
			{Kind: CriterionStatus, Statuses: []AssistanceKind{AssistTekun}, Exclude: true},
			{Kind: CriterionPlace, Places: []string{"610103000000"}},
		}}
}

func TestPolicyValidate(t *testing.T) {
	params := polParams(t)
	if err := polValid().Validate(params); err != nil {
		t.Fatalf("valid policy: %v", err)
	}
	tests := []struct {
		name        string
		change      func(p *Policy)
		field, rule string
	}{
		{"id format", func(p *Policy) { p.ID = "MZ test" }, "id", "format"},
		{"department", func(p *Policy) { p.Department = "ministry_of_magic" }, "department", "enum"},
		{"name required", func(p *Policy) { p.NameZh = " " }, "name_zh", "required"},
		{"legal reference required", func(p *Policy) { p.LegalRef = "" }, "legal_ref", "required"},
		{"benefit kind", func(p *Policy) { p.Benefit.Kind = "gift" }, "benefit.kind", "enum"},
		{"benefit parameter unknown", func(p *Policy) { p.Benefit.ValueParam = "nope" }, "benefit.value_param", "exists"},
		{"benefit with two values", func(p *Policy) { p.Benefit.ValueFen = Yuan(1) }, "benefit.value_param", "conflict"},
		{"benefit period required", func(p *Policy) { p.Benefit.Period = "" }, "benefit.period", "required"},
		{"cash without value", func(p *Policy) { p.Benefit.ValueParam, p.Benefit.Period = "", "" }, "benefit.value_fen", "required"},
		{"confers", func(p *Policy) { p.Confers = "rich" }, "confers", "enum"},
		{"match", func(p *Policy) { p.Match = "most" }, "match", "enum"},
		{"no criteria", func(p *Policy) { p.Criteria = nil }, "criteria", "required"},
		{"unknown kind (fact)", func(p *Policy) { p.Criteria[0].Kind = "height" }, "criteria[0].kind", "enum"},
		{"unknown parameter", func(p *Policy) { p.Criteria[0].Param = "nope" }, "criteria[0].param", "exists"},
		{"factor zero", func(p *Policy) { p.Criteria[1].Factor, p.Criteria[1].NearFactor = 0, 0 }, "criteria[1].factor", "range"},
		{"factor negative", func(p *Policy) { p.Criteria[0].Factor = -1 }, "criteria[0].factor", "range"},
		{"factor without parameter", func(p *Policy) { p.Criteria[0].Param = "" }, "criteria[0].param", "required"},
		{"two thresholds", func(p *Policy) { p.Criteria[0].LimitFen = Yuan(900) }, "criteria[0].limit_fen", "required"},
		{"near below an upper limit", func(p *Policy) { p.Criteria[0].NearFactor = 0.9 }, "criteria[0].near_factor", "range"},
		{"near of another form", func(p *Policy) { p.Criteria[0].NearLimitFen = Yuan(1000) }, "criteria[0].near_limit_fen", "mismatch"},
		{"near above a lower limit", func(p *Policy) { p.Criteria[2].Criteria[0].NearLimitFen = Yuan(25000) },
			"criteria[2].criteria[0].near_limit_fen", "range"},
		{"income share impossible", func(p *Policy) { p.Criteria[2].Criteria[1].IncomeShare = 11 }, "criteria[2].criteria[1].income_share", "range"},
		{"field of another kind", func(p *Policy) { p.Criteria[0].Grade = 2 }, "criteria[0].grade", "forbidden"},
		{"disability grade 5", func(p *Policy) { p.Criteria[2].Criteria[2].Criteria[0].Grade = 5 }, "criteria[2].criteria[2].criteria[0].grade", "range"},
		{"near grade not more lenient", func(p *Policy) { p.Criteria[2].Criteria[2].Criteria[0].NearGrade = 2 },
			"criteria[2].criteria[2].criteria[0].near_grade", "range"},
		{"disability type", func(p *Policy) { p.Criteria[2].Criteria[2].Criteria[0].DisabilityTypes = []DisabilityType{"tired"} },
			"criteria[2].criteria[2].criteria[0].disability_types[0]", "enum"},
		{"age impossible", func(p *Policy) { p.Criteria[2].Criteria[2].Criteria[1].MinAge = 130 }, "criteria[2].criteria[2].criteria[1].min_age", "range"},
		{"age bounds reversed", func(p *Policy) { p.Criteria[4].MaxAge = 5 }, "criteria[4].max_age", "range"},
		{"age without bounds", func(p *Policy) { p.Criteria[2].Criteria[2].Criteria[1] = Criterion{Kind: CriterionAge} },
			"criteria[2].criteria[2].criteria[1].min_age", "required"},
		{"groups nested too deep", func(p *Policy) {
			p.Criteria[2].Criteria[2].Criteria[1] = Criterion{Kind: CriterionAny, Criteria: []Criterion{{Kind: CriterionIllness}}}
		}, "criteria[2].criteria[2].criteria[1].criteria", "depth"},
		{"empty group", func(p *Policy) { p.Criteria[2].Criteria = nil }, "criteria[2].criteria", "required"},
		{"members quantifier", func(p *Policy) { p.Criteria[3].Members = "" }, "criteria[3].members", "enum"},
		{"work abilities required", func(p *Policy) { p.Criteria[3].WorkAbilities = nil }, "criteria[3].work_abilities", "required"},
		{"duplicate employment", func(p *Policy) { p.Criteria[4].Employments = []Employment{EmploymentStudent, EmploymentStudent} },
			"criteria[4].employments[1]", "unique"},
		{"statuses required", func(p *Policy) { p.Criteria[7].Statuses = nil }, "criteria[7].statuses", "required"},
		{"status unknown", func(p *Policy) { p.Criteria[7].Statuses = []AssistanceKind{"vip"} }, "criteria[7].statuses[0]", "enum"},
		{"place code", func(p *Policy) { p.Criteria[8].Places = []string{"xian"} }, "criteria[8].places[0]", "format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := polValid()
			tc.change(&p)
			polWantField(t, p.Validate(params), tc.field, tc.rule)
		})
	}
}

// polWantField requires err to be EINVALID naming field with rule.
func polWantField(t *testing.T, err error, field, rule string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		t.Fatalf("err = %v, want invalid", err)
	}
	for _, f := range e.Fields {
		if f.Field == field && f.Rule == rule {
			if f.Message == "" {
				t.Fatalf("%s %s has no message", field, rule)
			}
			return
		}
	}
	t.Fatalf("err = %v, want %s %s", err, field, rule)
}

func TestValidatePolicies(t *testing.T) {
	params := polParams(t)
	a, b := polValid(), polValid()
	b.Criteria[0].Factor = 0
	polWantField(t, ValidatePolicies([]Policy{a, b, a}, params), "policies[1].criteria[0].factor", "range")
	polWantField(t, ValidatePolicies([]Policy{a, a}, params), "policies[1].id", "unique")
	if err := ValidatePolicies([]Policy{a}, params); err != nil {
		t.Fatal(err)
	}
}

func TestPolicyParamNames(t *testing.T) {
	p := polValid()
	p.Criteria[2].Criteria[0] = Criterion{Kind: CriterionMedical, Param: "tekun_standard", Factor: 10}
	got := p.ParamNames()
	if len(got) != 2 || got[0] != "dibao_standard" || got[1] != "tekun_standard" {
		t.Fatalf("ParamNames = %v", got)
	}
	if !p.UsesParam("tekun_standard") || p.UsesParam("min_wage") {
		t.Fatal("UsesParam is wrong")
	}
}

func TestParamValueAt(t *testing.T) {
	params := polParams(t)
	tests := []struct {
		name string
		at   time.Time
		want Fen
		ok   bool
	}{
		{"before the first value", polDate(2025, 6, 30), 0, false},
		{"on the first day", polDate(2025, 7, 1), Yuan(820), true},
		{"between", polDate(2026, 6, 1), Yuan(820), true},
		{"one second before the change", polDate(2027, 1, 1).Add(-time.Second), Yuan(820), true},
		{"from the change", polDate(2027, 1, 1), Yuan(870), true},
		{"the change in UTC", time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), Yuan(870), true},
		{"long after", polDate(2040, 1, 1), Yuan(870), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := params.ValueAt("dibao_standard", tc.at)
			if ok != tc.ok || v.Value != tc.want {
				t.Fatalf("ValueAt = %v, %v; want %v, %v", v.Value, ok, tc.want, tc.ok)
			}
		})
	}
	if _, ok := params.ValueAt("nope", polDate(2026, 1, 1)); ok {
		t.Fatal("unknown parameter has a value")
	}
	var zero ParamSet
	if _, ok := zero.ValueAt("dibao_standard", polDate(2026, 1, 1)); ok || zero.Len() != 0 {
		t.Fatal("the zero set is not empty")
	}
}

func TestNewParamSetRejects(t *testing.T) {
	ok := Parameter{Name: "a", LabelZh: "甲", LabelEn: "a", Values: []ParamValue{{From: polDate(2025, 1, 1), Value: 1}}}
	tests := []struct {
		name        string
		params      []Parameter
		field, rule string
	}{
		{"duplicate name", []Parameter{ok, ok}, "params[1].name", "unique"},
		{"bad name", []Parameter{{Name: "低保", LabelZh: "x", LabelEn: "x", Values: ok.Values}}, "params[0].name", "format"},
		{"no values", []Parameter{{Name: "b", LabelZh: "x", LabelEn: "x"}}, "params[0].values", "required"},
		{"zero value", []Parameter{{Name: "b", LabelZh: "x", LabelEn: "x", Values: []ParamValue{{From: polDate(2025, 1, 1)}}}}, "params[0].values[0].value", "range"},
		{"no date", []Parameter{{Name: "b", LabelZh: "x", LabelEn: "x", Values: []ParamValue{{Value: 1}}}}, "params[0].values[0].from", "required"},
		{"same date twice", []Parameter{{Name: "b", LabelZh: "x", LabelEn: "x", Values: []ParamValue{
			{From: polDate(2025, 1, 1), Value: 1}, {From: polDate(2025, 1, 1).UTC(), Value: 2}}}}, "params[0].values[1].from", "unique"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewParamSet(tc.params...)
			polWantField(t, err, tc.field, tc.rule)
		})
	}
}

func TestParamSetIsImmutable(t *testing.T) {
	params := polParams(t)
	p, _ := params.Get("dibao_standard")
	p.Values[0].Value = 1
	if v, _ := params.ValueAt("dibao_standard", polDate(2026, 1, 1)); v.Value != Yuan(820) {
		t.Fatal("Get exposed the set's values")
	}
	cut := ParamChange{Name: "dibao_standard", Value: ParamValue{From: polDate(2027, 1, 1), Value: Yuan(800)}}
	changed, err := params.WithValue(cut)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := changed.ValueAt("dibao_standard", polDate(2027, 6, 1)); v.Value != Yuan(800) {
		t.Fatalf("WithValue did not replace the dated value: %v", v)
	}
	if v, _ := params.ValueAt("dibao_standard", polDate(2027, 6, 1)); v.Value != Yuan(870) {
		t.Fatal("WithValue changed the original set")
	}
	without := params.WithoutValue("dibao_standard", polDate(2027, 1, 1))
	if v, _ := without.ValueAt("dibao_standard", polDate(2027, 6, 1)); v.Value != Yuan(820) {
		t.Fatalf("WithoutValue kept the value: %v", v)
	}
	if _, err := params.WithValue(ParamChange{Name: "nope"}); ErrorCode(err) != EINVALID {
		t.Fatalf("WithValue of an unknown parameter: %v", err)
	}
	if _, err := params.WithValue(ParamChange{Name: "dibao_standard", Value: ParamValue{From: polDate(2028, 1, 1)}}); ErrorCode(err) != EINVALID {
		t.Fatalf("WithValue of a zero value: %v", err)
	}
	up := params.Upcoming(polDate(2026, 1, 1))
	if len(up) != 1 || up[0].Name != "dibao_standard" || up[0].Value.Value != Yuan(870) {
		t.Fatalf("Upcoming = %+v", up)
	}
}

func TestParamSetJSON(t *testing.T) {
	params := polParams(t)
	b, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	var back ParamSet
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Len() != 2 {
		t.Fatalf("round trip lost parameters: %s", b)
	}
	if v, _ := back.ValueAt("dibao_standard", polDate(2027, 1, 1)); v.Value != Yuan(870) {
		t.Fatalf("round trip lost values: %s", b)
	}
	if err := json.Unmarshal([]byte(`[{"name":"x","label_zh":"x","label_en":"x","values":[]}]`), &back); ErrorCode(err) != EINVALID {
		t.Fatalf("invalid JSON set: %v", err)
	}
}

func TestPolicyReceivedBy(t *testing.T) {
	p := polValid()
	h := &Household{Assistance: []AssistanceStatus{{Kind: AssistDibao}}}
	if !p.ReceivedBy(h) {
		t.Fatal("a 低保 household does not receive the policy conferring 低保")
	}
	if p.ReceivedBy(&Household{}) {
		t.Fatal("a household without status receives it")
	}
	p.Confers = ""
	if p.ReceivedBy(h) {
		t.Fatal("a policy conferring nothing is received")
	}
}

func TestDepartmentsHaveNames(t *testing.T) {
	if len(Departments()) < 15 {
		t.Fatalf("%d departments", len(Departments()))
	}
	for _, d := range Departments() {
		if !d.Valid() || d.NameZh() == "" {
			t.Errorf("department %s has no name", d)
		}
	}
	if Department("x").Valid() || Department("x").NameZh() != "" {
		t.Error("unknown department is valid")
	}
}
