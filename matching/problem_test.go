package matching

import (
	"errors"
	"math"
	"testing"
	"time"

	"lianzhu/domain"
)

// TestValidateRejects: bad input gives an EINVALID error naming the field,
// never a panic.
func TestValidateRejects(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name  string
		edit  func(*Problem)
		field string
	}{
		{"empty catalogue", func(p *Problem) { p.Catalogue = nil }, "catalogue"},
		{"empty needs", func(p *Problem) { p.Needs = nil }, "needs"},
		{"duplicate item", func(p *Problem) { p.Catalogue = append(p.Catalogue, Item{Code: "meal"}) }, "catalogue[6].code"},
		{"unknown related", func(p *Problem) { p.Catalogue[0].Related = []string{"nope"} }, "catalogue[0].related[0]"},
		{"unknown need item", func(p *Problem) { p.Needs[0].Item = "nope" }, "needs[0].item"},
		{"duplicate need", func(p *Problem) { p.Needs = append(p.Needs, p.Needs[0]) }, "needs[1].id"},
		{"bad place", func(p *Problem) { p.Needs[0].Place = "61xx" }, "needs[0].place"},
		{"NaN location", func(p *Problem) { p.Needs[0].Location = &domain.LatLng{Lat: nan, Lng: 1} }, "needs[0].location"},
		{"bad urgency", func(p *Problem) { p.Needs[0].Urgency = "soon" }, "needs[0].urgency"},
		{"negative voucher", func(p *Problem) { p.Needs[0].VoucherLeftFen = -1 }, "needs[0].voucher_left_fen"},
		{"unknown target item", func(p *Problem) { p.Targets[0].Item = "nope" }, "targets[0].item"},
		{"negative capacity", func(p *Problem) { p.Targets[0].CapacityLeft = -1 }, "targets[0].capacity"},
		{"NaN rating", func(p *Problem) { p.Targets[0].ProviderRating = nan }, "targets[0].provider_rating"},
		{"infinite rating", func(p *Problem) { p.Targets[0].ProviderRating = math.Inf(1) }, "targets[0].provider_rating"},
		{"infinite centre", func(p *Problem) {
			p.Targets[0].Area = domain.ServiceArea{Center: &domain.LatLng{Lat: math.Inf(1)}, RadiusM: 10}
		}, "targets[0].area.center"},
		{"offering without area", func(p *Problem) { p.Targets[0].Area = domain.ServiceArea{} }, "targets[0].area"},
		{"job of a non-employment item", func(p *Problem) { p.Targets[0].Kind = TargetJob }, "targets[0].item"},
		{"unknown kind", func(p *Problem) { p.Targets[0].Kind = "gift" }, "targets[0].kind"},
		{"empty audience", func(p *Problem) { p.Targets[0].Audience = domain.Audience{} }, "targets[0].audience"},
		{"bad recipient", func(p *Problem) { p.Targets[0].Recipient = "" }, "targets[0].recipient"},
		{"duplicate target", func(p *Problem) { p.Targets = append(p.Targets, p.Targets[0]) }, "targets[1].id"},
		{"negative weight", func(p *Problem) { w := DefaultWeights(); w.Distance = -1; p.Weights = &w }, "weights.distance"},
		{"NaN distance scale", func(p *Problem) { w := DefaultWeights(); w.DistanceScaleM = nan; p.Weights = &w }, "weights.distance_scale_m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Problem{Catalogue: testItems(), Needs: []Need{mkNeed("n1", "meal")}, Targets: []Target{mkTarget("t1", "meal", 1)}}
			tc.edit(&p)
			_, err := Match(p, Options{})
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != domain.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			for _, f := range e.Fields {
				if f.Field == tc.field {
					return
				}
			}
			t.Fatalf("fields = %+v, want %s", e.Fields, tc.field)
		})
	}
}

func TestMatchRejectsBadOptions(t *testing.T) {
	p := Problem{Catalogue: testItems(), Needs: []Need{mkNeed("n1", "meal")}}
	for _, d := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := Match(p, Options{MaxDistanceM: d}); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("MaxDistanceM %v: err = %v", d, err)
		}
	}
}

// TestNoTargetsIsAGapReport: a district without supply is valid input, and
// every need shows up in the gap report.
func TestNoTargetsIsAGapReport(t *testing.T) {
	res := mustMatch(t, Problem{Catalogue: testItems(), Needs: []Need{mkNeed("n1", "meal")}}, Options{})
	if len(res.Assignments) != 0 || len(res.Gaps) != 1 || res.Gaps[0].Reason != ReasonNoSupply {
		t.Fatalf("result = %+v", res)
	}
}

func TestBuildersFromDomain(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	h := &domain.Household{ID: "h1", Place: commA, Location: &domain.LatLng{Lat: 34.25, Lng: 108.95},
		Members: []domain.Member{{ID: "m1", BirthYear: 1940,
			Disability: &domain.Fact[domain.Disability]{Value: domain.Disability{Type: domain.DisabilityPhysical, Grade: 2}}}},
		LivingAlone: &domain.Fact[bool]{Value: true},
		Assistance:  []domain.AssistanceStatus{{Kind: domain.AssistTekun}},
		Consents: []domain.ConsentEvent{
			{MemberID: "m1", Recipient: domain.RecipientNGOUnit, Action: domain.ConsentGrant, At: now.Add(-time.Hour)},
			{MemberID: "m1", Recipient: domain.RecipientVolunteer, Action: domain.ConsentGrant, At: now.Add(-time.Hour)},
			{MemberID: "m1", Recipient: domain.RecipientVolunteer, Action: domain.ConsentWithdraw, At: now.Add(-time.Minute)},
		}}
	dn := domain.Need{ID: "n1", HouseholdID: "h1", MemberID: "m1", Place: commA, Item: "meal",
		NeutralNote: "需要助餐", Urgency: domain.UrgencyHigh}
	n, err := NeedFrom(dn, h, now)
	if err != nil {
		t.Fatal(err)
	}
	if *n.Age != 85 || n.Disability.Grade != 2 || !n.LivingAlone || len(n.Consents) != 1 ||
		n.Consents[0] != domain.RecipientNGOUnit || n.Assistance[0] != domain.AssistTekun {
		t.Errorf("need = %+v", n)
	}
	if _, err := NeedFrom(dn, &domain.Household{ID: "other"}, now); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("wrong household: err = %v", err)
	}
	prov := domain.Provider{ID: "p1", Kind: domain.ProviderNGO, TrafficLight: domain.LightGreen, Rating: 4.5, RatingCount: 3}
	o := domain.Offering{ID: "o1", Item: "meal", Title: "长者食堂", Audience: domain.Audience{Anyone: true},
		Area: domain.ServiceArea{Places: []string{street}}, Left: 3, Status: domain.OfferingActive, ValidFrom: now.Add(-time.Hour)}
	tg, ok := OfferingTarget(o, prov, now)
	if !ok || tg.CapacityLeft != 3 || tg.Recipient != domain.RecipientNGOUnit {
		t.Errorf("target = %+v, %v", tg, ok)
	}
	o.Status = domain.OfferingPaused
	if _, ok := OfferingTarget(o, prov, now); ok {
		t.Error("a paused offering became a target")
	}
	j := domain.JobOpening{ID: "j1", Title: "保洁员", KindOfWork: "保洁", Openings: 2, Status: domain.JobOpen, Place: commA}
	jt, ok := JobTarget(j, prov, nil)
	if !ok || jt.Kind != TargetJob || jt.Recipient != domain.RecipientEmployer || jt.CapacityLeft != 2 {
		t.Errorf("job target = %+v", jt)
	}
	p := Problem{Catalogue: testItems(), Needs: []Need{n}, Targets: []Target{tg, jt}}
	if err := p.Validate(); err != nil {
		t.Errorf("built problem invalid: %v", err)
	}
}

func TestItemsFrom(t *testing.T) {
	c := domain.NewCatalogue([]domain.CatalogueItem{{Code: "meal", NameZh: "助餐", Related: []string{"home_care"}},
		{Code: "home_care", NameZh: "居家照护", TaskLike: true}})
	items := ItemsFrom(c)
	if len(items) != 2 || items[0].Related[0] != "home_care" || !items[1].TaskLike {
		t.Fatalf("items = %+v", items)
	}
}
