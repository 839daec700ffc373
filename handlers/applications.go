package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// ApplicationStore is what job candidates, applications, consents and the
// employment ledger need.
type ApplicationStore interface {
	ConsentStore
	Job(ctx context.Context, id string) (domain.JobOpening, error)
	Proposal(ctx context.Context, id string) (store.Proposal, error)
	JobCandidates(ctx context.Context, jobID, within string) ([]store.Candidate, error)
	CreateApplication(ctx context.Context, a *store.Application) (created bool, err error)
	Application(ctx context.Context, id string) (store.Application, error)
	ListApplications(ctx context.Context, f store.ApplicationFilter) ([]store.Application, string, error)
	MoveApplication(ctx context.Context, a store.Application, m store.ApplicationMove) (store.Application, error)
	SyncApplication(ctx context.Context, id string) error
	HouseholdsByID(ctx context.Context, ids []string) (map[string]domain.Household, error)
	ApplicationAvailability(ctx context.Context, needIDs []string) (map[string]string, error)
}

// registerApplications adds job candidates, applications, consents and the
// employment ledger (handlers/consents.go).
func registerApplications(api fiber.Router, d Deps, tree *placeTree, hh *householdHandlers) {
	h := &applicationHandlers{store: d.Applications, places: tree, disclosure: domain.NewDisclosure(), log: d.Logger, now: d.Now}
	api.Get("/jobs/:id/candidates", h.candidates)
	api.Get("/applications", h.list)
	api.Post("/applications", h.create)
	api.Get("/applications/:id", h.get)
	api.Post("/applications/:id/interview", h.employerMove(domain.ApplicationInterview))
	api.Post("/applications/:id/hire", h.employerMove(domain.ApplicationHired))
	api.Post("/applications/:id/reject", h.employerMove(domain.ApplicationRejected))
	api.Post("/applications/:id/withdraw", h.withdraw)
	ch := &consentHandlers{store: d.Applications, households: hh, now: d.Now}
	api.Get("/households/:id/consents", ch.get)
	api.Post("/households/:id/consents", ch.record)
	api.Post("/households/:id/do-not-contact", ch.doNotContact)
	api.Get("/households/:id/employment", ch.employment)
	api.Post("/households/:id/review/clear", ch.clearReview)
}

// employerRoles post jobs and so decide applications.
func employerRoles() []domain.Role { return []domain.Role{domain.RoleEnterprise, domain.RoleUnit} }

// applicationHandlers serve job candidates and applications. Coordinators of
// the household's place see everything; an employer sees only its own jobs'
// candidates and applications, field by field from the disclosure table.
type applicationHandlers struct {
	store      ApplicationStore
	places     *placeTree
	disclosure *domain.Disclosure
	log        *slog.Logger
	now        func() time.Time
}

// candidate is what a view of a candidate or an application is built from.
type candidate struct {
	stage        domain.Stage
	household    *domain.Household
	memberID     string
	availability string
	proposal     *store.Proposal
	application  *store.Application
}

// view discloses a candidate or an application: the one place where their
// fields are chosen for a reader, from the disclosure table. An employer
// never sees why someone is a candidate, nor their household's facts.
func (h *applicationHandlers) view(c *fiber.Ctx, p domain.Principal, x candidate) (fiber.Map, error) {
	out := fiber.Map{}
	if x.proposal != nil {
		out["proposal_id"] = x.proposal.ID
	}
	if a := x.application; a != nil {
		out["id"] = a.ID
	}
	v := domain.ViewerOf(p.Role, x.stage, domain.SubjectCandidate, x.household, x.memberID)
	if p.Role == domain.RoleCoordinator {
		v = domain.ViewerOf(p.Role, domain.StageNone, domain.SubjectCandidate, nil, "")
	}
	var m domain.Member
	if x.household != nil {
		m, _ = x.household.Member(x.memberID)
	}
	for _, f := range h.disclosure.Fields(v, domain.SubjectCandidate) {
		switch f {
		case domain.FieldCandidateResident:
			out["candidate"] = domain.MaskResidentName(m.Name, m.Gender, m.BirthYear, h.now())
		case domain.FieldCandidateSkills:
			out["skills"] = append([]string{}, m.Skills...)
		case domain.FieldCandidateAvailability:
			out["availability"] = x.availability
		case domain.FieldCandidatePlace:
			if x.household != nil {
				name, err := h.communityName(c, x.household.Place)
				if err != nil {
					return nil, err
				}
				out["community"], out["community_name"] = communityOf(x.household.Place), name
			}
		case domain.FieldCandidateApplication:
			if a := x.application; a != nil {
				out["job_id"], out["job_title"], out["state"] = a.JobID, a.JobTitle, a.State
				out["applied_at"], out["updated_at"], out["version"] = a.AppliedAt, a.UpdatedAt, a.Version
				if a.WageFen > 0 {
					out["wage_fen"] = a.WageFen
				}
			}
		case domain.FieldCandidateContact:
			out["name"], out["phone"] = m.Name, m.Phone
		case domain.FieldCandidateWhy:
			if pr := x.proposal; pr != nil {
				out["score"], out["factors"] = pr.Score, pr.Factors
			}
		case domain.FieldCandidateHousehold:
			out["member_id"] = x.memberID
			if x.household != nil {
				out["household_id"] = x.household.ID
			}
			if a := x.application; a != nil {
				out["household_id"], out["need_id"], out["proposal_id"], out["note"] = a.HouseholdID, a.NeedID, a.ProposalID, a.Note
				out["history"], out["created_by"], out["synced"] = a.History, a.CreatedBy, a.Synced
			}
			if pr := x.proposal; pr != nil {
				out["need_id"] = pr.NeedID
			}
		}
	}
	return out, nil
}

// communityName is the name of the community a place lies in ("" when the
// tree does not know it).
func (h *applicationHandlers) communityName(c *fiber.Ctx, place string) (string, error) {
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return "", err
	}
	pl, _ := tree.Get(communityOf(place))
	return pl.Name, nil
}

// candidateScope reads the job in the path for its employer (another's job
// is not found) or a coordinator.
func (h *applicationHandlers) candidateScope(c *fiber.Ctx) (domain.Principal, string, error) {
	p, err := authorize(c, "", append(employerRoles(), domain.RoleCoordinator)...)
	if err != nil {
		return p, "", err
	}
	job, err := h.store.Job(c.UserContext(), c.Params("id"))
	if err != nil {
		return p, "", err
	}
	if p.Role != domain.RoleCoordinator && (p.ProviderID == "" || job.EnterpriseID != p.ProviderID) {
		return p, "", domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return p, job.ID, nil
}

// candidates answers the standing proposals of a job whose member consents
// to employers (a coordinator: those of their place).
func (h *applicationHandlers) candidates(c *fiber.Ctx) error {
	p, jobID, err := h.candidateScope(c)
	if err != nil {
		return err
	}
	within := ""
	if p.Role == domain.RoleCoordinator {
		within = p.Place
	}
	cs, err := h.store.JobCandidates(c.UserContext(), jobID, within)
	if err != nil {
		return err
	}
	items := make([]fiber.Map, 0, len(cs))
	for i := range cs {
		cd := &cs[i]
		item, err := h.view(c, p, candidate{stage: domain.StageNone, household: &cd.Household, memberID: cd.Proposal.MemberID,
			availability: cd.Availability, proposal: &cd.Proposal})
		if err != nil {
			return err
		}
		items = append(items, item)
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": ""})
}

// views discloses applications to the caller, with their households and
// availability read in bulk.
func (h *applicationHandlers) views(c *fiber.Ctx, p domain.Principal, as []store.Application) ([]fiber.Map, error) {
	var hhIDs, needIDs []string
	for _, a := range as {
		hhIDs, needIDs = append(hhIDs, a.HouseholdID), append(needIDs, a.NeedID)
	}
	hhs, err := h.store.HouseholdsByID(c.UserContext(), hhIDs)
	if err != nil {
		return nil, err
	}
	times, err := h.store.ApplicationAvailability(c.UserContext(), needIDs)
	if err != nil {
		return nil, err
	}
	items := make([]fiber.Map, 0, len(as))
	for i := range as {
		a := &as[i]
		var hh *domain.Household
		if x, ok := hhs[a.HouseholdID]; ok {
			hh = &x
		}
		item, err := h.view(c, p, candidate{stage: domain.ApplicationStage(a.State), household: hh, memberID: a.MemberID,
			availability: times[a.NeedID], application: a})
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	return items, nil
}

// list answers a page of applications: an employer's own jobs' (?job=,
// ?state=), or a coordinator's place's (?place=, ?job=, ?state=,
// ?household=).
func (h *applicationHandlers) list(c *fiber.Ctx) error {
	p, err := authorize(c, "", append(employerRoles(), domain.RoleCoordinator)...)
	if err != nil {
		return err
	}
	f := store.ApplicationFilter{JobID: c.Query("job"), State: domain.ApplicationState(c.Query("state")), After: c.Query("cursor")}
	var pr domain.Problems
	if f.State != "" && !f.State.Valid() {
		pr.Add("state", "enum", "状态须为 applied、interview、hired、rejected 或 withdrawn / unknown state")
	}
	f.Limit = pageLimit(c, &pr)
	if p.Role == domain.RoleCoordinator {
		f.HouseholdID = c.Query("household")
	} else if c.Query("household") != "" {
		pr.Add("household", "forbidden", "用人单位不能按家庭查询 / employers cannot filter by household")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	if p.Role == domain.RoleCoordinator {
		if f.Within, err = coordinatorPlace(c); err != nil {
			return err
		}
	} else if f.EnterpriseID = p.ProviderID; f.EnterpriseID == "" {
		return domain.Errorf(domain.EFORBIDDEN, "账号未绑定用人单位 / this account has no employer")
	}
	as, next, err := h.store.ListApplications(c.UserContext(), f)
	if err != nil {
		return err
	}
	items, err := h.views(c, p, as)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// load reads the application in the path for its job's employer or a
// coordinator of its household's place; anyone else gets not found.
func (h *applicationHandlers) load(c *fiber.Ctx, roles ...domain.Role) (domain.Principal, store.Application, error) {
	p, err := authorize(c, "", roles...)
	if err != nil {
		return p, store.Application{}, err
	}
	a, err := h.store.Application(c.UserContext(), c.Params("id"))
	if err != nil {
		return p, a, err
	}
	mine := p.Role == domain.RoleCoordinator && p.CanSeePlace(a.Place) ||
		p.Role != domain.RoleCoordinator && p.ProviderID != "" && a.EnterpriseID == p.ProviderID
	if !mine {
		return p, store.Application{}, domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return p, a, nil
}

func (h *applicationHandlers) get(c *fiber.Ctx) error {
	p, a, err := h.load(c, append(employerRoles(), domain.RoleCoordinator)...)
	if err != nil {
		return err
	}
	return h.answer(c, p, a, fiber.StatusOK)
}

// answer discloses one application to the caller.
func (h *applicationHandlers) answer(c *fiber.Ctx, p domain.Principal, a store.Application, status int) error {
	items, err := h.views(c, p, []store.Application{a})
	if err != nil {
		return err
	}
	return c.Status(status).JSON(items[0])
}

type createApplicationRequest struct {
	JobID       string `json:"job_id"`
	HouseholdID string `json:"household_id"`
	MemberID    string `json:"member_id"`
	ProposalID  string `json:"proposal_id"`
	Note        string `json:"note"`
}

// create files an application on the resident's behalf: from a job proposal
// (which it accepts; a retry answers 200 with the application made) or by
// hand. The member must consent to employers.
func (h *applicationHandlers) create(c *fiber.Ctx) error {
	var req createApplicationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return err
	}
	a := store.Application{CreatedBy: p.Username, ProposalID: req.ProposalID, JobApplication: domain.JobApplication{
		JobID: req.JobID, HouseholdID: req.HouseholdID, MemberID: req.MemberID, Note: req.Note}}
	if req.ProposalID != "" {
		if err := h.fromProposal(c, p, req, &a); err != nil {
			return err
		}
	} else if err := h.checkHousehold(c, p, req); err != nil {
		return err
	}
	created, err := h.store.CreateApplication(c.UserContext(), &a)
	if err != nil {
		return err
	}
	h.sync(c, &a)
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return h.answer(c, p, a, status)
}

// fromProposal fills the application from a job proposal of the caller's
// place that is still proposed, or answers the application made from it.
func (h *applicationHandlers) fromProposal(c *fiber.Ctx, p domain.Principal, req createApplicationRequest, a *store.Application) error {
	if req.JobID != "" || req.HouseholdID != "" || req.MemberID != "" {
		return domain.Invalid("proposal_id", "exclusive", "proposal_id 与 job_id/household_id/member_id 只能二选一 / give a proposal or a job and member, not both")
	}
	pr, err := h.store.Proposal(c.UserContext(), req.ProposalID)
	if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && !p.CanSeePlace(pr.Place) {
		return domain.Invalid("proposal_id", "exists", "您的辖区内没有此建议 / no such proposal in your place")
	}
	if err != nil {
		return err
	}
	if pr.Target != domain.TargetJob {
		return domain.Invalid("proposal_id", "target", "此建议不是岗位建议 / not a job proposal")
	}
	if pr.State != domain.ProposalProposed {
		if _, err := h.store.Application(c.UserContext(), store.ApplicationIDFor(pr.ID)); err != nil {
			return domain.Errorf(domain.ECONFLICT, "建议已处理 / the proposal is no longer proposed")
		}
	}
	a.JobID, a.HouseholdID, a.MemberID, a.NeedID = pr.TargetID, pr.HouseholdID, pr.MemberID, pr.NeedID
	return nil
}

// checkHousehold requires a household of the caller's place.
func (h *applicationHandlers) checkHousehold(c *fiber.Ctx, p domain.Principal, req createApplicationRequest) error {
	if req.HouseholdID == "" {
		return domain.Invalid("household_id", "required", "请选择家庭档案 / household_id is required")
	}
	hh, err := h.store.Household(c.UserContext(), req.HouseholdID)
	if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && !p.CanSeePlace(hh.Place) {
		return domain.Invalid("household_id", "exists", "您的辖区内没有此家庭档案 / no such household in your place")
	}
	return err
}

// sync carries out what the application's change implies. A failure is
// logged, not answered: the change stands and the sweeper repairs the rest.
func (h *applicationHandlers) sync(c *fiber.Ctx, a *store.Application) {
	if err := h.store.SyncApplication(c.UserContext(), a.ID); err != nil {
		h.log.Warn("sync application; the sweeper will repair it", "application", a.ID, "err", err.Error())
		return
	}
	if fresh, err := h.store.Application(c.UserContext(), a.ID); err == nil {
		*a = fresh
	}
}

type applicationMoveRequest struct {
	Note string `json:"note"`
	// WageFen is the agreed monthly wage of a hire (optional).
	WageFen domain.Fen `json:"wage_fen"`
}

// move applies one guarded move made by the caller.
func (h *applicationHandlers) move(c *fiber.Ctx, to domain.ApplicationState, roles ...domain.Role) error {
	var req applicationMoveRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	if req.WageFen != 0 && to != domain.ApplicationHired {
		return domain.Invalid("wage_fen", "forbidden", "只有录用时可填写月薪 / a wage goes with a hire")
	}
	if len([]rune(req.Note)) > 500 {
		return domain.Invalid("note", "length", "备注最多500字 / note at most 500 characters")
	}
	p, a, err := h.load(c, roles...)
	if err != nil {
		return err
	}
	a, err = h.store.MoveApplication(c.UserContext(), a, store.ApplicationMove{To: to, By: p.Username, Note: req.Note, WageFen: req.WageFen})
	if err != nil {
		return err
	}
	h.sync(c, &a)
	return h.answer(c, p, a, fiber.StatusOK)
}

// employerMove is an employer's decision: interview, hire or reject.
func (h *applicationHandlers) employerMove(to domain.ApplicationState) fiber.Handler {
	return func(c *fiber.Ctx) error { return h.move(c, to, employerRoles()...) }
}

// withdraw ends an application on the resident's behalf.
func (h *applicationHandlers) withdraw(c *fiber.Ctx) error {
	return h.move(c, domain.ApplicationWithdrawn, domain.RoleCoordinator)
}
