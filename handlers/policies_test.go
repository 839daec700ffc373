package handlers

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"lianzhu/seed"
)

// TestPolicyAdmin reads the policy catalogue seeded on first use, edits a
// policy through the policy engine's validation (field errors under the
// policy's own names, version checks), adds a dated parameter value and a
// new policy, and shows the book serving the edits to evaluations.
func TestPolicyAdmin(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	coord := e.login("coordinator").AccessToken

	r := e.do("GET", "/api/v1/policies", coord, nil)
	if r.status != 200 {
		t.Fatalf("list policies: %d %s", r.status, r.body)
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(r.body, &list); err != nil || len(list.Items) != len(seed.Policies()) {
		t.Fatalf("seeded policies: %v %d", err, len(list.Items))
	}
	if r := e.do("GET", "/api/v1/policies", e.login("volunteer1").AccessToken, nil); r.status != 403 {
		t.Fatalf("volunteer reads policies: %d", r.status)
	}
	first := list.Items[0]
	id := first["id"].(string)
	if first["version"].(float64) != 1 {
		t.Fatalf("version: %v", first["version"])
	}

	// Invalid edit: named fields, nothing written.
	bad := clone(first)
	bad["name_zh"] = ""
	crits := bad["criteria"].([]any)
	c0 := crits[0].(map[string]any)
	c0["kind"] = "no_such_kind"
	r = e.do("PUT", "/api/v1/policies/"+id, admin, bad)
	if r.status != 400 || !slices.Contains(r.fields(t), "name_zh") || !slices.ContainsFunc(r.fields(t), func(f string) bool { return f == "criteria[0].kind" }) {
		t.Fatalf("invalid policy: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/policies/"+id, coord, first); r.status != 403 {
		t.Fatalf("coordinator edits a policy: %d", r.status)
	}
	edit := clone(first)
	edit["name_zh"] = "最低生活保障（修订）"
	if r := e.do("PUT", "/api/v1/policies/"+id, admin, edit); r.status != 200 || r.json(t)["version"].(float64) != 2 {
		t.Fatalf("edit policy: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/policies/"+id, admin, edit); r.status != 409 {
		t.Fatalf("stale edit: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/policies/"+id, coord, nil); r.json(t)["name_zh"] != "最低生活保障（修订）" {
		t.Fatalf("edit not served: %s", r.body)
	}

	// A new policy: a duplicate id is 409, a valid one 201.
	dup := clone(first)
	delete(dup, "version")
	if r := e.do("POST", "/api/v1/policies", admin, dup); r.status != 400 || !slices.Contains(r.fields(t), "id") {
		t.Fatalf("duplicate policy id: %d %s", r.status, r.body)
	}
	fresh := clone(dup)
	fresh["id"] = "mz-test-new"
	fresh["name_zh"] = "测试新政策"
	if r := e.do("POST", "/api/v1/policies", admin, fresh); r.status != 201 {
		t.Fatalf("create policy: %d %s", r.status, r.body)
	}

	// Parameters: a new dated value, positive and on a new date.
	r = e.do("GET", "/api/v1/policy-params", coord, nil)
	var params struct {
		Items []struct {
			Name    string           `json:"name"`
			Values  []map[string]any `json:"values"`
			Current map[string]any   `json:"current"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.body, &params); err != nil || len(params.Items) == 0 || params.Items[0].Current == nil {
		t.Fatalf("params: %v %s", err, r.body)
	}
	name, firstFrom := params.Items[0].Name, params.Items[0].Values[0]["from"]
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": name, "from": firstFrom, "value": 100}, "from"},
		{map[string]any{"name": name, "from": "2031-01-01T00:00:00+08:00", "value": 0}, "value"},
		{map[string]any{"name": "no_such_param", "from": "2031-01-01T00:00:00+08:00", "value": 100}, "name"},
	} {
		if r := e.do("POST", "/api/v1/policy-params", admin, c.body); r.status != 400 || !slices.Contains(r.fields(t), c.field) {
			t.Errorf("param value %v: %d %s", c.body, r.status, r.body)
		}
	}
	newValue := map[string]any{"name": name, "from": "2031-01-01T00:00:00+08:00", "value": 123400}
	if r := e.do("POST", "/api/v1/policy-params", coord, newValue); r.status != 403 {
		t.Fatalf("coordinator adds a value: %d", r.status)
	}
	r = e.do("POST", "/api/v1/policy-params", admin, newValue)
	if r.status != 201 || len(r.json(t)["values"].([]any)) != len(params.Items[0].Values)+1 {
		t.Fatalf("add value: %d %s", r.status, r.body)
	}
	created := map[string]any{"name": "test_standard", "label_zh": "测试标准", "label_en": "test standard",
		"from": time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "value": 50000}
	if r := e.do("POST", "/api/v1/policy-params", admin, created); r.status != 201 {
		t.Fatalf("create parameter: %d %s", r.status, r.body)
	}

	// The book serves the store: a fresh server over the same database
	// sees the edits (seeding again does not overwrite them).
	book := NewPolicyBook(e.db, seed.Policies(), seed.PolicyParams(), time.Now)
	pols, set, err := book.Current(t.Context())
	if err != nil || len(pols) != len(seed.Policies())+1 || pols[0].NameZh != "最低生活保障（修订）" || !set.Has("test_standard") {
		t.Fatalf("book: %v %d %s", err, len(pols), pols[0].NameZh)
	}
}

// clone deep-copies a JSON object.
func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// TestCatalogueAdmin edits a catalogue item as the admin: validated with the
// whole catalogue, guarded by version, stored now and applied at the next
// start (the running catalogue is unchanged, "applied" says so).
func TestCatalogueAdmin(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	r := e.do("GET", "/api/v1/catalogue/stored", admin, nil)
	if r.status != 200 {
		t.Fatalf("stored catalogue: %d %s", r.status, r.body)
	}
	items := r.json(t)["items"].([]any)
	meals := items[0].(map[string]any)
	code := meals["code"].(string)
	if meals["applied"] != true || meals["version"].(float64) != 1 {
		t.Fatalf("fresh item: %v", meals)
	}
	body := map[string]any{"name_zh": meals["name_zh"], "name_en": meals["name_en"], "unit_price_fen": 2500,
		"unit": meals["unit"], "synonyms": []string{"送饭", "送饭"}, "version": 1}
	if r := e.do("PUT", "/api/v1/catalogue/"+code, admin, body); r.status != 400 || !slices.Contains(r.fields(t), "synonyms[1]") {
		t.Fatalf("duplicate synonym: %d %s", r.status, r.body)
	}
	body["synonyms"], body["unit_price_fen"] = []string{"送饭"}, -1
	if r := e.do("PUT", "/api/v1/catalogue/"+code, admin, body); r.status != 400 || !slices.Contains(r.fields(t), "unit_price_fen") {
		t.Fatalf("negative price: %d %s", r.status, r.body)
	}
	body["unit_price_fen"] = 2500
	if r := e.do("PUT", "/api/v1/catalogue/"+code, e.login("coordinator").AccessToken, body); r.status != 403 {
		t.Fatalf("coordinator edits the catalogue: %d", r.status)
	}
	r = e.do("PUT", "/api/v1/catalogue/"+code, admin, body)
	if r.status != 200 || r.json(t)["applied"] != false || r.json(t)["unit_price_fen"].(float64) != 2500 {
		t.Fatalf("edit item: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/catalogue/"+code, admin, body); r.status != 409 {
		t.Fatalf("stale edit: %d", r.status)
	}
	if r := e.do("PUT", "/api/v1/catalogue/no_such_item", admin, body); r.status != 404 {
		t.Fatalf("unknown item: %d", r.status)
	}
	cat, err := e.db.LoadCatalogue(t.Context(), seed.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	if it, _ := cat.Get(code); it.UnitPriceFen != 2500 || len(it.Synonyms) != 1 {
		t.Fatalf("the next start's catalogue: %+v", it)
	}
}
