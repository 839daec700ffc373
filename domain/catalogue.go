package domain

import (
	"slices"
	"strings"
)

// Tier is one of the four layers of the service catalogue (服务目录).
type Tier string

// The four tiers, in the order a district lists them.
const (
	TierBasic       Tier = "basic"       // 保基本: daily living
	TierRelief      Tier = "relief"      // 去困扰: relieving distress
	TierDevelopment Tier = "development" // 促发展: skills and learning
	TierQuality     Tier = "quality"     // 增质效: linking resources and jobs
)

// Tiers returns the tiers in display order.
func Tiers() []Tier { return []Tier{TierBasic, TierRelief, TierDevelopment, TierQuality} }

// Valid reports whether t is a known tier.
func (t Tier) Valid() bool { return slices.Contains(Tiers(), t) }

// NameZh returns the tier's Chinese name, as printed in district documents.
func (t Tier) NameZh() string {
	switch t {
	case TierBasic:
		return "保基本"
	case TierRelief:
		return "去困扰"
	case TierDevelopment:
		return "促发展"
	case TierQuality:
		return "增质效"
	}
	return ""
}

// CatalogueItem is one service of the catalogue. Needs, offerings and vouchers
// all refer to items by Code, so that matching never depends on free text.
type CatalogueItem struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Tier   Tier   `json:"tier"`
	// UnitPriceFen is what a service voucher pays for one Unit of the item.
	UnitPriceFen Fen    `json:"unit_price_fen"`
	Unit         string `json:"unit"`
	// Synonyms are the words residents and staff actually use ("洗不了澡");
	// the search index gets them so a need in plain words finds the item.
	Synonyms []string `json:"synonyms"`
	// Related items may serve the same need (助餐 ↔ 居家照护); matching
	// considers offerings of related items too.
	Related []string `json:"related"`
	// TaskLike items can be done by volunteers as tasks.
	TaskLike bool `json:"task_like"`
	// Employment items are served by job openings rather than offerings.
	Employment bool `json:"employment"`
}

// Validate checks one item on its own; Catalogue.Validate checks the whole.
func (it CatalogueItem) Validate() error {
	var p Problems
	if !isCatalogueCode(it.Code) {
		p.Add("code", "format", "目录编码须为2–40位小写字母、数字或下划线，以字母开头")
	}
	checkText(&p, "name_zh", it.NameZh, true, 30, "中文名称")
	checkText(&p, "name_en", it.NameEn, true, 60, "英文名称")
	if !it.Tier.Valid() {
		p.Add("tier", "enum", "层级须为 basic、relief、development 或 quality")
	}
	if it.UnitPriceFen < 0 {
		p.Add("unit_price_fen", "range", "单价不能为负数")
	}
	checkText(&p, "unit", it.Unit, true, 10, "计价单位")
	seen := map[string]bool{}
	for i, s := range it.Synonyms {
		f := fieldIndex("synonyms", i)
		checkText(&p, f, s, true, 30, "同义词")
		if seen[s] {
			p.Addf(f, "unique", "同义词 %q 重复", s)
		}
		seen[s] = true
	}
	for i, r := range it.Related {
		if r == it.Code {
			p.Add(fieldIndex("related", i), "self", "相关服务不能是自身")
		}
	}
	if it.TaskLike && it.Employment {
		p.Add("employment", "conflict", "就业类服务不能同时作为志愿任务")
	}
	return p.Err()
}

// Catalogue is the service catalogue, indexed by code. It is built once and
// then read concurrently, so it hands out copies and is never mutated.
type Catalogue struct {
	items  []CatalogueItem
	byCode map[string]int
}

// NewCatalogue indexes the items in the order given. It does not validate:
// call Validate, which reports every problem at once (the admin UI shows them
// all), while a duplicate code resolves to its first occurrence meanwhile.
func NewCatalogue(items []CatalogueItem) *Catalogue {
	c := &Catalogue{items: make([]CatalogueItem, len(items)), byCode: make(map[string]int, len(items))}
	for i, it := range items {
		c.items[i] = cloneItem(it)
		if _, dup := c.byCode[it.Code]; !dup {
			c.byCode[it.Code] = i
		}
	}
	return c
}

// Validate checks every item, that codes are unique, that related codes
// exist, and that every tier has at least one item.
func (c *Catalogue) Validate() error {
	var p Problems
	if c == nil || len(c.items) == 0 {
		p.Add("items", "required", "服务目录不能为空")
		return p.Err()
	}
	tiers := map[Tier]bool{}
	for i, it := range c.items {
		f := fieldIndex("items", i)
		p.Merge(f, it.Validate())
		if c.byCode[it.Code] != i {
			p.Addf(f+".code", "unique", "目录编码 %q 重复", it.Code)
		}
		for j, r := range it.Related {
			if !c.Has(r) {
				p.Addf(f+"."+fieldIndex("related", j), "exists", "相关服务 %q 不在目录中", r)
			}
		}
		tiers[it.Tier] = true
	}
	for _, t := range Tiers() {
		if !tiers[t] {
			p.Addf("items", "required", "层级 %s（%s）没有服务项目", t, t.NameZh())
		}
	}
	return p.Err()
}

// Get returns the item with the code.
func (c *Catalogue) Get(code string) (CatalogueItem, bool) {
	if c == nil {
		return CatalogueItem{}, false
	}
	i, ok := c.byCode[code]
	if !ok {
		return CatalogueItem{}, false
	}
	return cloneItem(c.items[i]), true
}

// Has reports whether the code exists; a nil catalogue has no codes, so
// validation against a missing catalogue fails closed.
func (c *Catalogue) Has(code string) bool {
	if c == nil {
		return false
	}
	_, ok := c.byCode[code]
	return ok
}

// Serves reports whether an offering of item offered may serve a need of
// item needed: the same item, or one related to it in either direction (the
// matching engine proposes both; 助餐 ↔ 居家照护).
func (c *Catalogue) Serves(needed, offered string) bool {
	if needed == offered {
		return c.Has(needed)
	}
	n, okN := c.Get(needed)
	o, okO := c.Get(offered)
	return okN && okO && (slices.Contains(n.Related, offered) || slices.Contains(o.Related, needed))
}

// All returns every item in catalogue order.
func (c *Catalogue) All() []CatalogueItem {
	if c == nil {
		return nil
	}
	out := make([]CatalogueItem, len(c.items))
	for i, it := range c.items {
		out[i] = cloneItem(it)
	}
	return out
}

// ByTier returns the items of one tier in catalogue order.
func (c *Catalogue) ByTier(t Tier) []CatalogueItem {
	var out []CatalogueItem
	for _, it := range c.All() {
		if it.Tier == t {
			out = append(out, it)
		}
	}
	return out
}

// Len is the number of items.
func (c *Catalogue) Len() int {
	if c == nil {
		return 0
	}
	return len(c.items)
}

// IsRelated reports whether a and b are the same item or either lists the
// other as related; matching treats offerings of related items as candidates.
func (c *Catalogue) IsRelated(a, b string) bool {
	if a == b {
		return c.Has(a)
	}
	x, okA := c.Get(a)
	y, okB := c.Get(b)
	return okA && okB && (slices.Contains(x.Related, b) || slices.Contains(y.Related, a))
}

func cloneItem(it CatalogueItem) CatalogueItem {
	it.Synonyms = slices.Clone(it.Synonyms)
	it.Related = slices.Clone(it.Related)
	return it
}

func isCatalogueCode(s string) bool {
	if len(s) < 2 || len(s) > 40 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}
