package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/outreach"
	"lianzhu/store"
)

// Policy finds the person (政策找人): data signals from other departments
// come in here, raise warnings (handlers/warnings.go) and show on the
// household's timeline (handlers/timeline.go).

// OutreachStore is what the signal, warning and timeline endpoints read:
// *store.DB. The engine writes.
type OutreachStore interface {
	Signal(ctx context.Context, id string) (store.SignalRecord, error)
	ListSignals(ctx context.Context, f store.SignalFilter) ([]store.SignalRecord, string, error)
	HouseholdSignals(ctx context.Context, householdID string) ([]store.SignalRecord, error)
	Warning(ctx context.Context, id string) (store.WarningRecord, error)
	ListWarnings(ctx context.Context, f store.WarningFilter) ([]store.WarningRecord, string, error)
	HouseholdWarnings(ctx context.Context, householdID string) ([]store.WarningRecord, error)
	UpdateWarning(ctx context.Context, w *domain.Warning, from domain.WarningState) error
	UserByUsername(ctx context.Context, username string) (domain.User, error)
	ListOfferings(ctx context.Context, f store.OfferingFilter) ([]domain.Offering, string, error)
	ProvidersByID(ctx context.Context, ids []string) (map[string]domain.Provider, error)
	ListNeeds(ctx context.Context, f store.NeedFilter) ([]domain.Need, string, error)
	HouseholdLog(ctx context.Context, householdID string) ([]domain.LogEntry, error)
	ListTasks(ctx context.Context, f store.TaskFilter) ([]domain.Task, string, error)
}

// OutreachDeps wire signals, warnings and the timeline. A nil Engine leaves
// their routes out.
type OutreachDeps struct {
	Engine *outreach.Engine
	Store  OutreachStore
}

// registerOutreach adds the signal, warning and timeline routes.
func registerOutreach(api fiber.Router, d Deps, tree *placeTree, hh *householdHandlers) {
	o := d.Outreach
	if o.Engine == nil || o.Store == nil {
		return
	}
	sh := &signalHandlers{store: o.Store, engine: o.Engine, households: hh}
	api.Post("/signals", sh.ingest)
	api.Get("/signals", sh.list)
	api.Get("/signals/:id", sh.get)
	api.Post("/signals/:id/resolve", sh.resolve)
	wh := &warningHandlers{store: o.Store, engine: o.Engine, households: hh, places: tree, policies: d.Policies, now: d.Now}
	api.Get("/warnings", wh.list)
	api.Get("/warnings/:id", wh.get)
	api.Post("/warnings/:id/assign", wh.assign)
	api.Post("/warnings/:id/verify", wh.verify)
	api.Post("/warnings/:id/dismiss", wh.dismiss)
	th := &timelineHandlers{store: o.Store, households: hh, catalogue: d.Catalogue, policies: d.Policies}
	api.Get("/households/:id/timeline", th.get)
}

type signalHandlers struct {
	store      OutreachStore
	engine     *outreach.Engine
	households *householdHandlers
}

// signalIntake authorizes a caller to take signals in: department feeds
// arrive at district level and a district's data is matched against every
// file of the district, so only district coordinators take them in (not
// admins, who operate the system and see no residents' data).
func signalIntake(c *fiber.Ctx) (domain.Principal, error) {
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return p, err
	}
	if domain.PlaceLevelOf(p.Place) != domain.LevelDistrict {
		return p, domain.Errorf(domain.EFORBIDDEN, "数据信号由区级协调员导入 / signals are taken in by district coordinators")
	}
	return p, nil
}

// SignalRequest is one signal as a department sends it. Date and
// received_at take an RFC 3339 time or a day ("2026-05-20", a day in
// China); amounts are fen.
type SignalRequest struct {
	Kind             domain.SignalKind  `json:"kind"`
	AmountFen        domain.Fen         `json:"amount_fen"`
	Disability       *domain.Disability `json:"disability"`
	Date             dayOrTime          `json:"date"`
	SourceDepartment domain.Department  `json:"source_department"`
	IDNumber         string             `json:"id_number"`
	Name             string             `json:"name"`
	ReceivedAt       dayOrTime          `json:"received_at"`
	ExternalRef      string             `json:"external_ref"`
}

// dayOrTime is a JSON time that also takes a plain day, read in China's
// time zone (UTC+8).
type dayOrTime time.Time

func (d *dayOrTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = dayOrTime{}
		return nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, shanghai); err == nil {
		*d = dayOrTime(t)
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("日期须为 2026-05-20 或 RFC 3339 时间 / a day or an RFC 3339 time")
	}
	*d = dayOrTime(t)
	return nil
}

type ingestRequest struct {
	Signals []json.RawMessage `json:"signals"`
}

// ingest takes in a batch of up to outreach.MaxBatch signals: all of them
// or, if any is malformed or invalid, none (every problem named as
// "signals[i].field"). The same signal sent again is reported as already
// present. Audited: the batch carries residents' data.
func (h *signalHandlers) ingest(c *fiber.Ctx) error {
	var req ingestRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := signalIntake(c)
	if err != nil {
		return err
	}
	switch {
	case len(req.Signals) == 0:
		return domain.Invalid("signals", "required", "请提供至少一条信号 / send at least one signal")
	case len(req.Signals) > outreach.MaxBatch:
		return domain.Invalid("signals", "max", fmt.Sprintf("每批最多 %d 条信号，更多请分批或导入文件 / at most %d signals per request", outreach.MaxBatch, outreach.MaxBatch))
	}
	signals := make([]domain.Signal, len(req.Signals))
	var malformed []outreach.Problem
	for i, raw := range req.Signals {
		s, err := decodeSignal(raw)
		if err != nil {
			malformed = append(malformed, malformedSignal(i, err))
			continue
		}
		signals[i] = s
	}
	if len(malformed) > 0 {
		return outreach.ProblemsError("signals", malformed)
	}
	rep, err := h.engine.Ingest(c.UserContext(), outreach.Batch{Signals: signals, Place: p.Place, By: p.Username})
	if err != nil {
		return err
	}
	if err := h.households.audit(c, p, "signals.ingest", rep.Batch, p.Place, fmt.Sprintf("received %d, stored %d, matched %d, unmatched %d, warnings %d",
		rep.Received, rep.Stored, rep.Matched, rep.Unmatched, rep.Warnings)); err != nil {
		return err
	}
	return c.JSON(rep)
}

// decodeSignal reads one signal strictly: no unknown fields (a sender
// cannot set the household it is matched to).
func decodeSignal(raw json.RawMessage) (domain.Signal, error) {
	var r SignalRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return domain.Signal{}, err
	}
	return domain.Signal{Kind: r.Kind, AmountFen: r.AmountFen, Disability: r.Disability, Date: time.Time(r.Date),
		SourceDepartment: r.SourceDepartment, IDNumber: r.IDNumber, Name: r.Name, ReceivedAt: time.Time(r.ReceivedAt),
		ExternalRef: r.ExternalRef}, nil
}

// malformedSignal names the field a signal's JSON got wrong.
func malformedSignal(i int, err error) outreach.Problem {
	var field string
	msg := err.Error()
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		field, msg = typ.Field, "类型错误 / wrong type"
	case strings.HasPrefix(msg, "json: unknown field "):
		field, msg = strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`), "不允许的字段 / unknown field"
	}
	return outreach.Problem{Index: i, Field: field, Rule: "json", Message: "信号格式错误 / malformed signal: " + msg}
}

// SignalResponse is a stored signal as a coordinator of its place sees it:
// the ID number masked (the keyed hash never leaves the server).
type SignalResponse struct {
	ID               string             `json:"id"`
	Kind             domain.SignalKind  `json:"kind"`
	KindZh           string             `json:"kind_zh"`
	AmountFen        domain.Fen         `json:"amount_fen,omitempty"`
	Disability       *domain.Disability `json:"disability,omitempty"`
	Date             time.Time          `json:"date"`
	SourceDepartment domain.Department  `json:"source_department"`
	DepartmentZh     string             `json:"department_zh"`
	IDMasked         string             `json:"id_masked"`
	Name             string             `json:"name,omitempty"`
	HouseholdID      string             `json:"household_id,omitempty"`
	MemberID         string             `json:"member_id,omitempty"`
	ReceivedAt       time.Time          `json:"received_at"`
	ExternalRef      string             `json:"external_ref,omitempty"`
	State            store.SignalState  `json:"state"`
	Place            string             `json:"place"`
	IntakePlace      string             `json:"intake_place"`
	Batch            string             `json:"batch"`
	StoredBy         string             `json:"stored_by"`
	StoredAt         time.Time          `json:"stored_at"`
	ResolvedBy       string             `json:"resolved_by,omitempty"`
	ResolvedAt       time.Time          `json:"resolved_at,omitzero"`
}

func signalView(r store.SignalRecord) SignalResponse {
	return SignalResponse{ID: r.ID, Kind: r.Kind, KindZh: r.Kind.NameZh(), AmountFen: r.AmountFen, Disability: r.Disability,
		Date: r.Date, SourceDepartment: r.SourceDepartment, DepartmentZh: r.SourceDepartment.NameZh(), IDMasked: r.IDMasked,
		Name: r.Name, HouseholdID: r.HouseholdID, MemberID: r.MemberID, ReceivedAt: r.ReceivedAt, ExternalRef: r.ExternalRef,
		State: r.State, Place: r.Place, IntakePlace: r.IntakePlace, Batch: r.Batch, StoredBy: r.StoredBy, StoredAt: r.StoredAt,
		ResolvedBy: r.ResolvedBy, ResolvedAt: r.ResolvedAt}
}

// list answers the signals of the caller's place (or ?place= below it):
// ?matched=false the unmatched ones, kept at the district that took them
// in; ?kind=, ?household_id=, cursor pages.
func (h *signalHandlers) list(c *fiber.Ctx) error {
	place, err := coordinatorPlace(c)
	if err != nil {
		return err
	}
	f := store.SignalFilter{Within: place, Kind: domain.SignalKind(c.Query("kind")), HouseholdID: c.Query("household_id"),
		After: c.Query("cursor")}
	var pr domain.Problems
	switch c.Query("matched") {
	case "":
	case "true":
		f.State = store.SignalMatched
	case "false":
		f.State = store.SignalUnmatched
	default:
		pr.Add("matched", "enum", "matched 须为 true 或 false / matched must be true or false")
	}
	if f.Kind != "" && !f.Kind.Valid() {
		pr.Add("kind", "enum", "未知的信号类型 / unknown signal kind")
	}
	f.Limit = pageLimit(c, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	records, next, err := h.store.ListSignals(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]SignalResponse, len(records))
	for i, r := range records {
		items[i] = signalView(r)
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// load reads the signal in the path; outside the caller's place it is not
// found.
func (h *signalHandlers) load(c *fiber.Ctx) (domain.Principal, store.SignalRecord, error) {
	return loadInPlace(c, h.store.Signal, func(r store.SignalRecord) string { return r.Place })
}

// loadInPlace reads the record named in the path for a coordinator whose
// place covers it; a record outside it is "not found", its existence not
// disclosed.
func loadInPlace[T any](c *fiber.Ctx, get func(context.Context, string) (T, error), place func(T) string) (domain.Principal, T, error) {
	var zero T
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return p, zero, err
	}
	r, err := get(c.UserContext(), c.Params("id"))
	if err != nil {
		return p, zero, err
	}
	if !p.CanSeePlace(place(r)) {
		return p, zero, domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return p, r, nil
}

func (h *signalHandlers) get(c *fiber.Ctx) error {
	_, r, err := h.load(c)
	if err != nil {
		return err
	}
	return c.JSON(signalView(r))
}

type resolveRequest struct {
	HouseholdID string `json:"household_id"`
	MemberID    string `json:"member_id"`
}

// resolve matches an unmatched signal to a member of a household in the
// caller's place, and evaluates the household with it. The member's number
// on file may differ (a department's old or mistyped record): the answer
// and the audit say so. Audited.
func (h *signalHandlers) resolve(c *fiber.Ctx) error {
	var req resolveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, sig, err := h.load(c)
	if err != nil {
		return err
	}
	if req.HouseholdID == "" {
		return domain.Invalid("household_id", "required", "请选择家庭档案 / household_id is required")
	}
	hh, err := h.households.households.Household(c.UserContext(), req.HouseholdID)
	if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && !p.CanSeePlace(hh.Place) {
		return domain.Invalid("household_id", "exists", "您的辖区内没有此家庭档案 / no such household in your place")
	}
	if err != nil {
		return err
	}
	m, _ := hh.Member(req.MemberID)
	differs := m.IDHash != "" && m.IDHash != sig.IDHash
	sig, rep, err := h.engine.Resolve(c.UserContext(), sig, outreach.Resolution{HouseholdID: hh.ID, MemberID: req.MemberID, By: p.Username})
	if err != nil {
		return err
	}
	detail := "household " + hh.ID + " member " + req.MemberID
	if differs {
		detail += " (the member's ID number on file differs)"
	}
	if err := h.households.audit(c, p, "signal.resolve", sig.ID, hh.Place, detail); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"signal": signalView(sig), "report": rep, "id_number_differs": differs})
}
