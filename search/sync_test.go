package search_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/internal/proc"
	"lianzhu/search"
	"lianzhu/seed"
)

// privateMeili is a Meilisearch of the test's own, which the test may stop
// and start again on the same port and data.
type privateMeili struct {
	dir, key, url string
	port          int
	local         *search.Local
}

func startPrivateMeili(t *testing.T, port int) *privateMeili {
	t.Helper()
	if port == 0 {
		var err error
		if port, err = proc.FreePort(); err != nil {
			t.Fatal(err)
		}
	}
	m := &privateMeili{dir: t.TempDir(), key: "private-master-key-0123456789", port: port}
	m.start(t)
	t.Cleanup(func() { m.stop(t) })
	return m
}

func (m *privateMeili) start(t *testing.T) {
	t.Helper()
	local, err := search.StartLocal(context.Background(), search.LocalOptions{
		DataDir: m.dir, Bin: meiliBin(t), MasterKey: m.key, Logger: quietLog(), Port: m.port,
	})
	if err != nil {
		t.Fatal(err)
	}
	m.local, m.url = local, local.URL()
}

func (m *privateMeili) stop(t *testing.T) {
	t.Helper()
	if m.local == nil {
		return
	}
	if err := m.local.Close(context.Background()); err != nil {
		t.Error(err)
	}
	m.local = nil
}

// privateSetup returns a private Meilisearch with set-up indexes, the
// fixture and a syncer between them.
func privateSetup(t *testing.T) (*privateMeili, *search.Indexes, *fakeSource, *search.Syncer) {
	t.Helper()
	m := startPrivateMeili(t, 0)
	x := search.NewIndexes(mustConnect(t, m.url, m.key), "p_", seed.Catalogue(), mustPlaces(t, seed.Places()))
	if err := x.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	src := fixture(t)
	return m, x, src, search.NewSyncer(x, src, quietLog())
}

// TestSyncCatchesUpAfterOutage: while Meilisearch is down nothing is marked
// indexed and nothing is lost; when it is back, Run brings the index up to
// date by itself.
func TestSyncCatchesUpAfterOutage(t *testing.T) {
	ctx := context.Background()
	m, x, src, s := privateSetup(t)
	n, err := s.SyncAll(ctx)
	if err != nil || n != 11 {
		t.Fatalf("first sync: %d, %v", n, err)
	}
	marked := len(src.markCalls())

	m.stop(t)
	src.putOffering(domain.Offering{ID: "off-repair", ProviderID: "prov-a", Item: "repair", Title: "水电维修",
		Status: domain.OfferingActive, Area: domain.ServiceArea{Places: []string{streetA}}})
	src.putNeed(domain.Need{ID: "need-repair", Place: communityA, Item: "repair", NeutralNote: "水管漏水需要维修",
		Urgency: domain.UrgencyNormal, State: domain.NeedOpen})
	if n, err := s.SyncOnce(ctx); err == nil || n != 0 || domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("sync with Meilisearch down: %d, %v", n, err)
	}
	if got := len(src.markCalls()); got != marked {
		t.Fatalf("MarkIndexed called %d times while Meilisearch was down", got-marked)
	}
	if src.dirtyCount(search.KindOffering) != 1 || src.dirtyCount(search.KindNeed) != 1 {
		t.Fatal("the writes made while Meilisearch was down are no longer dirty")
	}

	s.MinBackoff, s.MaxBackoff, s.Poll = 20*time.Millisecond, 100*time.Millisecond, time.Hour
	stop := runSyncer(t, s)
	time.Sleep(150 * time.Millisecond) // a few failed rounds
	s.Notify()
	m.start(t)
	waitFor(t, 30*time.Second, func() bool {
		return src.dirtyCount(search.KindOffering) == 0 && src.dirtyCount(search.KindNeed) == 0
	})
	stop()
	if got := ids(mustSearch(t, x, search.Query{Kind: search.KindOffering, Q: "修水管"})); !slices.Equal(got, []string{"off-repair"}) {
		t.Fatalf("after the outage: %v", got)
	}
	reports, err := x.Drift(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if !r.OK {
			t.Errorf("drift after catching up: %+v", r)
		}
	}
}

// TestSyncAfterMeilisearchLostItsData: a Meilisearch that comes back empty
// gets its indexes with their settings again before new writes go in; Drift
// reports what is missing and Reindex restores it.
func TestSyncAfterMeilisearchLostItsData(t *testing.T) {
	ctx := context.Background()
	m, x, src, s := privateSetup(t)
	s.MinBackoff, s.MaxBackoff, s.Poll = 20*time.Millisecond, 100*time.Millisecond, time.Hour
	runSyncer(t, s)
	waitFor(t, 30*time.Second, func() bool { return src.dirtyCount(search.KindOffering) == 0 })

	m.stop(t)
	if err := os.RemoveAll(filepath.Join(m.dir, "data.ms")); err != nil {
		t.Fatal(err)
	}
	src.putOffering(domain.Offering{ID: "off-hair", ProviderID: "prov-b", Item: "haircut", Title: "上门理发",
		Status: domain.OfferingActive, Area: domain.ServiceArea{Places: []string{streetB}}})
	s.Notify()
	time.Sleep(100 * time.Millisecond)
	m.start(t)
	waitFor(t, 30*time.Second, func() bool { return src.dirtyCount(search.KindOffering) == 0 })
	// The settings are back: a category filter works.
	if got := ids(mustSearch(t, x, search.Query{Kind: search.KindOffering, Category: "haircut"})); !slices.Equal(got, []string{"off-hair"}) {
		t.Fatalf("after the restart: %v", got)
	}
	reports, err := x.Drift(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if r := reports[0]; r.Mongo != 7 || r.Index != 1 || r.Drift != 6 || r.Dirty != 0 || r.OK {
		t.Fatalf("drift after the loss: %+v", r)
	}
	if _, err := x.Reindex(ctx, src, search.KindOffering); err != nil {
		t.Fatal(err)
	}
	if reports, err = x.Drift(ctx, src); err != nil || !reports[0].OK {
		t.Fatalf("drift after reindex: %+v, %v", reports, err)
	}
}

// TestSyncNotify: a write is searchable soon after Notify, long before the
// next poll.
func TestSyncNotify(t *testing.T) {
	x := mustIndexes(t)
	src := fixture(t)
	s := search.NewSyncer(x, src, quietLog())
	s.Poll = time.Hour
	runSyncer(t, s)
	waitFor(t, 10*time.Second, func() bool { return src.dirtyCount(search.KindOffering) == 0 })
	src.putOffering(domain.Offering{ID: "off-hair", ProviderID: "prov-b", Item: "haircut", Title: "上门理发",
		Status: domain.OfferingActive, Area: domain.ServiceArea{Places: []string{streetB}}})
	s.Notify()
	waitFor(t, 10*time.Second, func() bool {
		return len(mustSearch(t, x, search.Query{Kind: search.KindOffering, Q: "剪头发"}).Hits) == 1
	})
}

// TestSyncRefusedDocument: a document Meilisearch refuses holds back only
// itself; it stays dirty and unmarked, the rest of its batch is indexed.
func TestSyncRefusedDocument(t *testing.T) {
	x := mustIndexes(t)
	src := newFakeSource()
	var os []domain.Offering
	for i := range 9 {
		os = append(os, domain.Offering{ID: fmt.Sprintf("off-%d", i), Item: "meal", Title: "助餐",
			Status: domain.OfferingActive, Area: domain.ServiceArea{Places: []string{streetA}}})
	}
	os[4].ID = "off 4 (not a valid document id)"
	src.putOffering(os...)
	n, err := search.NewSyncer(x, src, quietLog()).SyncOnce(context.Background())
	if err == nil || n != 8 {
		t.Fatalf("SyncOnce: %d, %v", n, err)
	}
	if src.dirtyCount(search.KindOffering) != 1 {
		t.Fatalf("%d dirty, want the refused one", src.dirtyCount(search.KindOffering))
	}
	for _, c := range src.markCalls() {
		if slices.Contains(c.ids, os[4].ID) {
			t.Fatalf("the refused document was marked indexed: %v", c.ids)
		}
	}
	if res := mustSearch(t, x, search.Query{Kind: search.KindOffering, Q: "助餐"}); res.Total != 8 {
		t.Fatalf("%d indexed, want 8", res.Total)
	}

	// Meilisearch works: Run does not back off for the refused document
	// (an hour here), and the next write goes in on Notify.
	s := search.NewSyncer(x, src, quietLog())
	s.MinBackoff, s.MaxBackoff, s.Poll = time.Hour, time.Hour, time.Hour
	runSyncer(t, s)
	time.Sleep(200 * time.Millisecond) // the first round, refused again
	src.putOffering(domain.Offering{ID: "off-9", Item: "meal", Title: "助餐",
		Status: domain.OfferingActive, Area: domain.ServiceArea{Places: []string{streetA}}})
	s.Notify()
	waitFor(t, 20*time.Second, func() bool { return src.dirtyCount(search.KindOffering) == 1 })
}

// TestSyncMarksTheVersionItIndexed: a document updated while its batch was
// on its way to Meilisearch stays dirty (the syncer marks the version it
// sent, not the current one) and goes in the next round.
func TestSyncMarksTheVersionItIndexed(t *testing.T) {
	x := mustIndexes(t)
	src := fixture(t)
	src.beforeMark = func(kind string) {
		if kind == search.KindOffering {
			src.beforeMark = nil
			o := src.offerings["off-bath-b"]
			o.Title = "上门助浴（周末也可预约）"
			src.putOffering(o)
		}
	}
	mustSync(t, x, src)
	if src.dirtyCount(search.KindOffering) != 1 {
		t.Fatalf("%d offerings dirty, want the one updated meanwhile", src.dirtyCount(search.KindOffering))
	}
	mustSync(t, x, src)
	if src.dirtyCount(search.KindOffering) != 0 {
		t.Fatal("still dirty after the next round")
	}
	if got := ids(mustSearch(t, x, search.Query{Kind: search.KindOffering, Q: "周末"})); !slices.Equal(got, []string{"off-bath-b"}) {
		t.Fatalf("the update is not indexed: %v", got)
	}
}

// runSyncer runs s until the returned stop is called (or the test ends) and
// stop has seen Run return.
func runSyncer(t *testing.T, s *search.Syncer) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return when its context ended")
		}
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not done within %s", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
