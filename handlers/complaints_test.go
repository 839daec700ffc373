package handlers

import (
	"slices"
	"testing"

	"lianzhu/domain"
)

// TestComplaints files complaints for a resident and for a coordinator,
// lists them by scope and role (a provider sees the complaints about it
// without who filed them or their words), walks the guarded transitions
// (illegal moves are 409 and change nothing) and shows an upheld complaint
// turning the provider's light yellow with the reason recorded.
func TestComplaints(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	street := e.login("coordinator.610103002").AccessToken
	community := e.login("coordinator.610103002001").AccessToken
	other := e.login("coordinator.610103003").AccessToken
	provID := e.newProvider(admin, "ngo", "51610103MJ0000001", "ngo1")
	otherProv := e.newProvider(admin, "ngo", "51610103MJ0000002", "ngo2")
	ngo, ngo2 := e.login("ngo1").AccessToken, e.login("ngo2").AccessToken

	hid := e.householdWithIncome(community, "610103002001001", "61990119500101002", 50000, false)
	farHid := e.householdWithIncome(other, "610103003001001", "61990119520202003", 50000, false)
	complaint := map[string]any{"provider_id": provID, "household_id": hid, "category": "no_show", "text": "约好周三上门助浴，没来也没通知"}

	if r := e.do("POST", "/api/v1/complaints", ngo, complaint); r.status != 403 {
		t.Fatalf("provider files a complaint: %d", r.status)
	}
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no category", map[string]any{"provider_id": provID, "text": "x"}, "category"},
		{"no text", map[string]any{"provider_id": provID, "category": "late"}, "text"},
		{"unknown provider", map[string]any{"provider_id": "nope", "category": "late", "text": "x"}, "provider_id"},
		{"household of another street", map[string]any{"provider_id": provID, "household_id": farHid, "category": "late", "text": "x"}, "household_id"},
		{"resident without household", map[string]any{"provider_id": provID, "source": "resident", "category": "late", "text": "x"}, "household_id"},
	} {
		if r := e.do("POST", "/api/v1/complaints", community, c.body); r.status != 400 || !slices.Contains(r.fields(t), c.field) {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
	if r := e.do("POST", "/api/v1/complaints", community, map[string]any{"provider_id": provID, "category": "late", "text": "x",
		"place": "610103003000"}); r.status != 403 {
		t.Fatalf("complaint filed for another place: %d", r.status)
	}
	r := e.do("POST", "/api/v1/complaints", community, complaint)
	if r.status != 201 {
		t.Fatalf("resident complaint: %d %s", r.status, r.body)
	}
	resident := r.json(t)
	if resident["source"] != "resident" || resident["place"] != "610103002001001" || resident["state"] != "open" || resident["filed_by"] != "coordinator.610103002001" {
		t.Fatalf("resident complaint: %s", r.body)
	}
	cid := resident["id"].(string)
	r = e.do("POST", "/api/v1/complaints", street, map[string]any{"provider_id": provID, "category": "charges", "text": "额外收取上门费"})
	if r.status != 201 || r.json(t)["source"] != "coordinator" || r.json(t)["place"] != "610103002000" {
		t.Fatalf("coordinator complaint: %d %s", r.status, r.body)
	}

	// Lists by scope and role.
	count := func(token, query string) (int, []map[string]any) {
		t.Helper()
		r := e.do("GET", "/api/v1/complaints"+query, token, nil)
		if r.status != 200 {
			t.Fatalf("list %s: %d %s", query, r.status, r.body)
		}
		var items []map[string]any
		for _, x := range r.json(t)["items"].([]any) {
			items = append(items, x.(map[string]any))
		}
		return len(items), items
	}
	if n, _ := count(community, ""); n != 1 {
		t.Errorf("community sees %d complaints, want 1", n)
	}
	if n, _ := count(street, "?state=open&provider="+provID); n != 2 {
		t.Errorf("street sees %d complaints, want 2", n)
	}
	if n, _ := count(other, ""); n != 0 {
		t.Errorf("another street sees %d complaints", n)
	}
	if r := e.do("GET", "/api/v1/complaints?place=610103002000", other, nil); r.status != 403 {
		t.Errorf("another street asks for this street: %d", r.status)
	}
	n, items := count(ngo, "")
	if n != 2 || items[0]["text"] != nil || items[0]["household_id"] != nil || items[0]["filed_by"] != nil || items[0]["category"] == nil {
		t.Errorf("provider's view: %v", items)
	}
	if r := e.do("GET", "/api/v1/complaints?provider="+otherProv, ngo, nil); r.status != 403 {
		t.Errorf("provider lists another provider's complaints: %d", r.status)
	}
	if n, _ := count(ngo2, ""); n != 0 {
		t.Errorf("another provider sees %d complaints", n)
	}
	if n, items := count(admin, ""); n != 2 || items[0]["household_id"] != nil || items[0]["text"] == nil {
		t.Errorf("admin's view: %v", items)
	}
	if r := e.do("GET", "/api/v1/complaints/"+cid, ngo2, nil); r.status != 404 {
		t.Errorf("another provider reads the complaint: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/complaints?state=bogus", street, nil); r.status != 400 || !slices.Contains(r.fields(t), "state") {
		t.Errorf("bad state filter: %d %s", r.status, r.body)
	}

	// Guarded transitions.
	move := func(token, action string, body any) response {
		t.Helper()
		return e.do("POST", "/api/v1/complaints/"+cid+"/"+action, token, body)
	}
	if r := move(street, "uphold", map[string]string{"finding": "x"}); r.status != 409 {
		t.Fatalf("uphold an open complaint: want 409, got %d %s", r.status, r.body)
	}
	if r := move(other, "review", nil); r.status != 404 {
		t.Fatalf("another street reviews: %d", r.status)
	}
	if r := move(ngo, "review", nil); r.status != 403 {
		t.Fatalf("provider reviews: %d", r.status)
	}
	if r := move(community, "review", map[string]string{"finding": "已电话核实双方"}); r.status != 200 || r.json(t)["state"] != "reviewed" {
		t.Fatalf("review: %d %s", r.status, r.body)
	}
	if r := move(community, "review", nil); r.status != 409 {
		t.Fatalf("review twice: %d", r.status)
	}
	if r := move(street, "uphold", nil); r.status != 400 || !slices.Contains(r.fields(t), "finding") {
		t.Fatalf("uphold without a finding: %d %s", r.status, r.body)
	}
	r = move(street, "uphold", map[string]string{"finding": "服务方承认未按约上门"})
	if r.status != 200 {
		t.Fatalf("uphold: %d %s", r.status, r.body)
	}
	upheld := r.json(t)
	light, _ := upheld["light"].(map[string]any)
	if upheld["state"] != "upheld" || light == nil || light["light"] != "yellow" {
		t.Fatalf("upheld complaint: %s", r.body)
	}
	if r := move(street, "dismiss", map[string]string{"finding": "x"}); r.status != 409 {
		t.Fatalf("dismiss an upheld complaint: %d", r.status)
	}
	got, _ := e.db.Complaint(t.Context(), cid)
	if got.State != domain.ComplaintUpheld || len(got.History) != 3 || got.History[2].Note != "服务方承认未按约上门" {
		t.Fatalf("stored complaint: %+v", got)
	}

	// The provider's light: yellow, with the change and its reason.
	if p, _ := e.db.Provider(t.Context(), provID); p.TrafficLight != domain.LightYellow {
		t.Fatalf("provider light: %s", p.TrafficLight)
	}
	r = e.do("GET", "/api/v1/providers/"+provID+"/light", ngo, nil)
	if r.status != 200 {
		t.Fatalf("own light: %d %s", r.status, r.body)
	}
	lr := r.json(t)
	changes := lr["changes"].([]any)
	if lr["light"] != "yellow" || len(changes) != 1 {
		t.Fatalf("light: %s", r.body)
	}
	ch := changes[0].(map[string]any)
	reason := ch["reasons"].([]any)[0].(map[string]any)
	if ch["from"] != "green" || ch["to"] != "yellow" || reason["code"] != "complaints" || reason["zh"] == "" {
		t.Fatalf("change: %v", ch)
	}
	if r := e.do("GET", "/api/v1/providers/"+provID+"/light", ngo2, nil); r.status != 403 {
		t.Fatalf("another provider's light: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/providers/"+provID+"/light", other, nil); r.status != 200 {
		t.Fatalf("coordinator reads a light: %d", r.status)
	}
	if pending, _ := e.db.PendingLightComplaints(t.Context()); len(pending) != 0 {
		t.Fatalf("complaint still flagged for the light: %+v", pending)
	}
}
