package outreach

import (
	"context"
	"maps"
	"slices"
	"time"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/store"
)

// Batch is one delivery of signals.
type Batch struct {
	Signals []domain.Signal
	// Place is where the signals are taken in (the caller's district): a
	// signal is matched only to a household within it, and an unmatched
	// one is kept there for its coordinators to resolve.
	Place string
	// By is the username recorded on the signals.
	By string
}

// Report says what an intake did.
type Report struct {
	// Batch names the intake run.
	Batch    string `json:"batch"`
	Received int    `json:"received"`
	// Stored counts the new signals; AlreadyPresent those stored before
	// (the same signal twice is one signal).
	Stored         int `json:"stored"`
	AlreadyPresent int `json:"already_present"`
	// Matched and Unmatched break Stored down.
	Matched   int `json:"matched"`
	Unmatched int `json:"unmatched"`
	// Households were re-evaluated; FactsUpdated of them had facts changed.
	Households   int `json:"households"`
	FactsUpdated int `json:"facts_updated"`
	// Warnings counts the warnings raised (new ones), by severity.
	Warnings   int                     `json:"warnings"`
	BySeverity map[domain.Severity]int `json:"by_severity"`
	// NewLeads counts the policies households became eligible for.
	NewLeads int `json:"new_leads"`
	// Items says what became of each signal, in batch order.
	Items []Item `json:"items"`
	// Stages times the steps (not in the JSON answer; benchmarks print it).
	Stages []Stage `json:"-"`
}

// Item is the fate of one signal of a batch.
type Item struct {
	Index int    `json:"index"`
	ID    string `json:"id"`
	// State is the stored signal's state, "" when it was stored before.
	State          store.SignalState `json:"state,omitempty"`
	AlreadyPresent bool              `json:"already_present"`
	HouseholdID    string            `json:"household_id,omitempty"`
}

// Stage is how long one step of an intake took.
type Stage struct {
	Name string
	Took time.Duration
}

func (r *Report) stage(name string, start time.Time) {
	r.Stages = append(r.Stages, Stage{Name: name, Took: time.Since(start)})
}

// Ingest takes in a batch: Check, then IngestSealed. A batch with any
// problem stores nothing and is an EINVALID error naming every problem
// ("signals[i].field").
func (e *Engine) Ingest(ctx context.Context, b Batch) (Report, error) {
	start := time.Now()
	sealed, problems, err := e.Check(b.Signals)
	if err != nil {
		return Report{}, err
	}
	if len(problems) > 0 {
		return Report{Received: len(b.Signals)}, ProblemsError("signals", problems)
	}
	b.Signals = sealed
	rep, err := e.IngestSealed(ctx, b)
	rep.Stages = append([]Stage{{Name: "check", Took: time.Since(start) - sumStages(rep.Stages)}}, rep.Stages...)
	return rep, err
}

func sumStages(ss []Stage) time.Duration {
	var d time.Duration
	for _, s := range ss {
		d += s.Took
	}
	return d
}

// IngestSealed takes in signals that Check sealed without a problem: it
// records the batch (pending), matches the signals to household members in
// bulk, stores them (matched or unmatched; those stored before are left
// alone), re-evaluates each household with its new signals (evaluate) and
// finishes the batch.
func (e *Engine) IngestSealed(ctx context.Context, b Batch) (Report, error) {
	rep := Report{Batch: newBatchID(), Received: len(b.Signals), BySeverity: map[domain.Severity]int{},
		Items: make([]Item, len(b.Signals))}
	start := time.Now()
	batch := store.SignalBatch{ID: rep.Batch, Place: b.Place, By: b.By, Received: len(b.Signals)}
	if err := e.Store.CreateSignalBatch(ctx, &batch); err != nil {
		return rep, err
	}
	hashes := make([]string, 0, len(b.Signals))
	for _, s := range b.Signals {
		hashes = append(hashes, s.IDHash)
	}
	match, err := e.Store.MatchSignals(ctx, slices.Compact(slices.Sorted(slices.Values(hashes))))
	if err != nil {
		return rep, err
	}
	rep.stage("match", start)
	start = time.Now()
	now := e.now()
	records := make([]store.SignalRecord, len(b.Signals))
	for i, s := range b.Signals {
		r := store.SignalRecord{Signal: s, State: store.SignalUnmatched, Batch: rep.Batch, Place: b.Place,
			IntakePlace: b.Place, StoredBy: b.By, StoredAt: now, Version: 1}
		if o, ok := match.Owners[s.IDHash]; ok && domain.PlaceWithin(o.Place, b.Place) {
			r.HouseholdID, r.MemberID, r.Place, r.State = o.HouseholdID, o.MemberID, o.Place, store.SignalMatched
		}
		records[i] = r
	}
	_, dups, err := e.Store.InsertSignals(ctx, records)
	if err != nil {
		return rep, err
	}
	rep.stage("store signals", start)
	dup := make(map[int]bool, len(dups))
	for _, i := range dups {
		dup[i] = true
	}
	groups := map[string][]domain.Signal{}
	for i, r := range records {
		it := Item{Index: i, ID: r.ID, HouseholdID: r.HouseholdID}
		switch {
		case dup[i]:
			it.AlreadyPresent, it.HouseholdID = true, ""
			rep.AlreadyPresent++
		case r.State == store.SignalMatched:
			it.State = r.State
			rep.Matched++
			groups[r.HouseholdID] = append(groups[r.HouseholdID], r.Signal)
		default:
			it.State = r.State
			rep.Unmatched++
		}
		rep.Items[i] = it
	}
	rep.Stored = rep.Matched + rep.Unmatched
	if err := e.evaluate(ctx, rep.Batch, groups, match.Files, &rep); err != nil {
		return rep, err
	}
	return rep, e.finish(ctx, batch, rep)
}

// finish marks a batch done with what its run did.
func (e *Engine) finish(ctx context.Context, b store.SignalBatch, rep Report) error {
	b.Stored, b.Matched, b.Unmatched, b.Households, b.Warnings = rep.Stored, rep.Matched, rep.Unmatched, rep.Households, rep.Warnings
	return e.Store.FinishSignalBatch(ctx, b)
}

// evaluate re-evaluates each household of groups with its signals of the
// batch (matching.EvaluateSignals): the warnings raised are written first,
// in bulk, then each file's changed facts with the batch recorded. A file
// that took the batch in already (a second run after a crash) is left as
// it is; its warning exists, since warnings are written first. files are
// the households read with the match (nil: they are read here).
func (e *Engine) evaluate(ctx context.Context, batch string, groups map[string][]domain.Signal,
	files map[string]store.SignalHousehold, rep *Report) error {
	if len(groups) == 0 {
		return nil
	}
	start := time.Now()
	ids := slices.Sorted(maps.Keys(groups))
	if files == nil {
		var err error
		if files, err = e.Store.SignalHouseholds(ctx, ids); err != nil {
			return err
		}
		rep.stage("read households", start)
	}
	start = time.Now()
	policies, params, err := e.policies(ctx)
	if err != nil {
		return err
	}
	ev := evaluator{rules: e.Rules, policies: policies, params: params, at: e.now()}
	type write struct {
		file  store.SignalHousehold
		after *domain.Household
	}
	var warnings []store.WarningRecord
	var writes []write
	for _, id := range ids {
		f, ok := files[id]
		if !ok {
			e.log().Warn("signals of a household that is gone", "household", id, "batch", batch)
			continue
		}
		rep.Households++
		if f.Applied(batch) {
			continue
		}
		res := ev.run(&f.Household, groups[id])
		rep.NewLeads += len(res.NewlyEligible)
		if res.Warning != nil {
			warnings = append(warnings, e.warningRecord(res, groups[id], ev))
			rep.BySeverity[res.Warning.Warning.Severity]++
		}
		if len(res.FactUpdates) > 0 {
			writes = append(writes, write{f, res.Household})
		}
	}
	rep.stage("evaluate", start)
	start = time.Now()
	n, err := e.Store.InsertWarnings(ctx, warnings)
	if err != nil {
		return err
	}
	rep.Warnings += n
	rep.stage("store warnings", start)
	start = time.Now()
	for _, w := range writes {
		if err := e.applyFacts(ctx, batch, w.file, w.after, groups[w.file.ID], ev); err != nil {
			return err
		}
		rep.FactsUpdated++
	}
	rep.stage("write household facts", start)
	return nil
}

// applyFacts writes a file's facts changed by a batch. When the file
// changed since it was read (a coordinator's edit), it is read again and
// the signals' facts evaluated again on it; the warning stays as raised.
func (e *Engine) applyFacts(ctx context.Context, batch string, f store.SignalHousehold, after *domain.Household,
	signals []domain.Signal, ev evaluator) error {
	return retryConflicts(func() error {
		err := e.Store.ApplySignalFacts(ctx, after, f.Batches, batch)
		if domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
		fresh, rerr := e.Store.SignalHouseholds(ctx, []string{f.ID})
		if rerr != nil {
			return rerr
		}
		nf, ok := fresh[f.ID]
		if !ok || nf.Applied(batch) {
			return nil // gone, or taken in by a concurrent run
		}
		res := ev.run(&nf.Household, signals)
		if len(res.FactUpdates) == 0 {
			return nil
		}
		f, after = nf, res.Household
		return err
	})
}

// warningRecord is the warning an evaluation raised, with the help it
// proposes: the household's likely needs and its policy leads, ranked.
func (e *Engine) warningRecord(res matching.SignalEvaluation, signals []domain.Signal, ev evaluator) store.WarningRecord {
	rec := store.WarningRecord{Warning: res.Warning.Warning, Drafts: []store.WarningDraft{}, Leads: []store.WarningLead{},
		FactUpdates: []string{}}
	for _, d := range matching.DraftNeeds(res.Household, signals, e.Catalogue, ev.at) {
		wd := store.WarningDraft{Item: d.Item, NameZh: d.NameZh, MemberID: d.MemberID, Score: d.Score}
		for _, r := range d.Reasons {
			wd.ReasonsZh, wd.ReasonsEn = append(wd.ReasonsZh, r.TextZh), append(wd.ReasonsEn, r.TextEn)
		}
		rec.Drafts = append(rec.Drafts, wd)
	}
	for _, l := range matching.LeadsOf(res, ev.policies) {
		rec.Leads = append(rec.Leads, store.WarningLead{PolicyID: l.PolicyID, NameZh: l.NameZh, Department: l.Department,
			Newly: l.Newly, Before: string(l.Before), ReasonsZh: l.ReasonsZh, ReasonsEn: l.ReasonsEn})
	}
	for _, u := range res.FactUpdates {
		rec.FactUpdates = append(rec.FactUpdates, u.TextZh)
	}
	return rec
}

// evaluator evaluates households' signals with one catalogue at one time.
type evaluator struct {
	rules    []domain.WarningRule
	policies []domain.Policy
	params   domain.ParamSet
	at       time.Time
}

func (ev evaluator) run(h *domain.Household, signals []domain.Signal) matching.SignalEvaluation {
	return matching.EvaluateSignals(h, signals, ev.rules, ev.policies, ev.params, ev.at)
}
