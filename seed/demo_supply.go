package seed

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"lianzhu/domain"
)

// providers generates the social forces in the pilot's proportions, with
// their offerings and job openings, then the volunteers.
func (g *demoGen) providers() {
	for i := range DemoNGOs {
		g.organisation(domain.ProviderNGO, fmt.Sprintf("prov-ngo-%04d", i+1), g.text.ngoKinds)
	}
	for i := range DemoUnits {
		g.organisation(domain.ProviderUnit, fmt.Sprintf("prov-unit-%04d", i+1), g.text.unitKinds)
	}
	for i := range DemoEnterprises {
		g.organisation(domain.ProviderEnterprise, fmt.Sprintf("prov-ent-%04d", i+1), g.text.trades)
	}
	for i := range DemoVolunteers {
		g.volunteer(fmt.Sprintf("prov-vol-%04d", i+1))
	}
}

func (g *demoGen) organisation(kind domain.ProviderKind, id string, kinds []demoOrgKind) {
	weights := make([]int, len(kinds))
	for i, k := range kinds {
		weights[i] = k.weight
	}
	k := kinds[g.weighted(weights)]
	base := demoPick(g, g.communities)
	p := domain.Provider{
		ID: id, Kind: kind, Name: g.orgName(k), CreditCode: g.creditCode(k),
		ContactName: g.personName(g.between(25, 58), g.gender()), ContactPhone: g.mobile(),
		Place: base.Code, Area: g.orgArea(kind, base), CreatedAt: g.daysAgo(30, 1100),
	}
	if kind == domain.ProviderUnit && g.chance(0.5) {
		p.Place = base.Parent // many units deal with the street office, not a community
	}
	g.standing(&p, []int{85, 11, 4})
	g.d.Providers = append(g.d.Providers, p)

	n := 1
	switch kind {
	case domain.ProviderNGO:
		n = g.between(2, 5)
	case domain.ProviderUnit, domain.ProviderEnterprise:
		n = g.between(1, 3)
	}
	items := slices.Clone(k.items)
	g.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	for _, item := range items[:min(n, len(items))] {
		g.offering(p, item)
	}
	switch {
	case len(k.jobs) == 0:
	case kind == domain.ProviderEnterprise && g.chance(0.75), kind == domain.ProviderUnit && g.chance(0.3):
		jobs := slices.Clone(k.jobs)
		g.r.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
		for _, j := range jobs[:g.between(1, min(2, len(jobs)))] {
			g.job(p, j)
		}
	}
}

// orgName returns an unused name of the kind. If random picks keep hitting
// names in use, a branch number keeps them unique.
func (g *demoGen) orgName(k demoOrgKind) string {
	for try := 0; ; try++ {
		name := fmt.Sprintf(demoPick(g, k.names), demoPick(g, g.text.orgWords))
		if try >= 20 {
			name = fmt.Sprintf("%s第%d分部", name, try)
		}
		if !g.orgNames[name] {
			g.orgNames[name] = true
			return name
		}
	}
}

// creditCode returns an unused unified social credit code registered in the
// demo district, with the check character computed as GB 32100 requires.
func (g *demoGen) creditCode(k demoOrgKind) string {
	for {
		var b strings.Builder
		b.WriteByte(k.authority)
		b.WriteByte(k.category)
		b.WriteString(DistrictCode[:6])
		if k.authority == '9' {
			b.WriteString("MA") // codes issued since 2015 by market regulation start so
		}
		for b.Len() < 17 {
			if g.chance(0.8) {
				b.WriteByte(byte('0' + g.intn(10)))
			} else {
				b.WriteByte(domain.USCCAlphabet[10+g.intn(len(domain.USCCAlphabet)-10)])
			}
		}
		code, err := domain.CompleteUSCC(b.String())
		if err != nil {
			panic("seed: demo credit code: " + err.Error()) // built from the alphabet: cannot happen
		}
		if !g.orgCodes[code] {
			g.orgCodes[code] = true
			return code
		}
	}
}

// orgArea: NGOs cover a few streets or communities, units their own street or
// a walking radius, enterprises often the whole district.
func (g *demoGen) orgArea(kind domain.ProviderKind, base domain.Place) domain.ServiceArea {
	streets := func(n int) []string {
		out := []string{base.Parent}
		for len(out) < n {
			if s := demoPick(g, g.streets).Code; !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	radius := func(lo, hi int) domain.ServiceArea {
		return domain.ServiceArea{Center: &domain.LatLng{Lat: base.Lat, Lng: base.Lng}, RadiusM: g.between(lo, hi) * 100}
	}
	r := g.intn(100)
	switch kind {
	case domain.ProviderNGO:
		switch {
		case r < 55:
			return domain.ServiceArea{Places: streets(g.between(1, 3))}
		case r < 85:
			comms := []string{base.Code}
			for _, c := range g.communities {
				if c.Parent == base.Parent && c.Code != base.Code && g.chance(0.5) {
					comms = append(comms, c.Code)
				}
			}
			return domain.ServiceArea{Places: comms}
		}
		return domain.ServiceArea{Places: []string{DistrictCode}}
	case domain.ProviderUnit:
		if r < 60 {
			return domain.ServiceArea{Places: streets(g.between(1, 2))}
		}
		return radius(15, 30)
	}
	switch {
	case r < 40:
		return domain.ServiceArea{Places: []string{DistrictCode}}
	case r < 75:
		return domain.ServiceArea{Places: streets(g.between(2, 4))}
	}
	return radius(20, 50)
}

// standing sets verification (weights: verified, pending, suspended), the
// traffic light, ratings and complaints, consistently with each other.
func (g *demoGen) standing(p *domain.Provider, verification []int) {
	p.Verification = []domain.Verification{domain.VerificationVerified, domain.VerificationPending,
		domain.VerificationSuspended}[g.weighted(verification)]
	p.TrafficLight = []domain.TrafficLight{domain.LightGreen, domain.LightYellow, domain.LightRed}[g.weighted([]int{90, 7, 3})]
	if p.Verification == domain.VerificationSuspended && p.TrafficLight == domain.LightGreen {
		p.TrafficLight = domain.LightRed // suspended after complaints
	}
	if p.Verification == domain.VerificationPending {
		p.TrafficLight = domain.LightGreen // no service yet: no ratings, no complaints
		return
	}
	p.RatingCount = g.between(3, 260)
	lo, hi, clo, chi := 38, 50, 0, 1
	switch p.TrafficLight {
	case domain.LightYellow:
		lo, hi, clo, chi = 30, 40, 2, 5
	case domain.LightRed:
		lo, hi, clo, chi = 20, 34, 4, 12
	}
	p.Rating = float64(g.between(lo, hi)) / 10
	p.Complaints = g.between(clo, chi)
}

// offering publishes one catalogue item of the provider with a capacity,
// price and audience that fit the item.
func (g *demoGen) offering(p domain.Provider, item string) {
	it, _ := g.cat.Get(item)
	g.nextOffer++
	o := domain.Offering{
		ID: fmt.Sprintf("off-%06d", g.nextOffer), ProviderID: p.ID, Item: item,
		Title:    fmt.Sprintf(demoPick(g, g.text.titleForms), it.NameZh),
		Audience: g.audience(item, p.Area),
		Area:     demoCloneArea(p.Area),
		Status:   []domain.OfferingStatus{domain.OfferingActive, domain.OfferingPaused, domain.OfferingClosed}[g.weighted([]int{88, 8, 4})],
	}
	o.Period, o.Capacity = g.capacity(item)
	o.Left = o.Capacity - g.between(0, o.Capacity*2/3)
	if g.chance(0.1) {
		o.Left = 0 // full for this period: the engine must report the gap
	}
	unit := it.UnitPriceFen
	switch {
	case unit == 0:
	case p.Kind == domain.ProviderEnterprise:
		// A discounted price for recipients; the voucher covers most of it.
		if g.chance(0.7) {
			o.VoucherFen = unit
		}
		o.PriceFen = unit * domain.Fen(g.between(0, 5)) / 10 / 100 * 100
	case g.chance(0.5):
		o.VoucherFen = unit // free to the resident, settled from vouchers
	}
	price := "免费"
	if o.PriceFen > 0 {
		price = "个人支付" + o.PriceFen.String() + "/" + it.Unit
	}
	if o.VoucherFen > 0 {
		price += "，可用服务券抵扣" + o.VoucherFen.String()
	}
	o.Description = fmt.Sprintf("%s提供%s，可解决%s等需求。%s。", p.Name, it.NameZh, strings.Join(it.Synonyms[:min(3, len(it.Synonyms))], "、"), price)
	o.Schedule = demoPick(g, g.text.schedules[o.Period])
	o.ValidFrom = g.daysAgo(20, 500).Truncate(24 * time.Hour)
	if g.chance(0.5) || o.Status == domain.OfferingClosed {
		o.ValidTo = o.ValidFrom.AddDate(g.between(1, 2), 0, 0)
	}
	o.CreatedAt, o.UpdatedAt = o.ValidFrom, demoLater(o.ValidFrom, g.daysAgo(0, 60))
	g.d.Offerings = append(g.d.Offerings, o)
}

// capacity: meals are counted per day, personal care per week, devices and
// adaptations as a fixed stock, the rest per month.
func (g *demoGen) capacity(item string) (domain.CapacityPeriod, int) {
	switch item {
	case "meal", "meal_delivery":
		return domain.CapacityPerDay, g.between(10, 60)
	case "bathing", "haircut", "cleaning", "laundry", "companionship", "caring_visit", "mobility", "errand", "medical_escort",
		"rehabilitation", "home_care", "home_nursing", "health_check", "tutoring", "child_care":
		return domain.CapacityPerWeek, g.between(4, 30)
	case "age_friendly_adaptation":
		return domain.CapacityOnce, g.between(5, 30)
	case "home_safety", "assistive_device", "holiday_visit":
		return domain.CapacityOnce, g.between(10, 100)
	case "emergency_help":
		return domain.CapacityPerYear, g.between(20, 200)
	}
	return domain.CapacityPerMonth, g.between(5, 60)
}

// audience: tiers (always the top two), often people just outside them,
// sometimes anyone in hardship; age and disability limits where the item
// implies them.
func (g *demoGen) audience(item string, area domain.ServiceArea) domain.Audience {
	var a domain.Audience
	switch r := g.intn(100); {
	case r < 30:
		a.Anyone = true
	default:
		a.Tiers = []domain.AssistanceKind{domain.AssistTekun, domain.AssistDibao}
		for _, k := range []domain.AssistanceKind{domain.AssistDibaoEdge, domain.AssistRigidExpense, domain.AssistOrphan} {
			if g.chance(0.5) {
				a.Tiers = append(a.Tiers, k)
			}
		}
		a.JustOutside = r < 70
	}
	switch item {
	case "meal", "meal_delivery", "bathing", "emergency_help", "companionship", "caring_visit", "age_friendly_adaptation", "home_safety":
		if g.chance(0.7) {
			a.MinAge = 60
		}
	case "child_care":
		a.MaxAge = 14
	case "tutoring":
		a.MinAge, a.MaxAge = 6, 18
	case "skills_training", "housekeeping_training", "handicraft_training":
		if g.chance(0.5) {
			a.MinAge, a.MaxAge = 16, 59
		}
	case "rehabilitation", "assistive_device":
		if g.chance(0.4) {
			a.DisabilityOnly = true
			if g.chance(0.5) {
				a.DisabilityTypes = []domain.DisabilityType{domain.DisabilityPhysical, domain.DisabilityMultiple}
			}
		}
	}
	if len(area.Places) > 1 && g.chance(0.1) {
		a.Places = []string{demoPick(g, area.Places)} // a pilot limited to one part of the area
	}
	return a
}

func demoCloneArea(a domain.ServiceArea) domain.ServiceArea {
	a.Places = slices.Clone(a.Places)
	if a.Center != nil {
		c := *a.Center
		a.Center = &c
	}
	return a
}

// job posts an opening from a template, wages varied a little.
func (g *demoGen) job(p domain.Provider, t demoJob) {
	g.nextJob++
	wageMin := domain.Yuan(t.wageMin + int64(g.between(0, 3)*100))
	wageMax := max(wageMin, domain.Yuan(t.wageMax+int64(g.between(0, 5)*100)))
	if t.item == "public_welfare_job" {
		wageMin, wageMax = domain.Yuan(t.wageMin), domain.Yuan(t.wageMax) // set by policy, not negotiated
	}
	j := domain.JobOpening{
		ID: fmt.Sprintf("job-%05d", g.nextJob), EnterpriseID: p.ID, Title: t.title, KindOfWork: t.kind, Item: t.item,
		Requirements: domain.JobRequirements{Physical: t.physical, HoursPerWeek: t.hours, Skills: demoSplit(t.skills)},
		Training:     t.training, WageMinFen: wageMin, WageMaxFen: wageMax, Place: p.Place,
		Openings: g.between(1, 8),
		Status:   []domain.JobStatus{domain.JobOpen, domain.JobFilled, domain.JobClosed}[g.weighted([]int{85, 10, 5})],
	}
	if t.item == "public_welfare_job" {
		j.Openings = g.between(1, 3)
	}
	j.CreatedAt = demoLater(p.CreatedAt, g.daysAgo(3, 200))
	j.UpdatedAt = j.CreatedAt
	g.d.Jobs = append(g.d.Jobs, j)
}

// volunteer signs up one person: a name, a phone, the neighbourhood they
// serve (a walking radius around their community) and their skills.
func (g *demoGen) volunteer(id string) {
	home := demoPick(g, g.communities)
	name := g.personName(g.between(18, 70), g.gender())
	p := domain.Provider{
		ID: id, Kind: domain.ProviderVolunteer, Name: name, ContactName: name, ContactPhone: g.mobile(), Place: home.Code,
		Area:      domain.ServiceArea{Center: &domain.LatLng{Lat: home.Lat, Lng: home.Lng}, RadiusM: g.between(10, 30) * 100},
		CreatedAt: g.daysAgo(5, 900),
	}
	if g.chance(0.4) {
		p.Area.Places = []string{home.Code}
	}
	g.standing(&p, []int{90, 9, 1})
	g.d.Providers = append(g.d.Providers, p)

	prof := VolunteerProfile{ProviderID: id}
	for range g.between(1, 3) {
		s := demoPick(g, g.text.volunteerSkill)
		if slices.Contains(prof.Skills, s.skill) {
			continue
		}
		prof.Skills = append(prof.Skills, s.skill)
		for _, it := range s.items {
			if !slices.Contains(prof.Items, it) {
				prof.Items = append(prof.Items, it)
			}
		}
	}
	g.d.Volunteers = append(g.d.Volunteers, prof)
}
