package handlers

import (
	"strings"
	"testing"

	"lianzhu/domain"
)

// TestNeedDisclosure files a need and reads it as every role: coordinators
// of the place see the resident's words, providers only the neutral note at
// community level, volunteers and admins nothing.
func TestNeedDisclosure(t *testing.T) {
	e := newEnv(t)
	street := e.login("coordinator.610103002").AccessToken
	r := e.do("POST", "/api/v1/households", street, newHousehold(t, "610103002002001", validID(t, "61990119400101002")))
	if r.status != 201 {
		t.Fatalf("household: %d %s", r.status, r.body)
	}
	hid := r.json(t)["id"].(string)
	ngo := domain.User{Username: "ngo1", Role: domain.RoleNGO, ProviderID: "prov-1", PasswordHash: testHash(t)}
	if err := e.db.CreateUser(t.Context(), &ngo); err != nil {
		t.Fatal(err)
	}
	need := map[string]any{"household_id": hid, "member_id": "m1", "item": "bathing",
		"own_words": "我是李一，腿脚不便洗不了澡，电话13912345678", "neutral_note": "老人行动不便，需要上门助浴",
		"urgency": "high", "channel": "home_visit"}
	r = e.do("POST", "/api/v1/needs", street, need)
	if r.status != 201 {
		t.Fatalf("create need: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)

	full := e.do("GET", "/api/v1/needs/"+id, street, nil)
	if full.status != 200 || !strings.Contains(string(full.body), "13912345678") || full.json(t)["household_id"] != hid || full.json(t)["category_name"] != "助浴" {
		t.Fatalf("coordinator view: %d %s", full.status, full.body)
	}
	neutral := e.do("GET", "/api/v1/needs/"+id, e.login("ngo1").AccessToken, nil)
	if neutral.status != 200 {
		t.Fatalf("ngo view: %d %s", neutral.status, neutral.body)
	}
	for _, secret := range []string{"13912345678", "李一", hid, "household_id", "member_id", "own_words", "610103002002001"} {
		if strings.Contains(string(neutral.body), secret) {
			t.Fatalf("provider view discloses %q: %s", secret, neutral.body)
		}
	}
	if neutral.json(t)["place"] != "610103002002" || neutral.json(t)["neutral_note"] == "" {
		t.Fatalf("provider view: %s", neutral.body)
	}
	for name, tok := range map[string]string{"volunteer": e.login("volunteer1").AccessToken, "admin": e.login("admin").AccessToken} {
		if r := e.do("GET", "/api/v1/needs/"+id, tok, nil); r.status != 403 {
			t.Fatalf("%s: want 403, got %d", name, r.status)
		}
	}
	if r := e.do("GET", "/api/v1/needs/"+id, e.login("coordinator.610103003").AccessToken, nil); r.status != 404 {
		t.Fatalf("other street: want 404, got %d", r.status)
	}
	list := e.do("GET", "/api/v1/needs", e.login("ngo1").AccessToken, nil)
	if list.status != 200 || strings.Contains(string(list.body), "13912345678") || len(list.json(t)["items"].([]any)) != 1 {
		t.Fatalf("ngo list: %d %s", list.status, list.body)
	}

	// Closing: with a reason, once.
	if r := e.do("POST", "/api/v1/needs/"+id+"/close", street, map[string]string{"reason": "maybe"}); r.status != 400 || r.fields(t)[0] != "reason" {
		t.Fatalf("bad reason: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/needs/"+id+"/close", street, map[string]string{"reason": "no_longer_needed"}); r.status != 200 || r.json(t)["state"] != "closed" {
		t.Fatalf("close: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/needs/"+id+"/close", street, map[string]string{"reason": "duplicate"}); r.status != 409 {
		t.Fatalf("close twice: want 409, got %d %s", r.status, r.body)
	}
}

func TestNeedValidation(t *testing.T) {
	e := newEnv(t)
	street := e.login("coordinator.610103002").AccessToken
	r := e.do("POST", "/api/v1/households", street, newHousehold(t, "610103002002001", validID(t, "61990119400101002")))
	hid := r.json(t)["id"].(string)
	base := func() map[string]any {
		return map[string]any{"household_id": hid, "member_id": "m1", "item": "meal", "neutral_note": "需要助餐", "urgency": "normal", "channel": "sentinel"}
	}
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		token string
		field string
	}{
		{"unknown item", func(m map[string]any) { m["item"] = "rocket_ride" }, street, "item"},
		{"phone in neutral note", func(m map[string]any) { m["neutral_note"] = "请联系13912345678" }, street, "neutral_note"},
		{"unknown member", func(m map[string]any) { m["member_id"] = "m9" }, street, "member_id"},
		{"bad urgency", func(m map[string]any) { m["urgency"] = "whenever" }, street, "urgency"},
		{"household of another street", func(m map[string]any) {}, e.login("coordinator.610103003").AccessToken, "household_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base()
			tt.edit(m)
			r := e.do("POST", "/api/v1/needs", tt.token, m)
			if r.status != 400 || !strings.Contains(strings.Join(r.fields(t), ","), tt.field) {
				t.Fatalf("want 400 naming %s, got %d %s", tt.field, r.status, r.body)
			}
		})
	}
	cat := e.do("GET", "/api/v1/catalogue", e.login("volunteer1").AccessToken, nil)
	if cat.status != 200 || len(cat.json(t)["items"].([]any)) != 40 {
		t.Fatalf("catalogue: %d", cat.status)
	}
}
