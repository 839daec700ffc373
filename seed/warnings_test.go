package seed

import (
	"slices"
	"testing"

	"lianzhu/domain"
)

func TestSeedWarningRulesValidate(t *testing.T) {
	rules := SeedWarningRules()
	if err := domain.ValidateWarningRules(rules, Policies(), PolicyParams()); err != nil {
		t.Fatalf("seed warning rules do not validate: %v", err)
	}
	if len(rules) < 10 {
		t.Errorf("%d rules, want about ten", len(rules))
	}
	severities := map[domain.Severity]int{}
	for _, r := range rules {
		severities[r.Severity]++
		if !r.Demo {
			t.Errorf("%s is not marked as demonstration data", r.ID)
		}
	}
	for _, s := range domain.Severities() {
		if severities[s] == 0 {
			t.Errorf("no %s rule", s)
		}
	}
	// Every kind of signal can raise a warning, or departments would share
	// data that nothing reads.
	for _, k := range domain.SignalKinds() {
		if !slices.ContainsFunc(rules, func(r domain.WarningRule) bool { return r.TriggeredBy(k) }) {
			t.Errorf("no rule is triggered by %s", k)
		}
	}
}

func TestSeedWarningRulesAreFreshEachCall(t *testing.T) {
	a := SeedWarningRules()
	for i := range a {
		for j := range a[i].Conditions {
			if c := a[i].Conditions[j].Criterion; c != nil {
				c.Kind = "tampered"
			}
		}
		a[i].Triggers[0] = "tampered"
	}
	if err := domain.ValidateWarningRules(SeedWarningRules(), Policies(), PolicyParams()); err != nil {
		t.Fatalf("SeedWarningRules shares state between calls: %v", err)
	}
}
