package domain

import (
	"slices"
	"time"
)

// LogKind is the kind of a household log entry.
type LogKind string

// Log kinds.
const (
	LogVisit       LogKind = "visit"       // 入户走访
	LogAssessment  LogKind = "assessment"  // 需求评估
	LogApplication LogKind = "application" // 协助申请救助
	LogOutcome     LogKind = "outcome"     // 官方审核结果
	LogService     LogKind = "service"     // 接受服务
	LogEmployment  LogKind = "employment"  // 就业变化
	LogNote        LogKind = "note"        // 进展备注
)

// Valid reports whether k is a known log kind.
func (k LogKind) Valid() bool {
	return slices.Contains([]LogKind{LogVisit, LogAssessment, LogApplication, LogOutcome, LogService, LogEmployment, LogNote}, k)
}

// OfficialOutcome is the office's decision on an application; Lianzhu only
// records it.
type OfficialOutcome string

// Official outcomes.
const (
	OfficialApproved OfficialOutcome = "approved"
	OfficialRejected OfficialOutcome = "rejected"
)

// LogEntry is one entry of a household's log. Entries are appended, never
// edited, so they are kept apart from the household document.
type LogEntry struct {
	ID          string    `json:"id"`
	HouseholdID string    `json:"household_id"`
	MemberID    string    `json:"member_id,omitempty"`
	Kind        LogKind   `json:"kind"`
	At          time.Time `json:"at"`
	// Author is the user who recorded the entry.
	Author string `json:"author"`
	Text   string `json:"text"`
	// Assistance or PolicyID says what an application or outcome was for.
	Assistance AssistanceKind  `json:"assistance,omitempty"`
	PolicyID   string          `json:"policy_id,omitempty"`
	Outcome    OfficialOutcome `json:"outcome,omitempty"`
	// RefID links the need, referral or job application the entry is about.
	RefID string `json:"ref_id,omitempty"`
}

// Validate checks the entry.
func (e LogEntry) Validate(now time.Time) error {
	var p Problems
	checkText(&p, "household_id", e.HouseholdID, true, 40, "家庭档案编号")
	if !e.Kind.Valid() {
		p.Add("kind", "enum", "记录类型无效")
	}
	checkPast(&p, "at", e.At, now, true, "记录时间")
	checkText(&p, "author", e.Author, true, 40, "记录人")
	needsText := e.Kind == LogVisit || e.Kind == LogAssessment || e.Kind == LogNote
	checkText(&p, "text", e.Text, needsText, 2000, "记录内容")
	if e.Assistance != "" && !e.Assistance.Valid() {
		p.Add("assistance", "enum", "救助类别无效")
	}
	if (e.Kind == LogApplication || e.Kind == LogOutcome) && e.Assistance == "" && e.PolicyID == "" {
		p.Add("assistance", "required", "申请或审核结果须注明救助类别或政策")
	}
	switch {
	case e.Kind == LogOutcome && e.Outcome != OfficialApproved && e.Outcome != OfficialRejected:
		p.Add("outcome", "enum", "审核结果须为 approved 或 rejected")
	case e.Kind != LogOutcome && e.Outcome != "":
		p.Add("outcome", "forbidden", "仅审核结果记录可填写结果")
	}
	return p.Err()
}
