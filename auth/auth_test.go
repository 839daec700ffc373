package auth

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"lianzhu/domain"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func fixedClock(t *time.Time) func() time.Time { return func() time.Time { return *t } }

func TestTokensRoundTripAndExpiry(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	tok, err := NewTokens(secret, time.Minute, fixedClock(&now))
	if err != nil {
		t.Fatal(err)
	}
	u := domain.User{ID: "u1", Username: "coordinator", Role: domain.RoleCoordinator, Place: "610103000000"}
	s, err := tok.Issue(u)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tok.Verify(s)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != "u1" || p.Role != domain.RoleCoordinator || p.Place != "610103000000" {
		t.Fatalf("principal %+v", p)
	}
	now = now.Add(61 * time.Second)
	if _, err := tok.Verify(s); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("expired token: want unauthorized, got %v", err)
	}
}

func TestVerifyRejectsForgedTokens(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	tok, _ := NewTokens(secret, time.Minute, fixedClock(&now))
	good, _ := tok.Issue(domain.User{ID: "u1", Username: "admin", Role: domain.RoleAdmin})
	parts := strings.Split(good, ".")

	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	otherKey, _ := NewTokens([]byte("another-secret-another-secret-xx"), time.Minute, fixedClock(&now))
	foreign, _ := otherKey.Issue(domain.User{ID: "u1", Username: "admin", Role: domain.RoleAdmin})
	wrongIssuer, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "someone", "sub": "u1", "role": "admin", "exp": now.Add(time.Minute).Unix(),
	}).SignedString(secret)
	noExpiry, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": Issuer, "sub": "u1", "role": "admin",
	}).SignedString(secret)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{
		"iss": Issuer, "sub": "u1", "role": "admin", "exp": now.Add(time.Minute).Unix(),
	}).SignedString(secret)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"lianzhu","sub":"u1","role":"admin","exp":9999999999}`)) + "." + parts[2]

	tests := map[string]string{
		"alg none":       noneHeader + "." + parts[1] + ".",
		"other key":      foreign,
		"wrong issuer":   wrongIssuer,
		"no expiry":      noExpiry,
		"other HMAC alg": hs512,
		"tampered body":  tampered,
		"garbage":        "not.a.token",
		"empty":          "",
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := tok.Verify(s); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
				t.Fatalf("want unauthorized, got %v", err)
			}
		})
	}
}

func TestShortSecretRefused(t *testing.T) {
	if _, err := NewTokens([]byte("short"), 0, nil); err == nil {
		t.Fatal("want error for a short secret")
	}
}

func TestPasswords(t *testing.T) {
	if err := ValidatePassword("short"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("short password: %v", err)
	}
	if err := ValidatePassword(strings.Repeat("x", 73)); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("long password: %v", err)
	}
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "wrong horse battery") {
		t.Fatal("CheckPassword wrong")
	}
	if CheckPassword("", "anything at all") {
		t.Fatal("empty hash must never match")
	}
}

func TestLoginLimiter(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	l := NewLoginLimiter(10*time.Minute, 3, 5, fixedClock(&now))
	for i := 0; i < 3; i++ {
		if w := l.Allow("admin", "1.2.3.4"); w != 0 {
			t.Fatalf("attempt %d blocked", i)
		}
		l.Fail("admin", "1.2.3.4")
		now = now.Add(time.Second)
	}
	if w := l.Allow("admin", "1.2.3.4"); w <= 0 || w > 10*time.Minute {
		t.Fatalf("4th attempt: wait %v", w)
	}
	if w := l.Allow("admin", "5.6.7.8"); w != 0 {
		t.Fatal("another address must not be blocked by this one")
	}
	// The address limit catches spraying over many usernames.
	l.Fail("u1", "1.2.3.4")
	l.Fail("u2", "1.2.3.4")
	if w := l.Allow("u3", "1.2.3.4"); w <= 0 {
		t.Fatal("address limit not applied")
	}
	now = now.Add(11 * time.Minute)
	if w := l.Allow("admin", "1.2.3.4"); w != 0 {
		t.Fatalf("window passed, still waiting %v", w)
	}
	if RetryAfterSeconds(1500*time.Millisecond) != 2 || RetryAfterSeconds(0) != 1 {
		t.Fatal("RetryAfterSeconds rounding")
	}
}
