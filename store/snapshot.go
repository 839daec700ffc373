package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

// Snapshot is what a matching run reads: one bulk read per collection.
type Snapshot struct {
	Households []domain.Household
	Needs      []domain.Need
	Providers  []domain.Provider
	Offerings  []domain.Offering
	Jobs       []domain.JobOpening
}

// Snapshot reads the household files and open needs within a place ("" =
// everywhere) and all providers, active offerings and open jobs: supply may
// serve across place lines, and the engine filters it by service area. Each
// collection is read once, with equality filters only.
func (db *DB) Snapshot(ctx context.Context, within string) (Snapshot, error) {
	var s Snapshot
	var err error
	if s.Households, err = readAll(ctx, db, colHouseholds, scopeFilter(within), householdDoc.household); err != nil {
		return Snapshot{}, err
	}
	if s.Needs, err = readAll(ctx, db, colNeeds, withEqual(scopeFilter(within), "state", string(domain.NeedOpen)), needDoc.need); err != nil {
		return Snapshot{}, err
	}
	if s.Providers, err = readAll(ctx, db, colProviders, bson.D{}, providerDoc.provider); err != nil {
		return Snapshot{}, err
	}
	if s.Offerings, err = readAll(ctx, db, colOfferings, withEqual(bson.D{}, "status", string(domain.OfferingActive)), offeringDoc.offering); err != nil {
		return Snapshot{}, err
	}
	if s.Jobs, err = readAll(ctx, db, colJobs, withEqual(bson.D{}, "status", string(domain.JobOpen)), jobDoc.job); err != nil {
		return Snapshot{}, err
	}
	return s, nil
}

// readAll reads every document of col that matches filter, as domain values.
func readAll[D, T any](ctx context.Context, db *DB, col string, filter bson.D, conv func(D) T) ([]T, error) {
	docs, err := findDocs[D](ctx, db.r.Collection(col), "snapshot "+col, filter)
	return mapDocs(docs, conv), err
}
