package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

const colApplications = "applications"

// Application is a stored job application with what its views, its scope
// checks and its repair need without a join.
type Application struct {
	domain.JobApplication
	// EnterpriseID and JobTitle are the job's, copied at creation so that an
	// enterprise's list is an equality filter.
	EnterpriseID string
	JobTitle     string
	// Place is the household's place (the coordinators' scope).
	Place string
	// NeedID and ProposalID are set when the application comes from a
	// matching proposal; the proposal is accepted by SyncApplication.
	NeedID     string
	ProposalID string
	CreatedBy  string
	// WageFen is the monthly wage agreed at the hire (0: not recorded).
	WageFen domain.Fen
	History []domain.StateChange[domain.ApplicationState]
	// Synced is false from a change until what it implies elsewhere is done
	// (SyncApplication): the proposal accepted, the need moved, a hire's
	// employment entry in the household log and the review flag raised.
	Synced bool
}

// HiredAt is when the application was hired (zero unless hired).
func (a Application) HiredAt() time.Time {
	for _, h := range a.History {
		if h.To == domain.ApplicationHired {
			return h.At
		}
	}
	return time.Time{}
}

// applicationDoc is an application with its place scope and LiveSlot, which
// carries the unique index "one live application per member and job": job,
// household and member while applied or interview, "ended:"+id after.
// Every document has a value (FerretDB ignores sparse, rejects partial).
type applicationDoc struct {
	ID           string                                        `bson:"_id"`
	JobID        string                                        `bson:"job_id"`
	EnterpriseID string                                        `bson:"enterprise_id"`
	JobTitle     string                                        `bson:"job_title"`
	HouseholdID  string                                        `bson:"household_id"`
	MemberID     string                                        `bson:"member_id"`
	NeedID       string                                        `bson:"need_id"`
	ProposalID   string                                        `bson:"proposal_id"`
	Place        string                                        `bson:"place"`
	District     string                                        `bson:"district"`
	Street       string                                        `bson:"street"`
	Community    string                                        `bson:"community"`
	State        string                                        `bson:"state"`
	Note         string                                        `bson:"note"`
	WageFen      domain.Fen                                    `bson:"wage_fen"`
	History      []domain.StateChange[domain.ApplicationState] `bson:"history"`
	CreatedBy    string                                        `bson:"created_by"`
	AppliedAt    time.Time                                     `bson:"applied_at"`
	UpdatedAt    time.Time                                     `bson:"updated_at"`
	Version      int64                                         `bson:"version"`
	Synced       bool                                          `bson:"synced"`
	LiveSlot     string                                        `bson:"live_slot"`
}

// applicationLive reports whether an application in state s is still open.
func applicationLive(s domain.ApplicationState) bool {
	return s == domain.ApplicationApplied || s == domain.ApplicationInterview
}

func applicationToDoc(a Application) applicationDoc {
	s := scopeOf(a.Place)
	slot := a.JobID + "|" + a.HouseholdID + "|" + a.MemberID
	if !applicationLive(a.State) {
		slot = "ended:" + a.ID
	}
	return applicationDoc{ID: a.ID, JobID: a.JobID, EnterpriseID: a.EnterpriseID, JobTitle: a.JobTitle,
		HouseholdID: a.HouseholdID, MemberID: a.MemberID, NeedID: a.NeedID, ProposalID: a.ProposalID,
		Place: a.Place, District: s.District, Street: s.Street, Community: s.Community, State: string(a.State),
		Note: a.Note, WageFen: a.WageFen, History: a.History, CreatedBy: a.CreatedBy, AppliedAt: a.AppliedAt.UTC(),
		UpdatedAt: a.UpdatedAt.UTC(), Version: a.Version, Synced: a.Synced, LiveSlot: slot}
}

func (d applicationDoc) application() Application {
	hist := make([]domain.StateChange[domain.ApplicationState], len(d.History))
	for i, h := range d.History {
		h.At = h.At.UTC()
		hist[i] = h
	}
	return Application{EnterpriseID: d.EnterpriseID, JobTitle: d.JobTitle, Place: d.Place, NeedID: d.NeedID,
		ProposalID: d.ProposalID, CreatedBy: d.CreatedBy, WageFen: d.WageFen, History: hist, Synced: d.Synced,
		JobApplication: domain.JobApplication{ID: d.ID, JobID: d.JobID, HouseholdID: d.HouseholdID, MemberID: d.MemberID,
			State: domain.ApplicationState(d.State), Note: d.Note, AppliedAt: d.AppliedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
			Version: d.Version}}
}

func applicationID(d applicationDoc) string { return d.ID }

// ApplicationIDFor is the ID of the application made from a job proposal:
// derived, so that a retried request finds the application it made.
func ApplicationIDFor(proposalID string) string { return "app-" + proposalID }

// applicationTaken is the conflict of a second live application of one
// member to one job.
func applicationTaken() error {
	return &domain.Error{Code: domain.ECONFLICT, Message: "该成员已申请此岗位 / this member already applied to this job",
		Fields: []domain.FieldError{{Field: "member_id", Rule: "unique", Message: "该成员已申请此岗位"}}}
}

// CreateApplication files a new application in state applied (ID derived
// from ProposalID when there is one, else new), after checking it against
// the job and the household: the job must exist (EINVALID job_id) and be
// open (ECONFLICT), the member must belong to the household and consent to
// employers, the household not be do-not-contact (EINVALID member_id, rule
// consent). EnterpriseID, JobTitle and Place are filled from them. It starts
// unsynced: call SyncApplication next (the sweeper does after a crash).
//
// created is false when an application with the same ID exists already (a
// retried request): a is then the stored one. A second live application of
// the member to the job is ECONFLICT naming member_id.
func (db *DB) CreateApplication(ctx context.Context, a *Application) (created bool, err error) {
	if a.ProposalID != "" {
		a.ID = ApplicationIDFor(a.ProposalID)
	}
	if a.ID != "" {
		if old, err := db.Application(ctx, a.ID); err == nil {
			*a = old
			return false, nil
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return false, err
		}
	}
	job, err := db.Job(ctx, a.JobID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return false, domain.Invalid("job_id", "exists", "岗位不存在 / no such job")
	}
	if err != nil {
		return false, err
	}
	if job.Status != domain.JobOpen {
		return false, domain.Errorf(domain.ECONFLICT, "岗位已不再招聘 / the job is no longer open")
	}
	hh, err := db.Household(ctx, a.HouseholdID)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return false, err
	}
	now := db.now().UTC()
	if a.ID == "" {
		a.ID = newID()
	}
	a.State, a.Version, a.AppliedAt, a.UpdatedAt, a.Synced = domain.ApplicationApplied, 1, now, now, false
	a.EnterpriseID, a.JobTitle, a.Place = job.EnterpriseID, job.Title, hh.Place
	a.History = []domain.StateChange[domain.ApplicationState]{{At: now, By: a.CreatedBy, To: domain.ApplicationApplied, Note: a.Note}}
	var h *domain.Household
	if err == nil {
		h = &hh
	}
	if err := a.JobApplication.Validate(h, now); err != nil {
		return false, err
	}
	_, err = db.w.Collection(colApplications).InsertOne(ctx, applicationToDoc(*a))
	if !isDuplicateKey(err) {
		return err == nil, translate("create application", err)
	}
	// Either a concurrent retry wrote the same ID first, or the member has
	// a live application to the job already.
	if old, gerr := db.Application(ctx, a.ID); gerr == nil {
		*a = old
		return false, nil
	}
	return false, fmt.Errorf("store: create application: %w", applicationTaken())
}

// Application returns one application, or ENOTFOUND.
func (db *DB) Application(ctx context.Context, id string) (Application, error) {
	return getOne(ctx, db, colApplications, "get application", id, applicationDoc.application)
}

// ApplicationFilter selects applications for ListApplications; empty fields
// select everything.
type ApplicationFilter struct {
	Within       string // the household's place lies in this place
	EnterpriseID string
	JobID        string
	HouseholdID  string
	MemberID     string
	State        domain.ApplicationState
	After        string
	Limit        int
}

// ListApplications returns a page of applications sorted by id and the
// next cursor.
func (db *DB) ListApplications(ctx context.Context, f ApplicationFilter) ([]Application, string, error) {
	filter := withEqual(scopeFilter(f.Within), "enterprise_id", f.EnterpriseID, "job_id", f.JobID,
		"household_id", f.HouseholdID, "member_id", f.MemberID, "state", string(f.State))
	docs, next, err := listPage(ctx, db.r.Collection(colApplications), "list applications", []bson.D{filter}, f.After, f.Limit, applicationID)
	return mapDocs(docs, applicationDoc.application), next, err
}

// ApplicationMove is one move of an application: to a state, by whom, with
// a note; WageFen records the agreed wage of a hire (optional).
type ApplicationMove struct {
	To      domain.ApplicationState
	By      string
	Note    string
	WageFen domain.Fen
}

// MoveApplication moves a, as the caller read it, in ONE update guarded by
// the state and version read: of concurrent moves exactly one wins, the
// others get ECONFLICT with nothing written; an illegal move is ECONFLICT
// too. Who and when go into the history; the application becomes unsynced
// (call SyncApplication after it).
func (db *DB) MoveApplication(ctx context.Context, a Application, m ApplicationMove) (Application, error) {
	from, version := a.State, a.Version
	if !domain.CanTransitionApplication(from, m.To) {
		return Application{}, domain.Errorf(domain.ECONFLICT, "申请不能从 %s 变为 %s / illegal transition", from, m.To)
	}
	if m.By == "" {
		return Application{}, domain.Invalid("by", "required", "处理人不能为空")
	}
	if m.WageFen < 0 || m.WageFen > 100_000*100 {
		return Application{}, domain.Invalid("wage_fen", "range", "月薪须在¥0–¥100,000之间 / wage out of range")
	}
	now := db.now().UTC()
	a.History = append(append([]domain.StateChange[domain.ApplicationState](nil), a.History...),
		domain.StateChange[domain.ApplicationState]{At: now, By: m.By, From: from, To: m.To, Note: m.Note})
	a.State, a.Note, a.UpdatedAt, a.Version, a.Synced = m.To, m.Note, now, version+1, false
	if m.To == domain.ApplicationHired && m.WageFen > 0 {
		a.WageFen = m.WageFen
	}
	set, err := setFields(applicationToDoc(a), "_id", "applied_at")
	if err != nil {
		return Application{}, fmt.Errorf("store: move application: %w", err)
	}
	if m.To == domain.ApplicationHired {
		// The opening first: of concurrent hires beyond the openings, the
		// ones that find none fail here with nothing written.
		if err := db.takeOpening(ctx, a.JobID, a.ID); err != nil {
			return Application{}, err
		}
	}
	res, err := db.w.Collection(colApplications).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: a.ID}, {Key: "state", Value: string(from)}, {Key: "version", Value: version}},
		bson.D{{Key: "$set", Value: set}})
	switch {
	case err != nil:
		err = translate("move application", err)
	case res.MatchedCount == 0:
		err = db.missingOr(ctx, colApplications, "move application", a.ID,
			domain.Errorf(domain.ECONFLICT, "申请已被他人处理，请刷新 / someone else changed the application first"))
	}
	if err != nil {
		if m.To == domain.ApplicationHired {
			db.returnOpeningUnlessHired(ctx, a.ID)
		}
		return Application{}, err
	}
	return a, nil
}

// InsertApplications stores applications in bulk (the demo loader) and
// returns how many were new; those whose ID exists already are skipped. Each
// gets its defaults (state applied, an ID — derived from ProposalID when
// set —, version 1, times, a history of its one state when it has none);
// EnterpriseID, JobTitle and Place are read from the job and household when
// empty. Nothing is checked and nothing follows: the applications are
// written unsynced, so SweepApplications (run it after loading; the server
// runs it every minute) accepts their proposals and writes what hires
// imply — employment entries and review flags.
func (db *DB) InsertApplications(ctx context.Context, as []Application) (int, error) {
	var jobIDs, hhIDs []string
	for _, a := range as {
		jobIDs, hhIDs = append(jobIDs, a.JobID), append(hhIDs, a.HouseholdID)
	}
	jobs, err := readByID(ctx, db, colJobs, "jobs of applications", jobIDs, jobID, jobDoc.job)
	if err != nil {
		return 0, err
	}
	hhs, err := db.HouseholdsByID(ctx, hhIDs)
	if err != nil {
		return 0, err
	}
	n, _, err := insertValues(ctx, db, colApplications, "insert applications", as, func(a *Application) any {
		if a.ProposalID != "" && a.ID == "" {
			a.ID = ApplicationIDFor(a.ProposalID)
		}
		db.fillNew(&a.ID, &a.Version, &a.AppliedAt, &a.UpdatedAt)
		if a.State == "" {
			a.State = domain.ApplicationApplied
		}
		if j, ok := jobs[a.JobID]; ok && a.EnterpriseID == "" {
			a.EnterpriseID, a.JobTitle = j.EnterpriseID, j.Title
		}
		if h, ok := hhs[a.HouseholdID]; ok && a.Place == "" {
			a.Place = h.Place
		}
		if len(a.History) == 0 {
			a.History = []domain.StateChange[domain.ApplicationState]{{At: a.UpdatedAt, By: a.CreatedBy, To: a.State}}
		}
		a.Synced = false
		return applicationToDoc(*a)
	})
	return n, err
}
