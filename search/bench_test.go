package search_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/search"
	"lianzhu/seed"
)

// BenchmarkSearch indexes the offerings, jobs and needs of a scale-10 demo
// city (ten districts) once, through Reindex, then measures Search over a
// mix of realistic queries: resident words, catalogue names, categories,
// place scopes and "near me". It reports the median and 95th percentile
// latency of one Search and the number of documents indexed.
//
//	go test -tags ferretdb_no_sqlite -run '^$' -bench BenchmarkSearch -benchtime 2000x ./search/
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	city, err := seed.Demo(seed.DemoOptions{Seed: 1, Scale: 10, Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	places := mustPlaces(b, seed.ScaledPlaces(10))
	url, key := testenv.Meili(b)
	x := search.NewIndexes(mustConnect(b, url, key), testenv.IndexPrefix(b), seed.Catalogue(), places)
	if err := x.Setup(ctx); err != nil {
		b.Fatal(err)
	}
	src := newFakeSource()
	src.putProvider(city.Providers...)
	src.putOffering(city.Offerings...)
	src.putJob(city.Jobs...)
	src.putNeed(city.Needs...)
	docs := len(city.Offerings) + len(city.Jobs) + len(city.Needs)
	start := time.Now()
	for _, kind := range search.Kinds() {
		if _, err := x.Reindex(ctx, src, kind); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("indexed %d offerings, %d jobs, %d needs in %s", len(city.Offerings), len(city.Jobs), len(city.Needs),
		time.Since(start).Round(time.Millisecond))

	queries := benchQueries(b, places)
	var took []time.Duration
	each := make([][]time.Duration, len(queries))
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		t0 := time.Now()
		res, err := x.Search(ctx, q)
		d := time.Since(t0)
		took = append(took, d)
		each[i%len(queries)] = append(each[i%len(queries)], d)
		if err != nil {
			b.Fatal(err)
		}
		if i < len(queries) && res.Total == 0 {
			b.Errorf("no hits for %+v", q)
		}
	}
	// One line per kind (benchmark logs are cut at ten lines): the median
	// of each query, by its text or, without one, its filter.
	for _, kind := range search.Kinds() {
		line := kind + " p50 ms:"
		for i, q := range queries {
			if q.Kind == kind && len(each[i]) > 0 {
				line += fmt.Sprintf(" %s %.1f;", benchLabel(q), percentileMs(each[i], 0.5))
			}
		}
		b.Log(line)
	}
	b.ReportMetric(percentileMs(took, 0.50), "p50_ms")
	b.ReportMetric(percentileMs(took, 0.95), "p95_ms")
	b.ReportMetric(float64(docs), "docs")
}

func benchLabel(q search.Query) string {
	label := q.Q
	switch {
	case q.Category != "":
		label += "[" + q.Category + "]"
	case q.Q == "" && q.Near != nil:
		label += "[near]"
	case q.Q == "":
		label += "[scope]"
	}
	if q.Near != nil && q.Q != "" {
		label += "@near"
	}
	return label
}

// percentileMs returns the p-th percentile of ds in milliseconds.
func percentileMs(ds []time.Duration, p float64) float64 {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
}

// benchQueries is the mix: what coordinators, providers and residents ask,
// in the first district and in the last.
func benchQueries(tb testing.TB, places *domain.Places) []search.Query {
	tb.Helper()
	centre := func(code string) *domain.LatLng {
		p, ok := places.Get(code)
		if !ok {
			tb.Fatalf("no place %s", code)
		}
		return &domain.LatLng{Lat: p.Lat, Lng: p.Lng}
	}
	const (
		street    = "610103002000"
		community = "610103001003"
		farStreet = "619809004000" // the tenth district's 东关南街
		farComm   = "619809005002"
	)
	return []search.Query{
		{Kind: search.KindOffering, Q: "洗澡"},
		{Kind: search.KindOffering, Q: "老人吃饭", Place: street},
		{Kind: search.KindOffering, Q: "想学家政手艺"},
		{Kind: search.KindOffering, Q: "陪我去医院看病", Near: centre(community), RadiusM: 3000},
		{Kind: search.KindOffering, Category: "meal", Place: farStreet},
		{Kind: search.KindOffering, Near: centre(farComm), RadiusM: 2000},
		{Kind: search.KindOffering, Q: "上门理发", Scope: farStreet},
		{Kind: search.KindOffering, Q: "一个人在家没人说话"},
		{Kind: search.KindOffering, Q: "助餐", Limit: 50, Offset: 40},
		{Kind: search.KindJob, Q: "保洁"},
		{Kind: search.KindJob, Q: "钟点工", Place: street},
		{Kind: search.KindJob, Q: "找工作", Near: centre(farComm), RadiusM: 5000},
		{Kind: search.KindNeed, Scope: street},
		{Kind: search.KindNeed, Q: "独居", Scope: farStreet},
		{Kind: search.KindNeed, Category: "bathing"},
		{Kind: search.KindNeed, Q: "助餐", Near: centre(community), RadiusM: 1500},
	}
}
