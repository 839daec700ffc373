package store_test

import (
	"sync"
	"testing"

	"lianzhu/domain"
	"lianzhu/store"
)

func TestNeeds(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mk := func(place, item string) domain.Need {
			n := domain.Need{HouseholdID: "hh1", MemberID: "m1", Place: place, Item: item, OwnWords: "腿脚不便，洗澡很困难",
				NeutralNote: "行动不便，需要助浴", Urgency: domain.UrgencyHigh, Channel: domain.ChannelHomeVisit, CreatedBy: "coordinator"}
			if err := db.CreateNeed(ctx, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		a := mk("610103002001001", "bathing")
		mk("610103002003", "meals")
		mk("610103003001", "bathing")
		if a.State != domain.NeedOpen || a.Version != 1 {
			t.Fatalf("new need: %+v", a)
		}
		street, _, err := db.ListNeeds(ctx, store.NeedFilter{Within: "610103002000"})
		if err != nil || len(street) != 2 {
			t.Fatalf("street needs = %d, %v", len(street), err)
		}
		bathing, _, _ := db.ListNeeds(ctx, store.NeedFilter{Item: "bathing"})
		if len(bathing) != 2 {
			t.Fatalf("bathing needs = %d", len(bathing))
		}
		closed, err := db.TransitionNeed(ctx, a.ID, domain.NeedOpen, domain.NeedClosed, domain.CloseNoLongerNeeded)
		if err != nil || closed.State != domain.NeedClosed || closed.Version != 2 {
			t.Fatalf("close = %+v, %v", closed, err)
		}
		if _, err := db.TransitionNeed(ctx, a.ID, domain.NeedOpen, domain.NeedClosed, domain.CloseDuplicate); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("closing twice: want conflict, got %v", err)
		}
		if _, err := db.TransitionNeed(ctx, a.ID, domain.NeedClosed, domain.NeedResolved, ""); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("illegal transition: want conflict, got %v", err)
		}
		if _, err := db.TransitionNeed(ctx, "nope", domain.NeedOpen, domain.NeedClosed, domain.CloseDuplicate); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing need: want not_found, got %v", err)
		}
	})
}

// TestNeedTransitionRace: many coordinators close the same need at once;
// exactly one wins.
func TestNeedTransitionRace(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		n := domain.Need{HouseholdID: "hh1", MemberID: "m1", Place: "610103002001", Item: "meals", NeutralNote: "需要助餐",
			Urgency: domain.UrgencyNormal, Channel: domain.ChannelSentinel, CreatedBy: "coordinator"}
		if err := db.CreateNeed(ctx, &n); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.TransitionNeed(ctx, n.ID, domain.NeedOpen, domain.NeedClosed, domain.CloseDuplicate); err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d winners, want 1", wins)
		}
	})
}
