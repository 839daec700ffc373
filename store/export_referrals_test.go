package store

import "context"

// TakeCapacityForTest makes a referral a holder of an offering without
// moving it: an acceptance that died between its two writes.
func (db *DB) TakeCapacityForTest(ctx context.Context, offeringID, referralID string) error {
	return db.takeCapacity(ctx, offeringID, referralID)
}
