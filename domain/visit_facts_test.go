package domain

import (
	"slices"
	"testing"
	"time"
)

func TestVisitFacts(t *testing.T) {
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	h := &Household{Members: []Member{{ID: "m1"}, {ID: "m2"}},
		MonthlyIncome: &Fact[Fen]{Value: Yuan(3000), Source: SourceSelfReported, Date: at.AddDate(0, -2, 0)}}
	income, unemployed, ill := Yuan(2000), EmploymentUnemployed, true
	f := VisitFacts{MonthlyIncomeFen: &income, Members: []MemberVisitFacts{{MemberID: "m2", Employment: &unemployed, SeriousIllness: &ill}}}
	if err := f.Validate(h); err != nil {
		t.Fatal(err)
	}
	changed := f.Apply(h, at)
	if !slices.Equal(changed, []string{"monthly_income", "members[m2].employment", "members[m2].serious_illness"}) ||
		h.MonthlyIncome.Value != income || h.MonthlyIncome.Source != SourceHomeVisit || !h.MonthlyIncome.Date.Equal(at) ||
		h.Members[1].Employment.Value != unemployed {
		t.Fatalf("changed %v, household %+v", changed, h)
	}
	if again := f.Apply(h, at); len(again) != 0 {
		t.Fatalf("applying the same visit twice changed %v", again)
	}
	if !(VisitFacts{}).Empty() || f.Empty() {
		t.Fatal("Empty")
	}

	neg, alone, bad := Fen(-1), true, Employment("astronaut")
	wrong := VisitFacts{AssetsFen: &neg, LivingAlone: &alone,
		Members: []MemberVisitFacts{{MemberID: "m9"}, {MemberID: "m1", Employment: &bad}, {MemberID: "m1"},
			{MemberID: "m2", Disability: &Disability{Type: DisabilityPhysical, Grade: 5}}}}
	err := wrong.Validate(h)
	var fields []string
	for _, fe := range err.(*Error).Fields {
		fields = append(fields, fe.Field)
	}
	for _, want := range []string{"facts.assets_fen", "facts.living_alone", "facts.members[0].member_id", "facts.members[1].employment",
		"facts.members[2].member_id", "facts.members[3].disability"} {
		if !slices.Contains(fields, want) {
			t.Errorf("no problem at %s: %v", want, fields)
		}
	}
}
