package domain

import (
	"slices"
	"time"
)

// PhysicalDemand is how physically demanding a job is; matching compares it
// with a member's work ability and disability.
type PhysicalDemand string

// Physical demands.
const (
	PhysicalSedentary PhysicalDemand = "sedentary" // 坐姿为主（客服、手工）
	PhysicalLight     PhysicalDemand = "light"     // 轻体力（保洁、收银）
	PhysicalMedium    PhysicalDemand = "medium"    // 中等体力（配送、家政）
	PhysicalHeavy     PhysicalDemand = "heavy"     // 重体力（搬运、建筑）
)

// Valid reports whether d is a known demand.
func (d PhysicalDemand) Valid() bool {
	return slices.Contains([]PhysicalDemand{PhysicalSedentary, PhysicalLight, PhysicalMedium, PhysicalHeavy}, d)
}

// JobRequirements is what a job asks of a candidate.
type JobRequirements struct {
	Physical     PhysicalDemand `json:"physical"`
	HoursPerWeek int            `json:"hours_per_week"`
	Skills       []string       `json:"skills,omitempty"`
}

// JobStatus is whether an opening takes applications.
type JobStatus string

// Job statuses.
const (
	JobOpen   JobStatus = "open"
	JobFilled JobStatus = "filled"
	JobClosed JobStatus = "closed"
)

// JobOpening is a job an enterprise offers to people in hardship.
type JobOpening struct {
	ID string `json:"id"`
	// EnterpriseID is the provider (kind enterprise or unit) offering the job.
	EnterpriseID string `json:"enterprise_id"`
	Title        string `json:"title"`
	// KindOfWork is the trade in plain words ("家政服务", "保洁").
	KindOfWork string `json:"kind_of_work"`
	// Item optionally names the employment item of the catalogue the job
	// serves (灵活就业, 就业推荐, ...); any employment need can match a job.
	Item         string          `json:"item,omitempty"`
	Requirements JobRequirements `json:"requirements"`
	// Training describes training given on hiring; empty when none.
	Training string `json:"training,omitempty"`
	// WageMinFen and WageMaxFen bound the monthly wage.
	WageMinFen Fen    `json:"wage_min_fen"`
	WageMaxFen Fen    `json:"wage_max_fen"`
	Place      string `json:"place"`
	Openings   int    `json:"openings"`
	// Hired is how many openings hires through Lianzhu have filled (read
	// only: the store keeps it).
	Hired     int       `json:"hired"`
	Status    JobStatus `json:"status"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	Version   int64     `json:"version"`
}

// Bounds that catch typing slips: a week has 168 hours but no job asks for
// more than 60 of them, and a wage above ¥100,000 a month is a misplaced zero.
const (
	maxHoursPerWeek = 60
	maxWageFen      = Fen(100_000 * 100)
	maxOpenings     = 1000
)

// Validate checks the opening against the place tree and the catalogue; an
// item, when given, must be an employment item of the catalogue.
func (j JobOpening) Validate(places *Places, cat *Catalogue, now time.Time) error {
	var p Problems
	checkText(&p, "enterprise_id", j.EnterpriseID, true, 40, "用人单位")
	checkText(&p, "title", j.Title, true, 100, "岗位名称")
	checkText(&p, "kind_of_work", j.KindOfWork, true, 50, "工种")
	if j.Item != "" {
		checkItem(&p, "item", j.Item, cat)
	}
	if it, ok := cat.Get(j.Item); ok && !it.Employment {
		p.Addf("item", "enum", "服务项目 %q 不是就业类项目", j.Item)
	}
	r := j.Requirements
	if !r.Physical.Valid() {
		p.Add("requirements.physical", "enum", "体力要求须为 sedentary、light、medium 或 heavy")
	}
	if r.HoursPerWeek < 1 || r.HoursPerWeek > maxHoursPerWeek {
		p.Addf("requirements.hours_per_week", "range", "每周工时须在1–%d小时之间", maxHoursPerWeek)
	}
	checkList(&p, "requirements.skills", r.Skills, 20, 30, "技能要求")
	checkText(&p, "training", j.Training, false, 500, "培训说明")
	if j.WageMinFen < 1 || j.WageMinFen > maxWageFen {
		p.Addf("wage_min_fen", "range", "最低月薪须在¥0.01–%s之间", maxWageFen)
	}
	if j.WageMaxFen < j.WageMinFen || j.WageMaxFen > maxWageFen {
		p.Add("wage_max_fen", "range", "最高月薪不能低于最低月薪")
	}
	checkPlace(&p, "place", j.Place, places, true)
	if j.Openings < 1 || j.Openings > maxOpenings {
		p.Addf("openings", "range", "招聘人数须在1–%d之间", maxOpenings)
	}
	if j.Status != JobOpen && j.Status != JobFilled && j.Status != JobClosed {
		p.Add("status", "enum", "岗位状态须为 open、filled 或 closed")
	}
	checkPast(&p, "created_at", j.CreatedAt, now, false, "创建时间")
	return p.Err()
}

// ApplicationState is the state of a job application.
type ApplicationState string

// Application states: applied → interview → hired / rejected / withdrawn.
const (
	ApplicationApplied   ApplicationState = "applied"
	ApplicationInterview ApplicationState = "interview"
	ApplicationHired     ApplicationState = "hired"
	ApplicationRejected  ApplicationState = "rejected"
	ApplicationWithdrawn ApplicationState = "withdrawn"
)

// Valid reports whether s is a known state.
func (s ApplicationState) Valid() bool {
	return slices.Contains([]ApplicationState{ApplicationApplied, ApplicationInterview,
		ApplicationHired, ApplicationRejected, ApplicationWithdrawn}, s)
}

// CanTransitionApplication reports whether an application may move from one
// state to another. An enterprise may hire or reject without an interview;
// the candidate may withdraw until a decision. Decisions are final.
func CanTransitionApplication(from, to ApplicationState) bool {
	switch from {
	case ApplicationApplied:
		return to == ApplicationInterview || to == ApplicationHired || to == ApplicationRejected || to == ApplicationWithdrawn
	case ApplicationInterview:
		return to == ApplicationHired || to == ApplicationRejected || to == ApplicationWithdrawn
	}
	return false
}

// JobApplication is a member's application to an opening, made only with the
// member's consent for employers.
type JobApplication struct {
	ID          string           `json:"id"`
	JobID       string           `json:"job_id"`
	HouseholdID string           `json:"household_id"`
	MemberID    string           `json:"member_id"`
	State       ApplicationState `json:"state"`
	Note        string           `json:"note,omitempty"`
	AppliedAt   time.Time        `json:"applied_at"`
	UpdatedAt   time.Time        `json:"updated_at,omitzero"`
	Version     int64            `json:"version"`
}

// Validate checks the application against the candidate's household, which
// must allow employers to see the member: without that consent there is no
// application to make. A nil household fails the check.
func (a JobApplication) Validate(h *Household, now time.Time) error {
	var p Problems
	checkText(&p, "job_id", a.JobID, true, 40, "岗位")
	checkText(&p, "household_id", a.HouseholdID, true, 40, "家庭档案")
	checkText(&p, "member_id", a.MemberID, true, 40, "成员")
	if a.MemberID != "" {
		if h == nil || h.ID != a.HouseholdID {
			p.Add("household_id", "exists", "家庭档案不存在")
		} else if _, ok := h.Member(a.MemberID); !ok {
			p.Add("member_id", "exists", "该家庭没有此成员")
		} else if !h.Allows(a.MemberID, RecipientEmployer) {
			p.Add("member_id", "consent", "求职者未授权向用人单位提供信息")
		}
	}
	if !a.State.Valid() {
		p.Add("state", "enum", "申请状态无效")
	}
	checkText(&p, "note", a.Note, false, 500, "备注")
	checkPast(&p, "applied_at", a.AppliedAt, now, true, "申请时间")
	return p.Err()
}

// ChangesIncome reports whether the application's state changes the
// household's income: a hire starts a review of its assistance (低保渐退),
// which the coordinator must see before it surprises the family.
func (a JobApplication) ChangesIncome() bool { return a.State == ApplicationHired }
