package main

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/seed"
	"lianzhu/store"
)

// TestDemoOutreach loads the demo district and then its signals and
// warnings as a first start does: warnings in every state, some overdue,
// and the medical-bill family's visited, with a 刚性支出困难家庭 lead and
// services proposed; a second load adds nothing.
func TestDemoOutreach(t *testing.T) {
	ctx := context.Background()
	pii, err := store.NewPII([]byte("0123456789abcdef0123456789abcdef"), "test-id-hash-key-test-id-hash-key!")
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, testenv.MongoURI(t), testenv.DBName(t), store.Options{PII: pii, Logger: quiet,
		FerretDBPostgres: testenv.FerretDBPostgres(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	if err := db.UpsertPlaces(ctx, seed.Places()); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertDemoUsers(ctx, seed.DemoAccounts("x")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := loadDemoDistrict(ctx, db, "x", now, quiet); err != nil {
		t.Fatal(err)
	}
	e := newOutreach(db, seed.Catalogue(), quiet)
	start := time.Now()
	if err := loadDemoOutreach(ctx, db, e, now, quiet); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo signals and warnings loaded in %s", time.Since(start).Round(time.Second))

	warnings, err := demoWarnings(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	states, overdue := map[domain.WarningState]int{}, 0
	for _, w := range warnings {
		states[w.State]++
		if w.Overdue(time.Now()) {
			overdue++
		}
	}
	t.Logf("%d warnings: %v, %d overdue", len(warnings), states, overdue)
	for _, s := range domain.WarningStates() {
		if states[s] == 0 {
			t.Errorf("no %s warning", s)
		}
	}
	if overdue == 0 {
		t.Error("no overdue warning")
	}
	d, err := seed.Demo(seed.DemoOptions{Seed: demoSeed, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	showcase := seed.DemoSignals(d, now, demoSeed).MedicalHardship
	i := slices.IndexFunc(warnings, func(w store.WarningRecord) bool { return w.HouseholdID == showcase })
	if i < 0 {
		t.Fatalf("no warning for the medical-bill family %s", showcase)
	}
	w := warnings[i]
	if w.State != domain.WarningVerified || len(w.NeedIDs) == 0 || len(w.Drafts) == 0 ||
		!slices.ContainsFunc(w.Leads, func(l store.WarningLead) bool { return l.PolicyID == "mz-rigid-expense" && l.Newly }) {
		t.Fatalf("the medical-bill family's warning: %+v, leads %+v", w.Warning, w.Leads)
	}
	proposed := 0
	for _, dr := range w.Drafts[:min(3, len(w.Drafts))] {
		offerings, _, err := db.ListOfferings(ctx, store.OfferingFilter{Within: w.Place, Item: dr.Item, Status: domain.OfferingActive})
		if err != nil {
			t.Fatal(err)
		}
		proposed += len(offerings)
	}
	if proposed == 0 {
		t.Fatalf("no social force offers the family's first needs %+v", w.Drafts)
	}
	if err := loadDemoOutreach(ctx, db, e, now, quiet); err != nil {
		t.Fatal(err)
	}
	if again, err := demoWarnings(ctx, db); err != nil || len(again) != len(warnings) {
		t.Fatalf("a second load changed the warnings: %d, %v", len(again), err)
	}
}
