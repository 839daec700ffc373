package store_test

import (
	"testing"

	"lianzhu/domain"
	"lianzhu/store"
)

func job(enterpriseID, title, place string) domain.JobOpening {
	return domain.JobOpening{EnterpriseID: enterpriseID, Title: title, KindOfWork: "保洁", Item: "flexible_employment",
		Requirements: domain.JobRequirements{Physical: domain.PhysicalLight, HoursPerWeek: 20, Skills: []string{"细心"}},
		Training:     "岗前培训三天", WageMinFen: 200000, WageMaxFen: 260000, Place: place, Openings: 3, Status: domain.JobOpen}
}

func mustCreateJob(t *testing.T, db *store.DB, j domain.JobOpening) domain.JobOpening {
	t.Helper()
	if err := db.CreateJob(t.Context(), &j); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestJobs(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a := mustCreateJob(t, db, job("ent-1", "小区保洁员", "610103002001"))
		mustCreateJob(t, db, job("ent-1", "超市理货员", "610103002000"))
		closed := job("ent-2", "手工编织", "610103003001")
		closed.Status = domain.JobClosed
		mustCreateJob(t, db, closed)
		if a.ID == "" || a.Version != 1 {
			t.Fatalf("new job: %+v", a)
		}
		got, err := db.Job(ctx, a.ID)
		if err != nil || got.Title != "小区保洁员" || got.Requirements.HoursPerWeek != 20 || got.Requirements.Skills[0] != "细心" ||
			got.WageMaxFen != 260000 || !sameMs(got.CreatedAt, a.CreatedAt) {
			t.Fatalf("Job = %+v, %v", got, err)
		}
		if _, err := db.Job(ctx, "nope"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing job: want not_found, got %v", err)
		}
		for _, c := range []struct {
			f    store.JobFilter
			want int
		}{
			{store.JobFilter{Within: "610103002000"}, 2},
			{store.JobFilter{Within: "610103002001"}, 1},
			{store.JobFilter{Within: "610103000000", Status: domain.JobOpen}, 2},
			{store.JobFilter{EnterpriseID: "ent-2"}, 1},
			{store.JobFilter{EnterpriseID: "ent-2", Status: domain.JobOpen}, 0},
		} {
			if l, _, err := db.ListJobs(ctx, c.f); err != nil || len(l) != c.want {
				t.Errorf("ListJobs(%+v) = %d, %v; want %d", c.f, len(l), err, c.want)
			}
		}
		first, next, _ := db.ListJobs(ctx, store.JobFilter{Limit: 2})
		rest, end, _ := db.ListJobs(ctx, store.JobFilter{Limit: 2, After: next})
		if len(first) != 2 || next == "" || len(rest) != 1 || end != "" {
			t.Fatalf("pages: %d/%q then %d/%q", len(first), next, len(rest), end)
		}

		stale := got
		got.Openings, got.Status = 0, domain.JobFilled
		if err := db.UpdateJob(ctx, &got, 1); err != nil || got.Version != 2 || !sameMs(got.CreatedAt, a.CreatedAt) {
			t.Fatalf("update = %+v, %v", got, err)
		}
		stale.Title = "过时"
		if err := db.UpdateJob(ctx, &stale, 1); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale update: want conflict, got %v", err)
		}
		if now, _ := db.Job(ctx, a.ID); now.Title != "小区保洁员" || now.Status != domain.JobFilled || now.Version != 2 {
			t.Fatalf("stale update overwrote: %+v", now)
		}
		ghost := job("ent-1", "无", "610103002001")
		ghost.ID = "nope"
		if err := db.UpdateJob(ctx, &ghost, 1); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("missing job: want not_found, got %v", err)
		}
	})
}
