package store_test

import (
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/seed"
	"lianzhu/store"
)

func TestUsers(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		u := domain.User{Username: "coordinator.610103002", Role: domain.RoleCoordinator, Place: "610103002000", PasswordHash: "h"}
		if err := db.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if u.ID == "" || u.CreatedAt.IsZero() {
			t.Fatal("CreateUser must set ID and times")
		}
		dup := domain.User{Username: u.Username, Role: domain.RoleAdmin}
		if err := db.CreateUser(ctx, &dup); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("duplicate username: want conflict, got %v", err)
		}
		got, err := db.UserByUsername(ctx, u.Username)
		if err != nil || got.ID != u.ID || got.Place != u.Place || got.Role != u.Role {
			t.Fatalf("UserByUsername = %+v, %v", got, err)
		}
		if _, err := db.UserByID(ctx, "nope"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing user: want not_found, got %v", err)
		}
		list, err := db.ListUsers(ctx, store.UserFilter{Within: "610103002000"})
		if err != nil || len(list) != 1 {
			t.Fatalf("ListUsers within street = %v, %v", list, err)
		}
		list, _ = db.ListUsers(ctx, store.UserFilter{Within: "610103003000"})
		if len(list) != 0 {
			t.Fatalf("another street must see nobody, got %v", list)
		}
	})
}

func TestDemoUsersOnAndOff(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		accounts := seed.DemoAccounts("hash1")
		if err := db.UpsertDemoUsers(ctx, accounts); err != nil {
			t.Fatal(err)
		}
		// Upserting again (every start) changes the hash and creates nothing new.
		if err := db.UpsertDemoUsers(ctx, seed.DemoAccounts("hash2")); err != nil {
			t.Fatal(err)
		}
		all, _ := db.ListUsers(ctx, store.UserFilter{})
		if len(all) != len(accounts) {
			t.Fatalf("%d accounts after two upserts, want %d", len(all), len(accounts))
		}
		admin, _ := db.UserByUsername(ctx, "admin")
		if admin.PasswordHash != "hash2" || admin.Disabled {
			t.Fatalf("admin after upsert: %+v", admin)
		}
		n, err := db.DisableDemoUsers(ctx)
		if err != nil || n != int64(len(accounts)) {
			t.Fatalf("DisableDemoUsers = %d, %v", n, err)
		}
		if c, _ := db.CountActiveUsers(ctx, domain.RoleAdmin); c != 0 {
			t.Fatalf("active admins after demo off = %d", c)
		}
		// Demo on again re-enables them.
		if err := db.UpsertDemoUsers(ctx, accounts); err != nil {
			t.Fatal(err)
		}
		if c, _ := db.CountActiveUsers(ctx, domain.RoleAdmin); c != 1 {
			t.Fatalf("active admins after demo on = %d", c)
		}
	})
}

func TestRefreshTokenRotationAndReuse(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		exp := time.Now().Add(time.Hour)
		for _, h := range []string{"h1", "h2"} {
			if err := db.CreateRefreshToken(ctx, store.RefreshToken{Hash: h, Family: "fam", UserID: "u1", ExpiresAt: exp}); err != nil {
				t.Fatal(err)
			}
		}
		rt, err := db.UseRefreshToken(ctx, "h1")
		if err != nil || rt.UserID != "u1" || rt.Family != "fam" {
			t.Fatalf("first use = %+v, %v", rt, err)
		}
		// A second use of h1 is a replay: refused, and the family (h2 too) is revoked.
		if _, err := db.UseRefreshToken(ctx, "h1"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("reuse: want unauthorized, got %v", err)
		}
		if _, err := db.UseRefreshToken(ctx, "h2"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("sibling after reuse: want unauthorized, got %v", err)
		}
		if _, err := db.UseRefreshToken(ctx, "unknown"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("unknown: want unauthorized, got %v", err)
		}
		if err := db.CreateRefreshToken(ctx, store.RefreshToken{Hash: "old", Family: "f2", UserID: "u1", ExpiresAt: time.Now().Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UseRefreshToken(ctx, "old"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("expired: want unauthorized, got %v", err)
		}
		n, err := db.DeleteExpiredRefreshTokens(ctx, time.Now())
		if err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v", n, err)
		}
	})
}

// TestConcurrentRefreshHasOneWinner runs the guarded update for real: many
// clients present the same refresh token at once and exactly one succeeds.
func TestConcurrentRefreshHasOneWinner(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := db.CreateRefreshToken(ctx, store.RefreshToken{Hash: "race", Family: "fr", UserID: "u1", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		const n = 50
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.UseRefreshToken(ctx, "race"); err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d winners, want exactly 1", wins)
		}
	})
}

func TestPlaces(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := db.UpsertPlaces(ctx, seed.Places()); err != nil {
			t.Fatal(err)
		}
		changed := seed.Places()
		changed[1].Name = "改名街道"
		if err := db.UpsertPlaces(ctx, changed); err != nil {
			t.Fatal(err)
		}
		got, err := db.Places(ctx)
		if err != nil || len(got) != len(seed.Places()) {
			t.Fatalf("Places = %d, %v", len(got), err)
		}
		tree, err := domain.NewPlaces(got)
		if err != nil {
			t.Fatalf("stored tree invalid: %v", err)
		}
		if p, _ := tree.Get(changed[1].Code); p.Name != "改名街道" {
			t.Fatalf("changed place not replaced: %+v", p)
		}
	})
}

// TestOpenTwice opens the same database again, as every restart does: the
// indexes exist already and nothing may fail.
func TestOpenTwice(t *testing.T) {
	for _, tg := range testenv.MongoTargets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			name := testenv.DBName(t)
			for i := 0; i < 2; i++ {
				db, err := store.Open(t.Context(), tg.URI, name, store.Options{Logger: quietLogger()})
				if err != nil {
					t.Fatalf("open %d: %v", i+1, err)
				}
				_ = db.Close(t.Context())
			}
		})
	}
}
