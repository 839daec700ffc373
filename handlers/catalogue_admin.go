package handlers

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// CatalogueStore keeps the admin's edits of the service catalogue.
type CatalogueStore interface {
	CatalogueItems(ctx context.Context, base *domain.Catalogue) ([]store.StoredItem, error)
	UpdateCatalogueItem(ctx context.Context, it *store.StoredItem, expectedVersion int64, by string) error
}

// catalogueAdmin edits catalogue items. The running server keeps the
// catalogue it loaded at start (matching, vouchers and the search index's
// dictionary and synonyms all read that one), so an edit is stored now and
// applies at the next start; "applied" says whether the running catalogue
// already has it.
type catalogueAdmin struct {
	store   CatalogueStore
	running *domain.Catalogue
}

// catalogueItemRequest is what an admin may change of an item.
type catalogueItemRequest struct {
	NameZh       string     `json:"name_zh"`
	NameEn       string     `json:"name_en"`
	UnitPriceFen domain.Fen `json:"unit_price_fen"`
	Unit         string     `json:"unit"`
	Synonyms     []string   `json:"synonyms"`
	Version      int64      `json:"version"`
}

// CatalogueItemResponse is a stored item with its edit stamp.
type CatalogueItemResponse struct {
	domain.CatalogueItem
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	// Applied is false while the running server still uses the item as it
	// was at start (the edit applies at the next start).
	Applied bool `json:"applied"`
}

func (h *catalogueAdmin) response(it store.StoredItem) CatalogueItemResponse {
	run, _ := h.running.Get(it.Code)
	applied := reflect.DeepEqual(store.EditableItem(run, run), store.EditableItem(run, it.CatalogueItem))
	return CatalogueItemResponse{CatalogueItem: it.CatalogueItem, Version: it.Version, UpdatedAt: it.UpdatedAt,
		UpdatedBy: it.UpdatedBy, Applied: applied}
}

// stored answers the stored catalogue with versions (admins).
func (h *catalogueAdmin) stored(c *fiber.Ctx) error {
	if _, err := authorize(c, "", domain.RoleAdmin); err != nil {
		return err
	}
	items, err := h.store.CatalogueItems(c.UserContext(), h.running)
	if err != nil {
		return err
	}
	out := make([]CatalogueItemResponse, len(items))
	for i, it := range items {
		out[i] = h.response(it)
	}
	return c.JSON(fiber.Map{"items": out, "next_cursor": ""})
}

// update changes an item's names, unit price, unit and synonyms at the
// version the admin read, validated with the whole catalogue.
func (h *catalogueAdmin) update(c *fiber.Ctx) error {
	var in catalogueItemRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := authorize(c, "", domain.RoleAdmin)
	if err != nil {
		return err
	}
	if in.Version < 1 {
		return domain.Invalid("version", "required", "请提供读取时的版本号 / send the version you read")
	}
	items, err := h.store.CatalogueItems(c.UserContext(), h.running)
	if err != nil {
		return err
	}
	code := c.Params("code")
	i := slices.IndexFunc(items, func(it store.StoredItem) bool { return it.Code == code })
	if i < 0 || !h.running.Has(code) {
		return domain.Errorf(domain.ENOTFOUND, "服务目录中没有此项 / no such catalogue item")
	}
	next := items[i]
	next.CatalogueItem = store.EditableItem(next.CatalogueItem, domain.CatalogueItem{NameZh: in.NameZh, NameEn: in.NameEn,
		UnitPriceFen: in.UnitPriceFen, Unit: in.Unit, Synonyms: in.Synonyms})
	if next.Synonyms == nil {
		next.Synonyms = []string{}
	}
	items[i] = next
	cat := store.MergeCatalogue(h.running, items)
	pos := slices.IndexFunc(cat.All(), func(it domain.CatalogueItem) bool { return it.Code == code })
	if err := fieldsUnder(cat.Validate(), "items["+strconv.Itoa(pos)+"]."); err != nil {
		return err
	}
	if err := h.store.UpdateCatalogueItem(c.UserContext(), &next, in.Version, p.Username); err != nil {
		return err
	}
	return c.JSON(h.response(next))
}
