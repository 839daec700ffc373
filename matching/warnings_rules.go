package matching

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"lianzhu/domain"
)

// ruleEval checks warning rules for one household's signals: household
// conditions read the file after the signals, person and near-policy
// conditions the file before them.
type ruleEval struct {
	before, after       *domain.Household
	signals             []domain.Signal
	policies            []domain.Policy
	beforeRes, afterRes []PolicyResult
	params              domain.ParamSet
	at                  time.Time
	tx                  *texts
}

// firedRule is a rule that fired, with the signals that triggered it.
type firedRule struct {
	rule    domain.WarningRule
	signals []domain.Signal
	reasons []WarningReason
	trace   []TracedFact
}

// raise checks every rule and combines those that fire into one warning:
// one household, one visit. The most severe rule (the first of equals, in
// rule order) gives the warning its rule, severity, explanation and due
// date; every fired rule gives its signals and reasons.
func (re *ruleEval) raise(rules []domain.WarningRule) *RaisedWarning {
	var fired []firedRule
	for _, r := range rules {
		if f, ok := re.rule(r); ok {
			fired = append(fired, f)
		}
	}
	if len(fired) == 0 {
		return nil
	}
	slices.SortStableFunc(fired, func(a, b firedRule) int { return b.rule.Severity.Rank() - a.rule.Severity.Rank() })
	top := fired[0].rule
	w := domain.Warning{HouseholdID: re.after.ID, Place: re.after.Place, RuleID: top.ID, Severity: top.Severity,
		ExplanationZh: top.ExplanationZh, State: domain.WarningNew, RaisedAt: re.at, DueAt: domain.VisitDue(top.Severity, re.at)}
	out := &RaisedWarning{Trace: []TracedFact{}}
	used := map[string]bool{}
	for _, f := range fired {
		w.Rules = append(w.Rules, f.rule.ID)
		for _, s := range f.signals {
			used[s.ID] = true
		}
		out.Reasons = append(out.Reasons, f.reasons...)
		for _, t := range f.trace {
			if !slices.Contains(out.Trace, t) {
				out.Trace = append(out.Trace, t)
			}
		}
	}
	for _, s := range re.signals { // in date order
		if used[s.ID] {
			w.SignalIDs = append(w.SignalIDs, s.ID)
		}
	}
	w.ID = domain.WarningKey(w.HouseholdID, w.SignalIDs)
	for _, r := range out.Reasons {
		w.Reasons = append(w.Reasons, r.TextZh)
	}
	out.Warning = w
	return out
}

// rule checks one rule: some signal triggers it and its conditions hold
// (all, or any one).
func (re *ruleEval) rule(r domain.WarningRule) (firedRule, bool) {
	var trig []domain.Signal
	for _, s := range re.signals {
		if r.TriggeredBy(s.Kind) {
			trig = append(trig, s)
		}
	}
	if len(trig) == 0 {
		return firedRule{}, false
	}
	f := firedRule{rule: r, signals: trig, reasons: []WarningReason{{RuleID: r.ID, Condition: "triggers"}}}
	held := 0
	for i, c := range r.Conditions {
		ok, zh, en, trace := re.condition(c, trig)
		if !ok {
			if r.Match != domain.MatchAny {
				return firedRule{}, false
			}
			continue
		}
		held++
		f.reasons = append(f.reasons, WarningReason{RuleID: r.ID, Condition: polPath("conditions", i), Kind: c.Kind, TextZh: zh, TextEn: en})
		f.trace = append(f.trace, trace...)
	}
	if r.Match == domain.MatchAny && len(r.Conditions) > 0 && held == 0 {
		return firedRule{}, false
	}
	// Texts only for rules that fire: a batch triggers many that do not.
	f.reasons[0].TextZh, f.reasons[0].TextEn = re.triggerText(r, trig)
	return f, true
}

func (re *ruleEval) condition(c domain.WarningCondition, trig []domain.Signal) (ok bool, zh, en string, trace []TracedFact) {
	switch c.Kind {
	case domain.CondHousehold:
		return re.household(c)
	case domain.CondSignalAmount:
		zh, en, ok = re.amount(c, trig)
		return ok, zh, en, nil
	case domain.CondSignalPerson:
		return re.person(c, trig)
	case domain.CondNearPolicy, domain.CondNewlyEligible:
		return re.policyStatus(c)
	}
	return false, "", "", nil // an unvalidated rule's unknown condition never holds
}

// household checks a criterion on the file after the signals; facts not
// recorded never make it hold.
func (re *ruleEval) household(c domain.WarningCondition) (bool, string, string, []TracedFact) {
	if c.Criterion == nil {
		return false, "", "", nil
	}
	e := &policyEval{h: re.after, params: re.params, at: re.at}
	zh, en, ok := e.heldText(*c.Criterion)
	if !ok {
		return false, "", "", nil
	}
	fz, fe := re.tx.traced(e.trace, re.after)
	return true, zh + "（" + fz + "）", en + " (" + fe + ")", e.trace
}

// amount adds up the triggering signals' amounts against the threshold.
func (re *ruleEval) amount(c domain.WarningCondition, trig []domain.Signal) (zh, en string, ok bool) {
	var sum domain.Fen
	for _, s := range trig {
		sum += s.AmountFen
	}
	e := &policyEval{h: re.before, params: re.params, at: re.at}
	lim, missing := e.limitOf(domain.Criterion{Param: c.Param}, "", c.LimitFen, c.Factor, 0)
	if len(missing) > 0 || sum <= 0 || sum < lim.fen {
		return "", "", false
	}
	lz, le := e.limitText(lim, true)
	return "触发信号金额合计" + sum.String() + "，达到" + lz, "signal amounts total " + sum.String() + ", at least " + le, true
}

// person checks the people the triggering signals are about, as the file
// recorded them before the signals.
func (re *ruleEval) person(c domain.WarningCondition, trig []domain.Signal) (bool, string, string, []TracedFact) {
	for _, s := range trig {
		i := signalMember(re.before, s)
		if i < 0 {
			continue
		}
		m := re.before.Members[i]
		age := m.Age(re.at)
		if (c.MinAge > 0 || c.MaxAge > 0) && (m.BirthYear == 0 || age < c.MinAge || c.MaxAge > 0 && age > c.MaxAge) {
			continue
		}
		a := strconv.Itoa(age)
		zh, en := "成员"+m.Name+"（"+a+"岁）", "member "+m.Name+" ("+a+")"
		trace := []TracedFact{{Fact: FactBirthYear, MemberID: m.ID, Value: strconv.Itoa(m.BirthYear), Source: SourceHouseholdFile, Date: re.before.UpdatedAt}}
		if len(c.Employments) > 0 {
			em := m.Employment
			if em == nil || !slices.Contains(c.Employments, em.Value) {
				continue
			}
			zh += "信号前就业状况为“" + polEmploymentZh(em.Value) + "”（" + re.tx.source(string(em.Source)) + "，" + dayText(em.Date) + "）"
			en += " was " + string(em.Value) + " before the signal"
			trace = append(trace, TracedFact{Fact: FactEmployment, MemberID: m.ID, Value: string(em.Value), Source: string(em.Source), Date: em.Date})
		}
		return true, zh, en, trace
	}
	return false, "", "", nil
}

// policyStatus checks near_policy (before the signals) and newly_eligible
// (after them) against the evaluations already made.
func (re *ruleEval) policyStatus(c domain.WarningCondition) (bool, string, string, []TracedFact) {
	var zhs, ens []string
	var trace []TracedFact
	for _, id := range c.Policies {
		i := slices.IndexFunc(re.policies, func(p domain.Policy) bool { return p.ID == id })
		if i < 0 {
			continue
		}
		p, before, after := re.policies[i], re.beforeRes[i], re.afterRes[i]
		name := "「" + p.NameZh + "」"
		switch {
		case c.Kind == domain.CondNewlyEligible:
			if after.Status != PolicyEligible || before.Status == PolicyEligible || p.ReceivedBy(re.after) {
				continue
			}
			zhs = append(zhs, "信号后疑似符合"+name+"（此前："+statusZh(before.Status)+"）")
			ens = append(ens, "now seems eligible for "+p.NameEn+" (before: "+string(before.Status)+")")
			trace = append(trace, after.Trace...)
		case before.Status == PolicyNear:
			gz, ge := gapTexts(before.Gaps)
			zhs = append(zhs, "信号前已接近"+name+"："+gz)
			ens = append(ens, "already near "+p.NameEn+" before the signal: "+ge)
			trace = append(trace, before.Trace...)
		case before.Status == PolicyEligible && !p.ReceivedBy(re.before):
			zhs = append(zhs, "信号前已疑似符合"+name+"，但尚未享受")
			ens = append(ens, "already seemed eligible for "+p.NameEn+" before the signal, not yet received")
			trace = append(trace, before.Trace...)
		}
	}
	return len(zhs) > 0, strings.Join(zhs, "；"), strings.Join(ens, "; "), trace
}

// heldText describes a criterion that holds, "" and false if it does not:
// for a group, the parts that hold.
func (e *policyEval) heldText(c domain.Criterion) (zh, en string, ok bool) {
	if out := e.eval(c); out.lo != polLevelPass {
		return "", "", false
	}
	if !c.Kind.IsGroup() {
		zh, en = e.requirementText(c)
		return zh, en, true
	}
	var zhs, ens []string
	for _, sub := range c.Criteria {
		if z, n, held := e.heldText(sub); held {
			zhs, ens = append(zhs, z), append(ens, n)
		}
	}
	return strings.Join(zhs, "，且"), strings.Join(ens, ", and "), true
}

// triggerText names the rule and the signals that triggered it.
func (re *ruleEval) triggerText(r domain.WarningRule, trig []domain.Signal) (zh, en string) {
	zhs, ens := make([]string, len(trig)), make([]string, len(trig))
	for i, s := range trig {
		zhs[i], ens[i] = re.tx.signal(re.before, s)
	}
	return "「" + r.NameZh + "」（" + r.Severity.NameZh() + "）由信号触发：" + strings.Join(zhs, "；"),
		"rule " + r.ID + " (" + string(r.Severity) + ") triggered by: " + strings.Join(ens, "; ")
}
