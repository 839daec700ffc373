package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

// The policy catalogue and its dated parameters are data an admin edits
// (DOMAIN.md: "Policies are data, not code"). They are seeded from the seed
// catalogue on first start; a seed policy or parameter is only ever added
// when missing, never written over an admin's edit.
const (
	colPolicies     = "policies"
	colPolicyParams = "policy_params"
)

// Stamp is what an edit leaves on an admin-edited record: the version it
// is at (edits are guarded by it), who changed it and when.
type Stamp struct {
	Version   int64
	UpdatedAt time.Time
	UpdatedBy string
}

type stampDoc struct {
	Version   int64     `bson:"version"`
	UpdatedAt time.Time `bson:"updated_at"`
	UpdatedBy string    `bson:"updated_by"`
}

func (s Stamp) doc() stampDoc {
	return stampDoc{Version: s.Version, UpdatedAt: s.UpdatedAt.UTC(), UpdatedBy: s.UpdatedBy}
}

func (d stampDoc) stamp() Stamp {
	return Stamp{Version: d.Version, UpdatedAt: d.UpdatedAt.UTC(), UpdatedBy: d.UpdatedBy}
}

// seedStamp is the stamp of a record the seed wrote.
func seedStamp(at time.Time) stampDoc { return stampDoc{Version: 1, UpdatedAt: at, UpdatedBy: "seed"} }

// StoredPolicy is a policy with its edit stamp.
type StoredPolicy struct {
	domain.Policy
	// Order keeps the catalogue's listing order (the seed's, then new
	// policies in the order they were added).
	Order int
	Stamp
}

// StoredParameter is a parameter with its edit stamp.
type StoredParameter struct {
	domain.Parameter
	Stamp
}

type policyDoc struct {
	ID     string        `bson:"_id"`
	Policy domain.Policy `bson:"policy"`
	Order  int           `bson:"order"`
	Edit   stampDoc      `bson:",inline"`
}

func (d policyDoc) policy() StoredPolicy {
	return StoredPolicy{Policy: d.Policy, Order: d.Order, Stamp: d.Edit.stamp()}
}

type paramValueDoc struct {
	From  time.Time  `bson:"from"`
	Value domain.Fen `bson:"value"`
}

type paramDoc struct {
	Name    string          `bson:"_id"`
	LabelZh string          `bson:"label_zh"`
	LabelEn string          `bson:"label_en"`
	Demo    bool            `bson:"demo"`
	Values  []paramValueDoc `bson:"values"`
	Edit    stampDoc        `bson:",inline"`
}

func paramToDoc(p StoredParameter) paramDoc {
	vs := make([]paramValueDoc, len(p.Values))
	for i, v := range p.Values {
		vs[i] = paramValueDoc{From: v.From.UTC(), Value: v.Value}
	}
	return paramDoc{Name: p.Name, LabelZh: p.LabelZh, LabelEn: p.LabelEn, Demo: p.Demo, Values: vs, Edit: p.Stamp.doc()}
}

func (d paramDoc) param() StoredParameter {
	vs := make([]domain.ParamValue, len(d.Values))
	for i, v := range d.Values {
		vs[i] = domain.ParamValue{From: v.From.UTC(), Value: v.Value}
	}
	slices.SortFunc(vs, func(a, b domain.ParamValue) int { return a.From.Compare(b.From) })
	return StoredParameter{Parameter: domain.Parameter{Name: d.Name, LabelZh: d.LabelZh, LabelEn: d.LabelEn, Demo: d.Demo, Values: vs},
		Stamp: d.Edit.stamp()}
}

// SeedPolicies adds the seed policies and parameters that are missing
// (by ID and name) and returns how many of each it added. Running it again
// adds nothing; edits are never overwritten.
func (db *DB) SeedPolicies(ctx context.Context, policies []domain.Policy, params domain.ParamSet) (newPolicies, newParams int, err error) {
	now := db.now().UTC()
	pdocs := make([]any, len(policies))
	for i, p := range policies {
		pdocs[i] = policyDoc{ID: p.ID, Policy: p, Order: i, Edit: seedStamp(now)}
	}
	if newPolicies, _, err = insertNew(ctx, db.w.Collection(colPolicies), "seed policies", pdocs); err != nil {
		return 0, 0, err
	}
	list := params.Parameters()
	adocs := make([]any, len(list))
	for i, p := range list {
		adocs[i] = paramToDoc(StoredParameter{Parameter: p, Stamp: seedStamp(now).stamp()})
	}
	newParams, _, err = insertNew(ctx, db.w.Collection(colPolicyParams), "seed policy parameters", adocs)
	return newPolicies, newParams, err
}

// Policies returns the stored policy catalogue in its listing order.
func (db *DB) Policies(ctx context.Context) ([]StoredPolicy, error) {
	docs, err := findDocs[policyDoc](ctx, db.r.Collection(colPolicies), "list policies", bson.D{})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(docs, func(a, b policyDoc) int { return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID)) })
	return mapDocs(docs, policyDoc.policy), nil
}

// PolicyParams returns every stored parameter, sorted by name.
func (db *DB) PolicyParams(ctx context.Context) ([]StoredParameter, error) {
	docs, err := findDocs[paramDoc](ctx, db.r.Collection(colPolicyParams), "list policy parameters", bson.D{})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(docs, func(a, b paramDoc) int { return cmp.Compare(a.Name, b.Name) })
	return mapDocs(docs, paramDoc.param), nil
}

// CreatePolicy adds a policy at the end of the catalogue and sets its order,
// version and stamp. An ID that exists is ECONFLICT naming the field id.
func (db *DB) CreatePolicy(ctx context.Context, p *StoredPolicy, by string) error {
	all, err := db.Policies(ctx)
	if err != nil {
		return err
	}
	p.Order = 0
	for _, x := range all {
		p.Order = max(p.Order, x.Order+1)
	}
	p.Stamp = Stamp{Version: 1, UpdatedAt: db.now().UTC(), UpdatedBy: by}
	_, err = db.w.Collection(colPolicies).InsertOne(ctx, policyDoc{ID: p.ID, Policy: p.Policy, Order: p.Order, Edit: p.Stamp.doc()})
	if isDuplicateKey(err) {
		return fieldConflict("id", "政策编号已存在", "a policy with this id exists")
	}
	return translate("create policy", err)
}

// UpdatePolicy replaces a policy if it is still at expectedVersion (else
// ECONFLICT; ENOTFOUND when it does not exist) and bumps its version.
func (db *DB) UpdatePolicy(ctx context.Context, p *StoredPolicy, expectedVersion int64, by string) error {
	st, err := db.setVersioned(ctx, colPolicies, "policy", p.ID, expectedVersion, "policy", p.Policy, by)
	if err == nil {
		p.Stamp = st
	}
	return err
}

// CreatePolicyParam adds a new parameter; a name that exists is ECONFLICT
// naming the field name.
func (db *DB) CreatePolicyParam(ctx context.Context, p *StoredParameter, by string) error {
	p.Stamp = Stamp{Version: 1, UpdatedAt: db.now().UTC(), UpdatedBy: by}
	_, err := db.w.Collection(colPolicyParams).InsertOne(ctx, paramToDoc(*p))
	if isDuplicateKey(err) {
		return fieldConflict("name", "参数已存在", "the parameter exists")
	}
	return translate("create policy parameter", err)
}

// UpdatePolicyParam replaces a parameter's values if it is still at
// expectedVersion (else ECONFLICT; ENOTFOUND when it does not exist).
func (db *DB) UpdatePolicyParam(ctx context.Context, p *StoredParameter, expectedVersion int64, by string) error {
	st, err := db.setVersioned(ctx, colPolicyParams, "policy parameter", p.Name, expectedVersion, "values", paramToDoc(*p).Values, by)
	if err == nil {
		p.Stamp = st
	}
	return err
}

// setVersioned sets field to value in document id of col if it is still at
// expectedVersion (else ECONFLICT, naming what changed; ENOTFOUND when it
// does not exist), bumps the version and stamps who and when. It returns
// the new stamp.
func (db *DB) setVersioned(ctx context.Context, col, what, id string, expectedVersion int64, field string, value any, by string) (Stamp, error) {
	now := db.now().UTC()
	st := Stamp{Version: expectedVersion + 1, UpdatedAt: now, UpdatedBy: by}
	res, err := db.w.Collection(col).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "version", Value: expectedVersion}},
		bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: value}, {Key: "version", Value: expectedVersion + 1},
			{Key: "updated_at", Value: now}, {Key: "updated_by", Value: by}}}})
	if err != nil {
		return st, translate("update "+what, err)
	}
	if res.MatchedCount == 0 {
		return st, db.missingOr(ctx, col, "update "+what, id,
			domain.Errorf(domain.ECONFLICT, "已被他人修改，请刷新后重试 / the %s changed since you read it", what))
	}
	return st, nil
}

// fieldConflict is the ECONFLICT of a unique field taken.
func fieldConflict(field, zh, en string) *domain.Error {
	e := domain.Errorf(domain.ECONFLICT, "%s / %s", zh, en)
	e.Fields = []domain.FieldError{{Field: field, Rule: "unique", Message: zh}}
	return e
}
