package handlers

import (
	"slices"
	"strings"
	"testing"

	"lianzhu/domain"
)

func validUSCC(t *testing.T, first17 string) string {
	t.Helper()
	code, err := domain.CompleteUSCC(first17)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// newProvider registers a provider as the admin and binds an account to it.
func (e *env) newProvider(admin, kind, first17, username string) string {
	e.t.Helper()
	body := map[string]any{"kind": kind, "name": "碑林区" + username + "服务中心", "credit_code": validUSCC(e.t, first17),
		"contact_name": "王芳", "contact_phone": "13800001111", "place": "610103002000",
		"area": map[string]any{"places": []string{"610103002000"}}, "verification": "verified"}
	r := e.do("POST", "/api/v1/providers", admin, body)
	if r.status != 201 {
		e.t.Fatalf("create provider: %d %s", r.status, r.body)
	}
	id := r.json(e.t)["id"].(string)
	role := domain.Role(kind)
	u := domain.User{Username: username, Role: role, ProviderID: id, PasswordHash: testHash(e.t)}
	if err := e.db.CreateUser(e.t.Context(), &u); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func offeringBody(item, title string) map[string]any {
	return map[string]any{"item": item, "title": title, "description": "每周三上午上门服务",
		"audience": map[string]any{"tiers": []string{"dibao", "tekun"}, "just_outside": true},
		"period":   "week", "capacity": 10, "price_fen": 3000, "voucher_fen": 2000, "schedule": "周三 9:00-11:30",
		"area": map[string]any{"places": []string{"610103002000"}}}
}

// TestProvidersAndOfferings walks the supply list: the admin registers an
// NGO (its credit code unique), the NGO publishes and edits its offering with
// version checks, others may read but not write, and contacts are disclosed
// by role.
func TestProvidersAndOfferings(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	ngoID := e.newProvider(admin, "ngo", "51610103MJ0000001", "ngo1")
	e.newProvider(admin, "ngo", "51610103MJ0000002", "ngo2")

	dup := map[string]any{"kind": "ngo", "name": "重复机构", "credit_code": validUSCC(t, "51610103MJ0000001"),
		"contact_name": "李", "contact_phone": "13800001112", "place": "610103002000",
		"area": map[string]any{"places": []string{"610103002000"}}}
	if r := e.do("POST", "/api/v1/providers", admin, dup); r.status != 409 || !slices.Contains(r.fields(t), "credit_code") {
		t.Fatalf("duplicate credit code: %d %s", r.status, r.body)
	}
	bad := map[string]any{"kind": "ngo", "name": "", "credit_code": "91610103MA6U0000X0", "contact_phone": "123",
		"place": "999999999999", "area": map[string]any{}}
	r := e.do("POST", "/api/v1/providers", admin, bad)
	if r.status != 400 {
		t.Fatalf("bad provider: %d %s", r.status, r.body)
	}
	for _, f := range []string{"name", "credit_code", "contact_phone", "place"} {
		if !slices.Contains(r.fields(t), f) {
			t.Errorf("bad provider: no error for %s in %v", f, r.fields(t))
		}
	}
	ngo := e.login("ngo1").AccessToken
	if r := e.do("POST", "/api/v1/providers", ngo, dup); r.status != 403 {
		t.Fatalf("ngo registers a provider: want 403, got %d", r.status)
	}

	created := e.do("POST", "/api/v1/offerings", ngo, offeringBody("bathing", "上门助浴服务"))
	if created.status != 201 {
		t.Fatalf("create offering: %d %s", created.status, created.body)
	}
	off := created.json(t)
	if off["provider_id"] != ngoID || off["left"].(float64) != 10 || off["status"] != "active" {
		t.Fatalf("offering: %s", r.body)
	}
	id := off["id"].(string)
	badOff := offeringBody("no_such_item", "")
	badOff["capacity"] = 0
	if r := e.do("POST", "/api/v1/offerings", ngo, badOff); r.status != 400 || !slices.Contains(r.fields(t), "item") || !slices.Contains(r.fields(t), "capacity") {
		t.Fatalf("bad offering: %d %s", r.status, r.body)
	}
	other := offeringBody("bathing", "冒名服务")
	other["provider_id"] = ngoID
	if r := e.do("POST", "/api/v1/offerings", e.login("ngo2").AccessToken, other); r.status != 400 || !slices.Contains(r.fields(t), "provider_id") {
		t.Fatalf("offering for another provider: %d %s", r.status, r.body)
	}
	vol := e.login("volunteer1").AccessToken
	if r := e.do("POST", "/api/v1/offerings", vol, offeringBody("bathing", "x")); r.status != 403 {
		t.Fatalf("volunteer publishes: want 403, got %d", r.status)
	}

	// Edit: capacity 10 → 6 moves "left" by the same amount; a stale version is 409.
	upd := created.json(t) // a client sends back what it read, changed
	upd["title"], upd["capacity"], upd["left"] = "上门助浴服务（周三）", 6, 99
	r = e.do("PUT", "/api/v1/offerings/"+id, ngo, upd)
	if r.status != 200 || r.json(t)["left"].(float64) != 6 || r.json(t)["version"].(float64) != 2 {
		t.Fatalf("update offering: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/offerings/"+id, ngo, upd); r.status != 409 {
		t.Fatalf("stale update: want 409, got %d %s", r.status, r.body)
	}
	upd["version"] = 2
	if r := e.do("PUT", "/api/v1/offerings/"+id, e.login("ngo2").AccessToken, upd); r.status != 403 {
		t.Fatalf("other ngo edits: want 403, got %d", r.status)
	}
	got := e.do("GET", "/api/v1/offerings/"+id, vol, nil)
	if got.status != 200 || got.json(t)["title"] != "上门助浴服务（周三）" {
		t.Fatalf("read offering: %d %s", got.status, got.body)
	}
	list := e.do("GET", "/api/v1/offerings?mine=true", ngo, nil)
	if list.status != 200 || len(list.json(t)["items"].([]any)) != 1 {
		t.Fatalf("my offerings: %d %s", list.status, list.body)
	}
	if r := e.do("GET", "/api/v1/offerings?item=nope&status=x&place=1", ngo, nil); r.status != 400 || len(r.fields(t)) != 3 {
		t.Fatalf("bad filters: %d %s", r.status, r.body)
	}

	// Disclosure: a volunteer sees the register without contact people and
	// cannot list volunteers; the coordinator sees contacts.
	pv := e.do("GET", "/api/v1/providers/"+ngoID, vol, nil)
	if pv.status != 200 || strings.Contains(string(pv.body), "13800001111") {
		t.Fatalf("volunteer reads provider: %d %s", pv.status, pv.body)
	}
	if r := e.do("GET", "/api/v1/providers?kind=volunteer", vol, nil); r.status != 403 {
		t.Fatalf("volunteer lists volunteers: want 403, got %d", r.status)
	}
	cv := e.do("GET", "/api/v1/providers/"+ngoID, e.login("coordinator").AccessToken, nil)
	if cv.status != 200 || !strings.Contains(string(cv.body), "13800001111") {
		t.Fatalf("coordinator reads provider: %d %s", cv.status, cv.body)
	}

	// The NGO edits its contacts but not its verification.
	prov := cv.json(t)
	prov["contact_phone"] = "13900002222"
	if r := e.do("PUT", "/api/v1/providers/"+ngoID, ngo, prov); r.status != 200 {
		t.Fatalf("ngo edits itself: %d %s", r.status, r.body)
	}
	prov["version"], prov["verification"] = 2, "suspended"
	if r := e.do("PUT", "/api/v1/providers/"+ngoID, ngo, prov); r.status != 403 {
		t.Fatalf("ngo suspends itself: want 403, got %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/providers/"+ngoID, admin, prov); r.status != 200 || r.json(t)["verification"] != "suspended" {
		t.Fatalf("admin suspends: %d %s", r.status, r.body)
	}
	prov["version"], prov["verification"] = 3, "pending"
	if r := e.do("PUT", "/api/v1/providers/"+ngoID, admin, prov); r.status != 400 || !slices.Contains(r.fields(t), "verification") {
		t.Fatalf("suspended → pending: %d %s", r.status, r.body)
	}
	// Suspended organisations leave the public register and publish nothing new.
	if r := e.do("GET", "/api/v1/providers/"+ngoID, vol, nil); r.status != 404 {
		t.Fatalf("volunteer reads a suspended provider: want 404, got %d", r.status)
	}
	if r := e.do("POST", "/api/v1/offerings", e.login("ngo1").AccessToken, offeringBody("bathing", "上门助浴")); r.status != 403 {
		t.Fatalf("suspended provider publishes: want 403, got %d %s", r.status, r.body)
	}
}

// TestJobs: enterprises post openings for themselves; NGOs cannot.
func TestJobs(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	entID := e.newProvider(admin, "enterprise", "91610103MA0000001", "ent1")
	e.newProvider(admin, "ngo", "51610103MJ0000003", "ngo1")
	job := map[string]any{"title": "社区保洁员", "kind_of_work": "保洁", "item": "job_placement",
		"requirements": map[string]any{"physical": "light", "hours_per_week": 20, "skills": []string{"细心"}},
		"wage_min_fen": 200000, "wage_max_fen": 260000, "place": "610103002000", "openings": 3}
	ent := e.login("ent1").AccessToken
	r := e.do("POST", "/api/v1/jobs", ent, job)
	if r.status != 201 || r.json(t)["enterprise_id"] != entID || r.json(t)["status"] != "open" {
		t.Fatalf("create job: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	if r := e.do("POST", "/api/v1/jobs", e.login("ngo1").AccessToken, job); r.status != 403 {
		t.Fatalf("ngo posts a job: want 403, got %d", r.status)
	}
	job["wage_max_fen"], job["version"] = 100, 1
	if r := e.do("PUT", "/api/v1/jobs/"+id, ent, job); r.status != 400 || !slices.Contains(r.fields(t), "wage_max_fen") {
		t.Fatalf("bad wage: %d %s", r.status, r.body)
	}
	job["wage_max_fen"], job["status"] = 280000, "filled"
	if r := e.do("PUT", "/api/v1/jobs/"+id, ent, job); r.status != 200 || r.json(t)["status"] != "filled" {
		t.Fatalf("update job: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/jobs?status=filled", e.login("volunteer1").AccessToken, nil); r.status != 200 || len(r.json(t)["items"].([]any)) != 1 {
		t.Fatalf("list jobs: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/jobs?item=bathing", e.login("volunteer1").AccessToken, nil); r.status != 200 || len(r.json(t)["items"].([]any)) != 0 {
		t.Fatalf("jobs by another item: %d %s", r.status, r.body)
	}
}
