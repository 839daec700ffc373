package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/auth"
	"lianzhu/domain"
	"lianzhu/store"
)

// UserStore is what the auth endpoints need from the store.
type UserStore interface {
	UserByUsername(ctx context.Context, username string) (domain.User, error)
	UserByID(ctx context.Context, id string) (domain.User, error)
	CreateRefreshToken(ctx context.Context, t store.RefreshToken) error
	UseRefreshToken(ctx context.Context, hash string) (store.RefreshToken, error)
	RefreshTokenByHash(ctx context.Context, hash string) (store.RefreshToken, error)
	RevokeRefreshFamily(ctx context.Context, family string) error
}

type authHandlers struct {
	users      UserStore
	tokens     *auth.Tokens
	limiter    *auth.LoginLimiter
	refreshTTL time.Duration
	now        func() time.Time
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// UserResponse is the public view of an account.
type UserResponse struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	Role       string `json:"role"`
	Place      string `json:"place"`
	ProviderID string `json:"provider_id"`
}

// TokenResponse answers login and refresh.
type TokenResponse struct {
	AccessToken  string       `json:"access_token"`
	RefreshToken string       `json:"refresh_token"`
	ExpiresIn    int          `json:"expires_in"`
	User         UserResponse `json:"user"`
}

func userResponse(u domain.User) UserResponse {
	return UserResponse{ID: u.ID, Username: u.Username, Role: string(u.Role), Place: u.Place, ProviderID: u.ProviderID}
}

var errBadCredentials = domain.Errorf(domain.EUNAUTHORIZED, "用户名或密码错误 / wrong username or password")

// login checks a password and answers a token pair. A wrong password and an
// unknown user get the same answer and cost the same time.
func (h *authHandlers) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	req.Username = strings.TrimSpace(req.Username)
	var p domain.Problems
	if req.Username == "" {
		p.Add("username", "required", "请输入用户名 / username is required")
	}
	if req.Password == "" {
		p.Add("password", "required", "请输入密码 / password is required")
	}
	if err := p.Err(); err != nil {
		return err
	}
	ip := c.IP()
	if wait := h.limiter.Allow(req.Username, ip); wait > 0 {
		secs := auth.RetryAfterSeconds(wait)
		e := domain.Errorf(domain.ETOOMANY, "登录失败次数过多，请 %d 秒后再试 / too many failed logins, retry in %d s", secs, secs)
		e.RetryAfter = secs
		return e
	}
	ctx := c.UserContext()
	u, err := h.users.UserByUsername(ctx, req.Username)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return err
	}
	hash := u.PasswordHash
	if err != nil || u.Disabled {
		hash = ""
	}
	if !auth.CheckPassword(hash, req.Password) {
		h.limiter.Fail(req.Username, ip)
		return errBadCredentials
	}
	h.limiter.Succeed(req.Username, ip)
	return h.issue(c, u, auth.RandomToken(16))
}

// refresh rotates a refresh token: the old one is spent, a new pair comes
// back in the same family. A reused token revokes the family.
func (h *authHandlers) refresh(c *fiber.Ctx) error {
	var req refreshRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return domain.Invalid("refresh_token", "required", "缺少 refresh_token / refresh_token is required")
	}
	ctx := c.UserContext()
	rt, err := h.users.UseRefreshToken(ctx, auth.HashRefreshToken(req.RefreshToken))
	if err != nil {
		return err
	}
	u, err := h.users.UserByID(ctx, rt.UserID)
	if err != nil || u.Disabled {
		if rerr := h.users.RevokeRefreshFamily(ctx, rt.Family); rerr != nil {
			return rerr
		}
		return domain.Errorf(domain.EUNAUTHORIZED, "账号不可用 / account not available")
	}
	return h.issue(c, u, rt.Family)
}

func (h *authHandlers) issue(c *fiber.Ctx, u domain.User, family string) error {
	access, err := h.tokens.Issue(u)
	if err != nil {
		return err
	}
	refresh := auth.RandomToken(32)
	err = h.users.CreateRefreshToken(c.UserContext(), store.RefreshToken{
		Hash: auth.HashRefreshToken(refresh), Family: family, UserID: u.ID, ExpiresAt: h.now().Add(h.refreshTTL),
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(TokenResponse{
		AccessToken: access, RefreshToken: refresh, ExpiresIn: int(h.tokens.AccessTTL().Seconds()), User: userResponse(u),
	})
}

// logout revokes the refresh token's family. Holding the refresh token is
// enough: a user whose access token expired can still sign out.
func (h *authHandlers) logout(c *fiber.Ctx) error {
	var req refreshRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return domain.Invalid("refresh_token", "required", "缺少 refresh_token / refresh_token is required")
	}
	ctx := c.UserContext()
	rt, err := h.users.RefreshTokenByHash(ctx, auth.HashRefreshToken(req.RefreshToken))
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return c.SendStatus(fiber.StatusNoContent) // already gone: logging out twice is fine
	case err != nil:
		return err
	}
	if err := h.users.RevokeRefreshFamily(ctx, rt.Family); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// me answers the caller's account.
func (h *authHandlers) me(c *fiber.Ctx) error {
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	u, err := h.users.UserByID(c.UserContext(), p.UserID)
	if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && u.Disabled {
		return domain.Errorf(domain.EUNAUTHORIZED, "账号不可用 / account not available")
	}
	if err != nil {
		return err
	}
	return c.JSON(userResponse(u))
}
