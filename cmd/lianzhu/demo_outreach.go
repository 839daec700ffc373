package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"lianzhu/domain"
	"lianzhu/handlers"
	"lianzhu/outreach"
	"lianzhu/seed"
	"lianzhu/store"
)

// demoIntakes are the days before now on which the demo's signals arrive:
// the departments' data of the last months in two deliveries, so that a
// warning raised weeks ago and left alone is overdue, as in a real district.
var demoIntakes = []int{30, 0}

// loadDemoLater loads the demo's signals and warnings in the
// background once the server serves: on FerretDB the intake writes each
// touched household file with a pass over all of them, which would hold
// the first start up for minutes. A stop half-way leaves the rest to the
// reconciler (batches) or undone (warning states of the demo).
// Then the closed loop (demo_loop.go) goes through the API in process.
func loadDemoLater(ctx context.Context, db *store.DB, e *outreach.Engine, deps handlers.Deps, log *slog.Logger) {
	if err := loadDemoOutreach(ctx, db, e, time.Now(), log); err != nil && ctx.Err() == nil {
		log.Error("demo signals and warnings", "err", err.Error())
	}
	api, err := newDemoAPI(deps, db)
	if err == nil {
		err = loadDemoLoop(ctx, api, db, time.Now(), log)
	}
	if err != nil && ctx.Err() == nil {
		log.Error("demo closed loop", "err", err.Error())
	}
}

// loadDemoOutreach runs the demo district's signal stream
// (seed.DemoSignals) through the intake on first start, after the district,
// then moves the warnings through the workflow: the medical-bill family's
// (DemoSignalStream.MedicalHardship) is assigned and its visit recorded;
// of the others some are dismissed, some assigned, some visited, and the
// rest left new (those raised weeks ago overdue). The marker is any stored
// signal. The stream needs the district of the same day: a district
// generated on another day (an older data folder) has other ID numbers, and
// the load is skipped.
func loadDemoOutreach(ctx context.Context, db *store.DB, e *outreach.Engine, now time.Time, log *slog.Logger) error {
	have, _, err := db.ListSignals(ctx, store.SignalFilter{Limit: 1})
	if err != nil || len(have) > 0 {
		return err
	}
	start := time.Now()
	d, err := seed.Demo(seed.DemoOptions{Seed: demoSeed, Now: now})
	if err != nil {
		return err
	}
	if len(d.Households) == 0 || len(d.Households[0].Members) == 0 {
		return nil
	}
	owner, err := db.MemberHouseholds(ctx, []string{d.Households[0].Members[0].IDNumber})
	if err != nil {
		return err
	}
	if owner[d.Households[0].Members[0].IDNumber] != d.Households[0].ID {
		log.Warn("demo signals skipped: the demo district on file was generated on another day")
		return nil
	}
	stream := seed.DemoSignals(d, now, demoSeed)
	var prev time.Time
	for _, days := range demoIntakes {
		at := now.AddDate(0, 0, -days)
		var batch []domain.Signal
		for _, s := range stream.Signals {
			if s.ReceivedAt.After(prev) && !s.ReceivedAt.After(at) {
				batch = append(batch, s)
			}
		}
		prev = at
		intake := *e
		intake.Now = func() time.Time { return at }
		if _, err := intake.Ingest(ctx, outreach.Batch{Signals: batch, Place: seed.DistrictCode, By: "demo"}); err != nil {
			return fmt.Errorf("demo signals of %s: %w", at.Format(time.DateOnly), err)
		}
	}
	states, err := demoWorkflow(ctx, db, e, stream.MedicalHardship)
	if err != nil {
		return fmt.Errorf("demo warnings: %w", err)
	}
	log.Info("demo signals and warnings written", "signals", len(stream.Signals), "unmatched", stream.Unmatched,
		"medical_hardship", stream.MedicalHardship, "warnings", states, "took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// demoWorkflow moves the demo warnings still new through the workflow and
// counts them by state.
func demoWorkflow(ctx context.Context, db *store.DB, e *outreach.Engine, showcase string) (map[domain.WarningState]int, error) {
	warnings, err := demoWarnings(ctx, db)
	if err != nil {
		return nil, err
	}
	tree, err := placeTreeOf(ctx, db)
	if err != nil {
		return nil, err
	}
	flow := &demoFlow{db: db, e: e, tree: tree, coordinators: map[string]bool{}}
	local := 0 // warnings of communities with a coordinator account
	for i, w := range warnings {
		if w.State != domain.WarningNew {
			continue
		}
		staffed, err := flow.staffed(ctx, w.Place[:12])
		if err != nil {
			return nil, err
		}
		switch {
		case w.HouseholdID == showcase:
			err = flow.visit(ctx, w, true)
		case staffed:
			switch local++; local % 3 {
			case 1:
				_, err = flow.assign(ctx, w)
			case 2:
				err = flow.visit(ctx, w, false)
			}
		case i%5 == 0:
			err = flow.dismiss(ctx, w, []domain.DismissReason{domain.DismissNoHardship, domain.DismissAlreadyAssisted}[i/5%2])
		}
		if err != nil {
			return nil, fmt.Errorf("warning %s: %w", w.ID, err)
		}
	}
	if warnings, err = demoWarnings(ctx, db); err != nil {
		return nil, err
	}
	states := map[domain.WarningState]int{}
	for _, w := range warnings {
		states[w.State]++
	}
	return states, nil
}

// demoWarnings reads every warning of the demo district, by ID.
func demoWarnings(ctx context.Context, db *store.DB) ([]store.WarningRecord, error) {
	var out []store.WarningRecord
	f := store.WarningFilter{Within: seed.DistrictCode, Limit: 500}
	for {
		page, next, err := db.ListWarnings(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		f.After = next
	}
}

// demoFlow acts on demo warnings as coordinators would.
type demoFlow struct {
	db           *store.DB
	e            *outreach.Engine
	tree         *domain.Places
	coordinators map[string]bool // usernames known to be (or not be) active coordinators
}

// staffed reports whether a community has an active coordinator account
// (the demo has accounts for a few communities).
func (f *demoFlow) staffed(ctx context.Context, community string) (bool, error) {
	username := "coordinator." + community
	if ok, known := f.coordinators[username]; known {
		return ok, nil
	}
	u, err := f.db.UserByUsername(ctx, username)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return false, err
	}
	ok := err == nil && !u.Disabled && u.Role == domain.RoleCoordinator
	f.coordinators[username] = ok
	return ok, nil
}

// assign gives the visit to the coordinator of the household's community.
func (f *demoFlow) assign(ctx context.Context, w store.WarningRecord) (store.WarningRecord, error) {
	from := w.State
	if err := w.AssignVisit("coordinator."+w.Place[:12], time.Now().UTC()); err != nil {
		return w, err
	}
	return w, f.db.UpdateWarning(ctx, &w.Warning, from)
}

// visit assigns the warning and records its visit: the first two draft
// needs confirmed and, for the showcase, the medical costs confirmed at
// the door (source home_visit).
func (f *demoFlow) visit(ctx context.Context, w store.WarningRecord, showcase bool) error {
	if showcase {
		if err := f.ensureCoordinator(ctx, w.Place[:12]); err != nil {
			return err
		}
	}
	w, err := f.assign(ctx, w)
	if err != nil {
		return err
	}
	h, err := f.db.Household(ctx, w.HouseholdID)
	if err != nil {
		return err
	}
	head := h.Members[0].ID
	if i := slices.IndexFunc(h.Members, func(m domain.Member) bool { return m.Relation == domain.RelationSelf }); i >= 0 {
		head = h.Members[i].ID
	}
	v := outreach.Visit{Note: "已入户核实：情况属实，家庭同意接受帮扶。", By: w.Assignee}
	for _, d := range w.Drafts[:min(2, len(w.Drafts))] {
		n := outreach.VisitNeed{Item: d.Item, MemberID: cmp.Or(d.MemberID, head), Urgency: domain.UrgencyNormal,
			NeutralNote: strings.TrimSpace(d.NameZh + "：" + firstOf(d.ReasonsZh))}
		if w.Severity == domain.SeverityRed {
			n.Urgency = domain.UrgencyHigh
		}
		v.Needs = append(v.Needs, n)
	}
	if showcase && h.MedicalOutOfPocket12m != nil {
		v.Note = "已入户核实：患者治疗仍在继续，医疗自付费用与医保数据一致，家庭收入难以覆盖，同意申请刚性支出困难家庭认定并接受服务。"
		med := h.MedicalOutOfPocket12m.Value
		v.Facts.MedicalOutOfPocket12mFen = &med
	}
	_, err = f.e.Verify(ctx, w, v, f.tree)
	return err
}

func (f *demoFlow) dismiss(ctx context.Context, w store.WarningRecord, reason domain.DismissReason) error {
	from := w.State
	if err := w.Dismiss(reason, "", time.Now().UTC()); err != nil {
		return err
	}
	return f.db.UpdateWarning(ctx, &w.Warning, from)
}

// ensureCoordinator makes a demo coordinator account for a community that
// has none, with the demo accounts' shared password.
func (f *demoFlow) ensureCoordinator(ctx context.Context, community string) error {
	if ok, err := f.staffed(ctx, community); err != nil || ok {
		return err
	}
	hash, err := f.db.DemoPasswordHash(ctx)
	if err != nil {
		return err
	}
	delete(f.coordinators, "coordinator."+community)
	return f.db.UpsertDemoUsers(ctx, []domain.User{{Username: "coordinator." + community, Role: domain.RoleCoordinator,
		Place: community, PasswordHash: hash, Demo: true}})
}

func firstOf(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}
