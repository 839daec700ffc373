package store_test

import (
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// TestUserAdmin updates an account guarded by its updated_at, sets a
// password and revokes every session of the account only.
func TestUserAdmin(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		u := domain.User{Username: "coord.x", Role: domain.RoleCoordinator, Place: "610103002000", PasswordHash: "h"}
		other := domain.User{Username: "coord.y", Role: domain.RoleCoordinator, Place: "610103002000", PasswordHash: "h"}
		for _, x := range []*domain.User{&u, &other} {
			if err := db.CreateUser(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		read, _ := db.UserByID(ctx, u.ID)
		next := read
		next.Disabled, next.Place = true, "610103002001"
		if err := db.UpdateUser(ctx, &next, read.UpdatedAt); err != nil {
			t.Fatal(err)
		}
		stale := read
		if err := db.UpdateUser(ctx, &stale, read.UpdatedAt); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale update: %v", err)
		}
		got, _ := db.UserByID(ctx, u.ID)
		if !got.Disabled || got.Place != "610103002001" {
			t.Fatalf("after update: %+v", got)
		}
		if err := db.SetPassword(ctx, u.ID, "new-hash"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.UserByID(ctx, u.ID); got.PasswordHash != "new-hash" {
			t.Fatalf("password hash not set")
		}
		if err := db.SetPassword(ctx, "missing", "x"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing user: %v", err)
		}
		exp := time.Now().Add(time.Hour)
		for i, tok := range []store.RefreshToken{{Hash: "a", Family: "f1", UserID: u.ID}, {Hash: "b", Family: "f2", UserID: u.ID},
			{Hash: "c", Family: "f3", UserID: other.ID}} {
			tok.ExpiresAt = exp
			if err := db.CreateRefreshToken(ctx, tok); err != nil {
				t.Fatal(i, err)
			}
		}
		if n, err := db.RevokeUserRefreshTokens(ctx, u.ID); err != nil || n != 2 {
			t.Fatalf("revoke: %v %d", err, n)
		}
		if _, err := db.UseRefreshToken(ctx, "a"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("revoked token used: %v", err)
		}
		if _, err := db.UseRefreshToken(ctx, "c"); err != nil {
			t.Fatalf("another account's session was revoked: %v", err)
		}
	})
}

// TestPlaceAdmin adds a place (a duplicate code is a conflict on code) and
// replaces one guarded by its old value.
func TestPlaceAdmin(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		street := domain.Place{Code: "610103002000", Name: "柏树林街道", Level: domain.LevelStreet, Parent: "610103000000"}
		if err := db.CreatePlace(ctx, street); err != nil {
			t.Fatal(err)
		}
		if err := db.CreatePlace(ctx, street); conflictField(t, err) != "code" {
			t.Fatalf("duplicate place: %v", err)
		}
		next := street
		next.Name, next.Lat, next.Lng = "柏树林街道办事处", 34.25, 108.95
		if err := db.UpdatePlace(ctx, street, next); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdatePlace(ctx, street, next); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale place update: %v", err)
		}
		missing := street
		missing.Code = "610103009000"
		if err := db.UpdatePlace(ctx, missing, missing); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing place: %v", err)
		}
		all, _ := db.Places(ctx)
		if len(all) != 1 || all[0] != next {
			t.Fatalf("places: %+v", all)
		}
	})
}
