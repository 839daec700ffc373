// Package auth issues and verifies tokens, hashes passwords and limits failed
// logins. Role and place checks live on domain.Principal so every layer
// shares one rule.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"lianzhu/domain"
)

// Issuer is the "iss" of every access token.
const Issuer = "lianzhu"

// DefaultAccessTTL is the lifetime of an access token: short, because a
// refresh token renews it and a disabled account must lose access soon.
const DefaultAccessTTL = 15 * time.Minute

// DefaultRefreshTTL is the lifetime of a refresh token family member.
const DefaultRefreshTTL = 7 * 24 * time.Hour

// Tokens signs and verifies HS256 access tokens.
type Tokens struct {
	secret    []byte
	accessTTL time.Duration
	now       func() time.Time
}

// NewTokens returns a signer with the given secret (at least 32 bytes),
// access-token lifetime and clock.
func NewTokens(secret []byte, accessTTL time.Duration, now func() time.Time) (*Tokens, error) {
	if len(secret) < 32 {
		return nil, errors.New("auth: JWT secret must be at least 32 bytes")
	}
	if accessTTL <= 0 {
		accessTTL = DefaultAccessTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Tokens{secret: secret, accessTTL: accessTTL, now: now}, nil
}

// AccessTTL is the lifetime of the access tokens this signer issues.
func (t *Tokens) AccessTTL() time.Duration { return t.accessTTL }

type claims struct {
	Username   string `json:"usr"`
	Role       string `json:"role"`
	Place      string `json:"place,omitempty"`
	ProviderID string `json:"pid,omitempty"`
	jwt.RegisteredClaims
}

// Issue signs an access token for the user.
func (t *Tokens) Issue(u domain.User) (string, error) {
	now := t.now()
	c := claims{
		Username:   u.Username,
		Role:       string(u.Role),
		Place:      u.Place,
		ProviderID: u.ProviderID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.accessTTL)),
			ID:        RandomToken(12),
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	if err != nil {
		return "", fmt.Errorf("auth: sign token: %w", err)
	}
	return s, nil
}

// Verify checks the signature (HS256 only: "none" and other algorithms are
// refused), the issuer and the expiry, and returns the caller. Any failure is
// EUNAUTHORIZED.
func (t *Tokens) Verify(token string) (domain.Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil {
		msg := "登录已失效，请重新登录 / invalid token"
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "登录已过期，请重新登录 / token expired"
		}
		return domain.Principal{}, domain.Errorf(domain.EUNAUTHORIZED, "%s", msg)
	}
	role := domain.Role(c.Role)
	if c.Subject == "" || !role.Valid() {
		return domain.Principal{}, domain.Errorf(domain.EUNAUTHORIZED, "登录已失效，请重新登录 / invalid token")
	}
	return domain.Principal{UserID: c.Subject, Username: c.Username, Role: role, Place: c.Place, ProviderID: c.ProviderID}, nil
}

// RandomToken returns n random bytes, base64url-encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on Linux; if it does, nothing is safe.
		panic("auth: crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashRefreshToken is how refresh tokens are stored: a stolen database gives
// no usable token.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
