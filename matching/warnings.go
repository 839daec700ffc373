package matching

import (
	"slices"
	"strings"
	"time"

	"lianzhu/domain"
)

// Policy finds the person (政策找人): data signals from other departments
// update a household's facts, warning rules turn them into a warning for a
// home visit, and the household's policies are evaluated before and after,
// so that a household whose gap the signals closed is a lead at once.

// SignalEvaluation is what a household's new signals mean.
type SignalEvaluation struct {
	HouseholdID string    `json:"household_id"`
	At          time.Time `json:"at"`
	// Household is a copy of the file with the facts the signals carry
	// (sources are the departments, see domain.DepartmentSource); the input
	// is never changed and shares nothing with the copy. It is the store's to
	// save; the API has the file's own endpoint for it.
	Household *domain.Household `json:"-"`
	// Signals are the IDs of the signals evaluated, by date: the
	// household's, of known kinds, once each.
	Signals     []string     `json:"signals"`
	FactUpdates []FactUpdate `json:"fact_updates"`
	// Notes say what was not done with a signal, and why.
	Notes []SignalNote `json:"notes"`
	// Before and After evaluate every policy, in catalogue order, on the
	// file without and with the signals' facts, at the same date.
	Before []PolicyResult `json:"before"`
	After  []PolicyResult `json:"after"`
	// Changes are the policies whose status the signals moved.
	Changes []RescanEntry `json:"changes"`
	// NewlyEligible are leads the signals created: eligible after, not
	// before, and not received. Leads are every lead after the signals.
	NewlyEligible []PolicyResult `json:"newly_eligible"`
	Leads         []PolicyResult `json:"leads"`
	// Warning is the warning the signals raise, nil when no rule fired.
	Warning *RaisedWarning `json:"warning,omitempty"`
}

// FactUpdate is a household fact a signal changed.
type FactUpdate struct {
	SignalID string     `json:"signal_id"`
	Fact     PolicyFact `json:"fact"`
	MemberID string     `json:"member_id,omitempty"`
	// Before and After are formatted like TracedFact.Value; Before is ""
	// when the fact was not recorded.
	Before string            `json:"before"`
	After  string            `json:"after"`
	Source domain.FactSource `json:"source"`
	Date   time.Time         `json:"date"`
	TextZh string            `json:"text_zh"`
	TextEn string            `json:"text_en"`
}

// SignalNoteKind says why a signal was left out or changed no fact.
type SignalNoteKind string

// Note kinds. The first three leave the signal out of the evaluation; the
// others only keep it from changing a fact (it still triggers rules).
const (
	NoteOtherHousehold SignalNoteKind = "other_household" // matched to another household, or unmatched
	NoteUnknownKind    SignalNoteKind = "unknown_kind"    // not a kind domain knows
	NoteDuplicate      SignalNoteKind = "duplicate"       // the same signal ID again
	NoteNoMember       SignalNoteKind = "no_member"       // the person is not a member of the file
	NoteOutsideWindow  SignalNoteKind = "outside_window"  // a bill outside the 12 months before the date
	NoteAlreadyCounted SignalNoteKind = "already_counted" // the file's fact is dated on or after the signal
	NoteFactMissing    SignalNoteKind = "fact_missing"    // the fact to adjust is not recorded
)

// SignalNote is one note about one signal.
type SignalNote struct {
	SignalID string         `json:"signal_id"`
	Kind     SignalNoteKind `json:"kind"`
	TextZh   string         `json:"text_zh"`
	TextEn   string         `json:"text_en"`
}

// RaisedWarning is a warning with its explanation: the rules that fired,
// the signals, facts and amounts behind each, and the facts read.
type RaisedWarning struct {
	// Warning is new, due by its severity; its ID is domain.WarningKey.
	Warning domain.Warning  `json:"warning"`
	Reasons []WarningReason `json:"reasons"`
	Trace   []TracedFact    `json:"trace"`
}

// WarningReason is why one part of a rule holds.
type WarningReason struct {
	RuleID string `json:"rule_id"`
	// Condition is "triggers" for the signals, or the condition's path.
	Condition string                      `json:"condition"`
	Kind      domain.WarningConditionKind `json:"kind,omitempty"`
	TextZh    string                      `json:"text_zh"`
	TextEn    string                      `json:"text_en"`
}

// EvaluateSignals evaluates a household's new signals at the instant:
// signals of other households (or unmatched), of unknown kinds or repeated
// are left out with a note; the rest update an updated copy of the
// household's facts, in date order; every policy is evaluated before and
// after; every rule is checked, and the rules that fire raise one warning
// for one visit, of the most severe rule's severity. The result does not
// depend on the order of the signals.
func EvaluateSignals(h *domain.Household, signals []domain.Signal, rules []domain.WarningRule,
	policies []domain.Policy, params domain.ParamSet, at time.Time) SignalEvaluation {
	own, notes := ownSignals(h.ID, signals)
	tx := &texts{}
	fa := applySignals(h, own, at, tx)
	ev := SignalEvaluation{HouseholdID: h.ID, At: at, Household: fa.h, Signals: make([]string, len(own)),
		FactUpdates: fa.updates, Notes: append(notes, fa.notes...), Changes: []RescanEntry{},
		NewlyEligible: []PolicyResult{}, Leads: []PolicyResult{}}
	for i, s := range own {
		ev.Signals[i] = s.ID
	}
	if ev.Notes == nil {
		ev.Notes = []SignalNote{}
	}
	slices.SortStableFunc(ev.Notes, func(a, b SignalNote) int { return strings.Compare(a.SignalID, b.SignalID) })
	ev.After = EvaluateHousehold(fa.h, policies, params, at)
	ev.Before = beforeResults(h, policies, params, at, ev.After, fa.changed)
	for i, p := range policies {
		before, after := ev.Before[i], ev.After[i]
		if move, ok := rescanMove(before, after); ok {
			ev.Changes = append(ev.Changes, RescanEntry{HouseholdID: h.ID, PolicyID: p.ID, Move: move,
				Before: before.Status, After: after.Status, Result: after})
		}
		if after.Status != PolicyEligible || p.ReceivedBy(fa.h) {
			continue
		}
		ev.Leads = append(ev.Leads, after)
		if before.Status != PolicyEligible {
			ev.NewlyEligible = append(ev.NewlyEligible, after)
		}
	}
	if len(own) > 0 {
		re := &ruleEval{before: h, after: fa.h, signals: own, policies: policies, beforeRes: ev.Before,
			afterRes: ev.After, params: params, at: at, tx: tx}
		ev.Warning = re.raise(rules)
	}
	return ev
}

// ownSignals keeps the household's signals of known kinds, once each, in
// date order, and notes the others.
func ownSignals(householdID string, signals []domain.Signal) ([]domain.Signal, []SignalNote) {
	sorted := slices.Clone(signals)
	domain.SortSignals(sorted)
	own := make([]domain.Signal, 0, len(sorted))
	var notes []SignalNote
	for _, s := range sorted {
		switch {
		case s.HouseholdID != householdID:
			notes = append(notes, SignalNote{s.ID, NoteOtherHousehold, "信号不属于本户，未处理", "signal is not this household's: left out"})
		case !s.Kind.Valid():
			notes = append(notes, SignalNote{s.ID, NoteUnknownKind, "未知的信号类型：" + string(s.Kind), "unknown signal kind: " + string(s.Kind)})
		case slices.ContainsFunc(own, func(o domain.Signal) bool { return o.ID == s.ID }):
			notes = append(notes, SignalNote{s.ID, NoteDuplicate, "重复信号，只处理一次", "repeated signal: evaluated once"})
		default:
			own = append(own, s)
		}
	}
	return own, notes
}

// beforeResults evaluates the policies on the file as it was. A policy
// none of whose criteria reads a changed fact cannot have moved, so its
// result after is its result before; this halves the work of a batch.
func beforeResults(h *domain.Household, policies []domain.Policy, params domain.ParamSet, at time.Time,
	after []PolicyResult, changed []PolicyFact) []PolicyResult {
	before := slices.Clone(after)
	kinds := criterionKindsReading(changed)
	if len(kinds) == 0 {
		return before
	}
	for i, p := range policies {
		if policyReadsAny(p.Criteria, kinds) {
			before[i] = EvaluatePolicy(h, p, params, at)
		}
	}
	return before
}

// criterionKindsReading lists the criterion kinds whose outcome depends on
// the facts: income also sets the threshold of a medical income share.
func criterionKindsReading(facts []PolicyFact) []domain.CriterionKind {
	var out []domain.CriterionKind
	for _, f := range facts {
		switch f {
		case FactMedicalCosts:
			out = append(out, domain.CriterionMedical)
		case FactMonthlyIncome:
			out = append(out, domain.CriterionIncome, domain.CriterionMedical)
		case FactEmployment:
			out = append(out, domain.CriterionEmployment)
		case FactSeriousIllness:
			out = append(out, domain.CriterionIllness)
		case FactDisability:
			out = append(out, domain.CriterionDisability)
		default:
			// A fact this list does not know: every criterion may read it.
			return domain.CriterionKinds()
		}
	}
	return out
}

func policyReadsAny(cs []domain.Criterion, kinds []domain.CriterionKind) bool {
	return slices.ContainsFunc(cs, func(c domain.Criterion) bool {
		return slices.Contains(kinds, c.Kind) || policyReadsAny(c.Criteria, kinds)
	})
}

// signalMember returns the index of the member a signal is about: the
// matched member, or the member whose keyed ID hash it carries; -1 if none.
func signalMember(h *domain.Household, s domain.Signal) int {
	return slices.IndexFunc(h.Members, func(m domain.Member) bool {
		if s.MemberID != "" {
			return m.ID == s.MemberID
		}
		return s.IDHash != "" && m.IDHash == s.IDHash
	})
}
