package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// An offering's capacity is held by referrals. The offering document keeps
// the holders, [{referral_id, at}], next to its fields (offeringDoc leaves
// them alone, so an edit by the provider keeps them), and Left is Capacity −
// len(holders), never below 0. Taking and giving back are version-guarded
// rewrites of the holders (retried on a lost race) that set Left with them,
// so of fifty concurrent acceptances of a three-place offering exactly three
// win. Both are idempotent: a referral is held once. The sweeper makes the
// holders equal the referrals in capacity-taking states (repairCapacity).

// capacityHolder is one referral holding a place of an offering.
type capacityHolder struct {
	ReferralID string    `bson:"referral_id"`
	At         time.Time `bson:"at"`
}

// capacityDoc is the part of an offering document capacity needs.
type capacityDoc struct {
	ID       string           `bson:"_id"`
	Capacity int              `bson:"capacity"`
	Left     int              `bson:"left"`
	Holders  []capacityHolder `bson:"holders"`
	Version  int64            `bson:"version"`
}

func (d capacityDoc) holds(referralID string) bool {
	return slices.ContainsFunc(d.Holders, func(h capacityHolder) bool { return h.ReferralID == referralID })
}

// capacityRetries bounds the rewrites of one take or return: every lost
// race means another referral took or gave back a place meanwhile.
const capacityRetries = 100

var capacityProjection = options.FindOne().SetProjection(bson.D{{Key: "capacity", Value: 1}, {Key: "left", Value: 1},
	{Key: "holders", Value: 1}, {Key: "version", Value: 1}})

// rewriteHolders reads the offering's holders, lets change rewrite them
// (false: nothing to write) and writes them with Left in one update guarded
// by the version read, retrying a lost race.
func (db *DB) rewriteHolders(ctx context.Context, offeringID string, change func(d *capacityDoc) (bool, error)) error {
	col := db.w.Collection(colOfferings)
	for range capacityRetries {
		var d capacityDoc
		if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: offeringID}}, capacityProjection).Decode(&d); err != nil {
			return translate("read offering capacity", err)
		}
		write, err := change(&d)
		if err != nil || !write {
			return err
		}
		res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: offeringID}, {Key: "version", Value: d.Version}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "holders", Value: d.Holders},
				{Key: "left", Value: max(d.Capacity-len(d.Holders), 0)}, {Key: "updated_at", Value: db.now().UTC()},
				{Key: "indexed", Value: false}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
		if err != nil {
			return translate("write offering capacity", err)
		}
		if res.MatchedCount == 1 {
			return nil
		}
	}
	return domain.Errorf(domain.ECONFLICT, "服务名额正被频繁变动，请重试 / the offering is busy, try again")
}

// noCapacity is the answer when every place is taken.
func noCapacity() error {
	return domain.Errorf(domain.ECONFLICT, "名额已满 / no capacity left")
}

// takeCapacity makes the referral a holder of the offering: ECONFLICT when
// no place is left (a holder already is one: no-op).
func (db *DB) takeCapacity(ctx context.Context, offeringID, referralID string) error {
	return db.rewriteHolders(ctx, offeringID, func(d *capacityDoc) (bool, error) {
		if d.holds(referralID) {
			return false, nil
		}
		if len(d.Holders) >= d.Capacity {
			return false, noCapacity()
		}
		d.Holders = append(d.Holders, capacityHolder{ReferralID: referralID, At: db.now().UTC()})
		return true, nil
	})
}

// returnCapacity removes the referral from the offering's holders (no-op
// when it holds none, or the offering is gone).
func (db *DB) returnCapacity(ctx context.Context, offeringID, referralID string) error {
	err := db.rewriteHolders(ctx, offeringID, func(d *capacityDoc) (bool, error) {
		n := len(d.Holders)
		d.Holders = slices.DeleteFunc(d.Holders, func(h capacityHolder) bool { return h.ReferralID == referralID })
		return len(d.Holders) != n, nil
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	}
	return err
}

// followCapacity makes the offering's holders agree with one referral's
// state: a referral past acceptance holds a place (even beyond capacity:
// the place was given when it was accepted; Left stays at 0), any other
// holds none.
func (db *DB) followCapacity(ctx context.Context, r domain.Referral) error {
	if r.Target != domain.TargetOffering || r.OfferingID == "" {
		return nil
	}
	if !domain.TakesCapacity(r.Target, r.State) {
		return db.returnCapacity(ctx, r.OfferingID, r.ID)
	}
	err := db.rewriteHolders(ctx, r.OfferingID, func(d *capacityDoc) (bool, error) {
		if d.holds(r.ID) {
			return false, nil
		}
		d.Holders = append(d.Holders, capacityHolder{ReferralID: r.ID, At: db.now().UTC()})
		return true, nil
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	}
	return err
}

// capacityGrace is how long a holder or a held referral may disagree before
// the sweeper repairs it: an acceptance in flight holds its place a moment
// before the referral moves.
const capacityGrace = 5 * time.Minute

// repairCapacity makes every offering's holders equal the referrals in
// capacity-taking states (past the grace period), and Left equal to what
// they leave; it returns how many offerings it corrected.
func (db *DB) repairCapacity(ctx context.Context) (int, error) {
	held := map[string]map[string]time.Time{} // offering → referral → when it entered its state
	for _, s := range domain.ReferralStates(domain.TargetOffering) {
		if !domain.TakesCapacity(domain.TargetOffering, s) {
			continue
		}
		docs, err := findDocs[referralDoc](ctx, db.r.Collection(colReferrals), "capacity referrals",
			bson.D{{Key: "target", Value: string(domain.TargetOffering)}, {Key: "state", Value: string(s)}},
			options.Find().SetProjection(bson.D{{Key: "offering_id", Value: 1}, {Key: "history", Value: 1}, {Key: "created_at", Value: 1}}))
		if err != nil {
			return 0, err
		}
		for _, d := range docs {
			if held[d.OfferingID] == nil {
				held[d.OfferingID] = map[string]time.Time{}
			}
			held[d.OfferingID][d.ID] = d.referral().EnteredAt()
		}
	}
	offerings, err := findDocs[capacityDoc](ctx, db.r.Collection(colOfferings), "offering capacity", bson.D{},
		options.Find().SetProjection(bson.D{{Key: "capacity", Value: 1}, {Key: "left", Value: 1}, {Key: "holders", Value: 1}, {Key: "version", Value: 1}}))
	if err != nil {
		return 0, err
	}
	cutoff := db.now().Add(-capacityGrace)
	fixed := 0
	for _, o := range offerings {
		want := held[o.ID]
		if !capacityDrift(o, want, cutoff) {
			continue
		}
		err := db.rewriteHolders(ctx, o.ID, func(d *capacityDoc) (bool, error) {
			d.Holders = repairedHolders(d.Holders, want, cutoff)
			return true, nil
		})
		if err != nil {
			return fixed, err
		}
		fixed++
	}
	return fixed, nil
}

// capacityDrift reports whether an offering's holders or Left disagree
// with the referrals that hold it, beyond the grace period.
func capacityDrift(o capacityDoc, want map[string]time.Time, cutoff time.Time) bool {
	repaired := repairedHolders(slices.Clone(o.Holders), want, cutoff)
	return len(repaired) != len(o.Holders) || o.Left != max(o.Capacity-len(o.Holders), 0) ||
		slices.ContainsFunc(repaired, func(h capacityHolder) bool { return !o.holds(h.ReferralID) })
}

// repairedHolders drops holders no referral justifies and adds referrals
// that hold no place, each only once older than cutoff.
func repairedHolders(hs []capacityHolder, want map[string]time.Time, cutoff time.Time) []capacityHolder {
	out := slices.DeleteFunc(hs, func(h capacityHolder) bool {
		_, ok := want[h.ReferralID]
		return !ok && h.At.Before(cutoff)
	})
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if at := want[id]; at.Before(cutoff) && !slices.ContainsFunc(out, func(h capacityHolder) bool { return h.ReferralID == id }) {
			out = append(out, capacityHolder{ReferralID: id, At: at.UTC()})
		}
	}
	return out
}
