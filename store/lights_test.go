package store_test

import (
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// TestLightChanges writes an intent, replaces it on a retry of the same
// version, refuses to overwrite an applied change, and lists only applied
// changes newest first.
func TestLightChanges(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		at := time.Now().UTC().Truncate(time.Millisecond)
		reason := []domain.LightReason{{Code: "complaints", Light: domain.LightYellow, Zh: "投诉", En: "complaints"}}
		ch := store.LightChange{FromVersion: 3, LightChange: domain.LightChange{ProviderID: "p1", From: domain.LightGreen,
			To: domain.LightYellow, Reasons: reason, At: at}}
		if err := db.RecordLightIntent(ctx, &ch); err != nil || ch.ID != "p1:3" || ch.Status != store.LightPending {
			t.Fatalf("intent: %v %+v", err, ch)
		}
		retry := ch
		retry.To = domain.LightRed
		if err := db.RecordLightIntent(ctx, &retry); err != nil {
			t.Fatalf("retry of a pending intent: %v", err)
		}
		pending, err := db.PendingLightChanges(ctx)
		if err != nil || len(pending) != 1 || pending[0].To != domain.LightRed || pending[0].FromVersion != 3 {
			t.Fatalf("pending: %v %+v", err, pending)
		}
		if got, _ := db.LightChanges(ctx, "p1", 0); len(got) != 0 {
			t.Fatalf("a pending change is listed: %+v", got)
		}
		if err := db.MarkLightApplied(ctx, ch.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordLightIntent(ctx, &retry); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("overwrite an applied change: %v", err)
		}
		later := store.LightChange{FromVersion: 4, LightChange: domain.LightChange{ProviderID: "p1", From: domain.LightRed,
			To: domain.LightGreen, Reasons: reason, At: at.Add(time.Hour)}}
		if err := db.RecordLightIntent(ctx, &later); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkLightApplied(ctx, later.ID); err != nil {
			t.Fatal(err)
		}
		dropped := store.LightChange{FromVersion: 5, LightChange: domain.LightChange{ProviderID: "p1", From: domain.LightGreen, To: domain.LightRed, At: at}}
		if err := db.RecordLightIntent(ctx, &dropped); err != nil {
			t.Fatal(err)
		}
		if err := db.DropLightIntent(ctx, dropped.ID); err != nil {
			t.Fatal(err)
		}
		got, err := db.LightChanges(ctx, "p1", 0)
		if err != nil || len(got) != 2 || got[0].ID != "p1:4" || got[1].ID != "p1:3" || got[1].Reasons[0].Code != "complaints" {
			t.Fatalf("applied changes: %v %+v", err, got)
		}
		if pending, _ := db.PendingLightChanges(ctx); len(pending) != 0 {
			t.Fatalf("pending after resolving: %+v", pending)
		}
		if lit, err := db.LitProviders(ctx); err != nil || len(lit) != 1 || lit[0] != "p1" {
			t.Fatalf("lit providers: %v %v", err, lit)
		}
	})
}
