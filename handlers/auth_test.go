package handlers

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"lianzhu/auth"
)

func TestLoginWireFormat(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "coordinator", "password": testPassword})
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	m := r.json(t)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "access_token,expires_in,refresh_token,user" {
		t.Fatalf("login keys = %v", keys)
	}
	if m["expires_in"].(float64) != 900 {
		t.Fatalf("expires_in = %v, want 900 seconds", m["expires_in"])
	}
	user := m["user"].(map[string]any)
	for _, k := range []string{"id", "username", "role", "place", "provider_id"} {
		if _, ok := user[k]; !ok {
			t.Fatalf("user lacks %q: %v", k, user)
		}
	}
	if user["role"] != "coordinator" || user["place"] != "610103000000" {
		t.Fatalf("user = %v", user)
	}
	me := e.do("GET", "/api/v1/me", m["access_token"].(string), nil)
	if me.status != 200 || me.json(t)["username"] != "coordinator" {
		t.Fatalf("/me = %d %s", me.status, me.body)
	}
}

func TestWrongPasswordDoesNotRevealUsers(t *testing.T) {
	e := newEnv(t)
	wrong := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "coordinator", "password": "not the password"})
	unknown := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody-here", "password": "not the password"})
	for _, r := range []response{wrong, unknown} {
		if r.status != 401 || r.errorCode(t) != "unauthorized" {
			t.Fatalf("want 401 unauthorized, got %d %s", r.status, r.body)
		}
	}
	msg := func(r response) any { return r.json(t)["error"].(map[string]any)["message"] }
	if msg(wrong) != msg(unknown) {
		t.Fatalf("messages differ: %v vs %v", msg(wrong), msg(unknown))
	}
}

func TestLoginRateLimited(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 5; i++ {
		r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "guess number " + strconv.Itoa(i)})
		if r.status != 401 {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": testPassword})
	if r.status != 429 || r.errorCode(t) != "too_many_requests" {
		t.Fatalf("6th attempt: want 429, got %d %s", r.status, r.body)
	}
	if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs <= 0 || secs > 900 {
		t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	// Another account from the same address is still allowed (per user+address).
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "coordinator", "password": testPassword}); r.status != 200 {
		t.Fatalf("other user blocked: %d", r.status)
	}
	e.clock.Add(16 * time.Minute)
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": testPassword}); r.status != 200 {
		t.Fatalf("after the window: %d %s", r.status, r.body)
	}
}

func TestBadRequestBodies(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.BodyLimit = 4096 })
	tests := []struct {
		name   string
		body   any
		ctype  string
		status int
		code   string
		field  string
	}{
		{"malformed JSON", `{"username":`, "", 400, "invalid", "body"},
		{"not an object", `[1,2]`, "", 400, "invalid", "body"},
		{"wrong type", `{"username":5,"password":"x"}`, "", 400, "invalid", "username"},
		{"unknown field", `{"username":"a","password":"b","admin":true}`, "", 400, "invalid", "admin"},
		{"missing fields", `{}`, "", 400, "invalid", "username"},
		{"empty body", ``, "", 400, "invalid", "body"},
		{"two objects", `{"username":"a","password":"b"}{}`, "", 400, "invalid", "body"},
		{"wrong content type", `username=a`, "application/x-www-form-urlencoded", 415, "unsupported_media", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var headers []string
			if tt.ctype != "" {
				headers = []string{"Content-Type", tt.ctype}
			}
			r := e.do("POST", "/api/v1/auth/login", "", tt.body.(string), headers...)
			if r.status != tt.status || r.errorCode(t) != tt.code {
				t.Fatalf("want %d %s, got %d %s", tt.status, tt.code, r.status, r.body)
			}
			if tt.field != "" {
				if f := r.fields(t); len(f) == 0 || f[0] != tt.field {
					t.Fatalf("fields = %v, want %s first", f, tt.field)
				}
			}
		})
	}
}

func TestOversizedBody(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.BodyLimit = 4096 })
	base := e.serveReal()
	body := `{"username":"` + strings.Repeat("x", 8000) + `","password":"p"}`
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, body: b}
	if r.status != 413 || r.errorCode(t) != "too_large" {
		t.Fatalf("want 413 too_large, got %d %s", r.status, b)
	}
}

func TestTokensRejected(t *testing.T) {
	e := newEnv(t)
	tr := e.login("coordinator")
	parts := strings.Split(tr.AccessToken, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	var claims map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	_ = json.Unmarshal(raw, &claims)
	claims["role"] = "admin"
	raw, _ = json.Marshal(claims)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
	for name, tok := range map[string]string{"alg none": none, "tampered claims": tampered, "garbage": "abc", "missing": ""} {
		t.Run(name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/me", tok, nil)
			if r.status != 401 || r.errorCode(t) != "unauthorized" {
				t.Fatalf("want 401, got %d %s", r.status, r.body)
			}
			if r.header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		e.clock.Add(auth.DefaultAccessTTL + time.Second)
		r := e.do("GET", "/api/v1/me", tr.AccessToken, nil)
		if r.status != 401 || r.errorCode(t) != "unauthorized" {
			t.Fatalf("want 401 for an expired token, got %d %s", r.status, r.body)
		}
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	e := newEnv(t)
	first := e.login("admin")
	r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken})
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	var second TokenResponse
	_ = json.Unmarshal(r.body, &second)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == "" || second.User.Username != "admin" {
		t.Fatalf("refresh must rotate: %+v", second)
	}
	// Replaying the spent token is refused and revokes the family...
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken}); r.status != 401 {
		t.Fatalf("reuse: want 401, got %d", r.status)
	}
	// ...so the thief's and the user's newer token both stop working.
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken}); r.status != 401 {
		t.Fatalf("family not revoked: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{}); r.status != 400 || r.fields(t)[0] != "refresh_token" {
		t.Fatalf("missing token: %d %s", r.status, r.body)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	tr := e.login("coordinator")
	if r := e.do("POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": tr.RefreshToken}); r.status != 204 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tr.RefreshToken}); r.status != 401 {
		t.Fatalf("refresh after logout: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": tr.RefreshToken}); r.status != 204 {
		t.Fatalf("second logout: %d", r.status)
	}
}

func TestDisabledDemoAccountsCannotSignIn(t *testing.T) {
	e := newEnv(t)
	tr := e.login("coordinator")
	if _, err := e.db.DisableDemoUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "coordinator", "password": testPassword}); r.status != 401 {
		t.Fatalf("disabled login: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tr.RefreshToken}); r.status != 401 {
		t.Fatalf("disabled refresh: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/me", tr.AccessToken, nil); r.status != 401 {
		t.Fatalf("disabled /me: %d", r.status)
	}
}
