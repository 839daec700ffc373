package domain

import (
	"errors"
	"math"
	"time"
)

// ProviderKind is a kind of social force (社会力量).
type ProviderKind string

// Provider kinds.
const (
	ProviderNGO        ProviderKind = "ngo"        // 社会组织
	ProviderEnterprise ProviderKind = "enterprise" // 企业
	ProviderUnit       ProviderKind = "unit"       // 驻地单位
	ProviderVolunteer  ProviderKind = "volunteer"  // 志愿者
)

// Valid reports whether k is a known kind.
func (k ProviderKind) Valid() bool {
	return k == ProviderNGO || k == ProviderEnterprise || k == ProviderUnit || k == ProviderVolunteer
}

// Organisation reports whether the kind is an organisation, which must have
// a unified social credit code; a volunteer is a person and has none.
func (k ProviderKind) Organisation() bool {
	return k == ProviderNGO || k == ProviderEnterprise || k == ProviderUnit
}

// Verification is where a provider stands in the admin's checks.
type Verification string

// Verification states: pending → verified → suspended, and back to verified
// when a suspension is lifted.
const (
	VerificationPending   Verification = "pending"
	VerificationVerified  Verification = "verified"
	VerificationSuspended Verification = "suspended"
)

// Valid reports whether v is a known state.
func (v Verification) Valid() bool {
	return v == VerificationPending || v == VerificationVerified || v == VerificationSuspended
}

// CanVerify reports whether verification may move from one state to another.
// A pending provider can be suspended too, e.g. on a complaint before review.
func CanVerify(from, to Verification) bool {
	switch from {
	case VerificationPending:
		return to == VerificationVerified || to == VerificationSuspended
	case VerificationVerified:
		return to == VerificationSuspended
	case VerificationSuspended:
		return to == VerificationVerified
	}
	return false
}

// TrafficLight is the provider's standing from ratings and complaints.
type TrafficLight string

// Traffic lights.
const (
	LightGreen  TrafficLight = "green"
	LightYellow TrafficLight = "yellow" // watch: repeated complaints or low ratings
	LightRed    TrafficLight = "red"    // no new referrals
)

// Valid reports whether l is a known light.
func (l TrafficLight) Valid() bool { return l == LightGreen || l == LightYellow || l == LightRed }

// AcceptsReferrals reports whether new referrals may go to a provider with
// this light: red ones get none.
func (l TrafficLight) AcceptsReferrals() bool { return l == LightGreen || l == LightYellow }

// LatLng is an approximate position (WGS-84). For a household it is rounded
// to the compound, never the door: it feeds distances, not visits.
type LatLng struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// check validates the coordinate ranges; 0,0 is an unset value, not a home.
func (l *LatLng) check(p *Problems, field string) {
	if l == nil {
		return
	}
	if l.Lat < -90 || l.Lat > 90 || l.Lng < -180 || l.Lng > 180 || (l.Lat == 0 && l.Lng == 0) {
		p.Add(field, "range", "经纬度超出范围")
	}
}

// ServiceArea is where a provider or offering serves: whole places (a street
// covers its communities), a radius around a centre, or both.
type ServiceArea struct {
	Places  []string `json:"places,omitempty"`
	Center  *LatLng  `json:"center,omitempty"`
	RadiusM int      `json:"radius_m,omitempty"`
}

// maxRadiusM bounds a service radius to a city's size.
const maxRadiusM = 100_000

// Validate checks the area against the place tree.
func (a ServiceArea) Validate(places *Places) error {
	var p Problems
	if len(a.Places) == 0 && a.Center == nil {
		p.Add("places", "required", "服务范围须指定区划或中心点加半径")
	}
	seen := map[string]bool{}
	for i, code := range a.Places {
		f := fieldIndex("places", i)
		checkPlace(&p, f, code, places, true)
		if seen[code] {
			p.Addf(f, "unique", "区划 %q 重复", code)
		}
		seen[code] = true
	}
	a.Center.check(&p, "center")
	switch {
	case a.Center != nil && (a.RadiusM < 1 || a.RadiusM > maxRadiusM):
		p.Addf("radius_m", "range", "服务半径须在1–%d米之间", maxRadiusM)
	case a.Center == nil && a.RadiusM != 0:
		p.Add("center", "required", "指定服务半径时须有中心点")
	}
	return p.Err()
}

// Covers reports whether the area serves a home in place at the approximate
// location at (nil when unknown).
func (a ServiceArea) Covers(place string, at *LatLng) bool {
	for _, code := range a.Places {
		if PlaceWithin(place, code) {
			return true
		}
	}
	return a.Center != nil && at != nil && DistanceM(*a.Center, *at) <= float64(a.RadiusM)
}

// DistanceM returns the great-circle distance between two points in metres;
// at a district's scale the haversine formula is exact enough.
func DistanceM(a, b LatLng) float64 {
	const earthRadiusM = 6_371_000
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLng := rad(b.Lat-a.Lat), rad(b.Lng-a.Lng)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Provider is a social force: an organisation or a volunteer.
type Provider struct {
	ID   string       `json:"id"`
	Kind ProviderKind `json:"kind"`
	Name string       `json:"name"`
	// CreditCode is the unified social credit code of an organisation.
	CreditCode   string `json:"credit_code,omitempty"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
	// Place is where the provider is based; Area is where it serves.
	Place        string       `json:"place"`
	Area         ServiceArea  `json:"area"`
	Verification Verification `json:"verification"`
	TrafficLight TrafficLight `json:"traffic_light"`
	// Rating is the mean of residents' ratings (1–5), 0 while RatingCount is 0.
	Rating      float64   `json:"rating"`
	RatingCount int       `json:"rating_count"`
	Complaints  int       `json:"complaints"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
	Version     int64     `json:"version"`
}

// Validate checks the provider against the place tree.
func (pr Provider) Validate(places *Places, now time.Time) error {
	var p Problems
	if !pr.Kind.Valid() {
		p.Add("kind", "enum", "类型须为 ngo、enterprise、unit 或 volunteer")
	}
	checkText(&p, "name", pr.Name, true, 100, "名称")
	switch {
	case pr.Kind.Organisation():
		p.Merge("", ValidateUSCC(pr.CreditCode))
	case pr.Kind == ProviderVolunteer && pr.CreditCode != "":
		p.Add("credit_code", "forbidden", "个人志愿者没有统一社会信用代码")
	}
	checkText(&p, "contact_name", pr.ContactName, pr.Kind.Organisation(), 50, "联系人")
	if err := ValidateMobile(pr.ContactPhone); err != nil {
		p.Merge("", renameField(err, "contact_phone"))
	}
	checkPlace(&p, "place", pr.Place, places, true)
	p.Merge("area", pr.Area.Validate(places))
	if !pr.Verification.Valid() {
		p.Add("verification", "enum", "审核状态须为 pending、verified 或 suspended")
	}
	if !pr.TrafficLight.Valid() {
		p.Add("traffic_light", "enum", "信用灯须为 green、yellow 或 red")
	}
	switch {
	case pr.RatingCount < 0:
		p.Add("rating_count", "range", "评价数不能为负数")
	case pr.RatingCount == 0 && pr.Rating != 0:
		p.Add("rating", "range", "尚无评价时评分须为0")
	case pr.RatingCount > 0 && (pr.Rating < 1 || pr.Rating > 5 || math.IsNaN(pr.Rating)):
		p.Add("rating", "range", "评分须在1–5之间")
	}
	if pr.Complaints < 0 {
		p.Add("complaints", "range", "投诉数不能为负数")
	}
	checkPast(&p, "created_at", pr.CreatedAt, now, false, "创建时间")
	return p.Err()
}

// renameField gives a single-field validation error another field name, for
// checks such as ValidateMobile that name a generic field.
func renameField(err error, field string) error {
	var p Problems
	var e *Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			p.Add(field, f.Rule, f.Message)
		}
		return p.Err()
	}
	return err
}

// ProviderKinds lists the provider kinds, for forms and filters.
func ProviderKinds() []ProviderKind {
	return []ProviderKind{ProviderNGO, ProviderEnterprise, ProviderUnit, ProviderVolunteer}
}
