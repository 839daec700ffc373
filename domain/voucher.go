package domain

import (
	"fmt"
	"time"
)

// ChinaZone is Asia/Shanghai: China keeps no daylight saving, so a fixed
// +08:00 zone is exact and needs no tz database. Voucher years and
// settlement months follow it.
func ChinaZone() *time.Location { return time.FixedZone("CST", 8*3600) }

// VoucherYear is the voucher year (the calendar year in China) of t.
func VoucherYear(t time.Time) int { return t.In(ChinaZone()).Year() }

// StageRelease says how a year's allowance opens in stages.
type StageRelease string

// Release modes.
const (
	ReleaseByDate  StageRelease = "date"  // each stage opens on its date
	ReleaseBySpend StageRelease = "spend" // a stage opens when the earlier ones are spent
)

// VoucherStage is one stage of the yearly allowance.
type VoucherStage struct {
	Percent int `json:"percent"`
	// Month and Day (in date mode) say when the stage opens each year.
	Month time.Month `json:"month,omitempty"`
	Day   int        `json:"day,omitempty"`
}

// VoucherPolicy is the district's service voucher (服务类救助额度): a yearly
// amount per entitled household, released in stages.
type VoucherPolicy struct {
	YearlyFen Fen            `json:"yearly_fen"`
	Release   StageRelease   `json:"release"`
	Stages    []VoucherStage `json:"stages"`
}

// DefaultVoucherPolicy is ¥1,000 a year, 40% / 40% / 20% opening on 1
// January, 1 May and 1 September.
func DefaultVoucherPolicy() VoucherPolicy {
	return VoucherPolicy{YearlyFen: Yuan(1000), Release: ReleaseByDate, Stages: []VoucherStage{
		{Percent: 40, Month: time.January, Day: 1}, {Percent: 40, Month: time.May, Day: 1}, {Percent: 20, Month: time.September, Day: 1}}}
}

// maxYearlyVoucher catches a misplaced zero in the configuration.
const maxYearlyVoucher = Fen(100_000 * 100)

// Validate checks the policy: an amount, percentages adding up to 100 and,
// in date mode, real dates in order (29 February is refused: not every year
// has one).
func (vp VoucherPolicy) Validate() error {
	var p Problems
	if vp.YearlyFen < 1 || vp.YearlyFen > maxYearlyVoucher {
		p.Addf("yearly_fen", "range", "年度额度须在¥0.01–%s之间", maxYearlyVoucher)
	}
	if vp.Release != ReleaseByDate && vp.Release != ReleaseBySpend {
		p.Add("release", "enum", "发放方式须为 date 或 spend")
	}
	if len(vp.Stages) < 1 || len(vp.Stages) > 12 {
		p.Add("stages", "range", "分期须为1–12期")
	}
	sum, prev := 0, time.Time{}
	for i, s := range vp.Stages {
		f := fieldIndex("stages", i)
		if s.Percent < 1 || s.Percent > 100 {
			p.Add(f+".percent", "range", "每期比例须在1–100之间")
		}
		sum += s.Percent
		if vp.Release == ReleaseBySpend {
			if s.Month != 0 || s.Day != 0 {
				p.Add(f+".month", "forbidden", "按使用进度发放时不设日期")
			}
			continue
		}
		opens := time.Date(2001, s.Month, s.Day, 0, 0, 0, 0, time.UTC) // 2001: not a leap year
		switch {
		case s.Month < time.January || s.Month > time.December || s.Day < 1 || opens.Day() != s.Day:
			p.Add(f+".day", "date", "发放日期无效")
		case i > 0 && !opens.After(prev):
			p.Add(f+".day", "order", "各期发放日期须依次递增")
		}
		prev = opens
	}
	if sum != 100 {
		p.Addf("stages", "sum", "各期比例之和须为100（现为%d）", sum)
	}
	return p.Err()
}

// StageAmounts splits the yearly amount by the stages' percentages; the last
// stage takes the rounding so that the stages add up to the fen.
func (vp VoucherPolicy) StageAmounts() []Fen {
	out := make([]Fen, len(vp.Stages))
	left := vp.YearlyFen
	for i, s := range vp.Stages {
		if i == len(vp.Stages)-1 {
			out[i] = left
			break
		}
		out[i] = vp.YearlyFen * Fen(s.Percent) / 100
		left -= out[i]
	}
	return out
}

// OpenStages returns how many stages of year are open at now: by date, those
// whose date (China time) has come; by spending, the first, and each next one
// once what was spent reaches all that the open stages granted.
func (vp VoucherPolicy) OpenStages(year int, spent Fen, now time.Time) int {
	if vp.Release == ReleaseByDate {
		n := 0
		for _, s := range vp.Stages {
			if now.Before(time.Date(year, s.Month, s.Day, 0, 0, 0, 0, ChinaZone())) {
				break
			}
			n++
		}
		return n
	}
	if VoucherYear(now) < year {
		return 0
	}
	n, granted := 0, Fen(0)
	for _, amount := range vp.StageAmounts() {
		if n > 0 && spent < granted {
			break
		}
		n++
		granted += amount
	}
	return n
}

// DueGrants returns the grant entries a household's ledger for year lacks at
// now: one per open stage not yet granted, each with an ID that makes it
// unique (so a worker that runs twice grants once).
func (vp VoucherPolicy) DueGrants(l VoucherLedger, by string, now time.Time) ([]VoucherEntry, error) {
	b, err := l.Balance()
	if err != nil {
		return nil, err
	}
	granted := map[int]bool{}
	for _, e := range l.Entries {
		if e.Kind == VoucherGrant {
			granted[e.Stage] = true
		}
	}
	var out []VoucherEntry
	amounts := vp.StageAmounts()
	for stage := 1; stage <= vp.OpenStages(l.Year, b.SpentFen, now); stage++ {
		if !granted[stage] {
			out = append(out, VoucherEntry{ID: GrantEntryID(l.HouseholdID, l.Year, stage), HouseholdID: l.HouseholdID,
				Year: l.Year, Kind: VoucherGrant, AmountFen: amounts[stage-1], Stage: stage, At: now, By: by})
		}
	}
	return out, nil
}

// VoucherEntryKind is the kind of a ledger entry.
type VoucherEntryKind string

// Ledger entry kinds.
const (
	VoucherGrant   VoucherEntryKind = "grant"   // a stage of the allowance opens
	VoucherReserve VoucherEntryKind = "reserve" // a referral to a priced offering holds an amount
	VoucherSpend   VoucherEntryKind = "spend"   // a referral ended and used (part of) its reservation
	VoucherRelease VoucherEntryKind = "release" // a reservation (or its unused rest) is given back
)

// VoucherEntry is one line of a household's voucher ledger for a year.
// Entries are appended, never edited.
type VoucherEntry struct {
	// ID is unique by construction (GrantEntryID, ReferralEntryID): the
	// store's unique key, so a retried or repaired write is a no-op.
	ID          string           `json:"id"`
	HouseholdID string           `json:"household_id"`
	Year        int              `json:"year"`
	Kind        VoucherEntryKind `json:"kind"`
	AmountFen   Fen              `json:"amount_fen"`
	ReferralID  string           `json:"referral_id,omitempty"`
	Stage       int              `json:"stage,omitempty"`
	At          time.Time        `json:"at"`
	By          string           `json:"by"`
}

// GrantEntryID is the ID of a stage's grant.
func GrantEntryID(householdID string, year, stage int) string {
	return fmt.Sprintf("grant:%s:%d:%d", householdID, year, stage)
}

// ReferralEntryID is the ID of a referral's reserve, spend or release: each
// happens at most once per referral.
func ReferralEntryID(kind VoucherEntryKind, referralID string) string {
	return string(kind) + ":" + referralID
}

// VoucherBalance is what a ledger adds up to. Left = granted − reserved −
// spent, and is what new reservations may take.
type VoucherBalance struct {
	GrantedFen  Fen `json:"granted_fen"`
	ReservedFen Fen `json:"reserved_fen"`
	SpentFen    Fen `json:"spent_fen"`
	LeftFen     Fen `json:"left_fen"`
}

// Apply returns the balance after e, given outstanding: what e's referral
// still holds reserved before e (0 for a grant or a first reservation). A
// reservation beyond what is left, or a spend or release beyond what the
// referral holds, is ECONFLICT: the ledger never goes negative. A malformed
// entry is EINVALID.
func (b VoucherBalance) Apply(e VoucherEntry, outstanding Fen) (VoucherBalance, error) {
	if err := e.validate(); err != nil {
		return b, err
	}
	switch e.Kind {
	case VoucherGrant:
		b.GrantedFen += e.AmountFen
	case VoucherReserve:
		if outstanding != 0 {
			return b, Errorf(ECONFLICT, "转介 %s 已预留服务券", e.ReferralID)
		}
		if e.AmountFen > b.LeftFen {
			return b, Errorf(ECONFLICT, "服务券余额不足：剩余 %s，需要 %s", b.LeftFen, e.AmountFen)
		}
		b.ReservedFen += e.AmountFen
	case VoucherSpend, VoucherRelease:
		if e.AmountFen > outstanding {
			return b, Errorf(ECONFLICT, "转介 %s 预留的服务券不足：预留 %s，本次 %s", e.ReferralID, outstanding, e.AmountFen)
		}
		b.ReservedFen -= e.AmountFen
		if e.Kind == VoucherSpend {
			b.SpentFen += e.AmountFen
		}
	}
	b.LeftFen = b.GrantedFen - b.ReservedFen - b.SpentFen
	return b, nil
}

// validate checks one entry on its own.
func (e VoucherEntry) validate() error {
	var p Problems
	checkText(&p, "id", e.ID, true, 120, "流水号")
	checkText(&p, "household_id", e.HouseholdID, true, 40, "家庭档案")
	if e.Year < 2000 || e.Year > 2999 {
		p.Add("year", "range", "年度无效")
	}
	if e.AmountFen < 1 {
		p.Add("amount_fen", "range", "金额须为正数")
	}
	switch e.Kind {
	case VoucherGrant:
		if e.Stage < 1 {
			p.Add("stage", "range", "发放须注明期数")
		}
		if e.ReferralID != "" {
			p.Add("referral_id", "forbidden", "发放不关联转介")
		}
	case VoucherReserve, VoucherSpend, VoucherRelease:
		checkText(&p, "referral_id", e.ReferralID, true, 40, "转介")
		if e.Stage != 0 {
			p.Add("stage", "forbidden", "只有发放有期数")
		}
	default:
		p.Add("kind", "enum", "流水类型须为 grant、reserve、spend 或 release")
	}
	if e.At.IsZero() {
		p.Add("at", "required", "时间不能为空")
	}
	checkText(&p, "by", e.By, true, 40, "操作人")
	return p.Err()
}

// VoucherLedger is one household's ledger for one year.
type VoucherLedger struct {
	HouseholdID string         `json:"household_id"`
	Year        int            `json:"year"`
	Entries     []VoucherEntry `json:"entries"`
}

// Balance folds the entries in order, checking each against the balance so
// far and the ledger's household and year; the first bad entry is the error,
// named by its index.
func (l VoucherLedger) Balance() (VoucherBalance, error) {
	var b VoucherBalance
	held := map[string]Fen{}
	ids := map[string]bool{}
	for i, e := range l.Entries {
		if e.HouseholdID != l.HouseholdID || e.Year != l.Year {
			return b, Invalid(fieldIndex("entries", i), "mismatch", "流水不属于此家庭或年度")
		}
		if ids[e.ID] {
			return b, Invalid(fieldIndex("entries", i)+".id", "unique", "流水号重复")
		}
		ids[e.ID] = true
		next, err := b.Apply(e, held[e.ReferralID])
		if err != nil {
			return b, fmt.Errorf("entries[%d]: %w", i, err)
		}
		b = next
		switch e.Kind {
		case VoucherReserve:
			held[e.ReferralID] = e.AmountFen
		case VoucherSpend, VoucherRelease:
			held[e.ReferralID] -= e.AmountFen
		}
	}
	return b, nil
}

// Append adds e after checking it against the ledger (Balance's rules); the
// ledger is unchanged on error.
func (l *VoucherLedger) Append(e VoucherEntry) error {
	next := VoucherLedger{HouseholdID: l.HouseholdID, Year: l.Year, Entries: append(l.Entries[:len(l.Entries):len(l.Entries)], e)}
	if _, err := next.Balance(); err != nil {
		return err
	}
	l.Entries = next.Entries
	return nil
}

// VoucherChange is what one referral move does to a voucher ledger.
type VoucherChange struct {
	Reserve Fen `json:"reserve,omitempty"`
	Spend   Fen `json:"spend,omitempty"`
	Release Fen `json:"release,omitempty"`
}

// IsZero reports whether the change does nothing.
func (c VoucherChange) IsZero() bool { return c == VoucherChange{} }

// Entries returns the ledger entries that carry out the change for a
// referral, spend before release, skipping zero amounts.
func (c VoucherChange) Entries(r Referral, by string, at time.Time) []VoucherEntry {
	var out []VoucherEntry
	for _, part := range []struct {
		kind   VoucherEntryKind
		amount Fen
	}{{VoucherReserve, c.Reserve}, {VoucherSpend, c.Spend}, {VoucherRelease, c.Release}} {
		if part.amount > 0 {
			out = append(out, VoucherEntry{ID: ReferralEntryID(part.kind, r.ID), HouseholdID: r.HouseholdID,
				Year: r.VoucherYear, Kind: part.kind, AmountFen: part.amount, ReferralID: r.ID, At: at, By: by})
		}
	}
	return out
}

// ReservesVoucher reports whether a referral of kind k in state s holds a
// voucher reservation: from creation until it ends.
func ReservesVoucher(k TargetKind, s ReferralState) bool {
	return k == TargetOffering && (s == ReferralAwaitingProvider || s == ReferralAccepted || s == ReferralInService)
}

// VoucherEffect returns what a move of a referral of kind k does to the
// household's voucher, given what the referral reserved and what its service
// records used: creation reserves; the end spends what was used (on
// completion, or on closing after some service) and releases the rest.
func VoucherEffect(k TargetKind, from, to ReferralState, reserved, used Fen) VoucherChange {
	held, holds := ReservesVoucher(k, from), ReservesVoucher(k, to)
	switch {
	case !held && holds:
		return VoucherChange{Reserve: reserved}
	case held && !holds:
		return VoucherChange{Spend: used, Release: reserved - used}
	}
	return VoucherChange{}
}

// ServiceCharge is what a service costs and who pays.
type ServiceCharge struct {
	// VoucherFen is what the voucher pays: the offering's voucher value per
	// unit, never above the catalogue's unit price, times the units.
	VoucherFen Fen `json:"voucher_fen"`
	// OtherFen is what the resident pays at the offering's price.
	OtherFen Fen `json:"other_fen"`
}

// PriceService prices units of an offering of the catalogue item. Units out
// of range or an item that is not the offering's are EINVALID.
func PriceService(item CatalogueItem, o Offering, units int) (ServiceCharge, error) {
	var p Problems
	if units < 1 || units > maxUnits {
		p.Addf("units", "range", "服务数量须在1–%d之间", maxUnits)
	}
	if item.Code != o.Item {
		p.Add("item", "mismatch", "服务项目与服务供给不符")
	}
	if o.VoucherFen < 0 || o.PriceFen < 0 {
		p.Add("price_fen", "range", "价格不能为负数")
	}
	if err := p.Err(); err != nil {
		return ServiceCharge{}, err
	}
	perUnit := min(o.VoucherFen, max(item.UnitPriceFen, 0))
	return ServiceCharge{VoucherFen: perUnit * Fen(units), OtherFen: o.PriceFen * Fen(units)}, nil
}
