package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const colComplaints = "complaints"

// complaintDoc is a complaint with its place scope fields.
type complaintDoc struct {
	ID          string                                      `bson:"_id"`
	ProviderID  string                                      `bson:"provider_id"`
	ReferralID  string                                      `bson:"referral_id"`
	HouseholdID string                                      `bson:"household_id"`
	Place       string                                      `bson:"place"`
	District    string                                      `bson:"district"`
	Street      string                                      `bson:"street"`
	Community   string                                      `bson:"community"`
	Source      string                                      `bson:"source"`
	Category    string                                      `bson:"category"`
	Text        string                                      `bson:"text"`
	State       string                                      `bson:"state"`
	Finding     string                                      `bson:"finding"`
	DecidedAt   time.Time                                   `bson:"decided_at"`
	FiledBy     string                                      `bson:"filed_by"`
	FiledAt     time.Time                                   `bson:"filed_at"`
	History     []domain.StateChange[domain.ComplaintState] `bson:"history"`
	UpdatedAt   time.Time                                   `bson:"updated_at"`
	Version     int64                                       `bson:"version"`
	// LightPending marks a decision whose effect on the provider's traffic
	// light has not been applied yet: it is set in the same update as the
	// decision and cleared once the light was recomputed, so a crash between
	// the two is found and repaired (PendingLightComplaints).
	LightPending bool `bson:"light_pending"`
}

func complaintToDoc(c domain.Complaint) complaintDoc {
	s := scopeOf(c.Place)
	return complaintDoc{ID: c.ID, ProviderID: c.ProviderID, ReferralID: c.ReferralID, HouseholdID: c.HouseholdID,
		Place: c.Place, District: s.District, Street: s.Street, Community: s.Community, Source: string(c.Source),
		Category: string(c.Category), Text: c.Text, State: string(c.State), Finding: c.Finding, DecidedAt: c.DecidedAt.UTC(),
		FiledBy: c.FiledBy, FiledAt: c.FiledAt.UTC(), History: c.History, UpdatedAt: c.UpdatedAt.UTC(), Version: c.Version}
}

func (d complaintDoc) complaint() domain.Complaint {
	h := make([]domain.StateChange[domain.ComplaintState], len(d.History))
	for i, x := range d.History {
		x.At = x.At.UTC()
		h[i] = x
	}
	return domain.Complaint{ID: d.ID, ProviderID: d.ProviderID, ReferralID: d.ReferralID, HouseholdID: d.HouseholdID,
		Place: d.Place, Source: domain.ComplaintSource(d.Source), Category: domain.ComplaintCategory(d.Category), Text: d.Text,
		State: domain.ComplaintState(d.State), Finding: d.Finding, DecidedAt: d.DecidedAt.UTC(), FiledBy: d.FiledBy,
		FiledAt: d.FiledAt.UTC(), History: h, UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version}
}

func complaintID(d complaintDoc) string { return d.ID }

// CreateComplaint stores a new complaint (filed with domain.Complaint.File)
// and sets its ID and version.
func (db *DB) CreateComplaint(ctx context.Context, c *domain.Complaint) error {
	c.ID, c.Version = newID(), 1
	_, err := db.w.Collection(colComplaints).InsertOne(ctx, complaintToDoc(*c))
	return translate("create complaint", err)
}

// Complaint returns one complaint, or ENOTFOUND.
func (db *DB) Complaint(ctx context.Context, id string) (domain.Complaint, error) {
	return getOne(ctx, db, colComplaints, "get complaint", id, complaintDoc.complaint)
}

// ComplaintFilter selects complaints for ListComplaints.
type ComplaintFilter struct {
	Within     string // place scope ("" = all)
	ProviderID string
	State      domain.ComplaintState
	After      string
	Limit      int
}

// ListComplaints returns a page of complaints sorted by id (filing order)
// and the next cursor.
func (db *DB) ListComplaints(ctx context.Context, f ComplaintFilter) ([]domain.Complaint, string, error) {
	filter := withEqual(scopeFilter(f.Within), "provider_id", f.ProviderID, "state", string(f.State))
	docs, next, err := listPage(ctx, db.r.Collection(colComplaints), "list complaints", []bson.D{filter}, f.After, f.Limit, complaintID)
	return mapDocs(docs, complaintDoc.complaint), next, err
}

// ProviderComplaints returns every complaint about a provider in a state
// ("" = any), in one read: the evidence of its traffic light.
func (db *DB) ProviderComplaints(ctx context.Context, providerID string, state domain.ComplaintState) ([]domain.Complaint, error) {
	docs, err := findDocs[complaintDoc](ctx, db.r.Collection(colComplaints), "provider complaints",
		withEqual(bson.D{{Key: "provider_id", Value: providerID}}, "state", string(state)))
	return mapDocs(docs, complaintDoc.complaint), err
}

// MoveComplaint writes a complaint that domain.Complaint.Move changed from
// state from, in one update guarded by that state and expectedVersion: a
// complaint moved or edited meanwhile is ECONFLICT and nothing is written;
// a missing one ENOTFOUND. lightPending marks the decision for the traffic
// light (see complaintDoc.LightPending). The version is bumped in c.
func (db *DB) MoveComplaint(ctx context.Context, c *domain.Complaint, from domain.ComplaintState, expectedVersion int64, lightPending bool) error {
	set := bson.D{{Key: "state", Value: string(c.State)}, {Key: "finding", Value: c.Finding},
		{Key: "decided_at", Value: c.DecidedAt.UTC()}, {Key: "history", Value: c.History},
		{Key: "updated_at", Value: c.UpdatedAt.UTC()}, {Key: "version", Value: expectedVersion + 1},
		{Key: "light_pending", Value: lightPending}}
	res, err := db.w.Collection(colComplaints).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: c.ID}, {Key: "state", Value: string(from)}, {Key: "version", Value: expectedVersion}},
		bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return translate("move complaint", err)
	}
	if res.MatchedCount == 0 {
		return db.missingOr(ctx, colComplaints, "move complaint", c.ID,
			domain.Errorf(domain.ECONFLICT, "投诉状态已变化，请刷新后重试 / the complaint changed since you read it"))
	}
	c.Version = expectedVersion + 1
	return nil
}

// PendingLightComplaints returns the complaints whose decision still waits
// to be applied to their provider's light (a crash, or a failed recompute).
func (db *DB) PendingLightComplaints(ctx context.Context) ([]domain.Complaint, error) {
	docs, err := findDocs[complaintDoc](ctx, db.r.Collection(colComplaints), "pending light complaints",
		bson.D{{Key: "light_pending", Value: true}}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	return mapDocs(docs, complaintDoc.complaint), err
}

// ClearComplaintLightPending records that the complaint's decision reached
// its provider's light. Clearing one already clear is a no-op.
func (db *DB) ClearComplaintLightPending(ctx context.Context, id string) error {
	_, err := db.w.Collection(colComplaints).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "light_pending", Value: true}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "light_pending", Value: false}}}})
	return translate("clear complaint light flag", err)
}
