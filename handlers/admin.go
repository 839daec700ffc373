package handlers

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/search"
)

// IndexAdmin is the index maintenance the admin API offers.
type IndexAdmin interface {
	Reindex(ctx context.Context, kind string) (int, error)
	Drift(ctx context.Context) ([]search.DriftReport, error)
}

type adminHandlers struct {
	index IndexAdmin
}

type reindexRequest struct {
	Kind string `json:"kind"`
}

// reindex rebuilds one search index (or all) from MongoDB and swaps it in.
func (h *adminHandlers) reindex(c *fiber.Ctx) error {
	var req reindexRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := authorize(c, "", domain.RoleAdmin); err != nil {
		return err
	}
	kinds := []string{search.KindOffering, search.KindJob, search.KindNeed}
	switch req.Kind {
	case "", "all":
	case search.KindOffering, search.KindJob, search.KindNeed:
		kinds = []string{req.Kind}
	default:
		return domain.Invalid("kind", "enum", "kind 须为 offering、job、need 或 all / kind must be offering, job, need or all")
	}
	counts := fiber.Map{}
	for _, k := range kinds {
		n, err := h.index.Reindex(c.UserContext(), k)
		if err != nil {
			return err
		}
		counts[k] = n
	}
	return c.JSON(fiber.Map{"reindexed": counts})
}

// drift compares MongoDB with the search indexes.
func (h *adminHandlers) drift(c *fiber.Ctx) error {
	if _, err := authorize(c, "", domain.RoleAdmin); err != nil {
		return err
	}
	reports, err := h.index.Drift(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": reports})
}
