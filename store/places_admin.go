package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

func placeToDoc(p domain.Place) placeDoc {
	return placeDoc{Code: p.Code, Name: p.Name, Level: string(p.Level), Parent: p.Parent, Sentinel: p.Sentinel, Lat: p.Lat, Lng: p.Lng}
}

// CreatePlace adds a place (an admin's edit; the caller validated it against
// the tree). A code that exists is ECONFLICT naming the field code.
func (db *DB) CreatePlace(ctx context.Context, p domain.Place) error {
	_, err := db.w.Collection(colPlaces).InsertOne(ctx, placeToDoc(p))
	if isDuplicateKey(err) {
		return fieldConflict("code", "区划代码已存在", "the place code exists")
	}
	return translate("create place", err)
}

// UpdatePlace replaces place old.Code with next if it is still exactly old
// (every field is the guard: places carry no version), else ECONFLICT;
// ENOTFOUND when it does not exist.
func (db *DB) UpdatePlace(ctx context.Context, old, next domain.Place) error {
	d := placeToDoc(old)
	filter := bson.D{{Key: "_id", Value: d.Code}, {Key: "name", Value: d.Name}, {Key: "level", Value: d.Level},
		{Key: "parent", Value: d.Parent}, {Key: "sentinel", Value: d.Sentinel}, {Key: "lat", Value: d.Lat}, {Key: "lng", Value: d.Lng}}
	res, err := db.w.Collection(colPlaces).ReplaceOne(ctx, filter, placeToDoc(next))
	if err != nil {
		return translate("update place", err)
	}
	if res.MatchedCount == 0 {
		return db.missingOr(ctx, colPlaces, "update place", old.Code,
			domain.Errorf(domain.ECONFLICT, "区划已被他人修改，请刷新后重试 / the place changed since you read it"))
	}
	return nil
}
