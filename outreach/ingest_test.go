package outreach_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"lianzhu/domain"
	"lianzhu/outreach"
	"lianzhu/store"
)

// TestIngestRaisesWarningWithHelp: a medical bill takes the family past the
// 刚性支出 mark; the intake updates its file (source: the medical-security
// bureau), raises one warning with a 刚性支出困难家庭 lead and draft needs,
// and taking the same signal in again changes nothing.
func TestIngestRaisesWarningWithHelp(t *testing.T) {
	f := newFixture(t)
	h, ids := f.family(11)
	rep := f.ingest(bill(ids[1], 15000, 12, "YB-1"))
	if rep.Stored != 1 || rep.Matched != 1 || rep.Households != 1 || rep.FactsUpdated != 1 || rep.Warnings != 1 ||
		rep.BySeverity[domain.SeverityOrange] != 1 || rep.NewLeads == 0 {
		t.Fatalf("report = %+v", rep)
	}
	if it := rep.Items[0]; it.State != store.SignalMatched || it.HouseholdID != h.ID || it.AlreadyPresent || !strings.HasPrefix(it.ID, "sig-") {
		t.Fatalf("item = %+v", it)
	}
	after := f.household(h.ID)
	med := after.MedicalOutOfPocket12m
	if med.Value != domain.Yuan(27000) || med.Source != domain.DepartmentSource(domain.DeptMedicalSecurity) || after.Version != h.Version+1 {
		t.Fatalf("file after the bill: medical %+v, version %d", med, after.Version)
	}
	ws := f.householdWarnings(h.ID)
	if len(ws) != 1 {
		t.Fatalf("%d warnings", len(ws))
	}
	w := ws[0]
	if w.State != domain.WarningNew || w.Severity != domain.SeverityOrange || w.Place != compound ||
		!w.DueAt.Equal(testNow.AddDate(0, 0, 7)) || w.ID != domain.WarningKey(h.ID, []string{rep.Items[0].ID}) {
		t.Fatalf("warning = %+v", w.Warning)
	}
	if len(w.Leads) == 0 || w.Leads[0].PolicyID != "mz-rigid-expense" || !w.Leads[0].Newly ||
		!strings.Contains(strings.Join(w.Leads[0].ReasonsZh, ""), "医保") {
		t.Fatalf("leads = %+v", w.Leads)
	}
	if len(w.Drafts) == 0 || w.Drafts[0].Item != "application_help" || len(w.Drafts[0].ReasonsZh) == 0 ||
		len(w.FactUpdates) != 1 || !strings.Contains(w.FactUpdates[0], "27,000") {
		t.Fatalf("drafts %+v, fact updates %v", w.Drafts, w.FactUpdates)
	}

	again := f.ingest(bill(ids[1], 15000, 12, "YB-1"))
	if again.Stored != 0 || again.AlreadyPresent != 1 || again.Warnings != 0 || !again.Items[0].AlreadyPresent {
		t.Fatalf("second intake = %+v", again)
	}
	if got := f.household(h.ID); got.Version != after.Version || got.MedicalOutOfPocket12m.Value != domain.Yuan(27000) {
		t.Fatalf("the second intake changed the file: %+v", got.MedicalOutOfPocket12m)
	}
	if n := len(f.householdWarnings(h.ID)); n != 1 {
		t.Fatalf("%d warnings after the second intake", n)
	}
	stored, _, err := f.db.ListSignals(context.Background(), store.SignalFilter{HouseholdID: h.ID})
	if err != nil || len(stored) != 1 || stored[0].IDNumber != "" || stored[0].IDMasked != ids[1][:4]+"**********"+ids[1][14:] {
		t.Fatalf("stored signals %+v, %v", stored, err)
	}
}

// TestIngestRefusesBadBatch: malformed, duplicate, unknown-kind, future and
// out-of-range signals are named one by one, and nothing of the batch is
// stored.
func TestIngestRefusesBadBatch(t *testing.T) {
	f := newFixture(t)
	_, ids := f.family(21)
	good := bill(ids[1], 3000, 5, "YB-2")
	unknown := good
	unknown.Kind, unknown.ExternalRef = "lottery_win", "X-1"
	future := bill(ids[1], 3000, -3, "YB-3")
	future.ReceivedAt = testNow
	tooMuch := bill(ids[1], 60_000_000, 5, "YB-4")
	badID := bill("61990119820607001", 3000, 5, "YB-5")
	_, err := f.e.Ingest(context.Background(), outreach.Batch{Signals: []domain.Signal{good, unknown, future, tooMuch, good, badID},
		Place: district, By: "coordinator"})
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	var fields []string
	for _, fe := range de.Fields {
		fields = append(fields, fe.Field)
	}
	for _, want := range []string{"signals[1].kind", "signals[2].date", "signals[3].amount_fen", "signals[4]", "signals[5].id_number"} {
		if !slices.Contains(fields, want) {
			t.Errorf("no problem at %s: %v", want, fields)
		}
	}
	if slices.ContainsFunc(fields, func(s string) bool { return strings.HasPrefix(s, "signals[0]") }) {
		t.Errorf("the good signal was blamed: %v", fields)
	}
	stored, _, err := f.db.ListSignals(context.Background(), store.SignalFilter{})
	batches, berr := f.db.PendingSignalBatches(context.Background())
	if err != nil || berr != nil || len(stored) != 0 || len(batches) != 0 {
		t.Fatalf("a refused batch stored %d signals, %d batches (%v, %v)", len(stored), len(batches), err, berr)
	}
}

// TestUnmatchedThenResolved: a signal about someone in no file is kept for
// the district, not dropped; a coordinator resolves it to a member with no
// ID number on file, which evaluates the household; of many coordinators
// resolving at once, one wins.
func TestUnmatchedThenResolved(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	h, _ := f.family(31)
	stranger := idn("19820607", 99)
	rep := f.ingest(bill(stranger, 15000, 12, "YB-9"))
	if rep.Unmatched != 1 || rep.Matched != 0 || rep.Items[0].State != store.SignalUnmatched {
		t.Fatalf("report = %+v", rep)
	}
	kept, _, err := f.db.ListSignals(ctx, store.SignalFilter{Within: district, State: store.SignalUnmatched})
	if err != nil || len(kept) != 1 || kept[0].Place != district || kept[0].IntakePlace != district || kept[0].Name != "李娟" {
		t.Fatalf("unmatched signals %+v, %v", kept, err)
	}
	if street, _, _ := f.db.ListSignals(ctx, store.SignalFilter{Within: "610103002000"}); len(street) != 0 {
		t.Fatalf("a street sees the district's unmatched signals: %+v", street)
	}
	// The department's number is a mistyped one of the wife's: the
	// coordinator who knows the family resolves it to her.
	sig, r, err := f.e.Resolve(ctx, kept[0], outreach.Resolution{HouseholdID: h.ID, MemberID: "m2", By: "coordinator"})
	if err != nil || sig.State != store.SignalMatched || sig.Place != compound || sig.MemberID != "m2" || r.Warnings != 1 || r.FactsUpdated != 1 {
		t.Fatalf("resolve: %+v, %+v, %v", sig, r, err)
	}
	if got := f.household(h.ID).MedicalOutOfPocket12m.Value; got != domain.Yuan(27000) {
		t.Fatalf("medical costs after the resolved bill: %s", got)
	}
	other := f.numberless(ctx)
	if _, _, err := f.e.Resolve(ctx, kept[0], outreach.Resolution{HouseholdID: other.ID, MemberID: "m1", By: "coordinator"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("resolving twice: %v", err)
	}
	if left, _, _ := f.db.ListSignals(ctx, store.SignalFilter{Within: district, State: store.SignalUnmatched}); len(left) != 0 {
		t.Fatalf("still unmatched: %+v", left)
	}
}

// TestResolveRace: of many coordinators resolving one unmatched signal at
// once, exactly one wins and the household is evaluated once.
func TestResolveRace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	stranger := idn("19820607", 77)
	h := f.numberless(ctx)
	f.ingest(bill(stranger, 15000, 12, "YB-10"))
	kept, _, err := f.db.ListSignals(ctx, store.SignalFilter{State: store.SignalUnmatched})
	if err != nil || len(kept) != 1 {
		t.Fatalf("unmatched %v, %v", kept, err)
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, _, errs[i] = f.e.Resolve(ctx, kept[0], outreach.Resolution{HouseholdID: h.ID, MemberID: "m1", By: "coordinator"})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch domain.ErrorCode(err) {
		case "":
			won++
		case domain.ECONFLICT:
		default:
			t.Fatalf("resolve: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d resolves won, want 1", won)
	}
	sig, err := f.db.Signal(ctx, kept[0].ID)
	if err != nil || sig.State != store.SignalMatched || sig.HouseholdID != h.ID || sig.MemberID != "m1" || sig.ResolvedBy != "coordinator" {
		t.Fatalf("resolved signal %+v, %v", sig, err)
	}
	if got := f.household(h.ID).MedicalOutOfPocket12m.Value; got != domain.Yuan(27000) {
		t.Fatalf("medical costs after the resolved bill = %s, want ¥27,000 once", got)
	}
	if ws := f.householdWarnings(h.ID); len(ws) != 1 {
		t.Fatalf("%d warnings", len(ws))
	}
}

// TestIngestMatchesOnlyWithinThePlace: a district takes in signals about
// its own files; a person filed in another district is kept unmatched, and
// nothing about that file is told.
func TestIngestMatchesOnlyWithinThePlace(t *testing.T) {
	f := newFixture(t)
	h, ids := f.family(41)
	rep, err := f.e.Ingest(context.Background(), outreach.Batch{Signals: []domain.Signal{bill(ids[1], 15000, 12, "YB-11")},
		Place: otherDist, By: "coordinator.other"})
	if err != nil || rep.Unmatched != 1 || rep.Items[0].HouseholdID != "" {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if got := f.household(h.ID); got.Version != h.Version {
		t.Fatal("another district's intake changed the file")
	}
}
