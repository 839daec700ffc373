package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

const colTasks = "tasks"

// DirectReferral is the ReferralID of a task a coordinator posted by hand
// from a need: no referral document stands behind it, the task is its own
// case. SyncTask gives such a task's need back (open) when it is cancelled;
// a referral's need is its referral's to move.
const DirectReferral = "direct"

// SystemActor is recorded as the author of what the sweeper does: expired
// claims, visits cut at the maximum, tasks cancelled with their need.
const SystemActor = "system"

// taskDoc is a task with its place scope, its address sealed like an ID
// number, and two fields of the store's own:
//
//   - NeedSlot carries the unique index "one live task per need": the need's
//     id while the task is live (open to done), "ended:"+id after. Every
//     document has a value (FerretDB ignores sparse, rejects partial).
//   - Synced is false from a change of state until the need and the household
//     log follow it (SyncTask). No transaction spans the task and the need, so
//     this flag is the recorded intent the sweeper repairs after a crash.
type taskDoc struct {
	ID             string                                 `bson:"_id"`
	ReferralID     string                                 `bson:"referral_id"`
	NeedID         string                                 `bson:"need_id"`
	HouseholdID    string                                 `bson:"household_id"`
	MemberID       string                                 `bson:"member_id"`
	Item           string                                 `bson:"item"`
	Note           string                                 `bson:"note"`
	Place          string                                 `bson:"place"`
	District       string                                 `bson:"district"`
	Street         string                                 `bson:"street"`
	Community      string                                 `bson:"community"`
	AddressEnc     string                                 `bson:"address_enc"`
	Location       *domain.LatLng                         `bson:"location"`
	Resident       string                                 `bson:"resident"`
	WindowStart    time.Time                              `bson:"window_start"`
	WindowEnd      time.Time                              `bson:"window_end"`
	Skills         []string                               `bson:"skills"`
	State          string                                 `bson:"state"`
	VolunteerID    string                                 `bson:"volunteer_id"`
	ClaimedAt      time.Time                              `bson:"claimed_at"`
	ClaimDeadline  time.Time                              `bson:"claim_deadline"`
	CheckInAt      time.Time                              `bson:"check_in_at"`
	CheckOutAt     time.Time                              `bson:"check_out_at"`
	AutoCheckedOut bool                                   `bson:"auto_checked_out"`
	Minutes        int                                    `bson:"minutes"`
	Code           *domain.ProofCode                      `bson:"code"`
	Proof          *domain.Proof                          `bson:"proof"`
	Rating         *domain.Rating                         `bson:"rating"`
	History        []domain.StateChange[domain.TaskState] `bson:"history"`
	CreatedBy      string                                 `bson:"created_by"`
	CreatedAt      time.Time                              `bson:"created_at"`
	UpdatedAt      time.Time                              `bson:"updated_at"`
	Version        int64                                  `bson:"version"`
	NeedSlot       string                                 `bson:"need_slot"`
	Synced         bool                                   `bson:"synced"`
}

// live reports whether a task in state s still holds its need.
func live(s domain.TaskState) bool { return s != domain.TaskConfirmed && s != domain.TaskCancelled }

// taskToDoc builds the document without the sealed address (written once,
// at creation) and unsynced.
func taskToDoc(t domain.Task) taskDoc {
	s := scopeOf(t.Place)
	slot := t.NeedID
	if !live(t.State) {
		slot = "ended:" + t.ID
	}
	utc := func(x time.Time) time.Time { return x.UTC() }
	return taskDoc{ID: t.ID, ReferralID: t.ReferralID, NeedID: t.NeedID, HouseholdID: t.HouseholdID, MemberID: t.MemberID,
		Item: t.Item, Note: t.Note, Place: t.Place, District: s.District, Street: s.Street, Community: s.Community,
		Location: t.Location, Resident: t.Resident, WindowStart: utc(t.WindowStart), WindowEnd: utc(t.WindowEnd),
		Skills: t.Skills, State: string(t.State), VolunteerID: t.VolunteerID, ClaimedAt: utc(t.ClaimedAt),
		ClaimDeadline: utc(t.ClaimDeadline), CheckInAt: utc(t.CheckInAt), CheckOutAt: utc(t.CheckOutAt),
		AutoCheckedOut: t.AutoCheckedOut, Minutes: t.Minutes, Code: t.Code, Proof: t.Proof, Rating: t.Rating,
		History: t.History, CreatedBy: t.CreatedBy, CreatedAt: utc(t.CreatedAt), UpdatedAt: utc(t.UpdatedAt),
		Version: t.Version, NeedSlot: slot}
}

// task converts a document, opening its address.
func (db *DB) task(d taskDoc) (domain.Task, error) {
	address := ""
	if d.AddressEnc != "" {
		if err := db.requirePII(); err != nil {
			return domain.Task{}, err
		}
		a, err := db.pii.Decrypt(d.AddressEnc)
		if err != nil {
			return domain.Task{}, fmt.Errorf("store: task %s address: %w", d.ID, err)
		}
		address = a
	}
	utc := func(x time.Time) time.Time {
		if x.IsZero() || x.Year() <= 1 {
			return time.Time{}
		}
		return x.UTC()
	}
	return domain.Task{ID: d.ID, ReferralID: d.ReferralID, NeedID: d.NeedID, HouseholdID: d.HouseholdID,
		MemberID: d.MemberID, Item: d.Item, Note: d.Note, Place: d.Place, Address: address, Location: d.Location,
		Resident: d.Resident, WindowStart: utc(d.WindowStart), WindowEnd: utc(d.WindowEnd), Skills: d.Skills,
		State: domain.TaskState(d.State), VolunteerID: d.VolunteerID, ClaimedAt: utc(d.ClaimedAt),
		ClaimDeadline: utc(d.ClaimDeadline), CheckInAt: utc(d.CheckInAt), CheckOutAt: utc(d.CheckOutAt),
		AutoCheckedOut: d.AutoCheckedOut, Minutes: d.Minutes, Code: d.Code, Proof: d.Proof, Rating: d.Rating,
		History: d.History, CreatedBy: d.CreatedBy, CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt),
		Version: d.Version}, nil
}

func (db *DB) tasks(docs []taskDoc) ([]domain.Task, error) {
	out := make([]domain.Task, 0, len(docs))
	for _, d := range docs {
		t, err := db.task(d)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// CreateTask stores a new task (Start and Validate it first; the referral
// engineer's volunteer-pool referrals and the coordinators' hand-posted
// tasks both come here) and sets its ID and version. The exact address is
// sealed at rest. The member's household must still allow volunteers
// (domain.VolunteerConsent: consent stands, not do-not-contact), else
// ECONFLICT; ENOTFOUND when the household does not exist. A need has at most
// one live task: a second is ECONFLICT naming need_id. The task starts
// unsynced: call SyncTask next (the sweeper does it after a crash), which
// moves the need to matched.
func (db *DB) CreateTask(ctx context.Context, t *domain.Task) error {
	if err := db.requirePII(); err != nil {
		return err
	}
	hh, err := db.Household(ctx, t.HouseholdID)
	if err != nil {
		return err
	}
	if err := domain.VolunteerConsent(&hh, t.MemberID); err != nil {
		return err
	}
	now := db.now().UTC()
	t.ID, t.Version, t.UpdatedAt = newID(), 1, now
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	doc := taskToDoc(*t)
	if doc.AddressEnc, err = db.pii.Encrypt(t.Address); err != nil {
		return err
	}
	_, err = db.w.Collection(colTasks).InsertOne(ctx, doc)
	if isDuplicateKey(err) {
		return fmt.Errorf("store: create task: %w", &domain.Error{Code: domain.ECONFLICT,
			Message: "该需求已有进行中的志愿任务 / this need already has a live task",
			Fields:  []domain.FieldError{{Field: "need_id", Rule: "unique", Message: "该需求已有进行中的志愿任务"}}})
	}
	return translate("create task", err)
}

// Task returns one task with its address, or ENOTFOUND. A claim past its
// deadline is released on the way (the sweeper does the same every minute).
func (db *DB) Task(ctx context.Context, id string) (domain.Task, error) {
	t, err := db.storedTask(ctx, id)
	if err != nil {
		return t, err
	}
	return db.lapse(ctx, t)
}

// storedTask reads a task as stored.
func (db *DB) storedTask(ctx context.Context, id string) (domain.Task, error) {
	var d taskDoc
	if err := db.r.Collection(colTasks).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return domain.Task{}, translate("get task", err)
	}
	return db.task(d)
}

// TaskFilter selects tasks for ListTasks; empty fields select everything.
type TaskFilter struct {
	Within      string // the task's place lies in this place
	State       domain.TaskState
	VolunteerID string
	NeedID      string
	ReferralID  string
	HouseholdID string
	After       string
	Limit       int
}

// ListTasks returns a page of tasks sorted by id and the next cursor. Claims
// in the place that passed their deadline are released first, so the board
// never shows a lapsed claim as taken.
func (db *DB) ListTasks(ctx context.Context, f TaskFilter) ([]domain.Task, string, error) {
	if f.State == "" || f.State == domain.TaskOpen || f.State == domain.TaskClaimed {
		if _, err := db.lapseClaims(ctx, f.Within); err != nil {
			return nil, "", err
		}
	}
	filter := withEqual(scopeFilter(f.Within), "state", string(f.State), "volunteer_id", f.VolunteerID,
		"need_id", f.NeedID, "referral_id", f.ReferralID, "household_id", f.HouseholdID)
	docs, next, err := listPage(ctx, db.r.Collection(colTasks), "list tasks", []bson.D{filter}, f.After, f.Limit,
		func(d taskDoc) string { return d.ID })
	if err != nil {
		return nil, "", err
	}
	ts, err := db.tasks(docs)
	return ts, next, err
}

// VolunteerTasks returns every task a volunteer holds or held (a released
// or expired claim leaves no trace here), for their list and their hours.
func (db *DB) VolunteerTasks(ctx context.Context, volunteerID string) ([]domain.Task, error) {
	docs, err := findDocs[taskDoc](ctx, db.r.Collection(colTasks), "volunteer tasks", bson.D{{Key: "volunteer_id", Value: volunteerID}})
	if err != nil {
		return nil, err
	}
	ts, err := db.tasks(docs)
	if err != nil {
		return nil, err
	}
	out := ts[:0]
	for _, t := range ts {
		if t, err = db.lapse(ctx, t); err != nil {
			return nil, err
		}
		if t.VolunteerID == volunteerID {
			out = append(out, t)
		}
	}
	return out, nil
}

// UpdateTask reads task id, applies change and writes the result in ONE
// update guarded by the state and version it read: of many concurrent
// changes (a hundred volunteers claiming the same task) exactly one wins and
// the others get ECONFLICT with nothing written. An error from change is
// returned and nothing is written; ENOTFOUND when the task does not exist. A
// change of state leaves the task unsynced: call SyncTask after it.
func (db *DB) UpdateTask(ctx context.Context, id string, change func(*domain.Task) error) (domain.Task, error) {
	t, err := db.Task(ctx, id)
	if err != nil {
		return domain.Task{}, err
	}
	from, version := t.State, t.Version
	if err := change(&t); err != nil {
		return domain.Task{}, err
	}
	if err := db.saveTask(ctx, &t, from, version); err != nil {
		return domain.Task{}, err
	}
	return t, nil
}

// saveTask writes t, read in state from at version, guarded by both; it bumps
// the version and, when the state changed, marks the task unsynced.
func (db *DB) saveTask(ctx context.Context, t *domain.Task, from domain.TaskState, version int64) error {
	t.Version, t.UpdatedAt = version+1, db.now().UTC()
	except := []string{"_id", "created_at", "address_enc", "synced"}
	if t.State != from {
		except = except[:3]
	}
	set, err := setFields(taskToDoc(*t), except...)
	if err != nil {
		return fmt.Errorf("store: save task: %w", err)
	}
	res, err := db.w.Collection(colTasks).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: t.ID}, {Key: "state", Value: string(from)}, {Key: "version", Value: version}},
		bson.D{{Key: "$set", Value: set}})
	if isDuplicateKey(err) {
		return domain.Errorf(domain.ECONFLICT, "该需求已有进行中的志愿任务 / this need already has a live task")
	}
	if err != nil {
		return translate("save task", err)
	}
	if res.MatchedCount == 0 {
		// The task was just read and tasks are never deleted: the guard
		// failed. (No existence check: under a hundred concurrent claims it
		// would double the losers' round trips on FerretDB's one writer.)
		return domain.Errorf(domain.ECONFLICT, "任务已被他人抢先处理，请刷新 / someone else changed the task first")
	}
	return nil
}

// lapse releases t's claim when it was not started by its deadline and
// returns the task as it now stands.
func (db *DB) lapse(ctx context.Context, t domain.Task) (domain.Task, error) {
	now := db.now()
	if !t.ClaimExpired(now) {
		return t, nil
	}
	from, version := t.State, t.Version
	if err := t.ExpireClaim(SystemActor, now); err != nil {
		return domain.Task{}, err
	}
	err := db.saveTask(ctx, &t, from, version)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return db.storedTask(ctx, t.ID) // someone else released or started it meanwhile
	}
	return t, err
}

// lapseClaims releases the lapsed claims within a place ("" = everywhere)
// and counts them.
func (db *DB) lapseClaims(ctx context.Context, within string) (int, error) {
	docs, err := findDocs[taskDoc](ctx, db.r.Collection(colTasks), "lapsed claims",
		withEqual(scopeFilter(within), "state", string(domain.TaskClaimed)))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range docs {
		if !d.ClaimDeadline.Before(db.now()) {
			continue
		}
		t, err := db.task(d)
		if err != nil {
			return n, err
		}
		if t, err = db.lapse(ctx, t); err != nil {
			return n, err
		}
		if t.State == domain.TaskOpen {
			n++
		}
	}
	return n, nil
}
