package store_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/seed"
	"lianzhu/store"
)

// demoDistrict generates the demo district once per test binary.
var demoDistrict = sync.OnceValues(func() (*seed.District, error) {
	return seed.Demo(seed.DemoOptions{Seed: 7, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), PasswordHash: "x"})
})

// demoSlice is a small, self-consistent part of the demo district: the
// first households with their needs, the first NGOs and enterprises with
// their offerings and jobs. Every call returns fresh copies.
func demoSlice(t *testing.T, households, providers int) seed.District {
	t.Helper()
	d, err := demoDistrict()
	if err != nil {
		t.Fatal(err)
	}
	var out seed.District
	for _, h := range d.Households[:households] {
		h.Members = slices.Clone(h.Members)
		out.Households = append(out.Households, h)
	}
	for _, n := range d.Needs {
		if slices.ContainsFunc(out.Households, func(h domain.Household) bool { return h.ID == n.HouseholdID }) {
			out.Needs = append(out.Needs, n)
		}
	}
	ents := slices.IndexFunc(d.Providers, func(p domain.Provider) bool { return p.Kind == domain.ProviderEnterprise })
	out.Providers = append(slices.Clone(d.Providers[:providers]), d.Providers[ents:ents+providers]...)
	has := func(id string) bool {
		return slices.ContainsFunc(out.Providers, func(p domain.Provider) bool { return p.ID == id })
	}
	for _, o := range d.Offerings {
		if has(o.ProviderID) {
			out.Offerings = append(out.Offerings, o)
		}
	}
	for _, j := range d.Jobs {
		if has(j.EnterpriseID) {
			out.Jobs = append(out.Jobs, j)
		}
	}
	return out
}

func TestBulkInsertIsIdempotent(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		d := demoSlice(t, 20, 15)
		if len(d.Needs) == 0 || len(d.Offerings) == 0 || len(d.Jobs) == 0 {
			t.Fatalf("demo slice too thin: %d needs, %d offerings, %d jobs", len(d.Needs), len(d.Offerings), len(d.Jobs))
		}
		for _, c := range []struct {
			name   string
			insert func() (int, error)
			want   int
		}{
			{"providers", func() (int, error) { return db.InsertProviders(ctx, d.Providers) }, len(d.Providers)},
			{"offerings", func() (int, error) { return db.InsertOfferings(ctx, d.Offerings) }, len(d.Offerings)},
			{"jobs", func() (int, error) { return db.InsertJobs(ctx, d.Jobs) }, len(d.Jobs)},
			{"households", func() (int, error) { return db.InsertHouseholds(ctx, d.Households) }, len(d.Households)},
			{"needs", func() (int, error) { return db.InsertNeeds(ctx, d.Needs) }, len(d.Needs)},
		} {
			if n, err := c.insert(); err != nil || n != c.want {
				t.Fatalf("%s: %d new, %v; want %d", c.name, n, err, c.want)
			}
			if n, err := c.insert(); err != nil || n != 0 {
				t.Fatalf("%s again: %d new, %v; want 0", c.name, n, err)
			}
		}
		if n, err := db.CountHouseholds(ctx); err != nil || n != int64(len(d.Households)) {
			t.Fatalf("CountHouseholds = %d, %v", n, err)
		}
		// What went in comes back.
		o := d.Offerings[0]
		got, err := db.Offering(ctx, o.ID)
		if err != nil || got.Title != o.Title || !got.ValidFrom.Equal(o.ValidFrom) || got.Capacity != o.Capacity || got.Version != 1 {
			t.Fatalf("offering %s = %+v, %v", o.ID, got, err)
		}
		p, err := db.Provider(ctx, d.Providers[0].ID)
		if err != nil || p.CreditCode != d.Providers[0].CreditCode || p.Rating != d.Providers[0].Rating {
			t.Fatalf("provider = %+v, %v", p, err)
		}
		for _, kind := range []string{"offering", "job", "need"} {
			total, dirty, err := db.CountSearchable(ctx, kind)
			if err != nil || total == 0 || dirty != total {
				t.Fatalf("%s: total %d, dirty %d, %v: bulk inserts must be dirty", kind, total, dirty, err)
			}
		}
	})
}

func TestBulkInsertAssignsIDsAndBatches(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		// More than one batch of 500.
		needs := make([]domain.Need, 600)
		for i := range needs {
			needs[i] = domain.Need{HouseholdID: fmt.Sprintf("hh-%d", i%50), MemberID: "m1", Place: "610103002001001",
				Item: "meal", NeutralNote: "需要助餐", Urgency: domain.UrgencyNormal, Channel: domain.ChannelGridWorker, CreatedBy: "c"}
		}
		needs[7].ID = "need-fixed"
		if n, err := db.InsertNeeds(ctx, needs); err != nil || n != len(needs) {
			t.Fatalf("InsertNeeds = %d, %v", n, err)
		}
		for _, n := range needs {
			if n.ID == "" || n.Version != 1 || n.State != domain.NeedOpen || n.CreatedAt.IsZero() {
				t.Fatalf("not filled in: %+v", n)
			}
		}
		if needs[7].ID != "need-fixed" {
			t.Fatalf("a given ID was replaced by %s", needs[7].ID)
		}
		// Half of them again, with two new ones: only the new ones count.
		again := append(slices.Clone(needs[300:550]), domain.Need{HouseholdID: "x", Place: "610103002001"}, domain.Need{HouseholdID: "y", Place: "610103002001"})
		if n, err := db.InsertNeeds(ctx, again); err != nil || n != 2 {
			t.Fatalf("re-run = %d, %v; want 2", n, err)
		}
		if total, _, _ := db.CountSearchable(ctx, "need"); total != 602 {
			t.Fatalf("needs stored = %d", total)
		}
		if n, err := db.InsertNeeds(ctx, nil); err != nil || n != 0 {
			t.Fatalf("empty batch = %d, %v", n, err)
		}
	})
}

func TestBulkProvidersRefuseTakenCreditCodes(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		code := uscc(t, "51610103MJ0000031")
		held := mustCreateProvider(t, db, organisation(domain.ProviderNGO, "已登记", code, "610103002001"))
		batch := []domain.Provider{
			organisation(domain.ProviderNGO, "新的一家", uscc(t, "51610103MJ0000032"), "610103002001"),
			organisation(domain.ProviderUnit, "撞码单位", code, "610103002001"),
			volunteer("志愿者甲", "610103002001"),
			volunteer("志愿者乙", "610103002001"),
			organisation(domain.ProviderNGO, "批内重复", uscc(t, "51610103MJ0000032"), "610103002001"),
		}
		n, err := db.InsertProviders(ctx, batch)
		if n != 3 {
			t.Fatalf("InsertProviders = %d, want 3 (the others are written)", n)
		}
		var de *domain.Error
		if domain.ErrorCode(err) != domain.ECONFLICT || !errors.As(err, &de) || len(de.Fields) != 2 ||
			de.Fields[0].Field != "[1].credit_code" || de.Fields[1].Field != "[4].credit_code" {
			t.Fatalf("want conflicts naming [1] and [4], got %v", err)
		}
		byCode, _ := db.ProvidersByCreditCode(ctx, []string{code})
		if byCode[code].ID != held.ID {
			t.Fatalf("the registered provider was replaced: %+v", byCode[code])
		}
		// A re-run skips what was written and still reports the conflicts.
		if n, err := db.InsertProviders(ctx, batch); n != 0 || domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("re-run = %d, %v", n, err)
		}
	})
}

func mustCreateHousehold(t *testing.T, db *store.DB, h domain.Household) domain.Household {
	t.Helper()
	if err := db.CreateHousehold(t.Context(), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// plainIDs returns the plain ID numbers of the households' members.
func plainIDs(hs []domain.Household) []string {
	var out []string
	for _, h := range hs {
		for _, m := range h.Members {
			out = append(out, m.IDNumber)
		}
	}
	return out
}

func TestBulkHouseholdsSealPII(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		hs := demoSlice(t, 12, 1).Households
		plain := plainIDs(hs)
		if n, err := db.InsertHouseholds(ctx, hs); err != nil || n != len(hs) {
			t.Fatalf("InsertHouseholds = %d, %v", n, err)
		}
		for _, m := range hs[0].Members {
			if m.IDNumber != "" || m.IDHash == "" || !strings.Contains(m.IDMasked, "**********") {
				t.Fatalf("member not sealed in the slice: %+v", m)
			}
		}
		raw := rawHousehold(t, db, hs[0].ID)
		for _, id := range plain[:len(hs[0].Members)] {
			if strings.Contains(raw, id) {
				t.Fatalf("plain ID number stored: %s", raw)
			}
		}
		if got, err := db.RevealIDNumber(ctx, hs[0].ID, hs[0].Members[0].ID); err != nil || got != plain[0] {
			t.Fatalf("RevealIDNumber = %q, %v", got, err)
		}
		found, err := db.HouseholdByIDNumber(ctx, plain[len(plain)-1])
		if err != nil || found.ID != hs[len(hs)-1].ID {
			t.Fatalf("HouseholdByIDNumber = %s, %v", found.ID, err)
		}
		// One bulk lookup answers many numbers; unknown ones are absent.
		stranger := idNumber(t, "61990119700101999")
		owners, err := db.MemberHouseholds(ctx, append(slices.Clone(plain), stranger, ""))
		if err != nil || len(owners) != len(plain) || owners[plain[0]] != hs[0].ID {
			t.Fatalf("MemberHouseholds = %d entries, %v", len(owners), err)
		}
		if _, ok := owners[stranger]; ok {
			t.Fatal("a stranger belongs to a household")
		}
		files, err := db.HouseholdsByID(ctx, []string{hs[0].ID, hs[1].ID, "nope"})
		if err != nil || len(files) != 2 || files[hs[1].ID].Place != hs[1].Place || files[hs[0].ID].Members[0].IDNumber != "" ||
			files[hs[0].ID].Members[0].IDMasked == "" {
			t.Fatalf("HouseholdsByID = %d files, %v", len(files), err)
		}
	})
}

func TestBulkHouseholdsRefuseDuplicates(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		taken := idNumber(t, "61990119500101002")
		existing := mustCreateHousehold(t, db, household("610103002001001", taken))
		fresh1, fresh2 := idNumber(t, "61990119600101003"), idNumber(t, "61990119600101004")
		batch := []domain.Household{
			household("610103002001001", fresh1),
			household("610103003001001", fresh2, taken), // member 1 is in the existing file
		}
		n, err := db.InsertHouseholds(ctx, batch)
		var be *store.BulkDuplicateError
		if n != 0 || !errors.As(err, &be) || len(be.Conflicts) != 1 || domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("want one conflict, got %d, %v", n, err)
		}
		c := be.Conflicts[0]
		if c.Index != 1 || c.MemberIndex != 1 || c.HouseholdID != existing.ID || c.Place != existing.Place || c.OtherIndex != -1 {
			t.Fatalf("conflict = %+v", c)
		}
		if !strings.Contains(err.Error(), "household 1 member 1") {
			t.Fatalf("error does not name the household: %v", err)
		}
		// Nothing was written, not even the clean household's numbers, and
		// the slice keeps its plain numbers for a retry.
		if count, _ := db.CountHouseholds(ctx); count != 1 {
			t.Fatalf("households = %d", count)
		}
		if owners, _ := db.MemberHouseholds(ctx, []string{fresh1, fresh2}); len(owners) != 0 {
			t.Fatalf("numbers claimed by a refused batch: %v", owners)
		}
		if batch[0].Members[0].IDNumber != fresh1 {
			t.Fatal("a refused batch lost its plain numbers")
		}
		if n, err := db.InsertHouseholds(ctx, batch[:1]); err != nil || n != 1 {
			t.Fatalf("retry without the household at fault = %d, %v", n, err)
		}

		// Two households of one batch sharing a number.
		twice := idNumber(t, "61990119700101005")
		n, err = db.InsertHouseholds(ctx, []domain.Household{household("610103002001001", twice), household("610103002001002", twice)})
		if n != 0 || !errors.As(err, &be) || len(be.Conflicts) != 1 || be.Conflicts[0].Index != 1 || be.Conflicts[0].OtherIndex != 0 {
			t.Fatalf("in-batch duplicate: %d, %v", n, err)
		}
		// A file registered by CreateHousehold after a bulk load is refused
		// too: the id_index is shared.
		late := household("610103002001001", fresh1)
		var dm *store.DuplicateMemberError
		if err := db.CreateHousehold(ctx, &late); !errors.As(err, &dm) || dm.HouseholdID != batch[0].ID {
			t.Fatalf("CreateHousehold after bulk: %v", err)
		}
	})
}

func TestBulkHouseholdsTakeOverOrphans(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a := idNumber(t, "61990119800101006")
		// A crash between claiming the number and writing the file.
		lost := mustCreateHousehold(t, db, household("610103002001001", a))
		deleteHouseholdDoc(t, db, lost.ID)
		if owners, _ := db.MemberHouseholds(ctx, []string{a}); len(owners) != 0 {
			t.Fatalf("an orphaned entry counts as a household: %v", owners)
		}
		batch := []domain.Household{household("610103002001001", a)}
		if n, err := db.InsertHouseholds(ctx, batch); err != nil || n != 1 {
			t.Fatalf("InsertHouseholds over an orphan = %d, %v", n, err)
		}
		if found, err := db.HouseholdByIDNumber(ctx, a); err != nil || found.ID != batch[0].ID {
			t.Fatalf("index points at %s, %v", found.ID, err)
		}
	})
}
