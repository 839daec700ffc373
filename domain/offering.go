package domain

import (
	"slices"
	"time"
)

// Audience says who an offering is for. Providers choose: people in given
// assistance tiers, people just outside every tier (often their only help),
// or anyone in hardship; optionally limited by age, disability or place.
type Audience struct {
	Tiers       []AssistanceKind `json:"tiers,omitempty"`
	JustOutside bool             `json:"just_outside"`
	Anyone      bool             `json:"anyone"`
	// MinAge and MaxAge bound the member's age; 0 means no bound.
	MinAge int `json:"min_age,omitempty"`
	MaxAge int `json:"max_age,omitempty"`
	// DisabilityOnly limits the offering to members with a certified
	// disability, of one of DisabilityTypes when that is not empty.
	DisabilityOnly  bool             `json:"disability_only,omitempty"`
	DisabilityTypes []DisabilityType `json:"disability_types,omitempty"`
	// Places limits the offering to homes in these places.
	Places []string `json:"places,omitempty"`
}

// Validate checks the audience against the place tree.
func (a Audience) Validate(places *Places) error {
	var p Problems
	if len(a.Tiers) == 0 && !a.JustOutside && !a.Anyone {
		p.Add("tiers", "required", "服务对象须选择救助类别、边缘人群或所有困难群众")
	}
	seen := map[AssistanceKind]bool{}
	for i, k := range a.Tiers {
		f := fieldIndex("tiers", i)
		if !k.Valid() {
			p.Add(f, "enum", "救助类别无效")
		}
		if seen[k] {
			p.Add(f, "unique", "救助类别重复")
		}
		seen[k] = true
	}
	if a.MinAge < 0 || a.MinAge > 120 {
		p.Add("min_age", "range", "最小年龄须在0–120岁之间")
	}
	if a.MaxAge < 0 || a.MaxAge > 120 {
		p.Add("max_age", "range", "最大年龄须在0–120岁之间")
	}
	if a.MaxAge > 0 && a.MinAge > a.MaxAge {
		p.Add("max_age", "range", "最大年龄不能小于最小年龄")
	}
	for i, d := range a.DisabilityTypes {
		if !d.Valid() {
			p.Add(fieldIndex("disability_types", i), "enum", "残疾类别无效")
		}
	}
	if len(a.DisabilityTypes) > 0 && !a.DisabilityOnly {
		p.Add("disability_only", "required", "指定残疾类别时须限定残疾人")
	}
	for i, code := range a.Places {
		checkPlace(&p, fieldIndex("places", i), code, places, true)
	}
	return p.Err()
}

// CapacityPeriod is the period over which an offering's capacity renews.
type CapacityPeriod string

// Capacity periods.
const (
	CapacityPerDay   CapacityPeriod = "day"
	CapacityPerWeek  CapacityPeriod = "week"
	CapacityPerMonth CapacityPeriod = "month"
	CapacityPerYear  CapacityPeriod = "year"
	CapacityOnce     CapacityPeriod = "once" // a fixed stock that does not renew (e.g. 50 smoke detectors)
)

// Valid reports whether p is a known period.
func (p CapacityPeriod) Valid() bool {
	return slices.Contains([]CapacityPeriod{CapacityPerDay, CapacityPerWeek, CapacityPerMonth, CapacityPerYear, CapacityOnce}, p)
}

// Start returns when the period containing t began, in China time: the day
// at midnight, the week on Monday, the month on the 1st, the year on 1
// January. A stock given once never renews: its start is the zero time.
func (p CapacityPeriod) Start(t time.Time) time.Time {
	c := t.In(ChinaZone())
	day := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, ChinaZone())
	switch p {
	case CapacityPerDay:
		return day
	case CapacityPerWeek:
		return day.AddDate(0, 0, -((int(c.Weekday()) + 6) % 7))
	case CapacityPerMonth:
		return time.Date(c.Year(), c.Month(), 1, 0, 0, 0, 0, ChinaZone())
	case CapacityPerYear:
		return time.Date(c.Year(), 1, 1, 0, 0, 0, 0, ChinaZone())
	default:
		return time.Time{}
	}
}

// OfferingStatus is whether an offering takes referrals.
type OfferingStatus string

// Offering statuses.
const (
	OfferingActive OfferingStatus = "active"
	OfferingPaused OfferingStatus = "paused" // temporarily full or on holiday
	OfferingClosed OfferingStatus = "closed"
)

// Valid reports whether s is a known status.
func (s OfferingStatus) Valid() bool {
	return s == OfferingActive || s == OfferingPaused || s == OfferingClosed
}

// Offering is one entry of the supply list: a provider's service of one
// catalogue item with limited capacity.
type Offering struct {
	ID          string   `json:"id"`
	ProviderID  string   `json:"provider_id"`
	Item        string   `json:"item"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Audience    Audience `json:"audience"`
	// Capacity is how many units are offered per Period; Left is what
	// remains of the current period and is decremented by referrals.
	Period   CapacityPeriod `json:"period"`
	Capacity int            `json:"capacity"`
	Left     int            `json:"left"`
	// PriceFen is what the resident pays per unit (0: free); VoucherFen is
	// what a service voucher pays per unit, at most the item's unit price.
	PriceFen   Fen            `json:"price_fen"`
	VoucherFen Fen            `json:"voucher_fen"`
	Schedule   string         `json:"schedule,omitempty"`
	Area       ServiceArea    `json:"area"`
	Status     OfferingStatus `json:"status"`
	ValidFrom  time.Time      `json:"valid_from"`
	// ValidTo is zero for an offering without an end date.
	ValidTo   time.Time `json:"valid_to,omitzero"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	Version   int64     `json:"version"`
}

// maxCapacity bounds capacity to catch typing slips (an extra zero or two).
const maxCapacity = 100_000

// Validate checks the offering against the place tree and the catalogue.
func (o Offering) Validate(places *Places, cat *Catalogue, now time.Time) error {
	var p Problems
	checkText(&p, "provider_id", o.ProviderID, true, 40, "服务方")
	checkItem(&p, "item", o.Item, cat)
	checkText(&p, "title", o.Title, true, 100, "标题")
	checkText(&p, "description", o.Description, false, 2000, "描述")
	p.Merge("audience", o.Audience.Validate(places))
	if !o.Period.Valid() {
		p.Add("period", "enum", "容量周期须为 day、week、month、year 或 once")
	}
	if o.Capacity < 1 || o.Capacity > maxCapacity {
		p.Addf("capacity", "range", "服务容量须在1–%d之间", maxCapacity)
	}
	if o.Left < 0 || o.Left > o.Capacity {
		p.Add("left", "range", "剩余容量须在0到服务容量之间")
	}
	if o.PriceFen < 0 {
		p.Add("price_fen", "range", "价格不能为负数")
	}
	if o.VoucherFen < 0 {
		p.Add("voucher_fen", "range", "服务券抵扣额不能为负数")
	} else if it, ok := cat.Get(o.Item); ok && o.VoucherFen > it.UnitPriceFen {
		p.Addf("voucher_fen", "range", "服务券抵扣额不能高于目录单价 %s", it.UnitPriceFen)
	}
	checkText(&p, "schedule", o.Schedule, false, 200, "服务时间")
	p.Merge("area", o.Area.Validate(places))
	if !o.Status.Valid() {
		p.Add("status", "enum", "状态须为 active、paused 或 closed")
	}
	if o.ValidFrom.IsZero() {
		p.Add("valid_from", "required", "有效期开始日期不能为空")
	}
	if !o.ValidTo.IsZero() && o.ValidTo.Before(o.ValidFrom) {
		p.Add("valid_to", "range", "有效期结束日期不能早于开始日期")
	}
	checkPast(&p, "created_at", o.CreatedAt, now, false, "创建时间")
	return p.Err()
}

// Available reports whether the offering can take a referral at now: active,
// within its validity and with capacity left.
func (o Offering) Available(now time.Time) bool {
	return o.Status == OfferingActive && o.Left > 0 && !now.Before(o.ValidFrom) &&
		(o.ValidTo.IsZero() || !now.After(o.ValidTo))
}
