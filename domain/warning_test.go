package domain

import (
	"strings"
	"testing"
	"time"
)

// fxWarning is a new red warning raised on 2025-06-10.
func fxWarning() Warning {
	raised := day(2025, 6, 10)
	return Warning{ID: WarningKey("hh-1", []string{"sig-2", "sig-1"}), HouseholdID: "hh-1", Place: "610103002001001",
		RuleID: "wr-medical-share", Rules: []string{"wr-medical-share", "wr-medical-amount"}, Severity: SeverityRed,
		SignalIDs: []string{"sig-1", "sig-2"}, ExplanationZh: "自付医疗费用已达家庭年收入一半",
		Reasons: []string{"近12个月自付医疗费用¥35,000.00"}, State: WarningNew, RaisedAt: raised, DueAt: VisitDue(SeverityRed, raised)}
}

func TestCanTransitionWarning(t *testing.T) {
	all := WarningStates()
	allowed := map[[2]WarningState]bool{
		{WarningNew, WarningVisitAssigned}: true, {WarningNew, WarningDismissed}: true,
		{WarningVisitAssigned, WarningVerified}: true, {WarningVisitAssigned, WarningDismissed}: true,
	}
	for _, from := range append(all, "bogus") {
		for _, to := range append(all, "bogus") {
			if got := CanTransitionWarning(from, to); got != allowed[[2]WarningState{from, to}] {
				t.Errorf("CanTransitionWarning(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestWarningWorkflow(t *testing.T) {
	w := fxWarning()
	at := day(2025, 6, 11)
	if err := w.Verify(WarningVisit{Note: "已入户"}, at); ErrorCode(err) != ECONFLICT {
		t.Fatalf("verify a new warning: %v", err)
	}
	if err := w.AssignVisit(" ", at); ErrorCode(err) != EINVALID || w.State != WarningNew {
		t.Fatalf("assign to nobody: %v, %s", err, w.State)
	}
	if err := w.AssignVisit("coordinator.610103002", at); err != nil || w.State != WarningVisitAssigned ||
		!w.AssignedAt.Equal(at) || !w.DueAt.Equal(day(2025, 6, 13)) {
		t.Fatalf("assign: %v %+v", err, w)
	}
	if err := w.AssignVisit("someone.else", at); ErrorCode(err) != ECONFLICT {
		t.Fatalf("assign twice: %v", err)
	}
	expectRule(t, w.Verify(WarningVisit{Note: ""}, at), "note", "required")
	expectRule(t, w.Verify(WarningVisit{Note: "x", NeedIDs: []string{"need-1", "need-1"}}, at), "need_ids[1]", "unique")
	visit := WarningVisit{Note: "住院治疗中，家属需照护和申请医疗救助", NeedIDs: []string{"need-7"}, UpdatedFacts: []string{"monthly_income"}}
	if err := w.Verify(visit, day(2025, 6, 12)); err != nil || w.State != WarningVerified || w.NeedIDs[0] != "need-7" || w.ClosedAt.IsZero() {
		t.Fatalf("verify: %v %+v", err, w)
	}
	visit.NeedIDs[0] = "tampered"
	if w.NeedIDs[0] != "need-7" {
		t.Fatal("Verify keeps the caller's slice")
	}
	if err := w.Dismiss(DismissDuplicate, "", at); ErrorCode(err) != ECONFLICT {
		t.Fatalf("dismiss a verified warning: %v", err)
	}
	expectRule(t, w.Validate(fixNow.AddDate(0, 1, 0)), "", "")
}

func TestWarningDismiss(t *testing.T) {
	w := fxWarning()
	at := day(2025, 6, 11)
	expectRule(t, w.Dismiss("bored", "", at), "dismiss_reason", "required")
	expectRule(t, w.Dismiss(DismissOther, " ", at), "dismiss_note", "required")
	if err := w.Dismiss(DismissWrongMatch, "", at); err != nil || w.State != WarningDismissed || w.DismissReason != DismissWrongMatch {
		t.Fatalf("dismiss: %v %+v", err, w)
	}
	expectRule(t, w.Validate(fixNow.AddDate(0, 1, 0)), "", "")
}

func TestWarningOverdue(t *testing.T) {
	w := fxWarning() // red, due 2025-06-13
	tests := []struct {
		name  string
		state WarningState
		now   time.Time
		want  bool
	}{
		{"new, in time", WarningNew, day(2025, 6, 12), false},
		{"new, never assigned, late", WarningNew, day(2025, 6, 14), true},
		{"assigned, late", WarningVisitAssigned, day(2025, 6, 13).Add(time.Second), true},
		{"at the deadline", WarningVisitAssigned, day(2025, 6, 13), false},
		{"verified", WarningVerified, day(2025, 7, 1), false},
		{"dismissed", WarningDismissed, day(2025, 7, 1), false},
	}
	for _, tc := range tests {
		w.State = tc.state
		if got := w.Overdue(tc.now); got != tc.want {
			t.Errorf("%s: Overdue = %v", tc.name, got)
		}
	}
}

func TestWarningValidate(t *testing.T) {
	now := day(2025, 6, 15)
	tests := []struct {
		name        string
		modify      func(*Warning)
		field, rule string
	}{
		{"valid", func(*Warning) {}, "", ""},
		{"household missing", func(w *Warning) { w.HouseholdID = "" }, "household_id", "required"},
		{"place a street", func(w *Warning) { w.Place = "610103002000" }, "place", "level"},
		{"rule missing", func(w *Warning) { w.RuleID = "" }, "rule_id", "required"},
		{"rules not led by the rule", func(w *Warning) { w.Rules = []string{"wr-other"} }, "rules", "mismatch"},
		{"severity", func(w *Warning) { w.Severity = "" }, "severity", "enum"},
		{"no signals", func(w *Warning) { w.SignalIDs = nil }, "signal_ids", "required"},
		{"repeated signal", func(w *Warning) { w.SignalIDs = []string{"sig-1", "sig-1"} }, "signal_ids[1]", "unique"},
		{"explanation missing", func(w *Warning) { w.ExplanationZh = "" }, "explanation_zh", "required"},
		{"raised in the future", func(w *Warning) { w.RaisedAt = now.Add(time.Hour) }, "raised_at", "range"},
		{"due before raised", func(w *Warning) { w.DueAt = w.RaisedAt.Add(-time.Hour) }, "due_at", "range"},
		{"state", func(w *Warning) { w.State = "lost" }, "state", "enum"},
		{"assigned without assignee", func(w *Warning) { w.State = WarningVisitAssigned }, "assignee", "required"},
		{"new with assignee", func(w *Warning) { w.Assignee = "u1" }, "assignee", "forbidden"},
		{"verified without note", func(w *Warning) { w.State, w.Assignee, w.ClosedAt = WarningVerified, "u1", now }, "visit_note", "required"},
		{"visit note before the visit", func(w *Warning) { w.VisitNote = "x" }, "visit_note", "forbidden"},
		{"dismissed without reason", func(w *Warning) { w.State, w.ClosedAt = WarningDismissed, now }, "dismiss_reason", "required"},
		{"reason while open", func(w *Warning) { w.DismissReason = DismissDuplicate }, "dismiss_reason", "forbidden"},
		{"closed without time", func(w *Warning) { w.State, w.DismissReason = WarningDismissed, DismissDuplicate }, "closed_at", "required"},
		{"negative version", func(w *Warning) { w.Version = -1 }, "version", "range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := fxWarning()
			tc.modify(&w)
			expectRule(t, w.Validate(now), tc.field, tc.rule)
		})
	}
}

func TestWarningKey(t *testing.T) {
	a := WarningKey("hh-1", []string{"sig-2", "sig-1"})
	if a != WarningKey("hh-1", []string{"sig-1", "sig-2", "sig-1"}) || !strings.HasPrefix(a, "warn-") {
		t.Fatalf("WarningKey depends on order or repeats: %s", a)
	}
	if a == WarningKey("hh-2", []string{"sig-1", "sig-2"}) || a == WarningKey("hh-1", []string{"sig-1"}) {
		t.Fatal("WarningKey ignores the household or a signal")
	}
}

func TestDismissReasonNames(t *testing.T) {
	for _, r := range []DismissReason{DismissNoHardship, DismissDuplicate, DismissWrongMatch, DismissAlreadyAssisted, DismissMovedAway, DismissOther} {
		if !r.Valid() || r.NameZh() == string(r) || r.NameZh() == "" {
			t.Errorf("%s: valid %v, name %q", r, r.Valid(), r.NameZh())
		}
	}
	if DismissDuplicate.NameZh() != "重复预警" {
		t.Errorf("duplicate: %q", DismissDuplicate.NameZh())
	}
}
