package domain

import (
	"slices"
	"time"
)

// StateChange records one move of a state machine: who, when, from, to and
// why. Referrals, tasks and complaints keep their moves as an append-only
// history; the first entry comes from "" (creation).
type StateChange[S ~string] struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	From   S         `json:"from"`
	To     S         `json:"to"`
	Reason string    `json:"reason,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// checkHistory requires a history that starts at start, takes only moves
// that can allows, in time order, and ends at current.
func checkHistory[S ~string](p *Problems, h []StateChange[S], start, current S, can func(from, to S) bool, now time.Time) {
	if len(h) == 0 {
		p.Add("history", "required", "状态记录不能为空")
		return
	}
	for i, c := range h {
		f := fieldIndex("history", i)
		checkText(p, f+".by", c.By, true, 40, "操作人")
		checkPast(p, f+".at", c.At, now, true, "操作时间")
		switch {
		case i == 0 && (c.From != "" || c.To != start):
			p.Addf(f+".to", "start", "首条记录须为创建（→ %s）", start)
		case i > 0 && (c.From != h[i-1].To || !can(c.From, c.To)):
			p.Addf(f+".to", "transition", "不能从 %s 变为 %s", c.From, c.To)
		case i > 0 && c.At.Before(h[i-1].At):
			p.Add(f+".at", "order", "状态记录须按时间顺序")
		}
	}
	if h[len(h)-1].To != current {
		p.Add("history", "mismatch", "最后一条状态记录与当前状态不符")
	}
}

// ReferralState is the state of a referral. Each target kind has its own
// path through the states; Referral.Validate keeps a referral on its path.
type ReferralState string

// Referral states. To a provider's offering: awaiting_provider → accepted /
// declined → in_service → completed (with proof) → rated, or closed with an
// outcome, or cancelled by the coordinator before service starts. To a
// policy: application_assisted → accepted_by_office → result_recorded (the
// office decides; Lianzhu records). To the volunteer pool: task_posted →
// in_service (a volunteer checked in) → completed → rated.
const (
	ReferralAwaitingProvider    ReferralState = "awaiting_provider"
	ReferralAccepted            ReferralState = "accepted"
	ReferralDeclined            ReferralState = "declined"
	ReferralInService           ReferralState = "in_service"
	ReferralCompleted           ReferralState = "completed"
	ReferralRated               ReferralState = "rated"
	ReferralClosed              ReferralState = "closed"
	ReferralCancelled           ReferralState = "cancelled"
	ReferralApplicationAssisted ReferralState = "application_assisted"
	ReferralAcceptedByOffice    ReferralState = "accepted_by_office"
	ReferralResultRecorded      ReferralState = "result_recorded"
	ReferralTaskPosted          ReferralState = "task_posted"
)

// ReferralStates returns the states on the path of a target kind, in path
// order; nil for a kind that makes no referrals (jobs).
func ReferralStates(k TargetKind) []ReferralState {
	switch k {
	case TargetOffering:
		return []ReferralState{ReferralAwaitingProvider, ReferralAccepted, ReferralDeclined, ReferralInService,
			ReferralCompleted, ReferralRated, ReferralClosed, ReferralCancelled}
	case TargetPolicy:
		return []ReferralState{ReferralApplicationAssisted, ReferralAcceptedByOffice, ReferralResultRecorded,
			ReferralClosed, ReferralCancelled}
	case TargetVolunteerPool:
		return []ReferralState{ReferralTaskPosted, ReferralInService, ReferralCompleted, ReferralRated,
			ReferralClosed, ReferralCancelled}
	}
	return nil
}

// ReferralStart returns the state a referral of kind k starts in.
func ReferralStart(k TargetKind) ReferralState {
	if s := ReferralStates(k); s != nil {
		return s[0]
	}
	return ""
}

// NextReferralStates returns the states a referral may move to from s. The
// table holds for every path: states shared by two paths (in_service,
// completed, rated, closed, cancelled) lead only to states both paths hold.
// A provider may decline after accepting (it could not reach the resident);
// declined, rated, result_recorded, closed and cancelled are final.
func NextReferralStates(s ReferralState) []ReferralState {
	switch s {
	case ReferralAwaitingProvider:
		return []ReferralState{ReferralAccepted, ReferralDeclined, ReferralClosed, ReferralCancelled}
	case ReferralAccepted:
		return []ReferralState{ReferralInService, ReferralDeclined, ReferralClosed, ReferralCancelled}
	case ReferralInService:
		return []ReferralState{ReferralCompleted, ReferralClosed}
	case ReferralCompleted:
		return []ReferralState{ReferralRated}
	case ReferralApplicationAssisted:
		return []ReferralState{ReferralAcceptedByOffice, ReferralResultRecorded, ReferralClosed, ReferralCancelled}
	case ReferralAcceptedByOffice:
		return []ReferralState{ReferralResultRecorded, ReferralClosed}
	case ReferralTaskPosted:
		return []ReferralState{ReferralInService, ReferralClosed, ReferralCancelled}
	}
	return nil
}

// CanTransitionReferral reports whether a referral may move from one state
// to another.
func CanTransitionReferral(from, to ReferralState) bool {
	return slices.Contains(NextReferralStates(from), to)
}

// Final reports whether nothing more happens to a referral in state s.
// Completed is not final (a rating may follow) but nothing waits on it.
func (s ReferralState) Final() bool { return len(NextReferralStates(s)) == 0 }

// ReferralStaleAfter is how long a referral may sit in a state before the
// coordinator's case list shows it as stuck; 0 for states nothing waits in.
func ReferralStaleAfter(s ReferralState) time.Duration {
	const day = 24 * time.Hour
	switch s {
	case ReferralAwaitingProvider, ReferralTaskPosted:
		return 2 * day
	case ReferralAccepted:
		return 3 * day
	case ReferralInService, ReferralApplicationAssisted:
		return 30 * day
	case ReferralAcceptedByOffice:
		return 45 * day // the check, visit, review and notice take about a month
	}
	return 0
}

// DeclineReason says why a provider declined a referral.
type DeclineReason string

// Decline reasons.
const (
	DeclineNoCapacity  DeclineReason = "no_capacity"  // 名额已满
	DeclineNotEligible DeclineReason = "not_eligible" // 不符合服务条件
	DeclineCantReach   DeclineReason = "cant_reach"   // 联系不上或无法上门
)

// Valid reports whether r is a known reason.
func (r DeclineReason) Valid() bool {
	return r == DeclineNoCapacity || r == DeclineNotEligible || r == DeclineCantReach
}

// CloseOutcome says how a referral ended without completion.
type CloseOutcome string

// Close outcomes.
const (
	OutcomeGotHelp            CloseOutcome = "got_help"                     // 已获得帮助
	OutcomeUnreachable        CloseOutcome = "unreachable_after_3_attempts" // 三次联系未果
	OutcomeNotEligible        CloseOutcome = "not_eligible"                 // 不符合条件
	OutcomeNoCapacity         CloseOutcome = "no_capacity"                  // 无服务名额
	OutcomeNoLongerInterested CloseOutcome = "no_longer_interested"         // 本人不再需要
)

// MinContactAttempts is how many recorded attempts closing a referral as
// unreachable needs.
const MinContactAttempts = 3

// ValidFor reports whether o can close a referral of kind k: capacity is not
// a reason a policy application ends.
func (o CloseOutcome) ValidFor(k TargetKind) bool {
	switch o {
	case OutcomeGotHelp, OutcomeUnreachable, OutcomeNotEligible, OutcomeNoLongerInterested:
		return true
	case OutcomeNoCapacity:
		return k != TargetPolicy
	}
	return false
}

// Referral is a case made when a coordinator accepts a proposal or dispatches
// by hand (派单): one household member, one target, followed to its end.
type Referral struct {
	ID     string     `json:"id"`
	Target TargetKind `json:"target"`
	// ProposalID is the accepted proposal; empty for a manual dispatch.
	ProposalID  string `json:"proposal_id,omitempty"`
	NeedID      string `json:"need_id,omitempty"`
	HouseholdID string `json:"household_id"`
	MemberID    string `json:"member_id"`
	Place       string `json:"place"`
	Item        string `json:"item,omitempty"`
	OfferingID  string `json:"offering_id,omitempty"`
	ProviderID  string `json:"provider_id,omitempty"`
	PolicyID    string `json:"policy_id,omitempty"`
	TaskID      string `json:"task_id,omitempty"`
	// Units of the offering the referral asks for (20 meals); VoucherFen is
	// what it reserved of the household's voucher for VoucherYear, and
	// UsedVoucherFen what its service records have used of that.
	Units          int             `json:"units,omitempty"`
	VoucherFen     Fen             `json:"voucher_fen"`
	VoucherYear    int             `json:"voucher_year,omitempty"`
	UsedVoucherFen Fen             `json:"used_voucher_fen"`
	Services       int             `json:"services"`
	State          ReferralState   `json:"state"`
	DeclineReason  DeclineReason   `json:"decline_reason,omitempty"`
	Outcome        CloseOutcome    `json:"outcome,omitempty"`
	Result         OfficialOutcome `json:"result,omitempty"`
	// ContactAttempts are the times someone tried and failed to reach the
	// resident; closing as unreachable needs MinContactAttempts of them.
	ContactAttempts []time.Time `json:"contact_attempts,omitempty"`
	// Code is the hashed one-time code the resident gives on completion;
	// never sent to clients.
	Code      *ProofCode                   `json:"-"`
	Proof     *Proof                       `json:"proof,omitempty"`
	Rating    *Rating                      `json:"rating,omitempty"`
	History   []StateChange[ReferralState] `json:"history"`
	CreatedBy string                       `json:"created_by"`
	CreatedAt time.Time                    `json:"created_at"`
	UpdatedAt time.Time                    `json:"updated_at,omitzero"`
	Version   int64                        `json:"version"`
}

// maxUnits bounds the units of one referral or service record.
const maxUnits = 1000

// Start puts a new referral in its kind's first state and records its
// creation; call Validate afterwards.
func (r *Referral) Start(by string, now time.Time) {
	r.State = ReferralStart(r.Target)
	r.CreatedBy, r.CreatedAt, r.UpdatedAt = by, now, now
	r.History = []StateChange[ReferralState]{{At: now, By: by, To: r.State}}
}

// Validate checks the referral against the place tree and the catalogue.
func (r Referral) Validate(places *Places, cat *Catalogue, now time.Time) error {
	var p Problems
	path := ReferralStates(r.Target)
	if path == nil {
		p.Add("target", "enum", "转介对象须为 offering、policy 或 volunteer_pool")
	}
	checkRefs(&p, ref{"household_id", r.HouseholdID, "家庭档案"}, ref{"member_id", r.MemberID, "成员"})
	checkPlace(&p, "place", r.Place, places, true, LevelCommunity, LevelCompound)
	r.validateTarget(&p, cat)
	if path != nil && !slices.Contains(path, r.State) {
		p.Add("state", "enum", "转介状态不属于该类转介")
	}
	r.validateEnding(&p, now)
	checkHistory(&p, r.History, ReferralStart(r.Target), r.State, CanTransitionReferral, now)
	checkText(&p, "created_by", r.CreatedBy, true, 40, "转介人")
	checkPast(&p, "created_at", r.CreatedAt, now, true, "转介时间")
	return p.Err()
}

// validateTarget checks the fields each kind of target needs or forbids.
func (r Referral) validateTarget(p *Problems, cat *Catalogue) {
	service := r.Target == TargetOffering || r.Target == TargetVolunteerPool
	checkText(p, "need_id", r.NeedID, service, 40, "需求")
	if service {
		checkItem(p, "item", r.Item, cat)
	}
	offering := r.Target == TargetOffering
	for _, f := range []struct {
		name, value string
		want        bool
		label       string
	}{
		{"offering_id", r.OfferingID, offering, "服务供给"},
		{"provider_id", r.ProviderID, offering, "服务方"},
		{"policy_id", r.PolicyID, r.Target == TargetPolicy, "政策"},
	} {
		checkText(p, f.name, f.value, f.want, 40, f.label)
		if !f.want && f.value != "" {
			p.Addf(f.name, "forbidden", "该类转介没有%s", f.label)
		}
	}
	if r.TaskID != "" && r.Target != TargetVolunteerPool {
		p.Add("task_id", "forbidden", "只有志愿者转介有任务")
	}
	switch {
	case offering && (r.Units < 1 || r.Units > maxUnits):
		p.Addf("units", "range", "服务数量须在1–%d之间", maxUnits)
	case !offering && r.Units != 0:
		p.Add("units", "forbidden", "只有服务供给转介有数量")
	}
	switch {
	case r.VoucherFen < 0 || r.UsedVoucherFen < 0 || r.UsedVoucherFen > r.VoucherFen:
		p.Add("voucher_fen", "range", "服务券金额须非负，已用不能超过预留")
	case r.VoucherFen > 0 && !offering:
		p.Add("voucher_fen", "forbidden", "只有服务供给转介使用服务券")
	case r.VoucherFen > 0 && r.VoucherYear < 2000:
		p.Add("voucher_year", "required", "使用服务券须注明年度")
	}
	if r.Services < 0 {
		p.Add("services", "range", "服务记录数不能为负数")
	}
}

// validateEnding checks that each state carries exactly what it needs: a
// decline reason, an outcome, an official result, proof, a rating.
func (r Referral) validateEnding(p *Problems, now time.Time) {
	checkReasons(p, r.Target, r.State, r.DeclineReason, r.Outcome, r.Result)
	done := r.State == ReferralCompleted || r.State == ReferralRated
	switch {
	case done && r.Proof == nil:
		p.Add("proof", "required", "完成服务须有服务凭证")
	case r.Proof != nil:
		p.Merge("proof", r.Proof.Validate(now))
	}
	switch {
	case r.State == ReferralRated && r.Rating == nil:
		p.Add("rating", "required", "须有评价")
	case r.Rating != nil:
		p.Merge("rating", r.Rating.Validate(now))
	}
	for i, at := range r.ContactAttempts {
		checkPast(p, fieldIndex("contact_attempts", i), at, now, true, "联系时间")
	}
}

// ref names a required reference to another record: field, value, label.
type ref struct{ field, value, label string }

// checkRefs requires each reference, at most an ID's length.
func checkRefs(p *Problems, refs ...ref) {
	for _, r := range refs {
		checkText(p, r.field, r.value, true, 40, r.label)
	}
}

// checkReasons requires, in state s, exactly the reason that state carries:
// a decline reason, a close outcome valid for kind k, or an official result.
func checkReasons(p *Problems, k TargetKind, s ReferralState, decline DeclineReason, outcome CloseOutcome, result OfficialOutcome) {
	checkOnlyIn(p, "decline_reason", decline != "", s == ReferralDeclined, "拒绝转介须说明原因：no_capacity、not_eligible 或 cant_reach")
	if decline != "" && !decline.Valid() {
		p.Add("decline_reason", "enum", "拒绝原因无效")
	}
	checkOnlyIn(p, "outcome", outcome != "", s == ReferralClosed, "关闭转介须说明结果")
	if outcome != "" && !outcome.ValidFor(k) {
		p.Add("outcome", "enum", "关闭结果无效")
	}
	checkOnlyIn(p, "result", result != "", s == ReferralResultRecorded, "须记录审核结果 approved 或 rejected")
	if result != "" && result != OfficialApproved && result != OfficialRejected {
		p.Add("result", "enum", "审核结果须为 approved 或 rejected")
	}
}

// checkOnlyIn requires a field where want holds and forbids it elsewhere:
// each state carries its own fields and no others.
func checkOnlyIn(p *Problems, field string, set, want bool, missing string) {
	switch {
	case want && !set:
		p.Add(field, "required", missing)
	case !want && set:
		p.Addf(field, "forbidden", "当前状态不应有 %s", field)
	}
}

// ReferralMove asks a referral to move to another state, with what that
// state needs: a decline reason, a close outcome, the official result, proof
// of service, the resident's rating, or a note (a cancellation needs one).
type ReferralMove struct {
	To      ReferralState
	By      string
	At      time.Time
	Decline DeclineReason
	Outcome CloseOutcome
	Result  OfficialOutcome
	Proof   *Proof
	Rating  *Rating
	Note    string
}

// ReferralEffects is what a move implies elsewhere, for the store to apply
// (idempotently: see VoucherChange.Entries).
type ReferralEffects struct {
	// Capacity is the change to the offering's Left.
	Capacity int
	Voucher  VoucherChange
}

// Apply moves the referral and returns the move's effects. It returns
// ECONFLICT for a move the table does not allow from the current state (the
// referral is unchanged), EINVALID when the move lacks what its state needs.
func (r *Referral) Apply(m ReferralMove) (ReferralEffects, error) {
	if !CanTransitionReferral(r.State, m.To) || !slices.Contains(ReferralStates(r.Target), m.To) {
		return ReferralEffects{}, Errorf(ECONFLICT, "转介不能从 %s 变为 %s", r.State, m.To)
	}
	if err := r.checkMove(m); err != nil {
		return ReferralEffects{}, err
	}
	eff := ReferralEffects{
		Capacity: CapacityEffect(r.Target, r.State, m.To),
		Voucher:  VoucherEffect(r.Target, r.State, m.To, r.VoucherFen, r.UsedVoucherFen),
	}
	reason := string(m.Decline) + string(m.Outcome) + string(m.Result) // at most one is set
	r.History = append(r.History, StateChange[ReferralState]{At: m.At, By: m.By, From: r.State, To: m.To, Reason: reason, Note: m.Note})
	r.State, r.DeclineReason, r.Outcome, r.Result, r.UpdatedAt = m.To, m.Decline, m.Outcome, m.Result, m.At
	if m.Proof != nil {
		r.Proof = m.Proof
	}
	if m.Rating != nil {
		r.Rating = m.Rating
	}
	return eff, nil
}

// checkMove requires what the target state needs and forbids the rest.
func (r *Referral) checkMove(m ReferralMove) error {
	var p Problems
	checkText(&p, "by", m.By, true, 40, "操作人")
	if m.At.IsZero() {
		p.Add("at", "required", "操作时间不能为空")
	}
	checkReasons(&p, r.Target, m.To, m.Decline, m.Outcome, m.Result)
	if m.Outcome == OutcomeUnreachable && len(r.ContactAttempts) < MinContactAttempts {
		p.Addf("outcome", "attempts", "联系不上须先记录至少%d次联系尝试", MinContactAttempts)
	}
	checkOnlyIn(&p, "proof", m.Proof != nil, m.To == ReferralCompleted, "完成服务须有服务凭证（验证码、回访电话或签字）")
	if m.Proof != nil {
		p.Merge("proof", m.Proof.Validate(m.At))
		if m.Proof.Method == ProofByCode && !r.Code.Redeemed() {
			p.Add("proof.method", "code", "验证码尚未核验")
		}
	}
	if m.To == ReferralCompleted && r.Target == TargetOffering && r.Services == 0 {
		p.Add("services", "required", "完成服务前须至少有一条服务记录")
	}
	checkOnlyIn(&p, "rating", m.Rating != nil, m.To == ReferralRated, "须有居民评价")
	if m.Rating != nil {
		p.Merge("rating", m.Rating.Validate(m.At))
	}
	if m.To == ReferralCancelled && m.Note == "" {
		p.Add("note", "required", "取消转介须说明原因")
	}
	checkText(&p, "note", m.Note, false, 500, "说明")
	return p.Err()
}

// RecordAttempt notes a failed attempt to reach the resident.
func (r *Referral) RecordAttempt(at time.Time) error {
	if r.State.Final() {
		return Errorf(ECONFLICT, "转介已结束（%s）", r.State)
	}
	r.ContactAttempts = append(r.ContactAttempts, at)
	r.UpdatedAt = at
	return nil
}

// AddService counts a service record of an offering referral in service. A
// record may not use more voucher than the referral has left reserved:
// ECONFLICT, as for any overspend.
func (r *Referral) AddService(rec ServiceRecord) error {
	if r.State != ReferralInService || r.Target != TargetOffering {
		return Errorf(ECONFLICT, "只有服务中的服务供给转介才能记录服务（当前 %s）", r.State)
	}
	if rec.ReferralID != r.ID {
		return Invalid("referral_id", "mismatch", "服务记录不属于此转介")
	}
	if rec.VoucherFen > r.VoucherFen-r.UsedVoucherFen {
		return Errorf(ECONFLICT, "服务券预留余额不足：剩余 %s，本次 %s", r.VoucherFen-r.UsedVoucherFen, rec.VoucherFen)
	}
	r.Services++
	r.UsedVoucherFen += rec.VoucherFen
	return nil
}

// EnteredAt is when the referral entered its current state.
func (r Referral) EnteredAt() time.Time {
	if n := len(r.History); n > 0 {
		return r.History[n-1].At
	}
	return r.CreatedAt
}

// Stuck reports how long the referral has waited in its state and whether
// that is longer than ReferralStaleAfter allows.
func (r Referral) Stuck(now time.Time) (time.Duration, bool) {
	waited := now.Sub(r.EnteredAt())
	limit := ReferralStaleAfter(r.State)
	return waited, limit > 0 && waited > limit
}

// PolicyLogEntry returns the household log's entry for a policy referral's
// state: the assisted application, or the office's recorded decision; false
// for any other state or kind. Its ID derives from the referral's, so that
// writing it twice is harmless.
func (r Referral) PolicyLogEntry() (LogEntry, bool) {
	if r.Target != TargetPolicy || len(r.History) == 0 {
		return LogEntry{}, false
	}
	last := r.History[len(r.History)-1]
	e := LogEntry{HouseholdID: r.HouseholdID, MemberID: r.MemberID, At: last.At, Author: last.By, PolicyID: r.PolicyID, RefID: r.ID}
	switch r.State {
	case ReferralApplicationAssisted:
		e.ID, e.Kind = "app-"+r.ID, LogApplication
	case ReferralResultRecorded:
		e.ID, e.Kind, e.Outcome = "out-"+r.ID, LogOutcome, r.Result
	default:
		return LogEntry{}, false
	}
	return e, true
}

// ReferralMovers returns the roles that may move a referral to state to.
// Providers decide on and serve their referrals; coordinators follow every
// case, record official results and close or cancel. Volunteer referrals
// move with their task, which the store drives.
func ReferralMovers(to ReferralState) []Role {
	provider := []Role{RoleNGO, RoleEnterprise, RoleUnit}
	switch to {
	case ReferralAccepted, ReferralDeclined:
		return provider
	case ReferralInService, ReferralCompleted, ReferralRated:
		return append(provider, RoleCoordinator)
	case ReferralClosed, ReferralCancelled, ReferralAcceptedByOffice, ReferralResultRecorded:
		return []Role{RoleCoordinator}
	}
	return nil
}

// TakesCapacity reports whether a referral of kind k in state s counts
// against its offering's capacity: from the provider's acceptance on, and
// still after completion (the place was used).
func TakesCapacity(k TargetKind, s ReferralState) bool {
	return k == TargetOffering && (s == ReferralAccepted || s == ReferralInService || s == ReferralCompleted || s == ReferralRated)
}

// CapacityEffect returns the change to an offering's Left when a referral of
// kind k moves from one state to another ("" for creation): -1 when the
// provider accepts, +1 when a referral that held a place is declined,
// cancelled or closed, 0 otherwise.
func CapacityEffect(k TargetKind, from, to ReferralState) int {
	return boolInt(TakesCapacity(k, from)) - boolInt(TakesCapacity(k, to))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
