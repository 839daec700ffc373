package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/store"
)

// MatchingStore is what matching runs and their proposals need.
type MatchingStore interface {
	Snapshot(ctx context.Context, within string) (store.Snapshot, error)
	CreateRun(ctx context.Context, r *store.Run) error
	StartRun(ctx context.Context, id string) error
	UpdateRunProgress(ctx context.Context, id, stage string, done, total int) error
	FinishRun(ctx context.Context, id, status string, summary store.RunSummary, errMsg string) error
	Run(ctx context.Context, id string) (store.Run, error)
	ListRuns(ctx context.Context, f store.RunFilter) ([]store.Run, string, error)
	StandingProposals(ctx context.Context, within string) ([]domain.Proposal, error)
	InsertProposals(ctx context.Context, ps []store.Proposal) (int, error)
	SupersedeServiceProposals(ctx context.Context, within, runID string) (superseded, pruned int, err error)
	SupersedeProposal(ctx context.Context, id, runID string) error
	DeleteRunProposals(ctx context.Context, runID string) error
	ListProposals(ctx context.Context, f store.ProposalFilter) ([]store.Proposal, string, error)
}

// registerMatching adds the matching runs, proposals and policy evaluations.
func registerMatching(api fiber.Router, d Deps, tree *placeTree, hh *householdHandlers, book *PolicyBook) {
	r := &runner{work: d.Work, store: d.Matching, places: tree, catalogue: d.Catalogue, book: book,
		now: d.Now, log: d.Logger, slots: make(chan struct{}, 1)}
	mh := &matchingHandlers{runs: d.Matching, places: tree, runner: r, catalogue: d.Catalogue}
	api.Post("/matching/runs", mh.create)
	api.Get("/matching/runs", mh.list)
	api.Get("/matching/runs/:id", mh.get)
	api.Get("/proposals", mh.proposals)
	eh := &evaluationHandlers{households: hh, snapshots: d.Matching, book: book, now: d.Now}
	api.Get("/households/:id/evaluation", eh.household)
	api.Get("/evaluations/near", eh.near)
}

// VoucherLefts reads what households of a place have left of the year's
// service voucher (optional on a MatchingStore: without it every entitled
// household counts the whole yearly amount).
type VoucherLefts interface {
	VoucherLeft(ctx context.Context, within string, year int) (map[string]domain.Fen, error)
}

type matchingHandlers struct {
	runs      MatchingStore
	places    *placeTree
	runner    *runner
	catalogue *domain.Catalogue
}

type createRunRequest struct {
	Place string `json:"place"`
}

// create starts a run over a place within the caller's scope (default: the
// caller's place) and answers 202 at once; the run goes on in the
// background. A run already under way over an overlapping place is 409.
func (h *matchingHandlers) create(c *fiber.Ctx) error {
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return err
	}
	var req createRunRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	if req.Place == "" {
		req.Place = p.Place
	}
	if domain.PlaceLevelOf(req.Place) == "" {
		return domain.Invalid("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	if _, err := authorize(c, req.Place, domain.RoleCoordinator); err != nil {
		return err
	}
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return err
	}
	if _, ok := tree.Get(req.Place); !ok {
		return domain.Invalid("place", "exists", "区划不存在 / no such place")
	}
	rec := store.Run{Place: req.Place, CreatedBy: p.Username}
	if err := h.runs.CreateRun(c.UserContext(), &rec); err != nil {
		return err
	}
	h.runner.start(rec)
	c.Location("/api/v1/matching/runs/" + rec.ID)
	return c.Status(fiber.StatusAccepted).JSON(runView(rec))
}

// get answers a run with its progress and summary; a run outside the
// caller's place is not found.
func (h *matchingHandlers) get(c *fiber.Ctx) error {
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return err
	}
	rec, err := h.runs.Run(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !p.CanSeePlace(rec.Place) {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return c.JSON(runView(rec))
}

// list answers the runs over places within the caller's place, newest first.
func (h *matchingHandlers) list(c *fiber.Ctx) error {
	place, err := scopedPlace(c)
	if err != nil {
		return err
	}
	var pr domain.Problems
	limit := pageLimit(c, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	runs, next, err := h.runs.ListRuns(c.UserContext(), store.RunFilter{Within: place, After: c.Query("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	items := make([]RunResponse, len(runs))
	for i, r := range runs {
		items[i] = runView(r)
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// proposals answers proposals within the caller's place (or ?place= below
// it), filtered by run, need, household, kind and state, with each score's
// factors explained.
func (h *matchingHandlers) proposals(c *fiber.Ctx) error {
	place, err := scopedPlace(c)
	if err != nil {
		return err
	}
	f := store.ProposalFilter{Within: place, RunID: c.Query("run"), NeedID: c.Query("need"), HouseholdID: c.Query("household"),
		Kind: domain.ProposalKind(c.Query("kind")), State: domain.ProposalState(c.Query("state")), After: c.Query("cursor")}
	var pr domain.Problems
	if f.Kind != "" && !f.Kind.Valid() {
		pr.Add("kind", "enum", "建议类型须为 service 或 policy / kind must be service or policy")
	}
	if f.State != "" && !f.State.Valid() {
		pr.Add("state", "enum", "建议状态无效 / unknown state")
	}
	f.Limit = pageLimit(c, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	ps, next, err := h.runs.ListProposals(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]ProposalResponse, len(ps))
	for i, p := range ps {
		items[i] = h.proposalView(p)
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// scopedPlace is coordinatorPlace for endpoints that refuse other roles
// first (403), whatever they ask for.
func scopedPlace(c *fiber.Ctx) (string, error) {
	if _, err := authorize(c, "", domain.RoleCoordinator); err != nil {
		return "", err
	}
	return coordinatorPlace(c)
}

// RunResponse is a matching run on the wire.
type RunResponse struct {
	ID        string `json:"id"`
	Place     string `json:"place"`
	CreatedBy string `json:"created_by"`
	// Status is queued, running, done or failed; Stage (loading,
	// evaluating, matching, saving) and Done of Total say how far it got.
	Status     string              `json:"status"`
	Stage      string              `json:"stage"`
	Done       int                 `json:"done"`
	Total      int                 `json:"total"`
	Summary    *RunSummaryResponse `json:"summary"`
	Error      string              `json:"error,omitempty"`
	CreatedAt  time.Time           `json:"created_at"`
	StartedAt  time.Time           `json:"started_at,omitzero"`
	FinishedAt time.Time           `json:"finished_at,omitzero"`
}

// RunSummaryResponse is what a finished run found.
type RunSummaryResponse struct {
	Households  int `json:"households"`
	Inside      int `json:"inside"`
	JustOutside int `json:"just_outside"`
	Leads       int `json:"leads"`
	NearMisses  int `json:"near_misses"`
	Needs       int `json:"needs"`
	Matched     int `json:"matched"`
	Unmatched   int `json:"unmatched"`
	// UnmatchedByReason lists the reasons in the engine's check order.
	UnmatchedByReason []ReasonCount `json:"unmatched_by_reason"`
	SkippedNeeds      int           `json:"skipped_needs"`
	Proposals         int           `json:"proposals"`
	Superseded        int           `json:"superseded"`
	Withheld          int           `json:"withheld"`
}

// ReasonCount counts unmatched needs of one reason.
type ReasonCount struct {
	Reason matching.Reason `json:"reason"`
	TextZh string          `json:"text_zh"`
	Count  int             `json:"count"`
}

func runView(r store.Run) RunResponse {
	out := RunResponse{ID: r.ID, Place: r.Place, CreatedBy: r.CreatedBy, Status: r.Status, Stage: r.Stage, Done: r.Done,
		Total: r.Total, Error: r.Error, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	if r.Status != store.RunDone {
		return out
	}
	s := r.Summary
	out.Summary = &RunSummaryResponse{Households: s.Households, Inside: s.Inside, JustOutside: s.JustOutside, Leads: s.Leads,
		NearMisses: s.NearMisses, Needs: s.Needs, Matched: s.Matched, Unmatched: s.Unmatched, SkippedNeeds: s.SkippedNeeds,
		Proposals: s.Proposals, Superseded: s.Superseded, Withheld: s.Withheld, UnmatchedByReason: []ReasonCount{}}
	for _, reason := range matching.Reasons() {
		if n := s.UnmatchedByReason[string(reason)]; n > 0 {
			out.Summary.UnmatchedByReason = append(out.Summary.UnmatchedByReason, ReasonCount{Reason: reason, TextZh: reason.Zh(), Count: n})
		}
	}
	return out
}

// ProposalResponse is a proposal as a coordinator of its place sees it.
// Explanation names each factor of the score (their values sum to Score).
type ProposalResponse struct {
	domain.Proposal
	TargetTitle  string           `json:"target_title"`
	Item         string           `json:"item,omitempty"`
	CategoryName string           `json:"category_name,omitempty"`
	Explanation  []FactorResponse `json:"explanation"`
	// Note reminds that a policy lead is not a decision.
	Note string `json:"note,omitempty"`
}

// FactorResponse is one named factor of a score.
type FactorResponse struct {
	Name    string  `json:"name"`
	LabelZh string  `json:"label_zh"`
	LabelEn string  `json:"label_en"`
	Value   float64 `json:"value"`
}

// factorLabels names the engine's score factors, in the order shown.
func factorLabels() []FactorResponse {
	return []FactorResponse{
		{Name: matching.FactorPriority, LabelZh: "优先等级（紧急程度与困难程度）", LabelEn: "priority class (urgency and vulnerability)"},
		{Name: matching.FactorCategoryFit, LabelZh: "服务项目匹配", LabelEn: "category fit"},
		{Name: matching.FactorTextRelevance, LabelZh: "需求描述相关度", LabelEn: "text relevance"},
		{Name: matching.FactorDistance, LabelZh: "距离", LabelEn: "distance"},
		{Name: matching.FactorProviderQuality, LabelZh: "服务方信用与评价", LabelEn: "provider quality"},
		{Name: matching.FactorUrgency, LabelZh: "紧急程度", LabelEn: "urgency"},
		{Name: matching.FactorVulnerability, LabelZh: "困难程度", LabelEn: "vulnerability"},
		{Name: matching.FactorContinuity, LabelZh: "服务连续性", LabelEn: "continuity"},
	}
}

func (h *matchingHandlers) proposalView(p store.Proposal) ProposalResponse {
	out := ProposalResponse{Proposal: p.Proposal, TargetTitle: p.TargetTitle, Item: p.Item, Explanation: []FactorResponse{}}
	if it, ok := h.catalogue.Get(p.Item); ok {
		out.CategoryName = it.NameZh
	}
	for _, f := range factorLabels() {
		if v, ok := p.Factors[f.Name]; ok {
			f.Value = v
			out.Explanation = append(out.Explanation, f)
		}
	}
	if p.Kind == domain.ProposalPolicy {
		out.Note = leadNoteZh
	}
	return out
}

// runner executes matching runs in the background, one at a time (a run
// fills the one write connection with bulk writes), until work ends.
type runner struct {
	work      context.Context
	store     MatchingStore
	places    *placeTree
	catalogue *domain.Catalogue
	// book is the policy catalogue; each run takes the one in force into
	// policies and params (withPolicies, handlers/policies.go).
	book     *PolicyBook
	policies []domain.Policy
	params   domain.ParamSet
	now      func() time.Time
	log      *slog.Logger
	slots    chan struct{}
}

// progressEvery bounds how often a stage's progress is written.
const progressEvery = 500 * time.Millisecond

func (r *runner) start(rec store.Run) { go r.run(rec) }

// run waits for a slot, executes the run and records how it ended. A run
// that fails leaves no proposals behind; one cut off by shutdown is failed
// as interrupted.
func (r *runner) run(rec store.Run) {
	var sum store.RunSummary
	var err error
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
		r.finish(rec, sum, err)
	}()
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
		sum, err = r.execute(r.work, rec)
	case <-r.work.Done():
		err = r.work.Err()
	}
}

func (r *runner) finish(rec store.Run, sum store.RunSummary, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.work), 30*time.Second)
	defer cancel()
	status, msg := store.RunDone, ""
	if err != nil {
		status, msg = store.RunFailed, domain.ErrorMessage(err)
		if errors.Is(err, context.Canceled) || r.work.Err() != nil {
			msg = store.RunInterrupted
		}
		r.log.Error("matching run failed", "run", rec.ID, "place", rec.Place, "err", err.Error())
		if derr := r.store.DeleteRunProposals(ctx, rec.ID); derr != nil {
			r.log.Error("delete proposals of a failed run", "run", rec.ID, "err", derr.Error())
		}
	}
	if ferr := r.store.FinishRun(ctx, rec.ID, status, sum, msg); ferr != nil {
		r.log.Error("finish matching run", "run", rec.ID, "err", ferr.Error())
	}
}

// progress writes a run's stage and counts: at every stage's start and end,
// and in between at most every progressEvery.
type progress struct {
	r     *runner
	ctx   context.Context
	id    string
	stage string
	last  time.Time
}

func (p *progress) report(stage string, done, total int) {
	now := time.Now()
	if stage == p.stage && done > 0 && done < total && now.Sub(p.last) < progressEvery {
		return
	}
	p.stage, p.last = stage, now
	if err := p.r.store.UpdateRunProgress(p.ctx, p.id, stage, done, total); err != nil {
		p.r.log.Warn("matching run progress", "run", p.id, "err", err.Error())
	}
}

// execute loads the place, evaluates every household, matches every open
// need and saves the proposals.
func (r *runner) execute(ctx context.Context, rec store.Run) (store.RunSummary, error) {
	var sum store.RunSummary
	r, err := r.withPolicies(ctx)
	if err != nil {
		return sum, err
	}
	if err := r.store.StartRun(ctx, rec.ID); err != nil {
		return sum, err
	}
	pg := &progress{r: r, ctx: ctx, id: rec.ID}
	pg.report(store.StageLoading, 0, 2)
	tree, err := r.places.get(ctx)
	if err != nil {
		return sum, err
	}
	snap, err := r.store.Snapshot(ctx, rec.Place)
	if err != nil {
		return sum, err
	}
	pg.report(store.StageLoading, 1, 2)
	standing, err := r.store.StandingProposals(ctx, rec.Place)
	if err != nil {
		return sum, err
	}
	pg.report(store.StageLoading, 2, 2)
	var left map[string]domain.Fen
	if vl, ok := r.store.(VoucherLefts); ok {
		if left, err = vl.VoucherLeft(ctx, rec.Place, domain.VoucherYear(rec.CreatedAt)); err != nil {
			return sum, err
		}
	}
	inst := matching.BuildInstance(matching.InstanceInput{At: rec.CreatedAt, Catalogue: r.catalogue, Policies: r.policies,
		Params: r.params, Places: tree, Households: snap.Households, Needs: snap.Needs, Providers: snap.Providers,
		Offerings: snap.Offerings, Jobs: snap.Jobs, VoucherYearlyFen: matching.DefaultVoucherYearlyFen, VoucherLeft: left})
	sum.SkippedNeeds = len(snap.Needs) - len(inst.Needs)
	prep, err := matching.Prepare(&inst)
	if err != nil {
		return sum, err
	}
	ev := prep.Evaluate(func(done, total int) { pg.report(store.StageEvaluating, done, total) })
	s := ev.Summary
	sum.Households, sum.Inside, sum.JustOutside, sum.Leads, sum.NearMisses = s.Households, s.Inside, s.JustOutside, s.Leads, s.NearMisses
	var res matching.Result
	if n := prep.OpenNeeds(); n > 0 {
		pg.report(store.StageMatching, 0, n)
		if res, err = prep.Match(ev, matching.Options{}); err != nil {
			return sum, err
		}
		pg.report(store.StageMatching, n, n)
	}
	sum.Needs, sum.Matched, sum.Unmatched = res.Stats.Needs, len(res.Assignments), len(res.Unmatched)
	sum.UnmatchedByReason = map[string]int{}
	for _, u := range res.Unmatched {
		sum.UnmatchedByReason[string(u.Reason)]++
	}
	plan, err := r.plan(rec, &inst, ev, res, standing)
	if err != nil {
		return sum, err
	}
	sum.Withheld = plan.withheld
	return sum, r.save(ctx, rec, pg, plan, communitiesOf(tree, rec.Place), &sum)
}

// savePlan is what a run writes: new proposals, and the leads that no
// longer hold.
type savePlan struct {
	insert   []store.Proposal
	stale    []string
	withheld int
}

// plan turns the engine's results into proposals. Service proposals are the
// assignments, except a pair a coordinator rejected while the rejection
// holds (domain.Proposal.Blocks). A policy lead (eligible, not received)
// stands as one proposal for as long as it holds: it is proposed only where
// no lead of the household and policy is open or accepted and no rejection
// blocks it; an open lead the run no longer finds is superseded.
func (r *runner) plan(rec store.Run, inst *matching.OfflineInstance, ev matching.Evaluation, res matching.Result, standing []domain.Proposal) (savePlan, error) {
	var out savePlan
	now := r.now().UTC()
	needs := make(map[string]domain.Need, len(inst.Needs))
	for _, n := range inst.Needs {
		needs[n.ID] = n
	}
	targets := make(map[string]matching.Target, len(inst.Targets))
	for _, t := range inst.Targets {
		targets[string(t.Kind)+"/"+t.ID] = t
	}
	households := make(map[string]string, len(inst.Households))
	for _, h := range inst.Households {
		households[h.ID] = h.Place
	}
	titles := make(map[string]string, len(r.policies))
	for _, p := range r.policies {
		titles[p.ID] = p.NameZh
	}
	rejected := map[string][]domain.Proposal{} // by household
	held := map[string]bool{}                  // open or accepted leads, by household/policy
	var openLeads []domain.Proposal
	for _, p := range standing {
		switch {
		case p.State == domain.ProposalRejected:
			rejected[p.HouseholdID] = append(rejected[p.HouseholdID], p)
		case p.Kind == domain.ProposalPolicy:
			held[p.HouseholdID+"/"+p.TargetID] = true
			if p.State == domain.ProposalProposed {
				openLeads = append(openLeads, p)
			}
		}
	}
	blocked := func(c domain.Proposal) bool {
		return slices.ContainsFunc(rejected[c.HouseholdID], func(s domain.Proposal) bool { return s.Blocks(c, now) })
	}
	add := func(p domain.Proposal, title, item string) error {
		if blocked(p) {
			out.withheld++
			return nil
		}
		if err := p.Validate(now); err != nil {
			return fmt.Errorf("matching run: proposal for %s/%s: %w", p.HouseholdID, p.TargetID, err)
		}
		out.insert = append(out.insert, store.Proposal{Proposal: p, TargetTitle: title, Item: item})
		return nil
	}
	for _, a := range res.Assignments {
		n, t := needs[a.NeedID], targets[string(a.TargetKind)+"/"+a.TargetID]
		p := domain.Proposal{Kind: domain.ProposalService, RunID: rec.ID, HouseholdID: n.HouseholdID, MemberID: n.MemberID,
			NeedID: n.ID, Place: n.Place, Target: domain.TargetKind(a.TargetKind), TargetID: t.ID, ProviderID: t.ProviderID,
			Score: a.Score, Factors: a.Factors, State: domain.ProposalProposed, CreatedAt: now}
		if t.Kind == matching.TargetVolunteerPool {
			p.TargetID = "" // the pool is no one in particular
		}
		if err := add(p, t.Title, n.Item); err != nil {
			return out, err
		}
	}
	leads := map[string]bool{}
	for _, l := range ev.Proposals {
		if l.Status != matching.PolicyEligible {
			continue
		}
		key := l.HouseholdID + "/" + l.PolicyID
		leads[key] = true
		if held[key] {
			continue
		}
		p := domain.Proposal{Kind: domain.ProposalPolicy, RunID: rec.ID, HouseholdID: l.HouseholdID, Place: households[l.HouseholdID],
			Target: domain.TargetPolicy, TargetID: l.PolicyID, Score: l.Closeness, State: domain.ProposalProposed, CreatedAt: now}
		if err := add(p, titles[l.PolicyID], ""); err != nil {
			return out, err
		}
	}
	for _, s := range openLeads {
		if !leads[s.HouseholdID+"/"+s.TargetID] {
			out.stale = append(out.stale, s.ID)
		}
	}
	return out, nil
}

// save writes the new proposals in batches, supersedes the leads that no
// longer hold and then, community by community, the older runs' open
// service proposals, reporting progress over all three.
func (r *runner) save(ctx context.Context, rec store.Run, pg *progress, plan savePlan, scopes []string, sum *store.RunSummary) error {
	const batch = 500
	total := len(plan.insert) + len(plan.stale) + len(scopes)
	done := 0
	pg.report(store.StageSaving, 0, total)
	for chunk := range slices.Chunk(plan.insert, batch) {
		n, err := r.store.InsertProposals(ctx, chunk)
		sum.Proposals += n
		if err != nil {
			return err
		}
		done += len(chunk)
		pg.report(store.StageSaving, done, total)
	}
	for _, id := range plan.stale {
		err := r.store.SupersedeProposal(ctx, id, rec.ID)
		switch domain.ErrorCode(err) {
		case "":
			sum.Superseded++
		case domain.ECONFLICT, domain.ENOTFOUND: // decided meanwhile: leave it
		default:
			return err
		}
		done++
		pg.report(store.StageSaving, done, total)
	}
	for _, scope := range scopes {
		n, _, err := r.store.SupersedeServiceProposals(ctx, scope, rec.ID)
		if err != nil {
			return err
		}
		sum.Superseded += n
		done++
		pg.report(store.StageSaving, done, total)
	}
	return nil
}

// communitiesOf lists the communities within a place (the place itself when
// it is a community or a compound, or has none in the tree), the units in
// which a run supersedes older proposals.
func communitiesOf(tree *domain.Places, place string) []string {
	if lvl := domain.PlaceLevelOf(place); lvl == domain.LevelCommunity || lvl == domain.LevelCompound {
		return []string{place}
	}
	var out []string
	for _, pl := range tree.Within(place) {
		if domain.PlaceLevelOf(pl.Code) == domain.LevelCommunity {
			out = append(out, pl.Code)
		}
	}
	if len(out) == 0 {
		return []string{place}
	}
	return out
}
