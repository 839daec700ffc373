package search_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/search"
	"lianzhu/seed"
)

// Places of the fixture, in the demo district (seed.Places).
const (
	district   = "610103000000"
	streetA    = "610103001000" // 南院门街道
	communityA = "610103001001"
	compoundA  = "610103001001001"
	radiusComm = "610103001003" // the centre of the meal offering's radius
	streetB    = "610103002000" // 柏树林街道
	communityB = "610103002001"
	volunteerC = "610103002003"
	streetC    = "610103003000" // 长乐坊街道
)

func mustPlaces(tb testing.TB, list []domain.Place) *domain.Places {
	tb.Helper()
	places, err := domain.NewPlaces(list)
	if err != nil {
		tb.Fatal(err)
	}
	return places
}

// mustConnect connects to url with the key.
func mustConnect(tb testing.TB, url, key string) *search.Client {
	tb.Helper()
	c, err := search.Connect(context.Background(), url, key)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// mustIndexes returns set-up indexes of the test's own, on the test
// binary's Meilisearch, over the demo district and the seed catalogue.
func mustIndexes(tb testing.TB) *search.Indexes {
	tb.Helper()
	url, key := testenv.Meili(tb)
	c := mustConnect(tb, url, key)
	x := search.NewIndexes(c, testenv.IndexPrefix(tb), seed.Catalogue(), mustPlaces(tb, seed.Places()))
	if err := x.Setup(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return x
}

// shared holds the fixture indexed once for the tests that only read it:
// a Setup costs seconds, and the test binary's Meilisearch goes away with
// its indexes when the binary ends.
var shared struct {
	once sync.Once
	x    *search.Indexes
	err  error
}

// fixtureIndexes returns indexes holding the fixture, shared by the tests
// that do not change them.
func fixtureIndexes(tb testing.TB) *search.Indexes {
	tb.Helper()
	url, key := testenv.Meili(tb)
	shared.once.Do(func() {
		ctx := context.Background()
		c, err := search.Connect(ctx, url, key)
		if err != nil {
			shared.err = err
			return
		}
		x := search.NewIndexes(c, "shared_fixture_", seed.Catalogue(), mustPlaces(tb, seed.Places()))
		if shared.err = x.Setup(ctx); shared.err != nil {
			return
		}
		if _, shared.err = search.NewSyncer(x, fixture(tb), quietLog()).SyncAll(ctx); shared.err == nil {
			shared.x = x
		}
	})
	if shared.err != nil {
		tb.Fatalf("shared fixture: %v", shared.err)
	}
	return shared.x
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func centreOf(tb testing.TB, code string) domain.LatLng {
	tb.Helper()
	p, ok := mustPlaces(tb, seed.Places()).Get(code)
	if !ok {
		tb.Fatalf("no place %s", code)
	}
	return domain.LatLng{Lat: p.Lat, Lng: p.Lng}
}

// fixture fills a source with a few providers, offerings, jobs and needs.
func fixture(tb testing.TB) *fakeSource {
	tb.Helper()
	now := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	f := newFakeSource()
	f.putProvider(
		domain.Provider{ID: "prov-a", Kind: domain.ProviderNGO, Name: "南院门社工服务中心", Place: communityA},
		domain.Provider{ID: "prov-b", Kind: domain.ProviderNGO, Name: "柏树林邻里互助会", Place: communityB},
		domain.Provider{ID: "prov-ent", Kind: domain.ProviderEnterprise, Name: "西安巧手家政有限公司", Place: "610103003001"},
		domain.Provider{ID: "prov-vol", Kind: domain.ProviderVolunteer, Name: "王小明", Place: volunteerC},
	)
	radius := centreOf(tb, radiusComm)
	offering := func(id, provider, item, title string, status domain.OfferingStatus, area domain.ServiceArea) domain.Offering {
		return domain.Offering{ID: id, ProviderID: provider, Item: item, Title: title, Status: status, Area: area,
			Period: domain.CapacityPerWeek, Capacity: 10, Left: 10, ValidFrom: now}
	}
	f.putOffering(
		offering("off-bath-a", "prov-a", "bathing", "助浴服务", domain.OfferingActive, domain.ServiceArea{Places: []string{streetA}}),
		offering("off-bath-b", "prov-b", "bathing", "上门助浴", domain.OfferingActive, domain.ServiceArea{Places: []string{communityB}}),
		offering("off-bath-closed", "prov-a", "bathing", "助浴（已停办）", domain.OfferingClosed, domain.ServiceArea{Places: []string{streetA}}),
		offering("off-train", "prov-ent", "housekeeping_training", "家政服务技能培训", domain.OfferingActive,
			domain.ServiceArea{Places: []string{district}}),
		offering("off-meal", "prov-a", "meal", "长者助餐", domain.OfferingActive,
			domain.ServiceArea{Center: &radius, RadiusM: 800}),
		offering("off-talk", "prov-vol", "companionship", "陪老人聊天", domain.OfferingActive,
			domain.ServiceArea{Places: []string{volunteerC}}),
	)
	f.putJob(
		domain.JobOpening{ID: "job-maid", EnterpriseID: "prov-ent", Title: "家政服务员（钟点工）", KindOfWork: "家政服务",
			Item: "flexible_employment", Place: streetA, Status: domain.JobOpen, Training: "岗前家政培训",
			Requirements: domain.JobRequirements{Skills: []string{"保洁", "做饭"}}, CreatedAt: now},
		domain.JobOpening{ID: "job-clean", EnterpriseID: "prov-ent", Title: "小区保洁员", KindOfWork: "保洁",
			Item: "job_placement", Place: streetB, Status: domain.JobFilled, CreatedAt: now},
	)
	f.putNeed(
		domain.Need{ID: "need-bath", HouseholdID: "hh-zhang", MemberID: "m-zhang", Place: compoundA, Item: "bathing",
			OwnWords: "我叫张三丰，电话13800138000，腿脚不好洗不了澡", NeutralNote: "七十多岁老人，行动不便，需要上门助浴",
			Urgency: domain.UrgencyHigh, State: domain.NeedOpen, CreatedBy: "coordinator.610103001", CreatedAt: now},
		domain.Need{ID: "need-talk", HouseholdID: "hh-li", MemberID: "m-li", Place: communityB, Item: "companionship",
			OwnWords: "李秀英说老伴走了以后一个人闷得慌", NeutralNote: "独居老人，希望有人定期上门聊天",
			Urgency: domain.UrgencyNormal, State: domain.NeedOpen, CreatedBy: "coordinator.610103002", CreatedAt: now},
		domain.Need{ID: "need-done", HouseholdID: "hh-wang", MemberID: "m-wang", Place: communityA, Item: "bathing",
			NeutralNote: "老人需要助浴", Urgency: domain.UrgencyLow, State: domain.NeedResolved, CreatedBy: "x", CreatedAt: now},
	)
	return f
}

// mustSync indexes everything dirty in src.
func mustSync(tb testing.TB, x *search.Indexes, src search.Source) {
	tb.Helper()
	if _, err := search.NewSyncer(x, src, quietLog()).SyncAll(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

func mustSearch(tb testing.TB, x *search.Indexes, q search.Query) search.Result {
	tb.Helper()
	res, err := x.Search(context.Background(), q)
	if err != nil {
		tb.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func ids(res search.Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

// rawDocuments reads every document of an index over plain HTTP, all
// fields: what Meilisearch really holds.
func rawDocuments(tb testing.TB, uid string) []map[string]any {
	tb.Helper()
	url, key := testenv.Meili(tb)
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/indexes/%s/documents?limit=1000", url, uid), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		tb.Fatal(err)
	}
	return page.Results
}
