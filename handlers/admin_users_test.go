package handlers

import (
	"slices"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"lianzhu/auth"
)

// cheapHash is auth.HashPassword at bcrypt's lowest cost: cost 12 under
// -race costs seconds per password.
func cheapHash(password string) (string, error) {
	if err := auth.ValidatePassword(password); err != nil {
		return "", err
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	return string(b), err
}

// TestAccountAdmin walks account administration: the admin creates accounts
// of any role (validated against the place tree and the provider register),
// a street coordinator creates and disables coordinators of its communities
// only, disabling and role changes end sessions, password resets return a
// generated password once, and an account changes its own password with the
// old one.
func TestAccountAdmin(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	street := e.login("coordinator.610103002").AccessToken
	community := e.login("coordinator.610103002001").AccessToken
	ngoID := e.newProvider(admin, "ngo", "51610103MJ0000001", "ngo1")

	// Validation: field errors name the fields.
	bad := map[string]any{"username": "Bad Name", "role": "coordinator", "place": "999999999999", "password": "short"}
	r := e.do("POST", "/api/v1/users", admin, bad)
	if r.status != 400 || !slices.Contains(r.fields(t), "username") || !slices.Contains(r.fields(t), "place") {
		t.Fatalf("bad account: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/api/v1/users", admin, map[string]any{"username": "ngo.x", "role": "enterprise", "provider_id": ngoID})
	if r.status != 400 || !slices.Contains(r.fields(t), "provider_id") {
		t.Fatalf("enterprise bound to an NGO: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/api/v1/users", admin, map[string]any{"username": "ngo.y", "role": "ngo", "provider_id": "nope"})
	if r.status != 400 || !slices.Contains(r.fields(t), "provider_id") {
		t.Fatalf("unknown provider: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/api/v1/users", admin, map[string]any{"username": "p.short", "role": "volunteer", "password": "short"})
	if r.status != 400 || !slices.Contains(r.fields(t), "password") {
		t.Fatalf("short password: %d %s", r.status, r.body)
	}

	// The admin creates an NGO account with a generated password.
	r = e.do("POST", "/api/v1/users", admin, map[string]any{"username": "ngo.staff", "role": "ngo", "provider_id": ngoID})
	if r.status != 201 {
		t.Fatalf("create ngo account: %d %s", r.status, r.body)
	}
	created := r.json(t)
	pw, _ := created["password"].(string)
	if pw == "" || created["provider_id"] != ngoID {
		t.Fatalf("generated password not answered: %s", r.body)
	}
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ngo.staff", "password": pw}); r.status != 200 {
		t.Fatalf("login with the generated password: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/users", admin, map[string]any{"username": "ngo.staff", "role": "volunteer"}); r.status != 409 || !slices.Contains(r.fields(t), "username") {
		t.Fatalf("taken username: %d %s", r.status, r.body)
	}

	// Coordinators: only coordinators strictly below their own place.
	for _, c := range []struct {
		name, token string
		body        map[string]any
		want        int
	}{
		{"street → community coordinator", street, map[string]any{"username": "c.001.b", "role": "coordinator", "place": "610103002001", "password": testPassword}, 201},
		{"street → own place", street, map[string]any{"username": "c.002.b", "role": "coordinator", "place": "610103002000", "password": testPassword}, 403},
		{"street → other street", street, map[string]any{"username": "c.003.b", "role": "coordinator", "place": "610103003001", "password": testPassword}, 403},
		{"street → admin", street, map[string]any{"username": "c.admin", "role": "admin", "password": testPassword}, 403},
		{"community → anything", community, map[string]any{"username": "c.x", "role": "volunteer", "password": testPassword}, 403},
		{"ngo → anything", e.login("ngo1").AccessToken, map[string]any{"username": "c.y", "role": "volunteer", "password": testPassword}, 403},
	} {
		if r := e.do("POST", "/api/v1/users", c.token, c.body); r.status != c.want {
			t.Errorf("%s: want %d, got %d %s", c.name, c.want, r.status, r.body)
		}
	}
	newCoord := e.login("c.001.b")
	id := newCoord.User.ID

	// Disabling ends the sessions: the refresh token stops working.
	if r := e.do("PUT", "/api/v1/users/"+id, community, map[string]any{"disabled": true}); r.status != 403 {
		t.Fatalf("community coordinator disables a peer: %d", r.status)
	}
	if r := e.do("PUT", "/api/v1/users/"+id, street, map[string]any{"place": "610103003001"}); r.status != 403 {
		t.Fatalf("street coordinator moves an account out of its street: %d", r.status)
	}
	if r := e.do("PUT", "/api/v1/users/"+id, street, map[string]any{"disabled": true}); r.status != 200 || r.json(t)["disabled"] != true {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": newCoord.RefreshToken}); r.status != 401 {
		t.Fatalf("refresh after disabling: want 401, got %d", r.status)
	}
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "c.001.b", "password": testPassword}); r.status != 401 {
		t.Fatalf("login while disabled: %d", r.status)
	}
	if r := e.do("PUT", "/api/v1/users/"+id, admin, map[string]any{"disabled": false, "place": "610103002002"}); r.status != 200 {
		t.Fatalf("admin re-enables and moves: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/users/"+id, admin, map[string]any{"role": "ngo"}); r.status != 400 || !slices.Contains(r.fields(t), "provider_id") {
		t.Fatalf("ngo role without a provider: %d %s", r.status, r.body)
	}
	adminID := e.login("admin").User.ID
	if r := e.do("PUT", "/api/v1/users/"+adminID, admin, map[string]any{"disabled": true}); r.status != 400 {
		t.Fatalf("admin disables itself: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/users/nope", admin, map[string]any{"disabled": true}); r.status != 404 {
		t.Fatalf("unknown account: %d", r.status)
	}

	// Password reset: generated once, sessions revoked.
	session := e.login("c.001.b")
	r = e.do("POST", "/api/v1/users/"+id+"/reset-password", street, nil)
	if r.status != 200 {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	reset := r.json(t)
	if reset["generated"] != true || reset["password"] == "" || reset["sessions_revoked"].(float64) < 1 {
		t.Fatalf("reset answer: %s", r.body)
	}
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": session.RefreshToken}); r.status != 401 {
		t.Fatalf("refresh after reset: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/users/"+id+"/reset-password", admin, map[string]string{"password": "short"}); r.status != 400 || !slices.Contains(r.fields(t), "password") {
		t.Fatalf("short reset password: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/users/"+adminID+"/reset-password", street, nil); r.status != 403 {
		t.Fatalf("coordinator resets the admin: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/users/"+id+"/reset-password", admin, map[string]string{"password": testPassword}); r.status != 200 || r.json(t)["password"] != nil {
		t.Fatalf("reset to a given password: %d %s", r.status, r.body)
	}

	// Own password: the old one is required and checked.
	own := e.login("c.001.b")
	for _, c := range []struct {
		body  map[string]string
		field string
	}{
		{map[string]string{"old_password": "wrong password!", "new_password": "a new password 1"}, "old_password"},
		{map[string]string{"old_password": testPassword, "new_password": "short"}, "new_password"},
		{map[string]string{"old_password": testPassword, "new_password": testPassword}, "new_password"},
	} {
		if r := e.do("POST", "/api/v1/me/password", own.AccessToken, c.body); r.status != 400 || !slices.Contains(r.fields(t), c.field) {
			t.Errorf("change own password %v: %d %s", c.body, r.status, r.body)
		}
	}
	if r := e.do("POST", "/api/v1/me/password", own.AccessToken, map[string]string{"old_password": testPassword, "new_password": "a new password 1"}); r.status != 204 {
		t.Fatalf("change own password: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": own.RefreshToken}); r.status != 401 {
		t.Fatalf("refresh after changing the password: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "c.001.b", "password": "a new password 1"}); r.status != 200 {
		t.Fatalf("login with the new password: %d", r.status)
	}
}
