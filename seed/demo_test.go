package seed

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
)

// demoNow is a fixed reference time, so that every test sees the same data.
var demoNow = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

// demoScale1 generates the scale-1 district once for all tests: under -race
// each run costs about a second.
var demoScale1 = sync.OnceValues(func() (*District, error) {
	return Demo(DemoOptions{Seed: 42, Scale: 1, Now: demoNow, PasswordHash: "hash"})
})

func mustDemo(tb testing.TB) *District {
	tb.Helper()
	d, err := demoScale1()
	if err != nil {
		tb.Fatalf("Demo: %v", err)
	}
	return d
}

func TestDemoValuesValidate(t *testing.T) {
	d := mustDemo(t)
	places, err := domain.NewPlaces(Places())
	if err != nil {
		t.Fatal(err)
	}
	cat := Catalogue()
	fail := func(what, id string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s %s: %v", what, id, err)
		}
	}
	households := map[string]*domain.Household{}
	for i := range d.Households {
		h := &d.Households[i]
		fail("household", h.ID, h.Validate(places, demoNow))
		households[h.ID] = h
	}
	for _, n := range d.Needs {
		fail("need", n.ID, n.Validate(places, cat, demoNow))
		h, ok := households[n.HouseholdID]
		if _, member := h.Member(n.MemberID); !ok || !member || h.Place != n.Place {
			t.Errorf("need %s points to household %s member %s, not in the district", n.ID, n.HouseholdID, n.MemberID)
		}
	}
	providers := map[string]domain.Provider{}
	for _, p := range d.Providers {
		fail("provider", p.ID, p.Validate(places, demoNow))
		providers[p.ID] = p
	}
	for _, o := range d.Offerings {
		fail("offering", o.ID, o.Validate(places, cat, demoNow))
		if p, ok := providers[o.ProviderID]; !ok || p.Kind == domain.ProviderVolunteer {
			t.Errorf("offering %s: provider %q is not an organisation of the district", o.ID, o.ProviderID)
		}
	}
	for _, j := range d.Jobs {
		fail("job", j.ID, j.Validate(places, cat, demoNow))
		if p := providers[j.EnterpriseID]; p.Kind != domain.ProviderEnterprise && p.Kind != domain.ProviderUnit {
			t.Errorf("job %s: employer %q is not an enterprise or unit", j.ID, j.EnterpriseID)
		}
	}
	for _, u := range d.Accounts {
		fail("account", u.Username, u.Validate(places))
		// Usernames are the provider kind and a number: ngo12, volunteer7.
		if p, ok := providers[u.ProviderID]; !ok || string(p.Kind) != strings.TrimRight(u.Username, "0123456789") {
			t.Errorf("account %s bound to %q (%s)", u.Username, u.ProviderID, p.Kind)
		}
		if !u.Demo || u.PasswordHash != "hash" {
			t.Errorf("account %s: demo %v, hash %q", u.Username, u.Demo, u.PasswordHash)
		}
	}
	for _, v := range d.Volunteers {
		if providers[v.ProviderID].Kind != domain.ProviderVolunteer || len(v.Skills) == 0 || len(v.Items) == 0 {
			t.Errorf("volunteer profile %+v", v)
		}
		for _, it := range v.Items {
			if ci, ok := cat.Get(it); !ok || !ci.TaskLike {
				t.Errorf("volunteer %s: item %q is not a task-like item", v.ProviderID, it)
			}
		}
	}
	for _, ids := range [][]string{
		demoCollect(d.Households, func(h domain.Household) string { return h.ID }),
		demoCollect(d.Needs, func(n domain.Need) string { return n.ID }),
		demoCollect(d.Providers, func(p domain.Provider) string { return p.ID }),
		// Organisations have unique names and codes; people may share a name.
		demoCollect(slices.DeleteFunc(slices.Clone(d.Providers), demoIsVolunteer), func(p domain.Provider) string { return p.Name }),
		demoCollect(slices.DeleteFunc(slices.Clone(d.Providers), demoIsVolunteer), func(p domain.Provider) string { return p.CreditCode }),
		demoCollect(d.Offerings, func(o domain.Offering) string { return o.ID }),
		demoCollect(d.Jobs, func(j domain.JobOpening) string { return j.ID }),
		demoCollect(d.Accounts, func(u domain.User) string { return u.Username }),
	} {
		if dup := demoFirstDuplicate(ids); dup != "" {
			t.Errorf("duplicate %q", dup)
		}
	}
}

func TestDemoIsDeterministic(t *testing.T) {
	a := mustDemo(t)
	later := demoNow.Add(9 * time.Hour) // same UTC day
	b, err := Demo(DemoOptions{Seed: 42, Scale: 1, Now: later, PasswordHash: "hash"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed and day gave different districts")
	}
	c, err := Demo(DemoOptions{Seed: 43, Scale: 1, Now: demoNow, PasswordHash: "hash"})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Households, c.Households) || reflect.DeepEqual(a.Providers, c.Providers) {
		t.Fatal("a different seed gave the same district")
	}
}

func TestDemoRejectsBadOptions(t *testing.T) {
	for name, opts := range map[string]DemoOptions{
		"no time":        {Seed: 1},
		"negative scale": {Seed: 1, Scale: -1, Now: demoNow},
	} {
		if _, err := Demo(opts); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
}

func TestDemoProportions(t *testing.T) {
	d := mustDemo(t)
	kinds := map[domain.ProviderKind]int{}
	for _, p := range d.Providers {
		kinds[p.Kind]++
	}
	want := map[domain.ProviderKind]int{domain.ProviderNGO: 188, domain.ProviderUnit: 288,
		domain.ProviderEnterprise: 374, domain.ProviderVolunteer: 1055}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("providers = %v, want %v", kinds, want)
	}
	users := demoCollect(d.Accounts, func(u domain.User) string { return u.Username })
	for _, name := range []string{"ngo1", "ngo188", "unit288", "enterprise374", "volunteer1", "volunteer1055"} {
		if !slices.Contains(users, name) {
			t.Errorf("no account %s", name)
		}
	}
	if len(d.Accounts) != len(d.Providers) {
		t.Errorf("%d accounts for %d providers", len(d.Accounts), len(d.Providers))
	}

	for _, h := range d.Households {
		if len(h.Members) < 1 || len(h.Members) > 5 {
			t.Errorf("household %s has %d members", h.ID, len(h.Members))
		}
	}
	if len(d.Households) < 3000 {
		t.Errorf("%d households, want at least 3,000", len(d.Households))
	}
	tiers, outside, alone := demoTierCounts(d.Households)
	for _, k := range domain.AssistanceKinds() {
		if tiers[string(k)] == 0 {
			t.Errorf("no household with status %s", k)
		}
	}
	if outside*10 < len(d.Households) {
		t.Errorf("%d of %d households just outside the 低保 line, want ≥ 10%%", outside, len(d.Households))
	}
	if alone*5 < len(d.Households) {
		t.Errorf("only %d households are elderly people living alone", alone)
	}
	items := map[string]int{}
	for _, n := range d.Needs {
		items[n.Item]++
	}
	if len(d.Needs) < 3000 || len(items) < 35 {
		t.Errorf("%d needs over %d items, want ≥ 3,000 over ≥ 35", len(d.Needs), len(items))
	}
	t.Logf("households %d, by status %v, just outside %d, elderly alone %d", len(d.Households), tiers, outside, alone)
	t.Logf("needs %d over %d items, by tier %v", len(d.Needs), len(items), demoNeedTiers(d.Needs))
	t.Logf("offerings %d, jobs %d, accounts %d", len(d.Offerings), len(d.Jobs), len(d.Accounts))
}

func TestDemoPrivacy(t *testing.T) {
	d := mustDemo(t)
	names := map[string][]string{}
	ids := map[string]bool{}
	var dnc, minors, withdrawn, jobless, employerOK int
	for _, h := range d.Households {
		dnc += demoBoolInt(h.DoNotContact)
		for _, m := range h.Members {
			names[h.ID] = append(names[h.ID], m.Name)
			if !strings.HasPrefix(m.IDNumber, DemoIDAreaPrefix) || domain.ValidateIDNumber(m.IDNumber, demoNow) != nil {
				t.Errorf("%s/%s: ID number %q is not a valid demo number", h.ID, m.ID, m.IDNumber)
			}
			if ids[m.IDNumber] {
				t.Errorf("ID number %s used twice", m.IDNumber)
			}
			ids[m.IDNumber] = true
		}
		for _, c := range h.Consents {
			minors += demoBoolInt(c.Guardian != nil)
			withdrawn += demoBoolInt(c.Action == domain.ConsentWithdraw)
		}
		for _, m := range h.Members {
			if m.Employment != nil && m.Employment.Value == domain.EmploymentUnemployed {
				jobless++
				employerOK += demoBoolInt(h.Allows(m.ID, domain.RecipientEmployer))
			}
		}
	}
	if dnc == 0 || minors == 0 || withdrawn == 0 {
		t.Errorf("do-not-contact households %d, guardian consents %d, withdrawals %d: want some of each", dnc, minors, withdrawn)
	}
	// Some jobseekers keep their file from employers: matching must respect that.
	if employerOK == 0 || employerOK == jobless {
		t.Errorf("%d of %d unemployed members allow employers: want most, not all", employerOK, jobless)
	}
	withPhone := 0
	for _, n := range d.Needs {
		if demoDigitRun(n.NeutralNote) >= 6 {
			t.Errorf("need %s: neutral note %q holds a number", n.ID, n.NeutralNote)
		}
		for _, name := range names[n.HouseholdID] {
			if strings.Contains(n.NeutralNote, name) {
				t.Errorf("need %s: neutral note %q names %s", n.ID, n.NeutralNote, name)
			}
		}
		if strings.ContainsAny(n.OwnWords+n.NeutralNote, "@~#%|") {
			t.Errorf("need %s: template residue in %q / %q", n.ID, n.OwnWords, n.NeutralNote)
		}
		withPhone += demoBoolInt(demoDigitRun(n.OwnWords) >= 11)
	}
	if withPhone == 0 {
		t.Error("no resident's own words carry a phone number: the privacy split is untested")
	}
}

func TestDemoScales(t *testing.T) {
	one := mustDemo(t)
	two, err := Demo(DemoOptions{Seed: 42, Scale: 2, Now: demoNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		one, two int
	}{
		{"households", len(one.Households), len(two.Households)},
		{"providers", len(one.Providers), len(two.Providers)},
		{"accounts", len(one.Accounts), len(two.Accounts)},
		{"needs", len(one.Needs), len(two.Needs)},
		{"offerings", len(one.Offerings), len(two.Offerings)},
		{"jobs", len(one.Jobs), len(two.Jobs)},
	} {
		if r := float64(c.two) / float64(c.one); r < 1.8 || r > 2.2 {
			t.Errorf("%s: %d at scale 1, %d at scale 2", c.name, c.one, c.two)
		}
	}
	if _, err := domain.NewPlaces(ScaledPlaces(2)); err != nil {
		t.Fatalf("scaled places: %v", err)
	}
	tree, _ := domain.NewPlaces(ScaledPlaces(2))
	for _, h := range two.Households {
		if _, ok := tree.Get(h.Place); !ok {
			t.Fatalf("household %s in unknown place %s", h.ID, h.Place)
		}
		for _, m := range h.Members {
			if m.IDNumber != "" && domain.ValidateIDNumber(m.IDNumber, demoNow) != nil {
				t.Fatalf("relocated ID number %s is not valid", m.IDNumber)
			}
		}
	}
	for _, p := range two.Providers {
		if p.CreditCode != "" && domain.ValidateUSCC(p.CreditCode) != nil {
			t.Fatalf("relocated credit code %s is not valid", p.CreditCode)
		}
	}
	ids := map[string]bool{}
	for _, h := range two.Households {
		for _, m := range h.Members {
			if ids[m.IDNumber] {
				t.Fatalf("scale 2: ID number %s used twice", m.IDNumber)
			}
			ids[m.IDNumber] = true
		}
	}
}

func BenchmarkDemo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Demo(DemoOptions{Seed: uint64(b.N), Scale: 1, Now: demoNow}); err != nil {
			b.Fatal(err)
		}
	}
}

// demoTierCounts counts households by status, those just outside the 低保
// line (no layered status, per-capita income incl. support in (1, 1.5] ×
// the demo standard) and elderly people living alone.
func demoTierCounts(hs []domain.Household) (tiers map[string]int, outside, alone int) {
	tiers = map[string]int{}
	for _, h := range hs {
		layered := false
		for _, a := range h.Assistance {
			tiers[string(a.Kind)]++
			if a.SupportMode != "" {
				tiers[string(a.Kind)+"/"+string(a.SupportMode)]++
			}
			layered = layered || a.Kind == domain.AssistTekun || a.Kind == domain.AssistDibao ||
				a.Kind == domain.AssistDibaoEdge || a.Kind == domain.AssistRigidExpense
		}
		if h.LivingAlone != nil && h.LivingAlone.Value && h.Members[0].Age(demoNow) >= 60 {
			alone++
		}
		if layered || h.MonthlyIncome == nil {
			continue
		}
		total := h.MonthlyIncome.Value
		if h.Supporters != nil {
			for _, s := range h.Supporters.Value {
				total += s.MonthlySupportFen
			}
		}
		perCapita := total / domain.Fen(len(h.Members))
		if perCapita > DemoDibaoStandardFen && perCapita*2 <= DemoDibaoStandardFen*3 {
			outside++
		}
	}
	return tiers, outside, alone
}

func demoNeedTiers(needs []domain.Need) map[domain.Tier]int {
	cat := Catalogue()
	out := map[domain.Tier]int{}
	for _, n := range needs {
		it, _ := cat.Get(n.Item)
		out[it.Tier]++
	}
	return out
}

// demoDigitRun returns the longest run of ASCII digits in s.
func demoDigitRun(s string) int {
	best, run := 0, 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func demoCollect[T any](s []T, key func(T) string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = key(v)
	}
	return out
}

func demoFirstDuplicate(s []string) string {
	seen := map[string]bool{}
	for _, v := range s {
		if seen[v] {
			return v
		}
		seen[v] = true
	}
	return ""
}

func demoIsVolunteer(p domain.Provider) bool { return p.Kind == domain.ProviderVolunteer }

func demoBoolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
