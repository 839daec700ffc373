package seed

import (
	"fmt"
	"slices"

	"lianzhu/domain"
)

// demoSegment is the group a generated household is drawn from. It shapes
// composition, income and statuses; it is not stored, since only facts and
// official statuses describe a real household file.
type demoSegment int

const (
	segTekunDispersed demoSegment = iota // 特困，分散供养
	segTekunCentral                      // 特困，集中供养
	segDibao                             // 低保
	segDibaoEdge                         // 低保边缘家庭
	segRigid                             // 刚性支出困难家庭
	segJustOutside                       // no status, per-capita income 1.0–1.5× the 低保 standard
	segHardship                          // no status, other hardship (old age, disability, moderate bills)
)

// demoSegmentShares are per mille of households. The just-outside group is
// large on purpose: finding it is half of what the engine is for.
func demoSegmentShares() []int { return []int{60, 20, 300, 130, 90, 160, 240} }

// demoComposition is who lives together.
type demoComposition int

const (
	compElderAlone        demoComposition = iota // one person aged 60+
	compElderCouple                              // two people aged 60+
	compAdultAlone                               // one working-age adult, often disabled or ill
	compSingleParent                             // a parent with one or two children
	compCoupleKids                               // a couple with one or two children
	compAdultWithParent                          // an adult with one or two old parents
	compGrandparentsChild                        // grandparents raising a grandchild
	compThreeGen                                 // a couple, one or two children and a grandparent
)

// demoCompositionWeights per segment: 特困 live alone by definition; the
// others follow what sentinels report, many elderly people on their own.
func demoCompositionWeights(s demoSegment) []int {
	switch s {
	case segTekunDispersed, segTekunCentral:
		return []int{75, 0, 25, 0, 0, 0, 0, 0}
	case segDibao:
		return []int{25, 12, 15, 16, 12, 10, 6, 4}
	case segDibaoEdge:
		return []int{20, 15, 10, 12, 18, 12, 5, 8}
	case segRigid:
		return []int{8, 18, 6, 10, 28, 15, 3, 12}
	case segJustOutside:
		return []int{22, 18, 10, 12, 16, 10, 4, 8}
	}
	return []int{30, 20, 10, 10, 12, 10, 3, 5}
}

// demoPerson is a member before details are filled in.
type demoPerson struct {
	rel    domain.Relation
	age    int
	gender domain.Gender
}

func (g *demoGen) compose(c demoComposition) []demoPerson {
	elder := func(rel domain.Relation) demoPerson { return demoPerson{rel, g.between(60, 93), g.gender()} }
	adult := func(rel domain.Relation, lo, hi int) demoPerson {
		return demoPerson{rel, g.between(lo, hi), g.gender()}
	}
	kid := func(rel domain.Relation) demoPerson { return demoPerson{rel, g.between(1, 17), g.gender()} }
	switch c {
	case compElderAlone:
		return []demoPerson{elder(domain.RelationSelf)}
	case compElderCouple:
		h := elder(domain.RelationSelf)
		return []demoPerson{h, {domain.RelationSpouse, max(60, h.age+g.between(-5, 3)), demoOtherGender(h.gender)}}
	case compAdultAlone:
		return []demoPerson{adult(domain.RelationSelf, 22, 59)}
	case compSingleParent:
		out := []demoPerson{adult(domain.RelationSelf, 28, 50), kid(domain.RelationChild)}
		if g.chance(0.4) {
			out = append(out, kid(domain.RelationChild))
		}
		return out
	case compCoupleKids:
		h := adult(domain.RelationSelf, 28, 52)
		out := []demoPerson{h, {domain.RelationSpouse, max(22, h.age+g.between(-4, 4)), demoOtherGender(h.gender)}, kid(domain.RelationChild)}
		if g.chance(0.35) {
			out = append(out, kid(domain.RelationChild))
		}
		return out
	case compAdultWithParent:
		out := []demoPerson{adult(domain.RelationSelf, 30, 58), elder(domain.RelationParent)}
		if g.chance(0.35) {
			out = append(out, elder(domain.RelationParent))
		}
		return out
	case compGrandparentsChild:
		out := []demoPerson{elder(domain.RelationSelf), kid(domain.RelationGrandchild)}
		if g.chance(0.5) {
			out = slices.Insert(out, 1, demoPerson{domain.RelationSpouse, g.between(60, 80), demoOtherGender(out[0].gender)})
		}
		return out
	}
	h := adult(domain.RelationSelf, 32, 52)
	out := []demoPerson{h, {domain.RelationSpouse, max(25, h.age+g.between(-4, 4)), demoOtherGender(h.gender)},
		kid(domain.RelationChild), elder(domain.RelationParent)}
	if g.chance(0.3) {
		out = append(out, kid(domain.RelationChild))
	}
	return out
}

func demoOtherGender(x domain.Gender) domain.Gender {
	if x == domain.GenderMale {
		return domain.GenderFemale
	}
	return domain.GenderMale
}

// households generates n household files, the segments in exact shares and
// shuffled, so that every scale has every tier in the same proportions.
func (g *demoGen) households(n int) {
	var segs []demoSegment
	for s, share := range demoSegmentShares() {
		for range n * share / 1000 {
			segs = append(segs, demoSegment(s))
		}
	}
	for len(segs) < n {
		segs = append(segs, segHardship)
	}
	g.r.Shuffle(len(segs), func(i, j int) { segs[i], segs[j] = segs[j], segs[i] })
	g.d.Households = make([]domain.Household, 0, n)
	for i, s := range segs {
		h := g.household(fmt.Sprintf("hh-%06d", i+1), s)
		g.d.Households = append(g.d.Households, h)
		g.needsFor(&g.d.Households[len(g.d.Households)-1], s)
	}
}

// household builds one file: place and address, members, economics,
// statuses and consents. Needs are added by the caller.
func (g *demoGen) household(id string, s demoSegment) domain.Household {
	comp := demoComposition(g.weighted(demoCompositionWeights(s)))
	h := domain.Household{ID: id, Assistance: []domain.AssistanceStatus{}, Consents: []domain.ConsentEvent{}}
	h.CreatedAt = g.daysAgo(90, 1100)
	h.UpdatedAt = demoLater(h.CreatedAt, g.daysAgo(0, 80))
	cp := demoPick(g, g.compounds)
	comm, street := g.place[cp.Parent], g.place[g.place[cp.Parent].Parent]
	if s == segTekunCentral {
		// Centralised support means living in an institution, filed under its community.
		h.Place, h.Address = comm.Code, street.Name+comm.Name+"养老服务中心（集中供养）"
		h.Location = &domain.LatLng{Lat: comm.Lat, Lng: comm.Lng}
	} else {
		floor := g.between(1, 7)
		h.Place = cp.Code
		h.Address = fmt.Sprintf("%s%s%s%d号楼%d单元%d%02d", street.Name, comm.Name, cp.Name, g.between(1, 18), g.between(1, 4), floor, g.between(1, 3))
		// Near the compound's centre, never the door: ±30 m.
		h.Location = &domain.LatLng{Lat: round6(cp.Lat + (g.r.Float64()-0.5)*0.0006), Lng: round6(cp.Lng + (g.r.Float64()-0.5)*0.0006)}
	}
	head, people := "", g.compose(comp)
	h.Members = make([]domain.Member, 0, len(people))
	for i, p := range people {
		m := g.member(fmt.Sprintf("m%d", i+1), p, s)
		if p.rel == domain.RelationSelf {
			head = m.Name
		} else if (p.rel == domain.RelationChild || p.rel == domain.RelationGrandchild) && g.chance(0.8) {
			// Children mostly carry the family surname.
			m.Name = string([]rune(head)[0]) + g.givenName(m.Age(g.now), m.Gender)
		}
		h.Members = append(h.Members, m)
	}
	if s == segRigid && !slices.ContainsFunc(h.Members, func(m domain.Member) bool { return m.SeriousIllness != nil && m.SeriousIllness.Value }) {
		g.makeIll(&h.Members[g.intn(len(h.Members))], true)
	}
	g.economics(&h, s, comp)
	g.statuses(&h, s, comp)
	g.consents(&h)
	return h
}

// member fills in one person: ID number (and from it birth year and gender),
// disability, illness, work ability, employment and skills.
func (g *demoGen) member(id string, p demoPerson, s demoSegment) domain.Member {
	m := domain.Member{ID: id, Relation: p.rel, IDNumber: g.idNumber(p.age, p.gender)}
	m.FillFromIDNumber()
	age := m.Age(g.now)
	m.Name = g.personName(age, m.Gender)
	if age >= 18 && (age < 80 || g.chance(0.4)) && g.chance(0.85) {
		m.Phone = g.mobile()
	}
	tekun := s == segTekunDispersed || s == segTekunCentral
	disabledP := 0.1
	switch {
	case tekun && age < 60:
		disabledP = 1 // working-age 特困 cannot work: a severe disability
	case tekun:
		disabledP = 0.4
	case s == segDibao:
		disabledP = 0.22
	case s == segHardship:
		disabledP = 0.15
	}
	if g.chance(disabledP) {
		grade := g.between(1, 4)
		if tekun && age < 60 {
			grade = g.between(1, 2)
		}
		// A certificate (残疾证) seen on a home visit.
		m.Disability = &domain.Fact[domain.Disability]{Source: domain.SourceHomeVisit, Date: g.daysAgo(30, 1800),
			Value: domain.Disability{Type: demoPick(g, g.text.disabilities), Grade: grade}}
	}
	if age >= 40 && g.chance(0.08) {
		g.makeIll(&m, false)
	}
	if age >= 16 {
		m.WorkAbility = &domain.Fact[domain.WorkAbility]{Source: domain.SourceHomeVisit, Date: g.daysAgo(10, 400),
			Value: g.workAbility(m, age, tekun)}
	}
	m.Employment = &domain.Fact[domain.Employment]{Source: domain.SourceSelfReported, Date: g.daysAgo(5, 300),
		Value: g.employment(m, age, s)}
	if age >= 18 && age < 65 {
		for range g.between(0, 3) {
			if sk := demoPick(g, g.text.memberSkills); !slices.Contains(m.Skills, sk) {
				m.Skills = append(m.Skills, sk)
			}
		}
	}
	return m
}

// makeIll records a serious illness; for a 刚性支出 family it is the cause of
// the bills, so it is confirmed by a home visit.
func (g *demoGen) makeIll(m *domain.Member, confirmed bool) {
	src := domain.SourceSelfReported
	if confirmed || g.chance(0.5) {
		src = domain.SourceHomeVisit
	}
	m.SeriousIllness = &domain.Fact[bool]{Value: true, Source: src, Date: g.daysAgo(20, 700)}
	m.IllnessNote = demoPick(g, g.text.illnesses)
}

// workAbility follows the assessment rules in spirit: severe disability or
// great age means none, a lesser disability, illness or old age often partial.
func (g *demoGen) workAbility(m domain.Member, age int, tekun bool) domain.WorkAbility {
	d := m.Disability
	switch {
	case tekun, d != nil && d.Value.Grade <= 2, age >= 75:
		return domain.WorkAbilityNone
	case d != nil, m.SeriousIllness != nil, age >= 60:
		if g.chance(0.5) {
			return domain.WorkAbilityNone
		}
		return domain.WorkAbilityPartial
	}
	return domain.WorkAbilityFull
}

// employment: children study, old people are retired (if they had a job
// with a pension, more likely outside the bottom tiers) or not working.
func (g *demoGen) employment(m domain.Member, age int, s demoSegment) domain.Employment {
	switch {
	case age < 6:
		return domain.EmploymentNotWorking
	case age < 18 || (age <= 22 && g.chance(0.5)):
		return domain.EmploymentStudent
	case age >= 60:
		if s >= segRigid && g.chance(0.6) || s == segDibaoEdge && g.chance(0.3) {
			return domain.EmploymentRetired
		}
		return domain.EmploymentNotWorking
	case m.WorkAbility != nil && m.WorkAbility.Value == domain.WorkAbilityNone:
		return domain.EmploymentNotWorking
	}
	// Working age and able: the lower the tier, the less stable the work.
	weights := []int{40, 35, 20, 5} // employed, flexible, unemployed, not working
	switch {
	case s <= segDibao:
		weights = []int{0, 45, 45, 10} // a steady wage would lift them off 低保
	case s <= segJustOutside:
		weights = []int{25, 45, 25, 5}
	}
	return []domain.Employment{domain.EmploymentEmployed, domain.EmploymentFlexible, domain.EmploymentUnemployed,
		domain.EmploymentNotWorking}[g.weighted(weights)]
}

// economics sets income, assets, supporters and medical costs. Income is
// drawn per capita as a multiple of DemoDibaoStandardFen; total income is
// what the household earns plus what supporters pay, as the policy engine
// counts it, so MonthlyIncome is the total minus the support paid.
func (g *demoGen) economics(h *domain.Household, s demoSegment, comp demoComposition) {
	n := len(h.Members)
	std := int(DemoDibaoStandardFen / 100)
	var pc int // per-capita total income, yuan
	var assetsLo, assetsHi, medLo, medHi int
	switch s {
	case segTekunDispersed, segTekunCentral:
		pc, assetsLo, assetsHi, medLo, medHi = g.between(0, 300), 0, 6000, 0, 3000
	case segDibao:
		pc, assetsLo, assetsHi, medLo, medHi = g.between(0, std*95/100), 0, 12000, 0, 6000
	case segDibaoEdge:
		pc, assetsLo, assetsHi, medLo, medHi = g.between(std+1, std*3/2), 2000, 40000, 0, 8000
	case segRigid:
		pc, assetsLo, assetsHi, medLo, medHi = g.between(std*11/10, std*5/2), 0, 30000, 30000, 180000
	case segJustOutside:
		pc, assetsLo, assetsHi, medLo, medHi = g.between(std+1, std*3/2), 3000, 50000, 0, 8000
		if g.chance(0.15) {
			medLo, medHi = 10000, 28000 // bills close to, but under, the 刚性支出 mark
		}
	default:
		pc, assetsLo, assetsHi, medLo, medHi = g.between(std*3/2+1, std*16/5), 10000, 120000, 0, 6000
		if g.chance(0.2) {
			medLo, medHi = 12000, 30000
		}
	}
	total := domain.Yuan(int64(pc * n))
	official := s <= segRigid
	src := func() domain.FactSource {
		switch {
		case official:
			return domain.SourceEconomicCheck
		case g.chance(0.4):
			return domain.SourceHomeVisit
		}
		return domain.SourceSelfReported
	}
	supporters := g.supporters(h, s, comp, total)
	var paid domain.Fen
	for _, sp := range supporters {
		paid += sp.MonthlySupportFen
	}
	factDate := g.daysAgo(3, 330)
	h.MonthlyIncome = &domain.Fact[domain.Fen]{Value: total - paid, Source: src(), Date: factDate}
	if official || !g.chance(0.08) { // some self-reported files lack assets
		h.Assets = &domain.Fact[domain.Fen]{Value: g.yuanBetween(assetsLo, assetsHi), Source: src(), Date: factDate}
	}
	if supporters != nil {
		h.Supporters = &domain.Fact[[]domain.Supporter]{Value: supporters, Source: src(), Date: factDate}
	}
	h.MedicalOutOfPocket12m = &domain.Fact[domain.Fen]{Value: g.yuanBetween(medLo, medHi), Source: src(), Date: factDate}
	alone := n == 1 && s != segTekunCentral
	if s != segTekunCentral {
		h.LivingAlone = &domain.Fact[bool]{Value: alone, Source: domain.SourceHomeVisit, Date: g.daysAgo(10, 400)}
	}
}

// supporters returns the people obliged to support the household who live
// elsewhere: grown children of elderly residents. 特困 have none able; a
// non-nil empty list records that the check found none. Support paid never
// exceeds total so that earned income stays non-negative.
func (g *demoGen) supporters(h *domain.Household, s demoSegment, comp demoComposition, total domain.Fen) []domain.Supporter {
	elderly := comp == compElderAlone || comp == compElderCouple
	if s == segTekunDispersed || s == segTekunCentral {
		if !elderly || g.chance(0.6) {
			return []domain.Supporter{}
		}
	} else if !elderly || g.chance(0.25) {
		return nil
	}
	surname := string([]rune(h.Members[0].Name)[0])
	var out []domain.Supporter
	left := total
	for range g.between(1, 3) {
		gender := g.gender()
		sp := domain.Supporter{Name: surname + g.givenName(g.between(30, 59), gender), Relation: domain.RelationChild}
		sp.Able = s > segDibao && g.chance(0.7) || s == segDibao && g.chance(0.3)
		if sp.Able {
			sp.MonthlySupportFen = min(left, g.yuanBetween(0, 4)*100)
			left -= sp.MonthlySupportFen
		}
		out = append(out, sp)
	}
	return out
}

// statuses records the official decisions that match the segment, plus the
// statuses that combine with any tier (孤儿/事实无人抚养, 临时救助).
func (g *demoGen) statuses(h *domain.Household, s demoSegment, comp demoComposition) {
	add := func(kind domain.AssistanceKind, mode domain.SupportMode, lo, hi int) {
		at := g.daysAgo(lo, hi)
		h.Assistance = append(h.Assistance, domain.AssistanceStatus{Kind: kind, SupportMode: mode, DecidedOn: at,
			DecisionRef: fmt.Sprintf("碑民救〔%d〕%03d号", at.Year(), g.between(1, 480))})
	}
	switch s {
	case segTekunDispersed:
		add(domain.AssistTekun, domain.SupportDispersed, 60, 3600)
	case segTekunCentral:
		add(domain.AssistTekun, domain.SupportCentralised, 60, 3600)
	case segDibao:
		add(domain.AssistDibao, "", 30, 2900)
	case segDibaoEdge:
		add(domain.AssistDibaoEdge, "", 30, 1000)
	case segRigid:
		add(domain.AssistRigidExpense, "", 20, 700)
	}
	if comp == compGrandparentsChild && (s == segDibao || s == segHardship || s == segJustOutside) && g.chance(0.6) {
		add(domain.AssistOrphan, "", 60, 2000)
	}
	if s != segTekunCentral && g.chance(0.07) {
		add(domain.AssistTemporary, "", 5, 300)
	}
}

// consents records what each member agreed to. Most residents allow NGOs,
// units and volunteers; fewer allow employers, and some withdraw later; a
// guardian consents for a child under 14; a few ask not to be contacted at all.
func (g *demoGen) consents(h *domain.Household) {
	if g.chance(0.015) {
		h.DoNotContact = true
		return
	}
	h.Consents = make([]domain.ConsentEvent, 0, 3*len(h.Members))
	by := demoCoordinator(h.Place)
	head := h.Members[0]
	for _, m := range h.Members {
		age := m.Age(g.now)
		for _, r := range domain.RecipientKinds() {
			p := 0.93
			switch {
			case r == domain.RecipientVolunteer:
				p = 0.85
			case r == domain.RecipientEmployer && (age < 16 || age >= 60 || m.WorkAbility == nil || m.WorkAbility.Value == domain.WorkAbilityNone):
				continue // nothing to share with an employer
			case r == domain.RecipientEmployer:
				p = 0.72 // many would rather not be known to employers as recipients
			}
			if !g.chance(p) {
				continue
			}
			e := domain.ConsentEvent{MemberID: m.ID, Recipient: r, Action: domain.ConsentGrant,
				At: demoLater(h.CreatedAt, g.daysAgo(1, 600)), RecordedBy: by,
				Method: []domain.ConsentMethod{domain.ConsentWritten, domain.ConsentVerbal, domain.ConsentOnline}[g.weighted([]int{6, 3, 1})]}
			if m.MayBeUnder14(e.At) && m.ID != head.ID {
				rel := domain.RelationParent
				if m.Relation == domain.RelationGrandchild {
					rel = domain.RelationGrandparent
				}
				e.Guardian = &domain.Guardian{Name: head.Name, Relation: rel, MemberID: head.ID}
			}
			h.Consents = append(h.Consents, e)
			if r == domain.RecipientEmployer && g.chance(0.06) {
				w := e
				w.Action, w.Guardian, w.Note = domain.ConsentWithdraw, nil, "本人要求不再向用人单位提供信息"
				w.At = demoLater(e.At, g.daysAgo(0, 60))
				h.Consents = append(h.Consents, w)
			}
		}
	}
}
