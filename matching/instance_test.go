package matching_test

import (
	"reflect"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/seed"
)

// TestBuildInstance: only verified providers give targets, volunteers make
// one pool per street, entitled households get a voucher, and a need whose
// household or member is not in the input is left out.
func TestBuildInstance(t *testing.T) {
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	const comm = "610103002002"
	verified, pending := domain.VerificationVerified, domain.VerificationPending
	provider := func(id string, kind domain.ProviderKind, v domain.Verification) domain.Provider {
		return domain.Provider{ID: id, Kind: kind, Place: comm, Verification: v, TrafficLight: domain.LightGreen}
	}
	offering := func(id, provider string) domain.Offering {
		return domain.Offering{ID: id, ProviderID: provider, Item: "meal", Title: "长者食堂", Audience: domain.Audience{Anyone: true},
			Area: domain.ServiceArea{Places: []string{comm}}, Left: 5, Status: domain.OfferingActive, ValidFrom: at.AddDate(0, -1, 0)}
	}
	in := matching.InstanceInput{
		At: at, Catalogue: seed.Catalogue(), Policies: seed.Policies(), Params: seed.PolicyParams(),
		Households: []domain.Household{
			{ID: "h1", Place: comm, Members: []domain.Member{{ID: "m1", BirthYear: 1950}},
				Assistance: []domain.AssistanceStatus{{Kind: domain.AssistDibao}}},
			{ID: "h2", Place: comm, Members: []domain.Member{{ID: "m1", BirthYear: 1980}}},
		},
		Needs: []domain.Need{
			{ID: "n1", HouseholdID: "h1", MemberID: "m1", Place: comm, Item: "meal", Urgency: domain.UrgencyNormal, State: domain.NeedOpen},
			{ID: "n2", HouseholdID: "h-gone", MemberID: "m1", Place: comm, Item: "meal", Urgency: domain.UrgencyNormal, State: domain.NeedOpen},
			{ID: "n3", HouseholdID: "h2", MemberID: "m9", Place: comm, Item: "meal", Urgency: domain.UrgencyNormal, State: domain.NeedOpen},
		},
		Providers: []domain.Provider{provider("p1", domain.ProviderNGO, verified), provider("p2", domain.ProviderNGO, pending),
			provider("v1", domain.ProviderVolunteer, verified), provider("v2", domain.ProviderVolunteer, verified),
			provider("v3", domain.ProviderVolunteer, pending)},
		Offerings:        []domain.Offering{offering("o1", "p1"), offering("o2", "p2"), offering("o3", "nobody")},
		VoucherYearlyFen: matching.DefaultVoucherYearlyFen,
	}
	inst := matching.BuildInstance(in)
	if len(inst.Needs) != 1 || inst.Needs[0].ID != "n1" {
		t.Errorf("needs = %+v, want only n1", inst.Needs)
	}
	var ids []string
	for _, tg := range inst.Targets {
		ids = append(ids, tg.ID)
	}
	if !reflect.DeepEqual(ids, []string{"o1", "pool-610103002"}) || inst.Targets[1].CapacityLeft != 2 {
		t.Errorf("targets = %v (%+v)", ids, inst.Targets)
	}
	if len(inst.Vouchers) != 1 || inst.Vouchers[0] != (matching.OfflineVoucher{HouseholdID: "h1", LeftFen: matching.DefaultVoucherYearlyFen}) {
		t.Errorf("vouchers = %+v", inst.Vouchers)
	}
	if inst.Version != matching.OfflineVersion || len(inst.Catalogue) != 40 || len(inst.Policies) == 0 {
		t.Errorf("instance head: version %d, %d items, %d policies", inst.Version, len(inst.Catalogue), len(inst.Policies))
	}
	in.VoucherYearlyFen = 0
	if v := matching.BuildInstance(in).Vouchers; v != nil {
		t.Errorf("no allowance, vouchers = %+v", v)
	}

	// A district without open needs still evaluates.
	in.Needs = nil
	inst = matching.BuildInstance(in)
	p, err := matching.Prepare(&inst)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	ev := p.Evaluate(func(done, total int) {
		calls++
		if done != calls || total != 2 {
			t.Errorf("progress(%d, %d) at call %d", done, total, calls)
		}
	})
	if calls != 2 || p.OpenNeeds() != 0 || ev.Summary.Households != 2 || ev.Summary.Inside != 1 {
		t.Errorf("calls %d, open needs %d, summary %+v", calls, p.OpenNeeds(), ev.Summary)
	}
}

// TestStagedRunEqualsRunOffline: the server's staged run (Prepare, Evaluate,
// Match) finds what RunOffline finds on the demo district.
func TestStagedRunEqualsRunOffline(t *testing.T) {
	at := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	d, err := seed.Demo(seed.DemoOptions{Seed: 3, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	places, err := domain.NewPlaces(seed.Places())
	if err != nil {
		t.Fatal(err)
	}
	inst := matching.BuildInstance(matching.InstanceInput{At: at, Catalogue: seed.Catalogue(), Policies: seed.Policies(),
		Params: seed.PolicyParams(), Places: places, Households: d.Households, Needs: d.Needs, Providers: d.Providers,
		Offerings: d.Offerings, Jobs: d.Jobs, VoucherYearlyFen: matching.DefaultVoucherYearlyFen})
	want, err := matching.RunOffline(inst, matching.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := matching.Prepare(&inst)
	if err != nil {
		t.Fatal(err)
	}
	ev := p.Evaluate(nil)
	res, err := p.Match(ev, matching.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ev.Proposals, want.PolicyProposals) || !reflect.DeepEqual(res.Assignments, want.Assignments) ||
		!reflect.DeepEqual(res.Unmatched, want.Unmatched) || ev.Summary.JustOutside != want.Summary.JustOutside ||
		ev.Summary.Leads != want.Summary.Leads || p.OpenNeeds() != want.Summary.Needs {
		t.Fatalf("staged run differs from RunOffline: summary %+v vs %+v", ev.Summary, want.Summary)
	}
	if want.Summary.JustOutside == 0 || len(want.Assignments) == 0 {
		t.Fatalf("demo district too small to compare: %+v", want.Summary)
	}
}
