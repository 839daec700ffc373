package domain

import (
	"math"
	"strings"
	"testing"
	"time"
)

func fxProposal() Proposal {
	return Proposal{ID: "pr1", Kind: ProposalService, RunID: "run1", HouseholdID: "h1", MemberID: "m1", NeedID: "n1",
		Place: "610103002001", Target: TargetOffering, TargetID: "o1", ProviderID: "p1", Score: 87,
		Factors: map[string]float64{"category": 40, "distance": 20, "priority": 27}, State: ProposalProposed, CreatedAt: day(2025, 6, 1)}
}

func fxPolicyProposal() Proposal {
	return Proposal{ID: "pr2", Kind: ProposalPolicy, RunID: "run1", HouseholdID: "h1", Place: "610103002001",
		Target: TargetPolicy, TargetID: "mz_dibao", Near: true, Gaps: []string{"人均收入高出低保标准¥86"}, Score: 0.9,
		State: ProposalProposed, CreatedAt: day(2025, 6, 1)}
}

func TestTargetAndProposalKinds(t *testing.T) {
	tests := []struct {
		target TargetKind
		valid  bool
		kind   ProposalKind
	}{
		{TargetOffering, true, ProposalService},
		{TargetJob, true, ProposalService},
		{TargetVolunteerPool, true, ProposalService},
		{TargetPolicy, true, ProposalPolicy},
		{"shop", false, ProposalService},
	}
	for _, tt := range tests {
		if tt.target.Valid() != tt.valid || tt.target.ProposalKind() != tt.kind {
			t.Errorf("%q: valid %v, kind %s", tt.target, tt.target.Valid(), tt.target.ProposalKind())
		}
	}
	if ProposalKind("other").Valid() || !ProposalPolicy.Valid() {
		t.Error("ProposalKind.Valid")
	}
}

func TestCanTransitionProposal(t *testing.T) {
	all := []ProposalState{ProposalProposed, ProposalAccepted, ProposalRejected, ProposalSuperseded, "bogus"}
	for _, from := range all {
		for _, to := range all {
			want := from == ProposalProposed && (to == ProposalAccepted || to == ProposalRejected || to == ProposalSuperseded)
			if got := CanTransitionProposal(from, to); got != want {
				t.Errorf("CanTransitionProposal(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestRejectReasons(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		reason          RejectReason
		service, policy bool
		hold            time.Duration
	}{
		{RejectResidentDeclined, true, false, 0},
		{RejectNotSuitable, true, false, 0},
		{RejectProviderUnsuitable, true, false, 0},
		{RejectTooFar, true, false, 0},
		{RejectBadTiming, true, false, 30 * day},
		{RejectNotEligible, false, true, 180 * day},
		{RejectAlreadyApplied, false, true, 90 * day},
		{RejectDeclinedToApply, false, true, 180 * day},
		{RejectOther, true, true, 30 * day},
		{"bored", false, false, 0},
	}
	for _, tt := range tests {
		if tt.reason.ValidFor(ProposalService) != tt.service || tt.reason.ValidFor(ProposalPolicy) != tt.policy || tt.reason.Hold() != tt.hold {
			t.Errorf("%s: service %v, policy %v, hold %v", tt.reason, tt.reason.ValidFor(ProposalService),
				tt.reason.ValidFor(ProposalPolicy), tt.reason.Hold())
		}
	}
	if RejectOther.ValidFor("bogus") {
		t.Error("other is valid only for known kinds")
	}
}

func TestProposalValidate(t *testing.T) {
	rejected := func(p *Proposal) {
		p.State, p.RejectReason, p.DecidedBy, p.DecidedAt = ProposalRejected, RejectTooFar, "u7", day(2025, 6, 2)
	}
	tests := []struct {
		name   string
		base   func() Proposal
		modify func(*Proposal)
		field  string
		rule   string
	}{
		{"valid service", fxProposal, func(*Proposal) {}, "", ""},
		{"valid policy lead", fxPolicyProposal, func(*Proposal) {}, "", ""},
		{"valid volunteer pool", fxProposal, func(p *Proposal) { p.Target, p.TargetID, p.ProviderID = TargetVolunteerPool, "", "" }, "", ""},
		{"valid rejected", fxProposal, rejected, "", ""},
		{"valid superseded", fxProposal, func(p *Proposal) { p.State, p.SupersededBy = ProposalSuperseded, "run2" }, "", ""},
		{"kind unknown", fxProposal, func(p *Proposal) { p.Kind = "gift" }, "kind", "enum"},
		{"run missing", fxProposal, func(p *Proposal) { p.RunID = "" }, "run_id", "required"},
		{"household missing", fxProposal, func(p *Proposal) { p.HouseholdID = "" }, "household_id", "required"},
		{"target unknown", fxProposal, func(p *Proposal) { p.Target = "shop" }, "target", "enum"},
		{"policy target on service", fxProposal, func(p *Proposal) { p.Target = TargetPolicy }, "target", "mismatch"},
		{"service without need", fxProposal, func(p *Proposal) { p.NeedID = "" }, "need_id", "required"},
		{"service without member", fxProposal, func(p *Proposal) { p.MemberID = "" }, "member_id", "required"},
		{"policy with need", fxPolicyProposal, func(p *Proposal) { p.NeedID = "n1" }, "need_id", "forbidden"},
		{"target missing", fxProposal, func(p *Proposal) { p.TargetID = "" }, "target_id", "required"},
		{"pool with target", fxProposal, func(p *Proposal) { p.Target, p.ProviderID = TargetVolunteerPool, "" }, "target_id", "forbidden"},
		{"offering without provider", fxProposal, func(p *Proposal) { p.ProviderID = "" }, "provider_id", "required"},
		{"score NaN", fxProposal, func(p *Proposal) { p.Score = math.NaN() }, "score", "range"},
		{"score negative", fxProposal, func(p *Proposal) { p.Score = -1 }, "score", "range"},
		{"near on service", fxProposal, func(p *Proposal) { p.Near = true }, "near", "forbidden"},
		{"gap too long", fxPolicyProposal, func(p *Proposal) { p.Gaps = []string{strings.Repeat("差", 201)} }, "gaps[0]", "length"},
		{"state unknown", fxProposal, func(p *Proposal) { p.State = "maybe" }, "state", "enum"},
		{"rejected without reason", fxProposal, func(p *Proposal) { rejected(p); p.RejectReason = "" }, "reject_reason", "enum"},
		{"policy reason on service", fxProposal, func(p *Proposal) { rejected(p); p.RejectReason = RejectNotEligible }, "reject_reason", "enum"},
		{"reason while proposed", fxProposal, func(p *Proposal) { p.RejectReason = RejectTooFar }, "reject_reason", "forbidden"},
		{"other without note", fxProposal, func(p *Proposal) { rejected(p); p.RejectReason = RejectOther }, "reject_note", "required"},
		{"decided by nobody", fxProposal, func(p *Proposal) { rejected(p); p.DecidedBy = "" }, "decided_by", "required"},
		{"decided in future", fxProposal, func(p *Proposal) { rejected(p); p.DecidedAt = day(2026, 1, 1) }, "decided_at", "range"},
		{"superseded by nothing", fxProposal, func(p *Proposal) { p.State = ProposalSuperseded }, "superseded_by", "required"},
		{"created missing", fxProposal, func(p *Proposal) { p.CreatedAt = time.Time{} }, "created_at", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.base()
			tt.modify(&p)
			expectRule(t, p.Validate(fixNow), tt.field, tt.rule)
		})
	}
}

func TestProposalDecisions(t *testing.T) {
	at := day(2025, 6, 2)
	p := fxProposal()
	if err := p.Reject(RejectNotEligible, "", "u7", at); ErrorCode(err) != EINVALID || p.State != ProposalProposed {
		t.Fatalf("policy reason on a service proposal: %v", err)
	}
	if err := p.Reject(RejectOther, "", "u7", at); ErrorCode(err) != EINVALID {
		t.Fatalf("other without note: %v", err)
	}
	if err := p.Reject(RejectTooFar, "", "", at); ErrorCode(err) != EINVALID {
		t.Fatalf("reject by nobody: %v", err)
	}
	if err := p.Accept("", at); ErrorCode(err) != EINVALID || p.State != ProposalProposed {
		t.Fatalf("accept by nobody: %v", err)
	}
	if err := p.Supersede(""); ErrorCode(err) != EINVALID {
		t.Fatalf("supersede without run: %v", err)
	}
	if err := p.Reject(RejectTooFar, "步行40分钟", "u7", at); err != nil || p.State != ProposalRejected || p.RejectNote != "步行40分钟" || !p.DecidedAt.Equal(at) {
		t.Fatalf("reject: %v %+v", err, p)
	}
	if err := p.Validate(fixNow); err != nil {
		t.Fatal(err)
	}
	for _, move := range []func() error{
		func() error { return p.Accept("u7", at) },
		func() error { return p.Reject(RejectTooFar, "", "u7", at) },
		func() error { return p.Supersede("run2") },
	} {
		if err := move(); ErrorCode(err) != ECONFLICT {
			t.Fatalf("a decided proposal moved again: %v", err)
		}
	}
	q := fxPolicyProposal()
	if err := q.Accept("u7", at); err != nil || q.State != ProposalAccepted || q.DecidedBy != "u7" {
		t.Fatalf("accept: %v %+v", err, q)
	}
	r := fxPolicyProposal()
	if err := r.Supersede("run2"); err != nil || r.State != ProposalSuperseded || r.SupersededBy != "run2" {
		t.Fatalf("supersede: %v %+v", err, r)
	}
}

func TestProposalBlocks(t *testing.T) {
	rejectedAt := day(2025, 6, 1)
	reject := func(p Proposal, reason RejectReason) Proposal {
		p.State, p.RejectReason, p.DecidedBy, p.DecidedAt = ProposalRejected, reason, "u7", rejectedAt
		return p
	}
	later := func(modify func(*Proposal)) Proposal {
		p := fxProposal()
		p.RunID = "run2"
		modify(&p)
		return p
	}
	same := func(*Proposal) {}
	tests := []struct {
		name      string
		rejected  Proposal
		candidate Proposal
		now       time.Time
		want      bool
	}{
		{"same pair, for good", reject(fxProposal(), RejectResidentDeclined), later(same), day(2030, 1, 1), true},
		{"another offering", reject(fxProposal(), RejectResidentDeclined), later(func(p *Proposal) { p.TargetID = "o2" }), fixNow, false},
		{"another need", reject(fxProposal(), RejectTooFar), later(func(p *Proposal) { p.NeedID = "n2" }), fixNow, false},
		{"another household", reject(fxProposal(), RejectTooFar), later(func(p *Proposal) { p.HouseholdID = "h2" }), fixNow, false},
		{"another target kind", reject(fxProposal(), RejectTooFar), later(func(p *Proposal) { p.Target, p.TargetID = TargetJob, "o1" }), fixNow, false},
		{"provider-wide", reject(fxProposal(), RejectProviderUnsuitable), later(func(p *Proposal) { p.TargetID = "o2" }), fixNow, true},
		{"provider-wide, other provider", reject(fxProposal(), RejectProviderUnsuitable),
			later(func(p *Proposal) { p.TargetID, p.ProviderID = "o2", "p2" }), fixNow, false},
		{"timing, within hold", reject(fxProposal(), RejectBadTiming), later(same), rejectedAt.Add(30*24*time.Hour - time.Second), true},
		{"timing, hold over", reject(fxProposal(), RejectBadTiming), later(same), rejectedAt.Add(30 * 24 * time.Hour), false},
		{"policy not eligible, within", reject(fxPolicyProposal(), RejectNotEligible), fxPolicyProposal(), day(2025, 11, 27), true},
		{"policy not eligible, over", reject(fxPolicyProposal(), RejectNotEligible), fxPolicyProposal(), day(2025, 11, 28), false},
		{"not rejected", fxProposal(), later(same), fixNow, false},
		{"superseded", func() Proposal { p := fxProposal(); p.State = ProposalSuperseded; return p }(), later(same), fixNow, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rejected.Blocks(tt.candidate, tt.now); got != tt.want {
				t.Fatalf("Blocks = %v", got)
			}
		})
	}
}
