package domain

import (
	"strings"
	"testing"
	"time"
)

func fxOffering() Offering {
	return Offering{ProviderID: "p1", Item: "meal", Title: "爱心午餐送上门", Description: "每天中午送一份两荤一素热饭",
		Audience: Audience{Tiers: []AssistanceKind{AssistTekun, AssistDibao}, JustOutside: true, MinAge: 60},
		Period:   CapacityPerDay, Capacity: 30, Left: 12, PriceFen: 500, VoucherFen: 1000, Schedule: "周一至周五 11:00–12:30",
		Area:   ServiceArea{Places: []string{"610103002000"}},
		Status: OfferingActive, ValidFrom: day(2025, 1, 1), ValidTo: day(2025, 12, 31)}
}

func TestOfferingValidate(t *testing.T) {
	places, cat := fxPlaces(t), fxCatalogue(t)
	tests := []struct {
		name   string
		modify func(*Offering)
		field  string
		rule   string
	}{
		{"valid", func(*Offering) {}, "", ""},
		{"valid open-ended for anyone", func(o *Offering) { o.ValidTo, o.Audience = time.Time{}, Audience{Anyone: true} }, "", ""},
		{"valid one day", func(o *Offering) { o.ValidTo = o.ValidFrom }, "", ""},
		{"valid full", func(o *Offering) { o.Left = 0 }, "", ""},
		{"valid disability limit", func(o *Offering) {
			o.Audience.DisabilityOnly, o.Audience.DisabilityTypes = true, []DisabilityType{DisabilityVisual}
		}, "", ""},
		{"provider missing", func(o *Offering) { o.ProviderID = "" }, "provider_id", "required"},
		{"item unknown", func(o *Offering) { o.Item = "bathing" }, "item", "exists"},
		{"title missing", func(o *Offering) { o.Title = "" }, "title", "required"},
		{"description too long", func(o *Offering) { o.Description = strings.Repeat("字", 2001) }, "description", "length"},
		{"no audience", func(o *Offering) { o.Audience = Audience{} }, "audience.tiers", "required"},
		{"audience tier unknown", func(o *Offering) { o.Audience.Tiers = []AssistanceKind{"wubao"} }, "audience.tiers[0]", "enum"},
		{"audience tier twice", func(o *Offering) { o.Audience.Tiers = []AssistanceKind{AssistDibao, AssistDibao} }, "audience.tiers[1]", "unique"},
		{"age negative", func(o *Offering) { o.Audience.MinAge = -1 }, "audience.min_age", "range"},
		{"age above 120", func(o *Offering) { o.Audience.MaxAge = 121 }, "audience.max_age", "range"},
		{"age min above max", func(o *Offering) { o.Audience.MaxAge = 50 }, "audience.max_age", "range"},
		{"disability type unknown", func(o *Offering) {
			o.Audience.DisabilityOnly, o.Audience.DisabilityTypes = true, []DisabilityType{"other"}
		}, "audience.disability_types[0]", "enum"},
		{"disability type without limit", func(o *Offering) { o.Audience.DisabilityTypes = []DisabilityType{DisabilityVisual} }, "audience.disability_only", "required"},
		{"audience place unknown", func(o *Offering) { o.Audience.Places = []string{"610103009000"} }, "audience.places[0]", "exists"},
		{"period unknown", func(o *Offering) { o.Period = "fortnight" }, "period", "enum"},
		{"capacity zero", func(o *Offering) { o.Capacity, o.Left = 0, 0 }, "capacity", "range"},
		{"capacity huge", func(o *Offering) { o.Capacity = 100_001 }, "capacity", "range"},
		{"left negative", func(o *Offering) { o.Left = -1 }, "left", "range"},
		{"left above capacity", func(o *Offering) { o.Left = 31 }, "left", "range"},
		{"price negative", func(o *Offering) { o.PriceFen = -1 }, "price_fen", "range"},
		{"voucher negative", func(o *Offering) { o.VoucherFen = -1 }, "voucher_fen", "range"},
		{"voucher above unit price", func(o *Offering) { o.VoucherFen = 1501 }, "voucher_fen", "range"},
		{"schedule too long", func(o *Offering) { o.Schedule = strings.Repeat("一", 201) }, "schedule", "length"},
		{"area empty", func(o *Offering) { o.Area = ServiceArea{} }, "area.places", "required"},
		{"status unknown", func(o *Offering) { o.Status = "open" }, "status", "enum"},
		{"valid_from missing", func(o *Offering) { o.ValidFrom = time.Time{} }, "valid_from", "required"},
		{"valid_to before valid_from", func(o *Offering) { o.ValidTo = day(2024, 12, 31) }, "valid_to", "range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := fxOffering()
			tt.modify(&o)
			expectRule(t, o.Validate(places, cat, fixNow), tt.field, tt.rule)
		})
	}
}

func TestOfferingAvailable(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Offering)
		at     time.Time
		want   bool
	}{
		{"active with capacity", func(*Offering) {}, fixNow, true},
		{"first day", func(*Offering) {}, day(2025, 1, 1), true},
		{"last instant", func(*Offering) {}, day(2025, 12, 31), true},
		{"before start", func(*Offering) {}, day(2024, 12, 31), false},
		{"after end", func(*Offering) {}, day(2026, 1, 1), false},
		{"open-ended", func(o *Offering) { o.ValidTo = time.Time{} }, day(2030, 1, 1), true},
		{"full", func(o *Offering) { o.Left = 0 }, fixNow, false},
		{"paused", func(o *Offering) { o.Status = OfferingPaused }, fixNow, false},
		{"closed", func(o *Offering) { o.Status = OfferingClosed }, fixNow, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := fxOffering()
			tt.modify(&o)
			if got := o.Available(tt.at); got != tt.want {
				t.Fatalf("Available = %v", got)
			}
		})
	}
}

func TestCapacityPeriodStart(t *testing.T) {
	cst := ChinaZone()
	// Sunday 30 November 2026, 23:30 in China is still 15:30 UTC that day.
	at := time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC).Add(-24 * time.Hour) // Sun 29 Nov 23:30 CST
	for _, c := range []struct {
		p    CapacityPeriod
		want time.Time
	}{
		{CapacityPerDay, time.Date(2026, 11, 29, 0, 0, 0, 0, cst)},
		{CapacityPerWeek, time.Date(2026, 11, 23, 0, 0, 0, 0, cst)}, // the Monday before
		{CapacityPerMonth, time.Date(2026, 11, 1, 0, 0, 0, 0, cst)},
		{CapacityPerYear, time.Date(2026, 1, 1, 0, 0, 0, 0, cst)},
		{CapacityOnce, time.Time{}},
	} {
		if got := c.p.Start(at); !got.Equal(c.want) {
			t.Errorf("%s.Start(%v) = %v, want %v", c.p, at, got, c.want)
		}
	}
	// A Monday starts its own week; midnight UTC is already 08:00 in China.
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	if got := CapacityPerWeek.Start(monday); !got.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, cst)) {
		t.Errorf("week of Monday: %v", got)
	}
}
