package handlers

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
)

// SettlementStore keeps monthly statements.
type SettlementStore interface {
	Provider(ctx context.Context, id string) (domain.Provider, error)
	InsertStatement(ctx context.Context, s domain.Statement) error
	Statement(ctx context.Context, id string) (domain.Statement, error)
	ProviderStatements(ctx context.Context, providerID string) ([]domain.Statement, error)
	MonthStatements(ctx context.Context, month string) ([]domain.Statement, error)
}

// ServiceRecordSource reads a provider's service records and marks the
// settled ones; records are kept by another part of the loop.
type ServiceRecordSource interface {
	// ProviderServiceRecords returns every service record of the provider.
	ProviderServiceRecords(ctx context.Context, providerID string) ([]domain.ServiceRecord, error)
	// SettleServiceRecords sets the statement ID of the records that have
	// none (a record already settled keeps its statement).
	SettleServiceRecords(ctx context.Context, statementID string, recordIDs []string) error
}

// supervisionHandlers serve providers' traffic lights and monthly
// settlement statements.
type supervisionHandlers struct {
	keeper      *LightKeeper
	lights      LightStore
	settlements SettlementStore
	records     ServiceRecordSource // nil: statements cannot be built yet
	log         *slog.Logger
	now         func() time.Time
}

// LightResponse is a provider's light: the one in force (what matching
// reads), the one its evidence gives now with reasons and figures, the
// thresholds, and every recorded change, newest first.
type LightResponse struct {
	ProviderID string                 `json:"provider_id"`
	Light      domain.TrafficLight    `json:"light"`
	Computed   domain.LightResult     `json:"computed"`
	Thresholds domain.LightThresholds `json:"thresholds"`
	Changes    []LightChangeView      `json:"changes"`
}

// LightChangeView is one recorded change.
type LightChangeView struct {
	From    domain.TrafficLight  `json:"from"`
	To      domain.TrafficLight  `json:"to"`
	Reasons []domain.LightReason `json:"reasons"`
	Figures domain.LightFigures  `json:"figures"`
	At      time.Time            `json:"at"`
}

// seesProvider reports whether the caller may see a provider's standing:
// admins, coordinators and the provider itself.
func seesProvider(p domain.Principal, providerID string) bool {
	return p.Role == domain.RoleAdmin || p.Role == domain.RoleCoordinator || p.ProviderID != "" && p.ProviderID == providerID
}

func (h *supervisionHandlers) light(c *fiber.Ctx) error {
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	id := c.Params("id")
	if !seesProvider(p, id) {
		return domain.Errorf(domain.EFORBIDDEN, "只能查看本机构的信用灯 / you may see only your own organisation's light")
	}
	return h.answerLight(c, id, nil)
}

// recompute applies the light the evidence gives now (admins and
// coordinators), as the keeper does after every decision and daily.
func (h *supervisionHandlers) recompute(c *fiber.Ctx) error {
	if _, err := authorize(c, "", domain.RoleAdmin, domain.RoleCoordinator); err != nil {
		return err
	}
	res, _, err := h.keeper.Recompute(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return h.answerLight(c, c.Params("id"), &res)
}

func (h *supervisionHandlers) answerLight(c *fiber.Ctx, id string, res *domain.LightResult) error {
	ctx := c.UserContext()
	pr, computed, err := h.keeper.Evaluate(ctx, id)
	if err != nil {
		return err
	}
	if res != nil {
		computed = *res
	}
	changes, err := h.lights.LightChanges(ctx, id, 100)
	if err != nil {
		return err
	}
	out := LightResponse{ProviderID: id, Light: pr.TrafficLight, Computed: computed, Thresholds: h.keeper.Thresholds(),
		Changes: make([]LightChangeView, len(changes))}
	for i, ch := range changes {
		out.Changes[i] = LightChangeView{From: ch.From, To: ch.To, Reasons: ch.Reasons, Figures: ch.Figures, At: ch.At}
	}
	return c.JSON(out)
}

// listSettlements answers ?month=YYYY-MM statements: with ?provider= (a provider
// account: its own, the default) the provider's statement, built the first
// time it is asked for once the month is over; without, for admins and
// coordinators, the statements of the month built so far.
func (h *supervisionHandlers) listSettlements(c *fiber.Ctx) error {
	p, err := authorize(c, "", domain.RoleAdmin, domain.RoleCoordinator, domain.RoleNGO, domain.RoleEnterprise,
		domain.RoleUnit, domain.RoleVolunteer)
	if err != nil {
		return err
	}
	month, providerID := c.Query("month"), c.Query("provider")
	if _, _, err := domain.ParseMonth(month); err != nil {
		return err
	}
	official := p.Role == domain.RoleAdmin || p.Role == domain.RoleCoordinator
	switch {
	case !official && (p.ProviderID == "" || providerID != "" && providerID != p.ProviderID):
		return domain.Errorf(domain.EFORBIDDEN, "只能查看本机构的结算单 / you may see only your own statements")
	case !official:
		providerID = p.ProviderID
	case providerID == "":
		list, err := h.settlements.MonthStatements(c.UserContext(), month)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"items": list, "next_cursor": ""})
	}
	st, err := h.statement(c.UserContext(), providerID, month)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// statement returns the provider's statement of the month, building and
// storing it the first time. The statements collection is what has been
// settled: a record on any stored statement is never settled again, even
// if marking it (a second write) was lost to a crash; every call repairs
// such marks.
func (h *supervisionHandlers) statement(ctx context.Context, providerID, month string) (domain.Statement, error) {
	if _, err := h.settlements.Provider(ctx, providerID); err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Statement{}, domain.Invalid("provider", "exists", "服务方不存在 / no such provider")
		}
		return domain.Statement{}, err
	}
	if h.records == nil {
		return domain.Statement{}, domain.Errorf(domain.EUNAVAILABLE, "服务记录尚不可用，暂不能结算 / service records are not available yet")
	}
	prior, err := h.settlements.ProviderStatements(ctx, providerID)
	if err != nil {
		return domain.Statement{}, err
	}
	records, err := h.records.ProviderServiceRecords(ctx, providerID)
	if err != nil {
		return domain.Statement{}, err
	}
	h.repairMarks(ctx, prior, records)
	id := domain.StatementID(providerID, month)
	if i := slices.IndexFunc(prior, func(s domain.Statement) bool { return s.ID == id }); i >= 0 {
		return prior[i], nil
	}
	settled := map[string]bool{}
	for _, s := range prior {
		for _, l := range s.Lines {
			settled[l.RecordID] = true
		}
	}
	open := slices.DeleteFunc(slices.Clone(records), func(r domain.ServiceRecord) bool { return settled[r.ID] })
	// Stored times have millisecond precision: answer what a re-read gives.
	st, err := domain.BuildStatement(providerID, month, open, h.now().UTC().Truncate(time.Millisecond))
	if err != nil {
		return domain.Statement{}, err
	}
	if err := h.settlements.InsertStatement(ctx, st); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT { // built concurrently
			return h.settlements.Statement(ctx, id)
		}
		return domain.Statement{}, err
	}
	h.mark(ctx, st)
	return st, nil
}

// repairMarks marks the records of stored statements that are not marked.
func (h *supervisionHandlers) repairMarks(ctx context.Context, stored []domain.Statement, records []domain.ServiceRecord) {
	marked := make(map[string]string, len(records))
	for _, r := range records {
		marked[r.ID] = r.StatementID
	}
	for _, s := range stored {
		if slices.ContainsFunc(s.Lines, func(l domain.StatementLine) bool {
			sid, ok := marked[l.RecordID]
			return ok && sid == ""
		}) {
			h.mark(ctx, s)
		}
	}
}

// mark sets the statement's ID on its records; a failure is logged, the
// next call repairs it.
func (h *supervisionHandlers) mark(ctx context.Context, s domain.Statement) {
	ids := make([]string, len(s.Lines))
	for i, l := range s.Lines {
		ids[i] = l.RecordID
	}
	if len(ids) == 0 {
		return
	}
	if err := h.records.SettleServiceRecords(ctx, s.ID, ids); err != nil {
		h.log.Warn("mark settled service records; repaired at the next read", "statement", s.ID, "err", err.Error())
	}
}
