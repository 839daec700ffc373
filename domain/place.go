package domain

import (
	"sort"
	"strconv"
	"strings"
)

// PlaceLevel is a level of the place tree.
type PlaceLevel string

// Place levels, from the largest to the smallest.
const (
	LevelDistrict  PlaceLevel = "district"  // 区: 6-digit prefix, code padded to 12 digits
	LevelStreet    PlaceLevel = "street"    // 街道: 9 significant digits
	LevelCommunity PlaceLevel = "community" // 社区: 12 digits
	LevelCompound  PlaceLevel = "compound"  // 小区院落: community code + 3-digit suffix (15 digits)
)

// Place is a node of the district → street → community → compound tree,
// identified by its statistical division code (统计用区划代码).
type Place struct {
	Code   string     `json:"code"`
	Name   string     `json:"name"`
	Level  PlaceLevel `json:"level"`
	Parent string     `json:"parent,omitempty"`
	// Sentinel marks a compound that hosts a need sentinel (需求哨点).
	Sentinel bool `json:"sentinel,omitempty"`
	// Lat and Lng approximate the place's centre (WGS-84), for distances.
	Lat float64 `json:"lat,omitempty"`
	Lng float64 `json:"lng,omitempty"`
}

// PlacePrefix returns the significant prefix of a place code: the digits that
// every code below it shares. A district 610103000000 → "610103", a street
// 610103002000 → "610103002", a community or compound → the code itself.
// Codes are compared by prefix so that scope checks need no tree lookup.
func PlacePrefix(code string) string {
	switch {
	case len(code) == 12 && strings.HasSuffix(code, "000000"):
		return code[:6]
	case len(code) == 12 && strings.HasSuffix(code, "000"):
		return code[:9]
	default:
		return code
	}
}

// PlaceLevelOf infers the level from the shape of a code, or "" when the code
// is malformed.
func PlaceLevelOf(code string) PlaceLevel {
	if !isDigits(code) {
		return ""
	}
	switch len(code) {
	case 12:
		switch {
		case strings.HasSuffix(code, "000000"):
			return LevelDistrict
		case strings.HasSuffix(code, "000"):
			return LevelStreet
		default:
			return LevelCommunity
		}
	case 15:
		return LevelCompound
	}
	return ""
}

// PlaceWithin reports whether place lies in scope (scope itself or below it).
// An empty scope means the whole system (admin).
func PlaceWithin(place, scope string) bool {
	if scope == "" {
		return true
	}
	if place == "" {
		return false
	}
	return strings.HasPrefix(place, PlacePrefix(scope))
}

// Places is an in-memory place tree, loaded once from the store.
type Places struct {
	byCode   map[string]Place
	children map[string][]string
}

// NewPlaces indexes a list of places. It validates that codes are well-formed,
// unique, and that every parent exists.
func NewPlaces(list []Place) (*Places, error) {
	var p Problems
	t := &Places{byCode: make(map[string]Place, len(list)), children: map[string][]string{}}
	for i, pl := range list {
		if PlaceLevelOf(pl.Code) != pl.Level {
			p.Addf(fieldIndex("places", i)+".code", "format", "区划代码 %q 与层级 %s 不符", pl.Code, pl.Level)
			continue
		}
		if _, dup := t.byCode[pl.Code]; dup {
			p.Addf(fieldIndex("places", i)+".code", "unique", "区划代码 %q 重复", pl.Code)
			continue
		}
		t.byCode[pl.Code] = pl
	}
	for i, pl := range list {
		if pl.Parent == "" {
			continue
		}
		if _, ok := t.byCode[pl.Parent]; !ok {
			p.Addf(fieldIndex("places", i)+".parent", "exists", "上级区划 %q 不存在", pl.Parent)
			continue
		}
		t.children[pl.Parent] = append(t.children[pl.Parent], pl.Code)
	}
	for _, c := range t.children {
		sort.Strings(c)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// Get returns the place with the code.
func (t *Places) Get(code string) (Place, bool) {
	pl, ok := t.byCode[code]
	return pl, ok
}

// Children returns the codes directly below code, sorted.
func (t *Places) Children(code string) []string { return t.children[code] }

// Within returns every place in scope (scope included), sorted by code.
func (t *Places) Within(scope string) []Place {
	out := make([]Place, 0, len(t.byCode))
	for code, pl := range t.byCode {
		if PlaceWithin(code, scope) {
			out = append(out, pl)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Len is the number of places.
func (t *Places) Len() int { return len(t.byCode) }

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func fieldIndex(name string, i int) string {
	return name + "[" + strconv.Itoa(i) + "]"
}
