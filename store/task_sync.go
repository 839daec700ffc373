package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// What a task's change implies elsewhere — the need's state, the household
// log — is written after the task's own guarded update, never in the same
// transaction (there are none). The task records the intent (synced: false
// in the same update as the change); SyncTask carries it out idempotently
// and clears the flag; SweepTasks runs it for every task a crash left
// unsynced.

// needTarget is the state a task's need should reach: matched while the task
// waits for a volunteer, in service from the check-in, resolved once the
// service is proven; a cancelled hand-posted task gives its need back (open).
// ok is false when the task implies nothing (a cancelled referral task: its
// referral decides).
func needTarget(t domain.Task) (target domain.NeedState, ok bool) {
	switch t.State {
	case domain.TaskOpen, domain.TaskClaimed:
		return domain.NeedMatched, true
	case domain.TaskInProgress, domain.TaskDone:
		return domain.NeedInService, true
	case domain.TaskConfirmed:
		return domain.NeedResolved, true
	case domain.TaskCancelled:
		return domain.NeedOpen, t.ReferralID == DirectReferral
	}
	return "", false
}

// needStep is the next state on the way from cur to target, or false when
// the need is there, past it, or ended (closed, resolved).
func needStep(cur, target domain.NeedState) (domain.NeedState, bool) {
	if target == domain.NeedOpen {
		return domain.NeedOpen, cur == domain.NeedMatched || cur == domain.NeedInService
	}
	rank := map[domain.NeedState]int{domain.NeedOpen: 0, domain.NeedProposed: 0, domain.NeedMatched: 1,
		domain.NeedInService: 2, domain.NeedResolved: 3}
	r, known := rank[cur]
	if !known || r >= rank[target] {
		return "", false
	}
	next := map[domain.NeedState]domain.NeedState{domain.NeedOpen: domain.NeedMatched, domain.NeedProposed: domain.NeedMatched,
		domain.NeedMatched: domain.NeedInService, domain.NeedInService: domain.NeedResolved}
	return next[cur], true
}

// SyncTask brings what lies outside task id up to its state, idempotently,
// then marks it synced (unless it changed meanwhile: the next sync takes
// that). A confirmed task's service record goes into the household log first,
// under an ID derived from the task, so writing it twice is harmless; then
// the need walks, one guarded TransitionNeed at a time, to needTarget. An
// open or claimed task whose need was closed or resolved elsewhere is
// cancelled. cat
// names the item in the log (nil: the code).
func (db *DB) SyncTask(ctx context.Context, id string, cat *domain.Catalogue) error {
	var d taskDoc
	if err := db.r.Collection(colTasks).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return translate("sync task", err)
	}
	if d.Synced {
		return nil
	}
	t, err := db.task(d)
	if err != nil {
		return err
	}
	if t.State == domain.TaskConfirmed {
		if err := db.logService(ctx, t, cat); err != nil {
			return err
		}
	}
	need, err := db.Need(ctx, t.NeedID)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		// Nothing to follow (a need deleted by hand); the task stands alone.
	case err != nil:
		return err
	case (t.State == domain.TaskOpen || t.State == domain.TaskClaimed) && (need.State == domain.NeedClosed || need.State == domain.NeedResolved):
		_, err := db.UpdateTask(ctx, t.ID, func(t *domain.Task) error {
			return t.Cancel(SystemActor, "需求已关闭 / the need was closed", db.now())
		})
		if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
		return db.SyncTask(ctx, id, cat)
	default:
		if err := db.followNeed(ctx, t, need); err != nil {
			return err
		}
	}
	// A volunteer-pool referral follows its task (referral_sync.go).
	if err := db.followTaskReferral(ctx, t, cat); err != nil {
		return err
	}
	_, err = db.w.Collection(colTasks).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: t.ID}, {Key: "version", Value: t.Version}, {Key: "synced", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "synced", Value: true}}}})
	return translate("mark task synced", err)
}

// followNeed walks the need towards the task's target state. A lost race
// re-reads the need and goes on from where it stands.
func (db *DB) followNeed(ctx context.Context, t domain.Task, need domain.Need) error {
	target, ok := needTarget(t)
	if !ok {
		return nil
	}
	if target == domain.NeedOpen {
		// Another live task for the need (posted after this one ended) holds it.
		err := db.r.Collection(colTasks).FindOne(ctx, bson.D{{Key: "need_slot", Value: need.ID}},
			options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
		if err == nil {
			return nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return translate("find live task of need", err)
		}
	}
	return db.walkNeed(ctx, need, target)
}

// walkNeed moves the need one guarded TransitionNeed at a time towards
// target (see needStep). A lost race re-reads the need and goes on from
// where it stands. Tasks and referrals both walk their needs with it.
func (db *DB) walkNeed(ctx context.Context, need domain.Need, target domain.NeedState) error {
	for range 8 {
		next, ok := needStep(need.State, target)
		if !ok {
			return nil
		}
		n, err := db.TransitionNeed(ctx, need.ID, need.State, next, "")
		if domain.ErrorCode(err) == domain.ECONFLICT {
			n, err = db.Need(ctx, need.ID)
		}
		if err != nil {
			return err
		}
		need = n
	}
	return nil
}

// logService appends a confirmed task's service record to the household log:
// date, minutes, what was done, the volunteer's name, the rating.
func (db *DB) logService(ctx context.Context, t domain.Task, cat *domain.Catalogue) error {
	worker := "志愿者"
	p, err := db.Provider(ctx, t.VolunteerID)
	switch {
	case err == nil:
		worker = p.Name
	case domain.ErrorCode(err) != domain.ENOTFOUND:
		return err
	}
	rec, err := t.ServiceRecord(t.ID, worker, db.now().UTC())
	if err != nil {
		return err
	}
	name := t.Item
	if cat != nil {
		if it, ok := cat.Get(t.Item); ok {
			name = it.NameZh
		}
	}
	entry := rec.LogEntry(name)
	if t.ReferralID == DirectReferral {
		entry.RefID = t.NeedID
	}
	return db.AppendLog(ctx, entry)
}

// TaskSweep counts what SweepTasks did.
type TaskSweep struct {
	Expired    int // claims released for not starting by their deadline
	CheckedOut int // visits cut at rules.MaxVisit
	Synced     int // tasks whose need and log were brought up to date
}

// SweepTasks is the tasks' reconciler, run at start and then every minute:
// it releases claims not started by their deadline, checks out visits left
// open past rules.MaxVisit (flagged for the coordinator), and syncs every
// task left unsynced by a crash between its own update and what follows it.
func (db *DB) SweepTasks(ctx context.Context, rules domain.TaskRules, cat *domain.Catalogue) (TaskSweep, error) {
	var s TaskSweep
	var err error
	if s.Expired, err = db.lapseClaims(ctx, ""); err != nil {
		return s, err
	}
	visits, err := findDocs[taskDoc](ctx, db.r.Collection(colTasks), "open visits", bson.D{{Key: "state", Value: string(domain.TaskInProgress)}})
	if err != nil {
		return s, err
	}
	for _, d := range visits {
		if db.now().Before(d.CheckInAt.Add(rules.MaxVisit)) {
			continue
		}
		_, err := db.UpdateTask(ctx, d.ID, func(t *domain.Task) error { return t.AutoCheckOut(SystemActor, rules, db.now()) })
		switch domain.ErrorCode(err) {
		case "":
			s.CheckedOut++
		case domain.ECONFLICT: // checked out meanwhile
		default:
			return s, err
		}
	}
	unsynced, err := findDocs[taskDoc](ctx, db.r.Collection(colTasks), "unsynced tasks", bson.D{{Key: "synced", Value: false}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return s, err
	}
	var errs []error
	for _, d := range unsynced {
		// One task that cannot be synced must not hold up the others.
		if err := db.SyncTask(ctx, d.ID, cat); err != nil {
			errs = append(errs, err)
			continue
		}
		s.Synced++
	}
	return s, errors.Join(errs...)
}
