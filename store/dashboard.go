package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// The dashboard's reads: bulk reads with equality filters and projections,
// and aggregations with $match and a $group on one key (both MongoDB and
// FerretDB 1.24 run them).

// aggregate runs a pipeline on the read pool and decodes every result.
func aggregate[D any](ctx context.Context, col *mongo.Collection, op string, pipeline mongo.Pipeline) ([]D, error) {
	cur, err := col.Aggregate(ctx, pipeline)
	if err != nil {
		return nil, translate(op, err)
	}
	var out []D
	if err := cur.All(ctx, &out); err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}

// NeedFact is what the dashboard counts of a need.
type NeedFact struct {
	ID          string
	State       domain.NeedState
	Item        string
	CloseReason domain.CloseReason
	Community   string
	CreatedAt   time.Time
}

// NeedFacts returns the state, item, close reason, community and creation
// time of every need within a place, in one read, for counting in Go. (A
// $group on the four keys costs FerretDB 1.24 time that grows faster than
// the needs: measured 1.1 s for a street's 776 needs and 53 s for the demo
// district's 5,076, against 8 s for this read, on a loaded machine.)
func (db *DB) NeedFacts(ctx context.Context, within string) ([]NeedFact, error) {
	type doc struct {
		ID          string    `bson:"_id"`
		State       string    `bson:"state"`
		Item        string    `bson:"item"`
		CloseReason string    `bson:"close_reason"`
		Community   string    `bson:"community"`
		CreatedAt   time.Time `bson:"created_at"`
	}
	docs, err := findDocs[doc](ctx, db.r.Collection(colNeeds), "need facts", scopeFilter(within),
		options.Find().SetProjection(bson.D{{Key: "state", Value: 1}, {Key: "item", Value: 1}, {Key: "close_reason", Value: 1},
			{Key: "community", Value: 1}, {Key: "created_at", Value: 1}}))
	out := make([]NeedFact, len(docs))
	for i, d := range docs {
		out[i] = NeedFact{ID: d.ID, State: domain.NeedState(d.State), Item: d.Item, CloseReason: domain.CloseReason(d.CloseReason),
			Community: d.Community, CreatedAt: d.CreatedAt.UTC()}
	}
	return out, err
}

// ProviderLightCounts counts the providers based within a place by traffic
// light: one count per light, equality filters FerretDB pushes down to
// PostgreSQL (a $group would fetch every provider document).
func (db *DB) ProviderLightCounts(ctx context.Context, within string) (map[domain.TrafficLight]int, error) {
	out := map[domain.TrafficLight]int{}
	for _, l := range []domain.TrafficLight{domain.LightGreen, domain.LightYellow, domain.LightRed} {
		n, err := db.r.Collection(colProviders).CountDocuments(ctx, withEqual(scopeFilter(within), "traffic_light", string(l)))
		if err != nil {
			return nil, translate("count provider lights", err)
		}
		out[l] = int(n)
	}
	return out, nil
}

// RunNeedIDs returns the needs a run proposed a service for.
func (db *DB) RunNeedIDs(ctx context.Context, runID string) (map[string]bool, error) {
	type doc struct {
		NeedID string `bson:"need_id"`
	}
	docs, err := findDocs[doc](ctx, db.r.Collection(colProposals), "run proposals",
		bson.D{{Key: "run_id", Value: runID}, {Key: "kind", Value: string(domain.ProposalService)}},
		options.Find().SetProjection(bson.D{{Key: "need_id", Value: 1}}))
	out := make(map[string]bool, len(docs))
	for _, d := range docs {
		out[d.NeedID] = true
	}
	return out, err
}

// LatestRunOver returns the newest finished run over the place or a place
// containing it (a district run covers its streets), or ENOTFOUND.
func (db *DB) LatestRunOver(ctx context.Context, place string) (Run, error) {
	var best runDoc
	for _, code := range placeUp(place) {
		docs, err := findDocs[runDoc](ctx, db.r.Collection(colRuns), "latest run",
			bson.D{{Key: "place", Value: code}, {Key: "status", Value: RunDone}})
		if err != nil {
			return Run{}, err
		}
		for _, d := range docs {
			if d.FinishedAt.After(best.FinishedAt) {
				best = d
			}
		}
	}
	if best.ID == "" {
		return Run{}, domain.Errorf(domain.ENOTFOUND, "未找到 / no finished run")
	}
	return best.run(), nil
}

// HouseholdsWithin returns the household files within a place in one bulk
// read (ID numbers stay sealed: evaluation does not need them).
func (db *DB) HouseholdsWithin(ctx context.Context, within string) ([]domain.Household, error) {
	return readAll(ctx, db, colHouseholds, scopeFilter(within), householdDoc.household)
}

// VolunteerMinutes sums the minutes volunteers recorded on the tasks within
// a place that were checked out (done or confirmed), in one aggregation.
func (db *DB) VolunteerMinutes(ctx context.Context, within string) (int64, error) {
	type group struct {
		State   string `bson:"_id"`
		Minutes int64  `bson:"minutes"`
	}
	rows, err := aggregate[group](ctx, db.r.Collection(colTasks), "sum volunteer minutes", mongo.Pipeline{
		{{Key: "$match", Value: scopeFilter(within)}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$state"}, {Key: "minutes", Value: bson.D{{Key: "$sum", Value: "$minutes"}}}}}},
	})
	var total int64
	for _, r := range rows {
		if r.State == string(domain.TaskDone) || r.State == string(domain.TaskConfirmed) {
			total += r.Minutes
		}
	}
	return total, err
}
