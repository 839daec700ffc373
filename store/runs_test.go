package store_test

import (
	"testing"

	"lianzhu/domain"
	"lianzhu/store"
)

// TestRunLifecycle: a run over a place excludes overlapping runs until it
// finishes, records progress only while running, and finishes once.
func TestRunLifecycle(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		street := store.Run{Place: "610103002000", CreatedBy: "coordinator.610103002"}
		if err := db.CreateRun(ctx, &street); err != nil {
			t.Fatal(err)
		}
		if street.ID == "" || street.Status != store.RunQueued || street.CreatedAt.IsZero() {
			t.Fatalf("created run: %+v", street)
		}
		for _, place := range []string{"610103002000", "610103002001", "610103000000"} {
			r := store.Run{Place: place}
			if err := db.CreateRun(ctx, &r); domain.ErrorCode(err) != domain.ECONFLICT {
				t.Fatalf("run over %s while the street runs: want conflict, got %v", place, err)
			}
		}
		other := store.Run{Place: "610103003000"}
		if err := db.CreateRun(ctx, &other); err != nil {
			t.Fatalf("another street: %v", err)
		}
		if err := db.UpdateRunProgress(ctx, street.ID, store.StageEvaluating, 1, 2); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("progress of a queued run: want conflict, got %v", err)
		}
		if err := db.StartRun(ctx, street.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateRunProgress(ctx, street.ID, store.StageEvaluating, 1, 2); err != nil {
			t.Fatal(err)
		}
		got, err := db.Run(ctx, street.ID)
		if err != nil || got.Status != store.RunRunning || got.Stage != store.StageEvaluating || got.Done != 1 || got.Total != 2 || got.StartedAt.IsZero() {
			t.Fatalf("running run: %+v, %v", got, err)
		}
		summary := store.RunSummary{Needs: 3, Matched: 2, Unmatched: 1, UnmatchedByReason: map[string]int{"no_supply": 1}}
		if err := db.FinishRun(ctx, street.ID, store.RunDone, summary, ""); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishRun(ctx, street.ID, store.RunFailed, store.RunSummary{}, "late"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("finishing twice: want conflict, got %v", err)
		}
		got, _ = db.Run(ctx, street.ID)
		if got.Status != store.RunDone || got.Summary.UnmatchedByReason["no_supply"] != 1 || got.FinishedAt.IsZero() {
			t.Fatalf("finished run: %+v", got)
		}
		again := store.Run{Place: "610103002001"}
		if err := db.CreateRun(ctx, &again); err != nil {
			t.Fatalf("a community of the finished street: %v", err)
		}

		runs, _, err := db.ListRuns(ctx, store.RunFilter{Within: "610103002000"})
		if err != nil || len(runs) != 2 || runs[0].ID != again.ID || runs[1].ID != street.ID {
			t.Fatalf("runs within the street, newest first: %+v, %v", runs, err)
		}
		if _, err := db.Run(ctx, "nope"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing run: %v", err)
		}
		if err := db.CreateRun(ctx, &store.Run{Place: "61"}); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("bad place: %v", err)
		}
	})
}

// TestFailInterruptedRuns: a restart fails what was queued or running and
// frees every place.
func TestFailInterruptedRuns(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		running, queued, done := store.Run{Place: "610103002000"}, store.Run{Place: "610103003000"}, store.Run{Place: "610103004000"}
		for _, r := range []*store.Run{&running, &queued, &done} {
			if err := db.CreateRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.StartRun(ctx, running.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishRun(ctx, done.ID, store.RunDone, store.RunSummary{}, ""); err != nil {
			t.Fatal(err)
		}
		n, err := db.FailInterruptedRuns(ctx)
		if err != nil || n != 2 {
			t.Fatalf("failed %d, %v", n, err)
		}
		for id, want := range map[string]string{running.ID: store.RunFailed, queued.ID: store.RunFailed, done.ID: store.RunDone} {
			r, _ := db.Run(ctx, id)
			if r.Status != want || (want == store.RunFailed && r.Error != store.RunInterrupted) {
				t.Fatalf("run %s: %+v", id, r)
			}
		}
		if err := db.CreateRun(ctx, &store.Run{Place: "610103000000"}); err != nil {
			t.Fatalf("the district after the restart: %v", err)
		}
	})
}
