package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// idNumber makes a valid 18-character ID number from 17 digits.
func idNumber(t *testing.T, first17 string) string {
	t.Helper()
	id, err := domain.CompleteIDNumber(first17)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func household(place string, ids ...string) domain.Household {
	h := domain.Household{Place: place, Address: "某小区1号楼101"}
	for i, id := range ids {
		h.Members = append(h.Members, domain.Member{ID: "m" + string(rune('1'+i)), Name: "成员" + string(rune('甲'+i)), IDNumber: id, Relation: domain.Relation("self")})
	}
	return h
}

func TestHouseholdIDNumbersAreEncryptedAndUnique(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a, b := idNumber(t, "61019919500101002"), idNumber(t, "61019919800202003")
		h := household("610103002001001", a, b)
		if err := db.CreateHousehold(ctx, &h); err != nil {
			t.Fatal(err)
		}
		got, err := db.Household(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got.Members {
			if m.IDNumber != "" || !strings.Contains(m.IDMasked, "**********") || m.IDHash == "" {
				t.Fatalf("member not masked: %+v", m)
			}
		}
		// Nothing in the stored document reads as the plain number.
		raw := rawHousehold(t, db, h.ID)
		if strings.Contains(raw, a) || strings.Contains(raw, b) || strings.Contains(raw, a[6:14]) {
			t.Fatalf("plain ID number stored: %s", raw)
		}
		if plain, err := db.RevealIDNumber(ctx, h.ID, "m2"); err != nil || plain != b {
			t.Fatalf("RevealIDNumber = %q, %v", plain, err)
		}
		if found, err := db.HouseholdByIDNumber(ctx, strings.ToLower(a)); err != nil || found.ID != h.ID {
			t.Fatalf("HouseholdByIDNumber = %v, %v", found.ID, err)
		}

		dup := household("610103003001001", idNumber(t, "61019919900303004"), b)
		err = db.CreateHousehold(ctx, &dup)
		var de *store.DuplicateMemberError
		if !errors.As(err, &de) || de.MemberIndex != 1 || de.HouseholdID != h.ID || domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("duplicate: want DuplicateMemberError for member 1, got %v", err)
		}
		// Nothing half-written: the first member's number was released again.
		solo := household("610103003001001", idNumber(t, "61019919900303004"))
		if err := db.CreateHousehold(ctx, &solo); err != nil {
			t.Fatalf("a released number must be usable: %v", err)
		}
		page, _, err := db.ListHouseholds(ctx, store.HouseholdFilter{})
		if err != nil || len(page) != 2 {
			t.Fatalf("households = %d, %v", len(page), err)
		}
	})
}

func TestHouseholdOrphanedIDIsTakenOver(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a := idNumber(t, "61019919600404005")
		// A crash between claiming the number and writing the file leaves an
		// index entry that points at nothing.
		h := household("610103002001001", a)
		if err := db.CreateHousehold(ctx, &h); err != nil {
			t.Fatal(err)
		}
		deleteHouseholdDoc(t, db, h.ID)
		again := household("610103002001001", a)
		if err := db.CreateHousehold(ctx, &again); err != nil {
			t.Fatalf("orphaned entry not taken over: %v", err)
		}
		if found, err := db.HouseholdByIDNumber(ctx, a); err != nil || found.ID != again.ID {
			t.Fatalf("index points at %v, %v", found.ID, err)
		}
	})
}

func TestHouseholdVersionGuard(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a, b := idNumber(t, "61019919700505006"), idNumber(t, "61019920100606007")
		h := household("610103002001001", a, b)
		if err := db.CreateHousehold(ctx, &h); err != nil {
			t.Fatal(err)
		}
		stale := h
		h.Address = "新地址"
		h.Members = h.Members[:1] // the second member moved out
		if err := db.UpdateHousehold(ctx, &h, 1); err != nil {
			t.Fatal(err)
		}
		if h.Version != 2 {
			t.Fatalf("version = %d", h.Version)
		}
		stale.Address = "旧的写法"
		if err := db.UpdateHousehold(ctx, &stale, 1); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale update: want conflict, got %v", err)
		}
		got, _ := db.Household(ctx, h.ID)
		if got.Address != "新地址" || got.Version != 2 || len(got.Members) != 1 || got.Members[0].IDHash == "" {
			t.Fatalf("stale update overwrote or lost data: %+v", got)
		}
		// The member who left is free to join another file.
		other := household("610103005001001", b)
		if err := db.CreateHousehold(ctx, &other); err != nil {
			t.Fatalf("released member: %v", err)
		}
	})
}

func TestHouseholdScopeAndPages(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for i, place := range []string{"610103002001001", "610103002003002", "610103003001001"} {
			h := household(place, idNumber(t, "6101991970010"+string(rune('1'+i))+"008"))
			h.Assistance = []domain.AssistanceStatus{{Kind: domain.AssistanceKind("dibao"), DecidedOn: time.Now()}}
			if err := db.CreateHousehold(ctx, &h); err != nil {
				t.Fatal(err)
			}
		}
		street, _, err := db.ListHouseholds(ctx, store.HouseholdFilter{Within: "610103002000"})
		if err != nil || len(street) != 2 {
			t.Fatalf("street scope = %d, %v", len(street), err)
		}
		community, _, _ := db.ListHouseholds(ctx, store.HouseholdFilter{Within: "610103002003"})
		if len(community) != 1 || community[0].Place != "610103002003002" {
			t.Fatalf("community scope = %+v", community)
		}
		first, next, _ := db.ListHouseholds(ctx, store.HouseholdFilter{Within: "610103000000", Limit: 2})
		second, end, _ := db.ListHouseholds(ctx, store.HouseholdFilter{Within: "610103000000", Limit: 2, After: next})
		if len(first) != 2 || next == "" || len(second) != 1 || end != "" || second[0].ID == first[1].ID {
			t.Fatalf("pages: %d/%q then %d/%q", len(first), next, len(second), end)
		}
		byStatus, _, _ := db.ListHouseholds(ctx, store.HouseholdFilter{Status: "dibao"})
		if len(byStatus) != 3 {
			t.Fatalf("status filter = %d", len(byStatus))
		}
	})
}

func TestAuditTrail(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for _, place := range []string{"610103002001001", "610103003001"} {
			if err := db.AppendAudit(ctx, &store.AuditRecord{Actor: "coordinator", Role: domain.RoleCoordinator, Action: "household.read", Target: "h1", Place: place}); err != nil {
				t.Fatal(err)
			}
		}
		trail, err := db.AuditTrail(ctx, "610103002000", 10)
		if err != nil || len(trail) != 1 || trail[0].Place != "610103002001001" {
			t.Fatalf("trail = %+v, %v", trail, err)
		}
	})
}

func rawHousehold(t *testing.T, db *store.DB, id string) string {
	t.Helper()
	raw, err := db.RawDocument(t.Context(), "households", id)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func deleteHouseholdDoc(t *testing.T, db *store.DB, id string) {
	t.Helper()
	if err := db.DeleteRaw(t.Context(), "households", id); err != nil {
		t.Fatal(err)
	}
}
