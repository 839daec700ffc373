package seed

import (
	"reflect"
	"strings"
	"testing"

	"lianzhu/domain"
)

func TestDemoSignals(t *testing.T) {
	d := mustDemo(t)
	stream := DemoSignals(d, demoNow, 7)
	if n := len(stream.Signals); n != DemoSignalsPerDistrict {
		t.Fatalf("%d signals, want %d", n, DemoSignalsPerDistrict)
	}
	members := map[string]domain.Member{}
	households := map[string]*domain.Household{}
	for i := range d.Households {
		h := &d.Households[i]
		households[h.ID] = h
		for _, m := range h.Members {
			members[m.IDNumber] = m
		}
	}
	kinds := map[domain.SignalKind]int{}
	unmatched := 0
	for i, s := range stream.Signals {
		if err := s.Validate(demoNow); err != nil {
			t.Errorf("%s: %v", s.ID, err)
		}
		if i > 0 && s.Date.Before(stream.Signals[i-1].Date) {
			t.Errorf("%s is out of date order", s.ID)
		}
		kinds[s.Kind]++
		if !strings.HasPrefix(s.IDNumber, DemoIDAreaPrefix) {
			t.Errorf("%s: ID number %s outside the demo area", s.ID, s.IDNumber)
		}
		m, known := members[s.IDNumber]
		switch {
		case s.HouseholdID == "":
			unmatched++
			if known {
				t.Errorf("%s is unmatched but its ID number is %s's", s.ID, m.Name)
			}
		case !known || m.ID != s.MemberID:
			t.Errorf("%s: matched to %s/%s, but the ID number is not that member's", s.ID, s.HouseholdID, s.MemberID)
		default:
			if _, ok := households[s.HouseholdID].Member(s.MemberID); !ok {
				t.Errorf("%s: no member %s in %s", s.ID, s.MemberID, s.HouseholdID)
			}
		}
	}
	if unmatched != stream.Unmatched || unmatched < 3 {
		t.Errorf("%d unmatched signals, stream says %d; want at least 3", unmatched, stream.Unmatched)
	}
	for _, k := range domain.SignalKinds() {
		if kinds[k] == 0 {
			t.Errorf("no %s signal", k)
		}
	}
	t.Logf("kinds: %v", kinds)
}

func TestDemoSignalsMedicalHardship(t *testing.T) {
	d := mustDemo(t)
	stream := DemoSignals(d, demoNow, 7)
	var bills domain.Fen
	for _, s := range stream.Signals {
		if s.HouseholdID == stream.MedicalHardship && s.Kind == domain.SignalLargeMedicalBill {
			bills += s.AmountFen
		}
	}
	var h *domain.Household
	for i := range d.Households {
		if d.Households[i].ID == stream.MedicalHardship {
			h = &d.Households[i]
		}
	}
	if h == nil {
		t.Fatalf("showcase household %q is not in the district", stream.MedicalHardship)
	}
	line, _ := PolicyParams().ValueAt(ParamDisposableIncome, demoNow)
	if !demoJustOutsideRigid(h, line.Value, demoNow) {
		t.Fatalf("showcase %s is not just outside 刚性支出: %+v", h.ID, h)
	}
	if after := h.MedicalOutOfPocket12m.Value + bills; after < domain.Yuan(20000) {
		t.Fatalf("bills of %v leave medical costs at %v, under the ¥20,000 mark", bills, after)
	}
}

func TestDemoSignalsAreDeterministic(t *testing.T) {
	d := mustDemo(t)
	a, b := DemoSignals(d, demoNow, 7), DemoSignals(d, demoNow, 7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave two streams")
	}
	if c := DemoSignals(d, demoNow, 8); reflect.DeepEqual(a.Signals, c.Signals) {
		t.Fatal("another seed gave the same stream")
	}
	if empty := DemoSignals(&District{}, demoNow, 7); len(empty.Signals) != 0 {
		t.Fatalf("an empty district got %d signals", len(empty.Signals))
	}
}
