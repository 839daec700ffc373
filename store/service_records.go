package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// colServiceRecords holds service records (服务记录): what a provider
// delivered on an offering referral in service. A record counts once its
// referral lists it (record_ids, in the referral's own guarded update);
// until then it is stored with counted false, and the sweeper either marks
// it counted (the referral lists it: a crash after the referral's update) or
// deletes it (the referral never took it). Readers see counted records only.
const colServiceRecords = "service_records"

type serviceRecordDoc struct {
	ID          string         `bson:"_id"`
	ReferralID  string         `bson:"referral_id"`
	TaskID      string         `bson:"task_id"`
	HouseholdID string         `bson:"household_id"`
	MemberID    string         `bson:"member_id"`
	ProviderID  string         `bson:"provider_id"`
	OfferingID  string         `bson:"offering_id"`
	Item        string         `bson:"item"`
	Date        time.Time      `bson:"date"`
	Minutes     int            `bson:"minutes"`
	Units       int            `bson:"units"`
	WhatWasDone string         `bson:"what_was_done"`
	Worker      string         `bson:"worker"`
	Rating      *domain.Rating `bson:"rating"`
	VoucherFen  domain.Fen     `bson:"voucher_fen"`
	OtherFen    domain.Fen     `bson:"other_fen"`
	ConfirmedAt time.Time      `bson:"confirmed_at"`
	Confirmed   bool           `bson:"confirmed"`
	StatementID string         `bson:"statement_id"`
	RecordedBy  string         `bson:"recorded_by"`
	CreatedAt   time.Time      `bson:"created_at"`
	Counted     bool           `bson:"counted"`
}

func recordToDoc(s domain.ServiceRecord, counted bool) serviceRecordDoc {
	return serviceRecordDoc{ID: s.ID, ReferralID: s.ReferralID, TaskID: s.TaskID, HouseholdID: s.HouseholdID,
		MemberID: s.MemberID, ProviderID: s.ProviderID, OfferingID: s.OfferingID, Item: s.Item, Date: s.Date.UTC(),
		Minutes: s.Minutes, Units: s.Units, WhatWasDone: s.WhatWasDone, Worker: s.Worker, Rating: s.Rating,
		VoucherFen: s.VoucherFen, OtherFen: s.OtherFen, ConfirmedAt: s.ConfirmedAt.UTC(), Confirmed: !s.ConfirmedAt.IsZero(),
		StatementID: s.StatementID, RecordedBy: s.RecordedBy, CreatedAt: s.CreatedAt.UTC(), Counted: counted}
}

func (d serviceRecordDoc) record() domain.ServiceRecord {
	confirmed := time.Time{}
	if d.Confirmed {
		confirmed = d.ConfirmedAt.UTC()
	}
	return domain.ServiceRecord{ID: d.ID, ReferralID: d.ReferralID, TaskID: d.TaskID, HouseholdID: d.HouseholdID,
		MemberID: d.MemberID, ProviderID: d.ProviderID, OfferingID: d.OfferingID, Item: d.Item, Date: d.Date.UTC(),
		Minutes: d.Minutes, Units: d.Units, WhatWasDone: d.WhatWasDone, Worker: d.Worker, Rating: d.Rating,
		VoucherFen: d.VoucherFen, OtherFen: d.OtherFen, ConfirmedAt: confirmed, StatementID: d.StatementID,
		RecordedBy: d.RecordedBy, CreatedAt: d.CreatedAt.UTC()}
}

// AddServiceRecord stores a service record of an in-service offering
// referral (price it and Validate it first) and counts it on the referral
// (domain.Referral.AddService: ECONFLICT when the referral is not in service
// or the record would use more voucher than it reserved). It sets the
// record's ID and creation time and returns the referral as counted.
func (db *DB) AddServiceRecord(ctx context.Context, rec *domain.ServiceRecord) (domain.Referral, error) {
	if rec.ID == "" {
		rec.ID = newID()
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = db.now().UTC()
	}
	col := db.w.Collection(colServiceRecords)
	if _, err := col.InsertOne(ctx, recordToDoc(*rec, false)); err != nil {
		return domain.Referral{}, translate("add service record", err)
	}
	r, err := db.countService(ctx, *rec)
	if err != nil {
		_, _ = col.DeleteOne(ctx, bson.D{{Key: "_id", Value: rec.ID}, {Key: "counted", Value: false}})
		return domain.Referral{}, err
	}
	_, err = col.UpdateOne(ctx, bson.D{{Key: "_id", Value: rec.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "counted", Value: true}}}})
	return r, translate("count service record", err)
}

// InsertServiceRecords stores records in bulk as given (the demo loader),
// counted; those whose ID exists already are skipped. It returns how many
// were new.
func (db *DB) InsertServiceRecords(ctx context.Context, rs []domain.ServiceRecord) (int, error) {
	n, _, err := insertValues(ctx, db, colServiceRecords, "insert service records", rs, func(x *domain.ServiceRecord) any {
		if x.ID == "" {
			x.ID = newID()
		}
		if x.CreatedAt.IsZero() {
			x.CreatedAt = db.now().UTC()
		}
		return recordToDoc(*x, true)
	})
	return n, err
}

func (db *DB) countedRecords(ctx context.Context, op, field, value string) ([]domain.ServiceRecord, error) {
	docs, err := findDocs[serviceRecordDoc](ctx, db.r.Collection(colServiceRecords), op,
		bson.D{{Key: field, Value: value}, {Key: "counted", Value: true}}, options.Find().SetSort(bson.D{{Key: "date", Value: 1}}))
	return mapDocs(docs, serviceRecordDoc.record), err
}

// ReferralServiceRecords returns a referral's service records, oldest first.
func (db *DB) ReferralServiceRecords(ctx context.Context, referralID string) ([]domain.ServiceRecord, error) {
	return db.countedRecords(ctx, "referral service records", "referral_id", referralID)
}

// ProviderServiceRecords returns every service record of a provider
// (monthly statements).
func (db *DB) ProviderServiceRecords(ctx context.Context, providerID string) ([]domain.ServiceRecord, error) {
	return db.countedRecords(ctx, "provider service records", "provider_id", providerID)
}

// SettleServiceRecords sets the statement ID of the named records that have
// none (a record already settled keeps its statement).
func (db *DB) SettleServiceRecords(ctx context.Context, statementID string, recordIDs []string) error {
	if len(recordIDs) == 0 {
		return nil
	}
	_, err := db.w.Collection(colServiceRecords).UpdateMany(ctx,
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: recordIDs}}}, {Key: "statement_id", Value: ""}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "statement_id", Value: statementID}}}})
	return translate("settle service records", err)
}

// confirmRecords marks a completed referral's records confirmed at its
// completion (idempotent: confirmed ones keep their time).
func (db *DB) confirmRecords(ctx context.Context, referralID string, at time.Time) error {
	_, err := db.w.Collection(colServiceRecords).UpdateMany(ctx,
		bson.D{{Key: "referral_id", Value: referralID}, {Key: "confirmed", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "confirmed", Value: true}, {Key: "confirmed_at", Value: at.UTC()}}}})
	return translate("confirm service records", err)
}

// repairRecords settles records a crash left uncounted, past the grace
// period: counted when their referral lists them, deleted when it does not.
// It returns how many it repaired.
func (db *DB) repairRecords(ctx context.Context) (int, error) {
	col := db.w.Collection(colServiceRecords)
	docs, err := findDocs[serviceRecordDoc](ctx, db.r.Collection(colServiceRecords), "uncounted service records",
		bson.D{{Key: "counted", Value: false}})
	if err != nil {
		return 0, err
	}
	cutoff := db.now().Add(-capacityGrace)
	n := 0
	for _, d := range docs {
		if !d.CreatedAt.Before(cutoff) {
			continue
		}
		ref, err := db.storedReferral(ctx, d.ReferralID)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return n, err
		}
		listed := err == nil && slices.Contains(ref.RecordIDs, d.ID)
		if listed {
			_, err = col.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "counted", Value: true}}}})
		} else {
			_, err = col.DeleteOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "counted", Value: false}})
		}
		if err != nil {
			return n, translate("repair service record", err)
		}
		n++
	}
	return n, nil
}
