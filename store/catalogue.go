package store

import (
	"cmp"
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

// colCatalogue keeps the admin's edits of the service catalogue. The set of
// items (codes, tiers, relations) is the seed's; names, unit price and
// synonyms are editable. The server reads it once at start (LoadCatalogue):
// the catalogue is shared, immutable, and feeds the search index's
// dictionary, so an edit takes effect at the next start.
const colCatalogue = "catalogue"

// StoredItem is a catalogue item with its edit stamp.
type StoredItem struct {
	domain.CatalogueItem
	Stamp
}

type catalogueDoc struct {
	Code  string               `bson:"_id"`
	Item  domain.CatalogueItem `bson:"item"`
	Order int                  `bson:"order"`
	Edit  stampDoc             `bson:",inline"`
}

func (d catalogueDoc) item() StoredItem {
	return StoredItem{CatalogueItem: d.Item, Stamp: d.Edit.stamp()}
}

// CatalogueItems returns the stored items in catalogue order, after adding
// the items of base that are missing (first start, or a new seed item).
func (db *DB) CatalogueItems(ctx context.Context, base *domain.Catalogue) ([]StoredItem, error) {
	now := db.now().UTC()
	items := base.All()
	docs := make([]any, len(items))
	for i, it := range items {
		docs[i] = catalogueDoc{Code: it.Code, Item: it, Order: i, Edit: seedStamp(now)}
	}
	if _, _, err := insertNew(ctx, db.w.Collection(colCatalogue), "seed catalogue", docs); err != nil {
		return nil, err
	}
	stored, err := findDocs[catalogueDoc](ctx, db.r.Collection(colCatalogue), "list catalogue", bson.D{})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(stored, func(a, b catalogueDoc) int { return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Code, b.Code)) })
	return mapDocs(stored, catalogueDoc.item), nil
}

// LoadCatalogue returns base with the stored edits applied (names, unit
// price, unit and synonyms of its items), validated.
func (db *DB) LoadCatalogue(ctx context.Context, base *domain.Catalogue) (*domain.Catalogue, error) {
	stored, err := db.CatalogueItems(ctx, base)
	if err != nil {
		return nil, err
	}
	cat := MergeCatalogue(base, stored)
	if err := cat.Validate(); err != nil {
		return nil, err
	}
	return cat, nil
}

// MergeCatalogue applies the editable fields of stored items to base's items;
// stored items base does not have are ignored.
func MergeCatalogue(base *domain.Catalogue, stored []StoredItem) *domain.Catalogue {
	byCode := make(map[string]domain.CatalogueItem, len(stored))
	for _, s := range stored {
		byCode[s.Code] = s.CatalogueItem
	}
	items := base.All()
	for i, it := range items {
		if s, ok := byCode[it.Code]; ok {
			items[i] = EditableItem(it, s)
		}
	}
	return domain.NewCatalogue(items)
}

// EditableItem returns it with the fields an admin may edit taken from edit.
func EditableItem(it, edit domain.CatalogueItem) domain.CatalogueItem {
	it.NameZh, it.NameEn, it.UnitPriceFen, it.Unit = edit.NameZh, edit.NameEn, edit.UnitPriceFen, edit.Unit
	it.Synonyms = slices.Clone(edit.Synonyms)
	return it
}

// UpdateCatalogueItem writes an item's editable fields if it is still at
// expectedVersion (else ECONFLICT; ENOTFOUND for an unknown code).
func (db *DB) UpdateCatalogueItem(ctx context.Context, it *StoredItem, expectedVersion int64, by string) error {
	st, err := db.setVersioned(ctx, colCatalogue, "catalogue item", it.Code, expectedVersion, "item", it.CatalogueItem, by)
	if err == nil {
		it.Stamp = st
	}
	return err
}
