package matching

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"lianzhu/domain"
)

// genSpec sizes a generated district.
type genSpec struct {
	needs, targets, items, communities int
	// scarce cuts capacity to 0–1 per offering, so needs compete hard and
	// the solver must displace and re-route rather than find free places.
	scarce bool
}

// demoSpec is the demo district's size; tenfold is a whole city's.
var (
	demoSpec    = genSpec{needs: 3000, targets: 2000, items: 40, communities: 60}
	tenfoldSpec = genSpec{needs: 30000, targets: 20000, items: 40, communities: 600}
)

// words is a small vocabulary for residents' words and target texts.
var words = []string{"老人", "独居", "腿脚不好", "下不了楼", "做饭", "洗澡", "打扫卫生", "看病", "陪同",
	"聊天", "孤单", "找工作", "学手艺", "家政", "辅导作业", "轮椅", "康复", "理发", "买菜", "修水管",
	"社区", "服务", "上门", "免费", "每周", "志愿者", "培训", "岗位", "照护", "心理", "安全", "报警器"}

// genProblem builds a deterministic district-like problem: items in
// related chains of three, communities in streets of six on a 1 km grid,
// offerings serving a street, a few communities or a radius, jobs for the
// employment items and volunteer pools for the task-like ones.
func genProblem(seed uint64, s genSpec) Problem {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(xs []string, k int) string {
		out := ""
		for range k {
			out += xs[rng.IntN(len(xs))]
		}
		return out
	}
	var p Problem
	for i := range s.items {
		it := Item{Code: fmt.Sprintf("item%02d", i), NameZh: pick(words, 1), Synonyms: []string{pick(words, 1), pick(words, 2)},
			TaskLike: i < s.items/6, Employment: i >= s.items-s.items/10}
		if i%3 != 2 && i+1 < s.items && (i+1 >= s.items-s.items/10) == it.Employment {
			it.Related = []string{fmt.Sprintf("item%02d", i+1)}
		}
		p.Catalogue = append(p.Catalogue, it)
	}
	community := func(c int) (string, domain.LatLng) {
		code := fmt.Sprintf("610103%03d%03d", c/6+1, c%6+1)
		return code, domain.LatLng{Lat: 34.20 + float64(c%25)*0.009, Lng: 108.90 + float64(c/25)*0.011}
	}
	near := func(l domain.LatLng) *domain.LatLng {
		return &domain.LatLng{Lat: l.Lat + (rng.Float64()-0.5)*0.008, Lng: l.Lng + (rng.Float64()-0.5)*0.008}
	}
	tiers := domain.AssistanceKinds()
	urg := []domain.Urgency{domain.UrgencyLow, domain.UrgencyNormal, domain.UrgencyNormal, domain.UrgencyHigh, domain.UrgencyCritical}
	for i := range s.needs {
		code, at := community(rng.IntN(s.communities))
		age := 5 + rng.IntN(90)
		n := Need{ID: fmt.Sprintf("n%06d", i), HouseholdID: fmt.Sprintf("h%06d", i/2), Item: p.Catalogue[min(rng.IntN(s.items), rng.IntN(s.items))].Code,
			Place: code + fmt.Sprintf("%03d", 1+rng.IntN(3)), Location: near(at), Words: pick(words, 2+rng.IntN(4)), Note: pick(words, 2),
			Urgency: urg[rng.IntN(len(urg))], Age: &age, LivingAlone: rng.IntN(5) == 0, VoucherLeftFen: domain.Fen(rng.IntN(100_000)),
			DoNotContact: rng.IntN(50) == 0, KnownProviders: []string{fmt.Sprintf("p%04d", rng.IntN(s.targets/3+1))}}
		if rng.IntN(4) > 0 {
			n.Assistance = []domain.AssistanceKind{tiers[rng.IntN(len(tiers))]}
		} else {
			n.JustOutside = rng.IntN(2) == 0
		}
		if rng.IntN(7) == 0 {
			n.Disability = &domain.Disability{Type: domain.DisabilityPhysical, Grade: 1 + rng.IntN(4)}
		}
		for _, r := range domain.RecipientKinds() {
			if rng.IntN(10) < 8 {
				n.Consents = append(n.Consents, r)
			}
		}
		p.Needs = append(p.Needs, n)
	}
	for i := range s.targets {
		c := rng.IntN(s.communities)
		code, at := community(c)
		t := Target{ID: fmt.Sprintf("t%06d", i), ProviderID: fmt.Sprintf("p%04d", i/3), Title: pick(words, 3), Text: pick(words, 12),
			Audience: domain.Audience{Anyone: rng.IntN(2) == 0, JustOutside: rng.IntN(3) == 0}, Location: near(at),
			Recipient: domain.RecipientNGOUnit, ProviderLight: domain.LightGreen, ProviderRating: 1 + 4*rng.Float64(), ProviderRatingCount: 1 + rng.IntN(40)}
		if !t.Audience.Anyone {
			t.Audience.Tiers = []domain.AssistanceKind{tiers[rng.IntN(3)], tiers[rng.IntN(len(tiers))]}
			if t.Audience.Tiers[0] == t.Audience.Tiers[1] {
				t.Audience.Tiers = t.Audience.Tiers[:1]
			}
		}
		switch rng.IntN(20) {
		case 0:
			t.ProviderLight = domain.LightRed
		case 1, 2:
			t.ProviderLight = domain.LightYellow
		}
		switch r := rng.IntN(100); {
		case r < 85:
			t.Kind, t.Item, t.CapacityLeft = TargetOffering, p.Catalogue[rng.IntN(s.items)].Code, rng.IntN(8)
			if s.scarce {
				t.CapacityLeft = rng.IntN(2)
			}
			if rng.IntN(4) == 0 {
				t.VoucherFen = domain.Fen(2000 + rng.IntN(3000))
			}
			if rng.IntN(6) == 0 {
				t.Audience.MinAge = 60
			}
		case r < 93:
			t.Kind, t.Recipient, t.CapacityLeft = TargetJob, domain.RecipientEmployer, 1+rng.IntN(4)
			if rng.IntN(2) == 0 {
				t.Item = p.Catalogue[s.items-1-rng.IntN(s.items/10)].Code
			}
		default:
			t.Kind, t.Recipient, t.CapacityLeft = TargetVolunteerPool, domain.RecipientVolunteer, 3+rng.IntN(20)
			t.Audience = domain.Audience{Anyone: true}
		}
		switch rng.IntN(3) {
		case 0: // a whole street
			t.Area.Places = []string{code[:9] + "000"}
		case 1: // a few communities
			for k := range 1 + rng.IntN(3) {
				other, _ := community((c + k) % s.communities)
				t.Area.Places = append(t.Area.Places, other)
			}
		default: // a radius
			t.Area.Center, t.Area.RadiusM = t.Location, 1500+rng.IntN(2500)
		}
		p.Targets = append(p.Targets, t)
	}
	return p
}

func benchmarkMatch(b *testing.B, s genSpec) {
	p := genProblem(1, s)
	b.ReportAllocs()
	var res Result
	for b.Loop() {
		var err error
		if res, err = Match(p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Stats.Matched), "matched")
	b.ReportMetric(float64(res.Stats.CandidatePairs), "pairs")
	b.ReportMetric(float64(res.Stats.LargestComponent), "largest")
}

// BenchmarkMatch runs the demo district: 3,000 needs, 2,000 targets.
func BenchmarkMatch(b *testing.B) { benchmarkMatch(b, demoSpec) }

// BenchmarkMatch10x runs a city ten times the demo district.
func BenchmarkMatch10x(b *testing.B) { benchmarkMatch(b, tenfoldSpec) }

// BenchmarkMatchScarce runs the demo district with hardly any capacity.
func BenchmarkMatchScarce(b *testing.B) {
	s := demoSpec
	s.scarce = true
	benchmarkMatch(b, s)
}

// BenchmarkMatch10xScarce runs the city with hardly any capacity.
func BenchmarkMatch10xScarce(b *testing.B) {
	s := tenfoldSpec
	s.scarce = true
	benchmarkMatch(b, s)
}
