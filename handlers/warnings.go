package handlers

import (
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/outreach"
	"lianzhu/store"
)

// Warnings (预警) are handled where the household lives: any coordinator
// whose place covers the warning's sees it (a street's and the district's
// coordinators watch the late ones with ?overdue=true), assigns the home
// visit to a coordinator of the household's community or dismisses it; the
// assigned coordinator records the visit. Illegal moves are 409.

type warningHandlers struct {
	store      OutreachStore
	engine     *outreach.Engine
	households *householdHandlers
	places     *placeTree
	policies   []domain.Policy
	now        func() time.Time
}

// draftOfferings is how many draft needs get the offerings that could serve
// them, and how many offerings each: options for the visit, not a search.
const draftOfferings = 3

// WarningResponse is a warning as a coordinator of its place sees it.
type WarningResponse struct {
	domain.Warning
	SeverityZh string `json:"severity_zh"`
	// Overdue is true when the visit is late (open, past its due date).
	Overdue bool `json:"overdue"`
	// NextStates are the moves the workflow allows now.
	NextStates []domain.WarningState `json:"next_states"`
	// VisitPending is true while a recorded visit is being written.
	VisitPending bool `json:"visit_pending"`
}

// WarningDetailResponse is a warning with the help proposed with it, ranked,
// so that the visiting worker arrives with options.
type WarningDetailResponse struct {
	WarningResponse
	// FactUpdates say what the signals changed in the household's file.
	FactUpdates []string        `json:"fact_updates"`
	Drafts      []DraftResponse `json:"drafts"`
	Leads       []LeadResponse  `json:"leads"`
	// LeadNoteZh reminds that a lead is not a decision.
	LeadNoteZh string `json:"lead_note_zh"`
}

// DraftResponse is a likely need, for the visit to confirm.
type DraftResponse struct {
	Rank       int      `json:"rank"`
	Item       string   `json:"item"`
	NameZh     string   `json:"name_zh"`
	MemberID   string   `json:"member_id,omitempty"`
	MemberName string   `json:"member_name,omitempty"`
	Score      int      `json:"score"`
	ReasonsZh  []string `json:"reasons_zh"`
	ReasonsEn  []string `json:"reasons_en"`
	// Offerings are social forces' services of the item that serve the
	// household's place (the first drafts only).
	Offerings []ProposedOffering `json:"offerings"`
}

// ProposedOffering is an offering that could meet a draft need.
type ProposedOffering struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	ProviderID   string     `json:"provider_id"`
	ProviderName string     `json:"provider_name"`
	Left         int        `json:"left"`
	PriceFen     domain.Fen `json:"price_fen"`
	VoucherFen   domain.Fen `json:"voucher_fen"`
	Schedule     string     `json:"schedule,omitempty"`
}

// LeadResponse is a policy the household now seems eligible for.
type LeadResponse struct {
	Rank         int               `json:"rank"`
	PolicyID     string            `json:"policy_id"`
	NameZh       string            `json:"name_zh"`
	Department   domain.Department `json:"department"`
	DepartmentZh string            `json:"department_zh"`
	// Newly is true when the signals made the household eligible.
	Newly     bool           `json:"newly"`
	Before    string         `json:"before"`
	ReasonsZh []string       `json:"reasons_zh"`
	ReasonsEn []string       `json:"reasons_en"`
	NextSteps []OfficialStep `json:"next_steps"`
}

func (h *warningHandlers) view(w store.WarningRecord) WarningResponse {
	next := domain.NextWarningStates(w.State)
	if next == nil {
		next = []domain.WarningState{}
	}
	return WarningResponse{Warning: w.Warning, SeverityZh: w.Severity.NameZh(), Overdue: w.Overdue(h.now()),
		NextStates: next, VisitPending: w.Visit != nil}
}

// list answers the warnings of the caller's place (or ?place= below it),
// filtered by ?state=, ?severity=, ?assignee= and ?overdue=true, in cursor
// pages.
func (h *warningHandlers) list(c *fiber.Ctx) error {
	place, err := coordinatorPlace(c)
	if err != nil {
		return err
	}
	f := store.WarningFilter{Within: place, State: domain.WarningState(c.Query("state")),
		Severity: domain.Severity(c.Query("severity")), Assignee: c.Query("assignee"), After: c.Query("cursor")}
	var pr domain.Problems
	if f.State != "" && !f.State.Valid() {
		pr.Add("state", "enum", "预警状态无效 / unknown state")
	}
	if f.Severity != "" && !f.Severity.Valid() {
		pr.Add("severity", "enum", "预警等级须为 red、orange 或 yellow / unknown severity")
	}
	switch c.Query("overdue") {
	case "", "false":
	case "true":
		f.OverdueAt = h.now()
	default:
		pr.Add("overdue", "enum", "overdue 须为 true 或 false / overdue must be true or false")
	}
	f.Limit = pageLimit(c, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	records, next, err := h.store.ListWarnings(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]WarningResponse, len(records))
	for i, r := range records {
		items[i] = h.view(r)
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// load reads the warning in the path for a coordinator whose place covers
// it; outside it is not found.
func (h *warningHandlers) load(c *fiber.Ctx) (domain.Principal, store.WarningRecord, error) {
	return loadInPlace(c, h.store.Warning, func(w store.WarningRecord) string { return w.Place })
}

// get answers a warning with its help proposed, ranked. Audited like a
// household read: the reasons cite income and health facts.
func (h *warningHandlers) get(c *fiber.Ctx) error {
	p, w, err := h.load(c)
	if err != nil {
		return err
	}
	hh, err := h.households.households.Household(c.UserContext(), w.HouseholdID)
	if err != nil {
		return err
	}
	out := WarningDetailResponse{WarningResponse: h.view(w), FactUpdates: w.FactUpdates, LeadNoteZh: leadNoteZh,
		Drafts: make([]DraftResponse, len(w.Drafts)), Leads: make([]LeadResponse, len(w.Leads))}
	for i, d := range w.Drafts {
		m, _ := hh.Member(d.MemberID)
		out.Drafts[i] = DraftResponse{Rank: i + 1, Item: d.Item, NameZh: d.NameZh, MemberID: d.MemberID, MemberName: m.Name,
			Score: d.Score, ReasonsZh: d.ReasonsZh, ReasonsEn: d.ReasonsEn, Offerings: []ProposedOffering{}}
	}
	if err := h.proposeOfferings(c, w.Place, out.Drafts); err != nil {
		return err
	}
	for i, l := range w.Leads {
		out.Leads[i] = LeadResponse{Rank: i + 1, PolicyID: l.PolicyID, NameZh: l.NameZh, Department: l.Department,
			DepartmentZh: l.Department.NameZh(), Newly: l.Newly, Before: l.Before, ReasonsZh: l.ReasonsZh, ReasonsEn: l.ReasonsEn,
			NextSteps: []OfficialStep{}}
		if k := slices.IndexFunc(h.policies, func(p domain.Policy) bool { return p.ID == l.PolicyID }); k >= 0 {
			out.Leads[i].NextSteps = officialSteps(h.policies[k])
		}
	}
	if err := h.households.audit(c, p, "warning.read", w.ID, w.Place, "household "+w.HouseholdID); err != nil {
		return err
	}
	return c.JSON(out)
}

// proposeOfferings adds to the first drafts the active offerings of their
// item with capacity left that serve the place, from providers not
// suspended.
func (h *warningHandlers) proposeOfferings(c *fiber.Ctx, place string, drafts []DraftResponse) error {
	var found [][]domain.Offering
	var providerIDs []string
	for i := range drafts[:min(len(drafts), draftOfferings)] {
		list, _, err := h.store.ListOfferings(c.UserContext(), store.OfferingFilter{Within: place, Item: drafts[i].Item,
			Status: domain.OfferingActive, Limit: 20})
		if err != nil {
			return err
		}
		list = slices.DeleteFunc(list, func(o domain.Offering) bool { return o.Left <= 0 })
		found = append(found, list)
		for _, o := range list {
			providerIDs = append(providerIDs, o.ProviderID)
		}
	}
	if len(providerIDs) == 0 {
		return nil
	}
	providers, err := h.store.ProvidersByID(c.UserContext(), providerIDs)
	if err != nil {
		return err
	}
	for i, list := range found {
		for _, o := range list {
			pr, ok := providers[o.ProviderID]
			if !ok || pr.Verification == domain.VerificationSuspended || len(drafts[i].Offerings) == draftOfferings {
				continue
			}
			drafts[i].Offerings = append(drafts[i].Offerings, ProposedOffering{ID: o.ID, Title: o.Title, ProviderID: o.ProviderID,
				ProviderName: pr.Name, Left: o.Left, PriceFen: o.PriceFen, VoucherFen: o.VoucherFen, Schedule: o.Schedule})
		}
	}
	return nil
}

type assignRequest struct {
	Assignee string     `json:"assignee"`
	Due      *dayOrTime `json:"due"`
}

// assign gives the home visit of a new warning to a coordinator of the
// household's community. The visit stays due by the warning's severity
// (from when it was raised); ?due may set another date after now and not
// later than that or, for a warning already late, the severity's days from
// now.
func (h *warningHandlers) assign(c *fiber.Ctx) error {
	var req assignRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, w, err := h.load(c)
	if err != nil {
		return err
	}
	if !domain.CanTransitionWarning(w.State, domain.WarningVisitAssigned) {
		return domain.Errorf(domain.ECONFLICT, "预警不能从 %s 派单 / a %s warning cannot be assigned", w.State, w.State)
	}
	if err := h.checkAssignee(c, req.Assignee, w.Place); err != nil {
		return err
	}
	now, from := h.now().UTC(), w.State
	latest := w.DueAt
	if late := now.AddDate(0, 0, w.Severity.VisitDays()); latest.Before(late) && w.Overdue(now) {
		latest = late
	}
	if err := w.AssignVisit(req.Assignee, now); err != nil {
		return err
	}
	if req.Due != nil {
		due := time.Time(*req.Due).UTC()
		if !due.After(now) || due.After(latest) {
			return domain.Invalid("due", "range", "入户期限须晚于现在，且不晚于"+latest.In(shanghai).Format("2006-01-02 15:04")+" / due must be after now and not after the severity's deadline")
		}
		w.DueAt = due
	}
	if err := h.store.UpdateWarning(c.UserContext(), &w.Warning, from); err != nil {
		return err
	}
	if err := h.households.audit(c, p, "warning.assign", w.ID, w.Place, "assignee "+req.Assignee); err != nil {
		return err
	}
	return c.JSON(h.view(w))
}

// checkAssignee requires an active coordinator account of the community
// the household lives in.
func (h *warningHandlers) checkAssignee(c *fiber.Ctx, username, place string) error {
	if username == "" {
		return domain.Invalid("assignee", "required", "请选择入户人员 / assignee is required")
	}
	u, err := h.store.UserByUsername(c.UserContext(), username)
	if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && (u.Role != domain.RoleCoordinator || u.Disabled || u.Place != communityOf(place)) {
		return domain.Invalid("assignee", "scope", "入户人员须为该户所在社区的协调员 / the assignee must be a coordinator of the household's community")
	}
	return err
}

type verifyRequest struct {
	Note  string               `json:"note"`
	Needs []outreach.VisitNeed `json:"needs"`
	Facts *domain.VisitFacts   `json:"facts"`
}

// verify records the home visit: what was found, the needs recorded
// (channel warning) and the facts established (source home_visit). Only the
// assigned coordinator records it. Audited.
func (h *warningHandlers) verify(c *fiber.Ctx) error {
	var req verifyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, w, err := h.load(c)
	if err != nil {
		return err
	}
	if w.State == domain.WarningVisitAssigned && w.Assignee != p.Username {
		return domain.Errorf(domain.EFORBIDDEN, "只有派单的入户人员可以登记核实结果 / only the assigned coordinator records the visit")
	}
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return err
	}
	v := outreach.Visit{Note: req.Note, Needs: req.Needs, By: p.Username}
	if req.Facts != nil {
		v.Facts = *req.Facts
	}
	w, err = h.engine.Verify(c.UserContext(), w, v, tree)
	if err != nil {
		return err
	}
	if err := h.households.audit(c, p, "warning.verify", w.ID, w.Place, "household "+w.HouseholdID); err != nil {
		return err
	}
	return c.JSON(h.view(w))
}

type dismissRequest struct {
	Reason domain.DismissReason `json:"reason"`
	Note   string               `json:"note"`
}

// dismiss closes a warning without action, with a reason (a note for
// "other").
func (h *warningHandlers) dismiss(c *fiber.Ctx) error {
	var req dismissRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, w, err := h.load(c)
	if err != nil {
		return err
	}
	from := w.State
	if !domain.CanTransitionWarning(from, domain.WarningDismissed) {
		return domain.Errorf(domain.ECONFLICT, "预警不能从 %s 关闭 / a %s warning cannot be dismissed", from, from)
	}
	var pr domain.Problems
	if !req.Reason.Valid() {
		pr.Add("reason", "enum", "关闭原因无效 / unknown reason")
	}
	if req.Reason == domain.DismissOther && req.Note == "" {
		pr.Add("note", "required", "原因为“其他”时须说明 / a note is required for other")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	if err := w.Dismiss(req.Reason, req.Note, h.now().UTC()); err != nil {
		return err
	}
	if err := h.store.UpdateWarning(c.UserContext(), &w.Warning, from); err != nil {
		return err
	}
	if err := h.households.audit(c, p, "warning.dismiss", w.ID, w.Place, string(req.Reason)); err != nil {
		return err
	}
	return c.JSON(h.view(w))
}
