package handlers

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// TaskStore is what the volunteer task endpoints need (tasks.go,
// task_actions.go) and, through VolunteerStore, the volunteers' register
// (volunteers.go).
type TaskStore interface {
	VolunteerStore
	CreateTask(ctx context.Context, t *domain.Task) error
	Task(ctx context.Context, id string) (domain.Task, error)
	ListTasks(ctx context.Context, f store.TaskFilter) ([]domain.Task, string, error)
	UpdateTask(ctx context.Context, id string, change func(*domain.Task) error) (domain.Task, error)
	SyncTask(ctx context.Context, id string, cat *domain.Catalogue) error
	Need(ctx context.Context, id string) (domain.Need, error)
	Household(ctx context.Context, id string) (domain.Household, error)
	HouseholdsByID(ctx context.Context, ids []string) (map[string]domain.Household, error)
}

// taskHandlers serve volunteer tasks: coordinators post them from needs of
// their place, confirm them and issue the resident's one-time code;
// volunteers see the board, claim, check in and out and complete.
type taskHandlers struct {
	store      TaskStore
	places     *placeTree
	catalogue  *domain.Catalogue
	disclosure *domain.Disclosure
	rules      domain.TaskRules
	// proofKey keys the hashes of one-time codes; random draws them.
	proofKey []byte
	random   io.Reader
	// claims queues the claims on one task (claim).
	claims keyedLock
	log    *slog.Logger
	now    func() time.Time
}

// registerTasks adds the task routes and the volunteers' register (behind
// authentication; the sign-up is registerSignup's).
func registerTasks(api fiber.Router, d Deps, tree *placeTree) {
	h := &taskHandlers{store: d.Tasks, places: tree, catalogue: d.Catalogue, disclosure: domain.NewDisclosure(),
		rules: domain.DefaultTaskRules(), proofKey: d.ProofKey, random: rand.Reader, log: d.Logger, now: d.Now}
	api.Get("/tasks", h.list)
	api.Post("/tasks", h.create)
	api.Get("/tasks/mine", h.mine)
	api.Get("/tasks/:id", h.get)
	api.Post("/tasks/:id/claim", h.claim)
	api.Post("/tasks/:id/release", h.release)
	api.Post("/tasks/:id/check-in", h.checkIn)
	api.Post("/tasks/:id/check-out", h.checkOut)
	api.Post("/tasks/:id/complete", h.complete)
	api.Post("/tasks/:id/code", h.issueCode)
	api.Post("/tasks/:id/confirm", h.confirm)
	api.Post("/tasks/:id/cancel", h.cancel)
	v := &volunteerHandlers{store: d.Tasks, catalogue: d.Catalogue}
	api.Get("/volunteers", v.list)
	api.Get("/volunteers/me/hours", v.hours)
	api.Post("/volunteers/:id/verify", v.verify)
}

// taskRoles may use the task endpoints; admins see none of a task's fields
// (domain.DisclosureRules) and so have no business here.
func taskRoles() []domain.Role { return []domain.Role{domain.RoleCoordinator, domain.RoleVolunteer} }

// volunteerOf returns the caller's volunteer (provider) ID.
func volunteerOf(p domain.Principal) (string, error) {
	if p.ProviderID == "" {
		return "", domain.Errorf(domain.EFORBIDDEN, "账号未绑定志愿者档案，请先注册为志愿者 / this account has no volunteer record")
	}
	return p.ProviderID, nil
}

// authorizeVolunteer admits volunteers with a volunteer record and returns
// the caller and their volunteer ID.
func authorizeVolunteer(c *fiber.Ctx) (domain.Principal, string, error) {
	p, err := authorize(c, "", domain.RoleVolunteer)
	if err != nil {
		return p, "", err
	}
	vid, err := volunteerOf(p)
	return p, vid, err
}

// checkPlaceQuery checks a ?place= filter's shape.
func checkPlaceQuery(pr *domain.Problems, place string) {
	if place != "" && domain.PlaceLevelOf(place) == "" {
		pr.Add("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
}

// itemName is a catalogue item's Chinese name ("" for an unknown code).
func itemName(cat *domain.Catalogue, code string) string {
	if it, ok := cat.Get(code); ok {
		return it.NameZh
	}
	return ""
}

// viewer is how the caller stands to a task; hh is the task's household
// (needed for a volunteer's consent, nil for coordinators).
func viewer(p domain.Principal, t domain.Task, hh *domain.Household) domain.Viewer {
	if p.Role != domain.RoleVolunteer {
		return domain.ViewerOf(p.Role, domain.StageNone, domain.SubjectTask, nil, "")
	}
	return domain.ViewerOf(p.Role, domain.TaskStage(t, p.ProviderID), domain.SubjectTask, hh, t.MemberID)
}

// view discloses a task: the one place where task fields are chosen for a
// reader, field by field from the disclosure table. A volunteer sees the
// community, never the compound, and the address only while holding the claim.
func (h *taskHandlers) view(v domain.Viewer, t domain.Task) fiber.Map {
	out := fiber.Map{"id": t.ID}
	setTime := func(key string, at time.Time) {
		if !at.IsZero() {
			out[key] = at
		}
	}
	for _, f := range h.disclosure.Fields(v, domain.SubjectTask) {
		switch f {
		case domain.FieldTaskItem:
			out["category"], out["category_name"] = t.Item, itemName(h.catalogue, t.Item)
		case domain.FieldTaskNote:
			out["note"] = t.Note
		case domain.FieldTaskPlace:
			out["place"] = t.Place
			if v.Role != domain.RoleCoordinator {
				out["place"] = communityOf(t.Place)
			}
		case domain.FieldTaskWindow:
			out["window_start"], out["window_end"] = t.WindowStart, t.WindowEnd
		case domain.FieldTaskSkills:
			out["skills"] = append([]string{}, t.Skills...)
		case domain.FieldTaskState:
			out["status"] = t.State
		case domain.FieldTaskResident:
			out["resident"] = t.Resident
		case domain.FieldTaskAddress:
			out["address"] = t.Address
			if t.Location != nil {
				out["location"] = t.Location
			}
		case domain.FieldTaskVolunteer:
			if t.VolunteerID != "" {
				out["volunteer_id"] = t.VolunteerID
			}
			setTime("claimed_at", t.ClaimedAt)
			setTime("claim_deadline", t.ClaimDeadline)
		case domain.FieldTaskHours:
			setTime("check_in_at", t.CheckInAt)
			setTime("check_out_at", t.CheckOutAt)
			out["minutes"], out["auto_checked_out"] = t.Minutes, t.AutoCheckedOut
			if t.Rating != nil {
				out["rating"] = t.Rating
			}
		case domain.FieldTaskHousehold:
			out["household_id"], out["member_id"], out["need_id"], out["referral_id"] = t.HouseholdID, t.MemberID, t.NeedID, t.ReferralID
			out["history"], out["created_by"], out["created_at"], out["version"] = t.History, t.CreatedBy, t.CreatedAt, t.Version
			out["code_issued"] = t.Code != nil && !t.Code.Redeemed()
			if t.Proof != nil {
				out["proof"] = t.Proof
			}
		}
	}
	return out
}

// households reads the households of tasks in one bulk read.
func (h *taskHandlers) households(ctx context.Context, ts []domain.Task) (map[string]domain.Household, error) {
	ids := make([]string, 0, len(ts))
	for _, t := range ts {
		ids = append(ids, t.HouseholdID)
	}
	return h.store.HouseholdsByID(ctx, ids)
}

// views discloses tasks to the caller. A volunteer never sees, not even on
// the board, a task whose resident withdrew their consent or asked not to be
// contacted.
func (h *taskHandlers) views(ctx context.Context, p domain.Principal, ts []domain.Task) ([]fiber.Map, error) {
	items := make([]fiber.Map, 0, len(ts))
	if p.Role != domain.RoleVolunteer {
		for _, t := range ts {
			items = append(items, h.view(viewer(p, t, nil), t))
		}
		return items, nil
	}
	hhs, err := h.households(ctx, ts)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		hh, ok := hhs[t.HouseholdID]
		if !ok || domain.VolunteerConsent(&hh, t.MemberID) != nil {
			continue
		}
		items = append(items, h.view(viewer(p, t, &hh), t))
	}
	return items, nil
}

// list answers the board. Coordinators see every task of their place
// (?place= narrows it) in full; volunteers see open tasks anywhere (or in
// ?place=) and, for any other ?status=, only their own.
func (h *taskHandlers) list(c *fiber.Ctx) error {
	p, err := authorize(c, "", taskRoles()...)
	if err != nil {
		return err
	}
	f := store.TaskFilter{Within: c.Query("place"), State: domain.TaskState(c.Query("status")), After: c.Query("cursor")}
	var pr domain.Problems
	checkPlaceQuery(&pr, f.Within)
	if f.State != "" && !f.State.Valid() {
		pr.Add("status", "enum", "状态须为 open、claimed、in_progress、done、confirmed 或 cancelled / unknown status")
	}
	f.Limit = pageLimit(c, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	switch p.Role {
	case domain.RoleCoordinator:
		if f.Within == "" {
			f.Within = p.Place
		}
		if err := p.Authorize(f.Within, domain.RoleCoordinator); err != nil {
			return err
		}
	default:
		if f.State == "" {
			f.State = domain.TaskOpen
		}
		if f.State != domain.TaskOpen {
			if f.VolunteerID, err = volunteerOf(p); err != nil {
				return err
			}
		}
	}
	ts, next, err := h.store.ListTasks(c.UserContext(), f)
	if err != nil {
		return err
	}
	items, err := h.views(c.UserContext(), p, ts)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// mine answers the caller's own tasks (held now or before), newest window
// first; ?status= narrows them.
func (h *taskHandlers) mine(c *fiber.Ctx) error {
	p, vid, err := authorizeVolunteer(c)
	if err != nil {
		return err
	}
	status := domain.TaskState(c.Query("status"))
	if status != "" && !status.Valid() {
		return domain.Invalid("status", "enum", "状态无效 / unknown status")
	}
	ts, err := h.store.VolunteerTasks(c.UserContext(), vid)
	if err != nil {
		return err
	}
	ts = slices.DeleteFunc(ts, func(t domain.Task) bool { return status != "" && t.State != status })
	slices.SortFunc(ts, func(a, b domain.Task) int { return b.WindowStart.Compare(a.WindowStart) })
	items, err := h.views(c.UserContext(), p, ts)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": ""})
}

// visible reads a task and the caller's view of it; a task the caller may
// not see is ENOTFOUND: outside a coordinator's place, or for a volunteer
// neither on the board nor theirs.
func (h *taskHandlers) visible(c *fiber.Ctx, p domain.Principal, id string) (domain.Task, domain.Viewer, error) {
	t, err := h.store.Task(c.UserContext(), id)
	if err != nil {
		return t, domain.Viewer{}, err
	}
	notFound := domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	if p.Role == domain.RoleCoordinator {
		if !p.CanSeePlace(t.Place) {
			return t, domain.Viewer{}, notFound
		}
		return t, viewer(p, t, nil), nil
	}
	if t.State != domain.TaskOpen && (p.ProviderID == "" || t.VolunteerID != p.ProviderID) {
		return t, domain.Viewer{}, notFound
	}
	hh, err := h.store.Household(c.UserContext(), t.HouseholdID)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return t, domain.Viewer{}, err
	}
	if err != nil || domain.VolunteerConsent(&hh, t.MemberID) != nil {
		return t, domain.Viewer{}, notFound
	}
	return t, viewer(p, t, &hh), nil
}

func (h *taskHandlers) get(c *fiber.Ctx) error {
	p, err := authorize(c, "", taskRoles()...)
	if err != nil {
		return err
	}
	t, v, err := h.visible(c, p, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(h.view(v, t))
}

type createTaskRequest struct {
	NeedID      string    `json:"need_id"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	Skills      []string  `json:"skills"`
	// AddressHint adds to the household's address what the volunteer needs
	// at the door ("东门进，按 401 门铃"); it is disclosed like the address.
	AddressHint string `json:"address_hint"`
	// Note replaces the need's neutral note as what volunteers read.
	Note string `json:"note"`
}

// create posts a task by hand from an open need of the caller's place. The
// member must consent to volunteers and not have asked not to be contacted.
func (h *taskHandlers) create(c *fiber.Ctx) error {
	var req createTaskRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return err
	}
	ctx, now := c.UserContext(), h.now().UTC()
	need, err := h.store.Need(ctx, req.NeedID)
	if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && !p.CanSeePlace(need.Place) {
		return domain.Invalid("need_id", "exists", "您的辖区内没有此需求 / no such need in your place")
	}
	if err != nil {
		return err
	}
	if need.State != domain.NeedOpen && need.State != domain.NeedProposed {
		return domain.Errorf(domain.ECONFLICT, "需求当前为 %s，只有待处理的需求可以发布志愿任务 / only an open need can become a task", need.State)
	}
	hh, err := h.store.Household(ctx, need.HouseholdID)
	if err != nil {
		return err
	}
	if err := domain.VolunteerConsent(&hh, need.MemberID); err != nil {
		return err
	}
	t, err := h.taskFromNeed(c, need, hh, req, p.Username, now)
	if err != nil {
		return err
	}
	if err := h.store.CreateTask(ctx, &t); err != nil {
		return err
	}
	h.sync(ctx, t.ID)
	if t, err = h.store.Task(ctx, t.ID); err != nil {
		return err
	}
	if t.State == domain.TaskCancelled {
		return domain.Errorf(domain.ECONFLICT, "需求已关闭，任务已取消 / the need was closed meanwhile")
	}
	return c.Status(fiber.StatusCreated).JSON(h.view(viewer(p, t, nil), t))
}

// taskFromNeed builds and validates a hand-posted task: item and note from
// the need, place, address and location from the household, the resident
// masked ("李先生, 70s").
func (h *taskHandlers) taskFromNeed(c *fiber.Ctx, need domain.Need, hh domain.Household, req createTaskRequest, by string, now time.Time) (domain.Task, error) {
	member, _ := hh.Member(need.MemberID)
	address := hh.Address
	if hint := strings.TrimSpace(req.AddressHint); hint != "" {
		address += "（" + hint + "）"
	}
	note := strings.TrimSpace(req.Note)
	if note == "" {
		note = need.NeutralNote
	}
	t := domain.Task{ReferralID: store.DirectReferral, NeedID: need.ID, HouseholdID: hh.ID, MemberID: need.MemberID,
		Item: need.Item, Note: note, Place: hh.Place, Address: address, Location: hh.Location,
		Resident:    domain.MaskResidentName(member.Name, member.Gender, member.BirthYear, now),
		WindowStart: req.WindowStart.UTC(), WindowEnd: req.WindowEnd.UTC(), Skills: req.Skills}
	t.Start(by, now)
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return t, err
	}
	var pr domain.Problems
	pr.Merge("", t.Validate(tree, h.catalogue, now))
	if !t.WindowEnd.IsZero() && !t.WindowEnd.After(now) {
		pr.Add("window_end", "future", "服务时段已过 / the window has passed")
	}
	return t, pr.Err()
}

// sync brings the need and the household log up to the task's state. A
// failure is logged, not answered: the change itself is saved, and the
// sweeper repairs what did not follow.
func (h *taskHandlers) sync(ctx context.Context, id string) {
	if err := h.store.SyncTask(ctx, id, h.catalogue); err != nil {
		h.log.Warn("task sync failed; the sweeper will repair it", "task", id, "err", err.Error())
	}
}
