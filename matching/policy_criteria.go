package matching

import (
	"math"
	"slices"
	"strconv"

	"lianzhu/domain"
)

// polLimit is a resolved money threshold and what it was made of, so the
// gap text can say "1.5 × 低保 standard ¥820.00 = ¥1,230.00".
type polLimit struct {
	fen    domain.Fen
	param  string     // "" for a fixed amount or an income share
	factor float64    // with param
	base   domain.Fen // the parameter's value, or the yearly income for a share
	share  float64    // for an income share
}

// limitOf resolves a threshold given as a fixed amount, a factor of the
// criterion's parameter or a share of yearly income. Factor thresholds are
// rounded to the nearest fen.
func (e *policyEval) limitOf(c domain.Criterion, path string, fixed domain.Fen, factor, share float64) (polLimit, []MissingFact) {
	switch {
	case fixed != 0:
		return polLimit{fen: fixed}, nil
	case share != 0:
		income, missing := e.totalIncome(path)
		if missing != nil {
			return polLimit{}, missing
		}
		yearly := income * 12
		return polLimit{fen: domain.Fen(math.Ceil(float64(yearly) * share)), base: yearly, share: share}, nil
	}
	v, ok := e.param(c.Param)
	if !ok {
		return polLimit{}, []MissingFact{{Criterion: path, Fact: FactParam, Param: c.Param,
			TextZh: "参数 " + c.Param + " 在评估日期没有生效的取值",
			TextEn: "parameter " + c.Param + " has no value in force on the evaluation date"}}
	}
	return polLimit{fen: domain.Fen(math.Round(float64(v.Value) * factor)), param: c.Param, factor: factor, base: v.Value}, nil
}

// totalIncome is the household's monthly income plus what supporters pay.
func (e *policyEval) totalIncome(path string) (domain.Fen, []MissingFact) {
	h := e.h
	if h.MonthlyIncome == nil {
		return 0, []MissingFact{polMissing(path, FactMonthlyIncome, domain.Member{})}
	}
	mi := h.MonthlyIncome
	e.traceFen(FactMonthlyIncome, mi.Value, string(mi.Source), mi.Date)
	total := mi.Value
	if s := h.Supporters; s != nil {
		var paid domain.Fen
		for _, sup := range s.Value {
			paid += sup.MonthlySupportFen
		}
		if paid > 0 {
			total += paid
			e.traceFact(FactSupporters, "", polSupportersText(s.Value), string(s.Source), s.Date)
		}
	}
	return total, nil
}

// perCapita divides an amount by the members of the file, rounding up.
func (e *policyEval) perCapita(total domain.Fen) domain.Fen {
	n := domain.Fen(len(e.h.Members))
	e.traceInt(FactMembers, "", len(e.h.Members), SourceHouseholdFile, e.h.UpdatedAt)
	if n == 0 {
		return total
	}
	return (total + n - 1) / n
}

func (e *policyEval) income(c domain.Criterion, path string) polOutcome {
	total, missing := e.totalIncome(path)
	lim, m2 := e.limitOf(c, path, c.LimitFen, c.Factor, 0)
	if missing = append(missing, m2...); len(missing) > 0 {
		return polUnknown(missing...)
	}
	near, _ := e.limitOf(c, path, c.NearLimitFen, c.NearFactor, 0)
	return e.upper(c, path, FactPerCapitaIncome, UnitFenPerMonth, e.perCapita(total), lim, near.fen)
}

func (e *policyEval) assets(c domain.Criterion, path string) polOutcome {
	a := e.h.Assets
	lim, missing := e.limitOf(c, path, c.LimitFen, c.Factor, 0)
	if a == nil {
		missing = append(missing, polMissing(path, FactAssets, domain.Member{}))
	}
	if len(missing) > 0 {
		return polUnknown(missing...)
	}
	e.traceFen(FactAssets, a.Value, string(a.Source), a.Date)
	near, _ := e.limitOf(c, path, c.NearLimitFen, c.NearFactor, 0)
	value, fact := a.Value, FactAssets
	if c.PerCapita {
		value, fact = e.perCapita(a.Value), FactPerCapitaAssets
	}
	return e.upper(c, path, fact, UnitFen, value, lim, near.fen)
}

// upper grades value against an upper limit with an optional near limit.
func (e *policyEval) upper(c domain.Criterion, path string, fact PolicyFact, unit GapUnit, value domain.Fen, lim polLimit, near domain.Fen) polOutcome {
	if value <= lim.fen {
		return polPassed()
	}
	gap := value - lim.fen
	g := PolicyGap{Criterion: path, Kind: c.Kind, Fact: fact, Value: int64(value), Threshold: int64(lim.fen), Gap: int64(gap), Unit: unit}
	g.TextZh, g.TextEn = e.moneyGapText(fact, value, gap, lim, true)
	share := 0.0
	if near > lim.fen {
		share = float64(gap) / float64(near-lim.fen)
	}
	return polGraded(g, share)
}

func (e *policyEval) medical(c domain.Criterion, path string) polOutcome {
	m := e.h.MedicalOutOfPocket12m
	lim, missing := e.limitOf(c, path, c.LimitFen, c.Factor, c.IncomeShare)
	if m == nil {
		missing = append(missing, polMissing(path, FactMedicalCosts, domain.Member{}))
	}
	if len(missing) > 0 {
		return polUnknown(missing...)
	}
	e.traceFen(FactMedicalCosts, m.Value, string(m.Source), m.Date)
	// With no income, any share of it is 0; costs must still be real.
	lim.fen = max(lim.fen, 1)
	if m.Value >= lim.fen {
		return polPassed()
	}
	near, _ := e.limitOf(c, path, c.NearLimitFen, c.NearFactor, c.NearIncomeShare)
	gap := lim.fen - m.Value
	g := PolicyGap{Criterion: path, Kind: c.Kind, Fact: FactMedicalCosts, Value: int64(m.Value), Threshold: int64(lim.fen), Gap: int64(gap), Unit: UnitFen}
	g.TextZh, g.TextEn = e.moneyGapText(FactMedicalCosts, m.Value, gap, lim, false)
	share := 0.0
	if near.fen > 0 && near.fen < lim.fen {
		share = float64(gap) / float64(lim.fen-near.fen)
	}
	return polGraded(g, share)
}

// polTri is a three-valued answer about one member.
type polTri int8

const (
	polTriNo polTri = iota
	polTriUnknown
	polTriYes
)

func polTriOf(ok bool) polTri {
	if ok {
		return polTriYes
	}
	return polTriNo
}

// inAges says whether a member falls within a criterion's age bounds.
func (e *policyEval) inAges(c domain.Criterion, m domain.Member) polTri {
	if c.MinAge == 0 && c.MaxAge == 0 {
		return polTriYes
	}
	if m.BirthYear == 0 {
		return polTriUnknown
	}
	e.traceInt(FactBirthYear, m.ID, m.BirthYear, SourceHouseholdFile, e.h.UpdatedAt)
	age := m.Age(e.at)
	return polTriOf(age >= c.MinAge && (c.MaxAge == 0 || age <= c.MaxAge))
}

// memberTest answers a member criterion's own condition for one member.
func (e *policyEval) memberTest(c domain.Criterion, m domain.Member) (polTri, []PolicyFact) {
	var ans []polTri
	var missing []PolicyFact
	if c.Kind == domain.CriterionWorkAbility || len(c.WorkAbilities) > 0 {
		if w := m.WorkAbility; w != nil {
			e.traceFact(FactWorkAbility, m.ID, string(w.Value), string(w.Source), w.Date)
			ans = append(ans, polTriOf(slices.Contains(c.WorkAbilities, w.Value)))
		} else {
			ans, missing = append(ans, polTriUnknown), append(missing, FactWorkAbility)
		}
	}
	if c.Kind == domain.CriterionEmployment {
		if em := m.Employment; em != nil {
			e.traceFact(FactEmployment, m.ID, string(em.Value), string(em.Source), em.Date)
			ans = append(ans, polTriOf(slices.Contains(c.Employments, em.Value)))
		} else {
			ans, missing = append(ans, polTriUnknown), append(missing, FactEmployment)
		}
	}
	if c.Kind == domain.CriterionIllness {
		if s := m.SeriousIllness; s != nil {
			e.traceFact(FactSeriousIllness, m.ID, strconv.FormatBool(s.Value), string(s.Source), s.Date)
			ans = append(ans, polTriOf(s.Value))
		} else {
			ans, missing = append(ans, polTriUnknown), append(missing, FactSeriousIllness)
		}
	}
	return slices.Min(ans), missing
}

// memberFacts evaluates work ability, employment and illness: some member
// (or every member) within the age bounds meets the condition.
func (e *policyEval) memberFacts(c domain.Criterion, path string) polOutcome {
	var missing []MissingFact
	violator := -1
	found := false
	for i, m := range e.h.Members {
		in := e.inAges(c, m)
		if in == polTriNo {
			continue
		}
		test, lacking := e.memberTest(c, m)
		verdict := min(in, test)
		if c.Members == domain.EveryMember && in == polTriUnknown && test == polTriNo {
			// A member who fails counts against "every" only if in range.
			verdict = polTriUnknown
		}
		switch {
		case verdict == polTriYes:
			found = true
		case verdict == polTriNo && c.Members == domain.EveryMember && violator < 0:
			violator = i
		case verdict == polTriUnknown:
			if in == polTriUnknown {
				missing = append(missing, polMissing(path, FactBirthYear, m))
			}
			for _, f := range lacking {
				missing = append(missing, polMissing(path, f, m))
			}
		}
	}
	switch {
	case c.Members == domain.EveryMember && violator >= 0:
		m := &e.h.Members[violator]
		g := PolicyGap{Criterion: path, Kind: c.Kind, Fact: polMemberFact(c), MemberID: m.ID, Unit: UnitCategory}
		g.TextZh, g.TextEn = e.memberGapText(c, m)
		return polFailed(g)
	case c.Members != domain.EveryMember && found:
		return polPassed()
	case len(missing) > 0:
		return polUnknown(missing...)
	case c.Members == domain.EveryMember:
		return polPassed()
	}
	g := PolicyGap{Criterion: path, Kind: c.Kind, Fact: polMemberFact(c), Unit: UnitCategory}
	g.TextZh, g.TextEn = e.memberGapText(c, nil)
	return polFailed(g)
}

func polMemberFact(c domain.Criterion) PolicyFact {
	switch c.Kind {
	case domain.CriterionEmployment:
		return FactEmployment
	case domain.CriterionIllness:
		return FactSeriousIllness
	}
	return FactWorkAbility
}

// disability looks for the most severe matching disability. A member
// without a Disability fact has no certified disability (the file records
// certificates), so that is known, not missing.
func (e *policyEval) disability(c domain.Criterion, path string) polOutcome {
	best, bestID := 0, ""
	var missing []MissingFact
	for _, m := range e.h.Members {
		d := m.Disability
		if d == nil || (len(c.DisabilityTypes) > 0 && !slices.Contains(c.DisabilityTypes, d.Value.Type)) {
			continue
		}
		if !e.traced(FactDisability, m.ID) {
			e.traceFact(FactDisability, m.ID, string(d.Value.Type)+" grade "+strconv.Itoa(d.Value.Grade), string(d.Source), d.Date)
		}
		switch e.inAges(c, m) {
		case polTriYes:
			if best == 0 || d.Value.Grade < best {
				best, bestID = d.Value.Grade, m.ID
			}
		case polTriUnknown:
			if d.Value.Grade <= c.Grade {
				missing = append(missing, polMissing(path, FactBirthYear, m))
			}
		}
	}
	switch {
	case best != 0 && best <= c.Grade:
		return polPassed()
	case len(missing) > 0 && best == 0:
		return polUnknown(missing...)
	}
	g := PolicyGap{Criterion: path, Kind: c.Kind, Fact: FactDisability, MemberID: bestID, Threshold: int64(c.Grade), Unit: UnitGrade}
	if best == 0 {
		g.Unit = UnitCategory
		g.Threshold = 0
		g.TextZh, g.TextEn = e.disabilityGapText(c, 0)
		return polFailed(g)
	}
	g.Value, g.Gap = int64(best), int64(best-c.Grade)
	g.TextZh, g.TextEn = e.disabilityGapText(c, best)
	share := 0.0
	if c.NearGrade > c.Grade {
		share = float64(best-c.Grade) / float64(c.NearGrade-c.Grade)
	}
	return polOrUnknown(polGraded(g, share), missing)
}

// age: some member within the age bounds (and, when required, the
// household lives alone).
func (e *policyEval) age(c domain.Criterion, path string) polOutcome {
	ageOut := polPassed()
	if c.MinAge > 0 || c.MaxAge > 0 {
		ageOut = e.agePart(c, path)
	}
	if !c.LivingAlone {
		return ageOut
	}
	return polBoth(ageOut, e.livingAlone(c, path))
}

func (e *policyEval) agePart(c domain.Criterion, path string) polOutcome {
	bestGap, bestAge, bestID, bound := -1, 0, "", 0
	var missing []MissingFact
	for _, m := range e.h.Members {
		if m.BirthYear == 0 {
			missing = append(missing, polMissing(path, FactBirthYear, m))
			continue
		}
		e.traceInt(FactBirthYear, m.ID, m.BirthYear, SourceHouseholdFile, e.h.UpdatedAt)
		age, gap, b := m.Age(e.at), 0, 0
		switch {
		case age < c.MinAge:
			gap, b = c.MinAge-age, c.MinAge
		case c.MaxAge > 0 && age > c.MaxAge:
			gap, b = age-c.MaxAge, c.MaxAge
		}
		if bestGap < 0 || gap < bestGap {
			bestGap, bestAge, bestID, bound = gap, age, m.ID, b
		}
	}
	switch {
	case bestGap == 0:
		return polPassed()
	case bestGap < 0 && len(missing) > 0:
		return polUnknown(missing...)
	case bestGap < 0:
		g := PolicyGap{Criterion: path, Kind: c.Kind, Fact: FactAge, Unit: UnitCategory,
			TextZh: "家庭档案中没有成员", TextEn: "the household file has no members"}
		return polFailed(g)
	}
	g := PolicyGap{Criterion: path, Kind: c.Kind, Fact: FactAge, MemberID: bestID, Value: int64(bestAge),
		Threshold: int64(bound), Gap: int64(bestGap), Unit: UnitYears}
	g.TextZh, g.TextEn = polAgeGapText(c, bestAge, bound, bestGap)
	share := 0.0
	if c.NearYears > 0 {
		share = float64(bestGap) / float64(c.NearYears)
	}
	return polOrUnknown(polGraded(g, share), missing)
}

// livingAlone reads the living-alone fact; without it a file with several
// members is known not to live alone, a file with one member is unknown.
func (e *policyEval) livingAlone(c domain.Criterion, path string) polOutcome {
	alone := false
	switch la := e.h.LivingAlone; {
	case la != nil:
		e.traceFact(FactLivingAlone, "", strconv.FormatBool(la.Value), string(la.Source), la.Date)
		alone = la.Value
	case len(e.h.Members) == 1:
		return polUnknown(polMissing(path, FactLivingAlone, domain.Member{}))
	default:
		e.traceInt(FactMembers, "", len(e.h.Members), SourceHouseholdFile, e.h.UpdatedAt)
	}
	if alone {
		return polPassed()
	}
	return polFailed(PolicyGap{Criterion: path, Kind: c.Kind, Fact: FactLivingAlone, Unit: UnitCategory,
		TextZh: "不是独居", TextEn: "does not live alone"})
}

func (e *policyEval) noSupporter(c domain.Criterion, path string) polOutcome {
	s := e.h.Supporters
	if s == nil {
		return polUnknown(polMissing(path, FactSupporters, domain.Member{}))
	}
	e.traceFact(FactSupporters, "", polSupportersText(s.Value), string(s.Source), s.Date)
	able := 0
	for _, sup := range s.Value {
		if sup.Able {
			able++
		}
	}
	if able == 0 {
		return polPassed()
	}
	n := strconv.Itoa(able)
	return polFailed(PolicyGap{Criterion: path, Kind: c.Kind, Fact: FactSupporters, Value: int64(able), Gap: int64(able), Unit: UnitPeople,
		TextZh: "有" + n + "名有履行能力的赡养、抚养、扶养义务人（须为0）",
		TextEn: n + " obliged supporter(s) able to support the household (required: none)"})
}

func (e *policyEval) status(c domain.Criterion, path string) polOutcome {
	h := e.h
	if len(h.Assistance) == 0 {
		e.traceFact(FactAssistance, "", "none", SourceOfficialDecision, h.UpdatedAt)
	}
	var held []domain.AssistanceKind
	for _, a := range h.Assistance {
		e.traceFact(FactAssistance, "", string(a.Kind), SourceOfficialDecision, a.DecidedOn)
		if slices.Contains(c.Statuses, a.Kind) {
			held = append(held, a.Kind)
		}
	}
	if (len(held) > 0) != c.Exclude {
		return polPassed()
	}
	g := PolicyGap{Criterion: path, Kind: c.Kind, Fact: FactAssistance, Unit: UnitCategory}
	if c.Exclude {
		g.TextZh, g.TextEn = "已享受"+polAssistanceListZh(held)+"，本政策不适用", "already receives "+polAssistanceListEn(held)+", which this policy excludes"
	} else {
		g.TextZh, g.TextEn = "未认定为"+polAssistanceListZh(c.Statuses)+"（须为其一）", "holds none of "+polAssistanceListEn(c.Statuses)
	}
	return polFailed(g)
}

func (e *policyEval) place(c domain.Criterion, path string) polOutcome {
	e.traceFact(FactPlace, "", e.h.Place, SourceHouseholdFile, e.h.UpdatedAt)
	for _, scope := range c.Places {
		if domain.PlaceWithin(e.h.Place, scope) {
			return polPassed()
		}
	}
	return polFailed(PolicyGap{Criterion: path, Kind: c.Kind, Fact: FactPlace, Unit: UnitCategory,
		TextZh: "住址不在政策适用区域内", TextEn: "lives outside the places the policy covers"})
}
