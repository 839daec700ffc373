package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// A referral is made two ways: a coordinator accepts a proposal of the
// matching engine, or dispatches by hand (派单). Both pass the same checks
// (build): the need open in the caller's place, the resident not "do not
// contact", the consent the target's recipients need, the offering active
// with the need's item and its provider verified and not red, the voucher
// reserved for an entitled household.

// dispatch is what a referral is made of.
type dispatch struct {
	target                                 domain.TargetKind
	needID, householdID, memberID          string
	offeringID, policyID, proposalID, note string
	units                                  int
}

type dispatchRequest struct {
	NeedID     string            `json:"need_id"`
	Target     domain.TargetKind `json:"target"`
	OfferingID string            `json:"offering_id"`
	PolicyID   string            `json:"policy_id"`
	Units      int               `json:"units"`
	Note       string            `json:"note"`
}

// create dispatches a need by hand: 201 with the referral (no proposal).
func (h *referralHandlers) create(c *fiber.Ctx) error {
	var req dispatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return err
	}
	if req.NeedID == "" {
		return domain.Invalid("need_id", "required", "请指定需求 / name the need")
	}
	ctx := c.UserContext()
	r, err := h.build(ctx, p, dispatch{target: req.Target, needID: req.NeedID, offeringID: req.OfferingID,
		policyID: req.PolicyID, units: req.Units, note: req.Note})
	if err != nil {
		return err
	}
	if err := h.store.CreateReferral(ctx, &r); err != nil {
		return err
	}
	h.sync(ctx, r.ID)
	c.Status(fiber.StatusCreated)
	return h.answer(c, p, r.ID)
}

// build makes and validates a referral from d, after every check.
func (h *referralHandlers) build(ctx context.Context, p domain.Principal, d dispatch) (domain.Referral, error) {
	now := h.now().UTC()
	r := domain.Referral{Target: d.target, ProposalID: d.proposalID, HouseholdID: d.householdID, MemberID: d.memberID}
	switch d.target {
	case domain.TargetOffering, domain.TargetVolunteerPool, domain.TargetPolicy:
	case domain.TargetJob:
		return r, domain.Errorf(domain.ECONFLICT, "岗位请通过求职申请办理 / use POST /applications with proposal_id")
	default:
		return r, domain.Invalid("target", "enum", "转介对象须为 offering、volunteer_pool 或 policy / unknown target")
	}
	if d.needID != "" {
		need, err := h.store.Need(ctx, d.needID)
		if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && !p.CanSeePlace(need.Place) {
			return r, domain.Invalid("need_id", "exists", "您的辖区内没有此需求 / no such need in your place")
		}
		if err != nil {
			return r, err
		}
		if need.State != domain.NeedOpen && need.State != domain.NeedProposed {
			return r, domain.Errorf(domain.ECONFLICT, "需求当前为 %s，只有待处理的需求可以转介 / only an open need can be referred", need.State)
		}
		r.HouseholdID, r.MemberID = need.HouseholdID, need.MemberID
		if d.target != domain.TargetPolicy {
			r.NeedID, r.Item = need.ID, need.Item
		}
	}
	hh, err := h.store.Household(ctx, r.HouseholdID)
	if err != nil {
		return r, err
	}
	if !p.CanSeePlace(hh.Place) {
		return r, domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	if r.MemberID == "" && len(hh.Members) > 0 {
		r.MemberID = hh.Members[0].ID // a policy lead concerns the household
	}
	r.Place = hh.Place
	if hh.DoNotContact {
		return r, domain.Errorf(domain.ECONFLICT, "该居民要求不被联系 / the resident asked not to be contacted")
	}
	if err := h.checkTarget(ctx, &r, hh, d, now); err != nil {
		return r, err
	}
	r.Start(p.Username, now)
	r.History[0].Note = d.note
	tree, err := h.places.get(ctx)
	if err != nil {
		return r, err
	}
	return r, r.Validate(tree, h.catalogue, now)
}

// checkTarget checks what each kind of target needs and fills it in.
func (h *referralHandlers) checkTarget(ctx context.Context, r *domain.Referral, hh domain.Household, d dispatch, now time.Time) error {
	switch d.target {
	case domain.TargetVolunteerPool:
		if r.NeedID == "" {
			return domain.Invalid("need_id", "required", "请指定需求 / name the need")
		}
		return domain.VolunteerConsent(&hh, r.MemberID)
	case domain.TargetPolicy:
		if h.book == nil {
			return domain.Invalid("policy_id", "exists", "政策目录不可用 / no policy catalogue")
		}
		ps, _, err := h.book.Current(ctx)
		if err != nil {
			return err
		}
		for _, pol := range ps {
			if pol.ID == d.policyID {
				r.PolicyID = pol.ID
				return nil
			}
		}
		return domain.Invalid("policy_id", "exists", "没有此政策 / no such policy")
	}
	if r.NeedID == "" {
		return domain.Invalid("need_id", "required", "请指定需求 / name the need")
	}
	return h.checkOffering(ctx, r, hh, d, now)
}

// checkOffering checks an offering referral: the offering active, valid and
// of the need's item; its provider verified and taking referrals; the
// member's consent to NGOs and units; the voucher's share for an entitled
// household (reserved when the referral is stored).
func (h *referralHandlers) checkOffering(ctx context.Context, r *domain.Referral, hh domain.Household, d dispatch, now time.Time) error {
	o, err := h.store.Offering(ctx, d.offeringID)
	if domain.ErrorCode(err) == domain.ENOTFOUND || d.offeringID == "" {
		return domain.Invalid("offering_id", "exists", "没有此服务 / no such offering")
	}
	if err != nil {
		return err
	}
	if !h.catalogue.Serves(r.Item, o.Item) {
		return domain.Invalid("offering_id", "item", "服务项目与需求不符（须为同一项目或相关项目）/ the offering is not for the need's item or a related one")
	}
	if o.Status != domain.OfferingActive || now.Before(o.ValidFrom) || !o.ValidTo.IsZero() && now.After(o.ValidTo) {
		return domain.Errorf(domain.ECONFLICT, "服务已暂停、关闭或不在有效期内 / the offering is not active")
	}
	prov, err := h.store.Provider(ctx, o.ProviderID)
	if err != nil {
		return err
	}
	switch {
	case prov.Verification != domain.VerificationVerified:
		return domain.Errorf(domain.ECONFLICT, "服务方未通过认证或已暂停 / the provider is not verified")
	case !prov.TrafficLight.AcceptsReferrals():
		return domain.Errorf(domain.ECONFLICT, "服务方为红灯，暂停接收转介 / a red provider takes no referrals")
	case !hh.Allows(r.MemberID, domain.RecipientNGOUnit):
		return domain.Errorf(domain.ECONFLICT, "居民未同意（或已撤回同意）向社会组织和驻地单位提供信息 / no consent to share with NGOs and units")
	}
	units := d.units
	if units == 0 {
		units = 1
	}
	it, _ := h.catalogue.Get(o.Item)
	charge, err := domain.PriceService(it, o, units)
	if err != nil {
		return err
	}
	r.OfferingID, r.ProviderID, r.Units = o.ID, o.ProviderID, units
	if charge.VoucherFen > 0 && store.VoucherEntitled(hh) {
		r.VoucherFen, r.VoucherYear = charge.VoucherFen, domain.VoucherYear(now)
	}
	return nil
}

type acceptProposalRequest struct {
	Units int    `json:"units"`
	Note  string `json:"note"`
}

// acceptProposal accepts a proposed offering, volunteer-pool or policy
// proposal and makes its referral (and, for the volunteer pool, its task):
// 201 {"proposal", "referral", "task"?}. The referral's ID derives from the
// proposal's, so two acceptances make one referral (the other is 409).
func (h *referralHandlers) acceptProposal(c *fiber.Ctx) error {
	var req acceptProposalRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	p, pr, err := h.openProposal(c)
	if err != nil {
		return err
	}
	if pr.Target == domain.TargetJob {
		return domain.Errorf(domain.ECONFLICT, "岗位建议请通过求职申请办理 / use POST /applications with proposal_id")
	}
	d := dispatch{target: pr.Target, needID: pr.NeedID, householdID: pr.HouseholdID, memberID: pr.MemberID,
		proposalID: pr.ID, units: req.Units, note: req.Note}
	if pr.Target == domain.TargetOffering {
		d.offeringID = pr.TargetID
	} else {
		d.policyID = pr.TargetID
	}
	ctx := c.UserContext()
	r, err := h.build(ctx, p, d)
	if err != nil {
		return err
	}
	r.ID = store.ReferralIDFor(pr.ID)
	if err := h.store.CreateReferral(ctx, &r); err != nil {
		return err
	}
	h.sync(ctx, r.ID)
	if r, err = h.store.Referral(ctx, r.ID); err != nil {
		return err
	}
	if r.State == domain.ReferralCancelled {
		return domain.Errorf(domain.ECONFLICT, "建议已被处理或被新一轮匹配替换 / the proposal was decided otherwise meanwhile")
	}
	return h.answerDecision(c, p, pr.ID, &r)
}

// openProposal reads the proposal of the route for a coordinator of its
// place (another place's is 404) and requires it still proposed (409).
func (h *referralHandlers) openProposal(c *fiber.Ctx) (domain.Principal, store.Proposal, error) {
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return p, store.Proposal{}, err
	}
	pr, err := h.store.Proposal(c.UserContext(), c.Params("id"))
	if err != nil {
		return p, pr, err
	}
	if !p.CanSeePlace(pr.Place) {
		return p, pr, domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	if pr.State != domain.ProposalProposed {
		return p, pr, domain.Errorf(domain.ECONFLICT, "建议已处理（%s）/ the proposal is no longer proposed", pr.State)
	}
	return p, pr, nil
}

type rejectProposalRequest struct {
	Reason domain.RejectReason `json:"reason"`
	Note   string              `json:"note"`
}

// rejectProposal rejects a proposal with a reason valid for its kind; later
// runs respect it (domain.Proposal.Blocks).
func (h *referralHandlers) rejectProposal(c *fiber.Ctx) error {
	var req rejectProposalRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, pr, err := h.openProposal(c)
	if err != nil {
		return err
	}
	dp := pr.Proposal
	if err := dp.Reject(req.Reason, req.Note, p.Username, h.now().UTC()); err != nil {
		return err
	}
	if err := h.store.DecideProposal(c.UserContext(), &dp); err != nil {
		return err
	}
	return h.answerDecision(c, p, pr.ID, nil)
}

// answerDecision answers a decided proposal: 200 with the proposal, or 201
// with the referral it made (and its task).
func (h *referralHandlers) answerDecision(c *fiber.Ctx, p domain.Principal, proposalID string, r *domain.Referral) error {
	ctx := c.UserContext()
	pr, err := h.store.Proposal(ctx, proposalID)
	if err != nil {
		return err
	}
	pv := (&matchingHandlers{catalogue: h.catalogue}).proposalView(pr)
	if r == nil {
		return c.JSON(pv)
	}
	items, err := h.views(ctx, p, []domain.Referral{*r})
	if err != nil {
		return err
	}
	out := fiber.Map{"proposal": pv, "referral": items[0]}
	if r.TaskID != "" {
		t, err := h.store.Task(ctx, r.TaskID)
		if err != nil {
			return err
		}
		out["task"] = fiber.Map{"id": t.ID, "status": t.State, "window_start": t.WindowStart, "window_end": t.WindowEnd}
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}
