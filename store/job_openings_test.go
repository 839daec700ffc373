package store_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// applicant files a household whose head consents to employers and applies
// to job for it.
func (fx *appFx) applicant(t *testing.T, jobID string, seq int) store.Application {
	t.Helper()
	h := fx.newHousehold(t, fmt.Sprintf("61990119800101%03d", seq))
	a := store.Application{CreatedBy: "coordinator",
		JobApplication: domain.JobApplication{JobID: jobID, HouseholdID: h.ID, MemberID: "m1"}}
	if created, err := fx.db.CreateApplication(t.Context(), &a); err != nil || !created {
		t.Fatalf("CreateApplication = %v, %v", created, err)
	}
	return a
}

func (fx *appFx) jobNow(t *testing.T, id string) domain.JobOpening {
	t.Helper()
	j, err := fx.db.Job(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestJobOpeningsFill: eight concurrent hires for three openings — exactly
// three win, the others are 409 with their applications untouched; the job
// is then filled and takes no new application; syncs and sweeps keep it so.
func TestJobOpeningsFill(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		ctx := t.Context()
		var apps []store.Application
		for i := range 8 {
			apps = append(apps, fx.applicant(t, fx.job.ID, 100+2*i))
		}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for _, a := range apps {
			wg.Go(func() {
				_, err := fx.db.MoveApplication(ctx, a, store.ApplicationMove{To: domain.ApplicationHired, By: "ent1"})
				switch domain.ErrorCode(err) {
				case "":
					wins.Add(1)
				case domain.ECONFLICT:
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		hired := 0
		for _, a := range apps {
			got := fx.reload(t, a.ID)
			switch got.State {
			case domain.ApplicationHired:
				hired++
			case domain.ApplicationApplied:
				if got.Version != 1 {
					t.Errorf("a refused hire changed its application: %+v", got)
				}
			default:
				t.Errorf("application %s", got.State)
			}
			if err := fx.db.SyncApplication(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		j := fx.jobNow(t, fx.job.ID)
		if wins.Load() != 3 || hired != 3 || j.Hired != 3 || j.Status != domain.JobFilled {
			t.Fatalf("%d wins, %d hired; job hired %d, status %s", wins.Load(), hired, j.Hired, j.Status)
		}
		late := store.Application{CreatedBy: "coordinator",
			JobApplication: domain.JobApplication{JobID: fx.job.ID, HouseholdID: fx.newHousehold(t, "61990119800101200").ID, MemberID: "m1"}}
		if _, err := fx.db.CreateApplication(ctx, &late); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("application to a filled job: %v", err)
		}
		fx.clk.Add(time.Hour)
		if n, err := fx.db.SweepApplications(ctx); err != nil || n != 0 {
			t.Fatalf("sweep = %d, %v", n, err)
		}
		if j := fx.jobNow(t, fx.job.ID); j.Hired != 3 || j.Status != domain.JobFilled {
			t.Fatalf("after the sweep: hired %d, %s", j.Hired, j.Status)
		}
		// The enterprise's edit keeps the hires.
		j = fx.jobNow(t, fx.job.ID)
		j.Title = "小区保洁员（早班）"
		if err := fx.db.UpdateJob(ctx, &j, j.Version); err != nil {
			t.Fatal(err)
		}
		if j := fx.jobNow(t, fx.job.ID); j.Hired != 3 || j.Title != "小区保洁员（早班）" {
			t.Fatalf("after an edit: %+v", j)
		}
	})
}

// TestJobOpeningsRepair: a crash between taking an opening and moving the
// application leaves a hire no application justifies — the sweeper gives
// it back after the grace period and opens the job again; a hired
// application the job does not count (written in bulk) is counted.
func TestJobOpeningsRepair(t *testing.T) {
	forEachAppTarget(t, func(t *testing.T, fx *appFx) {
		ctx := t.Context()
		one := job(fx.enterprise.ID, "保安", "610103002001")
		one.Openings = 1
		one = mustCreateJob(t, fx.db, one)
		stray := fx.applicant(t, one.ID, 120)
		if err := fx.db.TakeOpeningForTest(ctx, one.ID, stray.ID); err != nil {
			t.Fatal(err)
		}
		if j := fx.jobNow(t, one.ID); j.Hired != 1 || j.Status != domain.JobFilled {
			t.Fatalf("after the lone take: %+v", j)
		}
		other := fx.applicant(t, fx.job.ID, 122)
		if _, err := fx.db.MoveApplication(ctx, stray, store.ApplicationMove{To: domain.ApplicationHired, By: "ent1"}); err != nil {
			t.Fatalf("the stray's own hire reuses its opening: %v", err)
		}
		stray = fx.reload(t, stray.ID)
		if _, err := fx.db.MoveApplication(ctx, fx.reload(t, other.ID), store.ApplicationMove{To: domain.ApplicationRejected, By: "ent1"}); err != nil {
			t.Fatal(err)
		}

		// A take whose move never landed, on a job of two openings.
		two := job(fx.enterprise.ID, "绿化工", "610103002001")
		two.Openings = 2
		two = mustCreateJob(t, fx.db, two)
		lost := fx.applicant(t, two.ID, 124)
		kept := fx.applicant(t, two.ID, 126)
		if err := fx.db.TakeOpeningForTest(ctx, two.ID, lost.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.db.MoveApplication(ctx, kept, store.ApplicationMove{To: domain.ApplicationHired, By: "ent1"}); err != nil {
			t.Fatal(err)
		}
		if j := fx.jobNow(t, two.ID); j.Hired != 2 || j.Status != domain.JobFilled {
			t.Fatalf("two openings taken: %+v", j)
		}
		if _, err := fx.db.SweepApplications(ctx); err != nil {
			t.Fatal(err)
		}
		if j := fx.jobNow(t, two.ID); j.Hired != 2 {
			t.Fatalf("the sweeper dropped a take within the grace period: %+v", j)
		}
		fx.clk.Add(10 * time.Minute)
		if _, err := fx.db.SweepApplications(ctx); err != nil {
			t.Fatal(err)
		}
		if j := fx.jobNow(t, two.ID); j.Hired != 1 || j.Status != domain.JobOpen {
			t.Fatalf("after the grace period: hired %d, %s (want 1, open)", j.Hired, j.Status)
		}
		if j := fx.jobNow(t, one.ID); j.Hired != 1 || j.Status != domain.JobFilled || stray.State != domain.ApplicationHired {
			t.Fatalf("the landed hire was touched: %+v", j)
		}

		// A hired application written in bulk is counted by its sync.
		bulk := job(fx.enterprise.ID, "送餐员", "610103002001")
		bulk.Openings = 1
		bulk = mustCreateJob(t, fx.db, bulk)
		h := fx.newHousehold(t, "61990119800101128")
		as := []store.Application{{CreatedBy: "coordinator", JobApplication: domain.JobApplication{JobID: bulk.ID,
			HouseholdID: h.ID, MemberID: "m1", State: domain.ApplicationHired, AppliedAt: fx.clk.Now().Add(-time.Hour)}}}
		if n, err := fx.db.InsertApplications(ctx, as); err != nil || n != 1 {
			t.Fatalf("InsertApplications = %d, %v", n, err)
		}
		if _, err := fx.db.SweepApplications(ctx); err != nil {
			t.Fatal(err)
		}
		if j := fx.jobNow(t, bulk.ID); j.Hired != 1 || j.Status != domain.JobFilled {
			t.Fatalf("bulk hire: %+v", j)
		}
	})
}
