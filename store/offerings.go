package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

const colOfferings = "offerings"

// offeringDoc is an offering with the fields its place filter needs.
//
// An offering has no place of its own, only a service area. AreaPlaces lists
// the places it serves; AreaUp lists those places and all their ancestors,
// so "serves somewhere inside X" is the equality area_up = X (FerretDB pushes
// down only equality). A radius area is drawn around the provider's base, so
// an offering with a radius also counts its provider's place (as stored when
// the offering was last written) among AreaPlaces: without it a walking-
// radius offering would never be found by place. The radius itself is
// checked exactly by the matching engine and by Meilisearch's geo filter.
type offeringDoc struct {
	ID          string             `bson:"_id"`
	ProviderID  string             `bson:"provider_id"`
	Item        string             `bson:"item"`
	Title       string             `bson:"title"`
	Description string             `bson:"description"`
	Audience    domain.Audience    `bson:"audience"`
	Period      string             `bson:"period"`
	Capacity    int                `bson:"capacity"`
	Left        int                `bson:"left"`
	PriceFen    domain.Fen         `bson:"price_fen"`
	VoucherFen  domain.Fen         `bson:"voucher_fen"`
	Schedule    string             `bson:"schedule"`
	Area        domain.ServiceArea `bson:"area"`
	AreaPlaces  []string           `bson:"area_places"`
	AreaUp      []string           `bson:"area_up"`
	Status      string             `bson:"status"`
	ValidFrom   time.Time          `bson:"valid_from"`
	ValidTo     time.Time          `bson:"valid_to"`
	CreatedAt   time.Time          `bson:"created_at"`
	UpdatedAt   time.Time          `bson:"updated_at"`
	Version     int64              `bson:"version"`
	// Indexed is false until Meilisearch holds this version (outbox.go).
	Indexed bool `bson:"indexed"`
}

// offeringToDoc builds the document; base is the provider's place, counted
// for a radius area ("" when unknown). The document is dirty for search.
func offeringToDoc(o domain.Offering, base string) offeringDoc {
	places := slices.Clone(o.Area.Places)
	if o.Area.Center != nil && base != "" && !slices.Contains(places, base) {
		places = append(places, base)
	}
	var up []string
	for _, p := range places {
		for _, a := range placeUp(p) {
			if !slices.Contains(up, a) {
				up = append(up, a)
			}
		}
	}
	return offeringDoc{ID: o.ID, ProviderID: o.ProviderID, Item: o.Item, Title: o.Title, Description: o.Description,
		Audience: o.Audience, Period: string(o.Period), Capacity: o.Capacity, Left: o.Left, PriceFen: o.PriceFen,
		VoucherFen: o.VoucherFen, Schedule: o.Schedule, Area: o.Area, AreaPlaces: places, AreaUp: up,
		Status: string(o.Status), ValidFrom: o.ValidFrom.UTC(), ValidTo: o.ValidTo.UTC(), CreatedAt: o.CreatedAt.UTC(),
		UpdatedAt: o.UpdatedAt.UTC(), Version: o.Version}
}

func (d offeringDoc) offering() domain.Offering {
	return domain.Offering{ID: d.ID, ProviderID: d.ProviderID, Item: d.Item, Title: d.Title, Description: d.Description,
		Audience: d.Audience, Period: domain.CapacityPeriod(d.Period), Capacity: d.Capacity, Left: d.Left,
		PriceFen: d.PriceFen, VoucherFen: d.VoucherFen, Schedule: d.Schedule, Area: d.Area,
		Status: domain.OfferingStatus(d.Status), ValidFrom: d.ValidFrom.UTC(), ValidTo: d.ValidTo.UTC(),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version}
}

func offeringID(d offeringDoc) string { return d.ID }

// placeUp returns a place code's ancestors from the district down, then the
// code itself; nothing for a malformed code.
func placeUp(code string) []string {
	if domain.PlaceLevelOf(code) == "" {
		return nil
	}
	s := scopeOf(code)
	var out []string
	for _, c := range []string{s.District, s.Street, s.Community, code} {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// offeringBase returns the place of the offering's provider when its area
// has a radius ("" otherwise, or when the provider is unknown).
func (db *DB) offeringBase(ctx context.Context, o domain.Offering) (string, error) {
	if o.Area.Center == nil {
		return "", nil
	}
	places, err := db.providerPlaces(ctx, []domain.Offering{o})
	return places[o.ProviderID], err
}

// providerPlaces returns the places of the providers of the offerings that
// have a radius area, in one bulk read.
func (db *DB) providerPlaces(ctx context.Context, os []domain.Offering) (map[string]string, error) {
	var ids []string
	for _, o := range os {
		if o.Area.Center != nil {
			ids = append(ids, o.ProviderID)
		}
	}
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	ps, err := db.ProvidersByID(ctx, ids)
	for id, p := range ps {
		out[id] = p.Place
	}
	return out, err
}

// CreateOffering stores a new offering and sets its ID, version and times.
func (db *DB) CreateOffering(ctx context.Context, o *domain.Offering) error {
	base, err := db.offeringBase(ctx, *o)
	if err != nil {
		return err
	}
	now := db.now().UTC()
	o.ID, o.Version, o.CreatedAt, o.UpdatedAt = newID(), 1, now, now
	_, err = db.w.Collection(colOfferings).InsertOne(ctx, offeringToDoc(*o, base))
	return translate("create offering", err)
}

// Offering returns one offering, or ENOTFOUND.
func (db *DB) Offering(ctx context.Context, id string) (domain.Offering, error) {
	return getOne(ctx, db, colOfferings, "get offering", id, offeringDoc.offering)
}

// OfferingFilter selects offerings for ListOfferings.
type OfferingFilter struct {
	ProviderID string
	Item       string
	Status     domain.OfferingStatus
	// Within selects offerings whose service area reaches into the place:
	// an area place (or a radius area's base) inside it, or an area place
	// that contains it (a district-wide offering serves every street).
	Within string
	After  string
	Limit  int
}

// ListOfferings returns a page of offerings sorted by id and the next cursor.
// Within is one equality query on area_up plus one on area_places per
// ancestor of the place (at most four queries, merged in Go), since FerretDB
// pushes neither $or nor $in down to PostgreSQL.
func (db *DB) ListOfferings(ctx context.Context, f OfferingFilter) ([]domain.Offering, string, error) {
	base := withEqual(bson.D{}, "provider_id", f.ProviderID, "item", f.Item, "status", string(f.Status))
	filters := []bson.D{base}
	if f.Within != "" {
		filters = []bson.D{withEqual(base, "area_up", f.Within)}
		up := placeUp(f.Within)
		for _, a := range up[:max(len(up)-1, 0)] {
			filters = append(filters, withEqual(base, "area_places", a))
		}
	}
	docs, next, err := listPage(ctx, db.r.Collection(colOfferings), "list offerings", filters, f.After, f.Limit, offeringID)
	return mapDocs(docs, offeringDoc.offering), next, err
}

// UpdateOffering replaces an offering if it is still at expectedVersion (else
// ECONFLICT, nothing written; ENOTFOUND when it does not exist), bumps the
// version, sets updated_at and marks it for re-indexing.
func (db *DB) UpdateOffering(ctx context.Context, o *domain.Offering, expectedVersion int64) error {
	base, err := db.offeringBase(ctx, *o)
	if err != nil {
		return err
	}
	next := *o
	next.Version, next.UpdatedAt = expectedVersion+1, db.now().UTC()
	var old offeringDoc
	if err := db.updateVersioned(ctx, colOfferings, "offering", o.ID, expectedVersion, offeringToDoc(next, base), &old); err != nil {
		return err
	}
	next.CreatedAt = old.CreatedAt.UTC()
	*o = next
	return nil
}
