package search

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"lianzhu/domain"
)

// Query is one search. Scope and Place are place codes: Scope is the
// caller's own (a coordinator sees only their subtree; "" is no limit),
// Place narrows further. For an offering "in" a place means serving
// somewhere in it; a need is known only to its community, so a compound
// Place narrows needs to the compound's community.
type Query struct {
	Kind     string
	Q        string
	Category string
	Place    string
	Near     *domain.LatLng
	// RadiusM limits hits to this distance from Near; 0 sorts by distance
	// without a limit.
	RadiusM int
	// Limit defaults to 20 (at most 100). Paging stops at the 1,000th hit:
	// past it a page is empty.
	Limit, Offset int
	Scope         string
	// Status picks another status than the default (active offerings, open
	// jobs, open needs), e.g. "paused"; "" is the default.
	Status string
}

// Result is a page of hits; Total is Meilisearch's estimate of all hits.
type Result struct {
	Hits  []Hit `json:"hits"`
	Total int   `json:"total"`
}

// Hit is one thing found. Place is the provider's base place for an
// offering, the job's place, the need's community. DistanceM is set when
// the query had Near.
type Hit struct {
	Kind         string `json:"kind"`
	ID           string `json:"id"`
	Title        string `json:"title"`
	Category     string `json:"category"`
	CategoryName string `json:"category_name"`
	Place        string `json:"place"`
	DistanceM    *int   `json:"distance_m,omitempty"`
}

// Search limits.
const (
	defaultLimit = 20
	maxLimit     = 100
)

// hitFields is what a search retrieves: the hit, never the whole document.
// Meilisearch returns _geoDistance only along with _geo.
func hitFields() []string { return []string{"id", "title", "item", "category_name", "place", "_geo"} }

// Search answers a query from the index of its kind, with one Meilisearch
// request and no store read. It returns EINVALID for a bad query and
// EUNAVAILABLE when Meilisearch does not answer.
func (x *Indexes) Search(ctx context.Context, q Query) (Result, error) {
	if err := x.check(&q); err != nil {
		return Result{}, err
	}
	req := &meilisearch.SearchRequest{
		Limit: int64(q.Limit), Offset: int64(q.Offset),
		AttributesToRetrieve: hitFields(),
		MatchingStrategy:     meilisearch.Last,
		Filter:               x.filter(q),
		Sort:                 sortOf(q),
		Locales:              []string{"cmn", "eng"},
	}
	resp, err := x.c.ms.Index(x.IndexName(q.Kind)).Search(ctx, x.voc.query(q.Q), req)
	if err != nil {
		return Result{}, unavailable("search "+q.Kind, err)
	}
	res := Result{Hits: make([]Hit, 0, len(resp.Hits)), Total: int(resp.EstimatedTotalHits)}
	for _, raw := range resp.Hits {
		var d struct {
			ID           string   `json:"id"`
			Title        string   `json:"title"`
			Item         string   `json:"item"`
			CategoryName string   `json:"category_name"`
			Place        string   `json:"place"`
			GeoDistance  *float64 `json:"_geoDistance"`
		}
		if err := raw.DecodeInto(&d); err != nil {
			return Result{}, fmt.Errorf("search: decode hit: %w", err)
		}
		h := Hit{Kind: q.Kind, ID: d.ID, Title: d.Title, Category: d.Item, CategoryName: d.CategoryName, Place: d.Place}
		if d.GeoDistance != nil && q.Near != nil {
			m := int(math.Round(*d.GeoDistance))
			h.DistanceM = &m
		}
		res.Hits = append(res.Hits, h)
	}
	return res, nil
}

// check validates a query and fills its defaults.
func (x *Indexes) check(q *Query) error {
	var p domain.Problems
	if !isKind(q.Kind) {
		p.Merge("", badKind())
	}
	if q.Category != "" {
		if _, ok := x.voc.item(q.Category); !ok {
			p.Add("category", "exists", "服务目录中没有此项 / unknown catalogue item")
		}
	}
	for _, f := range [][2]string{{"place", q.Place}, {"scope", q.Scope}} {
		if f[1] != "" && domain.PlaceLevelOf(f[1]) == "" {
			p.Add(f[0], "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
		}
	}
	if q.Near != nil && validPoint(q.Near.Lat, q.Near.Lng) == nil {
		p.Add("near", "range", "经纬度超出范围 / near is out of range")
	}
	switch {
	case q.RadiusM < 0:
		p.Add("radius_m", "range", "半径不能为负数 / radius_m must not be negative")
	case q.RadiusM > 0 && q.Near == nil:
		p.Add("near", "required", "指定 radius_m 时须有 near / radius_m needs near")
	}
	if q.Limit == 0 {
		q.Limit = defaultLimit
	}
	if q.Limit < 1 || q.Limit > maxLimit {
		p.Addf("limit", "range", "limit 须为 1–%d / limit must be 1–%d", maxLimit, maxLimit)
	}
	if q.Offset < 0 {
		p.Add("offset", "range", "offset 不能为负数 / offset must not be negative")
	}
	if strings.ContainsAny(q.Status, `"\`) {
		p.Add("status", "format", "状态无效 / invalid status")
	}
	return p.Err()
}

// defaultStatus is what a search shows unless asked otherwise: what can
// still be taken up.
func defaultStatus(kind string) string {
	switch kind {
	case KindOffering:
		return string(domain.OfferingActive)
	case KindJob:
		return string(domain.JobOpen)
	}
	return string(domain.NeedOpen)
}

// filter builds the Meilisearch filter of a query: an array of conditions,
// all of which must hold. Values are catalogue codes and place codes,
// checked before, quoted all the same.
func (x *Indexes) filter(q Query) []string {
	status := q.Status
	if status == "" {
		status = defaultStatus(q.Kind)
	}
	out := []string{"status = " + quote(status)}
	if q.Category != "" {
		out = append(out, "item = "+quote(q.Category))
	}
	if q.Scope != "" {
		out = append(out, placeFilter(q.Kind, q.Scope))
	}
	if q.Place != "" {
		place := q.Place
		if q.Kind == KindNeed {
			place = communityOf(place)
		}
		out = append(out, placeFilter(q.Kind, place))
	}
	if q.Near != nil && q.RadiusM > 0 {
		out = append(out, fmt.Sprintf("_geoRadius(%s, %s, %d)", coord(q.Near.Lat), coord(q.Near.Lng), q.RadiusM))
	}
	return out
}

// placeFilter matches documents in place: for offerings, those serving
// somewhere inside it or all of a place above it; for jobs and needs, those
// located inside it.
func placeFilter(kind, place string) string {
	if kind != KindOffering {
		return "place_up = " + quote(place)
	}
	f := "area_up = " + quote(place)
	if up := ancestors(place); len(up) > 0 {
		quoted := make([]string, len(up))
		for i, p := range up {
			quoted[i] = quote(p)
		}
		f = "(" + f + " OR area IN [" + strings.Join(quoted, ", ") + "])"
	}
	return f
}

// sortOf orders hits: by distance when the query has Near; with no text,
// needs by urgency then age and jobs newest first. The ranking rules put
// this sort after the words matched.
func sortOf(q Query) []string {
	switch {
	case q.Near != nil:
		return []string{fmt.Sprintf("_geoPoint(%s, %s):asc", coord(q.Near.Lat), coord(q.Near.Lng))}
	case strings.TrimSpace(q.Q) != "":
		return nil
	case q.Kind == KindNeed:
		return []string{"urgency_rank:desc", "created_at:asc"}
	case q.Kind == KindJob:
		return []string{"created_at:desc"}
	}
	return nil
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func coord(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
