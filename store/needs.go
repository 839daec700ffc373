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
	// Indexed is false until Meilisearch holds this version (outbox.go).
	Indexed bool `bson:"indexed"`
}

// needToDoc builds the document, dirty for search.
func needToDoc(n domain.Need) needDoc {
	s := scopeOf(n.Place)
	return needDoc{ID: n.ID, HouseholdID: n.HouseholdID, MemberID: n.MemberID, Place: n.Place,
		District: s.District, Street: s.Street, Community: s.Community, Item: n.Item, OwnWords: n.OwnWords,
		NeutralNote: n.NeutralNote, Urgency: string(n.Urgency), PreferredTime: n.PreferredTime, Channel: string(n.Channel),
		State: string(n.State), CloseReason: string(n.CloseReason), WarningID: n.WarningID, CreatedBy: n.CreatedBy,
		CreatedAt: n.CreatedAt.UTC(), UpdatedAt: n.UpdatedAt.UTC(), Version: n.Version}
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
	return getOne(ctx, db, colNeeds, "get need", id, needDoc.need)
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
	filter := withEqual(scopeFilter(f.Within), "state", string(f.State), "item", f.Item, "household_id", f.HouseholdID)
	docs, next, err := listPage(ctx, db.r.Collection(colNeeds), "list needs", []bson.D{filter}, f.After, f.Limit, func(d needDoc) string { return d.ID })
	return mapDocs(docs, needDoc.need), next, err
}

// TransitionNeed moves a need from one state to another in one update
// guarded by the expected state; an illegal move or a lost race is
// ECONFLICT and changes nothing.
func (db *DB) TransitionNeed(ctx context.Context, id string, from, to domain.NeedState, reason domain.CloseReason) (domain.Need, error) {
	if !domain.CanTransition(from, to) {
		return domain.Need{}, domain.Errorf(domain.ECONFLICT, "需求不能从 %s 变为 %s / illegal transition", from, to)
	}
	set := bson.D{{Key: "state", Value: string(to)}, {Key: "close_reason", Value: string(reason)},
		{Key: "updated_at", Value: db.now().UTC()}, {Key: "indexed", Value: false}}
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

// followHousehold gives a household's needs its place (a need carries its
// household's place so that scope checks need no join) and marks them for
// re-indexing, bumping their version so that a sync in flight cannot mark
// them clean. Only needs still at another place are touched, so calling it
// after every household update also repairs needs left behind by a crash
// between the household's write and this one.
func (db *DB) followHousehold(ctx context.Context, householdID, place string) error {
	s := scopeOf(place)
	_, err := db.w.Collection(colNeeds).UpdateMany(ctx,
		bson.D{{Key: "household_id", Value: householdID}, {Key: "place", Value: bson.D{{Key: "$ne", Value: place}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "place", Value: place}, {Key: "district", Value: s.District},
			{Key: "street", Value: s.Street}, {Key: "community", Value: s.Community},
			{Key: "updated_at", Value: db.now().UTC()}, {Key: "indexed", Value: false}}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
	return translate("move needs with their household", err)
}
