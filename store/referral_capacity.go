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
// the holders, [{referral_id, at, ended_at}], next to its fields (offeringDoc
// leaves them alone, so an edit by the provider keeps them). Capacity is per
// period (day, week, month, year, or once): a holder counts in the current
// period while its referral is accepted or in service, and — once the
// service is completed (ended_at) — only if it ended in the current period.
// Left is Capacity minus the holders that count, never below 0. Holders that
// ended before the current period are dropped at the next rewrite, and the
// sweeper rewrites Left when a period turns over. Taking and giving back are version-guarded
// rewrites of the holders (retried on a lost race) that set Left with them,
// so of fifty concurrent acceptances of a three-place offering exactly three
// win. Both are idempotent: a referral is held once. The sweeper makes the
// holders equal the referrals in capacity-taking states (repairCapacity).

// capacityHolder is one referral holding a place of an offering.
type capacityHolder struct {
	ReferralID string    `bson:"referral_id"`
	At         time.Time `bson:"at"`
	// Ended is when the service was completed; zero while it goes on.
	Ended time.Time `bson:"ended_at,omitempty"`
}

// capacityDoc is the part of an offering document capacity needs.
type capacityDoc struct {
	ID       string           `bson:"_id"`
	Period   string           `bson:"period"`
	Capacity int              `bson:"capacity"`
	Left     int              `bson:"left"`
	Holders  []capacityHolder `bson:"holders"`
	Version  int64            `bson:"version"`
}

func (d capacityDoc) holds(referralID string) bool {
	return slices.ContainsFunc(d.Holders, func(h capacityHolder) bool { return h.ReferralID == referralID })
}

// periodStart is when the offering's current capacity period began.
func (d capacityDoc) periodStart(now time.Time) time.Time {
	return domain.CapacityPeriod(d.Period).Start(now)
}

// counts reports whether a holder uses a place in the period that began at
// start: it goes on, or it ended within the period.
func (h capacityHolder) counts(start time.Time) bool {
	return h.Ended.IsZero() || !h.Ended.Before(start)
}

// used is how many places the holders use in the current period.
func (d capacityDoc) used(now time.Time) int {
	start, n := d.periodStart(now), 0
	for _, h := range d.Holders {
		if h.counts(start) {
			n++
		}
	}
	return n
}

// left is what remains of the current period, never below 0.
func (d capacityDoc) left(now time.Time) int { return max(d.Capacity-d.used(now), 0) }

// dropPast removes holders whose service ended before the current period:
// they use no place any more.
func (d *capacityDoc) dropPast(now time.Time) {
	start := d.periodStart(now)
	d.Holders = slices.DeleteFunc(d.Holders, func(h capacityHolder) bool { return !h.counts(start) })
}

var capacityFields = bson.D{{Key: "period", Value: 1}, {Key: "capacity", Value: 1}, {Key: "left", Value: 1},
	{Key: "holders", Value: 1}, {Key: "version", Value: 1}}

// rewriteHolders reads the offering's holders, lets change rewrite them
// (false: nothing to write) and writes them with Left in one update guarded
// by the version read, retrying a lost race. Holders of past periods are
// dropped on the way.
func (db *DB) rewriteHolders(ctx context.Context, offeringID string, change func(d *capacityDoc) (bool, error)) error {
	return rewriteGuarded(ctx, db.w.Collection(colOfferings), offeringID, capacityFields, "offering capacity",
		func(d *capacityDoc) int64 { return d.Version },
		func(d *capacityDoc) (bson.D, error) {
			write, err := change(d)
			if err != nil || !write {
				return nil, err
			}
			now := db.now()
			d.dropPast(now)
			return bson.D{{Key: "holders", Value: d.Holders}, {Key: "left", Value: d.left(now)}, {Key: "updated_at", Value: now.UTC()},
				{Key: "indexed", Value: false}}, nil
		},
		domain.Errorf(domain.ECONFLICT, "服务名额正被频繁变动，请重试 / the offering is busy, try again"))
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
		if d.used(db.now()) >= d.Capacity {
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
// the place was given when it was accepted; Left stays at 0) — a completed
// one marked with when it ended, so that it stops counting when the period
// turns over —, any other holds none.
func (db *DB) followCapacity(ctx context.Context, r domain.Referral) error {
	if r.Target != domain.TargetOffering || r.OfferingID == "" {
		return nil
	}
	if !domain.TakesCapacity(r.Target, r.State) {
		return db.returnCapacity(ctx, r.OfferingID, r.ID)
	}
	ended := serviceEnded(r)
	err := db.rewriteHolders(ctx, r.OfferingID, func(d *capacityDoc) (bool, error) {
		i := slices.IndexFunc(d.Holders, func(h capacityHolder) bool { return h.ReferralID == r.ID })
		switch {
		case i < 0 && !ended.IsZero() && ended.Before(d.periodStart(db.now())):
			return false, nil // ended in a past period: uses no place now
		case i < 0:
			d.Holders = append(d.Holders, capacityHolder{ReferralID: r.ID, At: db.now().UTC(), Ended: ended})
			return true, nil
		case !d.Holders[i].Ended.Equal(ended):
			d.Holders[i].Ended = ended
			return true, nil
		}
		return false, nil
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	}
	return err
}

// serviceEnded is when a referral's service was completed (the move into
// completed), zero while it is not.
func serviceEnded(r domain.Referral) time.Time {
	if r.State != domain.ReferralCompleted && r.State != domain.ReferralRated {
		return time.Time{}
	}
	for i := len(r.History) - 1; i >= 0; i-- {
		if r.History[i].To == domain.ReferralCompleted {
			return r.History[i].At.UTC()
		}
	}
	return r.EnteredAt().UTC()
}

// capacityGrace is how long a holder or a held referral may disagree before
// the sweeper repairs it: an acceptance in flight holds its place a moment
// before the referral moves.
const capacityGrace = 5 * time.Minute

// repairCapacity makes every offering's holders equal the referrals in
// capacity-taking states (past the grace period), and Left equal to what
// they leave; it returns how many offerings it corrected.
func (db *DB) repairCapacity(ctx context.Context) (int, error) {
	held := map[string]map[string]heldBy{} // offering → referral → when it entered its state, when it ended
	for _, s := range domain.ReferralStates(domain.TargetOffering) {
		if !domain.TakesCapacity(domain.TargetOffering, s) {
			continue
		}
		docs, err := findDocs[referralDoc](ctx, db.r.Collection(colReferrals), "capacity referrals",
			bson.D{{Key: "target", Value: string(domain.TargetOffering)}, {Key: "state", Value: string(s)}},
			options.Find().SetProjection(bson.D{{Key: "offering_id", Value: 1}, {Key: "state", Value: 1}, {Key: "history", Value: 1}, {Key: "created_at", Value: 1}}))
		if err != nil {
			return 0, err
		}
		for _, d := range docs {
			if held[d.OfferingID] == nil {
				held[d.OfferingID] = map[string]heldBy{}
			}
			r := d.referral()
			held[d.OfferingID][d.ID] = heldBy{at: r.EnteredAt(), ended: serviceEnded(r)}
		}
	}
	offerings, err := findDocs[capacityDoc](ctx, db.r.Collection(colOfferings), "offering capacity", bson.D{},
		options.Find().SetProjection(capacityFields))
	if err != nil {
		return 0, err
	}
	now := db.now()
	cutoff := now.Add(-capacityGrace)
	fixed := 0
	for _, o := range offerings {
		want := held[o.ID]
		if !capacityDrift(o, want, now, cutoff) {
			continue
		}
		err := db.rewriteHolders(ctx, o.ID, func(d *capacityDoc) (bool, error) {
			d.Holders = repairedHolders(d.Holders, want, d.periodStart(now), cutoff)
			return true, nil
		})
		if err != nil {
			return fixed, err
		}
		fixed++
	}
	return fixed, nil
}

// heldBy is what the sweeper reads of a referral holding a place.
type heldBy struct{ at, ended time.Time }

// capacityDrift reports whether an offering's holders or Left disagree
// with the referrals that hold it (beyond the grace period) or with the
// current period (a holder of a past period, a Left of one).
func capacityDrift(o capacityDoc, want map[string]heldBy, now, cutoff time.Time) bool {
	start := o.periodStart(now)
	repaired := repairedHolders(slices.Clone(o.Holders), want, start, cutoff)
	return len(repaired) != len(o.Holders) || o.Left != o.left(now) ||
		slices.ContainsFunc(repaired, func(h capacityHolder) bool {
			i := slices.IndexFunc(o.Holders, func(g capacityHolder) bool { return g.ReferralID == h.ReferralID })
			return i < 0 || !o.Holders[i].Ended.Equal(h.Ended)
		})
}

// repairedHolders drops holders no referral justifies and adds referrals
// that hold no place, each only once older than cutoff; marks when each
// held service ended; and leaves out what ended before the period start.
func repairedHolders(hs []capacityHolder, want map[string]heldBy, start, cutoff time.Time) []capacityHolder {
	out := slices.DeleteFunc(hs, func(h capacityHolder) bool {
		_, ok := want[h.ReferralID]
		return !ok && h.At.Before(cutoff)
	})
	for i, h := range out {
		if w, ok := want[h.ReferralID]; ok {
			out[i].Ended = w.ended
		}
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if w := want[id]; w.at.Before(cutoff) && !slices.ContainsFunc(out, func(h capacityHolder) bool { return h.ReferralID == id }) {
			out = append(out, capacityHolder{ReferralID: id, At: w.at.UTC(), Ended: w.ended})
		}
	}
	return slices.DeleteFunc(out, func(h capacityHolder) bool { return !h.counts(start) })
}
