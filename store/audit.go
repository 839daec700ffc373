package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const colAudit = "audit"

// AuditRecord is one append-only entry of the audit log: every read of a
// full household file, every export, every reveal of an ID number and every
// move of a household. Records are never updated or deleted by the app; they
// are kept at least six months (DOMAIN.md).
type AuditRecord struct {
	ID     string
	At     time.Time
	Actor  string // username
	Role   domain.Role
	Action string // e.g. "household.read", "household.reveal_id", "household.move", "export.needs"
	Target string // e.g. a household id
	// Place is where the target lives, so a coordinator sees the trail of
	// their place.
	Place  string
	Detail string
	IP     string
}

type auditDoc struct {
	ID        string    `bson:"_id"`
	At        time.Time `bson:"at"`
	Actor     string    `bson:"actor"`
	Role      string    `bson:"role"`
	Action    string    `bson:"action"`
	Target    string    `bson:"target"`
	Place     string    `bson:"place"`
	District  string    `bson:"district"`
	Street    string    `bson:"street"`
	Community string    `bson:"community"`
	Detail    string    `bson:"detail"`
	IP        string    `bson:"ip"`
}

// AppendAudit writes one record, setting its ID and time.
func (db *DB) AppendAudit(ctx context.Context, r *AuditRecord) error {
	r.ID, r.At = newID(), db.now().UTC()
	s := scopeOf(r.Place)
	_, err := db.w.Collection(colAudit).InsertOne(ctx, auditDoc{
		ID: r.ID, At: r.At, Actor: r.Actor, Role: string(r.Role), Action: r.Action, Target: r.Target,
		Place: r.Place, District: s.District, Street: s.Street, Community: s.Community, Detail: r.Detail, IP: r.IP,
	})
	return translate("append audit", err)
}

// AuditTrail returns the newest records about places within scope, at most
// limit.
func (db *DB) AuditTrail(ctx context.Context, within string, limit int) ([]AuditRecord, error) {
	filter := scopeFilter(within)
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit))
	cur, err := db.r.Collection(colAudit).Find(ctx, filter, opts)
	if err != nil {
		return nil, translate("audit trail", err)
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("audit trail", err)
	}
	out := make([]AuditRecord, len(docs))
	for i, d := range docs {
		out[i] = AuditRecord{ID: d.ID, At: d.At.UTC(), Actor: d.Actor, Role: domain.Role(d.Role), Action: d.Action,
			Target: d.Target, Place: d.Place, Detail: d.Detail, IP: d.IP}
	}
	return out, nil
}
