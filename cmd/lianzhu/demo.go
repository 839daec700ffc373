package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"lianzhu/auth"
	"lianzhu/seed"
	"lianzhu/store"
)

// demoSeed picks the demo district every default-mode server loads.
const demoSeed = 1

// demoPasswordHash returns the hash all demo accounts share: the stored one
// when it still matches the configured demo password (one bcrypt check),
// else a fresh one. Rehashing on every start would rewrite every account.
func demoPasswordHash(ctx context.Context, db *store.DB, password string) (string, error) {
	old, err := db.DemoPasswordHash(ctx)
	if err != nil {
		return "", err
	}
	if old != "" && auth.CheckPassword(old, password) {
		return old, nil
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", fmt.Errorf("demo password: %w", err)
	}
	return hash, nil
}

// loadDemoDistrict writes the generated demo district (households, needs,
// providers, offerings, jobs and one account per provider) on first start.
// Every insert skips records that exist, so a start interrupted half-way
// finishes the load at the next one; a loaded district is never reloaded
// (the marker is the last collection written: jobs).
func loadDemoDistrict(ctx context.Context, db *store.DB, hash string, now time.Time, log *slog.Logger) error {
	jobs, _, err := db.ListJobs(ctx, store.JobFilter{Limit: 1})
	if err != nil {
		return err
	}
	if len(jobs) > 0 {
		return nil
	}
	start := time.Now()
	d, err := seed.Demo(seed.DemoOptions{Seed: demoSeed, Now: now, PasswordHash: hash})
	if err != nil {
		return err
	}
	steps := []struct {
		what string
		run  func() (int, error)
	}{
		{"providers", func() (int, error) { return db.InsertProviders(ctx, d.Providers) }},
		{"accounts", func() (int, error) { return len(d.Accounts), db.UpsertDemoUsers(ctx, d.Accounts) }},
		{"households", func() (int, error) { return db.InsertHouseholds(ctx, d.Households) }},
		{"needs", func() (int, error) { return db.InsertNeeds(ctx, d.Needs) }},
		{"offerings", func() (int, error) { return db.InsertOfferings(ctx, d.Offerings) }},
		{"jobs", func() (int, error) { return db.InsertJobs(ctx, d.Jobs) }},
	}
	counts := []any{}
	for _, s := range steps {
		n, err := s.run()
		if err != nil {
			return fmt.Errorf("load demo %s: %w", s.what, err)
		}
		counts = append(counts, s.what, n)
	}
	log.Info("demo district written", append(counts, "took", time.Since(start).Round(time.Millisecond).String())...)
	return nil
}
