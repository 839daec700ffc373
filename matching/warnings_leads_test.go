package matching_test

import (
	"strings"
	"testing"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/seed"
)

// TestLeadsOf: the lead the bill created comes first, with its status
// before and the facts read (the bill's department named); a lead the
// family had before follows, not marked new.
func TestLeadsOf(t *testing.T) {
	h := wsFamily()
	bill := wsSignal("sig-1", domain.SignalLargeMedicalBill, domain.Yuan(15000), "m2", 12)
	ev := wsEvaluate(t, h, []domain.Signal{bill}, seed.SeedWarningRules())
	leads := matching.LeadsOf(ev, seed.Policies())
	if len(leads) != len(ev.Leads) || len(leads) < 2 {
		t.Fatalf("%d leads for %d", len(leads), len(ev.Leads))
	}
	first := leads[0]
	if first.PolicyID != "mz-rigid-expense" || !first.Newly || first.Before == matching.PolicyEligible || first.NameZh == "" ||
		!strings.Contains(first.ReasonsZh[0], "信号后疑似符合") || !strings.Contains(strings.Join(first.ReasonsZh, ""), "医保") {
		t.Fatalf("first lead = %+v", first)
	}
	seenOld := false
	for i, l := range leads {
		if !l.Newly {
			seenOld = true
			if l.PolicyID == "wj-family-doctor" && !strings.Contains(l.ReasonsZh[0], "此前已疑似符合") {
				t.Errorf("old lead = %+v", l)
			}
		} else if seenOld {
			t.Errorf("new lead %d after an old one", i)
		}
	}
	if !seenOld {
		t.Fatal("the family doctor lead the family had before is missing")
	}
	if got := matching.LeadsOf(matching.SignalEvaluation{}, seed.Policies()); len(got) != 0 {
		t.Fatalf("leads of nothing: %+v", got)
	}
}
