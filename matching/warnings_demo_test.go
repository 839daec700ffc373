package matching_test

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/seed"
)

// wdAt is the demo district's reference time for the signal tests.
var wdAt = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// wdDemo is the demo district and its signal stream, made once: under -race
// the district costs seconds.
var wdDemo = sync.OnceValues(func() (*seed.District, error) {
	return seed.Demo(seed.DemoOptions{Seed: 3, Now: wdAt})
})

func wdDistrict(tb testing.TB) (*seed.District, seed.DemoSignalStream) {
	tb.Helper()
	d, err := wdDemo()
	if err != nil {
		tb.Fatal(err)
	}
	return d, seed.DemoSignals(d, wdAt, 3)
}

// wdGroup groups matched signals by household, households in the order of
// their first signal.
func wdGroup(signals []domain.Signal) ([]string, map[string][]domain.Signal) {
	var order []string
	groups := map[string][]domain.Signal{}
	for _, s := range signals {
		if s.HouseholdID == "" {
			continue // unmatched: kept for a coordinator, evaluated once resolved
		}
		if _, seen := groups[s.HouseholdID]; !seen {
			order = append(order, s.HouseholdID)
		}
		groups[s.HouseholdID] = append(groups[s.HouseholdID], s)
	}
	return order, groups
}

func wdHouseholds(d *seed.District) map[string]*domain.Household {
	out := make(map[string]*domain.Household, len(d.Households))
	for i := range d.Households {
		out[d.Households[i].ID] = &d.Households[i]
	}
	return out
}

// TestDemoSignalStreamEvaluation evaluates the demo stream: the showcase
// family gets a warning, a 刚性支出 lead and services; every warning is
// valid; and the shortcut of evaluating before only what could have moved
// gives exactly a full evaluation.
func TestDemoSignalStreamEvaluation(t *testing.T) {
	d, stream := wdDistrict(t)
	policies, params, rules, cat := seed.Policies(), seed.PolicyParams(), seed.SeedWarningRules(), seed.Catalogue()
	households := wdHouseholds(d)
	order, groups := wdGroup(stream.Signals)
	severities := map[domain.Severity]int{}
	for _, id := range order {
		h := households[id]
		ev := matching.EvaluateSignals(h, groups[id], rules, policies, params, wdAt)
		if full := matching.EvaluateHousehold(h, policies, params, wdAt); !reflect.DeepEqual(ev.Before, full) {
			t.Fatalf("%s: the before evaluation differs from a full one", id)
		}
		if ev.Warning != nil {
			severities[ev.Warning.Warning.Severity]++
			if err := ev.Warning.Warning.Validate(wdAt); err != nil {
				t.Errorf("%s: warning invalid: %v", id, err)
			}
		}
	}
	if severities[domain.SeverityRed] == 0 || severities[domain.SeverityOrange] == 0 || severities[domain.SeverityYellow] == 0 {
		t.Errorf("warnings by severity %v: want every severity in the demo", severities)
	}
	t.Logf("%d households with signals, warnings by severity %v", len(order), severities)

	h := households[stream.MedicalHardship]
	if h == nil {
		t.Fatal("no showcase household")
	}
	ev := matching.EvaluateSignals(h, groups[h.ID], rules, policies, params, wdAt)
	if ev.Warning == nil || !slices.Contains(wsPolicyIDs(ev.NewlyEligible), "mz-rigid-expense") {
		t.Fatalf("showcase %s: warning %+v, newly eligible %v", h.ID, ev.Warning, wsPolicyIDs(ev.NewlyEligible))
	}
	drafts := matching.DraftNeeds(ev.Household, groups[h.ID], cat, wdAt)
	if len(drafts) == 0 || drafts[0].Item != "application_help" {
		t.Fatalf("showcase drafts = %+v", drafts)
	}
	for _, r := range ev.Warning.Reasons {
		t.Log(r.TextZh)
	}
}

func TestDraftNeeds(t *testing.T) {
	cat := seed.Catalogue()
	disabled := wsSignal("s", domain.SignalNewDisability, 0, "m1", 1)
	disabled.Disability = &domain.Disability{Type: domain.DisabilityPhysical, Grade: 1}
	tests := []struct {
		name        string
		signal      domain.Signal
		top, member string
		also        []string
	}{
		{"medical bill", wsSignal("s", domain.SignalLargeMedicalBill, domain.Yuan(20000), "m2", 1), "application_help", "",
			[]string{"medical_escort", "home_care", "meal_delivery", "respite"}},
		{"serious illness", wsSignal("s", domain.SignalSeriousIllness, 0, "m2", 1), "medical_escort", "m2", []string{"home_nursing"}},
		{"job loss", wsSignal("s", domain.SignalJobLoss, 0, "m1", 1), "job_placement", "m1",
			[]string{"skills_training", "flexible_employment", "public_welfare_job"}},
		{"new disability", disabled, "rehabilitation", "m1",
			[]string{"assistive_device", "age_friendly_adaptation", "mobility", "home_care", "respite"}},
		{"earner death", wsSignal("s", domain.SignalEarnerDeath, 0, "m1", 1), "counselling", "", []string{"application_help", "tutoring", "legal_aid"}},
		{"utility arrears", wsSignal("s", domain.SignalUtilityArrears, domain.Yuan(500), "m1", 1), "application_help", "", []string{"resource_linking"}},
		{"school fees", wsSignal("s", domain.SignalSchoolFeeHardship, domain.Yuan(500), "m3", 1), "application_help", "", []string{"tutoring"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			drafts := matching.DraftNeeds(wsFamily(), []domain.Signal{tc.signal}, cat, wsAt)
			if len(drafts) == 0 || len(drafts) > matching.MaxDraftNeeds {
				t.Fatalf("%d drafts", len(drafts))
			}
			if drafts[0].Item != tc.top || drafts[0].MemberID != tc.member || len(drafts[0].Reasons) == 0 {
				t.Fatalf("top draft = %+v, want %s for %q", drafts[0], tc.top, tc.member)
			}
			var items []string
			for i, dn := range drafts {
				items = append(items, dn.Item)
				if i > 0 && dn.Score > drafts[i-1].Score {
					t.Fatalf("drafts not ranked: %+v", drafts)
				}
				if it, ok := cat.Get(dn.Item); !ok || it.NameZh != dn.NameZh {
					t.Fatalf("draft %s not in the catalogue", dn.Item)
				}
			}
			for _, want := range tc.also {
				if !slices.Contains(items, want) {
					t.Errorf("drafts %v lack %s", items, want)
				}
			}
		})
	}
}

func TestDraftNeedsLimits(t *testing.T) {
	h := wsFamily()
	signals := []domain.Signal{
		wsSignal("s1", domain.SignalLargeMedicalBill, domain.Yuan(9000), "m2", 9),
		wsSignal("s2", domain.SignalLargeMedicalBill, domain.Yuan(9000), "m2", 5),
		wsSignal("s3", domain.SignalJobLoss, 0, "m1", 5),
	}
	one := matching.DraftNeeds(h, signals[:1], seed.Catalogue(), wsAt)
	two := matching.DraftNeeds(h, signals[:2], seed.Catalogue(), wsAt)
	if !reflect.DeepEqual(one, two) {
		t.Fatal("a second bill for the same person changed the drafts")
	}
	if all := matching.DraftNeeds(h, signals, seed.Catalogue(), wsAt); len(all) != matching.MaxDraftNeeds {
		t.Fatalf("%d drafts, want the cap of %d", len(all), matching.MaxDraftNeeds)
	}
	small := domain.NewCatalogue([]domain.CatalogueItem{{Code: "job_placement", NameZh: "就业推荐"}})
	if got := matching.DraftNeeds(h, signals, small, wsAt); len(got) != 1 || got[0].Item != "job_placement" {
		t.Fatalf("drafts outside the catalogue: %+v", got)
	}
	h.DoNotContact = true
	if got := matching.DraftNeeds(h, signals, seed.Catalogue(), wsAt); got == nil || len(got) != 0 {
		t.Fatalf("drafts for a household that asked not to be contacted: %+v", got)
	}
}

// wdSynthesize makes n signals from the demo stream: copy k ≥ 1 of a
// signal is about a member of another household, dated k%60 days earlier,
// with the amount varied, so that the batch spreads over the district.
func wdSynthesize(d *seed.District, stream []domain.Signal, n int) []domain.Signal {
	index := map[string]int{}
	for i, h := range d.Households {
		index[h.ID] = i
	}
	out := make([]domain.Signal, 0, n)
	for k := 0; len(out) < n; k++ {
		for _, s := range stream {
			if len(out) == n {
				break
			}
			s.ID = fmt.Sprintf("sig-b%07d", len(out))
			s.Date = s.Date.AddDate(0, 0, -(k % 60))
			s.AmountFen = s.AmountFen * domain.Fen(10+k%7) / 10
			if hi, ok := index[s.HouseholdID]; ok && k > 0 {
				h := &d.Households[(hi+k*7919)%len(d.Households)]
				m := h.Members[k%len(h.Members)]
				s.HouseholdID, s.MemberID, s.IDNumber = h.ID, m.ID, m.IDNumber
			}
			out = append(out, s)
		}
	}
	return out
}

// BenchmarkEvaluateSignals ingests a city's monthly batch, 100,000 signals
// over the demo district, as the import does after matching ID hashes:
// group by household, then EvaluateSignals with the seed rules and the
// whole policy catalogue for each household.
func BenchmarkEvaluateSignals(b *testing.B) {
	d, stream := wdDistrict(b)
	signals := wdSynthesize(d, stream.Signals, 100_000)
	households := wdHouseholds(d)
	policies, params, rules := seed.Policies(), seed.PolicyParams(), seed.SeedWarningRules()
	warnings := 0
	b.ReportAllocs()
	cpu := wdCPUTime()
	for b.Loop() {
		warnings = 0
		order, groups := wdGroup(signals)
		for _, id := range order {
			if ev := matching.EvaluateSignals(households[id], groups[id], rules, policies, params, wdAt); ev.Warning != nil {
				warnings++
			}
		}
	}
	// Wall time depends on what else the machine runs; CPU time (of every
	// thread, the collector's too) less so.
	cpu = wdCPUTime() - cpu
	b.ReportMetric(float64(len(signals)*b.N)/b.Elapsed().Seconds(), "signals/s")
	if cpu > 0 {
		b.ReportMetric(float64(len(signals)*b.N)/cpu.Seconds(), "signals/cpu-s")
	}
	b.ReportMetric(float64(warnings), "warnings")
}

// wdCPUTime is the CPU time the process has used, 0 if unknown.
func wdCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
