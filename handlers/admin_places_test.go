package handlers

import (
	"slices"
	"testing"
)

// TestPlaceAdmin adds and edits places as the admin: the level and parent
// follow from the code, the parent must exist, and only admins write.
func TestPlaceAdmin(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	coord := e.login("coordinator").AccessToken

	community := map[string]any{"code": "610103002010", "name": "新社区", "lat": 34.25, "lng": 108.95}
	if r := e.do("POST", "/api/v1/places", coord, community); r.status != 403 {
		t.Fatalf("coordinator adds a place: %d", r.status)
	}
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"malformed code", map[string]any{"code": "61010300201", "name": "x"}, "code"},
		{"wrong level", map[string]any{"code": "610103002010", "name": "x", "level": "street"}, "level"},
		{"wrong parent", map[string]any{"code": "610103002010", "name": "x", "parent": "610103003000"}, "parent"},
		{"missing parent", map[string]any{"code": "610103009001", "name": "x"}, "parent"},
		{"no name", map[string]any{"code": "610103002010"}, "name"},
		{"sentinel on a community", map[string]any{"code": "610103002010", "name": "x", "sentinel": true}, "sentinel"},
		{"latitude out of range", map[string]any{"code": "610103002010", "name": "x", "lat": 95, "lng": 108.9}, "lat"},
		{"longitude out of range", map[string]any{"code": "610103002010", "name": "x", "lat": 34.2, "lng": 200}, "lng"},
	} {
		if r := e.do("POST", "/api/v1/places", admin, c.body); r.status != 400 || !slices.Contains(r.fields(t), c.field) {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
	r := e.do("POST", "/api/v1/places", admin, community)
	if r.status != 201 || r.json(t)["level"] != "community" || r.json(t)["parent"] != "610103002000" {
		t.Fatalf("add community: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/places", admin, community); r.status != 409 {
		t.Fatalf("duplicate place: %d", r.status)
	}
	// The new community is usable at once, e.g. for a coordinator account.
	acct := map[string]any{"username": "c.new", "role": "coordinator", "place": "610103002010", "password": testPassword}
	if r := e.do("POST", "/api/v1/users", admin, acct); r.status != 201 {
		t.Fatalf("account in the new community: %d %s", r.status, r.body)
	}
	compound := map[string]any{"code": "610103002010001", "name": "新社区1号院", "sentinel": true}
	if r := e.do("POST", "/api/v1/places", admin, compound); r.status != 201 {
		t.Fatalf("add compound: %d %s", r.status, r.body)
	}

	rename := map[string]any{"name": "新建社区", "lat": 34.251, "lng": 108.951}
	if r := e.do("PUT", "/api/v1/places/610103002010", admin, rename); r.status != 200 || r.json(t)["name"] != "新建社区" {
		t.Fatalf("rename: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/places/610103002010", admin, map[string]any{"name": "x", "parent": "610103003000"}); r.status != 400 || !slices.Contains(r.fields(t), "parent") {
		t.Fatalf("move a place: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/places/610103002099", admin, rename); r.status != 404 {
		t.Fatalf("unknown place: %d", r.status)
	}
	r = e.do("GET", "/api/v1/places?within=610103002010", coord, nil)
	items := r.json(t)["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["name"] != "新建社区" {
		t.Fatalf("places within the new community: %s", r.body)
	}
}
