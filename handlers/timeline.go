package handlers

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// A household's timeline: signals, warnings and their visits, needs, the
// household log (visits, assessments, applications and official outcomes,
// services, employment, notes), volunteer tasks and referrals, on one line.

type timelineHandlers struct {
	store      OutreachStore
	households *householdHandlers
	catalogue  *domain.Catalogue
	policies   []domain.Policy
}

// HouseholdReferrals is the timeline's source of referrals (with
// HouseholdServiceRecords and HouseholdApplications, timeline_referrals.go):
// a store without it leaves "referrals" listed as unavailable.
type HouseholdReferrals interface {
	HouseholdReferrals(ctx context.Context, householdID string) ([]domain.Referral, error)
}

// TimelineEntry is one event of a household's file.
type TimelineEntry struct {
	At time.Time `json:"at"`
	// Kind is what happened: signal, warning, visit_assigned, visit,
	// warning_dismissed, need, need_<state>, a log kind (visit, assessment,
	// application, outcome, service, employment, note), task_<state>,
	// referral_<state>, service_record or job_<state> (a job application).
	Kind string `json:"kind"`
	// Source is the collection it comes from; RefID the record.
	Source   string          `json:"source"`
	RefID    string          `json:"ref_id"`
	MemberID string          `json:"member_id,omitempty"`
	TitleZh  string          `json:"title_zh"`
	TextZh   string          `json:"text_zh,omitempty"`
	Actor    string          `json:"actor,omitempty"`
	Severity domain.Severity `json:"severity,omitempty"`
}

// TimelineResponse is a household's timeline, newest first.
type TimelineResponse struct {
	HouseholdID string          `json:"household_id"`
	Items       []TimelineEntry `json:"items"`
	NextCursor  string          `json:"next_cursor"`
	// Unavailable names the sources this server cannot read yet.
	Unavailable []string `json:"unavailable"`
}

// get answers the timeline of a household to a coordinator of its place.
// Audited like a household read.
func (h *timelineHandlers) get(c *fiber.Ctx) error {
	p, hh, err := h.households.load(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	out := TimelineResponse{HouseholdID: hh.ID, Items: []TimelineEntry{}, Unavailable: []string{}}
	cases, more, unavailable := h.caseSources()
	sources := append([]timelineSource{h.signals, h.warnings, h.needs, h.log, h.tasks}, more...)
	out.Unavailable = append(out.Unavailable, unavailable...)
	for _, src := range sources {
		items, err := src(ctx, hh)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, items...)
	}
	out.Items = cases.dropCovered(out.Items)
	slices.SortStableFunc(out.Items, func(a, b TimelineEntry) int {
		return cmp.Or(b.At.Compare(a.At), strings.Compare(a.RefID, b.RefID))
	})
	if err := h.households.audit(c, p, "household.timeline", hh.ID, hh.Place, ""); err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *timelineHandlers) signals(ctx context.Context, hh domain.Household) ([]TimelineEntry, error) {
	records, err := h.store.HouseholdSignals(ctx, hh.ID)
	out := make([]TimelineEntry, 0, len(records))
	for _, s := range records {
		text := "部门编号 " + s.ExternalRef
		if s.AmountFen > 0 {
			text = "金额 " + s.AmountFen.String() + "；" + text
		}
		out = append(out, TimelineEntry{At: s.Date, Kind: "signal", Source: "signals", RefID: s.ID, MemberID: s.MemberID,
			TitleZh: "数据信号：" + s.Kind.NameZh() + "（" + s.SourceDepartment.NameZh() + "）", TextZh: text})
	}
	return out, err
}

func (h *timelineHandlers) warnings(ctx context.Context, hh domain.Household) ([]TimelineEntry, error) {
	records, err := h.store.HouseholdWarnings(ctx, hh.ID)
	var out []TimelineEntry
	for _, w := range records {
		base := TimelineEntry{Source: "warnings", RefID: w.ID, Severity: w.Severity}
		raised := base
		raised.At, raised.Kind, raised.TitleZh, raised.TextZh = w.RaisedAt, "warning", w.Severity.NameZh(), w.ExplanationZh
		out = append(out, raised)
		if w.Assignee != "" {
			a := base
			a.At, a.Kind, a.Actor = w.AssignedAt, "visit_assigned", w.Assignee
			a.TitleZh = "派单入户：" + w.Assignee + "，期限 " + w.DueAt.In(shanghai).Format("2006-01-02")
			out = append(out, a)
		}
		switch w.State {
		case domain.WarningVerified:
			v := base
			v.At, v.Kind, v.Actor, v.TextZh = w.ClosedAt, "visit", w.Assignee, w.VisitNote
			v.TitleZh = fmt.Sprintf("入户核实：登记需求 %d 项，更新信息 %d 项", len(w.NeedIDs), len(w.UpdatedFacts))
			out = append(out, v)
		case domain.WarningDismissed:
			d := base
			d.At, d.Kind, d.TextZh = w.ClosedAt, "warning_dismissed", w.DismissNote
			d.TitleZh = "预警关闭：" + w.DismissReason.NameZh()
			out = append(out, d)
		}
	}
	return out, err
}

func (h *timelineHandlers) needs(ctx context.Context, hh domain.Household) ([]TimelineEntry, error) {
	f := store.NeedFilter{HouseholdID: hh.ID, Limit: 200}
	var out []TimelineEntry
	err := eachPage(ctx, &f.After, func(ctx context.Context) (string, error) {
		needs, next, err := h.store.ListNeeds(ctx, f)
		for _, n := range needs {
			name := h.itemName(n.Item)
			out = append(out, TimelineEntry{At: n.CreatedAt, Kind: "need", Source: "needs", RefID: n.ID, MemberID: n.MemberID,
				TitleZh: "登记需求：" + name + "（" + string(n.Channel) + "）", TextZh: n.NeutralNote, Actor: n.CreatedBy})
			if n.State == domain.NeedResolved || n.State == domain.NeedClosed {
				out = append(out, TimelineEntry{At: n.UpdatedAt, Kind: "need_" + string(n.State), Source: "needs", RefID: n.ID,
					MemberID: n.MemberID, TitleZh: "需求" + map[domain.NeedState]string{domain.NeedResolved: "已解决", domain.NeedClosed: "已关闭"}[n.State] + "：" + name,
					TextZh: string(n.CloseReason)})
			}
		}
		return next, err
	})
	return out, err
}

// logTitles name the household log's kinds.
var logTitles = map[domain.LogKind]string{
	domain.LogVisit: "入户走访", domain.LogAssessment: "需求评估", domain.LogApplication: "协助申请救助",
	domain.LogOutcome: "官方审核结果", domain.LogService: "接受服务", domain.LogEmployment: "就业变化", domain.LogNote: "进展备注",
}

// log lists the household log; a visit logged for a warning is shown once,
// as the warning's visit.
func (h *timelineHandlers) log(ctx context.Context, hh domain.Household) ([]TimelineEntry, error) {
	entries, err := h.store.HouseholdLog(ctx, hh.ID)
	out := make([]TimelineEntry, 0, len(entries))
	for _, e := range entries {
		if e.Kind == domain.LogVisit && strings.HasPrefix(e.RefID, "warn-") {
			continue
		}
		title := logTitles[e.Kind]
		switch {
		case e.PolicyID != "":
			title += "：" + e.PolicyID
		case e.Assistance != "":
			title += "：" + string(e.Assistance)
		}
		if e.Outcome != "" {
			title += "（" + map[domain.OfficialOutcome]string{domain.OfficialApproved: "批准", domain.OfficialRejected: "不予批准"}[e.Outcome] + "）"
		}
		out = append(out, TimelineEntry{At: e.At, Kind: string(e.Kind), Source: "household_log", RefID: e.ID,
			MemberID: e.MemberID, TitleZh: title, TextZh: e.Text, Actor: e.Author})
	}
	return out, err
}

func (h *timelineHandlers) tasks(ctx context.Context, hh domain.Household) ([]TimelineEntry, error) {
	f := store.TaskFilter{Within: hh.Place, HouseholdID: hh.ID, Limit: 200}
	var out []TimelineEntry
	err := eachPage(ctx, &f.After, func(ctx context.Context) (string, error) {
		tasks, next, err := h.store.ListTasks(ctx, f)
		for _, t := range tasks {
			for _, ch := range t.History {
				out = append(out, TimelineEntry{At: ch.At, Kind: "task_" + string(ch.To), Source: "tasks", RefID: t.ID,
					MemberID: t.MemberID, TitleZh: "志愿服务：" + h.itemName(t.Item) + "（" + string(ch.To) + "）",
					TextZh: cmp.Or(ch.Note, ch.Reason), Actor: ch.By})
			}
		}
		return next, err
	})
	return out, err
}

func (h *timelineHandlers) itemName(code string) string {
	if it, ok := h.catalogue.Get(code); ok {
		return it.NameZh
	}
	return code
}
