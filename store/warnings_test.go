package store_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// newWarning is a new orange warning of a household raised at.
func newWarning(household, place string, at time.Time, signals ...string) store.WarningRecord {
	return store.WarningRecord{Warning: domain.Warning{ID: domain.WarningKey(household, signals), HouseholdID: household,
		Place: place, RuleID: "wr-medical-amount", Rules: []string{"wr-medical-amount"}, Severity: domain.SeverityOrange,
		SignalIDs: signals, ExplanationZh: "自付医疗费用超过2万元", Reasons: []string{"近12个月医疗自付¥27,000"},
		State: domain.WarningNew, RaisedAt: at, DueAt: domain.VisitDue(domain.SeverityOrange, at)},
		Drafts:      []store.WarningDraft{{Item: "application_help", NameZh: "协助申请", Score: 5, ReasonsZh: []string{"大额医疗费用"}}},
		Leads:       []store.WarningLead{{PolicyID: "mz-rigid-expense", NameZh: "刚性支出困难家庭", Newly: true, Before: "ineligible"}},
		FactUpdates: []string{"医疗自付由¥12,000更新为¥27,000"}}
}

// TestWarningsStore: a warning is stored once with its help; lists filter
// by place, state, severity and lateness.
func TestWarningsStore(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Now().UTC().Truncate(time.Millisecond)
		old := newWarning("hh-1", "610103002001001", now.AddDate(0, 0, -10), "sig-1")
		fresh := newWarning("hh-2", "610103003001001", now, "sig-2")
		for want := range []int{2, 0} {
			if n, err := db.InsertWarnings(ctx, []store.WarningRecord{old, fresh}); err != nil || n != []int{2, 0}[want] {
				t.Fatalf("insert %d: %d, %v", want, n, err)
			}
		}
		got, err := db.Warning(ctx, old.ID)
		if err != nil || got.Version != 1 || len(got.Leads) != 1 || got.Leads[0].PolicyID != "mz-rigid-expense" || len(got.Drafts) != 1 ||
			!got.RaisedAt.Equal(old.RaisedAt) || !got.DueAt.Equal(old.DueAt) || got.Visit != nil {
			t.Fatalf("stored %+v, %v", got, err)
		}
		ids := func(f store.WarningFilter) []string {
			ws, _, err := db.ListWarnings(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, w := range ws {
				out = append(out, w.ID)
			}
			return out
		}
		for name, c := range map[string]struct {
			f    store.WarningFilter
			want []string
		}{
			"street":          {store.WarningFilter{Within: "610103002000"}, []string{old.ID}},
			"district new":    {store.WarningFilter{Within: "610103000000", State: domain.WarningNew}, sorted(old.ID, fresh.ID)},
			"red":             {store.WarningFilter{Severity: domain.SeverityRed}, nil},
			"overdue":         {store.WarningFilter{Within: "610103000000", OverdueAt: now}, []string{old.ID}},
			"overdue, street": {store.WarningFilter{Within: "610103003000", OverdueAt: now}, nil},
		} {
			if got := ids(c.f); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", name, got, c.want)
			}
		}
		if hw, err := db.HouseholdWarnings(ctx, "hh-1"); err != nil || len(hw) != 1 {
			t.Fatalf("household warnings %v, %v", hw, err)
		}
	})
}

func sorted(ids ...string) []string { return slices.Sorted(slices.Values(ids)) }

// TestWarningTransitionsAreGuarded: of many coordinators assigning one
// warning at once, one wins; a visit being recorded blocks other moves
// until it is finished.
func TestWarningTransitionsAreGuarded(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		rec := newWarning("hh-1", "610103002001001", time.Now().UTC().Add(-time.Hour), "sig-1")
		if _, err := db.InsertWarnings(ctx, []store.WarningRecord{rec}); err != nil {
			t.Fatal(err)
		}
		const n = 50
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				w := rec.Warning
				w.Version = 1
				if err := w.AssignVisit("coordinator.610103002001", time.Now().UTC()); err != nil {
					errs[i] = err
					return
				}
				errs[i] = db.UpdateWarning(ctx, &w, domain.WarningNew)
			})
		}
		wg.Wait()
		won := slices.IndexFunc(errs, func(err error) bool { return err == nil })
		if won < 0 || slices.ContainsFunc(errs[won+1:], func(err error) bool { return err == nil }) ||
			slices.ContainsFunc(errs, func(err error) bool { return err != nil && domain.ErrorCode(err) != domain.ECONFLICT }) {
			t.Fatalf("concurrent assigns: %v", errs)
		}
		w, err := db.Warning(ctx, rec.ID)
		if err != nil || w.State != domain.WarningVisitAssigned || w.Version != 2 {
			t.Fatalf("after the race: %+v, %v", w.Warning, err)
		}
		intent := store.VisitIntent{Visit: domain.WarningVisit{Note: "核实", NeedIDs: []string{"n1"}}, By: "coordinator.610103002001", At: time.Now().UTC()}
		if err := db.BeginVisit(ctx, &w.Warning, domain.WarningVisitAssigned, intent); err != nil {
			t.Fatal(err)
		}
		if err := db.BeginVisit(ctx, &w.Warning, domain.WarningVisitAssigned, intent); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("a second visit: %v", err)
		}
		dismissed := w.Warning
		_ = dismissed.Dismiss(domain.DismissDuplicate, "", time.Now().UTC())
		if err := db.UpdateWarning(ctx, &dismissed, domain.WarningVisitAssigned); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("a dismissal during the visit: %v", err)
		}
		if v, err := db.VisitingWarnings(ctx); err != nil || len(v) != 1 || v[0].Visit == nil || v[0].Visit.Visit.Note != "核实" {
			t.Fatalf("visiting %+v, %v", v, err)
		}
		if err := w.Verify(intent.Visit, intent.At); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishVisit(ctx, &w.Warning, domain.WarningVisitAssigned); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishVisit(ctx, &w.Warning, domain.WarningVisitAssigned); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("finishing twice: %v", err)
		}
		got, err := db.Warning(ctx, rec.ID)
		if v, _ := db.VisitingWarnings(ctx); err != nil || got.State != domain.WarningVerified || got.Visit != nil || len(v) != 0 ||
			!slices.Equal(got.NeedIDs, []string{"n1"}) {
			t.Fatalf("after the visit: %+v, %v", got.Warning, err)
		}
	})
}
