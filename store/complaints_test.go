package store_test

import (
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

func newComplaint(providerID, place string, now time.Time) domain.Complaint {
	c := domain.Complaint{ProviderID: providerID, Place: place, Source: domain.ComplaintByCoordinator,
		Category: domain.ComplaintNoShow, Text: "约定周三上门助浴，未到也未通知"}
	c.File("coordinator", now)
	return c
}

// TestComplaints files, lists by scope, provider and state, and moves a
// complaint with guarded updates: a stale version or state is a conflict,
// and 30 concurrent reviews of one complaint leave exactly one winner.
func TestComplaints(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Now().UTC().Add(-time.Minute)
		a := newComplaint("p1", "610103002001", now)
		b := newComplaint("p2", "610103003001", now)
		for _, c := range []*domain.Complaint{&a, &b} {
			if err := db.CreateComplaint(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		got, _, err := db.ListComplaints(ctx, store.ComplaintFilter{Within: "610103002000"})
		if err != nil || len(got) != 1 || got[0].ID != a.ID || got[0].History[0].To != domain.ComplaintOpen {
			t.Fatalf("list by street: %v %+v", err, got)
		}
		if got, _, _ := db.ListComplaints(ctx, store.ComplaintFilter{ProviderID: "p2", State: domain.ComplaintOpen}); len(got) != 1 || got[0].ID != b.ID {
			t.Fatalf("list by provider and state: %+v", got)
		}

		// Concurrent reviews: one wins, the rest conflict, state unchanged.
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 30 {
			wg.Go(func() {
				c := a
				if err := c.Move(domain.ComplaintReviewed, "coordinator", "", now); err != nil {
					t.Error(err)
					return
				}
				err := db.MoveComplaint(ctx, &c, domain.ComplaintOpen, a.Version, false)
				mu.Lock()
				defer mu.Unlock()
				switch domain.ErrorCode(err) {
				case "":
					wins++
				case domain.ECONFLICT:
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d concurrent reviews won, want 1", wins)
		}
		c, err := db.Complaint(ctx, a.ID)
		if err != nil || c.State != domain.ComplaintReviewed || c.Version != 2 || len(c.History) != 2 {
			t.Fatalf("after review: %v %+v", err, c)
		}
		if err := c.Move(domain.ComplaintUpheld, "coordinator", "核实属实", now); err != nil {
			t.Fatal(err)
		}
		if err := db.MoveComplaint(ctx, &c, domain.ComplaintReviewed, 1, true); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale version: %v", err)
		}
		if err := db.MoveComplaint(ctx, &c, domain.ComplaintReviewed, 2, true); err != nil {
			t.Fatal(err)
		}
		pending, err := db.PendingLightComplaints(ctx)
		if err != nil || len(pending) != 1 || pending[0].ID != a.ID || pending[0].Finding != "核实属实" {
			t.Fatalf("pending light: %v %+v", err, pending)
		}
		if err := db.ClearComplaintLightPending(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if pending, _ := db.PendingLightComplaints(ctx); len(pending) != 0 {
			t.Fatalf("still pending: %+v", pending)
		}
		upheld, err := db.ProviderComplaints(ctx, "p1", domain.ComplaintUpheld)
		if err != nil || len(upheld) != 1 || upheld[0].DecidedAt.IsZero() {
			t.Fatalf("upheld: %v %+v", err, upheld)
		}
		missing := c
		missing.ID = "nope"
		if err := db.MoveComplaint(ctx, &missing, domain.ComplaintUpheld, 3, false); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing complaint: %v", err)
		}
	})
}
