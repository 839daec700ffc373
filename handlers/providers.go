package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// ProviderStore is what the provider endpoints need.
type ProviderStore interface {
	CreateProvider(ctx context.Context, p *domain.Provider) error
	Provider(ctx context.Context, id string) (domain.Provider, error)
	ListProviders(ctx context.Context, f store.ProviderFilter) ([]domain.Provider, string, error)
	UpdateProvider(ctx context.Context, p *domain.Provider, expectedVersion int64) error
}

// providerHandlers serve the register of social forces. Admins register and
// verify organisations; a provider account edits its own contact details and
// service area; everyone signed in may read the verified organisations.
type providerHandlers struct {
	providers ProviderStore
	places    *placeTree
	now       func() time.Time
}

// seesContacts reports whether the caller may read a provider's contact
// person and phone and, for volunteers, the record at all: admins and
// coordinators (who refer residents to them) and the provider itself.
func seesContacts(p domain.Principal, pr domain.Provider) bool {
	return p.Role == domain.RoleAdmin || p.Role == domain.RoleCoordinator || (pr.ID != "" && p.ProviderID == pr.ID)
}

// providerView discloses a provider by role: others see an organisation's
// public register entry without its contact person.
func providerView(p domain.Principal, pr domain.Provider) domain.Provider {
	if !seesContacts(p, pr) {
		pr.ContactName, pr.ContactPhone = "", ""
	}
	return pr
}

// visibleProvider reports whether the caller may see pr at all: volunteers
// are people, listed only to admins, coordinators and themselves; pending or
// suspended organisations only to admins, coordinators and themselves.
func visibleProvider(p domain.Principal, pr domain.Provider) bool {
	if seesContacts(p, pr) {
		return true
	}
	return pr.Kind.Organisation() && pr.Verification == domain.VerificationVerified
}

func (h *providerHandlers) list(c *fiber.Ctx) error {
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	f := store.ProviderFilter{Within: c.Query("place"), Kind: domain.ProviderKind(c.Query("kind")),
		Verification: domain.Verification(c.Query("verification")), After: c.Query("cursor")}
	var pr domain.Problems
	if f.Within != "" && domain.PlaceLevelOf(f.Within) == "" {
		pr.Add("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	if f.Kind != "" && !f.Kind.Valid() {
		pr.Add("kind", "enum", "类型须为 ngo、enterprise、unit 或 volunteer / unknown kind")
	}
	if f.Verification != "" && !f.Verification.Valid() {
		pr.Add("verification", "enum", "审核状态无效 / unknown verification state")
	}
	f.Limit = pageLimit(c, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	if p.Role != domain.RoleAdmin && p.Role != domain.RoleCoordinator {
		// The public register: verified organisations only.
		if f.Kind == domain.ProviderVolunteer {
			return domain.Errorf(domain.EFORBIDDEN, "无权查看志愿者名册 / your role may not list volunteers")
		}
		f.Verification = domain.VerificationVerified
	}
	list, next, err := h.providers.ListProviders(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]domain.Provider, 0, len(list))
	for _, x := range list {
		if visibleProvider(p, x) {
			items = append(items, providerView(p, x))
		}
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

func (h *providerHandlers) get(c *fiber.Ctx) error {
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	pr, err := h.providers.Provider(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !visibleProvider(p, pr) {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return c.JSON(providerView(p, pr))
}

// create registers a provider (admins). A new provider is pending unless the
// admin verifies it at once; its standing starts green with no ratings.
func (h *providerHandlers) create(c *fiber.Ctx) error {
	var in domain.Provider
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := authorize(c, "", domain.RoleAdmin); err != nil {
		return err
	}
	in.ID, in.Version, in.CreatedAt, in.UpdatedAt = "", 0, time.Time{}, time.Time{}
	in.Rating, in.RatingCount, in.Complaints = 0, 0, 0
	if in.Verification == "" {
		in.Verification = domain.VerificationPending
	}
	if in.TrafficLight == "" {
		in.TrafficLight = domain.LightGreen
	}
	in.CreditCode = domain.NormalizeUSCC(in.CreditCode)
	if err := h.validate(c, in); err != nil {
		return err
	}
	if err := h.providers.CreateProvider(c.UserContext(), &in); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(in)
}

// update replaces a provider at the version the caller read. A provider
// account may change its contacts, base place and service area; the admin
// also its verification (along the allowed moves) and traffic light.
// Ratings and complaints come from services, never from this endpoint.
func (h *providerHandlers) update(c *fiber.Ctx) error {
	var in domain.Provider
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleAdmin, domain.RoleNGO, domain.RoleUnit, domain.RoleEnterprise)
	if err != nil {
		return err
	}
	old, err := h.providers.Provider(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if p.Role != domain.RoleAdmin && p.ProviderID != old.ID {
		return domain.Errorf(domain.EFORBIDDEN, "只能修改本机构信息 / you may edit only your own organisation")
	}
	if in.Version < 1 {
		return domain.Invalid("version", "required", "请提供读取时的版本号 / send the version you read")
	}
	next := old
	next.Name, next.ContactName, next.ContactPhone, next.Place, next.Area = in.Name, in.ContactName, in.ContactPhone, in.Place, in.Area
	if p.Role == domain.RoleAdmin {
		if in.Verification != old.Verification && !domain.CanVerify(old.Verification, in.Verification) {
			return domain.Invalid("verification", "transition", "审核状态不能从 "+string(old.Verification)+" 变为 "+string(in.Verification)+" / illegal verification change")
		}
		next.Verification, next.TrafficLight = in.Verification, in.TrafficLight
	} else if in.Verification != "" && in.Verification != old.Verification || in.TrafficLight != "" && in.TrafficLight != old.TrafficLight {
		return domain.Errorf(domain.EFORBIDDEN, "审核状态和信用灯由管理员维护 / only an admin changes verification and the traffic light")
	}
	if in.Kind != "" && in.Kind != old.Kind {
		return domain.Invalid("kind", "immutable", "类型不能修改 / the kind cannot change")
	}
	if in.CreditCode != "" && domain.NormalizeUSCC(in.CreditCode) != old.CreditCode {
		return domain.Invalid("credit_code", "immutable", "统一社会信用代码不能修改 / the credit code cannot change")
	}
	if err := h.validate(c, next); err != nil {
		return err
	}
	if err := h.providers.UpdateProvider(c.UserContext(), &next, in.Version); err != nil {
		return err
	}
	return c.JSON(next)
}

func (h *providerHandlers) validate(c *fiber.Ctx, pr domain.Provider) error {
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return err
	}
	return pr.Validate(tree, h.now())
}
