package store

import (
	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

// scope holds the codes of a place's ancestors. Documents that belong to a
// place carry them as top-level fields so that "everything in this street"
// is an equality filter — the only kind FerretDB pushes down to PostgreSQL
// (a prefix match would scan every document in Go).
type scope struct {
	District  string
	Street    string
	Community string
}

// scopeOf derives the ancestor codes from a place code's digits.
func scopeOf(place string) scope {
	var s scope
	if len(place) < 12 || domain.PlaceLevelOf(place) == "" {
		return s
	}
	s.District = place[:6] + "000000"
	if place[6:9] != "000" {
		s.Street = place[:9] + "000"
	}
	if domain.PlaceLevelOf(place[:12]) == domain.LevelCommunity {
		s.Community = place[:12]
	}
	return s
}

// scopeFilter selects documents within a place ("" = everything).
func scopeFilter(within string) bson.D {
	switch domain.PlaceLevelOf(within) {
	case domain.LevelDistrict:
		return bson.D{{Key: "district", Value: within}}
	case domain.LevelStreet:
		return bson.D{{Key: "street", Value: within}}
	case domain.LevelCommunity:
		return bson.D{{Key: "community", Value: within}}
	case domain.LevelCompound:
		return bson.D{{Key: "place", Value: within}}
	}
	return bson.D{}
}
