package matching

import (
	"math/rand/v2"
	"testing"

	"lianzhu/domain"
)

// TestAreaIndexNeverMisses: every target whose area covers a home is found
// through the index, for radius areas at several latitudes and sizes.
func TestAreaIndexNeverMisses(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, lat := range []float64{0, 34.25, 53, -45} {
		x := newAreaIndex()
		var targets []Target
		for i := range 60 {
			c := &domain.LatLng{Lat: lat + rng.Float64()*0.2, Lng: 108.9 + rng.Float64()*0.2}
			tg := Target{Kind: TargetOffering, Item: "meal", Area: domain.ServiceArea{Center: c, RadiusM: 100 + rng.IntN(20_000)}}
			if i%5 == 0 {
				tg.Area.Places = []string{street}
			}
			targets = append(targets, tg)
			x.add("meal", int32(i), &targets[i])
		}
		for range 300 {
			n := Need{Place: []string{commA, commA + "001", commC}[rng.IntN(3)],
				Location: &domain.LatLng{Lat: lat + rng.Float64()*0.2, Lng: 108.9 + rng.Float64()*0.2}}
			found := map[int32]bool{}
			x.each("meal", &n, func(i int32) { found[i] = true })
			for i := range targets {
				if targets[i].Area.Covers(n.Place, n.Location) && !found[int32(i)] {
					t.Fatalf("lat %v: target %d covers the home but was not found", lat, i)
				}
			}
		}
	}
}

// TestRelatedBothWays: an item lists a related item once; needs of either
// find offerings of the other, at the related fit.
func TestRelatedBothWays(t *testing.T) {
	p := Problem{Catalogue: testItems(), Needs: []Need{mkNeed("a", "home_care"), mkNeed("b", "meal")},
		Targets: []Target{mkTarget("m", "meal", 1), mkTarget("h", "home_care", 1)}}
	e := newEngine(&p, DefaultWeights(), Options{})
	for i := range e.needs {
		var buf []edge
		es, _ := e.candidates(i, &buf)
		if len(es) != 2 {
			t.Fatalf("need %s: %d candidates", e.needs[i].ID, len(es))
		}
		for _, x := range es {
			want := fitRelated
			if e.targets[x.target].Item == e.needs[i].Item {
				want = fitExact
			}
			if x.fit != want {
				t.Errorf("need %s target %s: fit %d, want %d", e.needs[i].ID, e.targets[x.target].ID, x.fit, want)
			}
		}
	}
}

// TestMaxDistance drops a target inside its area but beyond the option's
// distance.
func TestMaxDistance(t *testing.T) {
	p := Problem{Catalogue: testItems(), Needs: []Need{mkNeed("n", "meal")},
		Targets: []Target{mkTarget("t", "meal", 1, func(t *Target) { t.Location = &domain.LatLng{Lat: 34.30, Lng: 108.95} })}}
	if res := mustMatch(t, p, Options{MaxDistanceM: 3000}); reasonOf(res, "n") != ReasonOutsideArea {
		t.Fatalf("result = %+v", res)
	}
	if res := mustMatch(t, p, Options{MaxDistanceM: 10_000}); len(res.Assignments) != 1 {
		t.Fatalf("result = %+v", res)
	}
}
