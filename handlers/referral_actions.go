package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
)

// The moves of a referral. Each is ONE guarded update through
// ReferralStore.MoveReferral (the domain decides, the store makes sure the
// referral did not change in between: a lost race is 409, state unchanged),
// then a sync of what follows it. Providers move only their own referrals,
// coordinators only those of their place (403 otherwise).

// mayWrite checks that the caller may act on a referral.
func mayWrite(p domain.Principal, r domain.Referral) error {
	if p.Role == domain.RoleCoordinator {
		if !p.CanSeePlace(r.Place) {
			return domain.Errorf(domain.EFORBIDDEN, "超出您的辖区 / outside your place")
		}
		return nil
	}
	if p.ProviderID == "" || p.ProviderID != r.ProviderID {
		return domain.Errorf(domain.EFORBIDDEN, "这不是转给您的转介 / this referral is not yours")
	}
	return nil
}

// byHand refuses a move of a volunteer-pool referral other than ending it:
// it moves with its task.
func byHand(r domain.Referral, to domain.ReferralState) error {
	if r.Target == domain.TargetVolunteerPool && to != domain.ReferralClosed && to != domain.ReferralCancelled {
		return domain.Errorf(domain.ECONFLICT, "志愿者转介随志愿任务变化 / a volunteer referral moves with its task")
	}
	return nil
}

// moveAs applies m (to, with its reasons) to the referral of the route as
// the caller, whose role must be one of ReferralMovers(m.To); check adds
// the endpoint's own conditions. It answers the referral.
func (h *referralHandlers) moveAs(c *fiber.Ctx, m domain.ReferralMove, check func(p domain.Principal, r domain.Referral) error) error {
	p, err := authorize(c, "", domain.ReferralMovers(m.To)...)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	m.By, m.At = p.Username, h.now().UTC()
	r, err := h.store.MoveReferral(ctx, c.Params("id"), m, func(r domain.Referral) error {
		if err := mayWrite(p, r); err != nil {
			return err
		}
		if err := byHand(r, m.To); err != nil {
			return err
		}
		if check != nil {
			return check(p, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	h.sync(ctx, r.ID)
	return h.answer(c, p, r.ID)
}

// accept: the provider takes the referral and one place of its offering
// (409 "no capacity left" when none is).
func (h *referralHandlers) accept(c *fiber.Ctx) error {
	return h.moveAs(c, domain.ReferralMove{To: domain.ReferralAccepted}, nil)
}

type declineRequest struct {
	Reason domain.DeclineReason `json:"reason"`
	Note   string               `json:"note"`
}

// decline: the provider declines with a reason; the place and the voucher
// are given back and the need is open again.
func (h *referralHandlers) decline(c *fiber.Ctx) error {
	var req declineRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !req.Reason.Valid() {
		return domain.Invalid("reason", "enum", "拒绝原因须为 no_capacity、not_eligible 或 cant_reach / unknown reason")
	}
	return h.moveAs(c, domain.ReferralMove{To: domain.ReferralDeclined, Decline: req.Reason, Note: req.Note}, nil)
}

// start: the service begins.
func (h *referralHandlers) start(c *fiber.Ctx) error {
	return h.moveAs(c, domain.ReferralMove{To: domain.ReferralInService}, nil)
}

type noteRequest struct {
	Note string `json:"note"`
}

// cancel: the coordinator cancels before service starts (a note is required).
func (h *referralHandlers) cancel(c *fiber.Ctx) error {
	var req noteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return h.moveAs(c, domain.ReferralMove{To: domain.ReferralCancelled, Note: req.Note}, nil)
}

type closeRequest struct {
	Outcome domain.CloseOutcome `json:"outcome"`
	Note    string              `json:"note"`
}

// close: the coordinator ends the case with an outcome.
func (h *referralHandlers) close(c *fiber.Ctx) error {
	var req closeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return h.moveAs(c, domain.ReferralMove{To: domain.ReferralClosed, Outcome: req.Outcome, Note: req.Note}, nil)
}

// officeAccepted: the office took the assisted application.
func (h *referralHandlers) officeAccepted(c *fiber.Ctx) error {
	var req noteRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	return h.moveAs(c, domain.ReferralMove{To: domain.ReferralAcceptedByOffice, Note: req.Note}, nil)
}

type resultRequest struct {
	Result domain.OfficialOutcome `json:"result"`
	Note   string                 `json:"note"`
}

// result records the office's decision; the household log gets it.
func (h *referralHandlers) result(c *fiber.Ctx) error {
	var req resultRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return h.moveAs(c, domain.ReferralMove{To: domain.ReferralResultRecorded, Result: req.Result, Note: req.Note}, nil)
}

// rateRequest is the resident's rating, in the words tasks use for it.
type rateRequest struct {
	Stars   int    `json:"stars"`
	Comment string `json:"comment"`
}

// rate records the resident's rating (1–5, else 400) of a completed service.
func (h *referralHandlers) rate(c *fiber.Ctx) error {
	var req rateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := authorize(c, "", domain.RoleCoordinator); err != nil {
		return err
	}
	rating := &domain.Rating{Stars: req.Stars, Comment: req.Comment, At: h.now().UTC(), RecordedBy: principal(c).Username}
	return h.moveAs(c, domain.ReferralMove{To: domain.ReferralRated, Rating: rating}, nil)
}

// change applies a change that keeps the state to the referral of the route
// as the caller (one of roles); keep says which errors of change still save
// it (a wrong code's counted attempt).
func (h *referralHandlers) change(c *fiber.Ctx, roles []domain.Role, change func(p domain.Principal, r *domain.Referral, now time.Time) error, keep func(error) bool) (domain.Principal, domain.Referral, error) {
	p, err := authorize(c, "", roles...)
	if err != nil {
		return p, domain.Referral{}, err
	}
	r, err := h.store.UpdateReferral(c.UserContext(), c.Params("id"), func(r *domain.Referral) error {
		if err := mayWrite(p, *r); err != nil {
			return err
		}
		return change(p, r, h.now().UTC())
	}, keep)
	return p, r, err
}

// attempt records a failed attempt to reach the resident (three allow
// closing as unreachable).
func (h *referralHandlers) attempt(c *fiber.Ctx) error {
	roles := append(providerRoles(), domain.RoleCoordinator)
	p, r, err := h.change(c, roles, func(_ domain.Principal, r *domain.Referral, now time.Time) error {
		return r.RecordAttempt(now)
	}, nil)
	if err != nil {
		return err
	}
	return h.answer(c, p, r.ID)
}

// issueCode draws the resident's one-time code for an offering referral
// accepted or in service and answers it once (only its hash is kept; a new
// code replaces the last), as for tasks (codeTTL).
func (h *referralHandlers) issueCode(c *fiber.Ctx) error {
	if len(h.proofKey) == 0 {
		return domain.Errorf(domain.EINTERNAL, "proof codes are not configured (Deps.ProofKey)")
	}
	var code string
	_, r, err := h.change(c, []domain.Role{domain.RoleCoordinator}, func(_ domain.Principal, r *domain.Referral, now time.Time) error {
		if r.Target != domain.TargetOffering || (r.State != domain.ReferralAccepted && r.State != domain.ReferralInService) {
			return domain.Errorf(domain.ECONFLICT, "转介当前为 %s，只有已接受或服务中的服务转介发放验证码 / no code in this state", r.State)
		}
		var pc domain.ProofCode
		var err error
		code, pc, err = domain.IssueProofCode(h.random, h.proofKey, r.ID, now, codeTTL)
		r.Code = &pc
		return err
	}, nil)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"referral_id": r.ID, "code": code, "expires_at": r.Code.ExpiresAt})
}

type proofRequest struct {
	Method       string `json:"method"`
	Code         string `json:"code"`
	Note         string `json:"note"`
	SignatureRef string `json:"signature_ref"`
}

type completeReferralRequest struct {
	Proof proofRequest `json:"proof"`
}

// proofMethod maps the request's method ("call" is the callback).
func proofMethod(m string) domain.ProofMethod {
	if m == "call" {
		return domain.ProofByCallback
	}
	return domain.ProofMethod(m)
}

// complete proves the service: the provider with the resident's code or
// signature, a coordinator by a follow-up call. A wrong code is 400 and
// counts an attempt (five lock it); a used, expired or locked code is 409;
// the referral stays in service either way.
func (h *referralHandlers) complete(c *fiber.Ctx) error {
	var req completeReferralRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.ReferralMovers(domain.ReferralCompleted)...)
	if err != nil {
		return err
	}
	method := proofMethod(req.Proof.Method)
	switch {
	case !method.Valid():
		return domain.Invalid("proof.method", "enum", "凭证方式须为 code、call 或 signature / unknown method")
	case p.Role == domain.RoleCoordinator && method != domain.ProofByCallback:
		return domain.Invalid("proof.method", "role", "协调员以回访确认（call）/ coordinators confirm by call")
	case p.Role != domain.RoleCoordinator && method == domain.ProofByCallback:
		return domain.Invalid("proof.method", "role", "回访确认须由协调员记录 / only a coordinator's call counts")
	}
	if method == domain.ProofByCode {
		if err := h.redeemCode(c, req.Proof.Code); err != nil {
			return err
		}
	}
	now := h.now().UTC()
	proof := &domain.Proof{Method: method, At: now, RecordedBy: p.Username, RecorderRole: p.Role,
		Note: req.Proof.Note, SignatureRef: req.Proof.SignatureRef}
	return h.moveAs(c, domain.ReferralMove{To: domain.ReferralCompleted, Proof: proof}, nil)
}

// redeemCode checks the resident's code on an in-service referral with at
// least one service record, saving a wrong code's counted attempt.
func (h *referralHandlers) redeemCode(c *fiber.Ctx, code string) error {
	if len(h.proofKey) == 0 {
		return domain.Errorf(domain.EINTERNAL, "proof codes are not configured (Deps.ProofKey)")
	}
	var codeErr error
	_, _, err := h.change(c, providerRoles(), func(_ domain.Principal, r *domain.Referral, now time.Time) error {
		if err := byHand(*r, domain.ReferralCompleted); err != nil {
			return err
		}
		if r.State != domain.ReferralInService {
			return domain.Errorf(domain.ECONFLICT, "转介当前为 %s，只有服务中的转介可以完成 / only a referral in service completes", r.State)
		}
		if r.Services == 0 {
			return domain.Invalid("services", "required", "完成服务前须至少有一条服务记录 / record a service first")
		}
		codeErr = r.Code.Redeem(h.proofKey, r.ID, code, now)
		return codeErr
	}, func(err error) bool { return err == codeErr && domain.ErrorCode(err) == domain.EINVALID })
	return err
}

type serviceRequest struct {
	Date        string `json:"date"`
	Minutes     int    `json:"minutes"`
	Units       int    `json:"units"`
	WhatWasDone string `json:"what_was_done"`
	Worker      string `json:"worker"`
}

// addService records one delivery on an in-service offering referral of
// the caller's: priced at the offering (domain.PriceService), the voucher
// paying from the referral's reservation as far as it reaches. 201 record.
func (h *referralHandlers) addService(c *fiber.Ctx) error {
	var req serviceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := authorize(c, "", providerRoles()...)
	if err != nil {
		return err
	}
	date, err := time.ParseInLocation(time.DateOnly, req.Date, domain.ChinaZone())
	if err != nil {
		return domain.Invalid("date", "format", "日期格式须为 2006-01-02 / date must be YYYY-MM-DD")
	}
	ctx := c.UserContext()
	r, err := h.store.Referral(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	if err := mayWrite(p, r); err != nil {
		return err
	}
	if r.Target != domain.TargetOffering || r.State != domain.ReferralInService {
		return domain.Errorf(domain.ECONFLICT, "只有服务中的服务转介才能记录服务（当前 %s）/ only a referral in service takes records", r.State)
	}
	o, err := h.store.Offering(ctx, r.OfferingID)
	if err != nil {
		return err
	}
	units := req.Units
	if units == 0 {
		units = 1
	}
	it, _ := h.catalogue.Get(r.Item)
	charge, err := domain.PriceService(it, o, units)
	if err != nil {
		return err
	}
	now := h.now().UTC()
	rec := domain.ServiceRecord{ReferralID: r.ID, HouseholdID: r.HouseholdID, MemberID: r.MemberID, ProviderID: r.ProviderID,
		OfferingID: r.OfferingID, Item: r.Item, Date: date.UTC(), Minutes: req.Minutes, Units: units,
		WhatWasDone: req.WhatWasDone, Worker: req.Worker, VoucherFen: min(charge.VoucherFen, r.VoucherFen-r.UsedVoucherFen),
		OtherFen: charge.OtherFen, RecordedBy: p.Username, CreatedAt: now}
	if err := rec.Validate(h.catalogue, now); err != nil {
		return err
	}
	if _, err := h.store.AddServiceRecord(ctx, &rec); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(rec)
}
