package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

// A household's cases for its timeline (handlers/timeline_referrals.go):
// every referral, service record and job application of the household.

// HouseholdReferrals returns every referral of a household.
func (db *DB) HouseholdReferrals(ctx context.Context, householdID string) ([]domain.Referral, error) {
	if householdID == "" {
		return nil, nil
	}
	return db.FindReferrals(ctx, ReferralFilter{HouseholdID: householdID})
}

// HouseholdServiceRecords returns the counted service records of a
// household, oldest first.
func (db *DB) HouseholdServiceRecords(ctx context.Context, householdID string) ([]domain.ServiceRecord, error) {
	if householdID == "" {
		return nil, nil
	}
	return db.countedRecords(ctx, "household service records", "household_id", householdID)
}

// HouseholdApplications returns every job application of a household's
// members (in no particular order).
func (db *DB) HouseholdApplications(ctx context.Context, householdID string) ([]Application, error) {
	if householdID == "" {
		return nil, nil
	}
	docs, err := findDocs[applicationDoc](ctx, db.r.Collection(colApplications), "household applications",
		bson.D{{Key: "household_id", Value: householdID}})
	return mapDocs(docs, applicationDoc.application), err
}
