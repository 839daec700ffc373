package domain

import (
	"testing"
)

// fxItems is a small catalogue with one item per tier and a related pair.
func fxItems() []CatalogueItem {
	return []CatalogueItem{
		{Code: "meal", NameZh: "助餐", NameEn: "Meals", Tier: TierBasic, UnitPriceFen: 1500, Unit: "餐",
			Synonyms: []string{"吃饭", "做饭"}, Related: []string{"home_care"}, TaskLike: true},
		{Code: "home_care", NameZh: "居家照护", NameEn: "Home care", Tier: TierBasic, UnitPriceFen: 4500, Unit: "小时",
			Related: []string{"meal"}},
		{Code: "companionship", NameZh: "精神慰藉", NameEn: "Companionship", Tier: TierRelief, UnitPriceFen: 3000, Unit: "小时", TaskLike: true},
		{Code: "tutoring", NameZh: "学业辅导", NameEn: "Tutoring", Tier: TierDevelopment, UnitPriceFen: 5000, Unit: "小时"},
		{Code: "job_placement", NameZh: "就业推荐", NameEn: "Job placement", Tier: TierQuality, Unit: "次", Employment: true},
	}
}

// fxCatalogue returns a valid catalogue built from fxItems.
func fxCatalogue(tb testing.TB) *Catalogue {
	tb.Helper()
	c := NewCatalogue(fxItems())
	if err := c.Validate(); err != nil {
		tb.Fatalf("fixture catalogue: %v", err)
	}
	return c
}

func TestTier(t *testing.T) {
	want := map[Tier]string{TierBasic: "保基本", TierRelief: "去困扰", TierDevelopment: "促发展", TierQuality: "增质效"}
	for _, tier := range Tiers() {
		if !tier.Valid() || tier.NameZh() != want[tier] {
			t.Errorf("tier %q: valid %v, name %q", tier, tier.Valid(), tier.NameZh())
		}
	}
	if len(Tiers()) != 4 || Tier("comfort").Valid() || Tier("").NameZh() != "" {
		t.Error("unknown tier accepted")
	}
}

func TestCatalogueItemValidate(t *testing.T) {
	base := fxItems()[0]
	tests := []struct {
		name   string
		modify func(*CatalogueItem)
		field  string
		rule   string
	}{
		{"valid", func(*CatalogueItem) {}, "", ""},
		{"free item", func(it *CatalogueItem) { it.UnitPriceFen = 0 }, "", ""},
		{"code missing", func(it *CatalogueItem) { it.Code = "" }, "code", "format"},
		{"code upper case", func(it *CatalogueItem) { it.Code = "Meal" }, "code", "format"},
		{"code with hyphen", func(it *CatalogueItem) { it.Code = "meal-1" }, "code", "format"},
		{"code starts with digit", func(it *CatalogueItem) { it.Code = "1meal" }, "code", "format"},
		{"Chinese name missing", func(it *CatalogueItem) { it.NameZh = " " }, "name_zh", "required"},
		{"English name missing", func(it *CatalogueItem) { it.NameEn = "" }, "name_en", "required"},
		{"unknown tier", func(it *CatalogueItem) { it.Tier = "comfort" }, "tier", "enum"},
		{"negative price", func(it *CatalogueItem) { it.UnitPriceFen = -1 }, "unit_price_fen", "range"},
		{"unit missing", func(it *CatalogueItem) { it.Unit = "" }, "unit", "required"},
		{"blank synonym", func(it *CatalogueItem) { it.Synonyms = []string{"吃饭", ""} }, "synonyms[1]", "required"},
		{"duplicate synonym", func(it *CatalogueItem) { it.Synonyms = []string{"吃饭", "吃饭"} }, "synonyms[1]", "unique"},
		{"related to itself", func(it *CatalogueItem) { it.Related = []string{"meal"} }, "related[0]", "self"},
		{"task-like employment", func(it *CatalogueItem) { it.Employment = true }, "employment", "conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := base
			it.Synonyms = append([]string(nil), base.Synonyms...)
			tt.modify(&it)
			expectRule(t, it.Validate(), tt.field, tt.rule)
		})
	}
}

func TestCatalogueValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func([]CatalogueItem) []CatalogueItem
		field  string
		rule   string
	}{
		{"valid", func(items []CatalogueItem) []CatalogueItem { return items }, "", ""},
		{"empty", func([]CatalogueItem) []CatalogueItem { return nil }, "items", "required"},
		{"duplicate code", func(items []CatalogueItem) []CatalogueItem {
			return append(items, CatalogueItem{Code: "meal", NameZh: "助餐2", NameEn: "Meals 2", Tier: TierBasic, Unit: "餐"})
		}, "items[5].code", "unique"},
		{"unknown related", func(items []CatalogueItem) []CatalogueItem {
			items[1].Related = []string{"meal", "bathing"}
			return items
		}, "items[1].related[1]", "exists"},
		{"item problem is prefixed", func(items []CatalogueItem) []CatalogueItem {
			items[2].Unit = ""
			return items
		}, "items[2].unit", "required"},
		{"tier without items", func(items []CatalogueItem) []CatalogueItem { return items[:4] }, "items", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectRule(t, NewCatalogue(tt.modify(fxItems())).Validate(), tt.field, tt.rule)
		})
	}
	var nilCat *Catalogue
	expectRule(t, nilCat.Validate(), "items", "required")
}

func TestCatalogueLookup(t *testing.T) {
	c := fxCatalogue(t)
	if c.Len() != 5 {
		t.Fatalf("Len = %d", c.Len())
	}
	meal, ok := c.Get("meal")
	if !ok || meal.NameZh != "助餐" {
		t.Fatalf("Get(meal) = %+v, %v", meal, ok)
	}
	if _, ok := c.Get("bathing"); ok || c.Has("bathing") || !c.Has("meal") {
		t.Fatal("Get/Has of unknown code")
	}
	basic := c.ByTier(TierBasic)
	if len(basic) != 2 || basic[0].Code != "meal" || basic[1].Code != "home_care" {
		t.Fatalf("ByTier(basic) = %+v", basic)
	}
	if len(c.ByTier(TierQuality)) != 1 || len(c.ByTier("nope")) != 0 {
		t.Fatal("ByTier")
	}
	all := c.All()
	if len(all) != 5 || all[4].Code != "job_placement" {
		t.Fatalf("All = %+v", all)
	}
}

func TestCatalogueHandsOutCopies(t *testing.T) {
	items := fxItems()
	c := NewCatalogue(items)
	items[0].Synonyms[0] = "changed by caller"
	meal, _ := c.Get("meal")
	meal.Synonyms[0] = "changed by reader"
	c.All()[0].Synonyms[1] = "changed again"
	again, _ := c.Get("meal")
	if again.Synonyms[0] != "吃饭" || again.Synonyms[1] != "做饭" {
		t.Fatalf("catalogue was mutated: %v", again.Synonyms)
	}
}

func TestCatalogueIsRelated(t *testing.T) {
	c := fxCatalogue(t)
	tests := []struct {
		a, b string
		want bool
	}{
		{"meal", "meal", true},
		{"meal", "home_care", true},
		{"home_care", "meal", true},
		{"meal", "tutoring", false},
		{"bathing", "bathing", false},
		{"meal", "bathing", false},
	}
	for _, tt := range tests {
		if got := c.IsRelated(tt.a, tt.b); got != tt.want {
			t.Errorf("IsRelated(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

func TestNilCatalogueIsEmpty(t *testing.T) {
	var c *Catalogue
	if c.Has("meal") || c.Len() != 0 || c.All() != nil || c.ByTier(TierBasic) != nil {
		t.Fatal("nil catalogue must be empty")
	}
	if _, ok := c.Get("meal"); ok {
		t.Fatal("nil catalogue Get")
	}
}

func TestServes(t *testing.T) {
	c := fxCatalogue(t)
	for _, tc := range []struct {
		needed, offered string
		want            bool
	}{
		{"meal", "meal", true},
		{"meal", "home_care", true},
		{"home_care", "meal", true},
		{"meal", "tutoring", false},
		{"nope", "nope", false},
		{"meal", "nope", false},
	} {
		if got := c.Serves(tc.needed, tc.offered); got != tc.want {
			t.Errorf("Serves(%s, %s) = %v", tc.needed, tc.offered, got)
		}
	}
}
