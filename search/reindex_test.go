package search_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/search"
	"lianzhu/seed"
)

// TestReindexSwapsWithoutOutage: searches keep answering, with hits, while
// the index is rebuilt and swapped; a write that the syncer put into the
// old index during the build survives the swap.
func TestReindexSwapsWithoutOutage(t *testing.T) {
	ctx := context.Background()
	x := mustIndexes(t)
	src := fixture(t)
	var more []domain.Offering
	for i := range 1200 {
		more = append(more, domain.Offering{ID: fmt.Sprintf("off-meal-%04d", i), ProviderID: "prov-b", Item: "meal",
			Title: "社区长者食堂", Status: domain.OfferingActive, Area: domain.ServiceArea{Places: []string{streetB}}})
	}
	src.putOffering(more...)
	s := search.NewSyncer(x, src, quietLog())
	if _, err := s.SyncAll(ctx); err != nil {
		t.Fatal(err)
	}

	// After the build has read everything, a provider renames an offering
	// and the running server's syncer indexes it, into the old index.
	src.afterEach = func(kind string) {
		if kind != search.KindOffering {
			return
		}
		src.afterEach = nil
		src.mu.Lock()
		o := src.offerings["off-bath-a"]
		src.mu.Unlock()
		o.Title = "助浴服务（新增周末班）"
		src.putOffering(o)
		if _, err := s.SyncAll(ctx); err != nil {
			t.Error(err)
		}
	}

	var searches, failures, empty atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			res, err := x.Search(ctx, search.Query{Kind: search.KindOffering, Q: "吃饭"})
			searches.Add(1)
			switch {
			case err != nil:
				failures.Add(1)
			case res.Total == 0:
				empty.Add(1)
			}
		}
	})
	n, err := x.Reindex(ctx, src, search.KindOffering)
	close(stop)
	wg.Wait()
	if err != nil || n != 1206 {
		t.Fatalf("Reindex: %d, %v", n, err)
	}
	if failures.Load() > 0 || empty.Load() > 0 || searches.Load() < 2 {
		t.Fatalf("%d searches during the reindex: %d failed, %d empty", searches.Load(), failures.Load(), empty.Load())
	}
	if got := ids(mustSearch(t, x, search.Query{Kind: search.KindOffering, Q: "周末班"})); len(got) != 1 || got[0] != "off-bath-a" {
		t.Fatalf("the write made during the build: %v", got)
	}
	if status := indexStatus(t, x.IndexName(search.KindOffering)+"_next"); status != http.StatusNotFound {
		t.Fatalf("the old index is still there: GET answered %d", status)
	}
	reports, err := x.Drift(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if r := reports[0]; r.Kind != search.KindOffering || r.Mongo != 1206 || r.Index != 1206 || !r.OK {
		t.Fatalf("drift after reindex: %+v", r)
	}
}

// TestReindexCreatesMissingIndex: reindexing into a deployment whose index
// does not exist yet (a fresh Meilisearch) works.
func TestReindexCreatesMissingIndex(t *testing.T) {
	url, key := testenv.Meili(t)
	x := search.NewIndexes(mustConnect(t, url, key), testenv.IndexPrefix(t), seed.Catalogue(), mustPlaces(t, seed.Places()))
	src := fixture(t)
	n, err := x.Reindex(context.Background(), src, search.KindJob)
	if err != nil || n != 2 {
		t.Fatalf("Reindex: %d, %v", n, err)
	}
	if got := ids(mustSearch(t, x, search.Query{Kind: search.KindJob, Q: "钟点工"})); len(got) != 1 {
		t.Fatalf("after reindex: %v", got)
	}
	if _, err := x.Reindex(context.Background(), src, "household"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("unknown kind: %v", err)
	}
}

func TestDrift(t *testing.T) {
	ctx := context.Background()
	url, key := testenv.Meili(t)
	x := search.NewIndexes(mustConnect(t, url, key), testenv.IndexPrefix(t), seed.Catalogue(), mustPlaces(t, seed.Places()))
	src := fixture(t)
	// No index yet: everything is missing.
	reports, err := x.Drift(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	want := []search.DriftReport{
		{Kind: search.KindOffering, Mongo: 6, Dirty: 6, Index: 0, Drift: 6},
		{Kind: search.KindJob, Mongo: 2, Dirty: 2, Index: 0, Drift: 2},
		{Kind: search.KindNeed, Mongo: 3, Dirty: 3, Index: 0, Drift: 3},
	}
	checkDrift(t, "before setup", reports, want)

	if err := x.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	mustSync(t, x, src)
	src.putNeed(domain.Need{ID: "need-new", Place: communityA, Item: "meal", NeutralNote: "需要助餐",
		Urgency: domain.UrgencyLow, State: domain.NeedOpen})
	reports, err = x.Drift(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	want = []search.DriftReport{
		{Kind: search.KindOffering, Mongo: 6, Index: 6, OK: true},
		{Kind: search.KindJob, Mongo: 2, Index: 2, OK: true},
		{Kind: search.KindNeed, Mongo: 4, Dirty: 1, Index: 3, Drift: 1},
	}
	checkDrift(t, "one need waiting", reports, want)
}

func checkDrift(t *testing.T, when string, got, want []search.DriftReport) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", when, got, want)
	}
}

// indexStatus returns the HTTP status of GET /indexes/uid.
func indexStatus(t *testing.T, uid string) int {
	t.Helper()
	url, key := testenv.Meili(t)
	req, _ := http.NewRequest(http.MethodGet, url+"/indexes/"+uid, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
