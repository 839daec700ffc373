package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// sealedSignal is a medical bill of the person, sealed by the store.
func sealedSignal(t *testing.T, db *store.DB, idNumber, ref string) domain.Signal {
	t.Helper()
	date := time.Now().UTC().AddDate(0, 0, -10)
	s := domain.Signal{Kind: domain.SignalLargeMedicalBill, AmountFen: domain.Yuan(5000), Date: date,
		SourceDepartment: domain.DeptMedicalSecurity, IDNumber: idNumber, ReceivedAt: date.AddDate(0, 0, 1), ExternalRef: ref}
	if err := db.SealSignal(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSignalsAreSealedAndStoredOnce: a signal keeps the keyed hash and the
// masked number, never the plain one; the same signal twice is one; an
// unsealed one is refused; lists filter by place, state and household.
func TestSignalsAreSealedAndStoredOnce(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		plain := idNumber(t, "61019919820607002")
		s := sealedSignal(t, db, plain, "YB-1")
		if s.IDNumber != "" || s.IDHash == "" || s.IDMasked != plain[:4]+"**********"+plain[14:] || !strings.HasPrefix(s.ID, "sig-") {
			t.Fatalf("sealed = %+v", s)
		}
		other := sealedSignal(t, db, idNumber(t, "61019919700101003"), "YB-2")
		recs := []store.SignalRecord{
			{Signal: s, State: store.SignalMatched, Batch: "sb-1", Place: "610103002001001", IntakePlace: "610103000000"},
			{Signal: other, State: store.SignalUnmatched, Batch: "sb-1", Place: "610103000000", IntakePlace: "610103000000"},
		}
		recs[0].HouseholdID, recs[0].MemberID = "hh-1", "m2"
		if n, dups, err := db.InsertSignals(ctx, recs); err != nil || n != 2 || len(dups) != 0 {
			t.Fatalf("first insert: %d %v %v", n, dups, err)
		}
		if n, dups, err := db.InsertSignals(ctx, recs); err != nil || n != 0 || !slices.Equal(dups, []int{0, 1}) {
			t.Fatalf("second insert: %d %v %v", n, dups, err)
		}
		unsealed := recs[0]
		unsealed.IDNumber, unsealed.ID = plain, "sig-x"
		if _, _, err := db.InsertSignals(ctx, []store.SignalRecord{unsealed}); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("an unsealed signal: %v", err)
		}
		raw, err := db.RawDocument(ctx, "signals", s.ID)
		if err != nil || strings.Contains(raw, plain) || strings.Contains(raw, plain[6:14]) {
			t.Fatalf("stored: %s (%v)", raw, err)
		}
		for name, c := range map[string]struct {
			f    store.SignalFilter
			want []string
		}{
			"community":          {store.SignalFilter{Within: "610103002001"}, []string{s.ID}},
			"district unmatched": {store.SignalFilter{Within: "610103000000", State: store.SignalUnmatched}, []string{other.ID}},
			"street":             {store.SignalFilter{Within: "610103002000"}, []string{s.ID}},
			"other street":       {store.SignalFilter{Within: "610103003000"}, nil},
			"household":          {store.SignalFilter{HouseholdID: "hh-1"}, []string{s.ID}},
		} {
			got, _, err := db.ListSignals(ctx, c.f)
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if err != nil || !slices.Equal(ids, c.want) {
				t.Errorf("%s: %v, %v; want %v", name, ids, err, c.want)
			}
		}
		if got, err := db.BatchSignals(ctx, "sb-1"); err != nil || len(got) != 1 || got[0].ID != s.ID {
			t.Fatalf("batch signals: %+v, %v", got, err)
		}
		// Resolving is for unmatched signals only (the race: outreach's TestResolveRace).
		res := store.SignalResolution{HouseholdID: "hh-2", MemberID: "m1", Place: "610103002001001", Batch: "sb-2", By: "coordinator"}
		if _, err := db.ResolveSignal(ctx, s.ID, res); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("resolving a matched signal: %v", err)
		}
		if _, err := db.ResolveSignal(ctx, "sig-none", res); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("resolving no signal: %v", err)
		}
		got, err := db.ResolveSignal(ctx, other.ID, res)
		if err != nil || got.State != store.SignalMatched || got.Place != res.Place || got.Batch != "sb-2" || got.Version != 2 {
			t.Fatalf("resolve: %+v, %v", got, err)
		}
	})
}

// TestMatchSignals: hashes map to the members holding them and their files,
// in bulk (past the size where FerretDB reads the collection once); an
// ID-index entry a crash left behind names nobody.
func TestMatchSignals(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a, b := idNumber(t, "61019919500101004"), idNumber(t, "61019919800202005")
		h := household("610103002001001", a, b)
		if err := db.CreateHousehold(ctx, &h); err != nil {
			t.Fatal(err)
		}
		gone := household("610103002001001", idNumber(t, "61019919600303006"))
		if err := db.CreateHousehold(ctx, &gone); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteRaw(ctx, "households", gone.ID); err != nil {
			t.Fatal(err)
		}
		hashes := []string{sealedSignal(t, db, a, "1").IDHash, sealedSignal(t, db, b, "2").IDHash,
			sealedSignal(t, db, idNumber(t, "61019919600303006"), "3").IDHash}
		for i := range 300 { // nobody's
			hashes = append(hashes, fmt.Sprintf("%064d", i))
		}
		for _, set := range [][]string{hashes[:3], hashes} { // a few read one by one, many in one pass
			m, err := db.MatchSignals(ctx, set)
			owners := m.Owners
			if err != nil || len(owners) != 2 || owners[hashes[0]].HouseholdID != h.ID || owners[hashes[1]].MemberID != "m2" ||
				owners[hashes[0]].Place != h.Place || len(m.Files) != 1 || m.Files[h.ID].Members[1].IDHash != hashes[1] {
				t.Fatalf("match of %d = %+v, %v", len(set), m, err)
			}
		}
	})
}

// TestApplySignalFacts: the facts are written only over the version read,
// with the batch recorded (the last twenty kept); a coordinator's update of
// the file keeps the batches.
func TestApplySignalFacts(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		h := household("610103002001001", idNumber(t, "61019919500101007"))
		if err := db.CreateHousehold(ctx, &h); err != nil {
			t.Fatal(err)
		}
		files, err := db.SignalHouseholds(ctx, []string{h.ID})
		if err != nil || len(files) != 1 || len(files[h.ID].Batches) != 0 {
			t.Fatalf("files %+v, %v", files, err)
		}
		f := files[h.ID]
		after := f.Household
		after.MedicalOutOfPocket12m = &domain.Fact[domain.Fen]{Value: domain.Yuan(30000), Source: domain.DepartmentSource(domain.DeptMedicalSecurity), Date: time.Now().UTC().AddDate(0, 0, -3)}
		stale := after
		if err := db.ApplySignalFacts(ctx, &after, f.Batches, "sb-1"); err != nil || after.Version != h.Version+1 {
			t.Fatalf("apply: %v, version %d", err, after.Version)
		}
		if err := db.ApplySignalFacts(ctx, &stale, f.Batches, "sb-2"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("apply over a stale version: %v", err)
		}
		edited, err := db.Household(ctx, h.ID)
		if err != nil || edited.MedicalOutOfPocket12m.Value != domain.Yuan(30000) || edited.Members[0].IDHash == "" {
			t.Fatalf("file %+v, %v", edited, err)
		}
		if err := db.UpdateHousehold(ctx, &edited, edited.Version); err != nil {
			t.Fatal(err)
		}
		got, _ := db.SignalHouseholds(ctx, []string{h.ID})
		if !got[h.ID].Applied("sb-1") || got[h.ID].Applied("sb-2") {
			t.Fatalf("batches after an edit: %v", got[h.ID].Batches)
		}
		many := make([]string, 25)
		for i := range many {
			many[i] = fmt.Sprintf("sb-old-%d", i)
		}
		cur := got[h.ID].Household
		if err := db.ApplySignalFacts(ctx, &cur, many, "sb-new"); err != nil {
			t.Fatal(err)
		}
		got, _ = db.SignalHouseholds(ctx, []string{h.ID})
		if b := got[h.ID].Batches; len(b) != 20 || b[19] != "sb-new" || slices.Contains(b, "sb-old-0") {
			t.Fatalf("batches kept: %v", b)
		}
	})
}

// TestSignalBatches: a batch is pending until finished, once.
func TestSignalBatches(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		b := store.SignalBatch{ID: "sb-1", Place: "610103000000", By: "coordinator", Received: 3}
		if err := db.CreateSignalBatch(ctx, &b); err != nil {
			t.Fatal(err)
		}
		if p, err := db.PendingSignalBatches(ctx); err != nil || len(p) != 1 || p[0].ID != "sb-1" || p[0].State != store.BatchPending {
			t.Fatalf("pending %+v, %v", p, err)
		}
		b.Stored, b.Warnings = 3, 1
		for range 2 {
			if err := db.FinishSignalBatch(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		if p, err := db.PendingSignalBatches(ctx); err != nil || len(p) != 0 {
			t.Fatalf("pending after finish %+v, %v", p, err)
		}
	})
}
