package outreach_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/outreach"
	"lianzhu/store"
)

var errCrash = errors.New("crash")

// crashing is the store with one write failing: what a crash between that
// write and the one before leaves behind.
type crashing struct {
	*store.DB
	at string
}

func (c *crashing) ApplySignalFacts(ctx context.Context, h *domain.Household, batches []string, batch string) error {
	if c.at == "facts" {
		return errCrash
	}
	return c.DB.ApplySignalFacts(ctx, h, batches, batch)
}

func (c *crashing) FinishSignalBatch(ctx context.Context, b store.SignalBatch) error {
	if c.at == "finish batch" {
		return errCrash
	}
	return c.DB.FinishSignalBatch(ctx, b)
}

func (c *crashing) FinishVisit(ctx context.Context, w *domain.Warning, from domain.WarningState) error {
	if c.at == "finish visit" {
		return errCrash
	}
	return c.DB.FinishVisit(ctx, w, from)
}

// crashed returns an engine over the store that fails at the step.
func (f *fixture) crashed(at string) *outreach.Engine {
	e := *f.e
	e.Store = &crashing{DB: f.db, at: at}
	return &e
}

func (f *fixture) pendingBatches() int {
	f.t.Helper()
	bs, err := f.db.PendingSignalBatches(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return len(bs)
}

// resume runs the reconciler a minute later, with no grace.
func (f *fixture) resume() outreach.Resumed {
	f.t.Helper()
	f.clock.Add(time.Minute)
	r, err := f.e.Resume(context.Background(), 0)
	if err != nil {
		f.t.Fatalf("resume: %v", err)
	}
	return r
}

// TestResumeAfterCrashBeforeFacts: the intake stopped after the warning and
// before the file's facts. The batch stays pending; Resume writes the facts
// and finds the warning there (same ID), so there is still one.
func TestResumeAfterCrashBeforeFacts(t *testing.T) {
	f := newFixture(t)
	h, ids := f.family(51)
	_, err := f.crashed("facts").Ingest(context.Background(), outreach.Batch{Signals: []domain.Signal{bill(ids[1], 15000, 12, "YB-51")},
		Place: district, By: "coordinator"})
	if !errors.Is(err, errCrash) {
		t.Fatalf("ingest: %v", err)
	}
	if got := f.household(h.ID); got.Version != h.Version || len(f.householdWarnings(h.ID)) != 1 || f.pendingBatches() != 1 {
		t.Fatalf("after the crash: version %d, warnings %d, pending batches %d", got.Version, len(f.householdWarnings(h.ID)), f.pendingBatches())
	}
	if r, err := f.e.Resume(context.Background(), outreach.ResumeGrace); err != nil || r.Batches != 0 {
		t.Fatalf("a fresh batch was resumed under a live intake's feet: %+v, %v", r, err)
	}
	r := f.resume()
	if r.Batches != 1 || r.Signals != 1 || r.Households != 1 || r.Warnings != 0 {
		t.Fatalf("resumed %+v", r)
	}
	got := f.household(h.ID)
	if got.MedicalOutOfPocket12m.Value != domain.Yuan(27000) || got.Version != h.Version+1 || len(f.householdWarnings(h.ID)) != 1 || f.pendingBatches() != 0 {
		t.Fatalf("after resume: medical %s, version %d, warnings %d, pending %d", got.MedicalOutOfPocket12m.Value, got.Version,
			len(f.householdWarnings(h.ID)), f.pendingBatches())
	}
	if r := f.resume(); r.Batches != 0 {
		t.Fatalf("a second resume did work: %+v", r)
	}
}

// TestResumeAfterCrashAfterFacts: the intake stopped after the file's facts
// and before the batch was finished. Resume sees the batch recorded on the
// file: the bill is not counted twice and no second warning is raised.
func TestResumeAfterCrashAfterFacts(t *testing.T) {
	f := newFixture(t)
	h, ids := f.family(61)
	_, err := f.crashed("finish batch").Ingest(context.Background(), outreach.Batch{Signals: []domain.Signal{bill(ids[1], 15000, 12, "YB-61")},
		Place: district, By: "coordinator"})
	if !errors.Is(err, errCrash) || f.pendingBatches() != 1 {
		t.Fatalf("ingest: %v, pending %d", err, f.pendingBatches())
	}
	before := f.household(h.ID)
	r := f.resume()
	got := f.household(h.ID)
	if r.Batches != 1 || r.Warnings != 0 || got.MedicalOutOfPocket12m.Value != domain.Yuan(27000) || got.Version != before.Version ||
		len(f.householdWarnings(h.ID)) != 1 || f.pendingBatches() != 0 {
		t.Fatalf("resumed %+v: medical %s, version %d (was %d), warnings %d, pending %d", r, got.MedicalOutOfPocket12m.Value,
			got.Version, before.Version, len(f.householdWarnings(h.ID)), f.pendingBatches())
	}
}
