package store_test

import (
	"testing"

	"lianzhu/domain"
	"lianzhu/store"
)

func TestSnapshot(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		in := mustCreateHousehold(t, db, household("610103002001001", idNumber(t, "61019919500101031")))
		out := mustCreateHousehold(t, db, household("610103003001001", idNumber(t, "61019919500101032")))
		open := mustCreateNeed(t, db, need(in.ID, in.Place, "meal"))
		closed := mustCreateNeed(t, db, need(in.ID, in.Place, "bathing"))
		if _, err := db.TransitionNeed(ctx, closed.ID, domain.NeedOpen, domain.NeedClosed, domain.CloseDuplicate); err != nil {
			t.Fatal(err)
		}
		mustCreateNeed(t, db, need(out.ID, out.Place, "meal"))
		p := mustCreateProvider(t, db, organisation(domain.ProviderNGO, "助老服务社", uscc(t, "51610103MJ0000051"), "610103003001"))
		mustCreateProvider(t, db, volunteer("志愿者", "610103003001"))
		active := mustCreateOffering(t, db, offering(p.ID, "meal", places("610103003000")))
		paused := offering(p.ID, "bathing", places("610103003000"))
		paused.Status = domain.OfferingPaused
		mustCreateOffering(t, db, paused)
		openJob := mustCreateJob(t, db, job(p.ID, "保洁员", "610103003001"))
		filled := job(p.ID, "理货员", "610103003001")
		filled.Status = domain.JobFilled
		mustCreateJob(t, db, filled)

		s, err := db.Snapshot(ctx, "610103002000")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Households) != 1 || s.Households[0].ID != in.ID || s.Households[0].Members[0].IDHash == "" {
			t.Fatalf("households = %+v", s.Households)
		}
		if len(s.Needs) != 1 || s.Needs[0].ID != open.ID {
			t.Fatalf("needs = %+v", s.Needs)
		}
		// Supply serves across place lines: all of it, whatever the scope.
		if len(s.Providers) != 2 || len(s.Offerings) != 1 || s.Offerings[0].ID != active.ID || len(s.Jobs) != 1 || s.Jobs[0].ID != openJob.ID {
			t.Fatalf("supply = %d providers, %d offerings, %d jobs", len(s.Providers), len(s.Offerings), len(s.Jobs))
		}
		all, err := db.Snapshot(ctx, "")
		if err != nil || len(all.Households) != 2 || len(all.Needs) != 2 {
			t.Fatalf("whole district = %d households, %d needs, %v", len(all.Households), len(all.Needs), err)
		}
		if none, err := db.Snapshot(ctx, "610104000000"); err != nil || len(none.Households) != 0 || len(none.Needs) != 0 || len(none.Providers) != 2 {
			t.Fatalf("another district = %+v, %v", none, err)
		}
	})
}
