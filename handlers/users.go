package handlers

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// UserLister is what the account list needs.
type UserLister interface {
	ListUsers(ctx context.Context, f store.UserFilter) ([]domain.User, error)
}

type userHandlers struct {
	users UserLister
}

// AccountResponse is an account as an administrator or coordinator sees it.
type AccountResponse struct {
	UserResponse
	Disabled bool `json:"disabled"`
	Demo     bool `json:"demo"`
}

// list answers the accounts bound to a place (coordinators: their place and
// below; asking for a place outside it is 403) or, for admins, every account.
func (h *userHandlers) list(c *fiber.Ctx) error {
	p := principal(c)
	place := c.Query("place")
	if place == "" && p.Role == domain.RoleCoordinator {
		place = p.Place
	}
	if place != "" && domain.PlaceLevelOf(place) == "" {
		return domain.Invalid("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	if _, err := authorize(c, place, domain.RoleAdmin, domain.RoleCoordinator); err != nil {
		return err
	}
	role := domain.Role(c.Query("role"))
	if role != "" && !role.Valid() {
		return domain.Invalid("role", "enum", "未知角色 / unknown role")
	}
	users, err := h.users.ListUsers(c.UserContext(), store.UserFilter{Role: role, Within: place})
	if err != nil {
		return err
	}
	items := make([]AccountResponse, len(users))
	for i, u := range users {
		items[i] = AccountResponse{UserResponse: userResponse(u), Disabled: u.Disabled, Demo: u.Demo}
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": ""})
}
