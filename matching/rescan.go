package matching

import (
	"slices"
	"time"

	"lianzhu/domain"
)

// RescanMove is how a household's status for a policy changes when a
// parameter takes a new value.
type RescanMove string

// Moves, in the order a report lists them.
const (
	// RescanMoveIn: not eligible before, eligible after (a new lead).
	RescanMoveIn RescanMove = "move_in"
	// RescanMoveOut: eligible before, not after (e.g. a lower standard).
	RescanMoveOut RescanMove = "move_out"
	// RescanBecomeNear: neither eligible nor near before, near after (just
	// outside: a case for social forces).
	RescanBecomeNear RescanMove = "become_near"
	// RescanLeaveNear: near before, neither eligible nor near after.
	RescanLeaveNear RescanMove = "leave_near"
	// RescanVerify: unknown after, and its best case improved: the change
	// would bring the household in (or near) if its missing facts are
	// confirmed, so a coordinator should verify them.
	RescanVerify RescanMove = "verify"
)

// RescanMoves returns every move in report order.
func RescanMoves() []RescanMove {
	return []RescanMove{RescanMoveIn, RescanMoveOut, RescanBecomeNear, RescanLeaveNear, RescanVerify}
}

// RescanEntry is one household whose status for one policy moves.
type RescanEntry struct {
	HouseholdID string       `json:"household_id"`
	PolicyID    string       `json:"policy_id"`
	Move        RescanMove   `json:"move"`
	Before      PolicyStatus `json:"before"`
	After       PolicyStatus `json:"after"`
	// Result is the evaluation with the new values, with its gaps.
	Result PolicyResult `json:"result"`
}

// RescanReport says whom new parameter values would move, before they take
// effect.
type RescanReport struct {
	// At is when the new values take effect; both sides are evaluated then.
	At time.Time `json:"at"`
	// Changes are the new values; Previous the values they replace (those in
	// force just before At), by parameter name.
	Changes  []domain.ParamChange `json:"changes"`
	Previous []domain.ParamChange `json:"previous"`
	// Policies are the IDs of the policies that use a changed parameter:
	// only they can move anyone.
	Policies    []string           `json:"policies"`
	Households  int                `json:"households"`
	Evaluations int                `json:"evaluations"`
	Counts      map[RescanMove]int `json:"counts"`
	Entries     []RescanEntry      `json:"entries"`
}

// Rescan reports who would move in, move out, become near or need
// verifying when the parameter takes the new dated value. params may hold
// the new value already (it was saved) or not (it is proposed): the report
// compares params without it against params with it.
//
// Both sides are evaluated at the date the value takes effect, so the
// report shows the effect of the change alone: ages are counted by birth
// year, and evaluating "today" against "on 1 January" would also move
// everyone who turns 60 or 80 that year.
func Rescan(households []domain.Household, policies []domain.Policy, params domain.ParamSet, change domain.ParamChange) (RescanReport, error) {
	before := params.WithoutValue(change.Name, change.Value.From)
	after, err := before.WithValue(change)
	if err != nil {
		return RescanReport{}, err
	}
	return rescanSets(households, policies, before, after, change.Value.From, []domain.ParamChange{change}), nil
}

// RescanDate reports the joint effect of every value in params dated
// exactly at (a 低保 standard and the 特困 standard that follows it often
// change together), comparing params without them against params.
func RescanDate(households []domain.Household, policies []domain.Policy, params domain.ParamSet, at time.Time) RescanReport {
	before := params
	var changes []domain.ParamChange
	for _, c := range params.Upcoming(at.Add(-1)) {
		if c.Value.From.Equal(at) {
			changes = append(changes, c)
			before = before.WithoutValue(c.Name, at)
		}
	}
	return rescanSets(households, policies, before, params, at, changes)
}

func rescanSets(households []domain.Household, policies []domain.Policy, before, after domain.ParamSet, at time.Time, changes []domain.ParamChange) RescanReport {
	r := RescanReport{At: at, Changes: changes, Previous: []domain.ParamChange{}, Policies: []string{},
		Households: len(households), Counts: map[RescanMove]int{}, Entries: []RescanEntry{}}
	if r.Changes == nil {
		r.Changes = []domain.ParamChange{}
	}
	var changed []string
	for _, c := range changes {
		changed = append(changed, c.Name)
		if v, ok := before.ValueAt(c.Name, at); ok {
			r.Previous = append(r.Previous, domain.ParamChange{Name: c.Name, Value: v})
		}
	}
	var affected []int
	for i, p := range policies {
		if slices.ContainsFunc(p.ParamNames(), func(n string) bool { return slices.Contains(changed, n) }) {
			affected = append(affected, i)
			r.Policies = append(r.Policies, p.ID)
		}
	}
	type keyed struct {
		entry        RescanEntry
		move, pol, h int
	}
	var found []keyed
	for hi := range households {
		h := &households[hi]
		for _, pi := range affected {
			old := EvaluatePolicy(h, policies[pi], before, at)
			now := EvaluatePolicy(h, policies[pi], after, at)
			r.Evaluations += 2
			move, ok := rescanMove(old, now)
			if !ok {
				continue
			}
			r.Counts[move]++
			found = append(found, keyed{RescanEntry{HouseholdID: h.ID, PolicyID: policies[pi].ID, Move: move,
				Before: old.Status, After: now.Status, Result: now}, slices.Index(RescanMoves(), move), pi, hi})
		}
	}
	slices.SortStableFunc(found, func(a, b keyed) int {
		if a.move != b.move {
			return a.move - b.move
		}
		if a.pol != b.pol {
			return a.pol - b.pol
		}
		return a.h - b.h
	})
	for _, f := range found {
		r.Entries = append(r.Entries, f.entry)
	}
	return r
}

// rescanMove classifies a change of status; ok is false when nothing a
// coordinator must act on changed.
func rescanMove(old, now PolicyResult) (RescanMove, bool) {
	switch {
	case now.Status == PolicyEligible && old.Status != PolicyEligible:
		return RescanMoveIn, true
	case old.Status == PolicyEligible && now.Status != PolicyEligible:
		return RescanMoveOut, true
	case now.Status == PolicyNear && old.Status != PolicyNear:
		return RescanBecomeNear, true
	case old.Status == PolicyNear && now.Status != PolicyNear:
		return RescanLeaveNear, true
	case now.Status == PolicyUnknown && statusRank(now.Best) > statusRank(old.Best):
		return RescanVerify, true
	}
	return "", false
}

func statusRank(s PolicyStatus) int {
	switch s {
	case PolicyEligible:
		return 2
	case PolicyNear:
		return 1
	}
	return 0
}
