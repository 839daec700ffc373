package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const colProviders = "providers"

// providerDoc is a provider with its scope fields and credit key.
type providerDoc struct {
	ID         string `bson:"_id"`
	Kind       string `bson:"kind"`
	Name       string `bson:"name"`
	CreditCode string `bson:"credit_code"`
	// CreditKey carries the unique index: the credit code of an
	// organisation, "vol:"+id for a volunteer. Every document has one, since
	// FerretDB ignores sparse and a unique index on a missing field would let
	// only one volunteer exist.
	CreditKey    string             `bson:"credit_key"`
	ContactName  string             `bson:"contact_name"`
	ContactPhone string             `bson:"contact_phone"`
	Place        string             `bson:"place"`
	District     string             `bson:"district"`
	Street       string             `bson:"street"`
	Community    string             `bson:"community"`
	Area         domain.ServiceArea `bson:"area"`
	Verification string             `bson:"verification"`
	TrafficLight string             `bson:"traffic_light"`
	Rating       float64            `bson:"rating"`
	RatingCount  int                `bson:"rating_count"`
	Complaints   int                `bson:"complaints"`
	CreatedAt    time.Time          `bson:"created_at"`
	UpdatedAt    time.Time          `bson:"updated_at"`
	Version      int64              `bson:"version"`
}

// creditKey is the provider's value of the unique credit_key index. An
// organisation without a code (validation forbids it) gets a key of its own
// rather than colliding with every other such slip.
func creditKey(p domain.Provider) string {
	code := domain.NormalizeUSCC(p.CreditCode)
	switch {
	case p.Kind == domain.ProviderVolunteer:
		return "vol:" + p.ID
	case code == "":
		return "none:" + p.ID
	}
	return code
}

func providerToDoc(p domain.Provider) providerDoc {
	s := scopeOf(p.Place)
	return providerDoc{ID: p.ID, Kind: string(p.Kind), Name: p.Name, CreditCode: p.CreditCode, CreditKey: creditKey(p),
		ContactName: p.ContactName, ContactPhone: p.ContactPhone, Place: p.Place, District: s.District, Street: s.Street,
		Community: s.Community, Area: p.Area, Verification: string(p.Verification), TrafficLight: string(p.TrafficLight),
		Rating: p.Rating, RatingCount: p.RatingCount, Complaints: p.Complaints, CreatedAt: p.CreatedAt.UTC(),
		UpdatedAt: p.UpdatedAt.UTC(), Version: p.Version}
}

func (d providerDoc) provider() domain.Provider {
	return domain.Provider{ID: d.ID, Kind: domain.ProviderKind(d.Kind), Name: d.Name, CreditCode: d.CreditCode,
		ContactName: d.ContactName, ContactPhone: d.ContactPhone, Place: d.Place, Area: d.Area,
		Verification: domain.Verification(d.Verification), TrafficLight: domain.TrafficLight(d.TrafficLight),
		Rating: d.Rating, RatingCount: d.RatingCount, Complaints: d.Complaints, CreatedAt: d.CreatedAt.UTC(),
		UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version}
}

func providerID(d providerDoc) string { return d.ID }

// creditCodeTaken is the conflict of a credit code registered twice; fields
// name the offending fields ("credit_code", or "[3].credit_code" in a batch).
func creditCodeTaken(fields ...string) *domain.Error {
	e := &domain.Error{Code: domain.ECONFLICT, Message: "该统一社会信用代码已登记 / this credit code is already registered"}
	for _, f := range fields {
		e.Fields = append(e.Fields, domain.FieldError{Field: f, Rule: "unique", Message: "该统一社会信用代码已登记"})
	}
	return e
}

// writeErr translates a write error of collection col; on providers the only
// unique key besides _id (which the store assigns) is the credit code.
func writeErr(col, op string, err error) error {
	if col == colProviders && isDuplicateKey(err) {
		return fmt.Errorf("store: %s: %w", op, creditCodeTaken("credit_code"))
	}
	return translate(op, err)
}

// isDuplicateKey recognises a unique index violation. FerretDB 1.24 reports
// one on an update (not an insert) as an InternalError carrying
// PostgreSQL's unique_violation, not as code 11000.
func isDuplicateKey(err error) bool {
	return err != nil && (mongo.IsDuplicateKeyError(err) || strings.Contains(err.Error(), "(SQLSTATE 23505)"))
}

// CreateProvider stores a new provider and sets its ID, version and times. A
// credit code already registered is ECONFLICT naming the field credit_code.
func (db *DB) CreateProvider(ctx context.Context, p *domain.Provider) error {
	now := db.now().UTC()
	p.ID, p.Version, p.CreatedAt, p.UpdatedAt = newID(), 1, now, now
	_, err := db.w.Collection(colProviders).InsertOne(ctx, providerToDoc(*p))
	return writeErr(colProviders, "create provider", err)
}

// Provider returns one provider, or ENOTFOUND.
func (db *DB) Provider(ctx context.Context, id string) (domain.Provider, error) {
	return getOne(ctx, db, colProviders, "get provider", id, providerDoc.provider)
}

// ProvidersByID returns the providers with the given ids, by id, in one bulk
// read (ids not found are absent from the map).
func (db *DB) ProvidersByID(ctx context.Context, ids []string) (map[string]domain.Provider, error) {
	return readByID(ctx, db, colProviders, "providers by id", ids, providerID, providerDoc.provider)
}

// ProvidersByCreditCode returns the organisations registered under the given
// credit codes, keyed by the code as passed in (codes are compared in their
// normalized form), in one bulk read.
func (db *DB) ProvidersByCreditCode(ctx context.Context, codes []string) (map[string]domain.Provider, error) {
	asked := make(map[string][]string, len(codes))
	keys := make([]string, 0, len(codes))
	for _, c := range codes {
		if k := domain.NormalizeUSCC(c); k != "" {
			asked[k] = append(asked[k], c)
			keys = append(keys, k)
		}
	}
	docs, err := findIn[providerDoc](ctx, db.r.Collection(colProviders), "providers by credit code", "credit_key", keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Provider, len(docs))
	for _, d := range docs {
		for _, c := range asked[d.CreditKey] {
			out[c] = d.provider()
		}
	}
	return out, nil
}

// ProviderFilter selects providers for ListProviders.
type ProviderFilter struct {
	Within       string // the provider's own place lies in this place ("" = all)
	Kind         domain.ProviderKind
	Verification domain.Verification
	After        string
	Limit        int
}

// ListProviders returns a page of providers sorted by id and the next cursor.
func (db *DB) ListProviders(ctx context.Context, f ProviderFilter) ([]domain.Provider, string, error) {
	filter := withEqual(scopeFilter(f.Within), "kind", string(f.Kind), "verification", string(f.Verification))
	docs, next, err := listPage(ctx, db.r.Collection(colProviders), "list providers", []bson.D{filter}, f.After, f.Limit, providerID)
	return mapDocs(docs, providerDoc.provider), next, err
}

// UpdateProvider replaces a provider if it is still at expectedVersion (else
// ECONFLICT, nothing written; ENOTFOUND when it does not exist), bumps the
// version and sets updated_at. A credit code taken by another provider is
// ECONFLICT naming credit_code. When something the search index may show
// about the provider changes (name, kind, verification, traffic light,
// place), its offerings and jobs are marked for re-indexing.
func (db *DB) UpdateProvider(ctx context.Context, p *domain.Provider, expectedVersion int64) error {
	next := *p
	next.Version, next.UpdatedAt = expectedVersion+1, db.now().UTC()
	var old providerDoc
	if err := db.updateVersioned(ctx, colProviders, "provider", p.ID, expectedVersion, providerToDoc(next), &old); err != nil {
		return err
	}
	next.CreatedAt = old.CreatedAt.UTC()
	*p = next
	was := old.provider()
	if was.Name == p.Name && was.Kind == p.Kind && was.Verification == p.Verification &&
		was.TrafficLight == p.TrafficLight && was.Place == p.Place {
		return nil
	}
	return db.markSupplyDirty(ctx, p.ID)
}

// markSupplyDirty marks a provider's offerings and jobs for re-indexing. The
// version is bumped too, so that a sync that read them before the change
// cannot mark them clean (MarkIndexed is guarded by version).
func (db *DB) markSupplyDirty(ctx context.Context, providerID string) error {
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "indexed", Value: false}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}
	for _, t := range []struct{ col, field string }{{colOfferings, "provider_id"}, {colJobs, "enterprise_id"}} {
		if _, err := db.w.Collection(t.col).UpdateMany(ctx, bson.D{{Key: t.field, Value: providerID}}, update); err != nil {
			return translate("mark "+t.col+" of provider for re-indexing", err)
		}
	}
	return nil
}

// updateVersioned overwrites the fields of document id with doc (whose
// version must already be expected+1) if the stored version is still
// expected, and decodes the document as it was before into before. created_at
// keeps its stored value. A stale version is ECONFLICT and writes nothing; a
// missing document is ENOTFOUND.
func (db *DB) updateVersioned(ctx context.Context, col, what, id string, expected int64, doc, before any) error {
	set, err := setFields(doc, "_id", "created_at")
	if err != nil {
		return fmt.Errorf("store: update %s: %w", what, err)
	}
	err = db.w.Collection(col).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "version", Value: expected}},
		bson.D{{Key: "$set", Value: set}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(before)
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return writeErr(col, "update "+what, err)
	}
	return db.missingOr(ctx, col, "update "+what, id,
		domain.Errorf(domain.ECONFLICT, "已被他人修改，请刷新后重试 / the %s changed since you read it", what))
}

// missingOr explains a guarded write that matched nothing: ENOTFOUND when
// document id does not exist, else conflict (the guard failed).
func (db *DB) missingOr(ctx context.Context, col, op, id string, conflict error) error {
	err := db.w.Collection(col).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err != nil {
		return translate(op, err)
	}
	return conflict
}

// setFields turns a document struct into a $set of its fields, less the
// named ones.
func setFields(doc any, except ...string) (bson.D, error) {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil, err
	}
	elems, err := bson.Raw(raw).Elements()
	if err != nil {
		return nil, err
	}
	set := make(bson.D, 0, len(elems))
	for _, e := range elems {
		if !slices.Contains(except, e.Key()) {
			set = append(set, bson.E{Key: e.Key(), Value: e.Value()})
		}
	}
	return set, nil
}
