package store_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/seed"
	"lianzhu/store"
)

// taskClock is a settable clock shared by the store and the test.
type taskClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *taskClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *taskClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// taskFx is a store at a settable clock with a household of 东木头市社区 whose
// member m1 consents to volunteers, its open companionship need, and a
// verified volunteer.
type taskFx struct {
	db        *store.DB
	clk       *taskClock
	household domain.Household
	need      domain.Need
	volunteer domain.Provider
}

const (
	taskPlace   = "610103002001001"
	taskAddress = "东关正街12号3单元401"
)

var proofKey = []byte("test-proof-key-test-proof-key!!!")

func forEachTaskTarget(t *testing.T, fn func(t *testing.T, fx *taskFx)) {
	t.Helper()
	for _, tg := range testenv.MongoTargets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			clk := &taskClock{t: time.Date(2025, 6, 14, 8, 0, 0, 0, time.UTC)}
			fx := &taskFx{db: openPatient(t, tg, clk.Now), clk: clk}
			fx.household = fx.newHousehold(t, "61990119500101002", true, false)
			fx.need = fx.newNeed(t, fx.household.ID)
			fx.volunteer = fx.newVolunteer(t, "张志愿", domain.VerificationVerified)
			fn(t, fx)
		})
	}
}

// openPatient is mustOpen with operations that may wait a minute for a
// connection. A hundred concurrent claims queue on FerretDB's one writer
// connection (and a burst of reads on the pool); on a two-CPU machine under
// -race, beside other test binaries, the last ones wait longer than the
// default five seconds.
func openPatient(tb testing.TB, tg testenv.Target, now func() time.Time) *store.DB {
	tb.Helper()
	pii, err := store.NewPII([]byte("0123456789abcdef0123456789abcdef"), "test-id-hash-key-test-id-hash-key!")
	if err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(tb.Context(), tg.URI, testenv.DBName(tb), store.Options{Now: now, PII: pii, Logger: quietLogger(),
		ServerSelectionTimeout: time.Minute, FerretDBPostgres: tg.FerretDBPostgres})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close(context.Background()) })
	return db
}

func (fx *taskFx) newHousehold(t *testing.T, id17 string, consent, doNotContact bool) domain.Household {
	t.Helper()
	h := household(taskPlace, idNumber(t, id17))
	h.Address, h.DoNotContact = taskAddress, doNotContact
	if consent {
		h.Consents = []domain.ConsentEvent{{MemberID: "m1", Recipient: domain.RecipientVolunteer, Action: domain.ConsentGrant,
			At: fx.clk.Now().Add(-time.Hour), Method: domain.ConsentWritten, RecordedBy: "coordinator"}}
	}
	if err := fx.db.CreateHousehold(t.Context(), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func (fx *taskFx) newNeed(t *testing.T, householdID string) domain.Need {
	t.Helper()
	n := domain.Need{HouseholdID: householdID, MemberID: "m1", Place: taskPlace, Item: "companionship",
		NeutralNote: "独居老人，希望有人陪着聊聊天", Urgency: domain.UrgencyNormal, Channel: domain.ChannelHomeVisit, CreatedBy: "coordinator"}
	if err := fx.db.CreateNeed(t.Context(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (fx *taskFx) newVolunteer(t *testing.T, name string, v domain.Verification) domain.Provider {
	t.Helper()
	p := domain.Provider{Kind: domain.ProviderVolunteer, Name: name, ContactPhone: "13800002222", Place: taskPlace,
		Area: domain.ServiceArea{Places: []string{taskPlace}}, Verification: v, TrafficLight: domain.LightGreen}
	if err := fx.db.CreateProvider(t.Context(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// taskFor builds an open task for a need: a two-hour window two hours from now.
func (fx *taskFx) taskFor(n domain.Need) domain.Task {
	now := fx.clk.Now()
	t := domain.Task{ReferralID: store.DirectReferral, NeedID: n.ID, HouseholdID: n.HouseholdID, MemberID: n.MemberID,
		Item: n.Item, Note: n.NeutralNote, Place: n.Place, Address: taskAddress, Resident: "成员先生, 70s",
		WindowStart: now.Add(2 * time.Hour), WindowEnd: now.Add(4 * time.Hour), Skills: []string{"耐心"}}
	t.Start("coordinator", now)
	return t
}

// postTask creates the fixture need's task and syncs it.
func (fx *taskFx) postTask(t *testing.T) domain.Task {
	t.Helper()
	task := fx.taskFor(fx.need)
	if err := fx.db.CreateTask(t.Context(), &task); err != nil {
		t.Fatal(err)
	}
	if err := fx.db.SyncTask(t.Context(), task.ID, seed.Catalogue()); err != nil {
		t.Fatal(err)
	}
	return task
}

func (fx *taskFx) change(t *testing.T, id string, f func(*domain.Task) error) domain.Task {
	t.Helper()
	task, err := fx.db.UpdateTask(t.Context(), id, f)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func (fx *taskFx) needState(t *testing.T) domain.NeedState {
	t.Helper()
	n, err := fx.db.Need(t.Context(), fx.need.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n.State
}

// serve claims, checks in and out, and proves the task with a one-time code;
// sync says whether each step is followed by SyncTask (false: a crash after
// every step).
func (fx *taskFx) serve(t *testing.T, id string, sync bool) domain.Task {
	t.Helper()
	rules, vol := domain.DefaultTaskRules(), fx.volunteer
	step := func(f func(*domain.Task) error) domain.Task {
		task := fx.change(t, id, f)
		if sync {
			if err := fx.db.SyncTask(t.Context(), id, seed.Catalogue()); err != nil {
				t.Fatal(err)
			}
		}
		return task
	}
	step(func(task *domain.Task) error { return task.Claim(vol, rules, fx.clk.Now()) })
	var code string
	fx.change(t, id, func(task *domain.Task) error {
		c, pc, err := domain.IssueProofCode(rand.Reader, proofKey, task.ID, fx.clk.Now(), 0)
		code, task.Code = c, &pc
		return err
	})
	fx.clk.Add(2 * time.Hour)
	step(func(task *domain.Task) error { return task.CheckIn(vol.ID, rules, fx.clk.Now()) })
	fx.clk.Add(90 * time.Minute)
	step(func(task *domain.Task) error { return task.CheckOut(vol.ID, rules, fx.clk.Now()) })
	return step(func(task *domain.Task) error {
		now := fx.clk.Now()
		if err := task.Code.Redeem(proofKey, task.ID, code, now); err != nil {
			return err
		}
		return task.Confirm(domain.Proof{Method: domain.ProofByCode, At: now, RecordedBy: "zhang", RecorderRole: domain.RoleVolunteer},
			&domain.Rating{Stars: 5, Comment: "很耐心", At: now, RecordedBy: "zhang"}, now)
	})
}

// checkServiceLogged checks the household log holds the task's service
// record once, and the need is resolved.
func (fx *taskFx) checkServiceLogged(t *testing.T, task domain.Task) {
	t.Helper()
	log, err := fx.db.HouseholdLog(t.Context(), fx.household.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].ID != "svc-"+task.ID || log[0].Kind != domain.LogService ||
		!strings.Contains(log[0].Text, "精神慰藉") || !strings.Contains(log[0].Text, "90分钟") ||
		!strings.Contains(log[0].Text, "张志愿") || !strings.Contains(log[0].Text, "5星") {
		t.Fatalf("household log = %+v", log)
	}
	if s := fx.needState(t); s != domain.NeedResolved {
		t.Fatalf("need %s, want resolved", s)
	}
}

func TestTaskLifecycle(t *testing.T) {
	forEachTaskTarget(t, func(t *testing.T, fx *taskFx) {
		ctx := t.Context()
		task := fx.postTask(t)
		if task.State != domain.TaskOpen || task.Version != 1 || fx.needState(t) != domain.NeedMatched {
			t.Fatalf("posted task %+v, need %s", task, fx.needState(t))
		}
		raw, err := fx.db.RawDocument(ctx, "tasks", task.ID)
		if err != nil || strings.Contains(raw, "东关正街") {
			t.Fatalf("address stored in the clear (%v): %s", err, raw)
		}
		if got, err := fx.db.Task(ctx, task.ID); err != nil || got.Address != taskAddress {
			t.Fatalf("Task = %q, %v", got.Address, err)
		}
		again := fx.taskFor(fx.need)
		if err := fx.db.CreateTask(ctx, &again); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("second live task for the need: %v", err)
		}

		done := fx.serve(t, task.ID, true)
		if done.State != domain.TaskConfirmed || done.Minutes != 90 || done.Rating.Stars != 5 {
			t.Fatalf("served task %+v", done)
		}
		fx.checkServiceLogged(t, done)
		if _, err := fx.db.SweepTasks(ctx, domain.DefaultTaskRules(), seed.Catalogue()); err != nil {
			t.Fatal(err)
		}
		fx.checkServiceLogged(t, done) // a second sync adds nothing
		mine, err := fx.db.VolunteerTasks(ctx, fx.volunteer.ID)
		if err != nil || len(mine) != 1 || mine[0].Minutes != 90 {
			t.Fatalf("VolunteerTasks = %+v, %v", mine, err)
		}
		// The need's slot is free again: a new task may be posted for it (it is resolved, so
		// the sync cancels it at once).
		next := fx.taskFor(fx.need)
		if err := fx.db.CreateTask(ctx, &next); err != nil {
			t.Fatalf("task after the first ended: %v", err)
		}
		if err := fx.db.SyncTask(ctx, next.ID, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := fx.db.Task(ctx, next.ID); got.State != domain.TaskCancelled {
			t.Fatalf("task of a resolved need: %s", got.State)
		}
	})
}

// TestTaskCrashRepair: the task is confirmed but the process dies before the
// household log and the need follow; the sweeper repairs both, once.
func TestTaskCrashRepair(t *testing.T) {
	forEachTaskTarget(t, func(t *testing.T, fx *taskFx) {
		ctx := t.Context()
		task := fx.taskFor(fx.need)
		if err := fx.db.CreateTask(ctx, &task); err != nil {
			t.Fatal(err)
		}
		done := fx.serve(t, task.ID, false) // no sync after any step: a crash each time
		if log, _ := fx.db.HouseholdLog(ctx, fx.household.ID); len(log) != 0 || fx.needState(t) != domain.NeedOpen {
			t.Fatalf("before repair: log %v, need %s", log, fx.needState(t))
		}
		s, err := fx.db.SweepTasks(ctx, domain.DefaultTaskRules(), seed.Catalogue())
		if err != nil || s.Synced != 1 {
			t.Fatalf("sweep = %+v, %v", s, err)
		}
		fx.checkServiceLogged(t, done)
		if s, err := fx.db.SweepTasks(ctx, domain.DefaultTaskRules(), seed.Catalogue()); err != nil || s.Synced != 0 {
			t.Fatalf("second sweep = %+v, %v", s, err)
		}
	})
}

func TestCreateTaskNeedsConsent(t *testing.T) {
	forEachTaskTarget(t, func(t *testing.T, fx *taskFx) {
		for _, c := range []struct {
			name          string
			id17          string
			consent, dncl bool
		}{{"no consent", "61990119500101003", false, false}, {"do not contact", "61990119500101004", true, true}} {
			h := fx.newHousehold(t, c.id17, c.consent, c.dncl)
			task := fx.taskFor(fx.newNeed(t, h.ID))
			if err := fx.db.CreateTask(t.Context(), &task); domain.ErrorCode(err) != domain.ECONFLICT {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		if list, _, _ := fx.db.ListTasks(t.Context(), store.TaskFilter{}); len(list) != 0 {
			t.Fatalf("tasks stored: %d", len(list))
		}
	})
}

// TestClaimRace: a hundred volunteers claim one task at once; exactly one
// wins, and the task names them.
func TestClaimRace(t *testing.T) {
	forEachTaskTarget(t, func(t *testing.T, fx *taskFx) {
		task := fx.postTask(t)
		vols := make([]domain.Provider, 100)
		for i := range vols {
			vols[i] = fx.volunteer
			vols[i].ID = fx.volunteer.ID + "-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		}
		var wins, conflicts atomic.Int32
		var winner atomic.Value
		var wg sync.WaitGroup
		for _, v := range vols {
			wg.Go(func() {
				_, err := fx.db.UpdateTask(t.Context(), task.ID, func(t *domain.Task) error {
					return t.Claim(v, domain.DefaultTaskRules(), fx.clk.Now())
				})
				switch domain.ErrorCode(err) {
				case "":
					wins.Add(1)
					winner.Store(v.ID)
				case domain.ECONFLICT:
					conflicts.Add(1)
				default:
					t.Errorf("claim: %v", err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != 99 {
			t.Fatalf("%d wins, %d conflicts", wins.Load(), conflicts.Load())
		}
		got, err := fx.db.Task(t.Context(), task.ID)
		if err != nil || got.State != domain.TaskClaimed || got.VolunteerID != winner.Load() || len(got.History) != 2 {
			t.Fatalf("task after the race: %+v, %v", got, err)
		}
	})
}

// TestClaimExpiry: a claim not started by its deadline goes back to open,
// on read and in the sweep.
func TestClaimExpiry(t *testing.T) {
	forEachTaskTarget(t, func(t *testing.T, fx *taskFx) {
		ctx := t.Context()
		rules := domain.DefaultTaskRules()
		claim := func(id string) {
			fx.change(t, id, func(task *domain.Task) error { return task.Claim(fx.volunteer, rules, fx.clk.Now()) })
		}
		a := fx.postTask(t)
		claim(a.ID)
		other := fx.newNeed(t, fx.household.ID)
		b := fx.taskFor(other)
		b.WindowEnd = b.WindowStart.Add(48 * time.Hour)
		if err := fx.db.CreateTask(ctx, &b); err != nil {
			t.Fatal(err)
		}
		claim(b.ID)
		fx.clk.Add(4*time.Hour + time.Minute) // past a's deadline (its window's end), not b's

		open, _, err := fx.db.ListTasks(ctx, store.TaskFilter{State: domain.TaskOpen, Within: "610103002000"})
		if err != nil || len(open) != 1 || open[0].ID != a.ID || open[0].VolunteerID != "" {
			t.Fatalf("open after a's deadline: %+v, %v", open, err)
		}
		if h := open[0].History[len(open[0].History)-1]; h.Reason != "expired" || h.By != store.SystemActor {
			t.Fatalf("history = %+v", h)
		}
		if _, err := fx.db.UpdateTask(ctx, a.ID, func(task *domain.Task) error {
			return task.CheckIn(fx.volunteer.ID, rules, fx.clk.Now())
		}); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("check-in on a lapsed claim: %v", err)
		}
		fx.clk.Add(48 * time.Hour)
		s, err := fx.db.SweepTasks(ctx, rules, nil)
		if err != nil || s.Expired != 1 {
			t.Fatalf("sweep = %+v, %v", s, err)
		}
		if got, _ := fx.db.Task(ctx, b.ID); got.State != domain.TaskOpen {
			t.Fatalf("b = %s", got.State)
		}
		if mine, _ := fx.db.VolunteerTasks(ctx, fx.volunteer.ID); len(mine) != 0 {
			t.Fatalf("released claims still listed: %d", len(mine))
		}
	})
}

// TestVolunteerSignup: the three documents of a sign-up, a taken name, and
// the repair of sign-ups a crash cut short.
func TestVolunteerSignup(t *testing.T) {
	forEachTaskTarget(t, func(t *testing.T, fx *taskFx) {
		ctx := t.Context()
		signUp := func(username string) (domain.Provider, domain.User, error) {
			p := domain.Provider{Kind: domain.ProviderVolunteer, Name: "李四", ContactPhone: "13800003333", Place: taskPlace,
				Area: domain.ServiceArea{Places: []string{taskPlace}}, Verification: domain.VerificationPending, TrafficLight: domain.LightGreen}
			u := domain.User{Username: username, Role: domain.RoleVolunteer, PasswordHash: "x"}
			err := fx.db.SignUpVolunteer(ctx, &p, &u, &store.VolunteerProfile{Skills: []string{"聊天", "理发"}, Availability: "周末"})
			return p, u, err
		}
		p, u, err := signUp("lisi")
		if err != nil || u.ProviderID != p.ID {
			t.Fatalf("sign-up: %v, %+v", err, u)
		}
		profiles, err := fx.db.VolunteerProfiles(ctx, []string{p.ID})
		if err != nil || len(profiles[p.ID].Skills) != 2 || profiles[p.ID].Availability != "周末" {
			t.Fatalf("profiles = %+v, %v", profiles, err)
		}
		dup, _, err := signUp("lisi")
		var e *domain.Error
		if domain.ErrorCode(err) != domain.ECONFLICT || !errors.As(err, &e) || e.Fields[0].Field != "username" {
			t.Fatalf("taken username: %v", err)
		}
		if _, err := fx.db.Provider(ctx, dup.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("a failed sign-up left its provider: %v", err)
		}

		// Crash after the provider, before the account: undone. Crash after
		// the account, before the profile was marked active: finished.
		cut, cutUser, _ := signUp("wangwu")
		if err := fx.db.DeleteRaw(ctx, "users", cutUser.ID); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{cut.ID, p.ID} {
			if err := fx.db.SetRaw(ctx, "volunteer_profiles", id, "status", "signing_up"); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := fx.db.RepairVolunteerSignups(ctx, 10*time.Minute); err != nil || n != 0 {
			t.Fatalf("repair within the grace: %d, %v", n, err)
		}
		fx.clk.Add(11 * time.Minute)
		if n, err := fx.db.RepairVolunteerSignups(ctx, 10*time.Minute); err != nil || n != 2 {
			t.Fatalf("repair: %d, %v", n, err)
		}
		if _, err := fx.db.Provider(ctx, cut.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("the cut sign-up's provider stays: %v", err)
		}
		if _, err := fx.db.Provider(ctx, p.ID); err != nil {
			t.Fatalf("the finished sign-up lost its provider: %v", err)
		}
		if _, _, err := signUp("wangwu"); err != nil {
			t.Fatalf("signing up again after the repair: %v", err)
		}
	})
}
