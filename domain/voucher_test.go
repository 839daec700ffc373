package domain

import (
	"slices"
	"testing"
	"time"
)

// chinaAt returns an instant in China time.
func chinaAt(y, m, d, h int) time.Time {
	return time.Date(y, time.Month(m), d, h, 0, 0, 0, ChinaZone())
}

func TestVoucherYear(t *testing.T) {
	if VoucherYear(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)) != 2026 || VoucherYear(time.Date(2025, 12, 31, 15, 59, 0, 0, time.UTC)) != 2025 {
		t.Fatal("the voucher year turns at midnight in China, 16:00 UTC")
	}
}

func TestVoucherPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*VoucherPolicy)
		field  string
		rule   string
	}{
		{"default", func(*VoucherPolicy) {}, "", ""},
		{"by spending", func(p *VoucherPolicy) {
			p.Release, p.Stages = ReleaseBySpend, []VoucherStage{{Percent: 50}, {Percent: 30}, {Percent: 20}}
		}, "", ""},
		{"one stage", func(p *VoucherPolicy) { p.Stages = []VoucherStage{{Percent: 100, Month: 1, Day: 1}} }, "", ""},
		{"no amount", func(p *VoucherPolicy) { p.YearlyFen = 0 }, "yearly_fen", "range"},
		{"absurd amount", func(p *VoucherPolicy) { p.YearlyFen = Yuan(100_001) }, "yearly_fen", "range"},
		{"release unknown", func(p *VoucherPolicy) { p.Release = "monthly" }, "release", "enum"},
		{"no stages", func(p *VoucherPolicy) { p.Stages = nil }, "stages", "range"},
		{"percent zero", func(p *VoucherPolicy) { p.Stages[2].Percent, p.Stages[1].Percent = 0, 60 }, "stages[2].percent", "range"},
		{"sum 90", func(p *VoucherPolicy) { p.Stages[2].Percent = 10 }, "stages", "sum"},
		{"sum 110", func(p *VoucherPolicy) { p.Stages[2].Percent = 30 }, "stages", "sum"},
		{"month 13", func(p *VoucherPolicy) { p.Stages[1].Month = 13 }, "stages[1].day", "date"},
		{"day 31 June", func(p *VoucherPolicy) { p.Stages[1].Month, p.Stages[1].Day = 6, 31 }, "stages[1].day", "date"},
		{"29 February", func(p *VoucherPolicy) { p.Stages[1].Month, p.Stages[1].Day = 2, 29 }, "stages[1].day", "date"},
		{"day zero", func(p *VoucherPolicy) { p.Stages[0].Day = 0 }, "stages[0].day", "date"},
		{"dates out of order", func(p *VoucherPolicy) { p.Stages[2].Month = 3 }, "stages[2].day", "order"},
		{"same date twice", func(p *VoucherPolicy) { p.Stages[2].Month = 5 }, "stages[2].day", "order"},
		{"date in spend mode", func(p *VoucherPolicy) { p.Release = ReleaseBySpend }, "stages[0].month", "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultVoucherPolicy()
			tt.modify(&p)
			expectRule(t, p.Validate(), tt.field, tt.rule)
		})
	}
}

func TestStageAmounts(t *testing.T) {
	tests := []struct {
		yearly   Fen
		percents []int
		want     []Fen
	}{
		{Yuan(1000), []int{40, 40, 20}, []Fen{Yuan(400), Yuan(400), Yuan(200)}},
		{333, []int{40, 40, 20}, []Fen{133, 133, 67}},
		{1, []int{50, 50}, []Fen{0, 1}},
		{Yuan(1000), []int{100}, []Fen{Yuan(1000)}},
		{1001, []int{33, 33, 34}, []Fen{330, 330, 341}},
	}
	for _, tt := range tests {
		p := VoucherPolicy{YearlyFen: tt.yearly}
		for _, pc := range tt.percents {
			p.Stages = append(p.Stages, VoucherStage{Percent: pc})
		}
		got := p.StageAmounts()
		sum := Fen(0)
		for _, a := range got {
			sum += a
		}
		if !slices.Equal(got, tt.want) || sum != tt.yearly {
			t.Errorf("StageAmounts(%d, %v) = %v", tt.yearly, tt.percents, got)
		}
	}
}

func TestOpenStages(t *testing.T) {
	byDate := DefaultVoucherPolicy()
	bySpend := VoucherPolicy{YearlyFen: Yuan(1000), Release: ReleaseBySpend, Stages: []VoucherStage{{Percent: 40}, {Percent: 40}, {Percent: 20}}}
	tests := []struct {
		name   string
		policy VoucherPolicy
		year   int
		spent  Fen
		now    time.Time
		want   int
	}{
		{"before the year", byDate, 2025, 0, chinaAt(2024, 12, 31, 23), 0},
		{"new year in China", byDate, 2025, 0, chinaAt(2025, 1, 1, 0), 1},
		{"midnight in China is 16:00 UTC", byDate, 2025, 0, time.Date(2024, 12, 31, 16, 0, 0, 0, time.UTC), 1},
		{"just before May", byDate, 2025, 0, chinaAt(2025, 4, 30, 23), 1},
		{"May in China, still April in UTC", byDate, 2025, 0, time.Date(2025, 4, 30, 16, 0, 0, 0, time.UTC), 2},
		{"September", byDate, 2025, 0, chinaAt(2025, 9, 1, 0), 3},
		{"a later year", byDate, 2025, 0, chinaAt(2026, 3, 1, 0), 3},
		{"spend: first stage", bySpend, 2025, 0, chinaAt(2025, 2, 1, 0), 1},
		{"spend: almost all of it", bySpend, 2025, Yuan(400) - 1, chinaAt(2025, 2, 1, 0), 1},
		{"spend: all of the first", bySpend, 2025, Yuan(400), chinaAt(2025, 2, 1, 0), 2},
		{"spend: all of two", bySpend, 2025, Yuan(800), chinaAt(2025, 2, 1, 0), 3},
		{"spend: before the year", bySpend, 2026, 0, chinaAt(2025, 12, 1, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.policy.OpenStages(tt.year, tt.spent, tt.now); got != tt.want {
				t.Fatalf("OpenStages = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestDueGrants(t *testing.T) {
	p := DefaultVoucherPolicy()
	l := VoucherLedger{HouseholdID: "h1", Year: 2025}
	due, err := p.DueGrants(l, "system", chinaAt(2025, 6, 1, 9))
	if err != nil || len(due) != 2 || due[0].ID != "grant:h1:2025:1" || due[1].AmountFen != Yuan(400) || due[1].Stage != 2 {
		t.Fatalf("DueGrants = %+v, %v", due, err)
	}
	for _, e := range due {
		if err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	// A second run the same day grants nothing more: the worker is idempotent.
	if again, err := p.DueGrants(l, "system", chinaAt(2025, 6, 1, 10)); err != nil || len(again) != 0 {
		t.Fatalf("second run = %+v, %v", again, err)
	}
	if later, _ := p.DueGrants(l, "system", chinaAt(2025, 9, 1, 0)); len(later) != 1 || later[0].Stage != 3 || later[0].AmountFen != Yuan(200) {
		t.Fatalf("September = %+v", later)
	}
	bad := VoucherLedger{HouseholdID: "h1", Year: 2025, Entries: []VoucherEntry{{ID: "x"}}}
	if _, err := p.DueGrants(bad, "system", fixNow); err == nil {
		t.Fatal("a broken ledger must be reported, not granted onto")
	}
}

// ledgerEntry builds a ledger entry for h1 in 2025.
func ledgerEntry(kind VoucherEntryKind, amount Fen, ref string) VoucherEntry {
	e := VoucherEntry{HouseholdID: "h1", Year: 2025, Kind: kind, AmountFen: amount, ReferralID: ref, At: day(2025, 6, 1), By: "u7"}
	if kind == VoucherGrant {
		e.Stage = int(amount) // distinct IDs for the test
		e.ID = GrantEntryID("h1", 2025, e.Stage)
	} else {
		e.ID = ReferralEntryID(kind, ref)
	}
	return e
}

func TestVoucherLedgerBalance(t *testing.T) {
	grant := ledgerEntry(VoucherGrant, 40000, "")
	tests := []struct {
		name    string
		entries []VoucherEntry
		want    VoucherBalance
		code    string
	}{
		{"empty", nil, VoucherBalance{}, ""},
		{"grant", []VoucherEntry{grant}, VoucherBalance{GrantedFen: 40000, LeftFen: 40000}, ""},
		{"reserve", []VoucherEntry{grant, ledgerEntry(VoucherReserve, 15000, "r1")},
			VoucherBalance{GrantedFen: 40000, ReservedFen: 15000, LeftFen: 25000}, ""},
		{"spend part, release rest", []VoucherEntry{grant, ledgerEntry(VoucherReserve, 15000, "r1"), ledgerEntry(VoucherSpend, 10000, "r1"), ledgerEntry(VoucherRelease, 5000, "r1")},
			VoucherBalance{GrantedFen: 40000, SpentFen: 10000, LeftFen: 30000}, ""},
		{"reserve all that is left", []VoucherEntry{grant, ledgerEntry(VoucherReserve, 40000, "r1")},
			VoucherBalance{GrantedFen: 40000, ReservedFen: 40000}, ""},
		{"overspend", []VoucherEntry{grant, ledgerEntry(VoucherReserve, 30000, "r1"), ledgerEntry(VoucherReserve, 10001, "r2")}, VoucherBalance{}, ECONFLICT},
		{"reserve before any grant", []VoucherEntry{ledgerEntry(VoucherReserve, 1, "r1")}, VoucherBalance{}, ECONFLICT},
		{"spend more than reserved", []VoucherEntry{grant, ledgerEntry(VoucherReserve, 100, "r1"), ledgerEntry(VoucherSpend, 101, "r1")}, VoucherBalance{}, ECONFLICT},
		{"spend without reservation", []VoucherEntry{grant, ledgerEntry(VoucherSpend, 1, "r1")}, VoucherBalance{}, ECONFLICT},
		{"spend another referral's reservation", []VoucherEntry{grant, ledgerEntry(VoucherReserve, 100, "r1"), ledgerEntry(VoucherSpend, 100, "r2")}, VoucherBalance{}, ECONFLICT},
		{"release twice", []VoucherEntry{grant, ledgerEntry(VoucherReserve, 100, "r1"), ledgerEntry(VoucherRelease, 60, "r1"),
			func() VoucherEntry { e := ledgerEntry(VoucherRelease, 60, "r1"); e.ID = "release2:r1"; return e }()}, VoucherBalance{}, ECONFLICT},
		{"reserve twice", []VoucherEntry{grant, ledgerEntry(VoucherReserve, 100, "r1"),
			func() VoucherEntry { e := ledgerEntry(VoucherReserve, 100, "r1"); e.ID = "reserve2:r1"; return e }()}, VoucherBalance{}, ECONFLICT},
		{"duplicate ID", []VoucherEntry{grant, grant}, VoucherBalance{}, EINVALID},
		{"another household", []VoucherEntry{func() VoucherEntry { e := grant; e.HouseholdID = "h2"; return e }()}, VoucherBalance{}, EINVALID},
		{"another year", []VoucherEntry{func() VoucherEntry { e := grant; e.Year = 2024; return e }()}, VoucherBalance{}, EINVALID},
		{"zero amount", []VoucherEntry{ledgerEntry(VoucherGrant, 0, "")}, VoucherBalance{}, EINVALID},
		{"negative amount", []VoucherEntry{grant, ledgerEntry(VoucherReserve, -5, "r1")}, VoucherBalance{}, EINVALID},
		{"kind unknown", []VoucherEntry{func() VoucherEntry { e := grant; e.Kind = "gift"; return e }()}, VoucherBalance{}, EINVALID},
		{"grant with referral", []VoucherEntry{func() VoucherEntry { e := grant; e.ReferralID = "r1"; return e }()}, VoucherBalance{}, EINVALID},
		{"reserve without referral", []VoucherEntry{grant, ledgerEntry(VoucherReserve, 5, "")}, VoucherBalance{}, EINVALID},
		{"reserve with stage", []VoucherEntry{grant, func() VoucherEntry { e := ledgerEntry(VoucherReserve, 5, "r1"); e.Stage = 1; return e }()}, VoucherBalance{}, EINVALID},
		{"time missing", []VoucherEntry{func() VoucherEntry { e := grant; e.At = time.Time{}; return e }()}, VoucherBalance{}, EINVALID},
		{"actor missing", []VoucherEntry{func() VoucherEntry { e := grant; e.By = ""; return e }()}, VoucherBalance{}, EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := VoucherLedger{HouseholdID: "h1", Year: 2025, Entries: tt.entries}
			got, err := l.Balance()
			if ErrorCode(err) != tt.code {
				t.Fatalf("Balance error = %v, want %q", err, tt.code)
			}
			if tt.code == "" && got != tt.want {
				t.Fatalf("Balance = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestVoucherLedgerNeverNegative(t *testing.T) {
	// Many referrals try to reserve ¥300 each from ¥1,000: exactly three
	// fit, whatever the order; the rest are refused and change nothing.
	l := VoucherLedger{HouseholdID: "h1", Year: 2025}
	if err := l.Append(ledgerEntry(VoucherGrant, Yuan(1000), "")); err != nil {
		t.Fatal(err)
	}
	ok := 0
	for i := range 10 {
		ref := "r" + string(rune('0'+i))
		if err := l.Append(ledgerEntry(VoucherReserve, Yuan(300), ref)); err == nil {
			ok++
		} else if ErrorCode(err) != ECONFLICT {
			t.Fatalf("refusal code: %v", err)
		}
	}
	b, err := l.Balance()
	if err != nil || ok != 3 || len(l.Entries) != 4 || b.LeftFen != Yuan(100) || b.ReservedFen != Yuan(900) {
		t.Fatalf("ok %d, entries %d, balance %+v, %v", ok, len(l.Entries), b, err)
	}
}

func TestVoucherChangeEntries(t *testing.T) {
	r := fxReferral()
	at := day(2025, 6, 20)
	got := VoucherChange{Spend: Yuan(150), Release: Yuan(50)}.Entries(r, "u7", at)
	if len(got) != 2 || got[0].ID != "spend:r1" || got[0].Kind != VoucherSpend || got[0].AmountFen != Yuan(150) ||
		got[1].ID != "release:r1" || got[1].Year != 2025 || got[1].HouseholdID != "h1" || got[1].ReferralID != "r1" || !got[1].At.Equal(at) {
		t.Fatalf("Entries = %+v", got)
	}
	if len((VoucherChange{}).Entries(r, "u7", at)) != 0 {
		t.Fatal("a zero change writes nothing")
	}
	// The entries of a whole referral's life fold into a valid ledger.
	l := VoucherLedger{HouseholdID: "h1", Year: 2025}
	steps := []VoucherChange{{Reserve: Yuan(200)}, {Spend: Yuan(150), Release: Yuan(50)}}
	if err := l.Append(ledgerEntry(VoucherGrant, Yuan(400), "")); err != nil {
		t.Fatal(err)
	}
	for _, c := range steps {
		for _, e := range c.Entries(r, "u7", at) {
			if err := l.Append(e); err != nil {
				t.Fatalf("append %s: %v", e.ID, err)
			}
		}
	}
	if b, _ := l.Balance(); b != (VoucherBalance{GrantedFen: Yuan(400), SpentFen: Yuan(150), LeftFen: Yuan(250)}) {
		t.Fatalf("balance %+v", b)
	}
}

func TestPriceService(t *testing.T) {
	meal := fxItems()[0] // unit price ¥15
	o := fxOffering()    // voucher ¥10, resident pays ¥5
	tests := []struct {
		name   string
		item   CatalogueItem
		modify func(*Offering)
		units  int
		want   ServiceCharge
		field  string
	}{
		{"twenty meals", meal, func(*Offering) {}, 20, ServiceCharge{VoucherFen: Yuan(200), OtherFen: Yuan(100)}, ""},
		{"one meal", meal, func(*Offering) {}, 1, ServiceCharge{VoucherFen: Yuan(10), OtherFen: Yuan(5)}, ""},
		{"voucher capped at the unit price", meal, func(o *Offering) { o.VoucherFen = Yuan(20) }, 2, ServiceCharge{VoucherFen: Yuan(30), OtherFen: Yuan(10)}, ""},
		{"no voucher", meal, func(o *Offering) { o.VoucherFen = 0 }, 2, ServiceCharge{OtherFen: Yuan(10)}, ""},
		{"free", meal, func(o *Offering) { o.VoucherFen, o.PriceFen = 0, 0 }, 2, ServiceCharge{}, ""},
		{"zero units", meal, func(*Offering) {}, 0, ServiceCharge{}, "units"},
		{"too many units", meal, func(*Offering) {}, 1001, ServiceCharge{}, "units"},
		{"other item", fxItems()[1], func(*Offering) {}, 1, ServiceCharge{}, "item"},
		{"negative price", meal, func(o *Offering) { o.PriceFen = -1 }, 1, ServiceCharge{}, "price_fen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			off := o
			tt.modify(&off)
			got, err := PriceService(tt.item, off, tt.units)
			if tt.field != "" {
				expectRule(t, err, tt.field, fieldRule(err, tt.field))
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("PriceService = %+v, %v", got, err)
			}
		})
	}
}
