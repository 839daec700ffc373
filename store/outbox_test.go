package store_test

import (
	"errors"
	"testing"

	"lianzhu/domain"
	"lianzhu/store"
)

func need(householdID, place, item string) domain.Need {
	return domain.Need{HouseholdID: householdID, MemberID: "m1", Place: place, Item: item, NeutralNote: "需要帮助",
		Urgency: domain.UrgencyNormal, Channel: domain.ChannelHomeVisit, CreatedBy: "coordinator"}
}

func mustCreateNeed(t *testing.T, db *store.DB, n domain.Need) domain.Need {
	t.Helper()
	if err := db.CreateNeed(t.Context(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// dirtyIDs returns the ids of the dirty documents of kind.
func dirtyIDs(t *testing.T, db *store.DB, kind string) map[string]int64 {
	t.Helper()
	ctx := t.Context()
	out := map[string]int64{}
	var err error
	switch kind {
	case "offering":
		var l []domain.Offering
		l, err = db.DirtyOfferings(ctx, 100)
		for _, x := range l {
			out[x.ID] = x.Version
		}
	case "job":
		var l []domain.JobOpening
		l, err = db.DirtyJobs(ctx, 100)
		for _, x := range l {
			out[x.ID] = x.Version
		}
	case "need":
		var l []domain.Need
		l, err = db.DirtyNeeds(ctx, 100)
		for _, x := range l {
			out[x.ID] = x.Version
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// markAllIndexed marks every dirty document of kind indexed at the version
// read.
func markAllIndexed(t *testing.T, db *store.DB, kind string) {
	t.Helper()
	var ids []string
	var versions []int64
	for id, v := range dirtyIDs(t, db, kind) {
		ids, versions = append(ids, id), append(versions, v)
	}
	if err := db.MarkIndexed(t.Context(), kind, ids, versions); err != nil {
		t.Fatal(err)
	}
	if d := dirtyIDs(t, db, kind); len(d) != 0 {
		t.Fatalf("%s still dirty after marking: %v", kind, d)
	}
}

func TestOutboxMarksAndKeepsLaterChangesDirty(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := mustCreateOffering(t, db, offering("prov-1", "meal", places("610103002000")))
		mustCreateOffering(t, db, offering("prov-1", "bathing", places("610103002000")))
		j := mustCreateJob(t, db, job("prov-2", "保洁", "610103002001"))
		n := mustCreateNeed(t, db, need("hh-1", "610103002001001", "meal"))
		for kind, want := range map[string]int{"offering": 2, "job": 1, "need": 1} {
			if total, dirty, err := db.CountSearchable(ctx, kind); err != nil || total != int64(want) || dirty != int64(want) {
				t.Fatalf("%s: total %d dirty %d, %v", kind, total, dirty, err)
			}
			markAllIndexed(t, db, kind)
			if total, dirty, _ := db.CountSearchable(ctx, kind); total != int64(want) || dirty != 0 {
				t.Fatalf("%s after marking: total %d dirty %d", kind, total, dirty)
			}
		}

		// The syncer reads version 2, the offering changes, then the syncer
		// marks what it read: the change must stay dirty.
		o.Left = 1
		if err := db.UpdateOffering(ctx, &o, 1); err != nil {
			t.Fatal(err)
		}
		read := dirtyIDs(t, db, "offering")
		if len(read) != 1 || read[o.ID] != 2 {
			t.Fatalf("dirty after update = %v", read)
		}
		o.Left = 0
		if err := db.UpdateOffering(ctx, &o, 2); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkIndexed(ctx, "offering", []string{o.ID}, []int64{read[o.ID]}); err != nil {
			t.Fatal(err)
		}
		if d := dirtyIDs(t, db, "offering"); d[o.ID] != 3 {
			t.Fatalf("a change made while indexing was marked clean: %v", d)
		}
		markAllIndexed(t, db, "offering")

		j.Openings = 1
		if err := db.UpdateJob(ctx, &j, 1); err != nil {
			t.Fatal(err)
		}
		if d := dirtyIDs(t, db, "job"); d[j.ID] != 2 {
			t.Fatalf("updated job not dirty: %v", d)
		}
		if _, err := db.TransitionNeed(ctx, n.ID, domain.NeedOpen, domain.NeedProposed, ""); err != nil {
			t.Fatal(err)
		}
		if d := dirtyIDs(t, db, "need"); d[n.ID] != 2 {
			t.Fatalf("transitioned need not dirty: %v", d)
		}

		// A document written before the flag existed counts as dirty.
		markAllIndexed(t, db, "need")
		if err := db.UnsetRaw(ctx, "needs", n.ID, "indexed"); err != nil {
			t.Fatal(err)
		}
		if _, dirty, _ := db.CountSearchable(ctx, "need"); dirty != 1 {
			t.Fatalf("a need without the flag: dirty = %d", dirty)
		}

		if err := db.MarkIndexed(ctx, "household", []string{"x"}, []int64{1}); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("unknown kind: %v", err)
		}
		if _, _, err := db.CountSearchable(ctx, "household"); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("unknown kind: %v", err)
		}
		if err := db.MarkIndexed(ctx, "job", []string{"a", "b"}, []int64{1}); err == nil {
			t.Fatal("ids and versions of different lengths must fail")
		}
		if err := db.MarkIndexed(ctx, "job", []string{"nope"}, []int64{1}); err != nil {
			t.Fatalf("marking a missing document: %v", err)
		}
	})
}

func TestDirtyReadsAreLimitedAndOrdered(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for range 5 {
			mustCreateNeed(t, db, need("hh-1", "610103002001", "meal"))
		}
		first, err := db.DirtyNeeds(ctx, 3)
		if err != nil || len(first) != 3 || first[0].ID > first[1].ID || first[1].ID > first[2].ID {
			t.Fatalf("DirtyNeeds(3) = %d, %v", len(first), err)
		}
		if all, _ := db.DirtyNeeds(ctx, 0); len(all) != 5 {
			t.Fatalf("DirtyNeeds(default) = %d", len(all))
		}
	})
}

func TestHouseholdMoveMarksNeedsDirty(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		h := mustCreateHousehold(t, db, household("610103002001001", idNumber(t, "61019919500101021")))
		n := mustCreateNeed(t, db, need(h.ID, h.Place, "meal"))
		other := mustCreateNeed(t, db, need("hh-other", h.Place, "meal"))
		markAllIndexed(t, db, "need")

		// An update that does not move leaves the needs alone.
		h.Address = "同一小区2号楼"
		if err := db.UpdateHousehold(ctx, &h, 1); err != nil {
			t.Fatal(err)
		}
		if d := dirtyIDs(t, db, "need"); len(d) != 0 {
			t.Fatalf("needs dirty after an update in place: %v", d)
		}
		h.Place = "610103003001002"
		if err := db.UpdateHousehold(ctx, &h, 2); err != nil {
			t.Fatal(err)
		}
		if d := dirtyIDs(t, db, "need"); len(d) != 1 || d[n.ID] != 2 {
			t.Fatalf("dirty after the move = %v", d)
		}
		moved, _ := db.Need(ctx, n.ID)
		if moved.Place != "610103003001002" {
			t.Fatalf("need place = %s", moved.Place)
		}
		if l, _, _ := db.ListNeeds(ctx, store.NeedFilter{Within: "610103003000"}); len(l) != 1 || l[0].ID != n.ID {
			t.Fatalf("needs in the new street = %+v", l)
		}
		if still, _ := db.Need(ctx, other.ID); still.Place != "610103002001001" || still.Version != 1 {
			t.Fatalf("another household's need moved: %+v", still)
		}
	})
}

func TestProviderChangesMarkSupplyDirty(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		p := mustCreateProvider(t, db, organisation(domain.ProviderEnterprise, "家政公司", uscc(t, "91610103MA0000041"), "610103002001"))
		o := mustCreateOffering(t, db, offering(p.ID, "cleaning", places("610103002000")))
		j := mustCreateJob(t, db, job(p.ID, "保洁员", "610103002001"))
		mustCreateOffering(t, db, offering("someone-else", "meal", places("610103002000")))
		markAllIndexed(t, db, "offering")
		markAllIndexed(t, db, "job")

		p.RatingCount, p.Rating = 1, 5
		if err := db.UpdateProvider(ctx, &p, 1); err != nil {
			t.Fatal(err)
		}
		if d := dirtyIDs(t, db, "offering"); len(d) != 0 {
			t.Fatalf("a rating made offerings dirty: %v", d)
		}
		p.TrafficLight = domain.LightRed
		if err := db.UpdateProvider(ctx, &p, 2); err != nil {
			t.Fatal(err)
		}
		if d := dirtyIDs(t, db, "offering"); len(d) != 1 || d[o.ID] != 2 {
			t.Fatalf("offerings dirty after the light changed = %v", d)
		}
		if d := dirtyIDs(t, db, "job"); len(d) != 1 || d[j.ID] != 2 {
			t.Fatalf("jobs dirty after the light changed = %v", d)
		}
	})
}

func TestEachStreamsEverything(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for range 3 {
			mustCreateOffering(t, db, offering("prov-1", "meal", places("610103002000")))
			mustCreateJob(t, db, job("prov-2", "保洁", "610103002001"))
			mustCreateNeed(t, db, need("hh-1", "610103002001", "meal"))
		}
		count := map[string]int{}
		if err := db.EachOffering(ctx, func(o domain.Offering) error { count["offering"]++; return nil }); err != nil {
			t.Fatal(err)
		}
		if err := db.EachJob(ctx, func(j domain.JobOpening) error { count["job"]++; return nil }); err != nil {
			t.Fatal(err)
		}
		if err := db.EachNeed(ctx, func(n domain.Need) error { count["need"]++; return nil }); err != nil {
			t.Fatal(err)
		}
		if count["offering"] != 3 || count["job"] != 3 || count["need"] != 3 {
			t.Fatalf("streamed %v", count)
		}
		stop := errors.New("stop")
		seen := 0
		err := db.EachNeed(ctx, func(domain.Need) error { seen++; return stop })
		if !errors.Is(err, stop) || seen != 1 {
			t.Fatalf("EachNeed did not stop at the first error: %v after %d", err, seen)
		}
	})
}
