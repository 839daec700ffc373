package matching

import (
	"testing"

	"lianzhu/domain"
)

func TestDefaultWeightsValid(t *testing.T) {
	if err := DefaultWeights().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestVulnerability(t *testing.T) {
	age := func(a int) *int { return &a }
	for _, tc := range []struct {
		name string
		need Need
		want int
	}{
		{"nothing known", Need{}, 0},
		{"dibao", Need{Assistance: []domain.AssistanceKind{domain.AssistDibao}}, 2},
		{"highest tier counts once", Need{Assistance: []domain.AssistanceKind{domain.AssistDibaoEdge, domain.AssistTekun}}, 3},
		{"child", Need{Age: age(8)}, 1},
		{"old and alone", Need{Age: age(82), LivingAlone: true}, 4},
		{"young and alone", Need{Age: age(30), LivingAlone: true}, 1},
		{"severe disability", Need{Disability: &domain.Disability{Type: domain.DisabilityVisual, Grade: 1}}, 2},
		{"everything", Need{Assistance: []domain.AssistanceKind{domain.AssistTekun}, Age: age(90), LivingAlone: true,
			Disability: &domain.Disability{Type: domain.DisabilityPhysical, Grade: 2}}, maxVulnerability},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := vulnerability(&tc.need); got != tc.want {
				t.Fatalf("vulnerability = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestPriorityClassOrder: urgency first, then vulnerability level.
func TestPriorityClassOrder(t *testing.T) {
	class := func(u domain.Urgency, vuln int) int { n := Need{Urgency: u}; return priorityClass(&n, vuln) }
	if class(domain.UrgencyCritical, 0) <= class(domain.UrgencyHigh, maxVulnerability) {
		t.Error("a critical need must outrank a high one, however vulnerable")
	}
	if class(domain.UrgencyNormal, 5) <= class(domain.UrgencyNormal, 2) || class(domain.UrgencyNormal, 2) <= class(domain.UrgencyNormal, 0) {
		t.Error("at equal urgency more vulnerable must rank higher")
	}
	if class(domain.UrgencyLow, 0) != 0 || class(domain.UrgencyCritical, maxVulnerability) != priorityClasses-1 {
		t.Error("classes must span 0..priorityClasses-1")
	}
}

func TestPriorityUnit(t *testing.T) {
	w := DefaultWeights()
	unit, ok := priorityUnit(1000, &w)
	if !ok || unit != 1000*w.maxBase()+1 {
		t.Fatalf("unit = %d, %v", unit, ok)
	}
	big := w
	big.CategoryExact, big.TextRelevance = maxWeight, maxWeight
	if _, ok := priorityUnit(1<<40, &big); ok {
		t.Error("overflow not detected")
	}
}

func TestQuality(t *testing.T) {
	green := Target{ProviderLight: domain.LightGreen, ProviderRating: 4.8, ProviderRatingCount: 100}
	yellow := green
	yellow.ProviderLight = domain.LightYellow
	oneFive := Target{ProviderLight: domain.LightGreen, ProviderRating: 5, ProviderRatingCount: 1}
	unrated := Target{ProviderLight: domain.LightGreen}
	if quality(&green) <= quality(&yellow) {
		t.Error("yellow should score below green")
	}
	if quality(&oneFive) >= quality(&green) {
		t.Error("one 5-star review should not beat a hundred 4.8s")
	}
	if q := quality(&unrated); q <= 0.5 || q >= 1 {
		t.Errorf("unrated quality = %v", q)
	}
}

func TestDistanceFactor(t *testing.T) {
	w := DefaultWeights()
	n, tg := mkNeed("n", "meal"), mkTarget("t", "meal", 1)
	near := baseFactors(&w, &n, &tg, fitExact, 0, 0, 0)
	far := baseFactors(&w, &n, &tg, fitExact, 0, w.DistanceScaleM, 0)
	unknown := baseFactors(&w, &n, &tg, fitExact, 0, -1, 0)
	if near[2] != w.Distance || far[2] != w.Distance/2 || unknown[2] != w.Distance/2 {
		t.Errorf("distance factors %d, %d, %d", near[2], far[2], unknown[2])
	}
}
