package store_test

import (
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

func TestImports(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := store.ImportRecord{Kind: "households", Filename: "户籍.xlsx", CreatedBy: "coordinator", Place: "610103002000", Total: 120}
		if err := db.CreateImport(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if r.ID == "" || r.Status != store.ImportRunning || r.CreatedAt.IsZero() {
			t.Fatalf("new import: %+v", r)
		}
		if err := db.UpdateImportProgress(ctx, r.ID, 60, 120); err != nil {
			t.Fatal(err)
		}
		got, err := db.Import(ctx, r.ID)
		if err != nil || got.Done != 60 || got.Total != 120 || got.Filename != "户籍.xlsx" || got.Status != store.ImportRunning || len(got.Errors) != 0 {
			t.Fatalf("Import = %+v, %v", got, err)
		}
		if err := db.FinishImport(ctx, r.ID, "finished", 0, 0, nil); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("unknown status: %v", err)
		}
		errs := []store.ImportRowError{{Row: 7, Column: "身份证号", Reason: "校验位错误"}, {Row: 9, Column: "区划", Reason: "区划不存在"}}
		if err := db.FinishImport(ctx, r.ID, store.ImportDone, 110, 8, errs); err != nil {
			t.Fatal(err)
		}
		got, _ = db.Import(ctx, r.ID)
		if got.Status != store.ImportDone || got.Created != 110 || got.Skipped != 8 || got.ErrorCount != 2 || len(got.Errors) != 2 ||
			got.Errors[0] != errs[0] {
			t.Fatalf("finished import = %+v", got)
		}
		if err := db.UpdateImportProgress(ctx, r.ID, 120, 120); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("progress after the end: %v", err)
		}
		if err := db.FinishImport(ctx, r.ID, store.ImportFailed, 0, 0, nil); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("finishing twice: %v", err)
		}
		if _, err := db.Import(ctx, "nope"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing import: %v", err)
		}
		if err := db.UpdateImportProgress(ctx, "nope", 1, 1); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("progress of a missing import: %v", err)
		}
	})
}

// TestFailStaleImports: an import silent since before the cutoff (its server
// stopped) is failed with a reason; a live one is left alone.
func TestFailStaleImports(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		stale := store.ImportRecord{Kind: "households", Filename: "a.xlsx", CreatedBy: "c"}
		if err := db.CreateImport(ctx, &stale); err != nil {
			t.Fatal(err)
		}
		cutoff := time.Now().Add(time.Second)
		live := store.ImportRecord{Kind: "households", Filename: "b.xlsx", CreatedBy: "c"}
		time.Sleep(1100 * time.Millisecond)
		if err := db.CreateImport(ctx, &live); err != nil {
			t.Fatal(err)
		}
		n, err := db.FailStaleImports(ctx, cutoff)
		if err != nil || n != 1 {
			t.Fatalf("FailStaleImports = %d, %v", n, err)
		}
		got, _ := db.Import(ctx, stale.ID)
		if got.Status != store.ImportFailed || len(got.Errors) != 1 {
			t.Fatalf("stale import: %+v", got)
		}
		if got, _ := db.Import(ctx, live.ID); got.Status != store.ImportRunning {
			t.Fatalf("live import: %+v", got)
		}
	})
}
