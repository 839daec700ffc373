package handlers

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
)

// PlaceStore is what the place endpoints need.
type PlaceStore interface {
	Places(ctx context.Context) ([]domain.Place, error)
}

type placeHandlers struct {
	places PlaceStore
}

// list answers the place tree, optionally the part within one place and of
// one level. The tree itself is not personal data: every role may read it
// (providers choose service areas from it).
func (h *placeHandlers) list(c *fiber.Ctx) error {
	if _, err := authorize(c, "", anyRole()...); err != nil {
		return err
	}
	within := c.Query("within")
	level := domain.PlaceLevel(c.Query("level"))
	var p domain.Problems
	if within != "" && domain.PlaceLevelOf(within) == "" {
		p.Add("within", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	switch level {
	case "", domain.LevelDistrict, domain.LevelStreet, domain.LevelCommunity, domain.LevelCompound:
	default:
		p.Add("level", "enum", "层级须为 district、street、community 或 compound")
	}
	if err := p.Err(); err != nil {
		return err
	}
	all, err := h.places.Places(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]domain.Place, 0, len(all))
	for _, pl := range all {
		if within != "" && !domain.PlaceWithin(pl.Code, within) {
			continue
		}
		if level != "" && pl.Level != level {
			continue
		}
		items = append(items, pl)
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": ""})
}
