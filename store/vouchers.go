package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// colVouchers holds the service voucher ledgers: one document per household
// and year ("<household>:<year>"), its entries appended under IDs unique by
// construction (domain.GrantEntryID, ReferralEntryID), so applying an entry
// twice is a no-op. Every write is a rewrite of the entries guarded by the
// version read (retried on a lost race) after domain.VoucherLedger.Append
// checked it: the balance never goes negative, however many referrals
// reserve at once.
const colVouchers = "vouchers"

type voucherDoc struct {
	ID          string                `bson:"_id"`
	HouseholdID string                `bson:"household_id"`
	Year        int                   `bson:"year"`
	Place       string                `bson:"place"`
	District    string                `bson:"district"`
	Street      string                `bson:"street"`
	Community   string                `bson:"community"`
	Entitled    bool                  `bson:"entitled"`
	Entries     []domain.VoucherEntry `bson:"entries"`
	Version     int64                 `bson:"version"`
}

func (d voucherDoc) ledger() domain.VoucherLedger {
	return domain.VoucherLedger{HouseholdID: d.HouseholdID, Year: d.Year, Entries: d.Entries}
}

// voucherLedgerID is the ID of a household's ledger for a year.
func voucherLedgerID(householdID string, year int) string {
	return householdID + ":" + strconv.Itoa(year)
}

// VoucherEntitled reports whether a household gets the service voucher:
// 特困, 低保 and 低保边缘 households (as matching.BuildInstance counts them).
func VoucherEntitled(h domain.Household) bool {
	return h.Has(domain.AssistTekun) || h.Has(domain.AssistDibao) || h.Has(domain.AssistDibaoEdge)
}

// voucherPolicy is the district's voucher: DOMAIN.md's ¥1,000 in stages.
func voucherPolicy() domain.VoucherPolicy { return domain.DefaultVoucherPolicy() }

// withDueGrants returns the ledger with the grants due at now added (for an
// entitled household), and whether any were.
func (db *DB) withDueGrants(d voucherDoc) (domain.VoucherLedger, bool, error) {
	l := d.ledger()
	if !d.Entitled {
		return l, false, nil
	}
	due, err := voucherPolicy().DueGrants(l, SystemActor, db.now().UTC())
	if err != nil {
		return l, false, err
	}
	for _, e := range due {
		if err := l.Append(e); err != nil {
			return l, false, err
		}
	}
	return l, len(due) > 0, nil
}

// readLedger reads a household's ledger for a year, creating it (empty) for
// an entitled household that has none; ok is false for a household with no
// ledger that is not entitled.
func (db *DB) readLedger(ctx context.Context, householdID string, year int) (voucherDoc, bool, error) {
	id := voucherLedgerID(householdID, year)
	for range 3 {
		var d voucherDoc
		err := db.r.Collection(colVouchers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
		if err == nil {
			return d, true, nil
		}
		if domain.ErrorCode(translate("", err)) != domain.ENOTFOUND {
			return d, false, translate("read voucher ledger", err)
		}
		h, err := db.Household(ctx, householdID)
		if err != nil {
			return d, false, err
		}
		if !VoucherEntitled(h) {
			return d, false, nil
		}
		s := scopeOf(h.Place)
		d = voucherDoc{ID: id, HouseholdID: householdID, Year: year, Place: h.Place, District: s.District,
			Street: s.Street, Community: s.Community, Entitled: true, Entries: []domain.VoucherEntry{}, Version: 1}
		if _, err := db.w.Collection(colVouchers).InsertOne(ctx, d); err != nil && !isDuplicateKey(err) {
			return d, false, translate("create voucher ledger", err)
		}
	}
	return voucherDoc{}, false, domain.Errorf(domain.ECONFLICT, "服务券账本正被修改，请重试 / the voucher ledger is busy")
}

// applyVoucher appends the entries not yet in the household's ledger for
// year, after the grants due. An entry the balance cannot take is ECONFLICT
// (nothing written). A household with no ledger that is not entitled can
// take no entries: ECONFLICT "no voucher".
func (db *DB) applyVoucher(ctx context.Context, householdID string, year int, entries []domain.VoucherEntry) error {
	for range guardedRetries {
		d, ok, err := db.readLedger(ctx, householdID, year)
		if err != nil {
			return err
		}
		if !ok {
			if len(entries) == 0 {
				return nil
			}
			return domain.Errorf(domain.ECONFLICT, "该家庭没有服务券 / the household has no service voucher")
		}
		l, changed, err := db.withDueGrants(d)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if slices.ContainsFunc(l.Entries, func(x domain.VoucherEntry) bool { return x.ID == e.ID }) {
				continue
			}
			e.At = e.At.UTC()
			if err := l.Append(e); err != nil {
				return err
			}
			changed = true
		}
		if !changed {
			return nil
		}
		res, err := db.w.Collection(colVouchers).UpdateOne(ctx,
			bson.D{{Key: "_id", Value: d.ID}, {Key: "version", Value: d.Version}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "entries", Value: l.Entries}, {Key: "version", Value: d.Version + 1}}}})
		if err != nil {
			return translate("write voucher ledger", err)
		}
		if res.MatchedCount == 1 {
			return nil
		}
	}
	return domain.Errorf(domain.ECONFLICT, "服务券账本正被频繁修改，请重试 / the voucher ledger is busy, try again")
}

// VoucherLedger returns a household's ledger for a year and its balance,
// granting on the way the stages due (idempotent: each grant's ID is unique).
// A household that is not entitled and has no ledger gets an empty one.
func (db *DB) VoucherLedger(ctx context.Context, householdID string, year int) (domain.VoucherLedger, domain.VoucherBalance, error) {
	if err := db.applyVoucher(ctx, householdID, year, nil); err != nil {
		return domain.VoucherLedger{}, domain.VoucherBalance{}, err
	}
	var d voucherDoc
	err := db.r.Collection(colVouchers).FindOne(ctx, bson.D{{Key: "_id", Value: voucherLedgerID(householdID, year)}}).Decode(&d)
	if domain.ErrorCode(translate("", err)) == domain.ENOTFOUND {
		return domain.VoucherLedger{HouseholdID: householdID, Year: year, Entries: []domain.VoucherEntry{}}, domain.VoucherBalance{}, nil
	}
	if err != nil {
		return domain.VoucherLedger{}, domain.VoucherBalance{}, translate("read voucher ledger", err)
	}
	l := d.ledger()
	b, err := l.Balance()
	return l, b, err
}

// PutVoucherLedger stores a whole ledger as given (the demo loader),
// replacing any stored one; the entries must balance (domain rules). The
// household decides the place scope and the entitlement.
func (db *DB) PutVoucherLedger(ctx context.Context, l domain.VoucherLedger) error {
	if _, err := l.Balance(); err != nil {
		return err
	}
	h, err := db.Household(ctx, l.HouseholdID)
	if err != nil {
		return err
	}
	s := scopeOf(h.Place)
	if l.Entries == nil {
		l.Entries = []domain.VoucherEntry{}
	}
	d := voucherDoc{ID: voucherLedgerID(l.HouseholdID, l.Year), HouseholdID: l.HouseholdID, Year: l.Year, Place: h.Place,
		District: s.District, Street: s.Street, Community: s.Community, Entitled: VoucherEntitled(h), Entries: l.Entries, Version: 1}
	_, err = db.w.Collection(colVouchers).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true))
	return translate("put voucher ledger", err)
}

// ledgersWithin reads the ledgers of a place's households for a year, with
// the grants due now added in memory (nothing is written).
func (db *DB) ledgersWithin(ctx context.Context, within string, year int) ([]domain.VoucherLedger, error) {
	filter := append(scopeFilter(within), bson.E{Key: "year", Value: year})
	docs, err := findDocs[voucherDoc](ctx, db.r.Collection(colVouchers), "voucher ledgers", filter)
	if err != nil {
		return nil, err
	}
	out := make([]domain.VoucherLedger, 0, len(docs))
	for _, d := range docs {
		l, _, err := db.withDueGrants(d)
		if err != nil {
			return nil, fmt.Errorf("store: voucher ledger %s: %w", d.ID, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// VoucherBalanceWithin adds up the year's ledgers of a place's households
// (the dashboard's voucher spend).
func (db *DB) VoucherBalanceWithin(ctx context.Context, within string, year int) (domain.VoucherBalance, error) {
	ls, err := db.ledgersWithin(ctx, within, year)
	var sum domain.VoucherBalance
	if err != nil {
		return sum, err
	}
	for _, l := range ls {
		b, err := l.Balance()
		if err != nil {
			return sum, err
		}
		sum.GrantedFen += b.GrantedFen
		sum.ReservedFen += b.ReservedFen
		sum.SpentFen += b.SpentFen
		sum.LeftFen += b.LeftFen
	}
	return sum, nil
}

// VoucherLeft returns what each household of the place with a ledger for
// the year has left (matching: it overrides the default yearly amount).
func (db *DB) VoucherLeft(ctx context.Context, within string, year int) (map[string]domain.Fen, error) {
	ls, err := db.ledgersWithin(ctx, within, year)
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Fen, len(ls))
	for _, l := range ls {
		b, err := l.Balance()
		if err != nil {
			return nil, err
		}
		out[l.HouseholdID] = b.LeftFen
	}
	return out, nil
}

// releaseOrphanReserves gives back reservations whose referral was never
// stored (a crash between reserving and inserting it, or a lost insert),
// once older than the grace period; it returns how many.
func (db *DB) releaseOrphanReserves(ctx context.Context) (int, error) {
	docs, err := findDocs[voucherDoc](ctx, db.r.Collection(colVouchers), "voucher ledgers", bson.D{})
	if err != nil {
		return 0, err
	}
	cutoff := db.now().Add(-capacityGrace)
	type orphan struct {
		doc   voucherDoc
		entry domain.VoucherEntry
	}
	var candidates []orphan
	var ids []string
	for _, d := range docs {
		ended := map[string]bool{}
		for _, e := range d.Entries {
			if e.Kind == domain.VoucherSpend || e.Kind == domain.VoucherRelease {
				ended[e.ReferralID] = true
			}
		}
		for _, e := range d.Entries {
			if e.Kind == domain.VoucherReserve && !ended[e.ReferralID] && e.At.Before(cutoff) {
				candidates = append(candidates, orphan{d, e})
				ids = append(ids, e.ReferralID)
			}
		}
	}
	if len(candidates) == 0 {
		return 0, nil
	}
	stored, err := db.storedIDs(ctx, colReferrals, ids)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range candidates {
		if stored[c.entry.ReferralID] {
			continue
		}
		r := domain.Referral{ID: c.entry.ReferralID, HouseholdID: c.doc.HouseholdID, VoucherYear: c.doc.Year}
		release := domain.VoucherChange{Release: c.entry.AmountFen}.Entries(r, SystemActor, db.now().UTC())
		if err := db.applyVoucher(ctx, c.doc.HouseholdID, c.doc.Year, release); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
