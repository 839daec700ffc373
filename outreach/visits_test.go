package outreach_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"lianzhu/domain"
	"lianzhu/outreach"
	"lianzhu/seed"
	"lianzhu/store"
)

// raised takes the family's bill in and returns its warning, assigned to
// the community's coordinator when assign is set.
func (f *fixture) raised(seq int, assign bool) store.WarningRecord {
	f.t.Helper()
	h, ids := f.family(seq)
	f.ingest(bill(ids[1], 15000, 12, "YB-v"))
	ws := f.householdWarnings(h.ID)
	if len(ws) != 1 {
		f.t.Fatalf("%d warnings", len(ws))
	}
	w := ws[0]
	if assign {
		if err := w.AssignVisit("coordinator.610103002001", f.clock.Now()); err != nil {
			f.t.Fatal(err)
		}
		if err := f.db.UpdateWarning(context.Background(), &w.Warning, domain.WarningNew); err != nil {
			f.t.Fatal(err)
		}
	}
	return w
}

func places(t *testing.T) *domain.Places {
	t.Helper()
	p, err := domain.NewPlaces(seed.Places())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func visitReport() outreach.Visit {
	income := domain.Yuan(7000)
	unemployed := domain.EmploymentUnemployed
	return outreach.Visit{Note: "入户核实：妻子仍在治疗，丈夫已停工照顾。", By: "coordinator.610103002001",
		Needs: []outreach.VisitNeed{
			{Item: "application_help", MemberID: "m1", NeutralNote: "协助申请刚性支出困难家庭认定", Urgency: domain.UrgencyHigh},
			{Item: "medical_escort", MemberID: "m2", NeutralNote: "化疗期间需陪同复诊", OwnWords: "每周二去医院"},
		},
		Facts: domain.VisitFacts{MonthlyIncomeFen: &income,
			Members: []domain.MemberVisitFacts{{MemberID: "m1", Employment: &unemployed}}}}
}

// TestVerifyRecordsNeedsAndFacts: the assigned visit records the needs
// (channel warning, linked to the warning), the facts (source home_visit)
// and the visit in the household log; the warning is verified once.
func TestVerifyRecordsNeedsAndFacts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fresh := f.raised(71, false)
	if _, err := f.e.Verify(ctx, fresh, visitReport(), places(t)); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("verifying an unassigned warning: %v", err)
	}
	w := f.raised(74, true)
	bad := visitReport()
	bad.Needs[1].Item = "teleportation"
	bad.Facts.Members[0].MemberID = "m9"
	_, err := f.e.Verify(ctx, w, bad, places(t))
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EINVALID || !slices.ContainsFunc(de.Fields, func(fe domain.FieldError) bool { return fe.Field == "needs[1].item" }) ||
		!slices.ContainsFunc(de.Fields, func(fe domain.FieldError) bool { return fe.Field == "facts.members[0].member_id" }) {
		t.Fatalf("bad visit: %v", err)
	}
	if got, _ := f.db.Warning(ctx, w.ID); got.Visit != nil || got.State != domain.WarningVisitAssigned {
		t.Fatalf("a refused visit left %+v", got.Warning)
	}

	done, err := f.e.Verify(ctx, w, visitReport(), places(t))
	if err != nil || done.State != domain.WarningVerified || len(done.NeedIDs) != 2 ||
		!slices.Equal(done.UpdatedFacts, []string{"monthly_income", "members[m1].employment"}) {
		t.Fatalf("verify: %+v, %v", done.Warning, err)
	}
	needs, _, err := f.db.ListNeeds(ctx, store.NeedFilter{HouseholdID: w.HouseholdID})
	if err != nil || len(needs) != 2 || needs[0].Channel != domain.ChannelWarning || needs[0].WarningID != w.ID {
		t.Fatalf("needs %+v, %v", needs, err)
	}
	h := f.household(w.HouseholdID)
	if h.MonthlyIncome.Value != domain.Yuan(7000) || h.MonthlyIncome.Source != domain.SourceHomeVisit ||
		h.Members[0].Employment.Value != domain.EmploymentUnemployed || h.Members[0].Employment.Source != domain.SourceHomeVisit {
		t.Fatalf("facts after the visit: income %+v, employment %+v", h.MonthlyIncome, h.Members[0].Employment)
	}
	log, err := f.db.HouseholdLog(ctx, w.HouseholdID)
	if err != nil || len(log) != 1 || log[0].Kind != domain.LogVisit || log[0].RefID != w.ID {
		t.Fatalf("log %+v, %v", log, err)
	}
	if _, err := f.e.Verify(ctx, done, visitReport(), places(t)); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("verifying twice: %v", err)
	}
}

// TestResumeAfterCrashDuringVisit: the visit was written on the warning and
// its needs stored, then the server stopped. Meanwhile nobody can dismiss
// the warning; Resume finishes the visit, and a second Resume adds nothing.
func TestResumeAfterCrashDuringVisit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w := f.raised(81, true)
	if _, err := f.crashed("finish visit").Verify(ctx, w, visitReport(), places(t)); !errors.Is(err, errCrash) {
		t.Fatalf("verify: %v", err)
	}
	mid, err := f.db.Warning(ctx, w.ID)
	if err != nil || mid.Visit == nil || mid.State != domain.WarningVisitAssigned {
		t.Fatalf("after the crash: %+v, %v", mid.Warning, err)
	}
	if err := mid.Dismiss(domain.DismissNoHardship, "", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := f.db.UpdateWarning(ctx, &mid.Warning, domain.WarningVisitAssigned); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("dismissing a warning whose visit is being recorded: %v", err)
	}
	for range 2 {
		f.resume()
	}
	got, err := f.db.Warning(ctx, w.ID)
	if err != nil || got.State != domain.WarningVerified || got.Visit != nil || len(got.NeedIDs) != 2 {
		t.Fatalf("after resume: %+v, %v", got.Warning, err)
	}
	needs, _, _ := f.db.ListNeeds(ctx, store.NeedFilter{HouseholdID: w.HouseholdID})
	log, _ := f.db.HouseholdLog(ctx, w.HouseholdID)
	if len(needs) != 2 || len(log) != 1 {
		t.Fatalf("%d needs, %d log entries; want 2 and 1", len(needs), len(log))
	}
}
