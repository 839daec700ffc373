package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// OfferingStore is what the offering and job endpoints need.
type OfferingStore interface {
	Provider(ctx context.Context, id string) (domain.Provider, error)
	CreateOffering(ctx context.Context, o *domain.Offering) error
	Offering(ctx context.Context, id string) (domain.Offering, error)
	ListOfferings(ctx context.Context, f store.OfferingFilter) ([]domain.Offering, string, error)
	UpdateOffering(ctx context.Context, o *domain.Offering, expectedVersion int64) error
	CreateJob(ctx context.Context, j *domain.JobOpening) error
	Job(ctx context.Context, id string) (domain.JobOpening, error)
	ListJobs(ctx context.Context, f store.JobFilter) ([]domain.JobOpening, string, error)
	UpdateJob(ctx context.Context, j *domain.JobOpening, expectedVersion int64) error
}

// Notifier wakes the search index worker after a write; the worker finds
// the change through the record's dirty flag, so a lost wake-up only delays.
type Notifier interface{ Notify() }

type noNotify struct{}

func (noNotify) Notify() {}

// supplyHandlers serve the supply list: offerings (NGOs, units, enterprises)
// and job openings (enterprises, units). Everyone signed in reads them; a
// provider account writes only its own; an admin may write any.
type supplyHandlers struct {
	store     OfferingStore
	places    *placeTree
	catalogue *domain.Catalogue
	index     Notifier
	now       func() time.Time
}

// ownerFor returns the provider a write acts for: the caller's own, or for
// an admin the one named in the body. The provider must exist.
func (h *supplyHandlers) ownerFor(c *fiber.Ctx, p domain.Principal, named, field string) (domain.Provider, error) {
	id := p.ProviderID
	if p.Role == domain.RoleAdmin {
		id = named
	} else if named != "" && named != p.ProviderID {
		return domain.Provider{}, domain.Invalid(field, "forbidden", "只能为本机构发布 / you may publish only for your own organisation")
	}
	if id == "" {
		return domain.Provider{}, domain.Invalid(field, "required", "请指定服务方 / name the provider")
	}
	pr, err := h.store.Provider(c.UserContext(), id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return pr, domain.Invalid(field, "exists", "服务方不存在 / no such provider")
	}
	if err == nil && pr.Verification == domain.VerificationSuspended {
		// A suspended organisation publishes nothing new until an admin
		// restores it (pending ones may: they stay hidden until verified).
		return pr, domain.Errorf(domain.EFORBIDDEN, "机构已被暂停，不能发布新的服务或岗位 / a suspended provider cannot publish")
	}
	return pr, err
}

// owns reports whether the caller may change a record of providerID.
func owns(p domain.Principal, providerID string) bool {
	return p.Role == domain.RoleAdmin || p.ProviderID != "" && p.ProviderID == providerID
}

func (h *supplyHandlers) placesTree(c *fiber.Ctx) (*domain.Places, error) {
	return h.places.get(c.UserContext())
}

// listFilter reads the filters offerings and jobs share.
func listFilter(c *fiber.Ctx, cat *domain.Catalogue, pr *domain.Problems) (place, item string, limit int) {
	place, item = c.Query("place"), c.Query("item")
	if place != "" && domain.PlaceLevelOf(place) == "" {
		pr.Add("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	if item != "" && !cat.Has(item) {
		pr.Add("item", "exists", "服务目录中没有此项 / unknown catalogue item")
	}
	return place, item, pageLimit(c, pr)
}

// mine reads ?mine=true: a provider account's own records only.
func mine(c *fiber.Ctx, p domain.Principal) string {
	if c.QueryBool("mine") && p.ProviderID != "" {
		return p.ProviderID
	}
	return c.Query("provider")
}

func (h *supplyHandlers) listOfferings(c *fiber.Ctx) error {
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	var pr domain.Problems
	place, item, limit := listFilter(c, h.catalogue, &pr)
	status := domain.OfferingStatus(c.Query("status"))
	if status != "" && !status.Valid() {
		pr.Add("status", "enum", "状态须为 active、paused 或 closed / unknown status")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	items, next, err := h.store.ListOfferings(c.UserContext(), store.OfferingFilter{
		ProviderID: mine(c, p), Item: item, Status: status, Within: place, After: c.Query("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

func (h *supplyHandlers) getOffering(c *fiber.Ctx) error { return readable(c, h.store.Offering) }

// createOffering publishes an offering; its whole capacity is left at first.
func (h *supplyHandlers) createOffering(c *fiber.Ctx) error {
	var in domain.Offering
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleAdmin, domain.RoleNGO, domain.RoleUnit, domain.RoleEnterprise)
	if err != nil {
		return err
	}
	prov, err := h.ownerFor(c, p, in.ProviderID, "provider_id")
	if err != nil {
		return err
	}
	if !prov.Kind.Organisation() {
		return domain.Invalid("provider_id", "kind", "志愿者通过任务提供服务，不发布服务项目 / volunteers serve through tasks")
	}
	in.ID, in.ProviderID, in.Version, in.CreatedAt, in.UpdatedAt = "", prov.ID, 0, time.Time{}, time.Time{}
	in.Left = in.Capacity
	if in.Status == "" {
		in.Status = domain.OfferingActive
	}
	if in.ValidFrom.IsZero() {
		in.ValidFrom = h.now().UTC().Truncate(24 * time.Hour)
	}
	tree, err := h.placesTree(c)
	if err != nil {
		return err
	}
	if err := in.Validate(tree, h.catalogue, h.now()); err != nil {
		return err
	}
	if err := h.store.CreateOffering(c.UserContext(), &in); err != nil {
		return err
	}
	h.index.Notify()
	return c.Status(fiber.StatusCreated).JSON(in)
}

// updateOffering replaces an offering at the version the caller read. The
// capacity left is not the caller's to set: referrals take and return it, so
// a change of capacity moves it by the same amount, within 0..capacity.
func (h *supplyHandlers) updateOffering(c *fiber.Ctx) error {
	var in domain.Offering
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleAdmin, domain.RoleNGO, domain.RoleUnit, domain.RoleEnterprise)
	if err != nil {
		return err
	}
	old, err := h.store.Offering(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !owns(p, old.ProviderID) {
		return domain.Errorf(domain.EFORBIDDEN, "只能修改本机构的服务 / you may edit only your own offerings")
	}
	if in.Version < 1 {
		return domain.Invalid("version", "required", "请提供读取时的版本号 / send the version you read")
	}
	if in.ProviderID != "" && in.ProviderID != old.ProviderID {
		return domain.Invalid("provider_id", "immutable", "服务方不能修改 / the provider cannot change")
	}
	version := in.Version
	in.ID, in.ProviderID, in.CreatedAt, in.Version = old.ID, old.ProviderID, old.CreatedAt, old.Version
	in.Left = min(max(old.Left+in.Capacity-old.Capacity, 0), max(in.Capacity, 0))
	tree, err := h.placesTree(c)
	if err != nil {
		return err
	}
	if err := in.Validate(tree, h.catalogue, h.now()); err != nil {
		return err
	}
	if err := h.store.UpdateOffering(c.UserContext(), &in, version); err != nil {
		return err
	}
	h.index.Notify()
	return c.JSON(in)
}

func (h *supplyHandlers) listJobs(c *fiber.Ctx) error {
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	var pr domain.Problems
	place, item, limit := listFilter(c, h.catalogue, &pr)
	status := domain.JobStatus(c.Query("status"))
	if status != "" && status != domain.JobOpen && status != domain.JobFilled && status != domain.JobClosed {
		pr.Add("status", "enum", "岗位状态须为 open、filled 或 closed / unknown status")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	items, next, err := h.store.ListJobs(c.UserContext(), store.JobFilter{
		EnterpriseID: mine(c, p), Item: item, Status: status, Within: place, After: c.Query("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

func (h *supplyHandlers) getJob(c *fiber.Ctx) error { return readable(c, h.store.Job) }

// readable answers the record named in the path to any signed-in user (the
// supply list is public to them).
func readable[T any](c *fiber.Ctx, get func(context.Context, string) (T, error)) error {
	if _, err := authorize(c, "", anyRole()...); err != nil {
		return err
	}
	v, err := get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// createJob posts a job opening for the caller's enterprise or unit.
func (h *supplyHandlers) createJob(c *fiber.Ctx) error {
	var in domain.JobOpening
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleAdmin, domain.RoleEnterprise, domain.RoleUnit)
	if err != nil {
		return err
	}
	prov, err := h.ownerFor(c, p, in.EnterpriseID, "enterprise_id")
	if err != nil {
		return err
	}
	if prov.Kind != domain.ProviderEnterprise && prov.Kind != domain.ProviderUnit {
		return domain.Invalid("enterprise_id", "kind", "只有企业和驻地单位可以发布岗位 / only enterprises and units post jobs")
	}
	in.ID, in.EnterpriseID, in.Version, in.CreatedAt, in.UpdatedAt, in.Hired = "", prov.ID, 0, time.Time{}, time.Time{}, 0
	if in.Status == "" {
		in.Status = domain.JobOpen
	}
	tree, err := h.placesTree(c)
	if err != nil {
		return err
	}
	if err := in.Validate(tree, h.catalogue, h.now()); err != nil {
		return err
	}
	if err := h.store.CreateJob(c.UserContext(), &in); err != nil {
		return err
	}
	h.index.Notify()
	return c.Status(fiber.StatusCreated).JSON(in)
}

// updateJob replaces a job opening at the version the caller read.
func (h *supplyHandlers) updateJob(c *fiber.Ctx) error {
	var in domain.JobOpening
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleAdmin, domain.RoleEnterprise, domain.RoleUnit)
	if err != nil {
		return err
	}
	old, err := h.store.Job(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !owns(p, old.EnterpriseID) {
		return domain.Errorf(domain.EFORBIDDEN, "只能修改本单位的岗位 / you may edit only your own openings")
	}
	if in.Version < 1 {
		return domain.Invalid("version", "required", "请提供读取时的版本号 / send the version you read")
	}
	if in.EnterpriseID != "" && in.EnterpriseID != old.EnterpriseID {
		return domain.Invalid("enterprise_id", "immutable", "用人单位不能修改 / the employer cannot change")
	}
	version := in.Version
	in.ID, in.EnterpriseID, in.CreatedAt, in.Version, in.Hired = old.ID, old.EnterpriseID, old.CreatedAt, old.Version, old.Hired
	tree, err := h.placesTree(c)
	if err != nil {
		return err
	}
	if err := in.Validate(tree, h.catalogue, h.now()); err != nil {
		return err
	}
	if in.Status == domain.JobOpen && in.Openings <= old.Hired {
		return domain.Invalid("openings", "hired", fmt.Sprintf("已录用%d人，继续招聘须多于%d个岗位 / %d hired already: an open job needs more openings",
			old.Hired, old.Hired, old.Hired))
	}
	if err := h.store.UpdateJob(c.UserContext(), &in, version); err != nil {
		return err
	}
	h.index.Notify()
	return c.JSON(in)
}
