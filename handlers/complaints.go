package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// ComplaintStore is what the complaint endpoints need.
type ComplaintStore interface {
	CreateComplaint(ctx context.Context, c *domain.Complaint) error
	Complaint(ctx context.Context, id string) (domain.Complaint, error)
	ListComplaints(ctx context.Context, f store.ComplaintFilter) ([]domain.Complaint, string, error)
	MoveComplaint(ctx context.Context, c *domain.Complaint, from domain.ComplaintState, expectedVersion int64, lightPending bool) error
	ClearComplaintLightPending(ctx context.Context, id string) error
	Provider(ctx context.Context, id string) (domain.Provider, error)
	Household(ctx context.Context, id string) (domain.Household, error)
}

// ReferralLookup finds the referral a complaint arose from.
type ReferralLookup interface {
	Referral(ctx context.Context, id string) (domain.Referral, error)
}

// complaintHandlers serve complaints about providers (DOMAIN.md: residents
// and coordinators can file them; residents have no accounts, so a
// coordinator records theirs). A complaint belongs to the complaining
// household's place (or the filing coordinator's): coordinators of that
// place and admins review and decide it. An upheld complaint counts
// against the provider's traffic light at once.
type complaintHandlers struct {
	store     ComplaintStore
	referrals ReferralLookup // nil: the referral named is not checked
	keeper    *LightKeeper
	places    *placeTree
	log       *slog.Logger
	now       func() time.Time
}

// complaintRequest files a complaint.
type complaintRequest struct {
	ProviderID  string                   `json:"provider_id"`
	ReferralID  string                   `json:"referral_id"`
	HouseholdID string                   `json:"household_id"`
	Source      domain.ComplaintSource   `json:"source"`
	Category    domain.ComplaintCategory `json:"category"`
	Text        string                   `json:"text"`
	Place       string                   `json:"place"`
}

type decideRequest struct {
	Finding string `json:"finding"`
}

// ComplaintView is a complaint as its viewer may see it. Coordinators see
// everything; admins everything but the links to the resident's file
// (household and referral); the provider complained about sees what it is
// about and how it was decided, never who complained or their words.
type ComplaintView struct {
	ID          string                                      `json:"id"`
	ProviderID  string                                      `json:"provider_id"`
	ReferralID  string                                      `json:"referral_id,omitempty"`
	HouseholdID string                                      `json:"household_id,omitempty"`
	Place       string                                      `json:"place,omitempty"`
	Source      domain.ComplaintSource                      `json:"source"`
	Category    domain.ComplaintCategory                    `json:"category"`
	Text        string                                      `json:"text,omitempty"`
	State       domain.ComplaintState                       `json:"state"`
	Finding     string                                      `json:"finding,omitempty"`
	DecidedAt   time.Time                                   `json:"decided_at,omitzero"`
	FiledBy     string                                      `json:"filed_by,omitempty"`
	FiledAt     time.Time                                   `json:"filed_at"`
	History     []domain.StateChange[domain.ComplaintState] `json:"history,omitempty"`
	Version     int64                                       `json:"version"`
	// Light is the provider's light after a decision that changed it.
	Light *domain.LightResult `json:"light,omitempty"`
}

func complaintView(p domain.Principal, c domain.Complaint) ComplaintView {
	v := ComplaintView{ID: c.ID, ProviderID: c.ProviderID, Source: c.Source, Category: c.Category, State: c.State,
		Finding: c.Finding, DecidedAt: c.DecidedAt, FiledAt: c.FiledAt, Version: c.Version}
	switch p.Role {
	case domain.RoleCoordinator:
		v.ReferralID, v.HouseholdID = c.ReferralID, c.HouseholdID
		fallthrough
	case domain.RoleAdmin:
		v.Place, v.Text, v.FiledBy, v.History = c.Place, c.Text, c.FiledBy, c.History
	}
	return v
}

// create files a complaint (coordinators) for a resident of their place or
// for themselves.
func (h *complaintHandlers) create(c *fiber.Ctx) error {
	var in complaintRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cp := domain.Complaint{ProviderID: in.ProviderID, ReferralID: in.ReferralID, HouseholdID: in.HouseholdID,
		Source: in.Source, Category: in.Category, Text: in.Text, Place: in.Place}
	if cp.Source == "" {
		cp.Source = domain.ComplaintByCoordinator
		if cp.HouseholdID != "" {
			cp.Source = domain.ComplaintByResident
		}
	}
	var pr domain.Problems
	if cp.HouseholdID != "" {
		// A file outside the caller's place is reported as missing, never
		// confirmed to exist.
		hh, err := h.store.Household(ctx, cp.HouseholdID)
		switch {
		case err == nil && p.CanSeePlace(hh.Place):
			cp.Place = hh.Place
		case err == nil || domain.ErrorCode(err) == domain.ENOTFOUND:
			pr.Add("household_id", "exists", "家庭档案不存在 / no such household")
		default:
			return err
		}
	} else if cp.Place == "" {
		cp.Place = p.Place
	} else if domain.PlaceLevelOf(cp.Place) == "" {
		pr.Add("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	if _, err := h.store.Provider(ctx, cp.ProviderID); domain.ErrorCode(err) == domain.ENOTFOUND {
		pr.Add("provider_id", "exists", "服务方不存在 / no such provider")
	} else if err != nil && cp.ProviderID != "" {
		return err
	}
	if err := h.checkReferral(ctx, p, cp, &pr); err != nil {
		return err
	}
	if err := pr.Err(); err != nil {
		return err
	}
	if _, err := authorize(c, cp.Place, domain.RoleCoordinator); err != nil {
		return err
	}
	tree, err := h.places.get(ctx)
	if err != nil {
		return err
	}
	now := h.now().UTC()
	cp.File(p.Username, now)
	if err := cp.Validate(tree, now); err != nil {
		return err
	}
	if err := h.store.CreateComplaint(ctx, &cp); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(complaintView(p, cp))
}

// checkReferral checks that the referral named is the provider's and the
// household's, when referrals can be read.
func (h *complaintHandlers) checkReferral(ctx context.Context, p domain.Principal, cp domain.Complaint, pr *domain.Problems) error {
	if cp.ReferralID == "" || h.referrals == nil {
		return nil
	}
	r, err := h.referrals.Referral(ctx, cp.ReferralID)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && !p.CanSeePlace(r.Place):
		pr.Add("referral_id", "exists", "转介不存在 / no such referral")
	case err != nil:
		return err
	case r.ProviderID != cp.ProviderID || cp.HouseholdID != "" && r.HouseholdID != cp.HouseholdID:
		pr.Add("referral_id", "mismatch", "该转介不属于此服务方或此家庭 / the referral is not this provider's or household's")
	}
	return nil
}

// list answers complaints: coordinators those of their place (or ?place=
// below it), admins all, a provider account those about its provider.
// Filters: ?provider=, ?state=.
func (h *complaintHandlers) list(c *fiber.Ctx) error {
	p, err := authorize(c, "", domain.RoleAdmin, domain.RoleCoordinator, domain.RoleNGO, domain.RoleEnterprise,
		domain.RoleUnit, domain.RoleVolunteer)
	if err != nil {
		return err
	}
	f := store.ComplaintFilter{ProviderID: c.Query("provider"), State: domain.ComplaintState(c.Query("state")), After: c.Query("cursor")}
	var pr domain.Problems
	if f.State != "" && !f.State.Valid() {
		pr.Add("state", "enum", "状态须为 open、reviewed、upheld 或 dismissed / unknown state")
	}
	f.Limit = pageLimit(c, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	switch p.Role {
	case domain.RoleCoordinator:
		if f.Within, err = coordinatorPlace(c); err != nil {
			return err
		}
	case domain.RoleAdmin:
		if f.Within = c.Query("place"); f.Within != "" && domain.PlaceLevelOf(f.Within) == "" {
			return domain.Invalid("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
		}
	default:
		if p.ProviderID == "" || f.ProviderID != "" && f.ProviderID != p.ProviderID {
			return domain.Errorf(domain.EFORBIDDEN, "只能查看针对本机构的投诉 / you may see only complaints about your own organisation")
		}
		f.ProviderID = p.ProviderID
	}
	list, next, err := h.store.ListComplaints(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]ComplaintView, len(list))
	for i, x := range list {
		items[i] = complaintView(p, x)
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// get answers one complaint to those who may list it; anyone else gets 404.
func (h *complaintHandlers) get(c *fiber.Ctx) error {
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	cp, err := h.store.Complaint(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !seesComplaint(p, cp) {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return c.JSON(complaintView(p, cp))
}

func seesComplaint(p domain.Principal, c domain.Complaint) bool {
	switch p.Role {
	case domain.RoleAdmin, domain.RoleCoordinator:
		return p.CanSeePlace(c.Place)
	}
	return p.ProviderID != "" && p.ProviderID == c.ProviderID
}

// move returns the handler of one move: review (optional note), uphold or
// dismiss (a finding is required). An illegal move is 409 and changes
// nothing.
func (h *complaintHandlers) move(to domain.ComplaintState) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in decideRequest
		if len(c.Body()) > 0 {
			if err := decodeJSON(c, &in); err != nil {
				return err
			}
		}
		if _, err := authorize(c, "", domain.RoleAdmin, domain.RoleCoordinator); err != nil {
			return err
		}
		ctx := c.UserContext()
		cp, err := h.store.Complaint(ctx, c.Params("id"))
		if err != nil {
			return err
		}
		p, err := authorize(c, cp.Place, domain.RoleAdmin, domain.RoleCoordinator)
		if err != nil {
			return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
		}
		from, version := cp.State, cp.Version
		if err := cp.Move(to, p.Username, in.Finding, h.now().UTC()); err != nil {
			return err
		}
		upheld := to == domain.ComplaintUpheld
		if err := h.store.MoveComplaint(ctx, &cp, from, version, upheld); err != nil {
			return err
		}
		v := complaintView(p, cp)
		if upheld {
			v.Light = h.applyToLight(ctx, cp)
		}
		return c.JSON(v)
	}
}

// applyToLight recomputes the provider's light after an upheld complaint
// and clears the complaint's flag. A failure is logged and left flagged:
// the decision stands, and the keeper's reconciler finishes the job.
func (h *complaintHandlers) applyToLight(ctx context.Context, cp domain.Complaint) *domain.LightResult {
	res, _, err := h.keeper.Recompute(ctx, cp.ProviderID)
	if err == nil {
		err = h.store.ClearComplaintLightPending(ctx, cp.ID)
	}
	if err != nil {
		h.log.Warn("traffic light after an upheld complaint; the reconciler will retry", "complaint", cp.ID, "err", err.Error())
		return nil
	}
	return &res
}
