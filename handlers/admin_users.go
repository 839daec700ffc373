package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/auth"
	"lianzhu/domain"
)

// AccountStore is what account administration needs.
type AccountStore interface {
	UserByID(ctx context.Context, id string) (domain.User, error)
	CreateUser(ctx context.Context, u *domain.User) error
	UpdateUser(ctx context.Context, u *domain.User, expectedUpdatedAt time.Time) error
	SetPassword(ctx context.Context, userID, hash string) error
	RevokeUserRefreshTokens(ctx context.Context, userID string) (int64, error)
	Provider(ctx context.Context, id string) (domain.Provider, error)
}

// accountHandlers administer accounts. An admin manages every account. A
// coordinator manages coordinator accounts strictly below their own place
// (a district coordinator the street and community staff, a street one its
// communities): DOMAIN.md gives accounts to the admin, but staff turnover
// in communities is the streets' daily business, and an account below one's
// own place can never see more than oneself. Nobody changes their own role,
// place or disabled flag here.
type accountHandlers struct {
	users   AccountStore
	places  *placeTree
	limiter *auth.LoginLimiter
	// hash hashes a new password (auth.HashPassword).
	hash func(string) (string, error)
}

// createAccountRequest is a new account; without a password one is
// generated and answered once.
type createAccountRequest struct {
	Username   string      `json:"username"`
	Role       domain.Role `json:"role"`
	Place      string      `json:"place"`
	ProviderID string      `json:"provider_id"`
	Password   string      `json:"password"`
}

// updateAccountRequest changes what is given.
type updateAccountRequest struct {
	Role       *domain.Role `json:"role"`
	Place      *string      `json:"place"`
	ProviderID *string      `json:"provider_id"`
	Disabled   *bool        `json:"disabled"`
}

type resetPasswordRequest struct {
	Password string `json:"password"`
}

type changePasswordRequest struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// PasswordResponse answers a reset or a creation: Password only when the
// server generated it (shown this once; the account should change it).
type PasswordResponse struct {
	UserID          string `json:"user_id"`
	Password        string `json:"password,omitempty"`
	Generated       bool   `json:"generated"`
	SessionsRevoked int64  `json:"sessions_revoked"`
}

// CreatedAccountResponse is a new account and, when generated, its password.
type CreatedAccountResponse struct {
	AccountResponse
	Password string `json:"password,omitempty"`
}

// manages reports whether the caller may administer an account that is
// (or would become) u.
func manages(p domain.Principal, u domain.User) bool {
	switch p.Role {
	case domain.RoleAdmin:
		return true
	case domain.RoleCoordinator:
		return u.Role == domain.RoleCoordinator && u.Place != p.Place && domain.PlaceWithin(u.Place, p.Place)
	}
	return false
}

var errNotYours = domain.Errorf(domain.EFORBIDDEN, "无权管理该账号 / you may not manage this account")

// roleProviderKind is the provider kind an account of the role binds to.
func roleProviderKind(r domain.Role) domain.ProviderKind {
	switch r {
	case domain.RoleNGO:
		return domain.ProviderNGO
	case domain.RoleEnterprise:
		return domain.ProviderEnterprise
	case domain.RoleUnit:
		return domain.ProviderUnit
	case domain.RoleVolunteer:
		return domain.ProviderVolunteer
	}
	return ""
}

// validate checks the account against the place tree and its provider.
func (h *accountHandlers) validate(c *fiber.Ctx, u domain.User) error {
	tree, err := h.places.get(c.UserContext())
	if err != nil {
		return err
	}
	var pr domain.Problems
	pr.Merge("", u.Validate(tree))
	if u.ProviderID != "" && (u.Role.IsProvider() || u.Role == domain.RoleVolunteer) {
		prov, err := h.users.Provider(c.UserContext(), u.ProviderID)
		switch {
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			pr.Add("provider_id", "exists", "社会力量不存在 / no such provider")
		case err != nil:
			return err
		case prov.Kind != roleProviderKind(u.Role):
			pr.Addf("provider_id", "kind", "该社会力量类型为 %s，与角色不符 / the provider's kind does not fit the role", prov.Kind)
		}
	}
	return pr.Err()
}

// create makes an account (admins: any role; coordinators: coordinators
// below their place).
func (h *accountHandlers) create(c *fiber.Ctx) error {
	var in createAccountRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleAdmin, domain.RoleCoordinator)
	if err != nil {
		return err
	}
	u := domain.User{Username: strings.TrimSpace(in.Username), Role: in.Role, Place: in.Place, ProviderID: in.ProviderID}
	if !manages(p, u) {
		return errNotYours
	}
	if err := h.validate(c, u); err != nil {
		return err
	}
	password, generated := in.Password, in.Password == ""
	if generated {
		password = auth.RandomToken(12)
	}
	if u.PasswordHash, err = h.hash(password); err != nil {
		return err
	}
	if err := h.users.CreateUser(c.UserContext(), &u); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			e := domain.Errorf(domain.ECONFLICT, "用户名已被使用 / the username is taken")
			e.Fields = []domain.FieldError{{Field: "username", Rule: "unique", Message: "用户名已被使用"}}
			return e
		}
		return err
	}
	out := CreatedAccountResponse{AccountResponse: accountResponse(u)}
	if generated {
		out.Password = password
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(out)
}

func accountResponse(u domain.User) AccountResponse {
	return AccountResponse{UserResponse: userResponse(u), Disabled: u.Disabled, Demo: u.Demo}
}

// update changes an account's role, place, provider binding or disabled
// flag. A change of any of them ends the account's sessions: its refresh
// tokens are revoked, so the next token carries the new role and place (an
// access token already issued lives out its 15 minutes).
func (h *accountHandlers) update(c *fiber.Ctx) error {
	var in updateAccountRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleAdmin, domain.RoleCoordinator)
	if err != nil {
		return err
	}
	old, err := h.users.UserByID(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	next := old
	if in.Role != nil {
		next.Role = *in.Role
	}
	if in.Place != nil {
		next.Place = *in.Place
	}
	if in.ProviderID != nil {
		next.ProviderID = *in.ProviderID
	}
	if in.Disabled != nil {
		next.Disabled = *in.Disabled
	}
	if !manages(p, old) || !manages(p, next) {
		return errNotYours
	}
	if old.ID == p.UserID && (next.Role != old.Role || next.Place != old.Place || next.Disabled != old.Disabled) {
		return domain.Invalid("role", "self", "不能修改自己的角色、辖区或停用自己 / you cannot change your own role, place or status")
	}
	if err := h.validate(c, next); err != nil {
		return err
	}
	if err := h.users.UpdateUser(c.UserContext(), &next, old.UpdatedAt); err != nil {
		return err
	}
	if next.Role != old.Role || next.Place != old.Place || next.ProviderID != old.ProviderID || next.Disabled {
		if _, err := h.users.RevokeUserRefreshTokens(c.UserContext(), next.ID); err != nil {
			return err
		}
	}
	return c.JSON(accountResponse(next))
}

// resetPassword sets a given password or a generated one (answered once)
// and ends every session of the account. Sessions are revoked before and
// after the new hash is written: a crash after the first revocation leaves
// the old password with no sessions (the admin retries); one after the
// write leaves only sessions opened in the instant between the two.
func (h *accountHandlers) resetPassword(c *fiber.Ctx) error {
	var in resetPasswordRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	p, err := authorize(c, "", domain.RoleAdmin, domain.RoleCoordinator)
	if err != nil {
		return err
	}
	u, err := h.users.UserByID(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !manages(p, u) {
		return errNotYours
	}
	out := PasswordResponse{UserID: u.ID, Generated: in.Password == ""}
	password := in.Password
	if out.Generated {
		password = auth.RandomToken(12)
		out.Password = password
	}
	hash, err := h.hash(password)
	if err != nil {
		return err
	}
	n, err := h.setPassword(c.UserContext(), u.ID, hash)
	if err != nil {
		return err
	}
	out.SessionsRevoked = n
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// setPassword revokes the account's sessions, writes the hash and revokes
// again (see resetPassword); it reports how many sessions ended.
func (h *accountHandlers) setPassword(ctx context.Context, userID, hash string) (int64, error) {
	n, err := h.users.RevokeUserRefreshTokens(ctx, userID)
	if err != nil {
		return 0, err
	}
	if err := h.users.SetPassword(ctx, userID, hash); err != nil {
		return n, err
	}
	m, err := h.users.RevokeUserRefreshTokens(ctx, userID)
	return n + m, err
}

// changeOwnPassword lets any signed-in account change its password with
// the old one; wrong old passwords count against the login limiter. Every
// session ends, this one included: the client signs in again.
func (h *accountHandlers) changeOwnPassword(c *fiber.Ctx) error {
	var in changePasswordRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	var pr domain.Problems
	if in.OldPassword == "" {
		pr.Add("old_password", "required", "请输入原密码 / old_password is required")
	}
	if err := auth.ValidatePassword(in.NewPassword); err != nil {
		pr.Merge("", renamed(err, "new_password"))
	}
	if in.NewPassword != "" && in.NewPassword == in.OldPassword {
		pr.Add("new_password", "unchanged", "新密码不能与原密码相同 / the new password must differ")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	if wait := h.limiter.Allow(p.Username, c.IP()); wait > 0 {
		secs := auth.RetryAfterSeconds(wait)
		e := domain.Errorf(domain.ETOOMANY, "尝试次数过多，请 %d 秒后再试 / too many attempts, retry in %d s", secs, secs)
		e.RetryAfter = secs
		return e
	}
	u, err := h.users.UserByID(c.UserContext(), p.UserID)
	if err != nil || u.Disabled {
		return domain.Errorf(domain.EUNAUTHORIZED, "账号不可用 / account not available")
	}
	if !auth.CheckPassword(u.PasswordHash, in.OldPassword) {
		h.limiter.Fail(p.Username, c.IP())
		return domain.Invalid("old_password", "mismatch", "原密码错误 / the old password is wrong")
	}
	h.limiter.Succeed(p.Username, c.IP())
	hash, err := h.hash(in.NewPassword)
	if err != nil {
		return err
	}
	if _, err := h.setPassword(c.UserContext(), u.ID, hash); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// renamed returns a single-field EINVALID error under another field name.
func renamed(err error, field string) error {
	de, ok := err.(*domain.Error)
	if !ok || len(de.Fields) != 1 {
		return err
	}
	return domain.Invalid(field, de.Fields[0].Rule, de.Fields[0].Message)
}
