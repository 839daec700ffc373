package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const colNeeds = "needs"

type needDoc struct {
	ID            string    `bson:"_id"`
	HouseholdID   string    `bson:"household_id"`
	MemberID      string    `bson:"member_id"`
	Place         string    `bson:"place"`
	District      string    `bson:"district"`
	Street        string    `bson:"street"`
	Community     string    `bson:"community"`
	Item          string    `bson:"item"`
	OwnWords      string    `bson:"own_words"`
	NeutralNote   string    `bson:"neutral_note"`
	Urgency       string    `bson:"urgency"`
	PreferredTime string    `bson:"preferred_time"`
	Channel       string    `bson:"channel"`
	State         string    `bson:"state"`
	CloseReason   string    `bson:"close_reason"`
	WarningID     string    `bson:"warning_id"`
	CreatedBy     string    `bson:"created_by"`
	CreatedAt     time.Time `bson:"created_at"`
	UpdatedAt     time.Time `bson:"updated_at"`
	Version       int64     `bson:"version"`
}

func needToDoc(n domain.Need) needDoc {
	s := scopeOf(n.Place)
	return needDoc{ID: n.ID, HouseholdID: n.HouseholdID, MemberID: n.MemberID, Place: n.Place,
		District: s.District, Street: s.Street, Community: s.Community, Item: n.Item, OwnWords: n.OwnWords,
		NeutralNote: n.NeutralNote, Urgency: string(n.Urgency), PreferredTime: n.PreferredTime, Channel: string(n.Channel),
		State: string(n.State), CloseReason: string(n.CloseReason), WarningID: n.WarningID, CreatedBy: n.CreatedBy,
		CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, Version: n.Version}
}

func (d needDoc) need() domain.Need {
	return domain.Need{ID: d.ID, HouseholdID: d.HouseholdID, MemberID: d.MemberID, Place: d.Place, Item: d.Item,
		OwnWords: d.OwnWords, NeutralNote: d.NeutralNote, Urgency: domain.Urgency(d.Urgency), PreferredTime: d.PreferredTime,
		Channel: domain.NeedChannel(d.Channel), State: domain.NeedState(d.State), CloseReason: domain.CloseReason(d.CloseReason),
		WarningID: d.WarningID, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version}
}

// CreateNeed stores a new need in state open and sets its ID, version and
// times.
func (db *DB) CreateNeed(ctx context.Context, n *domain.Need) error {
	now := db.now().UTC()
	n.ID, n.State, n.Version, n.CreatedAt, n.UpdatedAt = newID(), domain.NeedOpen, 1, now, now
	_, err := db.w.Collection(colNeeds).InsertOne(ctx, needToDoc(*n))
	return translate("create need", err)
}

// Need returns one need, or ENOTFOUND.
func (db *DB) Need(ctx context.Context, id string) (domain.Need, error) {
	var d needDoc
	if err := db.r.Collection(colNeeds).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return domain.Need{}, translate("get need", err)
	}
	return d.need(), nil
}

// NeedFilter selects needs for ListNeeds.
type NeedFilter struct {
	Within      string
	State       domain.NeedState
	Item        string
	HouseholdID string
	After       string
	Limit       int
}

// ListNeeds returns a page of needs sorted by id and the next cursor.
func (db *DB) ListNeeds(ctx context.Context, f NeedFilter) ([]domain.Need, string, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	filter := scopeFilter(f.Within)
	for _, kv := range []struct{ k, v string }{{"state", string(f.State)}, {"item", f.Item}, {"household_id", f.HouseholdID}} {
		if kv.v != "" {
			filter = append(filter, bson.E{Key: kv.k, Value: kv.v})
		}
	}
	if f.After != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: f.After}}})
	}
	cur, err := db.r.Collection(colNeeds).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(f.Limit+1)))
	if err != nil {
		return nil, "", translate("list needs", err)
	}
	var docs []needDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", translate("list needs", err)
	}
	docs, next := page(docs, f.Limit, func(d needDoc) string { return d.ID })
	out := make([]domain.Need, len(docs))
	for i, d := range docs {
		out[i] = d.need()
	}
	return out, next, nil
}

// TransitionNeed moves a need from one state to another in one update
// guarded by the expected state; an illegal move or a lost race is
// ECONFLICT and changes nothing.
func (db *DB) TransitionNeed(ctx context.Context, id string, from, to domain.NeedState, reason domain.CloseReason) (domain.Need, error) {
	if !domain.CanTransition(from, to) {
		return domain.Need{}, domain.Errorf(domain.ECONFLICT, "需求不能从 %s 变为 %s / illegal transition", from, to)
	}
	set := bson.D{{Key: "state", Value: string(to)}, {Key: "close_reason", Value: string(reason)}, {Key: "updated_at", Value: db.now().UTC()}}
	var d needDoc
	err := db.w.Collection(colNeeds).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "state", Value: string(from)}},
		bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err == nil {
		return d.need(), nil
	}
	if domain.ErrorCode(translate("", err)) != domain.ENOTFOUND {
		return domain.Need{}, translate("transition need", err)
	}
	if _, gerr := db.Need(ctx, id); gerr != nil {
		return domain.Need{}, gerr
	}
	return domain.Need{}, domain.Errorf(domain.ECONFLICT, "需求状态已变化 / the need is no longer %s", from)
}
