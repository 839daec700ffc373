package seed

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"lianzhu/domain"
)

// DemoDibaoStandardFen is the monthly 低保 standard per person that the demo
// generator aims household incomes at: tiers sit below or above multiples of
// it. Demonstration value: the policy engine reads its own dated parameters
// (PolicyParams), so a change there does not move the synthetic population.
const DemoDibaoStandardFen domain.Fen = 820 * 100

// DemoIDAreaPrefix is the area code of every demo ID number. 61 is Shaanxi,
// but no prefecture-level code 6199 has ever been assigned (Shaanxi's cities
// are 6101–6110; the old prefectures used 6121–6127), so 619901 belongs to
// no place and a demo number cannot be anyone's. Validation checks shape,
// birth date and check character, not the area, so the numbers validate.
const DemoIDAreaPrefix = "619901"

// Counts at scale 1, from the pilot district (DOMAIN.md): 188 NGOs, 288
// stationed units, 1,055 volunteers and 374 enterprises; households are
// "thousands", enough for every tier and the group just outside them.
const (
	DemoNGOs        = 188
	DemoUnits       = 288
	DemoEnterprises = 374
	DemoVolunteers  = 1055
	DemoHouseholds  = 3600
)

// DemoOptions controls the demo district.
type DemoOptions struct {
	// Seed picks the district: the same Seed (and Now) gives the same data.
	Seed uint64
	// Scale is the number of district copies (a city), for benchmarks; 0
	// means 1. See demo_scale.go for why copies and not denser districts.
	Scale int
	// Now anchors every date (decisions, consents, needs). It is truncated to
	// the start of its UTC day, so runs on the same day give identical data
	// and every generated date lies before the real time of use.
	Now time.Time
	// PasswordHash is given to every demo account: one precomputed hash,
	// since bcrypt for each of ~1,900 accounts would cost minutes.
	PasswordHash string
}

// District is a generated demo district, in the order it was generated.
type District struct {
	Households []domain.Household
	Needs      []domain.Need
	Providers  []domain.Provider
	Offerings  []domain.Offering
	Jobs       []domain.JobOpening
	// Volunteers describes each volunteer provider's skills, which
	// domain.Provider has no field for yet.
	Volunteers []VolunteerProfile
	// Accounts are ngo1…, unit1…, enterprise1…, volunteer1…, each bound to
	// its provider, marked Demo and carrying DemoOptions.PasswordHash; their
	// IDs are left to the store, as for DemoAccounts.
	Accounts []domain.User
}

// VolunteerProfile is what a volunteer can do: skills in plain words, as a
// volunteer writes them on sign-up, and the task-like catalogue items those
// skills serve, which the volunteer pool is matched on.
type VolunteerProfile struct {
	ProviderID string   `json:"provider_id"`
	Skills     []string `json:"skills"`
	Items      []string `json:"items"`
}

// Demo generates the demo district over Places and Catalogue. It returns
// EINVALID for a zero Now (dates would be meaningless) or a negative Scale.
func Demo(opts DemoOptions) (*District, error) {
	if opts.Now.IsZero() {
		return nil, domain.Errorf(domain.EINVALID, "seed: demo needs a reference time (Now)")
	}
	if opts.Scale < 0 {
		return nil, domain.Errorf(domain.EINVALID, "seed: demo scale must not be negative")
	}
	if opts.Scale == 0 {
		opts.Scale = 1
	}
	if opts.Scale > DemoMaxScale {
		return nil, domain.Errorf(domain.EINVALID, "seed: demo scale must be at most %d", DemoMaxScale)
	}
	city := &District{}
	for k := 0; k < opts.Scale; k++ {
		one := opts
		// Copy 0 keeps the seed, so scale 1 is exactly the demo district.
		one.Seed = opts.Seed + uint64(k)*0x9e3779b97f4a7c15
		d := demoDistrict(one)
		if k > 0 {
			if err := relocate(d, k); err != nil {
				return nil, err
			}
		}
		city.Households = append(city.Households, d.Households...)
		city.Needs = append(city.Needs, d.Needs...)
		city.Providers = append(city.Providers, d.Providers...)
		city.Offerings = append(city.Offerings, d.Offerings...)
		city.Jobs = append(city.Jobs, d.Jobs...)
		city.Volunteers = append(city.Volunteers, d.Volunteers...)
	}
	(&demoGen{d: city}).accounts(opts.PasswordHash)
	return city, nil
}

// demoDistrict generates one copy of the demo district (see demo_scale.go).
func demoDistrict(opts DemoOptions) *District {
	g := newDemoGen(opts)
	// Capacities from the scale-1 yields, so that big slices of big structs
	// are not copied as they grow.
	g.d.Providers = make([]domain.Provider, 0, DemoNGOs+DemoUnits+DemoEnterprises+DemoVolunteers)
	g.d.Offerings = make([]domain.Offering, 0, 2000)
	g.d.Needs = make([]domain.Need, 0, 5500)
	g.providers()
	g.households(DemoHouseholds)
	return g.d
}

// demoGen carries the state of one generation run. Everything random comes
// from r, and nothing iterates a map, so output depends on the seed alone.
type demoGen struct {
	r    *rand.Rand
	now  time.Time
	text *demoText
	cat  *domain.Catalogue

	streets, communities, compounds []domain.Place
	place                           map[string]domain.Place

	// Uniqueness: ID numbers by birth date (yyyymmdd×2, +1 for men) to the
	// next free sequence number; organisation names and credit codes in use.
	idSeq    map[int]int
	orgNames map[string]bool
	orgCodes map[string]bool

	// Counters behind the deterministic IDs.
	nextNeed, nextWarn, nextOffer, nextJob int

	candBuf   []demoNeedCandidate // scratch for needCandidates
	weightBuf []int               // scratch for needsFor

	d *District
}

func newDemoGen(opts DemoOptions) *demoGen {
	y, m, day := opts.Now.UTC().Date()
	g := &demoGen{
		// The second PCG word is fixed: one seed selects one stream.
		r:        rand.New(rand.NewPCG(opts.Seed, 0x6c69616e7a6875)),
		now:      time.Date(y, m, day, 0, 0, 0, 0, time.UTC),
		text:     newDemoText(),
		cat:      Catalogue(),
		place:    map[string]domain.Place{},
		idSeq:    map[int]int{},
		orgNames: map[string]bool{},
		orgCodes: map[string]bool{},
		d:        &District{},
	}
	for _, p := range Places() {
		g.place[p.Code] = p
		switch p.Level {
		case domain.LevelStreet:
			g.streets = append(g.streets, p)
		case domain.LevelCommunity:
			g.communities = append(g.communities, p)
		case domain.LevelCompound:
			g.compounds = append(g.compounds, p)
		}
	}
	return g
}

// Random helpers.

func (g *demoGen) intn(n int) int { return g.r.IntN(n) }

// between returns an int in [lo, hi].
func (g *demoGen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *demoGen) chance(p float64) bool { return g.r.Float64() < p }

// weighted returns an index drawn in proportion to weights.
func (g *demoGen) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func demoPick[T any](g *demoGen, s []T) T { return s[g.r.IntN(len(s))] }

// daysAgo returns a time between lo and hi+1 days before now, at a random
// second, so that records do not share a timestamp and none is in the future.
func (g *demoGen) daysAgo(lo, hi int) time.Time {
	return g.now.AddDate(0, 0, -g.between(lo, hi)).Add(-time.Duration(1+g.intn(86399)) * time.Second)
}

// demoLater keeps generated update times from preceding creation times.
func demoLater(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// yuanBetween returns a whole-yuan amount in [lo, hi] yuan.
func (g *demoGen) yuanBetween(lo, hi int) domain.Fen { return domain.Yuan(int64(g.between(lo, hi))) }

// idNumber returns a unique GB 11643 number under DemoIDAreaPrefix for a
// person of the age and gender. Sequence numbers are handed out per birth
// date and gender; a full date moves to the day before, which may move the
// birth year, so callers read year and gender back from the number.
func (g *demoGen) idNumber(age int, gender domain.Gender) string {
	birth := time.Date(g.now.Year()-age, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.intn(365))
	for !birth.Before(g.now) {
		birth = birth.AddDate(0, 0, -1) // a baby of this year: born before today
	}
	odd := 0
	if gender == domain.GenderMale {
		odd = 1
	}
	for {
		y, m, d := birth.Date()
		date := y*10000 + int(m)*100 + d
		key := date*2 + odd
		n, seen := g.idSeq[key]
		if !seen {
			n = g.intn(120) // real numbers do not start at 000
		}
		if n < 500 {
			g.idSeq[key] = n + 1
			seq := 2*n + odd // odd for men, even for women
			b := strconv.AppendInt([]byte(DemoIDAreaPrefix), int64(date), 10)
			b = append(b, byte('0'+seq/100), byte('0'+seq/10%10), byte('0'+seq%10))
			id, err := domain.CompleteIDNumber(string(b))
			if err != nil {
				panic("seed: demo ID number: " + err.Error()) // digits only: cannot happen
			}
			return id
		}
		birth = birth.AddDate(0, 0, -1)
	}
}

// demoCoordinator returns the demo street coordinator's username for a place:
// the person who recorded the facts and needs of a household there.
func demoCoordinator(place string) string { return "coordinator." + place[:9] }

// accounts creates one demo account per provider, numbered per kind in the
// order the providers were generated.
func (g *demoGen) accounts(hash string) {
	counts := map[domain.ProviderKind]int{}
	g.d.Accounts = make([]domain.User, 0, len(g.d.Providers))
	for _, p := range g.d.Providers {
		counts[p.Kind]++
		role, prefix := domain.RoleNGO, "ngo"
		switch p.Kind {
		case domain.ProviderUnit:
			role, prefix = domain.RoleUnit, "unit"
		case domain.ProviderEnterprise:
			role, prefix = domain.RoleEnterprise, "enterprise"
		case domain.ProviderVolunteer:
			role, prefix = domain.RoleVolunteer, "volunteer"
		}
		g.d.Accounts = append(g.d.Accounts, domain.User{
			Username: fmt.Sprintf("%s%d", prefix, counts[p.Kind]), Role: role, ProviderID: p.ID,
			PasswordHash: hash, Demo: true, CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt,
		})
	}
}

// demoNeedCandidate is an item a member might ask for, with a weight.
type demoNeedCandidate struct {
	member int
	item   string
	w      int
}

// needsFor records what the household's members would tell a sentinel or a
// grid worker: items drawn from what fits each member (age, living alone,
// disability, illness, work, children), a few per household.
func (g *demoGen) needsFor(h *domain.Household, s demoSegment) {
	lo, hi := 0, 2
	switch s {
	case segTekunDispersed, segTekunCentral, segRigid:
		lo, hi = 1, 3
	case segDibao:
		hi = 3
	case segJustOutside:
		lo = 1
	}
	cands := g.needCandidates(h, s)
	var taken []string
	for range g.between(lo, hi) {
		weights := g.weightBuf[:0]
		for _, c := range cands {
			w := c.w
			if slices.Contains(taken, c.item) {
				w = 0
			}
			weights = append(weights, w)
		}
		g.weightBuf = weights
		if slices.Max(weights) == 0 {
			return
		}
		c := cands[g.weighted(weights)]
		taken = append(taken, c.item)
		g.d.Needs = append(g.d.Needs, g.need(h, s, c))
	}
}

func (g *demoGen) needCandidates(h *domain.Household, s demoSegment) []demoNeedCandidate {
	out := g.candBuf[:0] // reused: candidates live only while one household's needs are drawn
	add := func(member int, w int, items ...string) {
		for _, it := range items {
			out = append(out, demoNeedCandidate{member, it, w})
		}
	}
	defer func() { g.candBuf = out }()
	alone := len(h.Members) == 1
	cared := -1 // someone severely disabled, seriously ill or very old
	for i, m := range h.Members {
		age := m.Age(g.now)
		d := m.Disability
		physical := d != nil && (d.Value.Type == domain.DisabilityPhysical || d.Value.Type == domain.DisabilityMultiple)
		severe := d != nil && d.Value.Grade <= 2
		if age >= 60 {
			add(i, 4, "meal")
			add(i, 3, "cleaning", "medical_escort")
			add(i, 2, "haircut", "health_check", "emergency_help", "age_friendly_adaptation", "errand", "repair")
			add(i, 1, "laundry", "holiday_visit", "digital_skills", "family_mediation", "deep_cleaning")
			if alone {
				add(i, 4, "companionship", "caring_visit", "home_safety", "emergency_help")
			}
			if age >= 70 || physical {
				add(i, 3, "bathing", "meal_delivery", "mobility")
			}
			if age >= 80 || severe {
				add(i, 3, "home_care")
			}
		}
		if d != nil {
			add(i, 3, "rehabilitation", "assistive_device")
			if physical {
				add(i, 3, "mobility")
			}
		}
		if m.SeriousIllness != nil {
			add(i, 2, "home_nursing", "medical_escort", "counselling")
		}
		if severe || m.SeriousIllness != nil || age >= 85 {
			cared = i
		}
		able := m.WorkAbility != nil && m.WorkAbility.Value != domain.WorkAbilityNone
		jobless := m.Employment != nil && m.Employment.Value != domain.EmploymentEmployed && m.Employment.Value != domain.EmploymentStudent
		if age >= 16 && age < 60 && able && jobless {
			add(i, 4, "job_placement")
			add(i, 3, "flexible_employment")
			add(i, 2, "skills_training", "handicraft_training", "housekeeping_training")
			add(i, 1, "entrepreneurship", "digital_skills")
			if age >= 45 || d != nil {
				add(i, 2, "public_welfare_job")
			}
		}
		if age >= 6 && age <= 17 {
			add(i, 4, "tutoring")
			add(0, 1, "parenting_guidance")
		}
		if age >= 6 && age <= 12 {
			add(i, 2, "child_care")
		}
	}
	// Whoever looks after them may need a break (喘息服务).
	for i, m := range h.Members {
		if cared >= 0 && i != cared && m.Age(g.now) >= 18 && m.Age(g.now) < 75 {
			add(i, 3, "respite")
			break
		}
	}
	w := 1
	if s >= segRigid {
		w = 3 // outside the top tiers, help with applications is often the first need
	}
	add(0, w, "application_help")
	add(0, 2, "resource_linking")
	add(0, 1, "legal_aid")
	if s == segRigid {
		add(0, 3, "case_management", "counselling")
	} else if s == segDibao {
		add(0, 1, "case_management")
	}
	return out
}

// need builds one need. The resident's words sometimes carry a name or a
// phone number, as they do in real intake; the neutral note never does.
func (g *demoGen) need(h *domain.Household, s demoSegment, c demoNeedCandidate) domain.Need {
	g.nextNeed++
	m := h.Members[c.member]
	age := m.Age(g.now)
	kids := slices.ContainsFunc(h.Members, func(x domain.Member) bool { return x.Age(g.now) < 18 })
	words := g.text.needs[c.item]
	own := g.say(words.own, age, kids) + "，" + g.say(g.text.ownTails, age, kids)
	switch {
	case g.chance(0.12):
		phone := m.Phone
		if phone == "" {
			phone = g.mobile()
		}
		own += fmt.Sprintf(g.say(g.text.contactTails, age, kids), phone)
	case age >= 18 && g.chance(0.08):
		own = "我叫" + m.Name + "，" + own
	}
	n := domain.Need{
		ID: fmt.Sprintf("need-%06d", g.nextNeed), HouseholdID: h.ID, MemberID: m.ID, Place: h.Place, Item: c.item,
		OwnWords:    strings.TrimSuffix(own, "，"),
		NeutralNote: g.describe(h, m, demoPick(g, words.neutral)),
		Urgency:     g.urgency(c.item),
		State:       domain.NeedOpen, CreatedBy: demoCoordinator(h.Place),
	}
	if g.chance(0.7) {
		n.PreferredTime = demoPick(g, g.text.preferredTimes)
	}
	channels := []domain.NeedChannel{domain.ChannelSentinel, domain.ChannelHomeVisit, domain.ChannelGridWorker,
		domain.ChannelHotline, domain.ChannelSelfReport, domain.ChannelLivestream, domain.ChannelWarning}
	weights := []int{30, 22, 18, 10, 10, 4, 1}
	if s == segRigid {
		weights[6] = 25 // large medical bills raise warnings
	}
	n.Channel = channels[g.weighted(weights)]
	if n.Channel == domain.ChannelSentinel && !g.place[h.Place].Sentinel {
		n.Channel = domain.ChannelGridWorker // no sentinel in this compound
	}
	if n.Channel == domain.ChannelWarning && !slices.Contains(g.text.warningItems, c.item) {
		n.Channel = domain.ChannelHomeVisit // warnings are about money and health, found on a visit otherwise
	}
	if n.Channel == domain.ChannelWarning {
		g.nextWarn++
		n.WarningID = fmt.Sprintf("warn-%06d", g.nextWarn)
	}
	n.CreatedAt = demoLater(h.CreatedAt, g.daysAgo(0, 150))
	n.UpdatedAt = n.CreatedAt
	if g.chance(0.1) {
		reasons := []domain.CloseReason{domain.CloseNoLongerNeeded, domain.CloseUnreachable, domain.CloseDuplicate, domain.CloseNoSupply}
		n.State, n.CloseReason = domain.NeedClosed, reasons[g.weighted([]int{5, 2, 2, 1})]
		n.UpdatedAt = demoLater(n.CreatedAt, g.daysAgo(0, 30))
	}
	return n
}

// urgency: emergencies and care needs skew urgent, training and jobs do not.
func (g *demoGen) urgency(item string) domain.Urgency {
	weights := []int{20, 55, 20, 5}
	switch item {
	case "emergency_help", "home_nursing", "medical_escort", "home_care":
		weights = []int{5, 35, 45, 15}
	case "skills_training", "housekeeping_training", "handicraft_training", "digital_skills", "entrepreneurship", "tutoring", "holiday_visit":
		weights = []int{45, 50, 5, 0}
	}
	return []domain.Urgency{domain.UrgencyLow, domain.UrgencyNormal, domain.UrgencyHigh, domain.UrgencyCritical}[g.weighted(weights)]
}
