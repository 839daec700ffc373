package seed

import (
	"reflect"
	"slices"
	"testing"

	"lianzhu/domain"
)

func TestCatalogueIsValid(t *testing.T) {
	c := Catalogue()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if n := c.Len(); n < 36 || n > 44 {
		t.Fatalf("catalogue has %d items, DOMAIN.md speaks of about 40", n)
	}
}

func TestCatalogueCoversDomainItems(t *testing.T) {
	// The items DOMAIN.md names, by tier.
	want := map[domain.Tier][]string{
		domain.TierBasic: {"meal", "bathing", "cleaning", "deep_cleaning", "haircut", "medical_escort", "health_check",
			"mobility", "emergency_help", "rehabilitation", "assistive_device", "home_care", "respite"},
		domain.TierRelief: {"holiday_visit", "caring_visit", "counselling", "companionship", "legal_aid", "home_safety",
			"age_friendly_adaptation"},
		domain.TierDevelopment: {"skills_training", "housekeeping_training", "handicraft_training", "tutoring", "digital_skills"},
		domain.TierQuality:     {"resource_linking", "flexible_employment", "job_placement"},
	}
	c := Catalogue()
	for tier, codes := range want {
		for _, code := range codes {
			it, ok := c.Get(code)
			if !ok || it.Tier != tier {
				t.Errorf("%s: found %v, tier %q, want %q", code, ok, it.Tier, tier)
			}
		}
		if len(c.ByTier(tier)) < len(codes) {
			t.Errorf("tier %s has %d items", tier, len(c.ByTier(tier)))
		}
	}
}

func TestCatalogueItemsAreComplete(t *testing.T) {
	c := Catalogue()
	names := map[string]string{}
	for _, it := range c.All() {
		names[it.NameZh] = it.Code
	}
	owner := map[string]string{}
	for _, it := range c.All() {
		if len(it.Synonyms) < 5 {
			t.Errorf("%s has only %d synonyms", it.Code, len(it.Synonyms))
		}
		if it.UnitPriceFen == 0 && it.Tier != domain.TierQuality {
			t.Errorf("%s has no unit price", it.Code)
		}
		if len(it.Related) == 0 {
			t.Errorf("%s has no related item", it.Code)
		}
		for _, s := range it.Synonyms {
			// A phrase that points at two items, or at another item's name,
			// would send a need to the wrong place.
			if prev, dup := owner[s]; dup {
				t.Errorf("synonym %q belongs to both %s and %s", s, prev, it.Code)
			}
			owner[s] = it.Code
			if code, ok := names[s]; ok && code != it.Code {
				t.Errorf("synonym %q of %s is the name of %s", s, it.Code, code)
			}
		}
	}
}

func TestCatalogueRelationsAreSymmetric(t *testing.T) {
	c := Catalogue()
	for _, it := range c.All() {
		for _, r := range it.Related {
			other, _ := c.Get(r)
			if !slices.Contains(other.Related, it.Code) {
				t.Errorf("%s → %s is not mirrored", it.Code, r)
			}
		}
		if len(slices.Compact(slices.Sorted(slices.Values(it.Related)))) != len(it.Related) {
			t.Errorf("%s lists a related item twice", it.Code)
		}
	}
	if !c.IsRelated("meal", "home_care") || !c.IsRelated("home_care", "meal") {
		t.Error("助餐 ↔ 居家照护 must be related")
	}
}

func TestCatalogueFlags(t *testing.T) {
	c := Catalogue()
	tests := []struct {
		code                 string
		taskLike, employment bool
	}{
		{"companionship", true, false},
		{"meal_delivery", true, false},
		{"tutoring", true, false},
		{"bathing", false, false},
		{"rehabilitation", false, false},
		{"counselling", false, false},
		{"job_placement", false, true},
		{"flexible_employment", false, true},
		{"public_welfare_job", false, true},
	}
	for _, tt := range tests {
		it, ok := c.Get(tt.code)
		if !ok || it.TaskLike != tt.taskLike || it.Employment != tt.employment {
			t.Errorf("%s: task_like %v employment %v", tt.code, it.TaskLike, it.Employment)
		}
	}
}

func TestCatalogueColloquialPhrases(t *testing.T) {
	c := Catalogue()
	phrases := map[string]string{
		"洗澡": "bathing", "洗不了澡": "bathing", "做饭": "meal", "吃饭": "meal", "陪我说说话": "companionship",
		"看病没人陪": "medical_escort", "找工作": "job_placement", "想学家政手艺": "housekeeping_training",
	}
	for phrase, code := range phrases {
		it, _ := c.Get(code)
		if !slices.Contains(it.Synonyms, phrase) {
			t.Errorf("%q is not a synonym of %s", phrase, code)
		}
	}
}

func TestCatalogueIsFreshEachCall(t *testing.T) {
	a, b := Catalogue(), Catalogue()
	if a == b {
		t.Fatal("Catalogue returned a shared value")
	}
	if !reflect.DeepEqual(a.All(), b.All()) {
		t.Fatal("Catalogue is not deterministic")
	}
}
