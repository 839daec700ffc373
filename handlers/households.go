package handlers

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// HouseholdStore is what the household endpoints need.
type HouseholdStore interface {
	CreateHousehold(ctx context.Context, h *domain.Household) error
	Household(ctx context.Context, id string) (domain.Household, error)
	ListHouseholds(ctx context.Context, f store.HouseholdFilter) ([]domain.Household, string, error)
	UpdateHousehold(ctx context.Context, h *domain.Household, expectedVersion int64) error
	RevealIDNumber(ctx context.Context, householdID, memberID string) (string, error)
	HouseholdByIDNumber(ctx context.Context, idNumber string) (domain.Household, error)
	AppendAudit(ctx context.Context, r *store.AuditRecord) error
	AuditTrail(ctx context.Context, within string, limit int) ([]store.AuditRecord, error)
}

// placeTree caches the place tree for validation; places change rarely
// (an admin edit), so a minute of staleness is fine.
type placeTree struct {
	places PlaceStore
	now    func() time.Time
	mu     sync.Mutex
	tree   *domain.Places
	at     time.Time
}

func (p *placeTree) get(ctx context.Context) (*domain.Places, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tree != nil && p.now().Sub(p.at) < time.Minute {
		return p.tree, nil
	}
	list, err := p.places.Places(ctx)
	if err != nil {
		return nil, err
	}
	tree, err := domain.NewPlaces(list)
	if err != nil {
		return nil, err
	}
	p.tree, p.at = tree, p.now()
	return tree, nil
}

// householdHandlers serve household files (一户一档). Only coordinators of the
// household's place see them (DOMAIN.md): not admins, not providers.
type householdHandlers struct {
	households HouseholdStore
	places     *placeTree
	now        func() time.Time
}

// householdView is a file as a coordinator sees it: ID numbers masked, the
// keyed hash never leaves the server.
func householdView(h domain.Household) domain.Household {
	h.Members = append([]domain.Member(nil), h.Members...)
	for i := range h.Members {
		h.Members[i].IDNumber, h.Members[i].IDHash = "", ""
	}
	return h
}

func (h *householdHandlers) audit(c *fiber.Ctx, p domain.Principal, action, target, place, detail string) error {
	return h.households.AppendAudit(c.UserContext(), &store.AuditRecord{
		Actor: p.Username, Role: p.Role, Action: action, Target: target, Place: place, Detail: detail, IP: c.IP(),
	})
}

// list answers a page of files in the caller's place (or a place below it).
func (h *householdHandlers) list(c *fiber.Ctx) error {
	place, err := coordinatorPlace(c)
	if err != nil {
		return err
	}
	status := domain.AssistanceKind(c.Query("status"))
	if status != "" && !status.Valid() {
		return domain.Invalid("status", "enum", "救助类别无效 / unknown assistance status")
	}
	var pr domain.Problems
	limit := pageLimit(c, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	items, next, err := h.households.ListHouseholds(c.UserContext(), store.HouseholdFilter{
		Within: place, Status: status, After: c.Query("cursor"), Limit: limit,
	})
	if err != nil {
		return err
	}
	for i := range items {
		items[i] = householdView(items[i])
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// get answers one full file and writes the read to the audit log.
func (h *householdHandlers) get(c *fiber.Ctx) error {
	p, hh, err := h.load(c)
	if err != nil {
		return err
	}
	if err := h.audit(c, p, "household.read", hh.ID, hh.Place, ""); err != nil {
		return err
	}
	return c.JSON(householdView(hh))
}

// load reads the file named in the path and checks the caller's scope. A
// file outside it is "not found": its existence is not disclosed.
func (h *householdHandlers) load(c *fiber.Ctx) (domain.Principal, domain.Household, error) {
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return p, domain.Household{}, err
	}
	hh, err := h.households.Household(c.UserContext(), c.Params("id"))
	if err != nil {
		return p, hh, err
	}
	if !p.CanSeePlace(hh.Place) {
		return p, domain.Household{}, domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return p, hh, nil
}

// create files a new household in the caller's place.
func (h *householdHandlers) create(c *fiber.Ctx) error {
	var in domain.Household
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return err
	}
	clearServerFields(&in)
	if err := h.validate(c, &in); err != nil {
		return err
	}
	if !p.CanSeePlace(in.Place) {
		return domain.Errorf(domain.EFORBIDDEN, "超出您的辖区 / outside your place")
	}
	if err := h.households.CreateHousehold(c.UserContext(), &in); err != nil {
		return duplicateAnswer(p, err)
	}
	return c.Status(fiber.StatusCreated).JSON(householdView(in))
}

// update replaces a file if it is still at the version the caller read.
// Moving to another place has its own audited endpoint.
func (h *householdHandlers) update(c *fiber.Ctx) error {
	var in domain.Household
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, old, err := h.load(c)
	if err != nil {
		return err
	}
	version := in.Version
	clearServerFields(&in)
	in.ID = old.ID
	// Consent is an append-only record with its own audited endpoints
	// (handlers/consents.go), as are do-not-contact and the assistance
	// review: a file's update keeps them as they are.
	in.Consents, in.DoNotContact, in.Review = old.Consents, old.DoNotContact, old.Review
	if in.Place != old.Place {
		return domain.Invalid("place", "immutable", "迁移请使用迁移接口 / use the move endpoint to change the place")
	}
	if version < 1 {
		return domain.Invalid("version", "required", "请提供读取时的版本号 / send the version you read")
	}
	if err := h.validate(c, &in); err != nil {
		return err
	}
	if err := h.households.UpdateHousehold(c.UserContext(), &in, version); err != nil {
		return duplicateAnswer(p, err)
	}
	return c.JSON(householdView(in))
}

type moveRequest struct {
	Place   string `json:"place"`
	Version int64  `json:"version"`
	Reason  string `json:"reason"`
}

// move changes a file's place; the caller must cover both places. Audited.
func (h *householdHandlers) move(c *fiber.Ctx) error {
	var req moveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, hh, err := h.load(c)
	if err != nil {
		return err
	}
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return err
	}
	var pr domain.Problems
	if lvl := domain.PlaceLevelOf(req.Place); lvl != domain.LevelCommunity && lvl != domain.LevelCompound {
		pr.Add("place", "level", "须为社区或小区代码 / must be a community or compound")
	} else if _, ok := tree.Get(req.Place); !ok {
		pr.Add("place", "exists", "区划不存在 / no such place")
	}
	if req.Version < 1 {
		pr.Add("version", "required", "请提供读取时的版本号 / send the version you read")
	}
	if req.Reason == "" {
		pr.Add("reason", "required", "请说明迁移原因 / give a reason")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	if !p.CanSeePlace(req.Place) {
		return domain.Errorf(domain.EFORBIDDEN, "目标地址超出您的辖区 / the new place is outside yours")
	}
	from := hh.Place
	hh.Place = req.Place
	if err := h.households.UpdateHousehold(c.UserContext(), &hh, req.Version); err != nil {
		return err
	}
	if err := h.audit(c, p, "household.move", hh.ID, req.Place, "from "+from+": "+req.Reason); err != nil {
		return err
	}
	return c.JSON(householdView(hh))
}

// revealID answers one member's full ID number to a coordinator of the
// household's place. Audited.
func (h *householdHandlers) revealID(c *fiber.Ctx) error {
	p, hh, err := h.load(c)
	if err != nil {
		return err
	}
	id, err := h.households.RevealIDNumber(c.UserContext(), hh.ID, c.Params("member"))
	if err != nil {
		return err
	}
	if err := h.audit(c, p, "household.reveal_id", hh.ID, hh.Place, "member "+c.Params("member")); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"id_number": id})
}

type lookupRequest struct {
	IDNumber string `json:"id_number"`
}

// lookup finds the file a person belongs to by ID number. A file outside the
// caller's place is reported as not found, without naming it.
func (h *householdHandlers) lookup(c *fiber.Ctx) error {
	var req lookupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return err
	}
	if err := domain.ValidateIDNumber(domain.NormalizeIDNumber(req.IDNumber), h.now()); err != nil {
		return err
	}
	hh, err := h.households.HouseholdByIDNumber(c.UserContext(), req.IDNumber)
	if err != nil {
		return err
	}
	if !p.CanSeePlace(hh.Place) {
		return domain.Errorf(domain.ENOTFOUND, "您的辖区内没有此人的档案 / no file for this person in your place")
	}
	if err := h.audit(c, p, "household.lookup", hh.ID, hh.Place, ""); err != nil {
		return err
	}
	return c.JSON(householdView(hh))
}

// auditTrail answers the newest audit records of the caller's place.
func (h *householdHandlers) auditTrail(c *fiber.Ctx) error {
	place, err := coordinatorPlace(c)
	if err != nil {
		return err
	}
	records, err := h.households.AuditTrail(c.UserContext(), place, 200)
	if err != nil {
		return err
	}
	items := make([]AuditResponse, len(records))
	for i, r := range records {
		items[i] = AuditResponse{ID: r.ID, At: r.At, Actor: r.Actor, Role: string(r.Role), Action: r.Action,
			Target: r.Target, Place: r.Place, Detail: r.Detail, IP: r.IP}
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": ""})
}

// AuditResponse is one audit record on the wire.
type AuditResponse struct {
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Place  string    `json:"place"`
	Detail string    `json:"detail"`
	IP     string    `json:"ip"`
}

func (h *householdHandlers) validate(c *fiber.Ctx, hh *domain.Household) error {
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return err
	}
	return hh.Validate(tree, h.now())
}

// pageLimit reads ?limit= (1–200, default 50), recording a problem if bad.
func pageLimit(c *fiber.Ctx, pr *domain.Problems) int {
	return intParam(c, "limit", 50, 1, 200, pr)
}

// coordinatorPlace reads the ?place= a coordinator asks about (default:
// their own place) and checks it lies within their scope.
func coordinatorPlace(c *fiber.Ctx) (string, error) {
	place := c.Query("place", principal(c).Place)
	if domain.PlaceLevelOf(place) == "" {
		return "", domain.Invalid("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	if _, err := authorize(c, place, domain.RoleCoordinator); err != nil {
		return "", err
	}
	return place, nil
}

// clearServerFields drops what only the server may set and derives birth
// year, gender and the masked form from an entered ID number, so that they
// cannot disagree with it.
func clearServerFields(h *domain.Household) {
	h.ID, h.Version, h.CreatedAt, h.UpdatedAt = "", 0, time.Time{}, time.Time{}
	for i := range h.Members {
		m := &h.Members[i]
		m.IDHash = ""
		if m.IDNumber != "" {
			m.IDMasked = ""
			m.FillFromIDNumber()
		}
	}
}

// duplicateAnswer names the other file only if the caller may see it.
func duplicateAnswer(p domain.Principal, err error) error {
	var de *store.DuplicateMemberError
	if !errors.As(err, &de) {
		return err
	}
	e := de.Unwrap().(*domain.Error)
	if p.CanSeePlace(de.Place) {
		e.Message += "（档案 " + de.HouseholdID + "）"
	}
	return e
}
