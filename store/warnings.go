package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

// Warnings (预警) raised from data signals, with the help proposed when they
// were raised. A warning's ID is domain.WarningKey of its household and
// signals, so raising the same signals again is one warning.

const colWarnings = "warnings"

// WarningRecord is a stored warning with the help proposed with it.
type WarningRecord struct {
	domain.Warning
	// Drafts are the household's likely needs, ranked (matching.DraftNeeds):
	// options for the visit, not needs yet.
	Drafts []WarningDraft
	// Leads are the policies the household seems eligible for after the
	// signals and does not receive, newly eligible first.
	Leads []WarningLead
	// FactUpdates say, in Chinese, what the signals changed in the file.
	FactUpdates []string
	// Visit is a visit being recorded (BeginVisit … FinishVisit): the intent
	// the reconciler finishes after a crash.
	Visit *VisitIntent
}

// WarningDraft is one likely need proposed with a warning.
type WarningDraft struct {
	Item      string
	NameZh    string
	MemberID  string
	Score     int
	ReasonsZh []string
	ReasonsEn []string
}

// WarningLead is one policy lead proposed with a warning.
type WarningLead struct {
	PolicyID   string
	NameZh     string
	Department domain.Department
	// Newly is true when the signals made the household eligible.
	Newly bool
	// Before is the policy status before the signals.
	Before    string
	ReasonsZh []string
	ReasonsEn []string
}

// VisitIntent is a home visit being recorded for a warning: the needs to
// create and the facts to set, kept on the warning until both are written
// and the warning is verified.
type VisitIntent struct {
	Visit domain.WarningVisit
	Needs []domain.Need
	Facts domain.VisitFacts
	By    string
	At    time.Time
}

type warningDoc struct {
	ID            string         `bson:"_id"`
	HouseholdID   string         `bson:"household_id"`
	Place         string         `bson:"place"`
	District      string         `bson:"district"`
	Street        string         `bson:"street"`
	Community     string         `bson:"community"`
	RuleID        string         `bson:"rule_id"`
	Rules         []string       `bson:"rules"`
	Severity      string         `bson:"severity"`
	SignalIDs     []string       `bson:"signal_ids"`
	ExplanationZh string         `bson:"explanation_zh"`
	Reasons       []string       `bson:"reasons"`
	State         string         `bson:"state"`
	RaisedAt      time.Time      `bson:"raised_at"`
	DueAt         time.Time      `bson:"due_at"`
	Assignee      string         `bson:"assignee"`
	AssignedAt    time.Time      `bson:"assigned_at"`
	VisitNote     string         `bson:"visit_note"`
	NeedIDs       []string       `bson:"need_ids"`
	UpdatedFacts  []string       `bson:"updated_facts"`
	DismissReason string         `bson:"dismiss_reason"`
	DismissNote   string         `bson:"dismiss_note"`
	ClosedAt      time.Time      `bson:"closed_at"`
	UpdatedAt     time.Time      `bson:"updated_at"`
	Version       int64          `bson:"version"`
	Drafts        []WarningDraft `bson:"drafts"`
	Leads         []WarningLead  `bson:"leads"`
	FactUpdates   []string       `bson:"fact_updates"`
	Visit         *VisitIntent   `bson:"visit,omitempty"`
	// Visiting is true while Visit is set: an equality filter for the
	// reconciler.
	Visiting bool `bson:"visiting"`
}

func warningToDoc(r WarningRecord) warningDoc {
	w := r.Warning
	s := scopeOf(w.Place)
	return warningDoc{ID: w.ID, HouseholdID: w.HouseholdID, Place: w.Place, District: s.District, Street: s.Street,
		Community: s.Community, RuleID: w.RuleID, Rules: w.Rules, Severity: string(w.Severity), SignalIDs: w.SignalIDs,
		ExplanationZh: w.ExplanationZh, Reasons: w.Reasons, State: string(w.State), RaisedAt: w.RaisedAt.UTC(),
		DueAt: w.DueAt.UTC(), Assignee: w.Assignee, AssignedAt: w.AssignedAt.UTC(), VisitNote: w.VisitNote,
		NeedIDs: w.NeedIDs, UpdatedFacts: w.UpdatedFacts, DismissReason: string(w.DismissReason),
		DismissNote: w.DismissNote, ClosedAt: w.ClosedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC(), Version: w.Version,
		Drafts: r.Drafts, Leads: r.Leads, FactUpdates: r.FactUpdates, Visit: r.Visit, Visiting: r.Visit != nil}
}

func (d warningDoc) record() WarningRecord {
	return WarningRecord{Warning: domain.Warning{ID: d.ID, HouseholdID: d.HouseholdID, Place: d.Place, RuleID: d.RuleID,
		Rules: d.Rules, Severity: domain.Severity(d.Severity), SignalIDs: d.SignalIDs, ExplanationZh: d.ExplanationZh,
		Reasons: d.Reasons, State: domain.WarningState(d.State), RaisedAt: d.RaisedAt.UTC(), DueAt: d.DueAt.UTC(),
		Assignee: d.Assignee, AssignedAt: d.AssignedAt.UTC(), VisitNote: d.VisitNote, NeedIDs: d.NeedIDs,
		UpdatedFacts: d.UpdatedFacts, DismissReason: domain.DismissReason(d.DismissReason), DismissNote: d.DismissNote,
		ClosedAt: d.ClosedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version},
		Drafts: d.Drafts, Leads: d.Leads, FactUpdates: d.FactUpdates, Visit: d.Visit}
}

func warningID(d warningDoc) string { return d.ID }

// InsertWarnings stores warnings in bulk (version 1 unless given) and
// returns how many were new: a warning whose ID exists already (the same
// household and signals) is left as it is.
func (db *DB) InsertWarnings(ctx context.Context, ws []WarningRecord) (int, error) {
	n, _, err := insertValues(ctx, db, colWarnings, "insert warnings", ws, func(r *WarningRecord) any {
		if r.Version == 0 {
			r.Version = 1
		}
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = r.RaisedAt
		}
		return warningToDoc(*r)
	})
	return n, err
}

// Warning returns one warning, or ENOTFOUND.
func (db *DB) Warning(ctx context.Context, id string) (WarningRecord, error) {
	return getOne(ctx, db, colWarnings, "get warning", id, warningDoc.record)
}

// WarningFilter selects warnings for ListWarnings.
type WarningFilter struct {
	Within   string
	State    domain.WarningState
	Severity domain.Severity
	Assignee string
	// OverdueAt, when set, keeps the warnings whose visit is late at that
	// time (open, due before it). FerretDB sorts and compares dates in Go,
	// so these are read whole within the place and paged here.
	OverdueAt time.Time
	After     string
	Limit     int
}

// ListWarnings returns a page of warnings sorted by id and the next cursor.
func (db *DB) ListWarnings(ctx context.Context, f WarningFilter) ([]WarningRecord, string, error) {
	filter := withEqual(scopeFilter(f.Within), "severity", string(f.Severity), "assignee", f.Assignee)
	col := db.r.Collection(colWarnings)
	if f.OverdueAt.IsZero() {
		docs, next, err := listPage(ctx, col, "list warnings", []bson.D{withEqual(filter, "state", string(f.State))},
			f.After, f.Limit, warningID)
		return mapDocs(docs, warningDoc.record), next, err
	}
	var late []warningDoc
	for _, st := range []domain.WarningState{domain.WarningNew, domain.WarningVisitAssigned} {
		if f.State != "" && f.State != st {
			continue
		}
		docs, err := findDocs[warningDoc](ctx, col, "list overdue warnings", withEqual(filter, "state", string(st)))
		if err != nil {
			return nil, "", err
		}
		for _, d := range docs {
			if d.ID > f.After && d.record().Overdue(f.OverdueAt) {
				late = append(late, d)
			}
		}
	}
	slices.SortFunc(late, func(a, b warningDoc) int { return strings.Compare(a.ID, b.ID) })
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	docs, next := page(late, f.Limit, warningID)
	return mapDocs(docs, warningDoc.record), next, nil
}

// HouseholdWarnings returns every warning of a household, oldest first.
func (db *DB) HouseholdWarnings(ctx context.Context, householdID string) ([]WarningRecord, error) {
	docs, err := findDocs[warningDoc](ctx, db.r.Collection(colWarnings), "household warnings",
		bson.D{{Key: "household_id", Value: householdID}})
	out := mapDocs(docs, warningDoc.record)
	slices.SortFunc(out, func(a, b WarningRecord) int { return a.RaisedAt.Compare(b.RaisedAt) })
	return out, err
}

// VisitingWarnings returns the warnings with a visit being recorded: the
// intents a crash may have left.
func (db *DB) VisitingWarnings(ctx context.Context) ([]WarningRecord, error) {
	docs, err := findDocs[warningDoc](ctx, db.r.Collection(colWarnings), "visiting warnings",
		bson.D{{Key: "visiting", Value: true}})
	return mapDocs(docs, warningDoc.record), err
}

// UpdateWarning writes a warning moved by its own method (AssignVisit,
// Dismiss) in one update guarded by the state and version it was read at
// (from, w.Version): a lost race, a stale read or a visit being recorded is
// ECONFLICT and changes nothing. On success w carries the new version.
func (db *DB) UpdateWarning(ctx context.Context, w *domain.Warning, from domain.WarningState) error {
	d := warningToDoc(WarningRecord{Warning: *w})
	set := bson.D{{Key: "state", Value: d.State}, {Key: "assignee", Value: d.Assignee},
		{Key: "assigned_at", Value: d.AssignedAt}, {Key: "due_at", Value: d.DueAt},
		{Key: "dismiss_reason", Value: d.DismissReason}, {Key: "dismiss_note", Value: d.DismissNote},
		{Key: "closed_at", Value: d.ClosedAt}, {Key: "updated_at", Value: d.UpdatedAt}}
	return db.guardWarning(ctx, w, from, bson.D{{Key: "$set", Value: set}})
}

// BeginVisit records a visit's intent on a warning still at from and its
// version, in one guarded update; the state stays until FinishVisit.
func (db *DB) BeginVisit(ctx context.Context, w *domain.Warning, from domain.WarningState, v VisitIntent) error {
	return db.guardWarning(ctx, w, from, bson.D{{Key: "$set", Value: bson.D{
		{Key: "visit", Value: v}, {Key: "visiting", Value: true}, {Key: "updated_at", Value: db.now().UTC()}}}})
}

// FinishVisit verifies a warning whose visit is being recorded (w as moved
// by domain.Warning.Verify), clearing the intent, in one update guarded by
// the state it was read at and the intent.
func (db *DB) FinishVisit(ctx context.Context, w *domain.Warning, from domain.WarningState) error {
	d := warningToDoc(WarningRecord{Warning: *w})
	res, err := db.w.Collection(colWarnings).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: w.ID}, {Key: "state", Value: string(from)}, {Key: "visiting", Value: true}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: d.State}, {Key: "visit_note", Value: d.VisitNote},
			{Key: "need_ids", Value: d.NeedIDs}, {Key: "updated_facts", Value: d.UpdatedFacts},
			{Key: "closed_at", Value: d.ClosedAt}, {Key: "updated_at", Value: d.UpdatedAt}, {Key: "visiting", Value: false}}},
			{Key: "$unset", Value: bson.D{{Key: "visit", Value: ""}}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
	if err != nil {
		return translate("finish visit", err)
	}
	if res.MatchedCount == 0 {
		return db.missingOr(ctx, colWarnings, "finish visit", w.ID,
			domain.Errorf(domain.ECONFLICT, "预警状态已变化 / the warning is no longer %s", from))
	}
	w.Version++
	return nil
}

// guardWarning applies update to warning w if it is still at state from and
// w.Version with no visit being recorded, bumping the version.
func (db *DB) guardWarning(ctx context.Context, w *domain.Warning, from domain.WarningState, update bson.D) error {
	update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}})
	res, err := db.w.Collection(colWarnings).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: w.ID}, {Key: "state", Value: string(from)}, {Key: "version", Value: w.Version},
			{Key: "visiting", Value: false}}, update)
	if err != nil {
		return translate("update warning", err)
	}
	if res.MatchedCount == 0 {
		return db.missingOr(ctx, colWarnings, "update warning", w.ID,
			domain.Errorf(domain.ECONFLICT, "预警已被他人处理，请刷新后重试 / the warning changed since you read it"))
	}
	w.Version++
	return nil
}
