package handlers

import (
	"strings"
	"testing"
)

// TestPlaceScope checks the one authorize helper through a place-scoped
// endpoint: coordinators see their place and below, nothing beside it.
func TestPlaceScope(t *testing.T) {
	e := newEnv(t)
	street := e.login("coordinator.610103002").AccessToken
	district := e.login("coordinator").AccessToken
	admin := e.login("admin").AccessToken
	volunteer := e.login("volunteer1").AccessToken
	tests := []struct {
		name   string
		token  string
		path   string
		status int
	}{
		{"street coordinator, own street", street, "/api/v1/users?place=610103002000", 200},
		{"street coordinator, own community", street, "/api/v1/users?place=610103002001", 200},
		{"street coordinator, default scope", street, "/api/v1/users", 200},
		{"street coordinator, another street", street, "/api/v1/users?place=610103003000", 403},
		{"street coordinator, the district", street, "/api/v1/users?place=610103000000", 403},
		{"district coordinator, any street", district, "/api/v1/users?place=610103003000", 200},
		{"admin, everything", admin, "/api/v1/users", 200},
		{"volunteer", volunteer, "/api/v1/users", 403},
		{"malformed place", district, "/api/v1/users?place=abc", 400},
		{"no token", "", "/api/v1/users", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("GET", tt.path, tt.token, nil)
			if r.status != tt.status {
				t.Fatalf("want %d, got %d %s", tt.status, r.status, r.body)
			}
			if r.status >= 400 {
				want := map[int]string{400: "invalid", 401: "unauthorized", 403: "forbidden"}[r.status]
				if code := r.errorCode(t); code != want {
					t.Fatalf("code %s, want %s", code, want)
				}
			}
		})
	}
	r := e.do("GET", "/api/v1/users", street, nil)
	for _, item := range r.json(t)["items"].([]any) {
		place := item.(map[string]any)["place"].(string)
		if !strings.HasPrefix(place, "610103002") {
			t.Fatalf("street coordinator saw an account of %s", place)
		}
	}
}

func TestPlacesList(t *testing.T) {
	e := newEnv(t)
	tok := e.login("volunteer1").AccessToken
	r := e.do("GET", "/api/v1/places?level=street", tok, nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if n := len(r.json(t)["items"].([]any)); n != 8 {
		t.Fatalf("streets = %d, want 8", n)
	}
	r = e.do("GET", "/api/v1/places?within=610103002000&level=community", tok, nil)
	for _, it := range r.json(t)["items"].([]any) {
		if !strings.HasPrefix(it.(map[string]any)["code"].(string), "610103002") {
			t.Fatalf("within filter leaked %v", it)
		}
	}
	if r := e.do("GET", "/api/v1/places?level=planet", tok, nil); r.status != 400 || r.fields(t)[0] != "level" {
		t.Fatalf("bad level: %d %s", r.status, r.body)
	}
}
