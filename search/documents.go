package search

import (
	"math"
	"slices"
	"sort"

	"lianzhu/domain"
)

// Index documents hold only what a search may return or filter on, and the
// catalogue's words for the item. Nothing personal goes in: a need is its
// neutral note, item, community, urgency and state; an offering's provider
// is named only when it is an organisation (a volunteer is a person).

// geoPoint is Meilisearch's _geo field.
type geoPoint struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// itemFields are the fields every document has for its catalogue item.
type itemFields struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Item         string    `json:"item"`
	CategoryName string    `json:"category_name"`
	ItemEn       string    `json:"item_en,omitempty"`
	ItemTerms    []string  `json:"item_terms,omitempty"`
	ItemWords    []string  `json:"item_words,omitempty"`
	Place        string    `json:"place"`
	Status       string    `json:"status"`
	Geo          *geoPoint `json:"_geo,omitempty"`
	// Version is the store version indexed, for checking the index.
	Version int64 `json:"version"`
}

type offeringDoc struct {
	itemFields
	ProviderName string   `json:"provider_name,omitempty"`
	Description  string   `json:"description,omitempty"`
	Area         []string `json:"area"`
	AreaUp       []string `json:"area_up"`
}

type jobDoc struct {
	itemFields
	KindOfWork     string   `json:"kind_of_work"`
	Skills         []string `json:"skills,omitempty"`
	Training       string   `json:"training,omitempty"`
	EnterpriseName string   `json:"enterprise_name,omitempty"`
	PlaceUp        []string `json:"place_up"`
	CreatedAt      int64    `json:"created_at"`
}

type needDoc struct {
	itemFields
	PlaceUp     []string `json:"place_up"`
	Urgency     string   `json:"urgency"`
	UrgencyRank int      `json:"urgency_rank"`
	CreatedAt   int64    `json:"created_at"`
}

type catalogueDoc struct {
	ID       string   `json:"id"`
	NameZh   string   `json:"name_zh"`
	NameEn   string   `json:"name_en"`
	Tier     string   `json:"tier"`
	Synonyms []string `json:"synonyms"`
	Words    []string `json:"words"`
}

// itemOf fills the item fields; texts are the document's own Chinese texts,
// whose bigrams go into item_words.
func (x *Indexes) itemOf(id, title, item, place, status string, version int64, texts ...string) itemFields {
	f := itemFields{ID: id, Title: title, Item: item, Place: place, Status: status, Version: version}
	if it, ok := x.voc.item(item); ok {
		f.CategoryName, f.ItemEn, f.ItemTerms = it.NameZh, it.NameEn, it.Synonyms
	}
	f.ItemWords = x.voc.itemWords(item, append(texts, title)...)
	return f
}

// offeringDoc maps an offering; provider is its provider (zero when
// unknown), whose base place is the hit's place.
func (x *Indexes) offeringDoc(o domain.Offering, provider domain.Provider) offeringDoc {
	d := offeringDoc{itemFields: x.itemOf(o.ID, o.Title, o.Item, provider.Place, string(o.Status), o.Version, o.Description),
		Description: o.Description}
	if provider.Kind.Organisation() {
		d.ProviderName = provider.Name
		d.ItemWords = appendNew(d.ItemWords, bigrams(provider.Name)...)
	}
	d.Area, d.AreaUp = x.offeringArea(o.Area)
	switch {
	case o.Area.Center != nil:
		d.Geo = validPoint(o.Area.Center.Lat, o.Area.Center.Lng)
	default:
		d.Geo = x.centre(provider.Place)
	}
	return d
}

// offeringArea returns the places an area serves: its places, and for a
// radius the communities whose centre lies within it (the nearest one when
// none does); and those places with all the places above them. A place
// filter X then matches `area_up = X OR area IN [places above X]`: the
// offering serves somewhere inside X, or all of a place that holds X.
func (x *Indexes) offeringArea(a domain.ServiceArea) (area, up []string) {
	area = slices.Clone(a.Places)
	if a.Center != nil && a.RadiusM > 0 {
		nearest, best := "", math.Inf(1)
		found := false
		for _, c := range x.communities {
			d := domain.DistanceM(*a.Center, domain.LatLng{Lat: c.Lat, Lng: c.Lng})
			if d <= float64(a.RadiusM) {
				area = appendNew(area, c.Code)
				found = true
			}
			if d < best {
				nearest, best = c.Code, d
			}
		}
		if !found && nearest != "" {
			area = appendNew(area, nearest)
		}
	}
	for _, p := range area {
		up = appendNew(up, placeUp(p)...)
	}
	sort.Strings(up)
	if area == nil {
		area = []string{}
	}
	if up == nil {
		up = []string{}
	}
	return area, up
}

// jobDoc maps a job opening; enterprise is its employer (zero when unknown).
func (x *Indexes) jobDoc(j domain.JobOpening, enterprise domain.Provider) jobDoc {
	d := jobDoc{
		itemFields: x.itemOf(j.ID, j.Title, j.Item, j.Place, string(j.Status), j.Version,
			append([]string{j.KindOfWork, j.Training}, j.Requirements.Skills...)...),
		KindOfWork: j.KindOfWork, Skills: j.Requirements.Skills, Training: j.Training,
		PlaceUp: placeUp(j.Place), CreatedAt: j.CreatedAt.Unix(),
	}
	if enterprise.Kind.Organisation() {
		d.EnterpriseName = enterprise.Name
		d.ItemWords = appendNew(d.ItemWords, bigrams(enterprise.Name)...)
	}
	d.Geo = x.centre(j.Place)
	return d
}

// needDoc maps a need to what providers may see: the neutral note as its
// title, the item, the community (never the compound) and the places above
// it, urgency and state. Own words, household, member and recorder stay out.
func (x *Indexes) needDoc(n domain.Need) needDoc {
	community := communityOf(n.Place)
	d := needDoc{
		itemFields:  x.itemOf(n.ID, n.NeutralNote, n.Item, community, string(n.State), n.Version),
		PlaceUp:     placeUp(community),
		Urgency:     string(n.Urgency),
		UrgencyRank: n.Urgency.Rank(),
		CreatedAt:   n.CreatedAt.Unix(),
	}
	d.Geo = x.centre(community)
	return d
}

func (x *Indexes) catalogueDocs() []catalogueDoc {
	out := make([]catalogueDoc, 0, len(x.voc.items))
	for _, it := range x.voc.items {
		out = append(out, catalogueDoc{ID: it.Code, NameZh: it.NameZh, NameEn: it.NameEn, Tier: string(it.Tier),
			Synonyms: it.Synonyms, Words: x.voc.itemWords(it.Code)})
	}
	return out
}

// centre returns the place's centre from the place tree, or nil.
func (x *Indexes) centre(code string) *geoPoint {
	if x.places == nil {
		return nil
	}
	p, ok := x.places.Get(code)
	if !ok {
		return nil
	}
	return validPoint(p.Lat, p.Lng)
}

// validPoint returns the point, or nil for an unset or impossible one:
// Meilisearch rejects a whole batch over one bad _geo.
func validPoint(lat, lng float64) *geoPoint {
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 || (lat == 0 && lng == 0) || lat != lat || lng != lng {
		return nil
	}
	return &geoPoint{Lat: lat, Lng: lng}
}

// placeUp returns the code and the codes of every place above it, by the
// shape of statistical division codes (compound → community → street →
// district), which is how place scopes compare everywhere else.
func placeUp(code string) []string {
	var out []string
	for code != "" {
		out = append(out, code)
		code = parentCode(code)
	}
	if out == nil {
		return []string{}
	}
	return out
}

// ancestors returns the codes of the places above code.
func ancestors(code string) []string {
	up := placeUp(code)
	return up[min(1, len(up)):]
}

func parentCode(code string) string {
	switch domain.PlaceLevelOf(code) {
	case domain.LevelCompound:
		return code[:12]
	case domain.LevelCommunity:
		return code[:9] + "000"
	case domain.LevelStreet:
		return code[:6] + "000000"
	}
	return ""
}

// communityOf returns the community a place lies in: a compound's first 12
// digits, or the place itself.
func communityOf(code string) string {
	if domain.PlaceLevelOf(code) == domain.LevelCompound {
		return code[:12]
	}
	return code
}
