package store

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const colLightChanges = "light_changes"

// Light change statuses. A change is written as an intent before the
// provider's light is updated and marked applied after, so that a crash in
// between leaves a pending record the reconciler resolves.
const (
	LightPending = "pending"
	LightApplied = "applied"
)

// LightChange is one recorded move of a provider's traffic light.
type LightChange struct {
	domain.LightChange
	// ID is "<provider>:<version>": one intent per provider version, so a
	// retried recompute of the same version replaces its own intent.
	ID string
	// FromVersion is the provider's version the change was computed at; the
	// update that applies it moves the provider to FromVersion+1.
	FromVersion int64
	Figures     domain.LightFigures
	Status      string
}

// LightChangeID is the ID of the change computed at a provider version.
func LightChangeID(providerID string, version int64) string {
	return providerID + ":" + strconv.FormatInt(version, 10)
}

type lightChangeDoc struct {
	ID          string               `bson:"_id"`
	ProviderID  string               `bson:"provider_id"`
	From        string               `bson:"from"`
	To          string               `bson:"to"`
	Reasons     []domain.LightReason `bson:"reasons"`
	Figures     domain.LightFigures  `bson:"figures"`
	At          time.Time            `bson:"at"`
	FromVersion int64                `bson:"from_version"`
	Status      string               `bson:"status"`
}

func (d lightChangeDoc) change() LightChange {
	return LightChange{ID: d.ID, FromVersion: d.FromVersion, Figures: d.Figures, Status: d.Status,
		LightChange: domain.LightChange{ProviderID: d.ProviderID, From: domain.TrafficLight(d.From), To: domain.TrafficLight(d.To),
			Reasons: d.Reasons, At: d.At.UTC()}}
}

// RecordLightIntent writes a pending change under its ID, replacing a
// pending intent of the same provider version left by an earlier attempt.
// It sets the ID and status in ch.
func (db *DB) RecordLightIntent(ctx context.Context, ch *LightChange) error {
	ch.ID, ch.Status = LightChangeID(ch.ProviderID, ch.FromVersion), LightPending
	d := lightChangeDoc{ID: ch.ID, ProviderID: ch.ProviderID, From: string(ch.From), To: string(ch.To), Reasons: ch.Reasons,
		Figures: ch.Figures, At: ch.At.UTC(), FromVersion: ch.FromVersion, Status: ch.Status}
	_, err := db.w.Collection(colLightChanges).ReplaceOne(ctx,
		bson.D{{Key: "_id", Value: ch.ID}, {Key: "status", Value: LightPending}}, d, options.Replace().SetUpsert(true))
	if isDuplicateKey(err) {
		// The upsert met an applied change of the same ID: the provider moved
		// past this version already, so the caller read a stale provider.
		return domain.Errorf(domain.ECONFLICT, "信用灯已由他人更新 / the light changed meanwhile")
	}
	return translate("record light change", err)
}

// MarkLightApplied marks a pending change applied; an applied one stays so.
func (db *DB) MarkLightApplied(ctx context.Context, id string) error {
	_, err := db.w.Collection(colLightChanges).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: LightPending}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: LightApplied}}}})
	return translate("mark light change applied", err)
}

// DropLightIntent deletes a pending change that was never applied.
func (db *DB) DropLightIntent(ctx context.Context, id string) error {
	_, err := db.w.Collection(colLightChanges).DeleteOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: LightPending}})
	return translate("drop light change", err)
}

// PendingLightChanges returns the intents not yet resolved.
func (db *DB) PendingLightChanges(ctx context.Context) ([]LightChange, error) {
	docs, err := findDocs[lightChangeDoc](ctx, db.r.Collection(colLightChanges), "pending light changes",
		bson.D{{Key: "status", Value: LightPending}})
	return mapDocs(docs, lightChangeDoc.change), err
}

// LightChanges returns a provider's applied changes, newest first, at most
// limit (all when limit ≤ 0).
func (db *DB) LightChanges(ctx context.Context, providerID string, limit int) ([]LightChange, error) {
	docs, err := findDocs[lightChangeDoc](ctx, db.r.Collection(colLightChanges), "light changes",
		bson.D{{Key: "provider_id", Value: providerID}, {Key: "status", Value: LightApplied}})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(docs, func(a, b lightChangeDoc) int {
		return cmp.Or(b.At.Compare(a.At), cmp.Compare(b.FromVersion, a.FromVersion))
	})
	if limit > 0 && len(docs) > limit {
		docs = docs[:limit]
	}
	return mapDocs(docs, lightChangeDoc.change), nil
}

// LitProviders returns the providers whose light a recompute has changed at
// least once, sorted, in one aggregation.
func (db *DB) LitProviders(ctx context.Context) ([]string, error) {
	type group struct {
		ProviderID string `bson:"_id"`
	}
	rows, err := aggregate[group](ctx, db.r.Collection(colLightChanges), "lit providers", mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "status", Value: LightApplied}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$provider_id"}}}},
	})
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ProviderID
	}
	slices.Sort(out)
	return out, err
}
