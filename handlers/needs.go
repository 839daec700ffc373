package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// NeedStore is what the need endpoints need.
type NeedStore interface {
	CreateNeed(ctx context.Context, n *domain.Need) error
	Need(ctx context.Context, id string) (domain.Need, error)
	ListNeeds(ctx context.Context, f store.NeedFilter) ([]domain.Need, string, error)
	TransitionNeed(ctx context.Context, id string, from, to domain.NeedState, reason domain.CloseReason) (domain.Need, error)
	Household(ctx context.Context, id string) (domain.Household, error)
}

type needHandlers struct {
	needs     NeedStore
	places    *placeTree
	catalogue *domain.Catalogue
	now       func() time.Time
}

// NeedResponse is a need as a coordinator of its place sees it.
type NeedResponse struct {
	domain.Need
	CategoryName string `json:"category_name"`
}

// NeutralNeedResponse is a need as a provider sees it (DOMAIN.md, privacy):
// the neutral note only, the place only down to the community, nothing that
// links it to a household or a person.
type NeutralNeedResponse struct {
	ID            string           `json:"id"`
	Item          string           `json:"item"`
	CategoryName  string           `json:"category_name"`
	NeutralNote   string           `json:"neutral_note"`
	Place         string           `json:"place"`
	Urgency       domain.Urgency   `json:"urgency"`
	PreferredTime string           `json:"preferred_time,omitempty"`
	State         domain.NeedState `json:"state"`
	CreatedAt     time.Time        `json:"created_at"`
}

func (h *needHandlers) categoryName(code string) string {
	if it, ok := h.catalogue.Get(code); ok {
		return it.NameZh
	}
	return ""
}

// view discloses a need by the caller's role; the one place where need
// fields are chosen for a reader.
func (h *needHandlers) view(p domain.Principal, n domain.Need) any {
	if p.Role == domain.RoleCoordinator && p.CanSeePlace(n.Place) {
		return NeedResponse{Need: n, CategoryName: h.categoryName(n.Item)}
	}
	return NeutralNeedResponse{ID: n.ID, Item: n.Item, CategoryName: h.categoryName(n.Item), NeutralNote: n.NeutralNote,
		Place: communityOf(n.Place), Urgency: n.Urgency, PreferredTime: n.PreferredTime, State: n.State, CreatedAt: n.CreatedAt}
}

// needReaders are the roles that may read needs (each in its own view).
func needReaders() []domain.Role {
	return []domain.Role{domain.RoleCoordinator, domain.RoleNGO, domain.RoleUnit, domain.RoleEnterprise}
}

// list answers needs: coordinators their place (full), providers open needs
// anywhere or in a place they name (neutral view).
func (h *needHandlers) list(c *fiber.Ctx) error {
	p, err := authorize(c, "", needReaders()...)
	if err != nil {
		return err
	}
	f := store.NeedFilter{Within: c.Query("place"), State: domain.NeedState(c.Query("state")), Item: c.Query("item"), After: c.Query("cursor")}
	if p.Role == domain.RoleCoordinator && f.Within == "" {
		f.Within = p.Place
	}
	var pr domain.Problems
	if f.Within != "" && domain.PlaceLevelOf(f.Within) == "" {
		pr.Add("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	if f.State != "" && !f.State.Valid() {
		pr.Add("state", "enum", "状态无效 / unknown state")
	}
	if f.Item != "" && !h.catalogue.Has(f.Item) {
		pr.Add("item", "exists", "服务目录中没有此项 / unknown catalogue item")
	}
	f.Limit = pageLimit(c, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	if p.Role == domain.RoleCoordinator {
		if err := p.Authorize(f.Within, domain.RoleCoordinator); err != nil {
			return err
		}
	} else if f.State == "" {
		f.State = domain.NeedOpen // providers see what still needs help
	}
	needs, next, err := h.needs.ListNeeds(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]any, len(needs))
	for i, n := range needs {
		items[i] = h.view(p, n)
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// get answers one need, disclosed by role. Coordinators outside its place
// get 404.
func (h *needHandlers) get(c *fiber.Ctx) error {
	p, err := authorize(c, "", needReaders()...)
	if err != nil {
		return err
	}
	n, err := h.needs.Need(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if p.Role == domain.RoleCoordinator && !p.CanSeePlace(n.Place) {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return c.JSON(h.view(p, n))
}

type createNeedRequest struct {
	HouseholdID   string             `json:"household_id"`
	MemberID      string             `json:"member_id"`
	Item          string             `json:"item"`
	OwnWords      string             `json:"own_words"`
	NeutralNote   string             `json:"neutral_note"`
	Urgency       domain.Urgency     `json:"urgency"`
	PreferredTime string             `json:"preferred_time"`
	Channel       domain.NeedChannel `json:"channel"`
}

// create files a need for a member of a household in the caller's place.
func (h *needHandlers) create(c *fiber.Ctx) error {
	var req createNeedRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return err
	}
	if req.HouseholdID == "" {
		return domain.Invalid("household_id", "required", "请选择家庭档案 / household_id is required")
	}
	hh, err := h.needs.Household(c.UserContext(), req.HouseholdID)
	if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && !p.CanSeePlace(hh.Place) {
		return domain.Invalid("household_id", "exists", "您的辖区内没有此家庭档案 / no such household in your place")
	}
	if err != nil {
		return err
	}
	if _, ok := hh.Member(req.MemberID); !ok {
		return domain.Invalid("member_id", "exists", "该家庭没有此成员 / no such member")
	}
	n := domain.Need{HouseholdID: hh.ID, MemberID: req.MemberID, Place: hh.Place, Item: req.Item, OwnWords: req.OwnWords,
		NeutralNote: req.NeutralNote, Urgency: req.Urgency, PreferredTime: req.PreferredTime, Channel: req.Channel,
		State: domain.NeedOpen, CreatedBy: p.Username, CreatedAt: h.now().UTC(), Version: 1}
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return err
	}
	if err := n.Validate(tree, h.catalogue, h.now()); err != nil {
		return err
	}
	if err := h.needs.CreateNeed(c.UserContext(), &n); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(h.view(p, n))
}

type closeNeedRequest struct {
	Reason domain.CloseReason `json:"reason"`
}

// close ends a need without service, with a reason.
func (h *needHandlers) close(c *fiber.Ctx) error {
	var req closeNeedRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return err
	}
	if !req.Reason.Valid() {
		return domain.Invalid("reason", "enum", "关闭原因无效 / unknown close reason")
	}
	n, err := h.needs.Need(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !p.CanSeePlace(n.Place) {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	n, err = h.needs.TransitionNeed(c.UserContext(), n.ID, n.State, domain.NeedClosed, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(h.view(p, n))
}

// catalogue answers the service catalogue to every signed-in user.
func (h *needHandlers) listCatalogue(c *fiber.Ctx) error {
	if _, err := authorize(c, "", anyRole()...); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": h.catalogue.All(), "next_cursor": ""})
}
