package domain

import (
	"cmp"
	"slices"
	"time"
)

// StatementLine is one settled service record.
type StatementLine struct {
	RecordID   string    `json:"record_id"`
	ReferralID string    `json:"referral_id"`
	Item       string    `json:"item"`
	Date       time.Time `json:"date"`
	Units      int       `json:"units"`
	VoucherFen Fen       `json:"voucher_fen"`
	OtherFen   Fen       `json:"other_fen"`
	TotalFen   Fen       `json:"total_fen"`
	// Late marks a service of an earlier month confirmed only in this one.
	Late bool `json:"late,omitempty"`
}

// ItemTotal sums a statement's lines of one catalogue item.
type ItemTotal struct {
	Item       string `json:"item"`
	Records    int    `json:"records"`
	Units      int    `json:"units"`
	VoucherFen Fen    `json:"voucher_fen"`
	OtherFen   Fen    `json:"other_fen"`
	TotalFen   Fen    `json:"total_fen"`
}

// Statement is a provider's monthly settlement (核销): the priced service
// records confirmed by the end of the month and not settled before, split
// into what vouchers pay (the district owes it) and what was paid otherwise.
type Statement struct {
	ID         string          `json:"id"`
	ProviderID string          `json:"provider_id"`
	Month      string          `json:"month"` // "2025-06", China time
	Lines      []StatementLine `json:"lines"`
	ByItem     []ItemTotal     `json:"by_item"`
	VoucherFen Fen             `json:"voucher_fen"`
	OtherFen   Fen             `json:"other_fen"`
	TotalFen   Fen             `json:"total_fen"`
	// Pending counts the month's priced records still awaiting
	// confirmation: a later statement settles them, marked late.
	PendingRecords int       `json:"pending_records"`
	PendingFen     Fen       `json:"pending_fen"`
	CreatedAt      time.Time `json:"created_at"`
}

// StatementID is the ID of a provider's statement for a month: one per
// provider and month by construction.
func StatementID(providerID, month string) string { return "stmt:" + providerID + ":" + month }

// ParseMonth reads "2025-06" as the first instant of that month in China and
// the first instant of the next.
func ParseMonth(month string) (start, end time.Time, err error) {
	t, err := time.ParseInLocation("2006-01", month, ChinaZone())
	if err != nil {
		return time.Time{}, time.Time{}, Invalid("month", "format", "月份格式须为 YYYY-MM")
	}
	return t, t.AddDate(0, 1, 0), nil
}

// BuildStatement builds a provider's statement for month from its service
// records. A record is a line when it is the provider's, priced, dated and
// confirmed before the month's end, and not settled in another statement
// (rebuilding the same statement gives the same lines). The month must be
// over at now: ECONFLICT otherwise.
func BuildStatement(providerID, month string, records []ServiceRecord, now time.Time) (Statement, error) {
	start, end, err := ParseMonth(month)
	if err != nil {
		return Statement{}, err
	}
	if now.Before(end) {
		return Statement{}, Errorf(ECONFLICT, "%s 尚未结束，不能结算", month)
	}
	st := Statement{ID: StatementID(providerID, month), ProviderID: providerID, Month: month,
		Lines: []StatementLine{}, ByItem: []ItemTotal{}, CreatedAt: now}
	var p Problems
	for i, r := range records {
		if r.ProviderID != providerID || r.TotalFen() == 0 || !r.Date.Before(end) ||
			(r.StatementID != "" && r.StatementID != st.ID) {
			continue
		}
		if r.VoucherFen < 0 || r.OtherFen < 0 {
			p.Add(fieldIndex("records", i), "range", "服务记录金额不能为负数")
			continue
		}
		if r.ConfirmedAt.IsZero() || !r.ConfirmedAt.Before(end) {
			if !r.Date.Before(start) {
				st.PendingRecords++
				st.PendingFen += r.TotalFen()
			}
			continue
		}
		st.Lines = append(st.Lines, StatementLine{RecordID: r.ID, ReferralID: r.ReferralID, Item: r.Item, Date: r.Date,
			Units: r.Units, VoucherFen: r.VoucherFen, OtherFen: r.OtherFen, TotalFen: r.TotalFen(), Late: r.Date.Before(start)})
	}
	if err := p.Err(); err != nil {
		return Statement{}, err
	}
	slices.SortFunc(st.Lines, func(a, b StatementLine) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.RecordID, b.RecordID))
	})
	items := map[string]*ItemTotal{}
	for _, l := range st.Lines {
		st.VoucherFen += l.VoucherFen
		st.OtherFen += l.OtherFen
		it := items[l.Item]
		if it == nil {
			it = &ItemTotal{Item: l.Item}
			items[l.Item] = it
		}
		it.Records++
		it.Units += l.Units
		it.VoucherFen += l.VoucherFen
		it.OtherFen += l.OtherFen
		it.TotalFen += l.TotalFen
	}
	st.TotalFen = st.VoucherFen + st.OtherFen
	for _, it := range items {
		st.ByItem = append(st.ByItem, *it)
	}
	slices.SortFunc(st.ByItem, func(a, b ItemTotal) int { return cmp.Compare(a.Item, b.Item) })
	return st, nil
}
