package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// uscc completes a unified social credit code from its first 17 characters.
func uscc(t *testing.T, first17 string) string {
	t.Helper()
	code, err := domain.CompleteUSCC(first17)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// organisation is a provider of kind (an organisation) based at place.
func organisation(kind domain.ProviderKind, name, code, place string) domain.Provider {
	return domain.Provider{Kind: kind, Name: name, CreditCode: code, ContactName: "王主任", ContactPhone: "13800000000",
		Place: place, Area: domain.ServiceArea{Places: []string{place}}, Verification: domain.VerificationVerified,
		TrafficLight: domain.LightGreen}
}

func volunteer(name, place string) domain.Provider {
	return domain.Provider{Kind: domain.ProviderVolunteer, Name: name, ContactPhone: "13900000000", Place: place,
		Area:         domain.ServiceArea{Center: &domain.LatLng{Lat: 34.25, Lng: 108.95}, RadiusM: 1500},
		Verification: domain.VerificationPending, TrafficLight: domain.LightGreen}
}

func mustCreateProvider(t *testing.T, db *store.DB, p domain.Provider) domain.Provider {
	t.Helper()
	if err := db.CreateProvider(t.Context(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// conflictField returns the field an ECONFLICT error names ("" if none).
func conflictField(t *testing.T, err error) string {
	t.Helper()
	var de *domain.Error
	if domain.ErrorCode(err) != domain.ECONFLICT || !errors.As(err, &de) {
		t.Fatalf("want conflict, got %v", err)
	}
	if len(de.Fields) == 0 {
		return ""
	}
	return de.Fields[0].Field
}

func TestProviders(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		code := uscc(t, "51610103MJ0000001")
		ngo := mustCreateProvider(t, db, organisation(domain.ProviderNGO, "阳光社工服务中心", code, "610103002001"))
		if ngo.ID == "" || ngo.Version != 1 || ngo.CreatedAt.IsZero() || ngo.CreatedAt.Location() != time.UTC {
			t.Fatalf("new provider: %+v", ngo)
		}
		got, err := db.Provider(ctx, ngo.ID)
		if err != nil || got.Name != ngo.Name || got.CreditCode != code || got.Area.Places[0] != "610103002001" || !sameMs(got.CreatedAt, ngo.CreatedAt) {
			t.Fatalf("Provider = %+v, %v", got, err)
		}
		if _, err := db.Provider(ctx, "nope"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing provider: want not_found, got %v", err)
		}

		// The same code again, even written in lower case, is refused.
		dup := organisation(domain.ProviderUnit, "另一家单位", " "+strings.ToLower(code), "610103003001")
		if f := conflictField(t, db.CreateProvider(ctx, &dup)); f != "credit_code" {
			t.Fatalf("duplicate code names %q", f)
		}
		// Volunteers have no code, and any number of them can exist.
		v1 := mustCreateProvider(t, db, volunteer("李志愿", "610103002003"))
		v2 := mustCreateProvider(t, db, volunteer("张志愿", "610103003001"))
		ent := mustCreateProvider(t, db, organisation(domain.ProviderEnterprise, "家政公司", uscc(t, "91610103MA0000002"), "610103003000"))

		byID, err := db.ProvidersByID(ctx, []string{ngo.ID, v1.ID, "nope", ngo.ID})
		if err != nil || len(byID) != 2 || byID[v1.ID].Name != "李志愿" || byID[v1.ID].Area.Center == nil {
			t.Fatalf("ProvidersByID = %+v, %v", byID, err)
		}
		if none, err := db.ProvidersByID(ctx, nil); err != nil || len(none) != 0 {
			t.Fatalf("ProvidersByID(nil) = %v, %v", none, err)
		}
		lower := strings.ToLower(code)
		byCode, err := db.ProvidersByCreditCode(ctx, []string{lower, uscc(t, "51610103MJ0000009"), ""})
		if err != nil || len(byCode) != 1 || byCode[lower].ID != ngo.ID {
			t.Fatalf("ProvidersByCreditCode = %+v, %v", byCode, err)
		}

		street, _, err := db.ListProviders(ctx, store.ProviderFilter{Within: "610103002000"})
		if err != nil || len(street) != 2 {
			t.Fatalf("street providers = %d, %v", len(street), err)
		}
		// A provider based at a street is within the street and the district,
		// not within a community.
		if l, _, _ := db.ListProviders(ctx, store.ProviderFilter{Within: "610103003000"}); len(l) != 2 || !hasProvider(l, ent.ID) {
			t.Fatalf("street 003 providers = %+v", l)
		}
		if l, _, _ := db.ListProviders(ctx, store.ProviderFilter{Within: "610103003001"}); len(l) != 1 || l[0].ID != v2.ID {
			t.Fatalf("community providers = %+v", l)
		}
		vols, _, _ := db.ListProviders(ctx, store.ProviderFilter{Kind: domain.ProviderVolunteer})
		pending, _, _ := db.ListProviders(ctx, store.ProviderFilter{Verification: domain.VerificationPending, Within: "610103000000"})
		if len(vols) != 2 || len(pending) != 2 {
			t.Fatalf("volunteers = %d, pending = %d", len(vols), len(pending))
		}
		first, next, _ := db.ListProviders(ctx, store.ProviderFilter{Limit: 3})
		rest, end, _ := db.ListProviders(ctx, store.ProviderFilter{Limit: 3, After: next})
		if len(first) != 3 || next == "" || len(rest) != 1 || end != "" || rest[0].ID == first[2].ID {
			t.Fatalf("pages: %d/%q then %d/%q", len(first), next, len(rest), end)
		}
	})
}

func TestProviderUpdate(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a := mustCreateProvider(t, db, organisation(domain.ProviderNGO, "甲", uscc(t, "51610103MJ0000011"), "610103002001"))
		b := mustCreateProvider(t, db, organisation(domain.ProviderNGO, "乙", uscc(t, "51610103MJ0000012"), "610103002001"))
		created := a.CreatedAt
		stale := a
		a.Name, a.CreatedAt = "甲（更名）", time.Time{}
		if err := db.UpdateProvider(ctx, &a, 1); err != nil {
			t.Fatal(err)
		}
		if a.Version != 2 || !sameMs(a.CreatedAt, created) || a.UpdatedAt.Location() != time.UTC {
			t.Fatalf("updated: %+v", a)
		}
		stale.Name = "过时的写法"
		if err := db.UpdateProvider(ctx, &stale, 1); domain.ErrorCode(err) != domain.ECONFLICT || stale.Version != 1 {
			t.Fatalf("stale update: want conflict and the value untouched, got %v, version %d", err, stale.Version)
		}
		if got, _ := db.Provider(ctx, a.ID); got.Name != "甲（更名）" || got.Version != 2 || !sameMs(got.CreatedAt, created) {
			t.Fatalf("stale update overwrote: %+v", got)
		}
		b.CreditCode = a.CreditCode
		if f := conflictField(t, db.UpdateProvider(ctx, &b, 1)); f != "credit_code" {
			t.Fatalf("taken code names %q", f)
		}
		if got, _ := db.Provider(ctx, b.ID); got.CreditCode == a.CreditCode || got.Version != 1 {
			t.Fatalf("conflicting update was written: %+v", got)
		}
		ghost := domain.Provider{ID: "nope", Kind: domain.ProviderVolunteer}
		if err := db.UpdateProvider(ctx, &ghost, 1); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing provider: want not_found, got %v", err)
		}
	})
}

func hasProvider(ps []domain.Provider, id string) bool {
	return slices.ContainsFunc(ps, func(p domain.Provider) bool { return p.ID == id })
}

// sameMs compares times as stored: MongoDB keeps milliseconds.
func sameMs(a, b time.Time) bool {
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}
