package handlers

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// ReferralStore is what the referral endpoints need (referrals.go,
// referral_actions.go, proposal_actions.go): *store.DB.
type ReferralStore interface {
	CreateReferral(ctx context.Context, r *domain.Referral) error
	Referral(ctx context.Context, id string) (domain.Referral, error)
	ListReferrals(ctx context.Context, f store.ReferralFilter) ([]domain.Referral, string, error)
	FindReferrals(ctx context.Context, f store.ReferralFilter) ([]domain.Referral, error)
	MoveReferral(ctx context.Context, id string, m domain.ReferralMove, check func(domain.Referral) error) (domain.Referral, error)
	UpdateReferral(ctx context.Context, id string, change func(*domain.Referral) error, keep func(error) bool) (domain.Referral, error)
	SyncReferral(ctx context.Context, id string, cat *domain.Catalogue) error
	AddServiceRecord(ctx context.Context, rec *domain.ServiceRecord) (domain.Referral, error)
	ReferralServiceRecords(ctx context.Context, referralID string) ([]domain.ServiceRecord, error)
	VoucherLedger(ctx context.Context, householdID string, year int) (domain.VoucherLedger, domain.VoucherBalance, error)
	Proposal(ctx context.Context, id string) (store.Proposal, error)
	DecideProposal(ctx context.Context, p *domain.Proposal) error
	Need(ctx context.Context, id string) (domain.Need, error)
	Household(ctx context.Context, id string) (domain.Household, error)
	HouseholdsByID(ctx context.Context, ids []string) (map[string]domain.Household, error)
	Offering(ctx context.Context, id string) (domain.Offering, error)
	OfferingsByID(ctx context.Context, ids []string) (map[string]domain.Offering, error)
	Provider(ctx context.Context, id string) (domain.Provider, error)
	ProvidersByID(ctx context.Context, ids []string) (map[string]domain.Provider, error)
	Task(ctx context.Context, id string) (domain.Task, error)
}

// referralHandlers serve referrals (转介): coordinators accept proposals or
// dispatch by hand and follow every case; providers decide on, serve and
// complete the referrals to their offerings.
type referralHandlers struct {
	store      ReferralStore
	places     *placeTree
	catalogue  *domain.Catalogue
	book       *PolicyBook
	disclosure *domain.Disclosure
	personal   map[domain.Field]bool
	proofKey   []byte
	random     io.Reader
	log        *slog.Logger
	now        func() time.Time
}

// registerReferrals adds the referral, proposal-decision and voucher routes
// (nothing when Deps.Referrals is nil).
func registerReferrals(api fiber.Router, d Deps, tree *placeTree, book *PolicyBook) {
	if d.Referrals == nil {
		return
	}
	h := &referralHandlers{store: d.Referrals, places: tree, catalogue: d.Catalogue, book: book,
		disclosure: domain.NewDisclosure(), personal: map[domain.Field]bool{}, proofKey: d.ProofKey,
		random: rand.Reader, log: d.Logger, now: d.Now}
	for _, r := range domain.DisclosureRules() {
		h.personal[r.Field] = r.Personal
	}
	api.Post("/proposals/:id/accept", h.acceptProposal)
	api.Post("/proposals/:id/reject", h.rejectProposal)
	api.Get("/referrals", h.list)
	api.Post("/referrals", h.create)
	api.Get("/referrals/inbox", h.inbox)
	api.Get("/referrals/:id", h.get)
	api.Post("/referrals/:id/accept", h.accept)
	api.Post("/referrals/:id/decline", h.decline)
	api.Post("/referrals/:id/start", h.start)
	api.Post("/referrals/:id/services", h.addService)
	api.Post("/referrals/:id/attempts", h.attempt)
	api.Post("/referrals/:id/code", h.issueCode)
	api.Post("/referrals/:id/complete", h.complete)
	api.Post("/referrals/:id/rate", h.rate)
	api.Post("/referrals/:id/close", h.close)
	api.Post("/referrals/:id/cancel", h.cancel)
	api.Post("/referrals/:id/office-accepted", h.officeAccepted)
	api.Post("/referrals/:id/result", h.result)
	api.Get("/households/:id/vouchers", h.vouchers)
}

// providerRoles are the provider accounts that serve referrals.
func providerRoles() []domain.Role {
	return []domain.Role{domain.RoleNGO, domain.RoleEnterprise, domain.RoleUnit}
}

// referralViewer is how the caller stands to a referral; hh is its
// household (nil when unknown). Admins see what coordinators see of a case
// except the personal fields (checked in view).
func referralViewer(p domain.Principal, r domain.Referral, hh *domain.Household) domain.Viewer {
	switch p.Role {
	case domain.RoleCoordinator, domain.RoleAdmin:
		return domain.Viewer{Role: domain.RoleCoordinator, Stage: domain.StageNone}
	}
	return domain.ViewerOf(p.Role, domain.ReferralStage(r.State), domain.SubjectReferral, hh, r.MemberID)
}

// referralJoins are what a view shows beside the referral itself, read in
// bulk for a page.
type referralJoins struct {
	households map[string]domain.Household
	offerings  map[string]domain.Offering
	providers  map[string]domain.Provider
	policies   map[string]domain.Policy
	// needs are read for one referral's page only (the notes).
	needs map[string]domain.Need
}

// joins reads the households, offerings, providers and policies of rs.
func (h *referralHandlers) joins(ctx context.Context, rs []domain.Referral) (referralJoins, error) {
	var j referralJoins
	var hh, off, prov []string
	for _, r := range rs {
		hh = append(hh, r.HouseholdID)
		if r.OfferingID != "" {
			off, prov = append(off, r.OfferingID), append(prov, r.ProviderID)
		}
	}
	var err error
	if j.households, err = h.store.HouseholdsByID(ctx, hh); err != nil {
		return j, err
	}
	if j.offerings, err = h.store.OfferingsByID(ctx, off); err != nil {
		return j, err
	}
	if j.providers, err = h.store.ProvidersByID(ctx, prov); err != nil {
		return j, err
	}
	j.policies = map[string]domain.Policy{}
	if h.book != nil {
		ps, _, err := h.book.Current(ctx)
		if err != nil {
			return j, err
		}
		for _, p := range ps {
			j.policies[p.ID] = p
		}
	}
	return j, nil
}

// view discloses a referral: the one place where referral fields are chosen
// for a reader, field by field from the disclosure table.
func (h *referralHandlers) view(p domain.Principal, r domain.Referral, j referralJoins) fiber.Map {
	hh, known := j.households[r.HouseholdID]
	var v domain.Viewer
	if known {
		v = referralViewer(p, r, &hh)
	} else {
		v = referralViewer(p, r, nil)
	}
	member, _ := hh.Member(r.MemberID)
	now := h.now()
	out := fiber.Map{"id": r.ID, "target": r.Target}
	for _, f := range h.disclosure.Fields(v, domain.SubjectReferral) {
		if p.Role == domain.RoleAdmin && h.personal[f] {
			continue
		}
		switch f {
		case domain.FieldReferralItem:
			out["item"], out["item_name"], out["units"] = r.Item, itemName(h.catalogue, r.Item), r.Units
			if r.OfferingID != "" {
				out["offering_id"], out["offering_title"] = r.OfferingID, j.offerings[r.OfferingID].Title
				out["provider_id"], out["provider_name"] = r.ProviderID, j.providers[r.ProviderID].Name
			}
			if r.PolicyID != "" {
				out["policy_id"], out["policy_name"] = r.PolicyID, j.policies[r.PolicyID].NameZh
			}
		case domain.FieldReferralState:
			waited, stuck := r.Stuck(now)
			out["state"], out["stuck"], out["waited_hours"] = r.State, stuck, int(waited.Hours())
			out["created_at"], out["updated_at"], out["version"] = r.CreatedAt, r.UpdatedAt, r.Version
			if r.TaskID != "" {
				out["task_id"] = r.TaskID
			}
		case domain.FieldReferralPlace:
			out["place"] = r.Place
			if v.Role != domain.RoleCoordinator {
				out["place"] = communityOf(r.Place)
			}
		case domain.FieldReferralResident:
			out["resident"] = domain.MaskResidentName(member.Name, member.Gender, member.BirthYear, now)
		case domain.FieldReferralName:
			out["name"] = member.Name
		case domain.FieldReferralPhone:
			out["phone"] = member.Phone
		case domain.FieldReferralAddress:
			out["address"] = hh.Address
		case domain.FieldReferralHistory:
			out["history"], out["services"], out["contact_attempts"] = r.History, r.Services, nonNil(r.ContactAttempts)
		case domain.FieldReferralDecision:
			setNonEmpty(out, "decline_reason", string(r.DeclineReason))
			setNonEmpty(out, "outcome", string(r.Outcome))
			setNonEmpty(out, "result", string(r.Result))
		case domain.FieldReferralProof:
			out["code_issued"] = r.Code != nil && !r.Code.Redeemed()
			if r.Proof != nil {
				out["proof"] = r.Proof
			}
		case domain.FieldReferralRating:
			if r.Rating != nil {
				out["rating"] = r.Rating
			}
		case domain.FieldReferralVoucher:
			out["voucher_fen"], out["used_voucher_fen"] = r.VoucherFen, r.UsedVoucherFen
			if r.VoucherYear != 0 {
				out["voucher_year"] = r.VoucherYear
			}
		case domain.FieldReferralNeutralNote:
			if n, ok := j.needs[r.NeedID]; ok {
				out["neutral_note"] = n.NeutralNote
			}
		case domain.FieldReferralOwnWords:
			if n, ok := j.needs[r.NeedID]; ok {
				out["own_words"] = n.OwnWords
			}
		case domain.FieldReferralHouseholdFacts:
			out["household_id"], out["member_id"], out["created_by"] = r.HouseholdID, r.MemberID, r.CreatedBy
			setNonEmpty(out, "need_id", r.NeedID)
			setNonEmpty(out, "proposal_id", r.ProposalID)
		}
	}
	return out
}

func setNonEmpty(m fiber.Map, key, value string) {
	if value != "" {
		m[key] = value
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// views discloses a page of referrals.
func (h *referralHandlers) views(ctx context.Context, p domain.Principal, rs []domain.Referral) ([]fiber.Map, error) {
	j, err := h.joins(ctx, rs)
	if err != nil {
		return nil, err
	}
	items := make([]fiber.Map, 0, len(rs))
	for _, r := range rs {
		items = append(items, h.view(p, r, j))
	}
	return items, nil
}

// visible reads a referral the caller may see: coordinators of its place,
// admins, and its provider; anyone else gets ENOTFOUND.
func (h *referralHandlers) visible(ctx context.Context, p domain.Principal, id string) (domain.Referral, error) {
	r, err := h.store.Referral(ctx, id)
	if err != nil {
		return r, err
	}
	if !mayRead(p, r) {
		return domain.Referral{}, domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return r, nil
}

// mayRead reports whether the caller may see a referral at all.
func mayRead(p domain.Principal, r domain.Referral) bool {
	if p.Role == domain.RoleCoordinator || p.Role == domain.RoleAdmin {
		return p.CanSeePlace(r.Place)
	}
	return p.Role.IsProvider() && p.Role != domain.RoleVolunteer && p.ProviderID != "" && p.ProviderID == r.ProviderID
}

func (h *referralHandlers) get(c *fiber.Ctx) error {
	p, err := authorize(c, "", domain.RoleCoordinator, domain.RoleAdmin, domain.RoleNGO, domain.RoleEnterprise, domain.RoleUnit)
	if err != nil {
		return err
	}
	return h.answer(c, p, c.Params("id"))
}

// answer reads a referral the caller may see and answers it, with its
// need's notes and, for an offering referral, its service records.
func (h *referralHandlers) answer(c *fiber.Ctx, p domain.Principal, id string) error {
	ctx := c.UserContext()
	r, err := h.visible(ctx, p, id)
	if err != nil {
		return err
	}
	j, err := h.joins(ctx, []domain.Referral{r})
	if err != nil {
		return err
	}
	j.needs = map[string]domain.Need{}
	if r.NeedID != "" {
		need, err := h.store.Need(ctx, r.NeedID)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		j.needs[r.NeedID] = need
	}
	out := h.view(p, r, j)
	if _, shown := out["history"]; shown && r.Target == domain.TargetOffering {
		recs, err := h.store.ReferralServiceRecords(ctx, r.ID)
		if err != nil {
			return err
		}
		out["service_records"] = nonNil(recs)
	}
	return c.JSON(out)
}

// referralFilter reads the case list's filters.
func referralFilter(c *fiber.Ctx, pr *domain.Problems) store.ReferralFilter {
	f := store.ReferralFilter{Within: c.Query("place"), State: domain.ReferralState(c.Query("state")),
		Target: domain.TargetKind(c.Query("target")), ProviderID: c.Query("provider"), HouseholdID: c.Query("household"),
		NeedID: c.Query("need"), After: c.Query("cursor")}
	checkPlaceQuery(pr, f.Within)
	if f.Target != "" && domain.ReferralStates(f.Target) == nil {
		pr.Add("target", "enum", "转介对象须为 offering、volunteer_pool 或 policy / unknown target")
	}
	if f.State != "" && !knownReferralState(f.State) {
		pr.Add("state", "enum", "转介状态无效 / unknown state")
	}
	f.Limit = pageLimit(c, pr)
	return f
}

func knownReferralState(s domain.ReferralState) bool {
	for _, k := range []domain.TargetKind{domain.TargetOffering, domain.TargetPolicy, domain.TargetVolunteerPool} {
		if slices.Contains(domain.ReferralStates(k), s) {
			return true
		}
	}
	return false
}

// list answers the case list: a coordinator's place (default their own),
// any place for admins. With stuck=true the stuck cases come first, longest
// waiting first.
func (h *referralHandlers) list(c *fiber.Ctx) error {
	p, err := authorize(c, "", domain.RoleCoordinator, domain.RoleAdmin)
	if err != nil {
		return err
	}
	var pr domain.Problems
	f := referralFilter(c, &pr)
	stuckFirst := c.Query("stuck") == "true"
	if err := pr.Err(); err != nil {
		return err
	}
	if f.Within == "" && p.Role == domain.RoleCoordinator {
		f.Within = p.Place
	}
	if f.Within != "" {
		if err := p.Authorize(f.Within, p.Role); err != nil {
			return err
		}
	}
	ctx := c.UserContext()
	var rs []domain.Referral
	next := ""
	if stuckFirst {
		all, err := h.store.FindReferrals(ctx, f)
		if err != nil {
			return err
		}
		rs, next = stuckPage(all, h.now(), f.After, f.Limit)
	} else if rs, next, err = h.store.ListReferrals(ctx, f); err != nil {
		return err
	}
	items, err := h.views(ctx, p, rs)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// stuckPage orders referrals stuck first, then by waiting time (longest
// first), and returns the page after the cursor (an offset).
func stuckPage(rs []domain.Referral, now time.Time, after string, limit int) ([]domain.Referral, string) {
	slices.SortStableFunc(rs, func(a, b domain.Referral) int {
		wa, sa := a.Stuck(now)
		wb, sb := b.Stuck(now)
		switch {
		case sa != sb && sa:
			return -1
		case sa != sb:
			return 1
		case wa != wb && wa > wb:
			return -1
		case wa != wb:
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	from, _ := strconv.Atoi(after)
	from = min(max(from, 0), len(rs))
	to := min(from+limit, len(rs))
	next := ""
	if to < len(rs) {
		next = strconv.Itoa(to)
	}
	return rs[from:to], next
}

// inbox answers a provider's referrals, by default those that wait on it
// or that it serves (?state= takes a comma-separated list), oldest first.
func (h *referralHandlers) inbox(c *fiber.Ctx) error {
	p, err := authorize(c, "", providerRoles()...)
	if err != nil {
		return err
	}
	if p.ProviderID == "" {
		return domain.Errorf(domain.EFORBIDDEN, "账号未绑定服务方 / this account has no provider")
	}
	states := []domain.ReferralState{domain.ReferralAwaitingProvider, domain.ReferralAccepted, domain.ReferralInService}
	if q := c.Query("state"); q != "" {
		states = nil
		for _, s := range strings.Split(q, ",") {
			if st := domain.ReferralState(strings.TrimSpace(s)); knownReferralState(st) {
				states = append(states, st)
			} else {
				return domain.Invalid("state", "enum", "转介状态无效 / unknown state")
			}
		}
	}
	ctx := c.UserContext()
	rs, err := h.store.FindReferrals(ctx, store.ReferralFilter{ProviderID: p.ProviderID})
	if err != nil {
		return err
	}
	rs = slices.DeleteFunc(rs, func(r domain.Referral) bool { return !slices.Contains(states, r.State) })
	slices.SortFunc(rs, func(a, b domain.Referral) int { return a.CreatedAt.Compare(b.CreatedAt) })
	items, err := h.views(ctx, p, rs)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": ""})
}

// sync brings what follows a referral up to its state. A failure is logged,
// not answered: the change itself is saved, and the sweeper repairs what did
// not follow.
func (h *referralHandlers) sync(ctx context.Context, id string) {
	if err := h.store.SyncReferral(ctx, id, h.catalogue); err != nil {
		h.log.Warn("referral sync failed; the sweeper will repair it", "referral", id, "err", err.Error())
	}
}

// vouchers answers a household's voucher ledger for a year (default this
// year), granting the stages due on the way.
func (h *referralHandlers) vouchers(c *fiber.Ctx) error {
	p, err := authorize(c, "", domain.RoleCoordinator, domain.RoleAdmin)
	if err != nil {
		return err
	}
	var pr domain.Problems
	year := intParam(c, "year", domain.VoucherYear(h.now()), 2000, 2999, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	ctx := c.UserContext()
	hh, err := h.store.Household(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	if !p.CanSeePlace(hh.Place) {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	l, b, err := h.store.VoucherLedger(ctx, hh.ID, year)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"year": year, "entitled": store.VoucherEntitled(hh),
		"balance": fiber.Map{"granted": b.GrantedFen, "reserved": b.ReservedFen, "spent": b.SpentFen, "left": b.LeftFen},
		"entries": nonNil(l.Entries)})
}
