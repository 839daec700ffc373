package handlers

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestSearchAPI publishes an offering and files a need through the API,
// lets the index catch up, and searches as each role: plain words find the
// catalogue item, needs come back neutral and scoped, bad parameters name
// their field.
func TestSearchAPI(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	e.newProvider(admin, "ngo", "51610103MJ0000011", "ngo1")
	ngo := e.login("ngo1").AccessToken
	off := offeringBody("bathing", "上门助浴服务")
	off["area"] = map[string]any{"places": []string{"610103002000"}, "center": map[string]any{"lat": 34.2583, "lng": 108.9532}, "radius_m": 3000}
	if r := e.do("POST", "/api/v1/offerings", ngo, off); r.status != 201 {
		t.Fatalf("offering: %d %s", r.status, r.body)
	}
	street := e.login("coordinator.610103002").AccessToken
	r := e.do("POST", "/api/v1/households", street, newHousehold(t, "610103002002001", validID(t, "61990119400101011")))
	if r.status != 201 {
		t.Fatalf("household: %d %s", r.status, r.body)
	}
	need := map[string]any{"household_id": r.json(t)["id"], "member_id": "m1", "item": "bathing",
		"own_words": "我是王秀英，自己洗不了澡", "neutral_note": "独居老人需要上门助浴", "urgency": "normal", "channel": "home_visit"}
	if r := e.do("POST", "/api/v1/needs", street, need); r.status != 201 {
		t.Fatalf("need: %d %s", r.status, r.body)
	}
	e.indexNow()

	hits := func(tok, query string) []map[string]any {
		t.Helper()
		r := e.do("GET", "/api/v1/search?"+query, tok, nil)
		if r.status != 200 {
			t.Fatalf("search %s: %d %s", query, r.status, r.body)
		}
		var out []map[string]any
		for _, h := range r.json(t)["hits"].([]any) {
			out = append(out, h.(map[string]any))
		}
		return out
	}
	vol := e.login("volunteer1").AccessToken
	h := hits(vol, "q="+url.QueryEscape("洗澡"))
	if len(h) != 1 || h[0]["kind"] != "offering" || h[0]["category"] != "bathing" || h[0]["category_name"] != "助浴" {
		t.Fatalf("洗澡 → %v", h)
	}
	if _, ok := h[0]["distance_m"]; ok {
		t.Fatalf("distance without near: %v", h[0])
	}
	h = hits(vol, "near=34.2600,108.9540&radius_m=5000")
	if len(h) != 1 || h[0]["distance_m"] == nil {
		t.Fatalf("near → %v", h)
	}
	if h := hits(vol, "near=34.5,109.5&radius_m=1000"); len(h) != 0 {
		t.Fatalf("far away → %v", h)
	}

	// Needs: the provider sees the neutral note at community level only.
	r = e.do("GET", "/api/v1/search?kind=need&q="+url.QueryEscape("助浴"), ngo, nil)
	if r.status != 200 || strings.Contains(string(r.body), "王秀英") || strings.Contains(string(r.body), "洗不了") {
		t.Fatalf("ngo need search: %d %s", r.status, r.body)
	}
	h = hits(ngo, "kind=need&q="+url.QueryEscape("助浴"))
	if len(h) != 1 || h[0]["title"] != "独居老人需要上门助浴" || h[0]["place"] != "610103002002" {
		t.Fatalf("ngo need hits: %v", h)
	}
	if h := hits(e.login("coordinator.610103003").AccessToken, "kind=need"); len(h) != 0 {
		t.Fatalf("other street sees needs: %v", h)
	}
	if h := hits(street, "kind=need"); len(h) != 1 {
		t.Fatalf("own street: %v", h)
	}
	// status narrows what is searched: nothing of this street is resolved yet,
	// and a provider may look only at open needs.
	if h := hits(street, "kind=need&status=resolved"); len(h) != 0 {
		t.Fatalf("resolved needs: %v", h)
	}
	if h := hits(vol, "status=paused"); len(h) != 0 {
		t.Fatalf("paused offerings: %v", h)
	}
	for _, q := range []string{"kind=need&status=resolved", "status=open"} {
		if r := e.do("GET", "/api/v1/search?"+q, ngo, nil); r.status != 400 || !slices.Contains(r.fields(t), "status") {
			t.Fatalf("%s as ngo: %d %s", q, r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/search?kind=need&place=610103003000", street, nil); r.status != 403 {
		t.Fatalf("need search outside scope: want 403, got %d", r.status)
	}
	if r := e.do("GET", "/api/v1/search?kind=need", vol, nil); r.status != 403 {
		t.Fatalf("volunteer need search: want 403, got %d", r.status)
	}
	r = e.do("GET", "/api/v1/search?kind=house&category=x&place=12&near=abc&limit=0&offset=-1", vol, nil)
	if r.status != 400 {
		t.Fatalf("bad params: %d %s", r.status, r.body)
	}
	for _, f := range []string{"kind", "category", "place", "near", "limit", "offset"} {
		if !slices.Contains(r.fields(t), f) {
			t.Errorf("no error for %s: %s", f, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/search?radius_m=100", vol, nil); r.status != 400 || !slices.Contains(r.fields(t), "near") {
		t.Fatalf("radius without near: %d %s", r.status, r.body)
	}
}

// TestSuggestAPI ranks catalogue items for a resident's words.
func TestSuggestAPI(t *testing.T) {
	e := newEnv(t)
	e.indexNow()
	tok := e.login("coordinator").AccessToken
	r := e.do("POST", "/api/v1/catalogue/suggest", tok, map[string]any{"text": "老伴走了以后一个人在家，想有人陪着说说话"})
	if r.status != 200 {
		t.Fatalf("suggest: %d %s", r.status, r.body)
	}
	items := r.json(t)["items"].([]any)
	if len(items) == 0 {
		t.Fatal("no suggestions")
	}
	var top3 []string
	prev := 2.0
	for i, it := range items {
		m := it.(map[string]any)
		score := m["score"].(float64)
		if score < 0 || score > 1 || score > prev {
			t.Fatalf("scores must be in 0..1, best first: %s", r.body)
		}
		prev = score
		if m["tier"] == "" || m["name_zh"] == "" || m["name_en"] == "" {
			t.Fatalf("incomplete item: %v", m)
		}
		if i < 3 {
			top3 = append(top3, m["code"].(string))
		}
	}
	if !slices.Contains(top3, "companionship") && !slices.Contains(top3, "caring_visit") {
		t.Fatalf("top 3 for loneliness: %v", top3)
	}
	if r := e.do("POST", "/api/v1/catalogue/suggest", tok, map[string]any{"text": "  "}); r.status != 400 || !slices.Contains(r.fields(t), "text") {
		t.Fatalf("empty text: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/catalogue/suggest", tok, map[string]any{"text": strings.Repeat("字", 501)}); r.status != 400 {
		t.Fatalf("long text: %d %s", r.status, r.body)
	}
}

// TestIndexAdminAPI: the admin compares MongoDB with the indexes and
// rebuilds one; nobody else may.
func TestIndexAdminAPI(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	e.newProvider(admin, "ngo", "51610103MJ0000021", "ngo1")
	meal := offeringBody("meal", "社区长者饭堂")
	meal["voucher_fen"] = 1000 // the catalogue pays at most ¥15 a meal
	if r := e.do("POST", "/api/v1/offerings", e.login("ngo1").AccessToken, meal); r.status != 201 {
		t.Fatalf("offering: %d %s", r.status, r.body)
	}
	e.indexNow()
	r := e.do("GET", "/api/v1/admin/index-drift", admin, nil)
	if r.status != 200 {
		t.Fatalf("drift: %d %s", r.status, r.body)
	}
	for _, it := range r.json(t)["items"].([]any) {
		m := it.(map[string]any)
		if m["ok"] != true {
			t.Fatalf("drift after sync: %s", r.body)
		}
	}
	r = e.do("POST", "/api/v1/admin/reindex", admin, map[string]any{"kind": "offering"})
	if r.status != 200 || !strings.Contains(string(r.body), `"offering":1`) {
		t.Fatalf("reindex: %d %s", r.status, r.body)
	}
	if h := e.do("GET", "/api/v1/search?q="+url.QueryEscape("饭堂"), admin, nil); h.json(t)["total"].(float64) != 1 {
		t.Fatalf("search after reindex: %s", h.body)
	}
	if r := e.do("POST", "/api/v1/admin/reindex", admin, map[string]any{"kind": "cats"}); r.status != 400 || !slices.Contains(r.fields(t), "kind") {
		t.Fatalf("bad kind: %d %s", r.status, r.body)
	}
	coord := e.login("coordinator").AccessToken
	if r := e.do("GET", "/api/v1/admin/index-drift", coord, nil); r.status != 403 {
		t.Fatalf("coordinator drift: want 403, got %d", r.status)
	}
	if r := e.do("POST", "/api/v1/admin/reindex", coord, map[string]any{}); r.status != 403 {
		t.Fatalf("coordinator reindex: want 403, got %d", r.status)
	}
}
