package domain

import (
	"math"
	"slices"
	"time"
)

// TargetKind is what a proposal or referral points at.
type TargetKind string

// Target kinds. Proposals use all four; referrals every kind but jobs (an
// accepted job proposal becomes a JobApplication).
const (
	TargetOffering      TargetKind = "offering"       // a provider's offering
	TargetJob           TargetKind = "job"            // an enterprise's job opening
	TargetVolunteerPool TargetKind = "volunteer_pool" // volunteers, through a task
	TargetPolicy        TargetKind = "policy"         // an application for a policy
)

// Valid reports whether k is a known kind.
func (k TargetKind) Valid() bool {
	return k == TargetOffering || k == TargetJob || k == TargetVolunteerPool || k == TargetPolicy
}

// ProposalKind returns the kind of proposal that points at k.
func (k TargetKind) ProposalKind() ProposalKind {
	if k == TargetPolicy {
		return ProposalPolicy
	}
	return ProposalService
}

// ProposalKind separates help by social forces from policy leads.
type ProposalKind string

// Proposal kinds.
const (
	ProposalService ProposalKind = "service" // need ↔ offering, job or volunteer pool
	ProposalPolicy  ProposalKind = "policy"  // household ↔ policy (a lead, 疑似符合)
)

// Valid reports whether k is a known kind.
func (k ProposalKind) Valid() bool { return k == ProposalService || k == ProposalPolicy }

// ProposalState is the state of a proposal.
type ProposalState string

// Proposal states: proposed → accepted / rejected / superseded; all three are
// final. A newer run supersedes what is still proposed.
const (
	ProposalProposed   ProposalState = "proposed"
	ProposalAccepted   ProposalState = "accepted"
	ProposalRejected   ProposalState = "rejected"
	ProposalSuperseded ProposalState = "superseded"
)

// Valid reports whether s is a known state.
func (s ProposalState) Valid() bool {
	return slices.Contains([]ProposalState{ProposalProposed, ProposalAccepted, ProposalRejected, ProposalSuperseded}, s)
}

// CanTransitionProposal reports whether a proposal may move from one state to
// another: only a proposed one moves, and only once.
func CanTransitionProposal(from, to ProposalState) bool {
	return from == ProposalProposed && to != ProposalProposed && to.Valid()
}

// RejectReason says why a coordinator rejected a proposal. Later runs respect
// it: see Hold and Proposal.Blocks.
type RejectReason string

// Reject reasons for service proposals.
const (
	RejectResidentDeclined   RejectReason = "resident_declined"   // 本人不愿接受该服务
	RejectNotSuitable        RejectReason = "not_suitable"        // 服务内容不适合
	RejectProviderUnsuitable RejectReason = "provider_unsuitable" // 不宜由该服务方提供（任何供给）
	RejectTooFar             RejectReason = "too_far"             // 距离太远
	RejectBadTiming          RejectReason = "bad_timing"          // 服务时间不合适
)

// Reject reasons for policy proposals.
const (
	RejectNotEligible     RejectReason = "not_eligible"      // 经核实不符合条件
	RejectAlreadyApplied  RejectReason = "already_applied"   // 已在申请或审核中
	RejectDeclinedToApply RejectReason = "declined_to_apply" // 本人暂不申请
)

// RejectOther fits either kind and needs a note.
const RejectOther RejectReason = "other"

// ValidFor reports whether r is a reason for rejecting a proposal of kind k.
func (r RejectReason) ValidFor(k ProposalKind) bool {
	switch r {
	case RejectResidentDeclined, RejectNotSuitable, RejectProviderUnsuitable, RejectTooFar, RejectBadTiming:
		return k == ProposalService
	case RejectNotEligible, RejectAlreadyApplied, RejectDeclinedToApply:
		return k == ProposalPolicy
	case RejectOther:
		return k.Valid()
	}
	return false
}

// Hold is how long a rejection keeps later runs from proposing the same pair
// again; 0 means for as long as the need lives. Policy leads come back: facts
// change, and the periodic review (动态复核) asks again.
func (r RejectReason) Hold() time.Duration {
	const day = 24 * time.Hour
	switch r {
	case RejectBadTiming, RejectOther:
		return 30 * day
	case RejectAlreadyApplied:
		return 90 * day
	case RejectNotEligible, RejectDeclinedToApply:
		return 180 * day
	}
	return 0
}

// Proposal is what the matching engine suggests: a need ↔ offering, job or
// the volunteer pool, or a household ↔ policy, with the score and its factors.
type Proposal struct {
	ID   string       `json:"id"`
	Kind ProposalKind `json:"kind"`
	// RunID names the matching run that made it; a newer run supersedes it.
	RunID       string     `json:"run_id"`
	HouseholdID string     `json:"household_id"`
	MemberID    string     `json:"member_id,omitempty"`
	NeedID      string     `json:"need_id,omitempty"`
	Place       string     `json:"place"`
	Target      TargetKind `json:"target"`
	// TargetID is the offering, job or policy; empty for the volunteer pool.
	TargetID string `json:"target_id,omitempty"`
	// ProviderID is the offering's or job's provider, for provider-wide
	// rejections and for filtering what a provider may see.
	ProviderID string             `json:"provider_id,omitempty"`
	Score      float64            `json:"score"`
	Factors    map[string]float64 `json:"factors,omitempty"`
	// Near marks a policy lead the household misses narrowly; Gaps says by
	// how much, in words ("人均收入高出低保标准¥86").
	Near         bool          `json:"near,omitempty"`
	Gaps         []string      `json:"gaps,omitempty"`
	State        ProposalState `json:"state"`
	RejectReason RejectReason  `json:"reject_reason,omitempty"`
	RejectNote   string        `json:"reject_note,omitempty"`
	DecidedBy    string        `json:"decided_by,omitempty"`
	DecidedAt    time.Time     `json:"decided_at,omitzero"`
	SupersededBy string        `json:"superseded_by,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	Version      int64         `json:"version"`
}

// Validate checks the proposal on its own.
func (pr Proposal) Validate(now time.Time) error {
	var p Problems
	if !pr.Kind.Valid() {
		p.Add("kind", "enum", "建议类型须为 service 或 policy")
	}
	checkText(&p, "run_id", pr.RunID, true, 40, "匹配批次")
	checkText(&p, "household_id", pr.HouseholdID, true, 40, "家庭档案")
	checkText(&p, "place", pr.Place, true, 15, "区划")
	switch {
	case !pr.Target.Valid():
		p.Add("target", "enum", "建议对象须为 offering、job、volunteer_pool 或 policy")
	case pr.Kind.Valid() && pr.Target.ProposalKind() != pr.Kind:
		p.Add("target", "mismatch", "建议对象与建议类型不符")
	}
	service := pr.Kind == ProposalService
	checkText(&p, "need_id", pr.NeedID, service, 40, "需求")
	checkText(&p, "member_id", pr.MemberID, service, 40, "成员")
	if !service && pr.NeedID != "" {
		p.Add("need_id", "forbidden", "政策建议不关联需求")
	}
	if pr.Target == TargetVolunteerPool {
		if pr.TargetID != "" || pr.ProviderID != "" {
			p.Add("target_id", "forbidden", "志愿者池没有具体对象")
		}
	} else {
		checkText(&p, "target_id", pr.TargetID, true, 40, "建议对象")
	}
	if (pr.Target == TargetOffering || pr.Target == TargetJob) && pr.ProviderID == "" {
		p.Add("provider_id", "required", "服务方不能为空")
	}
	if math.IsNaN(pr.Score) || math.IsInf(pr.Score, 0) || pr.Score < 0 {
		p.Add("score", "range", "评分须为非负数")
	}
	if pr.Near && service {
		p.Add("near", "forbidden", "只有政策建议有差距说明")
	}
	checkList(&p, "gaps", pr.Gaps, 20, 200, "差距说明")
	pr.validateDecision(&p, now)
	checkPast(&p, "created_at", pr.CreatedAt, now, true, "生成时间")
	return p.Err()
}

func (pr Proposal) validateDecision(p *Problems, now time.Time) {
	if !pr.State.Valid() {
		p.Add("state", "enum", "建议状态无效")
	}
	switch {
	case pr.State == ProposalRejected:
		checkRejection(p, pr.Kind, pr.RejectReason, pr.RejectNote)
	case pr.RejectReason != "" || pr.RejectNote != "":
		p.Add("reject_reason", "forbidden", "只有已驳回的建议才有驳回原因")
	}
	decided := pr.State == ProposalAccepted || pr.State == ProposalRejected
	checkText(p, "decided_by", pr.DecidedBy, decided, 40, "处理人")
	if decided {
		checkPast(p, "decided_at", pr.DecidedAt, now, true, "处理时间")
	}
	checkText(p, "superseded_by", pr.SupersededBy, pr.State == ProposalSuperseded, 40, "新匹配批次")
}

// Accept records a coordinator's acceptance; the caller then makes the
// referral (or, for a job, the application). ECONFLICT unless proposed.
func (pr *Proposal) Accept(by string, now time.Time) error {
	if err := pr.canMove(ProposalAccepted); err != nil {
		return err
	}
	if by == "" {
		return Invalid("decided_by", "required", "处理人不能为空")
	}
	pr.State, pr.DecidedBy, pr.DecidedAt = ProposalAccepted, by, now
	return nil
}

// Reject records a coordinator's rejection with a reason valid for the
// proposal's kind (EINVALID otherwise); ECONFLICT unless proposed.
func (pr *Proposal) Reject(reason RejectReason, note, by string, now time.Time) error {
	if err := pr.canMove(ProposalRejected); err != nil {
		return err
	}
	var p Problems
	checkRejection(&p, pr.Kind, reason, note)
	checkText(&p, "decided_by", by, true, 40, "处理人")
	if err := p.Err(); err != nil {
		return err
	}
	pr.State, pr.RejectReason, pr.RejectNote, pr.DecidedBy, pr.DecidedAt = ProposalRejected, reason, note, by, now
	return nil
}

// Supersede marks a still-proposed proposal as replaced by a newer run.
func (pr *Proposal) Supersede(runID string) error {
	if err := pr.canMove(ProposalSuperseded); err != nil {
		return err
	}
	if runID == "" {
		return Invalid("superseded_by", "required", "新匹配批次不能为空")
	}
	pr.State, pr.SupersededBy = ProposalSuperseded, runID
	return nil
}

// checkRejection requires a reason valid for the kind, and a note for "other".
func checkRejection(p *Problems, k ProposalKind, reason RejectReason, note string) {
	if !reason.ValidFor(k) {
		p.Add("reject_reason", "enum", "驳回须说明适用于该类建议的原因")
	}
	checkText(p, "reject_note", note, reason == RejectOther, 300, "驳回说明")
}

func (pr *Proposal) canMove(to ProposalState) error {
	if !CanTransitionProposal(pr.State, to) {
		return Errorf(ECONFLICT, "建议已处理（%s），不能再变为 %s", pr.State, to)
	}
	return nil
}

// Blocks reports whether this proposal, rejected, keeps a later run from
// proposing c at now: the same need (for a policy, the same household) and
// the same target, or any target of the same provider when the provider
// itself was unsuitable, while the reason's Hold lasts.
func (pr Proposal) Blocks(c Proposal, now time.Time) bool {
	if pr.State != ProposalRejected || pr.Kind != c.Kind || pr.Target != c.Target || pr.HouseholdID != c.HouseholdID {
		return false
	}
	if pr.Kind == ProposalService && pr.NeedID != c.NeedID {
		return false
	}
	same := pr.TargetID == c.TargetID
	if pr.RejectReason == RejectProviderUnsuitable {
		same = pr.ProviderID != "" && pr.ProviderID == c.ProviderID
	}
	if !same {
		return false
	}
	hold := pr.RejectReason.Hold()
	return hold == 0 || now.Before(pr.DecidedAt.Add(hold))
}
