package domain

import "time"

// Under the Personal Information Protection Law each kind of recipient needs
// its own consent before a member's sensitive information reaches it; consent
// can be withdrawn at any time, and a child under 14 consents through a
// guardian. Consent is kept as a list of events, never overwritten, so the
// file shows who consented to what, when and how.

// RecipientKind is a kind of recipient that consent is given for.
type RecipientKind string

// Recipient kinds.
const (
	RecipientNGOUnit   RecipientKind = "ngo_unit"  // 社会组织和驻地单位
	RecipientVolunteer RecipientKind = "volunteer" // 志愿者
	RecipientEmployer  RecipientKind = "employer"  // 用人单位
)

// Valid reports whether r is a known recipient kind.
func (r RecipientKind) Valid() bool {
	return r == RecipientNGOUnit || r == RecipientVolunteer || r == RecipientEmployer
}

// ConsentAction grants or withdraws a consent.
type ConsentAction string

// Consent actions.
const (
	ConsentGrant    ConsentAction = "grant"
	ConsentWithdraw ConsentAction = "withdraw"
)

// ConsentMethod is how the consent was expressed; an office must be able to
// show it.
type ConsentMethod string

// Consent methods.
const (
	ConsentWritten ConsentMethod = "written" // 书面签字
	ConsentVerbal  ConsentMethod = "verbal"  // 口头同意，由工作人员记录
	ConsentOnline  ConsentMethod = "online"  // 线上确认
)

// Valid reports whether m is a known method.
func (m ConsentMethod) Valid() bool {
	return m == ConsentWritten || m == ConsentVerbal || m == ConsentOnline
}

// Guardian is the person who consents for a child under 14.
type Guardian struct {
	Name     string   `json:"name"`
	Relation Relation `json:"relation"`
	// MemberID is set when the guardian is a member of the same household.
	MemberID string `json:"member_id,omitempty"`
}

// ConsentEvent records one grant or withdrawal for one member and one kind of
// recipient.
type ConsentEvent struct {
	MemberID  string        `json:"member_id"`
	Recipient RecipientKind `json:"recipient"`
	Action    ConsentAction `json:"action"`
	At        time.Time     `json:"at"`
	Method    ConsentMethod `json:"method"`
	// RecordedBy is the user who recorded the event.
	RecordedBy string    `json:"recorded_by"`
	Guardian   *Guardian `json:"guardian,omitempty"`
	Note       string    `json:"note,omitempty"`
}

// Validate checks the event for the member it concerns. A grant for a member
// who is or may be under 14 on the day of the event needs a guardian; a
// withdrawal never does, since refusing must always be easy.
func (c ConsentEvent) Validate(member Member, now time.Time) error {
	var p Problems
	if c.MemberID == "" {
		p.Add("member_id", "required", "成员不能为空")
	} else if c.MemberID != member.ID {
		p.Add("member_id", "mismatch", "授权记录与成员不符")
	}
	if !c.Recipient.Valid() {
		p.Add("recipient", "enum", "授权对象须为 ngo_unit、volunteer 或 employer")
	}
	if c.Action != ConsentGrant && c.Action != ConsentWithdraw {
		p.Add("action", "enum", "授权操作须为 grant 或 withdraw")
	}
	checkPast(&p, "at", c.At, now, true, "授权时间")
	if !c.Method.Valid() {
		p.Add("method", "enum", "授权方式须为 written、verbal 或 online")
	}
	checkText(&p, "recorded_by", c.RecordedBy, true, 40, "记录人")
	checkText(&p, "note", c.Note, false, 200, "备注")
	if g := c.Guardian; g != nil {
		checkText(&p, "guardian.name", g.Name, true, 50, "监护人姓名")
		if !g.Relation.Valid() || g.Relation == RelationSelf {
			p.Add("guardian.relation", "enum", "监护人关系无效")
		}
		if g.MemberID != "" && g.MemberID == c.MemberID {
			p.Add("guardian.member_id", "self", "监护人不能是本人")
		}
	}
	if c.Action == ConsentGrant && c.Guardian == nil && !c.At.IsZero() && member.MayBeUnder14(c.At) {
		p.Add("guardian", "required", "不满14周岁的未成年人须由监护人同意")
	}
	return p.Err()
}

// ConsentGiven reports whether the member's consent for the recipient kind
// stands: the latest event for them is a grant. No event means no consent.
func ConsentGiven(events []ConsentEvent, memberID string, r RecipientKind) bool {
	var latest *ConsentEvent
	for i := range events {
		e := &events[i]
		if e.MemberID != memberID || e.Recipient != r {
			continue
		}
		// At equal times the later entry wins: it was recorded afterwards.
		if latest == nil || !e.At.Before(latest.At) {
			latest = e
		}
	}
	return latest != nil && latest.Action == ConsentGrant
}

// Allows reports whether the household may be shared with a recipient kind
// for a member: "do not contact" overrides every consent.
func (h *Household) Allows(memberID string, r RecipientKind) bool {
	return !h.DoNotContact && ConsentGiven(h.Consents, memberID, r)
}

// RecipientKinds returns every recipient kind, for consent forms.
func RecipientKinds() []RecipientKind {
	return []RecipientKind{RecipientNGOUnit, RecipientVolunteer, RecipientEmployer}
}
