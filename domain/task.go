package domain

import (
	"fmt"
	"slices"
	"time"
)

// TaskState is the state of a volunteer task.
type TaskState string

// Task states: open → claimed → in_progress (checked in) → done (checked
// out) → confirmed (the resident's proof), or cancelled before done. A claim
// released by its volunteer or not started by its deadline goes back to open.
const (
	TaskOpen       TaskState = "open"
	TaskClaimed    TaskState = "claimed"
	TaskInProgress TaskState = "in_progress"
	TaskDone       TaskState = "done"
	TaskConfirmed  TaskState = "confirmed"
	TaskCancelled  TaskState = "cancelled"
)

// Valid reports whether s is a known state.
func (s TaskState) Valid() bool {
	return slices.Contains([]TaskState{TaskOpen, TaskClaimed, TaskInProgress, TaskDone, TaskConfirmed, TaskCancelled}, s)
}

// NextTaskStates returns the states a task may move to from s.
func NextTaskStates(s TaskState) []TaskState {
	switch s {
	case TaskOpen:
		return []TaskState{TaskClaimed, TaskCancelled}
	case TaskClaimed:
		return []TaskState{TaskOpen, TaskInProgress, TaskCancelled}
	case TaskInProgress:
		return []TaskState{TaskDone, TaskCancelled}
	case TaskDone:
		return []TaskState{TaskConfirmed}
	}
	return nil
}

// CanTransitionTask reports whether a task may move from one state to another.
func CanTransitionTask(from, to TaskState) bool { return slices.Contains(NextTaskStates(from), to) }

// TaskRules are the timing rules of tasks, configurable per district.
type TaskRules struct {
	// ClaimHold is how long a claim may wait to be started once the window
	// has opened (or from the claim, if later).
	ClaimHold time.Duration `json:"claim_hold"`
	// EarlyCheckIn is how long before the window a volunteer may check in.
	EarlyCheckIn time.Duration `json:"early_check_in"`
	// MaxVisit caps the hours one visit records; a forgotten check-out is
	// cut there.
	MaxVisit time.Duration `json:"max_visit"`
}

// DefaultTaskRules: a claim must start within 48 hours, check-in opens an
// hour early, and a visit counts at most 8 hours.
func DefaultTaskRules() TaskRules {
	return TaskRules{ClaimHold: 48 * time.Hour, EarlyCheckIn: time.Hour, MaxVisit: 8 * time.Hour}
}

// Validate checks the rules.
func (r TaskRules) Validate() error {
	var p Problems
	if r.ClaimHold < time.Hour || r.ClaimHold > 14*24*time.Hour {
		p.Add("claim_hold", "range", "认领保留时间须在1小时至14天之间")
	}
	if r.EarlyCheckIn < 0 || r.EarlyCheckIn > 24*time.Hour {
		p.Add("early_check_in", "range", "提前签到时间须在0至24小时之间")
	}
	if r.MaxVisit < 15*time.Minute || r.MaxVisit > 24*time.Hour {
		p.Add("max_visit", "range", "单次服务时长上限须在15分钟至24小时之间")
	}
	return p.Err()
}

// ClaimDeadline is when a claim made at claimedAt must have started: the
// hold counted from the window's start (or the claim, if later), and never
// after the window's end.
func (r TaskRules) ClaimDeadline(claimedAt, windowStart, windowEnd time.Time) time.Time {
	from := windowStart
	if claimedAt.After(from) {
		from = claimedAt
	}
	d := from.Add(r.ClaimHold)
	if d.After(windowEnd) {
		return windowEnd
	}
	return d
}

// TaskMinutes returns the whole minutes between check-in and check-out, at
// most maxVisit, and 0 when check-out is not after check-in.
func TaskMinutes(in, out time.Time, maxVisit time.Duration) int {
	if !out.After(in) {
		return 0
	}
	return int(min(out.Sub(in), maxVisit) / time.Minute)
}

// Task (志愿任务) is a piece of work for volunteers, made from a referral to
// the volunteer pool. Exactly one volunteer holds a claim.
type Task struct {
	ID          string `json:"id"`
	ReferralID  string `json:"referral_id"`
	NeedID      string `json:"need_id"`
	HouseholdID string `json:"household_id"`
	MemberID    string `json:"member_id"`
	Item        string `json:"item"`
	// Note is what the volunteer reads: the need's neutral note, no names or
	// numbers.
	Note string `json:"note"`
	// Place is the community or compound: the approximate place the board
	// shows. Address is exact and shown only to the holder of an active claim.
	Place    string  `json:"place"`
	Address  string  `json:"address"`
	Location *LatLng `json:"location,omitempty"`
	// Resident is the masked label made by MaskResidentName ("李先生, 70s").
	Resident    string    `json:"resident"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	Skills      []string  `json:"skills,omitempty"`
	State       TaskState `json:"state"`
	// VolunteerID is the claim's holder: the volunteer's provider entry.
	VolunteerID    string    `json:"volunteer_id,omitempty"`
	ClaimedAt      time.Time `json:"claimed_at,omitzero"`
	ClaimDeadline  time.Time `json:"claim_deadline,omitzero"`
	CheckInAt      time.Time `json:"check_in_at,omitzero"`
	CheckOutAt     time.Time `json:"check_out_at,omitzero"`
	AutoCheckedOut bool      `json:"auto_checked_out,omitempty"`
	Minutes        int       `json:"minutes"`
	// Code is the hashed one-time code the resident gives the volunteer.
	Code      *ProofCode               `json:"-"`
	Proof     *Proof                   `json:"proof,omitempty"`
	Rating    *Rating                  `json:"rating,omitempty"`
	History   []StateChange[TaskState] `json:"history"`
	CreatedBy string                   `json:"created_by"`
	CreatedAt time.Time                `json:"created_at"`
	UpdatedAt time.Time                `json:"updated_at,omitzero"`
	Version   int64                    `json:"version"`
}

// maxTaskWindow bounds a task's window: "some time this fortnight" at most.
const maxTaskWindow = 14 * 24 * time.Hour

// Start opens a new task and records its creation; call Validate afterwards.
func (t *Task) Start(by string, now time.Time) {
	t.State, t.CreatedBy, t.CreatedAt, t.UpdatedAt = TaskOpen, by, now, now
	t.History = []StateChange[TaskState]{{At: now, By: by, To: TaskOpen}}
}

// Validate checks the task against the place tree and the catalogue, whose
// item must be one volunteers can do.
func (t Task) Validate(places *Places, cat *Catalogue, now time.Time) error {
	var p Problems
	checkRefs(&p, ref{"referral_id", t.ReferralID, "转介"}, ref{"need_id", t.NeedID, "需求"},
		ref{"household_id", t.HouseholdID, "家庭档案"}, ref{"member_id", t.MemberID, "成员"})
	checkItem(&p, "item", t.Item, cat)
	if it, ok := cat.Get(t.Item); ok && !it.TaskLike {
		p.Addf("item", "task_like", "服务项目 %q 不适合志愿者任务", t.Item)
	}
	checkText(&p, "note", t.Note, true, 300, "任务说明")
	if containsContactNumber(t.Note) {
		p.Add("note", "privacy", "任务说明会提供给志愿者，不能包含手机号或身份证号")
	}
	checkPlace(&p, "place", t.Place, places, true, LevelCommunity, LevelCompound)
	checkText(&p, "address", t.Address, true, 200, "地址")
	t.Location.check(&p, "location")
	checkText(&p, "resident", t.Resident, true, 20, "居民称呼")
	switch {
	case t.WindowStart.IsZero() || t.WindowEnd.IsZero():
		p.Add("window_end", "required", "服务时段不能为空")
	case !t.WindowEnd.After(t.WindowStart) || t.WindowEnd.Sub(t.WindowStart) > maxTaskWindow:
		p.Add("window_end", "range", "服务时段须在开始之后，且不超过14天")
	}
	checkList(&p, "skills", t.Skills, 10, 30, "技能")
	if !t.State.Valid() {
		p.Add("state", "enum", "任务状态无效")
	}
	t.validateClaim(&p, now)
	checkHistory(&p, t.History, TaskOpen, t.State, CanTransitionTask, now)
	checkText(&p, "created_by", t.CreatedBy, true, 40, "发布人")
	checkPast(&p, "created_at", t.CreatedAt, now, true, "发布时间")
	return p.Err()
}

// validateClaim checks that the claim, check-in, check-out and proof fields
// are there exactly in the states that have them.
func (t Task) validateClaim(p *Problems, now time.Time) {
	held := t.State == TaskClaimed || t.State == TaskInProgress || t.State == TaskDone || t.State == TaskConfirmed
	started := t.State == TaskInProgress || t.State == TaskDone || t.State == TaskConfirmed
	ended := t.State == TaskDone || t.State == TaskConfirmed
	for _, f := range []struct {
		name      string
		set, want bool
	}{
		{"volunteer_id", t.VolunteerID != "", held}, {"claimed_at", !t.ClaimedAt.IsZero(), held},
		{"claim_deadline", !t.ClaimDeadline.IsZero(), held}, {"check_in_at", !t.CheckInAt.IsZero(), started},
		{"check_out_at", !t.CheckOutAt.IsZero(), ended}, {"proof", t.Proof != nil, t.State == TaskConfirmed},
	} {
		// A cancelled task keeps what it had when it was cancelled.
		if t.State != TaskCancelled {
			checkOnlyIn(p, f.name, f.set, f.want, fmt.Sprintf("状态 %s 须有 %s", t.State, f.name))
		}
	}
	if !t.CheckOutAt.IsZero() && t.CheckOutAt.Before(t.CheckInAt) {
		p.Add("check_out_at", "range", "签退时间不能早于签到时间")
	}
	if t.Minutes < 0 || t.Minutes > maxRecordMinutes || (t.Minutes > 0 && t.CheckOutAt.IsZero()) {
		p.Add("minutes", "range", "服务时长无效")
	}
	if t.Proof != nil {
		p.Merge("proof", t.Proof.Validate(now))
	}
	if t.Rating != nil {
		p.Merge("rating", t.Rating.Validate(now))
	}
}

// Holds reports whether volunteerID holds an active claim on the task: the
// only time the address is disclosed to them.
func (t Task) Holds(volunteerID string) bool {
	return volunteerID != "" && t.VolunteerID == volunteerID && (t.State == TaskClaimed || t.State == TaskInProgress)
}

// ClaimExpired reports whether a claim was not started by its deadline.
func (t Task) ClaimExpired(now time.Time) bool {
	return t.State == TaskClaimed && now.After(t.ClaimDeadline)
}

// Hours returns the recorded time in hours, for display.
func (t Task) Hours() float64 { return float64(t.Minutes) / 60 }

// move records a state change; callers have checked it.
func (t *Task) move(to TaskState, by, reason, note string, now time.Time) {
	t.History = append(t.History, StateChange[TaskState]{At: now, By: by, From: t.State, To: to, Reason: reason, Note: note})
	t.State, t.UpdatedAt = to, now
}

// expect returns ECONFLICT unless the task is in state s, and, when
// volunteerID is given, EFORBIDDEN unless they hold the claim.
func (t Task) expect(s TaskState, volunteerID string) error {
	if t.State != s {
		return Errorf(ECONFLICT, "任务当前为 %s，不能执行此操作", t.State)
	}
	if volunteerID != "" && t.VolunteerID != volunteerID {
		return Errorf(EFORBIDDEN, "这不是您认领的任务")
	}
	return nil
}

// Claim gives the task to a volunteer: only an open task whose window has
// not ended, only to a verified volunteer whose light allows new work. The
// store's guarded update makes exactly one of many concurrent claims win.
func (t *Task) Claim(v Provider, rules TaskRules, now time.Time) error {
	if err := t.expect(TaskOpen, ""); err != nil {
		return err
	}
	if v.Kind != ProviderVolunteer || v.ID == "" {
		return Errorf(EFORBIDDEN, "只有志愿者可以认领任务")
	}
	if v.Verification != VerificationVerified {
		return Errorf(EFORBIDDEN, "志愿者须经协调员审核后才能认领任务")
	}
	if !v.TrafficLight.AcceptsReferrals() {
		return Errorf(EFORBIDDEN, "信用为红灯的志愿者暂不能认领任务")
	}
	if !now.Before(t.WindowEnd) {
		return Errorf(ECONFLICT, "任务服务时段已过")
	}
	t.VolunteerID, t.ClaimedAt = v.ID, now
	t.ClaimDeadline = rules.ClaimDeadline(now, t.WindowStart, t.WindowEnd)
	t.move(TaskClaimed, v.ID, "", "", now)
	return nil
}

// Release gives the holder's claim back before it started.
func (t *Task) Release(volunteerID string, now time.Time) error {
	if err := t.expect(TaskClaimed, volunteerID); err != nil {
		return err
	}
	t.reopen(volunteerID, "released", now)
	return nil
}

// ExpireClaim releases a claim not started by its deadline.
func (t *Task) ExpireClaim(by string, now time.Time) error {
	if !t.ClaimExpired(now) {
		return Errorf(ECONFLICT, "认领未超时")
	}
	t.reopen(by, "expired", now)
	return nil
}

func (t *Task) reopen(by, reason string, now time.Time) {
	t.move(TaskOpen, by, reason, "", now)
	t.VolunteerID, t.ClaimedAt, t.ClaimDeadline = "", time.Time{}, time.Time{}
}

// CheckIn starts the holder's visit: not earlier than EarlyCheckIn before
// the window, not after the claim's deadline.
func (t *Task) CheckIn(volunteerID string, rules TaskRules, now time.Time) error {
	if err := t.expect(TaskClaimed, volunteerID); err != nil {
		return err
	}
	if now.Before(t.WindowStart.Add(-rules.EarlyCheckIn)) {
		return Errorf(ECONFLICT, "未到服务时段，不能签到")
	}
	if now.After(t.ClaimDeadline) {
		return Errorf(ECONFLICT, "认领已超时，任务已释放")
	}
	t.CheckInAt = now
	t.move(TaskInProgress, volunteerID, "", "", now)
	return nil
}

// CheckOut ends the holder's visit and records its minutes, capped at
// MaxVisit.
func (t *Task) CheckOut(volunteerID string, rules TaskRules, now time.Time) error {
	if err := t.expect(TaskInProgress, volunteerID); err != nil {
		return err
	}
	t.checkOut(volunteerID, now, rules, now)
	return nil
}

// AutoCheckOut checks out a visit left open past MaxVisit, at the cap, and
// flags it for the coordinator; ECONFLICT when there is nothing to cut.
func (t *Task) AutoCheckOut(by string, rules TaskRules, now time.Time) error {
	cut := t.CheckInAt.Add(rules.MaxVisit)
	if t.State != TaskInProgress || now.Before(cut) {
		return Errorf(ECONFLICT, "无需自动签退")
	}
	t.AutoCheckedOut = true
	t.checkOut(by, cut, rules, now)
	return nil
}

func (t *Task) checkOut(by string, out time.Time, rules TaskRules, now time.Time) {
	t.CheckOutAt = out
	t.Minutes = TaskMinutes(t.CheckInAt, out, rules.MaxVisit)
	t.move(TaskDone, by, "", "", now)
}

// Confirm completes a done task with the resident's proof and, optionally,
// rating. A code proof needs the task's code redeemed first.
func (t *Task) Confirm(proof Proof, rating *Rating, now time.Time) error {
	if err := t.expect(TaskDone, ""); err != nil {
		return err
	}
	var p Problems
	p.Merge("proof", proof.Validate(now))
	if proof.Method == ProofByCode && !t.Code.Redeemed() {
		p.Add("proof.method", "code", "验证码尚未核验")
	}
	if rating != nil {
		p.Merge("rating", rating.Validate(now))
	}
	if err := p.Err(); err != nil {
		return err
	}
	t.Proof, t.Rating = &proof, rating
	t.move(TaskConfirmed, proof.RecordedBy, string(proof.Method), "", now)
	return nil
}

// Cancel ends a task before it is done; a note says why.
func (t *Task) Cancel(by, note string, now time.Time) error {
	if !CanTransitionTask(t.State, TaskCancelled) {
		return Errorf(ECONFLICT, "任务当前为 %s，不能取消", t.State)
	}
	var p Problems
	checkText(&p, "by", by, true, 40, "操作人")
	checkText(&p, "note", note, true, 300, "取消原因")
	if err := p.Err(); err != nil {
		return err
	}
	t.move(TaskCancelled, by, "", note, now)
	return nil
}

// ServiceRecord returns the service record of a confirmed task, for the
// household log and the volunteer's hours; worker is the volunteer's name.
func (t Task) ServiceRecord(id, worker string, now time.Time) (ServiceRecord, error) {
	if t.State != TaskConfirmed {
		return ServiceRecord{}, Errorf(ECONFLICT, "任务尚未确认完成")
	}
	return ServiceRecord{ID: id, ReferralID: t.ReferralID, TaskID: t.ID, HouseholdID: t.HouseholdID, MemberID: t.MemberID,
		ProviderID: t.VolunteerID, Item: t.Item, Date: t.CheckInAt, Minutes: max(t.Minutes, 1), Units: 1,
		WhatWasDone: t.Note, Worker: worker, Rating: t.Rating, ConfirmedAt: t.Proof.At, RecordedBy: t.Proof.RecordedBy,
		CreatedAt: now}, nil
}
