package domain

import (
	"testing"
	"time"
)

func TestParseMonth(t *testing.T) {
	start, end, err := ParseMonth("2025-06")
	if err != nil || !start.Equal(time.Date(2025, 5, 31, 16, 0, 0, 0, time.UTC)) || !end.Equal(time.Date(2025, 6, 30, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("ParseMonth = %v, %v, %v", start, end, err)
	}
	if _, end, _ := ParseMonth("2025-12"); !end.Equal(chinaAt(2026, 1, 1, 0)) {
		t.Fatalf("December ends %v", end)
	}
	for _, bad := range []string{"", "2025-13", "2025-6", "202506", "2025-06-01"} {
		if _, _, err := ParseMonth(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseMonth(%q) = %v", bad, err)
		}
	}
	if StatementID("p1", "2025-06") != "stmt:p1:2025-06" {
		t.Fatal("StatementID")
	}
}

// rec is a priced, confirmed record of provider p1.
func rec(id, item string, date, confirmed time.Time, voucher, other Fen) ServiceRecord {
	return ServiceRecord{ID: id, ReferralID: "r-" + id, ProviderID: "p1", Item: item, Date: date, Units: 2,
		VoucherFen: voucher, OtherFen: other, ConfirmedAt: confirmed}
}

func TestBuildStatement(t *testing.T) {
	june10, june20 := chinaAt(2025, 6, 10, 12), chinaAt(2025, 6, 20, 12)
	lastMinute := time.Date(2025, 6, 30, 15, 59, 0, 0, time.UTC) // 30 June 23:59 in China
	julyInChina := time.Date(2025, 6, 30, 16, 0, 0, 0, time.UTC) // 1 July 00:00 in China
	records := []ServiceRecord{
		rec("b", "meal", june20, june20, Yuan(20), Yuan(10)),
		rec("a", "meal", june10, june20, Yuan(20), Yuan(10)),
		rec("c", "home_care", june10, lastMinute, Yuan(90), 0),
		rec("late", "meal", chinaAt(2025, 5, 28, 9), june10, Yuan(20), 0),   // May, confirmed in June
		rec("resident-paid", "meal", june10, june10, 0, Yuan(15)),           // the resident paid it all
		rec("pending", "meal", june20, time.Time{}, Yuan(20), Yuan(10)),     // not confirmed yet
		rec("confirmed-july", "meal", lastMinute, julyInChina, Yuan(20), 0), // confirmed after the month
		rec("july", "meal", julyInChina, julyInChina, Yuan(20), 0),          // next month
		rec("free", "meal", june10, june10, 0, 0),                           // unpriced
		func() ServiceRecord {
			r := rec("other", "meal", june10, june10, Yuan(20), 0)
			r.ProviderID = "p2"
			return r
		}(),
		func() ServiceRecord {
			r := rec("settled", "meal", june10, june10, Yuan(20), 0)
			r.StatementID = "stmt:p1:2025-05"
			return r
		}(),
		func() ServiceRecord {
			r := rec("rebuilt", "meal", june10, june10, Yuan(20), 0)
			r.StatementID = "stmt:p1:2025-06"
			return r
		}(),
	}
	now := chinaAt(2025, 7, 2, 9)
	st, err := BuildStatement("p1", "2025-06", records, now)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []string{"late", "a", "c", "rebuilt", "resident-paid", "b"}
	if len(st.Lines) != len(wantIDs) {
		t.Fatalf("lines %+v", st.Lines)
	}
	for i, id := range wantIDs {
		if st.Lines[i].RecordID != id || st.Lines[i].Late != (id == "late") {
			t.Errorf("line %d = %+v, want %s", i, st.Lines[i], id)
		}
	}
	if st.ID != "stmt:p1:2025-06" || st.VoucherFen != Yuan(170) || st.OtherFen != Yuan(35) || st.TotalFen != Yuan(205) ||
		st.PendingRecords != 2 || st.PendingFen != Yuan(50) || !st.CreatedAt.Equal(now) {
		t.Fatalf("totals %+v", st)
	}
	wantItems := []ItemTotal{
		{Item: "home_care", Records: 1, Units: 2, VoucherFen: Yuan(90), TotalFen: Yuan(90)},
		{Item: "meal", Records: 5, Units: 10, VoucherFen: Yuan(80), OtherFen: Yuan(35), TotalFen: Yuan(115)},
	}
	if len(st.ByItem) != 2 || st.ByItem[0] != wantItems[0] || st.ByItem[1] != wantItems[1] {
		t.Fatalf("by item %+v", st.ByItem)
	}
	sum := Fen(0)
	for _, l := range st.Lines {
		if l.TotalFen != l.VoucherFen+l.OtherFen {
			t.Errorf("line %s does not add up", l.RecordID)
		}
		sum += l.TotalFen
	}
	if sum != st.TotalFen {
		t.Fatal("lines do not add up to the total")
	}
	again, _ := BuildStatement("p1", "2025-06", records, now.Add(time.Hour))
	if len(again.Lines) != len(st.Lines) || again.TotalFen != st.TotalFen {
		t.Fatal("rebuilding must give the same statement")
	}
}

func TestBuildStatementRefusals(t *testing.T) {
	tests := []struct {
		name    string
		month   string
		records []ServiceRecord
		now     time.Time
		code    string
	}{
		{"month not over", "2025-06", nil, time.Date(2025, 6, 30, 15, 59, 59, 0, time.UTC), ECONFLICT},
		{"month just over", "2025-06", nil, time.Date(2025, 6, 30, 16, 0, 0, 0, time.UTC), ""},
		{"bad month", "June", nil, fixNow, EINVALID},
		{"negative amount", "2025-05", []ServiceRecord{rec("x", "meal", chinaAt(2025, 5, 3, 9), chinaAt(2025, 5, 3, 9), -1, Yuan(5))}, fixNow, EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := BuildStatement("p1", tt.month, tt.records, tt.now)
			if ErrorCode(err) != tt.code {
				t.Fatalf("BuildStatement = %v, want %q", err, tt.code)
			}
			if err == nil && (st.Lines == nil || st.ByItem == nil || st.TotalFen != 0) {
				t.Fatalf("an empty statement must have empty (not null) lists: %+v", st)
			}
		})
	}
}
