package store_test

import (
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// TestStatements stores one statement per provider and month: a second
// insert is a conflict and leaves the first as it was.
func TestStatements(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		june := time.Date(2025, 6, 10, 2, 0, 0, 0, time.UTC)
		recs := []domain.ServiceRecord{
			{ID: "r1", ReferralID: "f1", ProviderID: "p1", Item: "meals", Date: june, Units: 4, VoucherFen: 4000, OtherFen: 800, ConfirmedAt: june},
			{ID: "r2", ReferralID: "f1", ProviderID: "p1", Item: "bathing", Date: june, Units: 1, VoucherFen: 5000, ConfirmedAt: june},
		}
		st, err := domain.BuildStatement("p1", "2025-06", recs, time.Date(2025, 7, 2, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.InsertStatement(ctx, st); err != nil {
			t.Fatal(err)
		}
		again := st
		again.TotalFen = 1
		if err := db.InsertStatement(ctx, again); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("second statement of a month: %v", err)
		}
		got, err := db.Statement(ctx, st.ID)
		if err != nil || got.TotalFen != 9800 || len(got.Lines) != 2 || len(got.ByItem) != 2 || !got.Lines[0].Date.Equal(june) {
			t.Fatalf("stored statement: %v %+v", err, got)
		}
		if list, err := db.ProviderStatements(ctx, "p1"); err != nil || len(list) != 1 {
			t.Fatalf("provider statements: %v %+v", err, list)
		}
		if list, err := db.MonthStatements(ctx, "2025-06"); err != nil || len(list) != 1 || list[0].ProviderID != "p1" {
			t.Fatalf("month statements: %v %+v", err, list)
		}
		if _, err := db.Statement(ctx, "stmt:p1:2025-07"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing statement: %v", err)
		}
	})
}
