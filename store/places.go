package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const colPlaces = "places"

type placeDoc struct {
	Code     string  `bson:"_id"`
	Name     string  `bson:"name"`
	Level    string  `bson:"level"`
	Parent   string  `bson:"parent"`
	Sentinel bool    `bson:"sentinel"`
	Lat      float64 `bson:"lat"`
	Lng      float64 `bson:"lng"`
}

// UpsertPlaces writes places in bulk, replacing those with the same code.
func (db *DB) UpsertPlaces(ctx context.Context, places []domain.Place) error {
	if len(places) == 0 {
		return nil
	}
	models := make([]mongo.WriteModel, 0, len(places))
	for _, p := range places {
		d := placeDoc{Code: p.Code, Name: p.Name, Level: string(p.Level), Parent: p.Parent, Sentinel: p.Sentinel, Lat: p.Lat, Lng: p.Lng}
		models = append(models, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: p.Code}}).SetReplacement(d).SetUpsert(true))
	}
	_, err := db.w.Collection(colPlaces).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return translate("upsert places", err)
}

// Places returns every place, sorted by code.
func (db *DB) Places(ctx context.Context) ([]domain.Place, error) {
	cur, err := db.r.Collection(colPlaces).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, translate("list places", err)
	}
	var docs []placeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list places", err)
	}
	out := make([]domain.Place, len(docs))
	for i, d := range docs {
		out[i] = domain.Place{Code: d.Code, Name: d.Name, Level: domain.PlaceLevel(d.Level), Parent: d.Parent, Sentinel: d.Sentinel, Lat: d.Lat, Lng: d.Lng}
	}
	return out, nil
}
