package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// ConsentStore is what the consent record, "do not contact", the employment
// ledger and the review flag need.
type ConsentStore interface {
	Household(ctx context.Context, id string) (domain.Household, error)
	AppendConsent(ctx context.Context, householdID string, e domain.ConsentEvent) (domain.Household, error)
	SetDoNotContact(ctx context.Context, householdID string, value bool) (domain.Household, error)
	ClearReview(ctx context.Context, householdID string, expectedVersion int64, by, note string) (domain.Household, error)
	EmploymentLedger(ctx context.Context, householdID string) ([]store.EmploymentEntry, error)
	AppendLog(ctx context.Context, e domain.LogEntry) error
}

// consentHandlers serve parts of the household file that have endpoints of
// their own, for coordinators of the household's place (others: not found).
// Every answer that shows the consent record or the employment ledger is
// audited like a read of the file.
type consentHandlers struct {
	store      ConsentStore
	households *householdHandlers
	now        func() time.Time
}

// ConsentMember is one member's standing consents.
type ConsentMember struct {
	MemberID string                        `json:"member_id"`
	Name     string                        `json:"name"`
	Age      int                           `json:"age"`
	Consents map[domain.RecipientKind]bool `json:"consents"`
}

// ConsentRecord is a household's consent record on the wire.
type ConsentRecord struct {
	HouseholdID  string                `json:"household_id"`
	Members      []ConsentMember       `json:"members"`
	Events       []domain.ConsentEvent `json:"events"`
	DoNotContact bool                  `json:"do_not_contact"`
	Version      int64                 `json:"version"`
}

func (h *consentHandlers) record(c *fiber.Ctx) error {
	var req consentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.MemberID == "" {
		return domain.Invalid("member_id", "required", "请选择家庭成员 / choose the member")
	}
	p, hh, err := h.households.load(c)
	if err != nil {
		return err
	}
	e := domain.ConsentEvent{MemberID: req.MemberID, Recipient: req.Recipient, Action: req.Action, Method: req.Method,
		Guardian: req.Guardian, Note: req.Note, At: h.now().UTC(), RecordedBy: p.Username}
	hh, err = h.store.AppendConsent(c.UserContext(), hh.ID, e)
	if err != nil {
		return err
	}
	detail := string(e.Action) + " " + string(e.Recipient) + " member " + e.MemberID + " (" + string(e.Method) + ")"
	if err := h.households.audit(c, p, "household.consent", hh.ID, hh.Place, detail); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(consentRecord(hh, h.now()))
}

type consentRequest struct {
	MemberID  string               `json:"member_id"`
	Recipient domain.RecipientKind `json:"recipient"`
	Action    domain.ConsentAction `json:"action"`
	Method    domain.ConsentMethod `json:"method"`
	Guardian  *domain.Guardian     `json:"guardian"`
	Note      string               `json:"note"`
}

// get answers the consent record. Audited.
func (h *consentHandlers) get(c *fiber.Ctx) error {
	p, hh, err := h.households.load(c)
	if err != nil {
		return err
	}
	if err := h.households.audit(c, p, "household.consents.read", hh.ID, hh.Place, ""); err != nil {
		return err
	}
	return c.JSON(consentRecord(hh, h.now()))
}

func consentRecord(hh domain.Household, now time.Time) ConsentRecord {
	out := ConsentRecord{HouseholdID: hh.ID, Events: append([]domain.ConsentEvent{}, hh.Consents...),
		DoNotContact: hh.DoNotContact, Version: hh.Version, Members: make([]ConsentMember, 0, len(hh.Members))}
	for _, m := range hh.Members {
		cm := ConsentMember{MemberID: m.ID, Name: m.Name, Age: m.Age(now), Consents: map[domain.RecipientKind]bool{}}
		for _, r := range domain.RecipientKinds() {
			cm.Consents[r] = domain.ConsentGiven(hh.Consents, m.ID, r)
		}
		out.Members = append(out.Members, cm)
	}
	return out
}

type doNotContactRequest struct {
	Value *bool  `json:"value"`
	Note  string `json:"note"`
}

// doNotContact sets or clears "do not contact": the household is then never
// proposed, and what employers, providers and volunteers saw of it is hidden
// (domain.Disclosure). Audited and noted in the household log.
func (h *consentHandlers) doNotContact(c *fiber.Ctx) error {
	var req doNotContactRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Value == nil {
		return domain.Invalid("value", "required", "请说明是否勿扰 / value is required")
	}
	if utf8.RuneCountInString(req.Note) > 200 {
		return domain.Invalid("note", "length", "备注最多200字 / note at most 200 characters")
	}
	p, hh, err := h.households.load(c)
	if err != nil {
		return err
	}
	before := hh.DoNotContact
	if hh, err = h.store.SetDoNotContact(c.UserContext(), hh.ID, *req.Value); err != nil {
		return err
	}
	if before != hh.DoNotContact {
		text := "本户要求勿扰 / do not contact"
		if !hh.DoNotContact {
			text = "本户取消勿扰 / do not contact lifted"
		}
		err := h.store.AppendLog(c.UserContext(), domain.LogEntry{HouseholdID: hh.ID, Kind: domain.LogNote, At: h.now().UTC(),
			Author: p.Username, Text: strings.TrimSpace(text + " " + req.Note)})
		if err != nil {
			return err
		}
	}
	if err := h.households.audit(c, p, "household.do_not_contact", hh.ID, hh.Place,
		strconv.FormatBool(*req.Value)+": "+req.Note); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"household_id": hh.ID, "do_not_contact": hh.DoNotContact, "version": hh.Version})
}

// EmploymentLine is one hire (or hand-written employment entry) of the
// employment ledger.
type EmploymentLine struct {
	ID             string     `json:"id"`
	At             time.Time  `json:"at"`
	MemberID       string     `json:"member_id,omitempty"`
	Member         string     `json:"member,omitempty"`
	Text           string     `json:"text"`
	Author         string     `json:"author"`
	ApplicationID  string     `json:"application_id,omitempty"`
	JobID          string     `json:"job_id,omitempty"`
	JobTitle       string     `json:"job_title,omitempty"`
	EnterpriseID   string     `json:"enterprise_id,omitempty"`
	EnterpriseName string     `json:"enterprise_name,omitempty"`
	WageFen        domain.Fen `json:"wage_fen,omitempty"`
	WageMinFen     domain.Fen `json:"wage_min_fen,omitempty"`
	WageMaxFen     domain.Fen `json:"wage_max_fen,omitempty"`
}

// employment answers the household's employment ledger and whether its
// assistance is due for review. Audited.
func (h *consentHandlers) employment(c *fiber.Ctx) error {
	p, hh, err := h.households.load(c)
	if err != nil {
		return err
	}
	entries, err := h.store.EmploymentLedger(c.UserContext(), hh.ID)
	if err != nil {
		return err
	}
	lines := make([]EmploymentLine, 0, len(entries))
	for _, e := range entries {
		m, _ := hh.Member(e.MemberID)
		l := EmploymentLine{ID: e.ID, At: e.At, MemberID: e.MemberID, Member: m.Name, Text: e.Text, Author: e.Author}
		if a := e.Application; a != nil {
			l.ApplicationID, l.JobID, l.JobTitle, l.EnterpriseID, l.WageFen = a.ID, a.JobID, a.JobTitle, a.EnterpriseID, a.WageFen
		}
		if j := e.Job; j != nil {
			l.JobTitle, l.WageMinFen, l.WageMaxFen = j.Title, j.WageMinFen, j.WageMaxFen
		}
		l.EnterpriseName = e.EnterpriseName
		lines = append(lines, l)
	}
	if err := h.households.audit(c, p, "household.employment.read", hh.ID, hh.Place, ""); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"household_id": hh.ID, "items": lines, "review_due": hh.Review != nil, "review": hh.Review,
		"version": hh.Version})
}

type clearReviewRequest struct {
	Note    string `json:"note"`
	Version int64  `json:"version"`
}

// clearReview records that the coordinator reviewed the household's
// assistance after the change that raised the flag: a note in the log, the
// flag cleared (guarded by ?version the caller read, when given). Audited.
func (h *consentHandlers) clearReview(c *fiber.Ctx) error {
	var req clearReviewRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	req.Note = strings.TrimSpace(req.Note)
	if req.Note == "" || utf8.RuneCountInString(req.Note) > 500 {
		return domain.Invalid("note", "required", "请填写复核结果（最多500字）/ note what the review found (at most 500 characters)")
	}
	p, hh, err := h.households.load(c)
	if err != nil {
		return err
	}
	if hh, err = h.store.ClearReview(c.UserContext(), hh.ID, req.Version, p.Username, req.Note); err != nil {
		return err
	}
	if err := h.households.audit(c, p, "household.review.clear", hh.ID, hh.Place, req.Note); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"household_id": hh.ID, "review_due": false, "version": hh.Version})
}
