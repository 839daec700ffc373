package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// NeedState is the state of a need.
type NeedState string

// Need states: open → proposed → matched → in_service → resolved, or closed
// with a reason from any state before resolved.
const (
	NeedOpen      NeedState = "open"       // recorded, no help found yet
	NeedProposed  NeedState = "proposed"   // the engine proposed help
	NeedMatched   NeedState = "matched"    // a coordinator accepted or dispatched; a referral exists
	NeedInService NeedState = "in_service" // the provider is serving
	NeedResolved  NeedState = "resolved"   // served and confirmed
	NeedClosed    NeedState = "closed"     // ended without service; see CloseReason
)

// Valid reports whether s is a known state.
func (s NeedState) Valid() bool {
	return slices.Contains([]NeedState{NeedOpen, NeedProposed, NeedMatched, NeedInService, NeedResolved, NeedClosed}, s)
}

// NextNeedStates returns the states a need may move to from s. Steps back to
// open exist because help falls through: every proposal is rejected, the
// provider declines, or the service stops before the need is met. Manual
// dispatch (派单) goes from open straight to matched.
func NextNeedStates(s NeedState) []NeedState {
	switch s {
	case NeedOpen:
		return []NeedState{NeedProposed, NeedMatched, NeedClosed}
	case NeedProposed:
		return []NeedState{NeedOpen, NeedMatched, NeedClosed}
	case NeedMatched:
		return []NeedState{NeedOpen, NeedInService, NeedClosed}
	case NeedInService:
		return []NeedState{NeedOpen, NeedResolved, NeedClosed}
	}
	return nil // resolved and closed are final: a new need is recorded instead
}

// CanTransition reports whether a need may move from one state to another.
func CanTransition(from, to NeedState) bool { return slices.Contains(NextNeedStates(from), to) }

// CloseReason says why a need was closed without service.
type CloseReason string

// Close reasons.
const (
	CloseNoLongerNeeded CloseReason = "no_longer_needed"
	CloseUnreachable    CloseReason = "unreachable"
	CloseDuplicate      CloseReason = "duplicate"
	CloseNoSupply       CloseReason = "no_supply"
)

// Valid reports whether r is a known reason.
func (r CloseReason) Valid() bool {
	return r == CloseNoLongerNeeded || r == CloseUnreachable || r == CloseDuplicate || r == CloseNoSupply
}

// Urgency of a need. Matching never lets a less urgent need push out a more
// urgent one, so urgency has an order (Rank).
type Urgency string

// Urgencies, from least to most urgent.
const (
	UrgencyLow      Urgency = "low"      // 可安排
	UrgencyNormal   Urgency = "normal"   // 一般
	UrgencyHigh     Urgency = "high"     // 较急
	UrgencyCritical Urgency = "critical" // 紧急，需当天处置
)

// Rank orders urgencies: 1 (low) to 4 (critical), 0 for an unknown value.
func (u Urgency) Rank() int {
	return slices.Index([]Urgency{UrgencyLow, UrgencyNormal, UrgencyHigh, UrgencyCritical}, u) + 1
}

// Valid reports whether u is a known urgency.
func (u Urgency) Valid() bool { return u.Rank() > 0 }

// NeedChannel is where a need came from; the dashboards count them.
type NeedChannel string

// Channels.
const (
	ChannelSentinel   NeedChannel = "sentinel"    // 需求哨点
	ChannelHomeVisit  NeedChannel = "home_visit"  // 入户走访
	ChannelGridWorker NeedChannel = "grid_worker" // 网格员
	ChannelHotline    NeedChannel = "hotline"     // 12345 热线
	ChannelLivestream NeedChannel = "livestream"  // 直播答疑
	ChannelWarning    NeedChannel = "warning"     // 预警核实
	ChannelSelfReport NeedChannel = "self_report" // 本人申报
)

// Valid reports whether c is a known channel.
func (c NeedChannel) Valid() bool {
	return slices.Contains([]NeedChannel{ChannelSentinel, ChannelHomeVisit, ChannelGridWorker,
		ChannelHotline, ChannelLivestream, ChannelWarning, ChannelSelfReport}, c)
}

// Need is what a member of a household needs, as one catalogue item.
type Need struct {
	ID          string `json:"id"`
	HouseholdID string `json:"household_id"`
	MemberID    string `json:"member_id"`
	// Place is copied from the household so that scope checks need no join.
	Place string `json:"place"`
	Item  string `json:"item"`
	// OwnWords are the resident's words as told; they may hold names and
	// phone numbers, so only coordinators see them.
	OwnWords string `json:"own_words,omitempty"`
	// NeutralNote is what providers see: no names, numbers or diagnoses.
	NeutralNote   string      `json:"neutral_note"`
	Urgency       Urgency     `json:"urgency"`
	PreferredTime string      `json:"preferred_time,omitempty"`
	Channel       NeedChannel `json:"channel"`
	State         NeedState   `json:"state"`
	CloseReason   CloseReason `json:"close_reason,omitempty"`
	// WarningID links a need found by verifying a warning.
	WarningID string    `json:"warning_id,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	Version   int64     `json:"version"`
}

// Validate checks the need against the place tree and the catalogue.
func (n Need) Validate(places *Places, cat *Catalogue, now time.Time) error {
	var p Problems
	checkText(&p, "household_id", n.HouseholdID, true, 40, "家庭档案")
	checkText(&p, "member_id", n.MemberID, true, 40, "成员")
	checkPlace(&p, "place", n.Place, places, true, LevelCommunity, LevelCompound)
	checkItem(&p, "item", n.Item, cat)
	checkText(&p, "own_words", n.OwnWords, false, 1000, "本人诉求")
	checkText(&p, "neutral_note", n.NeutralNote, true, 300, "需求说明")
	if containsContactNumber(n.NeutralNote) {
		p.Add("neutral_note", "privacy", "需求说明会提供给服务方，不能包含手机号或身份证号")
	}
	if !n.Urgency.Valid() {
		p.Add("urgency", "enum", "紧急程度须为 low、normal、high 或 critical")
	}
	checkText(&p, "preferred_time", n.PreferredTime, false, 100, "期望时间")
	if !n.Channel.Valid() {
		p.Add("channel", "enum", "需求来源渠道无效")
	}
	if n.Channel == ChannelWarning && n.WarningID == "" {
		p.Add("warning_id", "required", "来自预警的需求须关联预警")
	}
	if !n.State.Valid() {
		p.Add("state", "enum", "需求状态无效")
	}
	switch {
	case n.State == NeedClosed && !n.CloseReason.Valid():
		p.Add("close_reason", "required", "关闭需求须说明原因")
	case n.State != NeedClosed && n.CloseReason != "":
		p.Add("close_reason", "forbidden", "只有已关闭的需求才有关闭原因")
	}
	checkText(&p, "created_by", n.CreatedBy, true, 40, "登记人")
	checkPast(&p, "created_at", n.CreatedAt, now, true, "登记时间")
	if n.Version < 0 {
		p.Add("version", "range", "版本号不能为负数")
	}
	return p.Err()
}

// Transition moves the need to another state, recording the reason when it
// is closed. It returns ECONFLICT for a move the state table does not allow
// and EINVALID for a close without a valid reason.
func (n *Need) Transition(to NeedState, reason CloseReason, now time.Time) error {
	if !CanTransition(n.State, to) {
		return Errorf(ECONFLICT, "需求不能从 %s 变为 %s", n.State, to)
	}
	if to == NeedClosed && !reason.Valid() {
		return Invalid("close_reason", "required", "关闭需求须说明原因")
	}
	if to != NeedClosed {
		reason = ""
	}
	n.State, n.CloseReason, n.UpdatedAt = to, reason, now
	return nil
}

// containsContactNumber reports whether s holds a run of 11 or more digits
// (spaces and hyphens between them ignored): a mobile or ID number, which
// must not reach providers. Dates and prices are shorter.
func containsContactNumber(s string) bool {
	run := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= '０' && r <= '９', (r == 'X' || r == 'x') && run == 17:
			run++
			if run >= 11 {
				return true
			}
		case (r == ' ' || r == '-') && run > 0:
		default:
			run = 0
		}
	}
	return false
}

// Validation helpers shared by the domain types.

// checkText requires a non-blank value when required, and at most max
// characters (runes: Chinese text is counted by character).
func checkText(p *Problems, field, value string, required bool, max int, label string) {
	if strings.TrimSpace(value) == "" {
		if required {
			p.Addf(field, "required", "%s不能为空", label)
		}
		return
	}
	if utf8.RuneCountInString(value) > max {
		p.Addf(field, "length", "%s不能超过%d个字", label, max)
	}
}

// checkList checks a list of short texts: at most maxItems, each non-blank,
// at most maxLen characters and unique.
func checkList(p *Problems, field string, values []string, maxItems, maxLen int, label string) {
	if len(values) > maxItems {
		p.Addf(field, "range", "%s不能超过%d项", label, maxItems)
	}
	seen := map[string]bool{}
	for i, v := range values {
		f := fieldIndex(field, i)
		checkText(p, f, v, true, maxLen, label)
		if seen[v] {
			p.Addf(f, "unique", "%s %q 重复", label, v)
		}
		seen[v] = true
	}
}

// checkPast requires a time (when required) that is not after now.
func checkPast(p *Problems, field string, t, now time.Time, required bool, label string) {
	switch {
	case t.IsZero():
		if required {
			p.Addf(field, "required", "%s不能为空", label)
		}
	case t.After(now):
		p.Addf(field, "range", "%s不能晚于当前时间", label)
	}
}

// checkPlace requires a well-formed code of one of the levels that exists in
// the tree. A nil tree holds no places, so a missing tree fails closed.
func checkPlace(p *Problems, field, code string, places *Places, required bool, levels ...PlaceLevel) {
	if code == "" {
		if required {
			p.Add(field, "required", "区划不能为空")
		}
		return
	}
	lvl := PlaceLevelOf(code)
	if lvl == "" {
		p.Addf(field, "format", "区划代码 %q 格式错误", code)
		return
	}
	if len(levels) > 0 && !slices.Contains(levels, lvl) {
		p.Addf(field, "level", "区划 %q 的层级（%s）不适用于此处", code, lvl)
		return
	}
	if places == nil {
		p.Addf(field, "exists", "区划 %q 不存在", code)
		return
	}
	if _, ok := places.Get(code); !ok {
		p.Addf(field, "exists", "区划 %q 不存在", code)
	}
}

// checkItem requires a catalogue code that exists; a nil catalogue holds no
// items, so a missing catalogue fails closed.
func checkItem(p *Problems, field, code string, cat *Catalogue) {
	switch {
	case code == "":
		p.Add(field, "required", "服务项目不能为空")
	case !cat.Has(code):
		p.Addf(field, "exists", "服务项目 %q 不在服务目录中", code)
	}
}
