package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"log/slog"
	"sync"
	"time"

	"lianzhu/domain"
	"lianzhu/search"
	"lianzhu/store"
)

// startWorkers runs the server's background work until ctx ends: the search
// index worker (after the index settings are in place), the hourly sweep
// of expired refresh tokens, and the one-off migration of household files. Wait on the result after cancelling ctx.
func startWorkers(ctx context.Context, syncer *search.Syncer, idx *search.Indexes, db *store.DB, log *slog.Logger) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Go(func() {
		if setupIndexes(ctx, idx, log) {
			syncer.Run(ctx)
		}
	})
	wg.Go(func() { sweep(ctx, db, log) })
	wg.Go(func() {
		// Once per start: household files of the old embedded format become
		// binary (store/household_file.go), so reads stop paying for them.
		if n, err := db.MigrateHouseholdFiles(ctx); err != nil && ctx.Err() == nil {
			log.Warn("migrate household files; the next start continues", "rewritten", n, "err", err.Error())
		} else if n > 0 {
			log.Info("migrated household files to the binary format", "rewritten", n)
		}
	})
	return &wg
}

// setupIndexes applies the index settings, retrying while Meilisearch is
// unreachable: the server serves (and writes) meanwhile, and the index worker
// starts once the indexes exist. It reports false when ctx ended first.
func setupIndexes(ctx context.Context, idx *search.Indexes, log *slog.Logger) bool {
	wait := time.Second
	for {
		err := idx.Setup(ctx)
		if err == nil {
			return true
		}
		log.Warn("search index setup failed; retrying", "err", err.Error(), "in", wait.String())
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// sweep does the store's housekeeping at start and hourly: it deletes
// expired refresh tokens (no TTL indexes on FerretDB) and fails imports whose
// server stopped mid-way (silent for 15 minutes).
func sweep(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := db.DeleteExpiredRefreshTokens(ctx, time.Now()); err != nil {
			log.Warn("sweep refresh tokens", "err", err.Error())
		} else if n > 0 {
			log.Debug("swept refresh tokens", "count", n)
		}
		if n, err := db.FailStaleImports(ctx, time.Now().Add(-15*time.Minute)); err != nil {
			log.Warn("sweep stale imports", "err", err.Error())
		} else if n > 0 {
			log.Warn("imports interrupted by a restart marked failed", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// placeTreeOf reads the place tree from the store.
func placeTreeOf(ctx context.Context, db *store.DB) (*domain.Places, error) {
	list, err := db.Places(ctx)
	if err != nil {
		return nil, err
	}
	return domain.NewPlaces(list)
}

// indexAdmin gives the admin API the index maintenance the CLI has.
type indexAdmin struct {
	idx *search.Indexes
	src search.Source
}

func (a *indexAdmin) Reindex(ctx context.Context, kind string) (int, error) {
	return a.idx.Reindex(ctx, a.src, kind)
}

func (a *indexAdmin) Drift(ctx context.Context) ([]search.DriftReport, error) {
	return a.idx.Drift(ctx, a.src)
}

// taskSweepEvery is how often the task sweeper runs: a lapsed claim waits at
// most this long for it (reads release it at once anyway).
const taskSweepEvery = time.Minute

// sweepTasks is the volunteer tasks' reconciler, at start and every minute:
// lapsed claims back to open, forgotten check-outs cut at the maximum visit,
// and whatever a crash left between a task's change and its need or the
// household log (store.SweepTasks); referrals whose capacity, voucher, need,
// proposal, log or task a crash left behind (store.SweepReferrals); sign-ups
// cut short are finished or undone;
// job applications whose proposal, need, employment entry or review flag a
// crash left behind are brought up to date (store.SweepApplications).
func sweepTasks(ctx context.Context, db *store.DB, cat *domain.Catalogue, log *slog.Logger) {
	t := time.NewTicker(taskSweepEvery)
	defer t.Stop()
	for {
		s, err := db.SweepTasks(ctx, domain.DefaultTaskRules(), cat)
		if err != nil {
			log.Warn("sweep tasks", "err", err.Error())
		}
		if s.Expired+s.CheckedOut > 0 {
			log.Info("swept tasks", "expired_claims", s.Expired, "auto_checked_out", s.CheckedOut, "synced", s.Synced)
		}
		if r, err := db.SweepReferrals(ctx, cat); err != nil {
			log.Warn("sweep referrals", "err", err.Error())
		} else if r.Synced+r.Capacity+r.Records+r.Released > 0 {
			log.Info("swept referrals", "synced", r.Synced, "capacity_fixed", r.Capacity, "records_repaired", r.Records,
				"reservations_released", r.Released)
		}
		if n, err := db.RepairVolunteerSignups(ctx, 10*time.Minute); err != nil {
			log.Warn("repair volunteer sign-ups", "err", err.Error())
		} else if n > 0 {
			log.Warn("volunteer sign-ups cut short by a crash repaired", "count", n)
		}
		if n, err := db.SweepApplications(ctx); err != nil {
			log.Warn("sweep job applications", "err", err.Error())
		} else if n > 0 {
			log.Info("job applications synced by the sweeper", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// proofKey derives the key of one-time proof codes from the JWT secret, for
// its own purpose: a code hash never doubles as a token signature.
func proofKey(jwtSecret string) []byte {
	m := hmac.New(sha256.New, []byte(jwtSecret))
	m.Write([]byte("lianzhu proof codes v1"))
	return m.Sum(nil)
}
