package store_test

import (
	"slices"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// offering is an active offering of item serving area.
func offering(providerID, item string, area domain.ServiceArea) domain.Offering {
	return domain.Offering{ProviderID: providerID, Item: item, Title: "社区" + item + "服务", Description: "每周三次",
		Audience: domain.Audience{Tiers: []domain.AssistanceKind{domain.AssistDibao}, JustOutside: true, MinAge: 60},
		Period:   domain.CapacityPerWeek, Capacity: 10, Left: 8, VoucherFen: 1500, Area: area, Status: domain.OfferingActive,
		ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func places(codes ...string) domain.ServiceArea { return domain.ServiceArea{Places: codes} }

func mustCreateOffering(t *testing.T, db *store.DB, o domain.Offering) domain.Offering {
	t.Helper()
	if err := db.CreateOffering(t.Context(), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func offeringIDs(os []domain.Offering) []string {
	ids := make([]string, len(os))
	for i, o := range os {
		ids[i] = o.ID
	}
	slices.Sort(ids)
	return ids
}

func sortedIDs(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

func TestOfferingsWithinAPlace(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ngo := mustCreateProvider(t, db, organisation(domain.ProviderNGO, "助老服务社", uscc(t, "51610103MJ0000021"), "610103002003"))
		street := mustCreateOffering(t, db, offering(ngo.ID, "meal", places("610103002000")))
		district := mustCreateOffering(t, db, offering(ngo.ID, "bathing", places("610103000000")))
		paused := offering(ngo.ID, "meal", places("610103003001"))
		paused.Status = domain.OfferingPaused
		paused = mustCreateOffering(t, db, paused)
		// A walking radius around the provider's base in community 002003.
		radius := mustCreateOffering(t, db, offering(ngo.ID, "haircut", domain.ServiceArea{Center: &domain.LatLng{Lat: 34.26, Lng: 108.94}, RadiusM: 800}))

		for _, c := range []struct {
			within string
			want   []string
		}{
			{"610103002001", sortedIDs(street.ID, district.ID)},            // served by the street and the district
			{"610103002003", sortedIDs(street.ID, district.ID, radius.ID)}, // and the radius around the base
			{"610103002000", sortedIDs(street.ID, district.ID, radius.ID)},
			{"610103003000", sortedIDs(district.ID, paused.ID)},
			{"610103003001002", sortedIDs(district.ID, paused.ID)},
			{"610103000000", sortedIDs(street.ID, district.ID, paused.ID, radius.ID)},
			{"", sortedIDs(street.ID, district.ID, paused.ID, radius.ID)},
			{"610104000000", nil},
			{"bogus", nil},
		} {
			got, next, err := db.ListOfferings(ctx, store.OfferingFilter{Within: c.within})
			if err != nil || next != "" || !slices.Equal(offeringIDs(got), c.want) {
				t.Errorf("within %q = %v %q, %v; want %v", c.within, offeringIDs(got), next, err, c.want)
			}
		}
		if got, _, _ := db.ListOfferings(ctx, store.OfferingFilter{Within: "610103003000", Status: domain.OfferingActive}); !slices.Equal(offeringIDs(got), []string{district.ID}) {
			t.Errorf("active in street 003 = %v", offeringIDs(got))
		}
		if got, _, _ := db.ListOfferings(ctx, store.OfferingFilter{Item: "meal", ProviderID: ngo.ID}); len(got) != 2 {
			t.Errorf("meal offerings = %v", offeringIDs(got))
		}
		if got, _, _ := db.ListOfferings(ctx, store.OfferingFilter{ProviderID: "other"}); len(got) != 0 {
			t.Errorf("other provider's offerings = %v", offeringIDs(got))
		}
		// Pages over the merged queries: no offering twice, none left out.
		var seen []string
		after := ""
		for range 5 {
			page, next, err := db.ListOfferings(ctx, store.OfferingFilter{Within: "610103002003", Limit: 2, After: after})
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, offeringIDs(page)...)
			if after = next; after == "" {
				break
			}
		}
		if !slices.Equal(seen, sortedIDs(street.ID, district.ID, radius.ID)) {
			t.Errorf("paged = %v", seen)
		}
	})
}

func TestOfferingCreateAndUpdate(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		shanghai := time.FixedZone("CST", 8*3600)
		o := offering("prov-1", "meal", places("610103002000"))
		o.ValidFrom = time.Date(2026, 3, 1, 8, 0, 0, 0, shanghai)
		o.ValidTo = time.Date(2027, 3, 1, 8, 0, 0, 0, shanghai)
		o = mustCreateOffering(t, db, o)
		if o.ID == "" || o.Version != 1 {
			t.Fatalf("new offering: %+v", o)
		}
		got, err := db.Offering(ctx, o.ID)
		if err != nil || got.Title != o.Title || got.Audience.MinAge != 60 || got.Audience.Tiers[0] != domain.AssistDibao ||
			got.VoucherFen != 1500 || got.Left != 8 || got.Area.Places[0] != "610103002000" {
			t.Fatalf("Offering = %+v, %v", got, err)
		}
		if !got.ValidFrom.Equal(o.ValidFrom) || got.ValidFrom.Location() != time.UTC || !got.ValidTo.Equal(o.ValidTo) {
			t.Fatalf("validity = %v – %v", got.ValidFrom, got.ValidTo)
		}
		open := mustCreateOffering(t, db, offering("prov-1", "bathing", places("610103002000")))
		if got, _ := db.Offering(ctx, open.ID); !got.ValidTo.IsZero() {
			t.Fatalf("no end date came back as %v", got.ValidTo)
		}
		if _, err := db.Offering(ctx, "nope"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing offering: want not_found, got %v", err)
		}

		stale := got
		got.Left, got.Area = 3, places("610103003000")
		if err := db.UpdateOffering(ctx, &got, 1); err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || !sameMs(got.CreatedAt, o.CreatedAt) {
			t.Fatalf("updated: %+v", got)
		}
		stale.Left = 0
		if err := db.UpdateOffering(ctx, &stale, 1); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale update: want conflict, got %v", err)
		}
		if now, _ := db.Offering(ctx, o.ID); now.Left != 3 || now.Version != 2 {
			t.Fatalf("stale update overwrote: %+v", now)
		}
		// The place filter follows the new area.
		if l, _, _ := db.ListOfferings(ctx, store.OfferingFilter{Within: "610103003001"}); !slices.Equal(offeringIDs(l), []string{o.ID}) {
			t.Fatalf("moved area: %v", offeringIDs(l))
		}
		ghost := offering("prov-1", "meal", places("610103002000"))
		ghost.ID = "nope"
		if err := db.UpdateOffering(ctx, &ghost, 1); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing offering: want not_found, got %v", err)
		}
	})
}
