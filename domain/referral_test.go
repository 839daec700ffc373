package domain

import (
	"slices"
	"testing"
	"time"
)

// fxReferral is a referral for 20 meals to an offering whose voucher pays
// ¥10 a meal, just created.
func fxReferral() Referral {
	r := Referral{ID: "r1", Target: TargetOffering, ProposalID: "pr1", NeedID: "n1", HouseholdID: "h1", MemberID: "m1",
		Place: "610103002001", Item: "meal", OfferingID: "o1", ProviderID: "p1", Units: 20, VoucherFen: Yuan(200), VoucherYear: 2025}
	r.Start("u7", day(2025, 6, 1))
	return r
}

// fxCallback is a coordinator's follow-up call, a proof that needs no code.
func fxCallback(at time.Time) *Proof {
	return &Proof{Method: ProofByCallback, At: at, RecordedBy: "u7", RecorderRole: RoleCoordinator, Note: "老人说饭菜可口，每天按时送到"}
}

func fxRating(stars int, at time.Time) *Rating {
	return &Rating{Stars: stars, Comment: "很好", At: at, RecordedBy: "u7"}
}

// mustApply applies a move that must succeed and returns its effects.
func mustApply(tb testing.TB, r *Referral, m ReferralMove) ReferralEffects {
	tb.Helper()
	if m.By == "" {
		m.By = "u7"
	}
	if m.At.IsZero() {
		m.At = r.EnteredAt().Add(time.Hour)
		if m.Proof != nil && m.Proof.At.After(m.At) {
			m.At = m.Proof.At
		}
		if m.Rating != nil && m.Rating.At.After(m.At) {
			m.At = m.Rating.At
		}
	}
	eff, err := r.Apply(m)
	if err != nil {
		tb.Fatalf("Apply(%s → %s): %v", r.State, m.To, err)
	}
	return eff
}

// fxInService is fxReferral accepted and in service with one record of 5
// meals (¥50 of voucher).
func fxInService(tb *testing.T) Referral {
	tb.Helper()
	r := fxReferral()
	mustApply(tb, &r, ReferralMove{To: ReferralAccepted, By: "p1user"})
	mustApply(tb, &r, ReferralMove{To: ReferralInService, By: "p1user"})
	if err := r.AddService(ServiceRecord{ReferralID: "r1", VoucherFen: Yuan(50)}); err != nil {
		tb.Fatal(err)
	}
	return r
}

func allReferralStates() []ReferralState {
	return []ReferralState{ReferralAwaitingProvider, ReferralAccepted, ReferralDeclined, ReferralInService,
		ReferralCompleted, ReferralRated, ReferralClosed, ReferralCancelled, ReferralApplicationAssisted,
		ReferralAcceptedByOffice, ReferralResultRecorded, ReferralTaskPosted}
}

func TestCanTransitionReferral(t *testing.T) {
	type pair [2]ReferralState
	allowed := map[pair]bool{
		{ReferralAwaitingProvider, ReferralAccepted}: true, {ReferralAwaitingProvider, ReferralDeclined}: true,
		{ReferralAwaitingProvider, ReferralClosed}: true, {ReferralAwaitingProvider, ReferralCancelled}: true,
		{ReferralAccepted, ReferralInService}: true, {ReferralAccepted, ReferralDeclined}: true,
		{ReferralAccepted, ReferralClosed}: true, {ReferralAccepted, ReferralCancelled}: true,
		{ReferralInService, ReferralCompleted}: true, {ReferralInService, ReferralClosed}: true,
		{ReferralCompleted, ReferralRated}:                      true,
		{ReferralApplicationAssisted, ReferralAcceptedByOffice}: true, {ReferralApplicationAssisted, ReferralResultRecorded}: true,
		{ReferralApplicationAssisted, ReferralClosed}: true, {ReferralApplicationAssisted, ReferralCancelled}: true,
		{ReferralAcceptedByOffice, ReferralResultRecorded}: true, {ReferralAcceptedByOffice, ReferralClosed}: true,
		{ReferralTaskPosted, ReferralInService}: true, {ReferralTaskPosted, ReferralClosed}: true,
		{ReferralTaskPosted, ReferralCancelled}: true,
	}
	states := append(allReferralStates(), "", "bogus")
	for _, from := range states {
		for _, to := range states {
			if got := CanTransitionReferral(from, to); got != allowed[pair{from, to}] {
				t.Errorf("CanTransitionReferral(%q, %q) = %v", from, to, got)
			}
		}
	}
}

func TestReferralPaths(t *testing.T) {
	tests := []struct {
		kind  TargetKind
		start ReferralState
		size  int
	}{
		{TargetOffering, ReferralAwaitingProvider, 8},
		{TargetPolicy, ReferralApplicationAssisted, 5},
		{TargetVolunteerPool, ReferralTaskPosted, 6},
		{TargetJob, "", 0},
		{"bogus", "", 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			path := ReferralStates(tt.kind)
			if ReferralStart(tt.kind) != tt.start || len(path) != tt.size {
				t.Fatalf("start %q, path %v", ReferralStart(tt.kind), path)
			}
			// The shared table must never lead off a kind's path.
			for _, s := range path {
				for _, next := range NextReferralStates(s) {
					if !slices.Contains(path, next) {
						t.Errorf("%s: %s → %s leaves the path", tt.kind, s, next)
					}
				}
			}
		})
	}
	for _, s := range []ReferralState{ReferralDeclined, ReferralRated, ReferralClosed, ReferralCancelled, ReferralResultRecorded} {
		if !s.Final() {
			t.Errorf("%s should be final", s)
		}
	}
	if ReferralCompleted.Final() || ReferralAwaitingProvider.Final() {
		t.Error("completed and awaiting_provider are not final")
	}
}

func TestCapacityEffect(t *testing.T) {
	tests := []struct {
		kind     TargetKind
		from, to ReferralState
		want     int
	}{
		{TargetOffering, "", ReferralAwaitingProvider, 0},
		{TargetOffering, ReferralAwaitingProvider, ReferralAccepted, -1},
		{TargetOffering, ReferralAwaitingProvider, ReferralDeclined, 0},
		{TargetOffering, ReferralAwaitingProvider, ReferralClosed, 0},
		{TargetOffering, ReferralAwaitingProvider, ReferralCancelled, 0},
		{TargetOffering, ReferralAccepted, ReferralInService, 0},
		{TargetOffering, ReferralAccepted, ReferralDeclined, 1},
		{TargetOffering, ReferralAccepted, ReferralClosed, 1},
		{TargetOffering, ReferralAccepted, ReferralCancelled, 1},
		{TargetOffering, ReferralInService, ReferralCompleted, 0},
		{TargetOffering, ReferralInService, ReferralClosed, 1},
		{TargetOffering, ReferralCompleted, ReferralRated, 0},
		{TargetVolunteerPool, ReferralTaskPosted, ReferralInService, 0},
		{TargetVolunteerPool, ReferralInService, ReferralClosed, 0},
		{TargetPolicy, ReferralApplicationAssisted, ReferralAcceptedByOffice, 0},
	}
	for _, tt := range tests {
		if got := CapacityEffect(tt.kind, tt.from, tt.to); got != tt.want {
			t.Errorf("CapacityEffect(%s, %q → %s) = %d, want %d", tt.kind, tt.from, tt.to, got, tt.want)
		}
	}
}

// TestEffectsBalanceOnEveryPath walks every path of an offering referral
// from creation to a final state and checks the sums: a place is used only
// when service completed, and the voucher ends fully spent or released.
func TestEffectsBalanceOnEveryPath(t *testing.T) {
	const reserved, used = Fen(2000), Fen(500)
	var walk func(path []ReferralState)
	walk = func(path []ReferralState) {
		last := path[len(path)-1]
		if last.Final() || last == ReferralCompleted {
			capacity, v := 0, VoucherChange{}
			prev := ReferralState("")
			for _, s := range path {
				u := Fen(0)
				if slices.Contains(path, ReferralInService) {
					u = used
				}
				c := VoucherEffect(TargetOffering, prev, s, reserved, u)
				capacity += CapacityEffect(TargetOffering, prev, s)
				v.Reserve, v.Spend, v.Release = v.Reserve+c.Reserve, v.Spend+c.Spend, v.Release+c.Release
				prev = s
			}
			wantCap := 0
			if slices.Contains(path, ReferralCompleted) {
				wantCap = -1
			}
			if capacity != wantCap || v.Reserve != reserved || v.Spend+v.Release != reserved {
				t.Errorf("path %v: capacity %d, voucher %+v", path, capacity, v)
			}
			if !last.Final() {
				walk(append(slices.Clone(path), ReferralRated))
			}
			return
		}
		for _, next := range NextReferralStates(last) {
			walk(append(slices.Clone(path), next))
		}
	}
	walk([]ReferralState{ReferralAwaitingProvider})
}

func TestVoucherEffect(t *testing.T) {
	tests := []struct {
		name           string
		kind           TargetKind
		from, to       ReferralState
		reserved, used Fen
		want           VoucherChange
	}{
		{"creation reserves", TargetOffering, "", ReferralAwaitingProvider, 2000, 0, VoucherChange{Reserve: 2000}},
		{"accept keeps it", TargetOffering, ReferralAwaitingProvider, ReferralAccepted, 2000, 0, VoucherChange{}},
		{"decline releases", TargetOffering, ReferralAwaitingProvider, ReferralDeclined, 2000, 0, VoucherChange{Release: 2000}},
		{"cancel releases", TargetOffering, ReferralAccepted, ReferralCancelled, 2000, 0, VoucherChange{Release: 2000}},
		{"completion spends what was used", TargetOffering, ReferralInService, ReferralCompleted, 2000, 1500, VoucherChange{Spend: 1500, Release: 500}},
		{"completion spends all", TargetOffering, ReferralInService, ReferralCompleted, 2000, 2000, VoucherChange{Spend: 2000}},
		{"closing after some service", TargetOffering, ReferralInService, ReferralClosed, 2000, 500, VoucherChange{Spend: 500, Release: 1500}},
		{"rating does nothing", TargetOffering, ReferralCompleted, ReferralRated, 2000, 2000, VoucherChange{}},
		{"free offering", TargetOffering, "", ReferralAwaitingProvider, 0, 0, VoucherChange{}},
		{"volunteers are free", TargetVolunteerPool, "", ReferralTaskPosted, 2000, 0, VoucherChange{}},
		{"policies are free", TargetPolicy, ReferralApplicationAssisted, ReferralClosed, 2000, 0, VoucherChange{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := VoucherEffect(tt.kind, tt.from, tt.to, tt.reserved, tt.used)
			if got != tt.want || got.IsZero() != (tt.want == VoucherChange{}) {
				t.Fatalf("VoucherEffect = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReferralValidate(t *testing.T) {
	places, cat := fxPlaces(t), fxCatalogue(t)
	at := day(2025, 6, 10)
	policy := func(r *Referral) {
		r.Target, r.NeedID, r.Item, r.OfferingID, r.ProviderID, r.PolicyID, r.Units, r.VoucherFen = TargetPolicy, "", "", "", "", "pol1", 0, 0
		r.Start("u7", day(2025, 6, 1))
	}
	tests := []struct {
		name   string
		modify func(*Referral)
		field  string
		rule   string
	}{
		{"valid offering", func(*Referral) {}, "", ""},
		{"valid policy", policy, "", ""},
		{"valid policy result", func(r *Referral) {
			policy(r)
			r.Result, r.State = OfficialApproved, ReferralResultRecorded
			r.History = append(r.History, StateChange[ReferralState]{At: at, By: "u7", From: ReferralApplicationAssisted, To: ReferralResultRecorded})
		}, "", ""},
		{"valid volunteer", func(r *Referral) {
			r.Target, r.OfferingID, r.ProviderID, r.Units, r.VoucherFen, r.TaskID = TargetVolunteerPool, "", "", 0, 0, "t1"
			r.Start("u7", day(2025, 6, 1))
		}, "", ""},
		{"target job", func(r *Referral) { r.Target = TargetJob }, "target", "enum"},
		{"household missing", func(r *Referral) { r.HouseholdID = "" }, "household_id", "required"},
		{"place unknown", func(r *Referral) { r.Place = "610103002009" }, "place", "exists"},
		{"need missing", func(r *Referral) { r.NeedID = "" }, "need_id", "required"},
		{"item unknown", func(r *Referral) { r.Item = "bathing" }, "item", "exists"},
		{"offering missing", func(r *Referral) { r.OfferingID = "" }, "offering_id", "required"},
		{"provider missing", func(r *Referral) { r.ProviderID = "" }, "provider_id", "required"},
		{"policy on offering", func(r *Referral) { r.PolicyID = "pol1" }, "policy_id", "forbidden"},
		{"offering on policy", func(r *Referral) { policy(r); r.OfferingID = "o1" }, "offering_id", "forbidden"},
		{"policy missing", func(r *Referral) { policy(r); r.PolicyID = "" }, "policy_id", "required"},
		{"task on offering", func(r *Referral) { r.TaskID = "t1" }, "task_id", "forbidden"},
		{"units zero", func(r *Referral) { r.Units = 0 }, "units", "range"},
		{"units huge", func(r *Referral) { r.Units = 1001 }, "units", "range"},
		{"units on policy", func(r *Referral) { policy(r); r.Units = 1 }, "units", "forbidden"},
		{"voucher negative", func(r *Referral) { r.VoucherFen = -1 }, "voucher_fen", "range"},
		{"voucher overused", func(r *Referral) { r.UsedVoucherFen = r.VoucherFen + 1 }, "voucher_fen", "range"},
		{"voucher on policy", func(r *Referral) { policy(r); r.VoucherFen = 100 }, "voucher_fen", "forbidden"},
		{"voucher without year", func(r *Referral) { r.VoucherYear = 0 }, "voucher_year", "required"},
		{"state off path", func(r *Referral) { r.State = ReferralTaskPosted }, "state", "enum"},
		{"declined without reason", func(r *Referral) { setState(r, ReferralDeclined) }, "decline_reason", "required"},
		{"reason while awaiting", func(r *Referral) { r.DeclineReason = DeclineCantReach }, "decline_reason", "forbidden"},
		{"closed without outcome", func(r *Referral) { setState(r, ReferralClosed) }, "outcome", "required"},
		{"policy closed for capacity", func(r *Referral) {
			policy(r)
			setState(r, ReferralClosed)
			r.Outcome = OutcomeNoCapacity
		}, "outcome", "enum"},
		{"outcome while awaiting", func(r *Referral) { r.Outcome = OutcomeGotHelp }, "outcome", "forbidden"},
		{"result missing", func(r *Referral) { policy(r); setState(r, ReferralResultRecorded) }, "result", "required"},
		{"result early", func(r *Referral) { r.Result = OfficialApproved }, "result", "forbidden"},
		{"completed without proof", func(r *Referral) { setState(r, ReferralInService); setState(r, ReferralCompleted) }, "proof", "required"},
		{"bad proof", func(r *Referral) { r.Proof = &Proof{Method: "wink"} }, "proof.method", "enum"},
		{"rated without rating", func(r *Referral) {
			setState(r, ReferralInService)
			setState(r, ReferralCompleted)
			r.Proof = fxCallback(at)
			setState(r, ReferralRated)
		}, "rating", "required"},
		{"rating out of range", func(r *Referral) { r.Rating = fxRating(6, at) }, "rating.stars", "range"},
		{"attempt in future", func(r *Referral) { r.ContactAttempts = []time.Time{day(2026, 1, 1)} }, "contact_attempts[0]", "range"},
		{"no history", func(r *Referral) { r.History = nil }, "history", "required"},
		{"history skips", func(r *Referral) { r.State = ReferralInService; r.History[0].To = ReferralInService }, "history[0].to", "start"},
		{"history out of table", func(r *Referral) { setState(r, ReferralRated) }, "history[1].to", "transition"},
		{"history out of order", func(r *Referral) {
			setState(r, ReferralAccepted)
			r.History[1].At = day(2025, 5, 1)
		}, "history[1].at", "order"},
		{"history behind state", func(r *Referral) { r.State = ReferralAccepted }, "history", "mismatch"},
		{"creator missing", func(r *Referral) { r.CreatedBy = "" }, "created_by", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fxReferral()
			tt.modify(&r)
			expectRule(t, r.Validate(places, cat, fixNow), tt.field, tt.rule)
		})
	}
}

// setState forces a state with its history entry, bypassing Apply, so that
// Validate sees what a store could hold.
func setState(r *Referral, s ReferralState) {
	r.History = append(r.History, StateChange[ReferralState]{At: r.EnteredAt().Add(time.Hour), By: "u7", From: r.State, To: s})
	r.State = s
}

func TestReferralApplyHappyPath(t *testing.T) {
	places, cat := fxPlaces(t), fxCatalogue(t)
	r := fxReferral()
	if eff := mustApply(t, &r, ReferralMove{To: ReferralAccepted, By: "p1user"}); eff.Capacity != -1 || !eff.Voucher.IsZero() {
		t.Fatalf("accept effects %+v", eff)
	}
	mustApply(t, &r, ReferralMove{To: ReferralInService})
	for range 3 {
		if err := r.AddService(ServiceRecord{ReferralID: "r1", VoucherFen: Yuan(50)}); err != nil {
			t.Fatal(err)
		}
	}
	eff := mustApply(t, &r, ReferralMove{To: ReferralCompleted, Proof: fxCallback(day(2025, 6, 12))})
	if eff.Capacity != 0 || eff.Voucher != (VoucherChange{Spend: Yuan(150), Release: Yuan(50)}) {
		t.Fatalf("completion effects %+v", eff)
	}
	mustApply(t, &r, ReferralMove{To: ReferralRated, Rating: fxRating(5, day(2025, 6, 13))})
	if err := r.Validate(places, cat, fixNow); err != nil {
		t.Fatalf("after the path: %v", err)
	}
	if len(r.History) != 5 || r.History[1].By != "p1user" || r.History[4].From != ReferralCompleted || r.Rating.Stars != 5 {
		t.Fatalf("history %+v", r.History)
	}
}

func TestReferralApplyRules(t *testing.T) {
	at := day(2025, 6, 12)
	tests := []struct {
		name  string
		setup func(*testing.T) Referral
		move  ReferralMove
		code  string
		field string
	}{
		{"illegal move", func(*testing.T) Referral { return fxReferral() }, ReferralMove{To: ReferralCompleted}, ECONFLICT, ""},
		{"state of another path", func(*testing.T) Referral { return fxReferral() }, ReferralMove{To: ReferralTaskPosted}, ECONFLICT, ""},
		{"policy state on offering", func(t *testing.T) Referral { return fxReferral() }, ReferralMove{To: ReferralResultRecorded, Result: OfficialApproved}, ECONFLICT, ""},
		{"final is final", func(t *testing.T) Referral {
			r := fxReferral()
			mustApply(t, &r, ReferralMove{To: ReferralDeclined, Decline: DeclineNoCapacity})
			return r
		}, ReferralMove{To: ReferralAccepted}, ECONFLICT, ""},
		{"actor missing", func(*testing.T) Referral { return fxReferral() }, ReferralMove{To: ReferralAccepted, By: "-"}, EINVALID, "by"},
		{"decline without reason", func(*testing.T) Referral { return fxReferral() }, ReferralMove{To: ReferralDeclined}, EINVALID, "decline_reason"},
		{"decline with bad reason", func(*testing.T) Referral { return fxReferral() }, ReferralMove{To: ReferralDeclined, Decline: "busy"}, EINVALID, "decline_reason"},
		{"accept with a reason", func(*testing.T) Referral { return fxReferral() }, ReferralMove{To: ReferralAccepted, Decline: DeclineCantReach}, EINVALID, "decline_reason"},
		{"close without outcome", func(*testing.T) Referral { return fxReferral() }, ReferralMove{To: ReferralClosed}, EINVALID, "outcome"},
		{"close unreachable too soon", func(*testing.T) Referral {
			r := fxReferral()
			r.RecordAttempt(day(2025, 6, 2))
			r.RecordAttempt(day(2025, 6, 3))
			return r
		}, ReferralMove{To: ReferralClosed, Outcome: OutcomeUnreachable}, EINVALID, "outcome"},
		{"complete without proof", fxInService, ReferralMove{To: ReferralCompleted}, EINVALID, "proof"},
		{"complete with unchecked code", fxInService, ReferralMove{To: ReferralCompleted,
			Proof: &Proof{Method: ProofByCode, At: at, RecordedBy: "w1", RecorderRole: RoleNGO}}, EINVALID, "proof.method"},
		{"callback by the provider", fxInService, ReferralMove{To: ReferralCompleted,
			Proof: &Proof{Method: ProofByCallback, At: at, RecordedBy: "w1", RecorderRole: RoleNGO, Note: "好"}}, EINVALID, "proof.recorder_role"},
		{"complete without records", func(t *testing.T) Referral {
			r := fxReferral()
			mustApply(t, &r, ReferralMove{To: ReferralAccepted})
			mustApply(t, &r, ReferralMove{To: ReferralInService})
			return r
		}, ReferralMove{To: ReferralCompleted, Proof: fxCallback(at)}, EINVALID, "services"},
		{"rate out of range", func(t *testing.T) Referral {
			r := fxInService(t)
			mustApply(t, &r, ReferralMove{To: ReferralCompleted, Proof: fxCallback(at)})
			return r
		}, ReferralMove{To: ReferralRated, Rating: fxRating(0, at)}, EINVALID, "rating.stars"},
		{"cancel without note", func(*testing.T) Referral { return fxReferral() }, ReferralMove{To: ReferralCancelled}, EINVALID, "note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.setup(t)
			before := r.State
			m := tt.move
			switch m.By {
			case "":
				m.By = "u7"
			case "-":
				m.By = ""
			}
			m.At = at
			_, err := r.Apply(m)
			if ErrorCode(err) != tt.code {
				t.Fatalf("Apply = %v, want %s", err, tt.code)
			}
			if tt.field != "" {
				expectRule(t, err, tt.field, fieldRule(err, tt.field))
			}
			if r.State != before {
				t.Fatalf("state changed to %s on error", r.State)
			}
		})
	}
}

// fieldRule returns the rule err names for field, so a test can assert the
// field without restating the rule.
func fieldRule(err error, field string) string {
	if e, ok := err.(*Error); ok {
		for _, f := range e.Fields {
			if f.Field == field {
				return f.Rule
			}
		}
	}
	return "missing"
}

func TestReferralOtherPaths(t *testing.T) {
	at := day(2025, 6, 12)
	t.Run("unreachable after three attempts", func(t *testing.T) {
		r := fxReferral()
		mustApply(t, &r, ReferralMove{To: ReferralAccepted})
		for i := range MinContactAttempts {
			if err := r.RecordAttempt(day(2025, 6, 2+i)); err != nil {
				t.Fatal(err)
			}
		}
		eff := mustApply(t, &r, ReferralMove{To: ReferralClosed, Outcome: OutcomeUnreachable, At: at})
		if eff.Capacity != 1 || eff.Voucher != (VoucherChange{Release: Yuan(200)}) || r.History[2].Reason != string(OutcomeUnreachable) {
			t.Fatalf("effects %+v, history %+v", eff, r.History)
		}
		if err := r.RecordAttempt(at); ErrorCode(err) != ECONFLICT {
			t.Fatalf("attempt on a closed referral: %v", err)
		}
	})
	t.Run("policy application", func(t *testing.T) {
		r := Referral{ID: "r2", Target: TargetPolicy, HouseholdID: "h1", MemberID: "m1", Place: "610103002001", PolicyID: "pol1"}
		r.Start("u7", day(2025, 6, 1))
		mustApply(t, &r, ReferralMove{To: ReferralAcceptedByOffice})
		if _, err := r.Apply(ReferralMove{To: ReferralClosed, Outcome: OutcomeNoCapacity, By: "u7", At: at}); ErrorCode(err) != EINVALID {
			t.Fatalf("no_capacity closes no application: %v", err)
		}
		eff := mustApply(t, &r, ReferralMove{To: ReferralResultRecorded, Result: OfficialRejected, By: "u7", At: at})
		if eff != (ReferralEffects{}) || r.Result != OfficialRejected {
			t.Fatalf("effects %+v, result %s", eff, r.Result)
		}
		if err := r.Validate(fxPlaces(t), fxCatalogue(t), fixNow); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("policy log entries", func(t *testing.T) {
		r := Referral{ID: "r2", Target: TargetPolicy, HouseholdID: "h1", MemberID: "m1", Place: "610103002001", PolicyID: "pol1"}
		r.Start("u7", day(2025, 6, 1))
		app, ok := r.PolicyLogEntry()
		if !ok || app != (LogEntry{ID: "app-r2", HouseholdID: "h1", MemberID: "m1", Kind: LogApplication, At: day(2025, 6, 1),
			Author: "u7", PolicyID: "pol1", RefID: "r2"}) || app.Validate(fixNow) != nil {
			t.Fatalf("application entry %+v", app)
		}
		mustApply(t, &r, ReferralMove{To: ReferralAcceptedByOffice})
		if _, ok := r.PolicyLogEntry(); ok {
			t.Fatal("acceptance by the office is not logged as an outcome")
		}
		mustApply(t, &r, ReferralMove{To: ReferralResultRecorded, Result: OfficialApproved, By: "u8", At: at})
		out, ok := r.PolicyLogEntry()
		if !ok || out.ID != "out-r2" || out.Kind != LogOutcome || out.Outcome != OfficialApproved || out.Author != "u8" || out.Validate(fixNow) != nil {
			t.Fatalf("outcome entry %+v", out)
		}
		if _, ok := fxReferral().PolicyLogEntry(); ok {
			t.Fatal("an offering referral has no policy entry")
		}
	})
	t.Run("volunteer pool", func(t *testing.T) {
		r := Referral{ID: "r3", Target: TargetVolunteerPool, NeedID: "n1", HouseholdID: "h1", MemberID: "m1", Place: "610103002001", Item: "meal"}
		r.Start("u7", day(2025, 6, 1))
		mustApply(t, &r, ReferralMove{To: ReferralInService})
		eff := mustApply(t, &r, ReferralMove{To: ReferralCompleted, Proof: fxCallback(at), At: at})
		if eff != (ReferralEffects{}) {
			t.Fatalf("volunteer effects %+v", eff)
		}
	})
}

func TestReferralAddService(t *testing.T) {
	r := fxReferral()
	if err := r.AddService(ServiceRecord{ReferralID: "r1"}); ErrorCode(err) != ECONFLICT {
		t.Fatalf("service before in_service: %v", err)
	}
	r = fxInService(t)
	if err := r.AddService(ServiceRecord{ReferralID: "r9"}); ErrorCode(err) != EINVALID {
		t.Fatalf("another referral's record: %v", err)
	}
	if err := r.AddService(ServiceRecord{ReferralID: "r1", VoucherFen: Yuan(150) + 1}); ErrorCode(err) != ECONFLICT {
		t.Fatalf("overspend: %v", err)
	}
	if err := r.AddService(ServiceRecord{ReferralID: "r1", VoucherFen: Yuan(150)}); err != nil || r.UsedVoucherFen != Yuan(200) || r.Services != 2 {
		t.Fatalf("exact spend: %v, used %s, services %d", err, r.UsedVoucherFen, r.Services)
	}
}

func TestReferralStuck(t *testing.T) {
	r := fxReferral() // awaiting the provider since 1 June
	tests := []struct {
		name  string
		now   time.Time
		stuck bool
	}{
		{"a day", day(2025, 6, 2), false},
		{"exactly two days", day(2025, 6, 3), false},
		{"just over two days", day(2025, 6, 3).Add(time.Second), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			waited, stuck := r.Stuck(tt.now)
			if stuck != tt.stuck || waited != tt.now.Sub(day(2025, 6, 1)) {
				t.Fatalf("Stuck = %v, %v", waited, stuck)
			}
		})
	}
	mustApply(t, &r, ReferralMove{To: ReferralDeclined, Decline: DeclineNoCapacity})
	if _, stuck := r.Stuck(day(2026, 1, 1)); stuck {
		t.Fatal("a final referral is never stuck")
	}
	const d = 24 * time.Hour
	limits := map[ReferralState]time.Duration{ReferralAwaitingProvider: 2 * d, ReferralTaskPosted: 2 * d, ReferralAccepted: 3 * d,
		ReferralInService: 30 * d, ReferralApplicationAssisted: 30 * d, ReferralAcceptedByOffice: 45 * d}
	for _, s := range allReferralStates() {
		if got := ReferralStaleAfter(s); got != limits[s] {
			t.Errorf("ReferralStaleAfter(%s) = %v", s, got)
		}
	}
	if (Referral{CreatedAt: day(2025, 6, 1)}).EnteredAt() != day(2025, 6, 1) {
		t.Fatal("EnteredAt without history")
	}
}

func TestReferralMovers(t *testing.T) {
	tests := []struct {
		to    ReferralState
		role  Role
		allow bool
	}{
		{ReferralAccepted, RoleNGO, true},
		{ReferralAccepted, RoleCoordinator, false},
		{ReferralDeclined, RoleEnterprise, true},
		{ReferralInService, RoleCoordinator, true},
		{ReferralCompleted, RoleUnit, true},
		{ReferralClosed, RoleNGO, false},
		{ReferralClosed, RoleCoordinator, true},
		{ReferralResultRecorded, RoleCoordinator, true},
		{ReferralResultRecorded, RoleNGO, false},
		{ReferralTaskPosted, RoleCoordinator, false},
		{ReferralAccepted, RoleVolunteer, false},
	}
	for _, tt := range tests {
		if got := slices.Contains(ReferralMovers(tt.to), tt.role); got != tt.allow {
			t.Errorf("%s may move to %s: %v", tt.role, tt.to, got)
		}
	}
}
