package search_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"lianzhu/domain"
	"lianzhu/search"
)

func TestSearchText(t *testing.T) {
	x := fixtureIndexes(t)
	for _, tc := range []struct {
		name, kind, q string
		want          []string // every one of these, in any order
		not           []string
	}{
		{"a resident's word finds the catalogue item", search.KindOffering, "洗澡", []string{"off-bath-a", "off-bath-b"}, []string{"off-bath-closed", "off-train"}},
		{"the item name", search.KindOffering, "助浴", []string{"off-bath-a", "off-bath-b"}, nil},
		// jieba alone cuts 想/学家/政/手艺 and misses 家政.
		{"chinese segmentation", search.KindOffering, "想学家政手艺", []string{"off-train"}, []string{"off-bath-a"}},
		{"part of a phrase", search.KindOffering, "家政培训", []string{"off-train"}, nil},
		{"words around a catalogue word", search.KindOffering, "我想学点家政", []string{"off-train"}, nil},
		{"english name", search.KindOffering, "bathing", []string{"off-bath-a", "off-bath-b"}, nil},
		{"english typo", search.KindOffering, "bathng", []string{"off-bath-a"}, nil},
		{"provider name", search.KindOffering, "柏树林邻里互助会", []string{"off-bath-b"}, nil},
		{"a volunteer's name is not searchable", search.KindOffering, "王小明", nil, []string{"off-talk"}},
		{"a resident's sentence", search.KindOffering, "老伴走了一个人在家没人说话", []string{"off-talk"}, nil},
		{"job by trade", search.KindJob, "钟点工", []string{"job-maid"}, nil},
		{"job by skill", search.KindJob, "做饭", []string{"job-maid"}, nil},
		{"job by enterprise", search.KindJob, "巧手家政", []string{"job-maid"}, nil},
		{"filled jobs are left out", search.KindJob, "保洁员", nil, []string{"job-clean"}},
		{"need by neutral note", search.KindNeed, "行动不便", []string{"need-bath"}, nil},
		{"need by resident word", search.KindNeed, "洗澡", []string{"need-bath"}, []string{"need-done", "need-talk"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(mustSearch(t, x, search.Query{Kind: tc.kind, Q: tc.q}))
			for _, id := range tc.want {
				if !slices.Contains(got, id) {
					t.Errorf("%q: %v lacks %s", tc.q, got, id)
				}
			}
			for _, id := range tc.not {
				if slices.Contains(got, id) {
					t.Errorf("%q: %v holds %s", tc.q, got, id)
				}
			}
		})
	}
}

func TestSearchRanksTitleMatchesFirst(t *testing.T) {
	x := fixtureIndexes(t)
	// Both bathing offerings match 助浴 through their item; the one whose
	// title has the word in it says more.
	res := mustSearch(t, x, search.Query{Kind: search.KindOffering, Q: "上门助浴"})
	if len(res.Hits) < 2 || res.Hits[0].ID != "off-bath-b" {
		t.Fatalf("上门助浴: %v", ids(res))
	}
}

func TestSearchHitShape(t *testing.T) {
	x := fixtureIndexes(t)
	res := mustSearch(t, x, search.Query{Kind: search.KindOffering, Q: "助浴服务", Limit: 1})
	if res.Total < 1 || len(res.Hits) != 1 {
		t.Fatalf("result %+v", res)
	}
	got, _ := json.Marshal(res.Hits[0])
	want := `{"kind":"offering","id":"off-bath-a","title":"助浴服务","category":"bathing","category_name":"助浴","place":"610103001001"}`
	if string(got) != want {
		t.Fatalf("hit\n got %s\nwant %s", got, want)
	}
	res = mustSearch(t, x, search.Query{Kind: search.KindNeed, Category: "bathing"})
	got, _ = json.Marshal(res)
	want = `{"hits":[{"kind":"need","id":"need-bath","title":"七十多岁老人，行动不便，需要上门助浴","category":"bathing","category_name":"助浴","place":"610103001001"}],"total":1}`
	if string(got) != want {
		t.Fatalf("need result\n got %s\nwant %s", got, want)
	}
}

func TestSearchFilters(t *testing.T) {
	x := fixtureIndexes(t)
	for _, tc := range []struct {
		name string
		q    search.Query
		want []string // exactly, in any order
	}{
		{"category", search.Query{Kind: search.KindOffering, Category: "bathing"}, []string{"off-bath-a", "off-bath-b"}},
		{"another status", search.Query{Kind: search.KindOffering, Category: "bathing", Status: "closed"}, []string{"off-bath-closed"}},
		// Street A's offering covers the community; the district-wide one
		// too; the meal radius reaches communityA's centre (780 m).
		{"place: a community", search.Query{Kind: search.KindOffering, Place: communityA}, []string{"off-bath-a", "off-train", "off-meal"}},
		{"place: a compound", search.Query{Kind: search.KindOffering, Place: compoundA}, []string{"off-bath-a", "off-train", "off-meal"}},
		{"place: a street", search.Query{Kind: search.KindOffering, Place: streetB}, []string{"off-bath-b", "off-train", "off-talk"}},
		{"place and category", search.Query{Kind: search.KindOffering, Place: streetB, Category: "bathing"}, []string{"off-bath-b"}},
		{"jobs in a place", search.Query{Kind: search.KindJob, Place: communityA}, nil},
		{"jobs in a street", search.Query{Kind: search.KindJob, Place: streetA}, []string{"job-maid"}},
		{"needs in a street", search.Query{Kind: search.KindNeed, Place: streetA}, []string{"need-bath"}},
		{"needs are known by community only", search.Query{Kind: search.KindNeed, Place: compoundA}, []string{"need-bath"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mustSearch(t, x, tc.q)
			got := ids(res)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) || res.Total != len(want) {
				t.Fatalf("got %v (total %d), want %v", got, res.Total, want)
			}
		})
	}
}

// TestSearchScope: a coordinator sees only their subtree, whatever the
// query asks for.
func TestSearchScope(t *testing.T) {
	x := fixtureIndexes(t)
	for _, tc := range []struct {
		name string
		q    search.Query
		want int
	}{
		{"needs of street A for its coordinator", search.Query{Kind: search.KindNeed, Scope: streetA}, 1},
		{"needs of street A for street C's coordinator", search.Query{Kind: search.KindNeed, Scope: streetC}, 0},
		{"asking for street A's place from street C", search.Query{Kind: search.KindNeed, Scope: streetC, Place: streetA}, 0},
		{"by text from street C", search.Query{Kind: search.KindNeed, Scope: streetC, Q: "助浴"}, 0},
		{"a compound scope sees no community-level need", search.Query{Kind: search.KindNeed, Scope: compoundA}, 0},
		{"street A's own offering from street C", search.Query{Kind: search.KindOffering, Scope: streetC, Category: "bathing"}, 0},
		{"the district-wide offering from street C", search.Query{Kind: search.KindOffering, Scope: streetC, Q: "家政"}, 1},
		{"jobs of street A from street C", search.Query{Kind: search.KindJob, Scope: streetC}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mustSearch(t, x, tc.q)
			if len(res.Hits) != tc.want || res.Total != tc.want {
				t.Fatalf("got %v (total %d), want %d hits", ids(res), res.Total, tc.want)
			}
		})
	}
}

func TestSearchNear(t *testing.T) {
	x := fixtureIndexes(t)
	at := centreOf(t, radiusComm)
	// off-meal sits at its centre; the others at their provider's base:
	// prov-a's communityA is 780 m south, the rest over a kilometre away.
	res := mustSearch(t, x, search.Query{Kind: search.KindOffering, Near: &at, RadiusM: 300})
	if got := ids(res); !slices.Equal(got, []string{"off-meal"}) {
		t.Fatalf("within 300 m: %v", got)
	}
	res = mustSearch(t, x, search.Query{Kind: search.KindOffering, Near: &at, RadiusM: 1000})
	if got := ids(res); !slices.Equal(got, []string{"off-meal", "off-bath-a"}) {
		t.Fatalf("within 1000 m, nearest first: %v", got)
	}
	base := centreOf(t, communityA)
	for i, want := range []float64{0, domain.DistanceM(at, base)} {
		h := res.Hits[i]
		if h.DistanceM == nil || math.Abs(float64(*h.DistanceM)-want) > 2 {
			t.Errorf("%s: distance %v, want %.0f", h.ID, h.DistanceM, want)
		}
	}
	// Text first, then distance: both bathing offerings, nearer first.
	res = mustSearch(t, x, search.Query{Kind: search.KindOffering, Q: "洗澡", Near: &at})
	if got := ids(res); !slices.Equal(got, []string{"off-bath-a", "off-bath-b"}) || res.Hits[1].DistanceM == nil {
		t.Fatalf("洗澡 near: %+v", res)
	}
	res = mustSearch(t, x, search.Query{Kind: search.KindOffering, Q: "洗澡"})
	if res.Hits[0].DistanceM != nil {
		t.Fatalf("distance without near: %+v", res.Hits[0])
	}
	res = mustSearch(t, x, search.Query{Kind: search.KindNeed, Near: &at, RadiusM: 1000})
	if got := ids(res); !slices.Equal(got, []string{"need-bath"}) {
		t.Fatalf("needs within 1000 m: %v", got)
	}
}

func TestSearchRejectsBadQueries(t *testing.T) {
	x := fixtureIndexes(t)
	at := domain.LatLng{Lat: 34.25, Lng: 108.95}
	for _, tc := range []struct {
		name  string
		q     search.Query
		field string
	}{
		{"kind", search.Query{Kind: "household"}, "kind"},
		{"category", search.Query{Kind: search.KindOffering, Category: "nope"}, "category"},
		{"place", search.Query{Kind: search.KindOffering, Place: "61010"}, "place"},
		{"scope", search.Query{Kind: search.KindNeed, Scope: "x"}, "scope"},
		{"radius without near", search.Query{Kind: search.KindOffering, RadiusM: 100}, "near"},
		{"near out of range", search.Query{Kind: search.KindOffering, Near: &domain.LatLng{Lat: 91, Lng: 0}}, "near"},
		{"negative radius", search.Query{Kind: search.KindOffering, Near: &at, RadiusM: -1}, "radius_m"},
		{"limit", search.Query{Kind: search.KindOffering, Limit: 101}, "limit"},
		{"negative offset", search.Query{Kind: search.KindOffering, Offset: -1}, "offset"},
		{"status", search.Query{Kind: search.KindOffering, Status: `active" OR item EXISTS`}, "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := x.Search(context.Background(), tc.q)
			var e *domain.Error
			if domain.ErrorCode(err) != domain.EINVALID || !errors.As(err, &e) || e.Fields[0].Field != tc.field {
				t.Fatalf("got %v, want EINVALID on %s", err, tc.field)
			}
		})
	}
}

// TestNeedsIndexHoldsNoPersonalData: what providers may see and nothing
// else reaches the needs index.
func TestNeedsIndexHoldsNoPersonalData(t *testing.T) {
	x := fixtureIndexes(t)
	docs := rawDocuments(t, x.IndexName(search.KindNeed))
	if len(docs) != 3 {
		t.Fatalf("%d need documents", len(docs))
	}
	allowed := []string{"id", "title", "item", "category_name", "item_en", "item_terms", "item_words", "place",
		"place_up", "status", "urgency", "urgency_rank", "created_at", "_geo", "version"}
	for _, d := range docs {
		for field := range d {
			if !slices.Contains(allowed, field) {
				t.Errorf("need %v: field %q", d["id"], field)
			}
		}
		if p, _ := d["place"].(string); len(p) != 12 {
			t.Errorf("need %v: place %q is not a community", d["id"], p)
		}
		raw, _ := json.Marshal(d)
		for _, secret := range []string{"张三丰", "13800138000", "李秀英", "hh-zhang", "m-zhang", compoundA, "coordinator."} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("need document holds %q: %s", secret, raw)
			}
		}
	}
	for _, q := range []string{"张三丰", "13800138000", "hh-zhang"} {
		if res := mustSearch(t, x, search.Query{Kind: search.KindNeed, Q: q}); len(res.Hits) > 0 {
			t.Errorf("%q finds %v", q, ids(res))
		}
	}
}

func TestSetupIsIdempotent(t *testing.T) {
	x := mustIndexes(t)
	src := fixture(t)
	mustSync(t, x, src)
	if err := x.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res := mustSearch(t, x, search.Query{Kind: search.KindOffering, Q: "洗澡"}); len(res.Hits) != 2 {
		t.Fatalf("after a second Setup: %v", ids(res))
	}
	reports, err := x.Drift(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if !r.OK {
			t.Errorf("drift after Setup: %+v", r)
		}
	}
}
