package domain

import (
	"slices"
	"time"
)

// ComplaintState is the state of a complaint about a provider.
type ComplaintState string

// Complaint states: open → reviewed → upheld / dismissed. Only upheld
// complaints count against a provider's traffic light.
const (
	ComplaintOpen      ComplaintState = "open"
	ComplaintReviewed  ComplaintState = "reviewed"
	ComplaintUpheld    ComplaintState = "upheld"
	ComplaintDismissed ComplaintState = "dismissed"
)

// Valid reports whether s is a known state.
func (s ComplaintState) Valid() bool {
	return slices.Contains([]ComplaintState{ComplaintOpen, ComplaintReviewed, ComplaintUpheld, ComplaintDismissed}, s)
}

// NextComplaintStates returns the states a complaint may move to from s.
func NextComplaintStates(s ComplaintState) []ComplaintState {
	switch s {
	case ComplaintOpen:
		return []ComplaintState{ComplaintReviewed}
	case ComplaintReviewed:
		return []ComplaintState{ComplaintUpheld, ComplaintDismissed}
	}
	return nil
}

// CanTransitionComplaint reports whether a complaint may move from one state
// to another.
func CanTransitionComplaint(from, to ComplaintState) bool {
	return slices.Contains(NextComplaintStates(from), to)
}

// ComplaintSource is whose complaint it is. Residents have no accounts: a
// coordinator records their complaint for them.
type ComplaintSource string

// Complaint sources.
const (
	ComplaintByResident    ComplaintSource = "resident"
	ComplaintByCoordinator ComplaintSource = "coordinator"
)

// ComplaintCategory is what the complaint is about.
type ComplaintCategory string

// Complaint categories.
const (
	ComplaintNoShow   ComplaintCategory = "no_show"  // 未按约上门
	ComplaintLate     ComplaintCategory = "late"     // 迟到、拖延
	ComplaintQuality  ComplaintCategory = "quality"  // 服务质量差
	ComplaintAttitude ComplaintCategory = "attitude" // 态度恶劣
	ComplaintSafety   ComplaintCategory = "safety"   // 安全问题
	ComplaintCharges  ComplaintCategory = "charges"  // 乱收费
	ComplaintPrivacy  ComplaintCategory = "privacy"  // 泄露个人信息
	ComplaintOther    ComplaintCategory = "other"
)

// Valid reports whether c is a known category.
func (c ComplaintCategory) Valid() bool {
	return slices.Contains([]ComplaintCategory{ComplaintNoShow, ComplaintLate, ComplaintQuality, ComplaintAttitude,
		ComplaintSafety, ComplaintCharges, ComplaintPrivacy, ComplaintOther}, c)
}

// Complaint is a complaint about a provider, filed by a resident (through a
// coordinator) or by a coordinator.
type Complaint struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	// ReferralID links the case it arose from, when there is one.
	ReferralID string `json:"referral_id,omitempty"`
	// HouseholdID is the complaining resident's household.
	HouseholdID string            `json:"household_id,omitempty"`
	Place       string            `json:"place"`
	Source      ComplaintSource   `json:"source"`
	Category    ComplaintCategory `json:"category"`
	Text        string            `json:"text"`
	State       ComplaintState    `json:"state"`
	// Finding is the reviewer's conclusion, required to decide.
	Finding   string                        `json:"finding,omitempty"`
	DecidedAt time.Time                     `json:"decided_at,omitzero"`
	FiledBy   string                        `json:"filed_by"`
	FiledAt   time.Time                     `json:"filed_at"`
	History   []StateChange[ComplaintState] `json:"history"`
	UpdatedAt time.Time                     `json:"updated_at,omitzero"`
	Version   int64                         `json:"version"`
}

// File opens a new complaint and records its filing; call Validate
// afterwards.
func (c *Complaint) File(by string, now time.Time) {
	c.State, c.FiledBy, c.FiledAt, c.UpdatedAt = ComplaintOpen, by, now, now
	c.History = []StateChange[ComplaintState]{{At: now, By: by, To: ComplaintOpen}}
}

// Validate checks the complaint against the place tree.
func (c Complaint) Validate(places *Places, now time.Time) error {
	var p Problems
	checkText(&p, "provider_id", c.ProviderID, true, 40, "被投诉服务方")
	checkText(&p, "referral_id", c.ReferralID, false, 40, "转介")
	switch c.Source {
	case ComplaintByResident:
		checkText(&p, "household_id", c.HouseholdID, true, 40, "投诉居民")
	case ComplaintByCoordinator:
		checkText(&p, "household_id", c.HouseholdID, false, 40, "相关居民")
	default:
		p.Add("source", "enum", "投诉来源须为 resident 或 coordinator")
	}
	checkPlace(&p, "place", c.Place, places, true)
	if !c.Category.Valid() {
		p.Add("category", "enum", "投诉类别无效")
	}
	checkText(&p, "text", c.Text, true, 2000, "投诉内容")
	if !c.State.Valid() {
		p.Add("state", "enum", "投诉状态无效")
	}
	decided := c.State == ComplaintUpheld || c.State == ComplaintDismissed
	checkText(&p, "finding", c.Finding, decided, 1000, "核查结论")
	if decided {
		checkPast(&p, "decided_at", c.DecidedAt, now, true, "处理时间")
	}
	checkHistory(&p, c.History, ComplaintOpen, c.State, CanTransitionComplaint, now)
	checkText(&p, "filed_by", c.FiledBy, true, 40, "登记人")
	checkPast(&p, "filed_at", c.FiledAt, now, true, "登记时间")
	return p.Err()
}

// Move reviews or decides the complaint. Deciding (upheld or dismissed)
// needs a finding; ECONFLICT for a move the table does not allow.
func (c *Complaint) Move(to ComplaintState, by, finding string, now time.Time) error {
	if !CanTransitionComplaint(c.State, to) {
		return Errorf(ECONFLICT, "投诉不能从 %s 变为 %s", c.State, to)
	}
	decide := to == ComplaintUpheld || to == ComplaintDismissed
	var p Problems
	checkText(&p, "by", by, true, 40, "处理人")
	checkText(&p, "finding", finding, decide, 1000, "核查结论")
	if err := p.Err(); err != nil {
		return err
	}
	c.History = append(c.History, StateChange[ComplaintState]{At: now, By: by, From: c.State, To: to, Note: finding})
	c.State, c.UpdatedAt = to, now
	if decide {
		c.Finding, c.DecidedAt = finding, now
	}
	return nil
}
