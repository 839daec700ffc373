package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"lianzhu/auth"
	"lianzhu/domain"
	"lianzhu/store"
)

// VolunteerStore is what the volunteers' sign-up and register need.
type VolunteerStore interface {
	SignUpVolunteer(ctx context.Context, p *domain.Provider, u *domain.User, prof *store.VolunteerProfile) error
	Provider(ctx context.Context, id string) (domain.Provider, error)
	ListProviders(ctx context.Context, f store.ProviderFilter) ([]domain.Provider, string, error)
	UpdateProvider(ctx context.Context, p *domain.Provider, expectedVersion int64) error
	VolunteerProfiles(ctx context.Context, providerIDs []string) (map[string]store.VolunteerProfile, error)
	VolunteerTasks(ctx context.Context, volunteerID string) ([]domain.Task, error)
}

// volunteerHandlers serve volunteers: anyone may sign up (pending); the
// coordinators of the volunteer's place (and admins) list and verify them;
// a volunteer reads their hours.
type volunteerHandlers struct {
	store     VolunteerStore
	places    *placeTree
	catalogue *domain.Catalogue
	limiter   *auth.LoginLimiter
	hash      func(password string) (string, error)
	now       func() time.Time
}

// signupKey is the limiter's name for sign-ups: usernames cannot contain a
// colon, so it never meets a real login's count.
const signupKey = "signup:"

// registerSignup adds the public sign-up route (before authentication).
func registerSignup(v1 fiber.Router, d Deps) {
	h := &volunteerHandlers{store: d.Tasks, places: &placeTree{places: d.Places, now: d.Now}, catalogue: d.Catalogue,
		limiter: d.Limiter, hash: d.HashPassword, now: d.Now}
	if h.hash == nil {
		h.hash = auth.HashPassword
	}
	v1.Post("/volunteers/signup", h.signup)
	v1.Get("/volunteers/signup/places", h.signupPlaces)
}

// SignupPlace is a community a volunteer may sign up in, named with its
// street (administrative names and codes are public).
type SignupPlace struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Street string `json:"street"`
}

// signupPlaces answers the communities of the place tree for the public
// sign-up form, in code order: nothing else of the tree, no compounds.
func (h *volunteerHandlers) signupPlaces(c *fiber.Ctx) error {
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return err
	}
	items := []SignupPlace{}
	for _, pl := range tree.Within("") {
		if pl.Level != domain.LevelCommunity {
			continue
		}
		street, _ := tree.Get(pl.Parent)
		items = append(items, SignupPlace{Code: pl.Code, Name: pl.Name, Street: street.Name})
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": ""})
}

type signupRequest struct {
	Username     string   `json:"username"`
	Password     string   `json:"password"`
	Name         string   `json:"name"`
	Phone        string   `json:"phone"`
	Place        string   `json:"place"`
	Skills       []string `json:"skills"`
	Availability string   `json:"availability"`
}

// VolunteerResponse is a volunteer as coordinators and admins see them.
type VolunteerResponse struct {
	ID           string              `json:"id"`
	Username     string              `json:"username,omitempty"`
	Name         string              `json:"name"`
	Phone        string              `json:"phone"`
	Place        string              `json:"place"`
	Verification domain.Verification `json:"verification"`
	TrafficLight domain.TrafficLight `json:"traffic_light"`
	Rating       float64             `json:"rating"`
	RatingCount  int                 `json:"rating_count"`
	Skills       []string            `json:"skills"`
	Availability string              `json:"availability"`
	CreatedAt    time.Time           `json:"created_at"`
	Version      int64               `json:"version"`
}

func volunteerResponse(p domain.Provider, prof store.VolunteerProfile) VolunteerResponse {
	return VolunteerResponse{ID: p.ID, Username: prof.Username, Name: p.Name, Phone: p.ContactPhone, Place: p.Place,
		Verification: p.Verification, TrafficLight: p.TrafficLight, Rating: p.Rating, RatingCount: p.RatingCount,
		Skills: append([]string{}, prof.Skills...), Availability: prof.Availability, CreatedAt: p.CreatedAt, Version: p.Version}
}

// signup registers a volunteer: a provider entry of kind volunteer, pending
// until a coordinator of their place verifies it, and an account bound to
// it. Sign-ups are rate-limited per client address like failed logins.
func (h *volunteerHandlers) signup(c *fiber.Ctx) error {
	var req signupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ip := c.IP()
	if wait := h.limiter.Allow(signupKey, ip); wait > 0 {
		secs := auth.RetryAfterSeconds(wait)
		e := domain.Errorf(domain.ETOOMANY, "注册过于频繁，请 %d 秒后再试 / too many sign-ups, retry in %d s", secs, secs)
		e.RetryAfter = secs
		return e
	}
	h.limiter.Fail(signupKey, ip) // every attempt counts: each may write an account
	ctx, now := c.UserContext(), h.now().UTC()
	req.Username, req.Phone = strings.TrimSpace(req.Username), domain.NormalizeMobile(req.Phone)
	p := domain.Provider{Kind: domain.ProviderVolunteer, Name: strings.TrimSpace(req.Name), ContactPhone: req.Phone,
		Place: req.Place, Area: domain.ServiceArea{Places: []string{req.Place}}, Verification: domain.VerificationPending,
		TrafficLight: domain.LightGreen}
	u := domain.User{Username: req.Username, Role: domain.RoleVolunteer}
	if err := h.validateSignup(c, req, p, u, now); err != nil {
		return err
	}
	var err error
	if u.PasswordHash, err = h.hash(req.Password); err != nil {
		return err
	}
	prof := store.VolunteerProfile{Skills: req.Skills, Availability: strings.TrimSpace(req.Availability)}
	if err := h.store.SignUpVolunteer(ctx, &p, &u, &prof); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"volunteer": volunteerResponse(p, prof),
		"message": "注册成功，请等待社区协调员审核后再认领任务 / signed up: a coordinator of your community will verify you before your first claim"})
}

// validateSignup reports every problem of a sign-up at once, under the
// request's field names.
func (h *volunteerHandlers) validateSignup(c *fiber.Ctx, req signupRequest, p domain.Provider, u domain.User, now time.Time) error {
	var pr domain.Problems
	pr.Merge("", auth.ValidatePassword(req.Password))
	if err := u.Validate(nil); err != nil {
		pr.Merge("", err)
	}
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 50 {
		pr.Add("name", "length", "姓名须为1–50个字 / name must be 1–50 characters")
	}
	pr.Merge("", domain.ValidateMobile(req.Phone))
	if lvl := domain.PlaceLevelOf(req.Place); lvl != domain.LevelCommunity && lvl != domain.LevelCompound {
		pr.Add("place", "level", "请选择所在社区或小区 / choose your community or compound")
	}
	if len(req.Skills) > 10 {
		pr.Add("skills", "range", "技能最多10项 / at most 10 skills")
	}
	for i, s := range req.Skills {
		if n := utf8.RuneCountInString(strings.TrimSpace(s)); n == 0 || n > 30 {
			pr.Add(fmt.Sprintf("skills[%d]", i), "length", "每项技能须为1–30个字 / each skill 1–30 characters")
		}
	}
	if utf8.RuneCountInString(req.Availability) > 100 {
		pr.Add("availability", "length", "可服务时间最多100个字 / availability at most 100 characters")
	}
	if pr.Len() > 0 {
		return pr.Err()
	}
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return err
	}
	if _, ok := tree.Get(req.Place); !ok {
		return domain.Invalid("place", "exists", "区划不存在 / no such place")
	}
	return p.Validate(tree, now)
}

// list answers the volunteers of a place (?place=, default the caller's;
// admins may list all), optionally by ?verification=.
func (h *volunteerHandlers) list(c *fiber.Ctx) error {
	p, err := authorize(c, "", domain.RoleCoordinator, domain.RoleAdmin)
	if err != nil {
		return err
	}
	f := store.ProviderFilter{Kind: domain.ProviderVolunteer, Verification: domain.Verification(c.Query("verification")),
		Within: c.Query("place"), After: c.Query("cursor")}
	if p.Role == domain.RoleCoordinator {
		if f.Within, err = coordinatorPlace(c); err != nil {
			return err
		}
	}
	var pr domain.Problems
	checkPlaceQuery(&pr, f.Within)
	if f.Verification != "" && !f.Verification.Valid() {
		pr.Add("verification", "enum", "审核状态须为 pending、verified 或 suspended / unknown verification state")
	}
	f.Limit = pageLimit(c, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	list, next, err := h.store.ListProviders(c.UserContext(), f)
	if err != nil {
		return err
	}
	ids := make([]string, len(list))
	for i, v := range list {
		ids[i] = v.ID
	}
	profiles, err := h.store.VolunteerProfiles(c.UserContext(), ids)
	if err != nil {
		return err
	}
	items := make([]VolunteerResponse, len(list))
	for i, v := range list {
		items[i] = volunteerResponse(v, profiles[v.ID])
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// verify marks a pending (or suspended) volunteer verified: from then on they
// may claim tasks. Coordinators verify the volunteers of their place.
func (h *volunteerHandlers) verify(c *fiber.Ctx) error {
	p, err := authorize(c, "", domain.RoleCoordinator, domain.RoleAdmin)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	v, err := h.store.Provider(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	if v.Kind != domain.ProviderVolunteer || !p.CanSeePlace(v.Place) {
		return domain.Errorf(domain.ENOTFOUND, "您的辖区内没有此志愿者 / no such volunteer in your place")
	}
	if !domain.CanVerify(v.Verification, domain.VerificationVerified) {
		return domain.Errorf(domain.ECONFLICT, "志愿者当前为 %s，无需审核 / the volunteer is already %s", v.Verification, v.Verification)
	}
	version := v.Version
	v.Verification = domain.VerificationVerified
	if err := h.store.UpdateProvider(ctx, &v, version); err != nil {
		return err
	}
	profiles, err := h.store.VolunteerProfiles(ctx, []string{v.ID})
	if err != nil {
		return err
	}
	return c.JSON(volunteerResponse(v, profiles[v.ID]))
}

// HoursItem is one visit in a volunteer's hours.
type HoursItem struct {
	TaskID       string           `json:"task_id"`
	Category     string           `json:"category"`
	CategoryName string           `json:"category_name"`
	Date         time.Time        `json:"date"`
	Minutes      int              `json:"minutes"`
	Status       domain.TaskState `json:"status"`
}

// hours answers the calling volunteer's recorded time: confirmed visits
// (proven by the resident or a coordinator) and visits awaiting proof.
func (h *volunteerHandlers) hours(c *fiber.Ctx) error {
	_, vid, err := authorizeVolunteer(c)
	if err != nil {
		return err
	}
	ts, err := h.store.VolunteerTasks(c.UserContext(), vid)
	if err != nil {
		return err
	}
	confirmed, pending := 0, 0
	items := []HoursItem{}
	for _, t := range ts {
		switch t.State {
		case domain.TaskConfirmed:
			confirmed += t.Minutes
		case domain.TaskDone:
			pending += t.Minutes
		default:
			continue
		}
		items = append(items, HoursItem{TaskID: t.ID, Category: t.Item, CategoryName: itemName(h.catalogue, t.Item), Date: t.CheckInAt, Minutes: t.Minutes, Status: t.State})
	}
	return c.JSON(fiber.Map{"volunteer_id": vid, "confirmed_minutes": confirmed, "pending_minutes": pending,
		"confirmed_hours": float64(confirmed) / 60, "visits": len(items), "items": items})
}
