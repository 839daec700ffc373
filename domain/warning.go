package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// WarningState is the state of a warning (预警).
type WarningState string

// Warning states: new → visit_assigned → verified, or dismissed with a
// reason from new (a duplicate, a wrong match) or after the visit was
// assigned.
const (
	WarningNew           WarningState = "new"            // raised, no one assigned yet
	WarningVisitAssigned WarningState = "visit_assigned" // a coordinator of the community is to visit
	WarningVerified      WarningState = "verified"       // visited: needs recorded, facts updated (home visit)
	WarningDismissed     WarningState = "dismissed"      // closed without action; see DismissReason
)

// WarningStates returns every state, in workflow order.
func WarningStates() []WarningState {
	return []WarningState{WarningNew, WarningVisitAssigned, WarningVerified, WarningDismissed}
}

// Valid reports whether s is a known state.
func (s WarningState) Valid() bool { return slices.Contains(WarningStates(), s) }

// Open reports whether the warning still waits for its visit.
func (s WarningState) Open() bool { return s == WarningNew || s == WarningVisitAssigned }

// NextWarningStates returns the states a warning may move to from s.
func NextWarningStates(s WarningState) []WarningState {
	switch s {
	case WarningNew:
		return []WarningState{WarningVisitAssigned, WarningDismissed}
	case WarningVisitAssigned:
		return []WarningState{WarningVerified, WarningDismissed}
	}
	return nil // verified and dismissed are final: new signals raise a new warning
}

// CanTransitionWarning reports whether a warning may move from one state to
// another.
func CanTransitionWarning(from, to WarningState) bool {
	return slices.Contains(NextWarningStates(from), to)
}

// DismissReason says why a warning was closed without action.
type DismissReason string

// Dismiss reasons.
const (
	DismissNoHardship      DismissReason = "no_hardship"      // 核实后无困难
	DismissDuplicate       DismissReason = "duplicate"        // 重复预警
	DismissWrongMatch      DismissReason = "wrong_match"      // 信号匹配错人
	DismissAlreadyAssisted DismissReason = "already_assisted" // 已在帮扶中
	DismissMovedAway       DismissReason = "moved_away"       // 已迁出辖区
	DismissOther           DismissReason = "other"            // 其他（须说明）
)

// Valid reports whether r is a known reason.
func (r DismissReason) Valid() bool {
	return slices.Contains([]DismissReason{DismissNoHardship, DismissDuplicate, DismissWrongMatch,
		DismissAlreadyAssisted, DismissMovedAway, DismissOther}, r)
}

// NameZh is the reason's Chinese name, as the household timeline shows it.
func (r DismissReason) NameZh() string {
	switch r {
	case DismissNoHardship:
		return "核实后无困难"
	case DismissDuplicate:
		return "重复预警"
	case DismissWrongMatch:
		return "信号匹配错人"
	case DismissAlreadyAssisted:
		return "已在帮扶中"
	case DismissMovedAway:
		return "已迁出辖区"
	case DismissOther:
		return "其他"
	}
	return string(r)
}

// Warning is a household's warning raised from data signals by warning
// rules. The evaluation that raised it (matching.EvaluateSignals) also
// proposed the household's likely needs and policy leads, so the visiting
// worker arrives with options.
type Warning struct {
	// ID is WarningKey of the household and signals: raising the same
	// signals again gives the same warning.
	ID          string `json:"id"`
	HouseholdID string `json:"household_id"`
	// Place is copied from the household for scope checks and dashboards.
	Place string `json:"place"`
	// RuleID is the most severe rule that fired; Rules lists every rule
	// that fired for these signals, RuleID first.
	RuleID    string   `json:"rule_id"`
	Rules     []string `json:"rules"`
	Severity  Severity `json:"severity"`
	SignalIDs []string `json:"signal_ids"`
	// ExplanationZh is the rule's explanation; Reasons say which facts and
	// amounts made each rule fire, in Chinese.
	ExplanationZh string       `json:"explanation_zh"`
	Reasons       []string     `json:"reasons"`
	State         WarningState `json:"state"`
	RaisedAt      time.Time    `json:"raised_at"`
	// DueAt is when the home visit is due (VisitDue).
	DueAt      time.Time `json:"due_at"`
	Assignee   string    `json:"assignee,omitempty"`
	AssignedAt time.Time `json:"assigned_at,omitzero"`
	// The visit: what was found, the needs recorded and the facts updated
	// with source home_visit (by the household update, not here).
	VisitNote    string   `json:"visit_note,omitempty"`
	NeedIDs      []string `json:"need_ids,omitempty"`
	UpdatedFacts []string `json:"updated_facts,omitempty"`
	// DismissReason is set when dismissed; DismissNote is required for other.
	DismissReason DismissReason `json:"dismiss_reason,omitempty"`
	DismissNote   string        `json:"dismiss_note,omitempty"`
	ClosedAt      time.Time     `json:"closed_at,omitzero"`
	UpdatedAt     time.Time     `json:"updated_at,omitzero"`
	Version       int64         `json:"version"`
}

// WarningKey is the ID of the warning a household's signals raise: a hash of
// the household and the signal IDs in any order.
func WarningKey(householdID string, signalIDs []string) string {
	ids := slices.Clone(signalIDs)
	slices.Sort(ids)
	sum := sha256.Sum256([]byte("warning/v1\x00" + householdID + "\x00" + strings.Join(slices.Compact(ids), "\x00")))
	return "warn-" + hex.EncodeToString(sum[:12])
}

// Overdue reports whether the visit is late at now: the warning is still
// open and its due date has passed. Streets and the district see these.
func (w Warning) Overdue(now time.Time) bool {
	return w.State.Open() && !w.DueAt.IsZero() && now.After(w.DueAt)
}

// AssignVisit gives the home visit to a coordinator (of the household's
// community: the caller checks the scope). The due date stays as raised.
// It returns ECONFLICT unless the warning is new, EINVALID without assignee.
func (w *Warning) AssignVisit(assignee string, now time.Time) error {
	if !CanTransitionWarning(w.State, WarningVisitAssigned) {
		return Errorf(ECONFLICT, "预警不能从 %s 变为 %s", w.State, WarningVisitAssigned)
	}
	var p Problems
	checkText(&p, "assignee", assignee, true, 40, "入户人员")
	if err := p.Err(); err != nil {
		return err
	}
	w.State, w.Assignee, w.AssignedAt, w.UpdatedAt = WarningVisitAssigned, assignee, now, now
	return nil
}

// WarningVisit is what a home visit found.
type WarningVisit struct {
	Note string `json:"note"`
	// NeedIDs are the needs recorded at the visit (channel warning).
	NeedIDs []string `json:"need_ids"`
	// UpdatedFacts name the household facts updated with source home_visit,
	// e.g. "monthly_income", "members[m2].employment".
	UpdatedFacts []string `json:"updated_facts"`
}

// Verify records the visit. It returns ECONFLICT unless a visit was
// assigned, EINVALID without a note or with blank or repeated references.
func (w *Warning) Verify(v WarningVisit, now time.Time) error {
	if !CanTransitionWarning(w.State, WarningVerified) {
		return Errorf(ECONFLICT, "预警不能从 %s 变为 %s", w.State, WarningVerified)
	}
	var p Problems
	checkText(&p, "note", v.Note, true, 2000, "入户核实情况")
	checkList(&p, "need_ids", v.NeedIDs, 50, 40, "需求编号")
	checkList(&p, "updated_facts", v.UpdatedFacts, 50, 80, "更新的信息")
	if err := p.Err(); err != nil {
		return err
	}
	w.State, w.VisitNote, w.ClosedAt, w.UpdatedAt = WarningVerified, v.Note, now, now
	w.NeedIDs, w.UpdatedFacts = slices.Clone(v.NeedIDs), slices.Clone(v.UpdatedFacts)
	return nil
}

// Dismiss closes the warning without action. It returns ECONFLICT once the
// warning is verified or dismissed, EINVALID for an unknown reason or for
// "other" without a note.
func (w *Warning) Dismiss(reason DismissReason, note string, now time.Time) error {
	if !CanTransitionWarning(w.State, WarningDismissed) {
		return Errorf(ECONFLICT, "预警不能从 %s 变为 %s", w.State, WarningDismissed)
	}
	var p Problems
	checkDismissal(&p, reason, note)
	if err := p.Err(); err != nil {
		return err
	}
	w.State, w.DismissReason, w.DismissNote, w.ClosedAt, w.UpdatedAt = WarningDismissed, reason, note, now, now
	return nil
}

func checkDismissal(p *Problems, reason DismissReason, note string) {
	if !reason.Valid() {
		p.Add("dismiss_reason", "required", "关闭预警须说明原因")
	}
	checkText(p, "dismiss_note", note, reason == DismissOther, 500, "关闭说明")
}

// Validate checks the warning as stored: identity, severity, signals, and
// the fields each state requires or forbids.
func (w Warning) Validate(now time.Time) error {
	var p Problems
	checkText(&p, "id", w.ID, true, 80, "预警编号")
	checkText(&p, "household_id", w.HouseholdID, true, 40, "家庭档案")
	if lvl := PlaceLevelOf(w.Place); lvl != LevelCommunity && lvl != LevelCompound {
		p.Add("place", "level", "预警区划须为社区或小区")
	}
	checkText(&p, "rule_id", w.RuleID, true, 40, "预警规则")
	if len(w.Rules) > 0 && w.Rules[0] != w.RuleID {
		p.Add("rules", "mismatch", "规则列表须以主规则开头")
	}
	if !w.Severity.Valid() {
		p.Add("severity", "enum", "预警等级须为 red、orange 或 yellow")
	}
	if len(w.SignalIDs) == 0 {
		p.Add("signal_ids", "required", "预警须关联至少一条信号")
	}
	checkList(&p, "signal_ids", w.SignalIDs, 1000, 80, "信号编号")
	checkText(&p, "explanation_zh", w.ExplanationZh, true, 300, "预警说明")
	checkPast(&p, "raised_at", w.RaisedAt, now, true, "预警时间")
	if w.DueAt.IsZero() || w.DueAt.Before(w.RaisedAt) {
		p.Add("due_at", "range", "入户期限须晚于预警时间")
	}
	if !w.State.Valid() {
		p.Add("state", "enum", "预警状态无效")
	}
	w.checkState(&p)
	if w.Version < 0 {
		p.Add("version", "range", "版本号不能为负数")
	}
	return p.Err()
}

func (w Warning) checkState(p *Problems) {
	assigned := w.State == WarningVisitAssigned || w.State == WarningVerified ||
		w.State == WarningDismissed && w.Assignee != ""
	switch {
	case assigned && w.Assignee == "":
		p.Add("assignee", "required", "已派单的预警须有入户人员")
	case !assigned && w.Assignee != "":
		p.Add("assignee", "forbidden", "未派单的预警没有入户人员")
	}
	if w.State == WarningVerified {
		checkText(p, "visit_note", w.VisitNote, true, 2000, "入户核实情况")
	} else if w.VisitNote != "" || len(w.NeedIDs) > 0 || len(w.UpdatedFacts) > 0 {
		p.Add("visit_note", "forbidden", "只有已核实的预警才有入户记录")
	}
	switch {
	case w.State == WarningDismissed:
		checkDismissal(p, w.DismissReason, w.DismissNote)
	case w.DismissReason != "" || w.DismissNote != "":
		p.Add("dismiss_reason", "forbidden", "只有已关闭的预警才有关闭原因")
	}
	if !w.State.Open() && w.State.Valid() && w.ClosedAt.IsZero() {
		p.Add("closed_at", "required", "已结束的预警须有结束时间")
	}
}
