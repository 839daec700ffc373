package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const (
	colRuns = "matching_runs"
	// colRunLocks holds one document per place with a queued or running
	// run. Its _id is the place, so the unique _id index makes "one run at a
	// time per place" atomic without transactions or a secondary index.
	colRunLocks = "matching_locks"
)

// Run statuses.
const (
	RunQueued  = "queued"
	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
)

// Run stages, in order.
const (
	StageLoading    = "loading"
	StageEvaluating = "evaluating"
	StageMatching   = "matching"
	StageSaving     = "saving"
)

// RunInterrupted is the error of a run the server stopped (shutdown or
// crash) before it finished.
const RunInterrupted = "interrupted"

// Run is one matching run over a place: policy evaluation of every
// household and matching of every open need, written as proposals.
type Run struct {
	ID        string
	Place     string
	CreatedBy string
	Status    string // RunQueued, RunRunning, RunDone, RunFailed
	// Stage is the step under way (or the last one reached); Done of Total
	// counts its progress (households, needs or proposals).
	Stage       string
	Done, Total int
	Summary     RunSummary
	Error       string
	CreatedAt   time.Time
	StartedAt   time.Time
	FinishedAt  time.Time
}

// RunSummary is what a finished run found.
type RunSummary struct {
	Households int `bson:"households"`
	// Inside hold a tier status (特困, 低保, 低保边缘, 刚性支出困难);
	// JustOutside hold none but are near a policy that confers one.
	Inside      int `bson:"inside"`
	JustOutside int `bson:"just_outside"`
	// Leads are policies a household seems to qualify for but does not
	// receive; NearMisses policies it misses within a margin.
	Leads      int `bson:"leads"`
	NearMisses int `bson:"near_misses"`
	Needs      int `bson:"needs"`
	Matched    int `bson:"matched"`
	Unmatched  int `bson:"unmatched"`
	// UnmatchedByReason counts unmatched needs by matching.Reason.
	UnmatchedByReason map[string]int `bson:"unmatched_by_reason"`
	// SkippedNeeds are open needs whose household or member is no longer
	// in the place.
	SkippedNeeds int `bson:"skipped_needs"`
	// Proposals were written by the run; Superseded are older open
	// proposals in the place it replaced (service proposals of older runs,
	// leads that no longer hold).
	Proposals  int `bson:"proposals"`
	Superseded int `bson:"superseded"`
	// Withheld are proposals the engine made but a coordinator's rejection
	// of the same pair still blocks (domain.Proposal.Blocks).
	Withheld int `bson:"withheld"`
}

type runDoc struct {
	ID         string     `bson:"_id"`
	Place      string     `bson:"place"`
	District   string     `bson:"district"`
	Street     string     `bson:"street"`
	Community  string     `bson:"community"`
	CreatedBy  string     `bson:"created_by"`
	Status     string     `bson:"status"`
	Stage      string     `bson:"stage"`
	Done       int        `bson:"done"`
	Total      int        `bson:"total"`
	Summary    RunSummary `bson:"summary"`
	Error      string     `bson:"error"`
	CreatedAt  time.Time  `bson:"created_at"`
	StartedAt  time.Time  `bson:"started_at"`
	FinishedAt time.Time  `bson:"finished_at"`
}

type runLockDoc struct {
	Place string `bson:"_id"`
	RunID string `bson:"run_id"`
}

func (d runDoc) run() Run {
	return Run{ID: d.ID, Place: d.Place, CreatedBy: d.CreatedBy, Status: d.Status, Stage: d.Stage, Done: d.Done,
		Total: d.Total, Summary: d.Summary, Error: d.Error, CreatedAt: d.CreatedAt.UTC(), StartedAt: d.StartedAt.UTC(),
		FinishedAt: d.FinishedAt.UTC()}
}

func runBusy() error {
	return domain.Errorf(domain.ECONFLICT, "该辖区已有匹配在运行，请等待其完成 / a matching run is already in progress for this place")
}

// CreateRun records a queued run over r.Place and sets its ID, status and
// creation time. A run already queued or running over the same place, a
// place within it or a place containing it is ECONFLICT: the same needs
// must not be matched twice at once. The lock on the exact place is atomic;
// the check for overlapping places reads the locks first, which is enough
// for one server (two replicas could race on a district and one of its
// streets).
func (db *DB) CreateRun(ctx context.Context, r *Run) error {
	if domain.PlaceLevelOf(r.Place) == "" {
		return domain.Invalid("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	cur, err := db.r.Collection(colRunLocks).Find(ctx, bson.D{})
	if err != nil {
		return translate("read run locks", err)
	}
	var locks []runLockDoc
	if err := cur.All(ctx, &locks); err != nil {
		return translate("read run locks", err)
	}
	for _, l := range locks {
		if domain.PlaceWithin(l.Place, r.Place) || domain.PlaceWithin(r.Place, l.Place) {
			return runBusy()
		}
	}
	r.ID, r.Status, r.CreatedAt = newID(), RunQueued, db.now().UTC()
	r.Stage, r.Done, r.Total, r.Error = StageLoading, 0, 0, ""
	r.StartedAt, r.FinishedAt = time.Time{}, time.Time{}
	if _, err := db.w.Collection(colRunLocks).InsertOne(ctx, runLockDoc{Place: r.Place, RunID: r.ID}); err != nil {
		if err := translate("lock run", err); domain.ErrorCode(err) == domain.ECONFLICT {
			return runBusy()
		}
		return translate("lock run", err)
	}
	s := scopeOf(r.Place)
	_, err = db.w.Collection(colRuns).InsertOne(ctx, runDoc{ID: r.ID, Place: r.Place, District: s.District, Street: s.Street,
		Community: s.Community, CreatedBy: r.CreatedBy, Status: r.Status, Stage: r.Stage, CreatedAt: r.CreatedAt})
	if err != nil {
		db.releaseRunLock(ctx, r.Place, r.ID)
		return translate("create run", err)
	}
	return nil
}

func (db *DB) releaseRunLock(ctx context.Context, place, runID string) {
	// Guarded: never release a lock another run holds.
	_, _ = db.w.Collection(colRunLocks).DeleteOne(ctx, bson.D{{Key: "_id", Value: place}, {Key: "run_id", Value: runID}})
}

// StartRun moves a queued run to running; ECONFLICT if it is not queued.
func (db *DB) StartRun(ctx context.Context, id string) error {
	now := db.now().UTC()
	return db.updateRun(ctx, "start run", id, RunQueued, bson.D{{Key: "status", Value: RunRunning}, {Key: "started_at", Value: now}})
}

// UpdateRunProgress records the stage of a running run and how far it got;
// ECONFLICT if the run is not running.
func (db *DB) UpdateRunProgress(ctx context.Context, id, stage string, done, total int) error {
	return db.updateRun(ctx, "update run progress", id, RunRunning,
		bson.D{{Key: "stage", Value: stage}, {Key: "done", Value: done}, {Key: "total", Value: total}})
}

// updateRun sets fields of a run guarded by its expected status.
func (db *DB) updateRun(ctx context.Context, op, id, status string, set bson.D) error {
	res, err := db.w.Collection(colRuns).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "status", Value: status}},
		bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return translate(op, err)
	}
	if res.MatchedCount == 0 {
		return db.runConflict(ctx, op, id)
	}
	return nil
}

// runConflict tells a run that does not exist (ENOTFOUND) from one in
// another status (ECONFLICT).
func (db *DB) runConflict(ctx context.Context, op, id string) error {
	r, err := db.Run(ctx, id)
	if err != nil {
		return err
	}
	return domain.Errorf(domain.ECONFLICT, "store: %s: the run is %s", op, r.Status)
}

// FinishRun ends a queued or running run as RunDone (with its summary) or
// RunFailed (with errMsg), and releases its place. ECONFLICT if the run had
// already finished.
func (db *DB) FinishRun(ctx context.Context, id, status string, summary RunSummary, errMsg string) error {
	if status != RunDone && status != RunFailed {
		return domain.Invalid("status", "enum", "status must be done or failed")
	}
	var d runDoc
	err := db.w.Collection(colRuns).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{RunQueued, RunRunning}}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "summary", Value: summary},
			{Key: "error", Value: errMsg}, {Key: "finished_at", Value: db.now().UTC()}}}}).Decode(&d)
	if err != nil {
		if domain.ErrorCode(translate("", err)) == domain.ENOTFOUND {
			return db.runConflict(ctx, "finish run", id)
		}
		return translate("finish run", err)
	}
	db.releaseRunLock(ctx, d.Place, id)
	return nil
}

// Run returns one run, or ENOTFOUND.
func (db *DB) Run(ctx context.Context, id string) (Run, error) {
	var d runDoc
	if err := db.r.Collection(colRuns).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return Run{}, translate("get run", err)
	}
	return d.run(), nil
}

// RunFilter selects runs for ListRuns.
type RunFilter struct {
	Within string // runs over places within this one ("" = all)
	Status string
	After  string // cursor: the last id of the previous page
	Limit  int
}

// ListRuns returns a page of runs, newest first, and the next cursor.
func (db *DB) ListRuns(ctx context.Context, f RunFilter) ([]Run, string, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	filter := scopeFilter(f.Within)
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	}
	if f.After != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: f.After}}})
	}
	cur, err := db.r.Collection(colRuns).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(f.Limit+1)))
	if err != nil {
		return nil, "", translate("list runs", err)
	}
	var docs []runDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", translate("list runs", err)
	}
	docs, next := page(docs, f.Limit, func(d runDoc) string { return d.ID })
	out := make([]Run, len(docs))
	for i, d := range docs {
		out[i] = d.run()
	}
	return out, next, nil
}

// FailInterruptedRuns marks every queued or running run failed
// (RunInterrupted) and releases every place. A server calls it when it
// starts, before it takes requests: runs execute inside one server process,
// so any left over were cut off by a crash or a restart. It returns how many
// runs it failed.
func (db *DB) FailInterruptedRuns(ctx context.Context) (int, error) {
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: RunFailed}, {Key: "error", Value: RunInterrupted},
		{Key: "finished_at", Value: db.now().UTC()}}}}
	n := 0
	for _, status := range []string{RunRunning, RunQueued} {
		res, err := db.w.Collection(colRuns).UpdateMany(ctx, bson.D{{Key: "status", Value: status}}, set)
		if err != nil {
			return n, translate("fail interrupted runs", err)
		}
		n += int(res.ModifiedCount)
	}
	if _, err := db.w.Collection(colRunLocks).DeleteMany(ctx, bson.D{}); err != nil {
		return n, translate("release run locks", err)
	}
	return n, nil
}
