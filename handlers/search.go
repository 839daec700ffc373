package handlers

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/search"
)

// Searcher answers search queries from the index, never from MongoDB.
type Searcher interface {
	Search(ctx context.Context, q search.Query) (search.Result, error)
	Suggest(ctx context.Context, text string, limit int) ([]search.Suggestion, error)
}

type searchHandlers struct {
	index     Searcher
	catalogue *domain.Catalogue
}

// Search bounds: a page is at most 100 hits and paging stops at 1,000 (the
// index's own default window); the radius is a city's size at most.
const (
	maxSearchLimit   = 100
	maxSearchOffset  = 1000
	defaultRadiusM   = 3000
	maxSearchRadiusM = 100_000
	maxSuggestRunes  = 500
)

// search answers GET /search. Needs are searched in their neutral form only
// (the index holds nothing else): coordinators within their place, providers
// anywhere; volunteers and admins do not search needs (as with the need list).
func (h *searchHandlers) search(c *fiber.Ctx) error {
	p, err := authorize(c, "", anyRole()...)
	if err != nil {
		return err
	}
	q := search.Query{Kind: c.Query("kind", search.KindOffering), Q: strings.TrimSpace(c.Query("q")),
		Category: c.Query("category"), Place: c.Query("place")}
	var pr domain.Problems
	switch q.Kind {
	case search.KindOffering, search.KindJob:
	case search.KindNeed:
		if _, err := authorize(c, "", needReaders()...); err != nil {
			return err
		}
		if p.Role == domain.RoleCoordinator {
			q.Scope = p.Place
		}
	default:
		pr.Add("kind", "enum", "kind 须为 offering、job 或 need / kind must be offering, job or need")
	}
	if utf8.RuneCountInString(q.Q) > 200 {
		pr.Add("q", "length", "搜索词最多200字 / q is at most 200 characters")
	}
	if q.Category != "" && !h.catalogue.Has(q.Category) {
		pr.Add("category", "exists", "服务目录中没有此项 / unknown catalogue item")
	}
	if q.Place != "" && domain.PlaceLevelOf(q.Place) == "" {
		pr.Add("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	q.Status = c.Query("status")
	if q.Status != "" && !searchableStatus(q.Kind, q.Status, p.Role) {
		pr.Add("status", "enum", "该类记录没有此状态，或您无权按此状态搜索 / unknown status for this kind, or not yours to search")
	}
	q.Near = parseNear(c.Query("near"), &pr)
	q.RadiusM = intParam(c, "radius_m", 0, 1, maxSearchRadiusM, &pr)
	switch {
	case q.Near != nil && q.RadiusM == 0:
		q.RadiusM = defaultRadiusM
	case q.Near == nil && q.RadiusM != 0:
		pr.Add("near", "required", "指定 radius_m 时须有 near / radius_m needs near")
	}
	q.Limit = intParam(c, "limit", 20, 1, maxSearchLimit, &pr)
	q.Offset = intParam(c, "offset", 0, 0, maxSearchOffset, &pr)
	if err := pr.Err(); err != nil {
		return err
	}
	if q.Kind == search.KindNeed && q.Place != "" {
		if err := p.Authorize(q.Place, p.Role); err != nil {
			return err
		}
	}
	res, err := h.index.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	if res.Hits == nil {
		res.Hits = []search.Hit{}
	}
	return c.JSON(res)
}

type suggestRequest struct {
	Text  string `json:"text"`
	Limit int    `json:"limit"`
}

// suggest ranks catalogue items for a resident's own words.
func (h *searchHandlers) suggest(c *fiber.Ctx) error {
	var req suggestRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := authorize(c, "", anyRole()...); err != nil {
		return err
	}
	req.Text = strings.TrimSpace(req.Text)
	var pr domain.Problems
	switch n := utf8.RuneCountInString(req.Text); {
	case n == 0:
		pr.Add("text", "required", "请填写居民的原话 / text is required")
	case n > maxSuggestRunes:
		pr.Addf("text", "length", "最多%d字 / text is at most %d characters", maxSuggestRunes, maxSuggestRunes)
	}
	switch {
	case req.Limit == 0:
		req.Limit = 5
	case req.Limit < 1 || req.Limit > 20:
		pr.Add("limit", "range", "limit 须为 1–20 / limit must be 1–20")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	items, err := h.index.Suggest(c.UserContext(), req.Text, req.Limit)
	if err != nil {
		return err
	}
	if items == nil {
		items = []search.Suggestion{}
	}
	return c.JSON(fiber.Map{"items": items})
}

// parseNear reads "lat,lng".
func parseNear(s string, pr *domain.Problems) *domain.LatLng {
	if s == "" {
		return nil
	}
	a, b, ok := strings.Cut(s, ",")
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if !ok || err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 || lat != lat || lng != lng {
		pr.Add("near", "format", "near 须为 纬度,经度 / near must be lat,lng")
		return nil
	}
	return &domain.LatLng{Lat: lat, Lng: lng}
}

// intParam reads an integer query parameter within [lo, hi], def when absent.
func intParam(c *fiber.Ctx, name string, def, lo, hi int, pr *domain.Problems) int {
	s := c.Query(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		pr.Addf(name, "range", "%s 须为 %d–%d 的整数 / %s must be an integer in %d–%d", name, lo, hi, name, lo, hi)
		return def
	}
	return n
}

// searchableStatus reports whether a role may search records of kind in
// status: offerings and jobs in any of their states; needs only open ones,
// except for coordinators, who follow their place's needs through every
// state.
func searchableStatus(kind, status string, role domain.Role) bool {
	switch kind {
	case search.KindOffering:
		return domain.OfferingStatus(status).Valid()
	case search.KindJob:
		return slices.Contains([]domain.JobStatus{domain.JobOpen, domain.JobFilled, domain.JobClosed}, domain.JobStatus(status))
	case search.KindNeed:
		if role != domain.RoleCoordinator {
			return status == string(domain.NeedOpen)
		}
		return domain.NeedState(status).Valid()
	}
	return false
}
