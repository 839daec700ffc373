package domain

import (
	"math"
	"testing"
)

func fxProvider(tb testing.TB) Provider {
	tb.Helper()
	return Provider{Kind: ProviderNGO, Name: "碑林区阳光社会工作服务中心", CreditCode: mkUSCC(tb, "52610103MJX12345"+"6"),
		ContactName: "刘敏", ContactPhone: "13912345678", Place: "610103002000",
		Area:         ServiceArea{Places: []string{"610103002000"}},
		Verification: VerificationVerified, TrafficLight: LightGreen, Rating: 4.6, RatingCount: 25}
}

func TestProviderValidate(t *testing.T) {
	places := fxPlaces(t)
	tests := []struct {
		name   string
		modify func(*Provider)
		field  string
		rule   string
	}{
		{"valid NGO", func(*Provider) {}, "", ""},
		{"valid volunteer", func(p *Provider) { p.Kind, p.CreditCode, p.ContactName = ProviderVolunteer, "", "" }, "", ""},
		{"valid radius area", func(p *Provider) { p.Area = ServiceArea{Center: &LatLng{34.25, 108.96}, RadiusM: 3000} }, "", ""},
		{"valid unrated", func(p *Provider) { p.Rating, p.RatingCount = 0, 0 }, "", ""},
		{"kind unknown", func(p *Provider) { p.Kind = "club" }, "kind", "enum"},
		{"name missing", func(p *Provider) { p.Name = "" }, "name", "required"},
		{"organisation without credit code", func(p *Provider) { p.CreditCode = "" }, "credit_code", "required"},
		{"enterprise with bad check character", func(p *Provider) { p.Kind, p.CreditCode = ProviderEnterprise, "91350100M000100Y44" }, "credit_code", "checksum"},
		{"unit with letter O", func(p *Provider) { p.Kind, p.CreditCode = ProviderUnit, "91350100O000100Y43" }, "credit_code", "format"},
		{"volunteer with credit code", func(p *Provider) { p.Kind = ProviderVolunteer }, "credit_code", "forbidden"},
		{"organisation without contact", func(p *Provider) { p.ContactName = "" }, "contact_name", "required"},
		{"phone missing", func(p *Provider) { p.ContactPhone = "" }, "contact_phone", "required"},
		{"phone not mobile", func(p *Provider) { p.ContactPhone = "029-87654321" }, "contact_phone", "format"},
		{"place unknown", func(p *Provider) { p.Place = "610104000000" }, "place", "exists"},
		{"area empty", func(p *Provider) { p.Area = ServiceArea{} }, "area.places", "required"},
		{"area place unknown", func(p *Provider) { p.Area.Places = []string{"610103003000"} }, "area.places[0]", "exists"},
		{"area place duplicate", func(p *Provider) { p.Area.Places = []string{"610103002000", "610103002000"} }, "area.places[1]", "unique"},
		{"radius without centre", func(p *Provider) { p.Area.RadiusM = 500 }, "area.center", "required"},
		{"centre without radius", func(p *Provider) { p.Area.Center = &LatLng{34.25, 108.96} }, "area.radius_m", "range"},
		{"radius too large", func(p *Provider) { p.Area = ServiceArea{Center: &LatLng{34.25, 108.96}, RadiusM: 100_001} }, "area.radius_m", "range"},
		{"centre out of range", func(p *Provider) { p.Area = ServiceArea{Center: &LatLng{34.25, 190}, RadiusM: 100} }, "area.center", "range"},
		{"verification unknown", func(p *Provider) { p.Verification = "approved" }, "verification", "enum"},
		{"light unknown", func(p *Provider) { p.TrafficLight = "blue" }, "traffic_light", "enum"},
		{"rating above 5", func(p *Provider) { p.Rating = 5.1 }, "rating", "range"},
		{"rating below 1", func(p *Provider) { p.Rating = 0.5 }, "rating", "range"},
		{"rating NaN", func(p *Provider) { p.Rating = math.NaN() }, "rating", "range"},
		{"rating without ratings", func(p *Provider) { p.RatingCount = 0 }, "rating", "range"},
		{"negative rating count", func(p *Provider) { p.RatingCount = -1 }, "rating_count", "range"},
		{"negative complaints", func(p *Provider) { p.Complaints = -1 }, "complaints", "range"},
		{"created in future", func(p *Provider) { p.CreatedAt = day(2030, 1, 1) }, "created_at", "range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fxProvider(t)
			tt.modify(&p)
			expectRule(t, p.Validate(places, fixNow), tt.field, tt.rule)
		})
	}
}

func TestCanVerify(t *testing.T) {
	all := []Verification{VerificationPending, VerificationVerified, VerificationSuspended}
	allowed := map[[2]Verification]bool{
		{VerificationPending, VerificationVerified}: true, {VerificationPending, VerificationSuspended}: true,
		{VerificationVerified, VerificationSuspended}: true, {VerificationSuspended, VerificationVerified}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := CanVerify(from, to); got != allowed[[2]Verification{from, to}] {
				t.Errorf("CanVerify(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestTrafficLightReferrals(t *testing.T) {
	if !LightGreen.AcceptsReferrals() || !LightYellow.AcceptsReferrals() || LightRed.AcceptsReferrals() || TrafficLight("").AcceptsReferrals() {
		t.Fatal("only green and yellow providers take referrals")
	}
	if !ProviderNGO.Organisation() || ProviderVolunteer.Organisation() || len(ProviderKinds()) != 4 {
		t.Fatal("provider kinds")
	}
}

func TestServiceAreaCovers(t *testing.T) {
	home := &LatLng{Lat: 34.2553, Lng: 108.9601}
	near := LatLng{Lat: 34.2600, Lng: 108.9601} // about 520 m north
	tests := []struct {
		name  string
		area  ServiceArea
		place string
		at    *LatLng
		want  bool
	}{
		{"street covers its compound", ServiceArea{Places: []string{"610103002000"}}, "610103002001001", nil, true},
		{"district covers its community", ServiceArea{Places: []string{"610103000000"}}, "610103002001", nil, true},
		{"other street", ServiceArea{Places: []string{"610103003000"}}, "610103002001001", nil, false},
		{"inside radius", ServiceArea{Center: &near, RadiusM: 600}, "610103002001", home, true},
		{"outside radius", ServiceArea{Center: &near, RadiusM: 400}, "610103002001", home, false},
		{"radius, location unknown", ServiceArea{Center: &near, RadiusM: 600}, "610103002001", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.area.Covers(tt.place, tt.at); got != tt.want {
				t.Fatalf("Covers = %v", got)
			}
		})
	}
}

func TestDistanceM(t *testing.T) {
	// One degree of latitude is about 111.2 km everywhere.
	d := DistanceM(LatLng{34, 108.9}, LatLng{35, 108.9})
	if d < 111_000 || d > 111_400 {
		t.Fatalf("DistanceM = %.0f", d)
	}
	if DistanceM(LatLng{34, 108.9}, LatLng{34, 108.9}) != 0 {
		t.Fatal("distance to itself")
	}
}
