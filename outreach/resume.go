package outreach

import (
	"context"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// ResumeGrace is how old an intent must be before Resume finishes it: an
// intake still storing its batch (a city's file takes minutes) must not
// have a partial batch evaluated under it, and a visit being recorded is
// left to its request.
const ResumeGrace = 15 * time.Minute

// Resumed counts what Resume finished.
type Resumed struct {
	Batches    int `json:"batches"`
	Signals    int `json:"signals"`
	Households int `json:"households"`
	Warnings   int `json:"warnings"`
	Visits     int `json:"visits"`
}

// Resume finishes what a crash interrupted, for intents older than grace:
// a pending batch is evaluated again (a file that took it in already is
// left alone, and the warning it raised exists) and finished; visits being
// recorded are written and their warnings verified. Running it beside live
// work is safe: the batch marker, the warning IDs, the need IDs and the
// guarded updates make a second run of any step a no-op.
func (e *Engine) Resume(ctx context.Context, grace time.Duration) (Resumed, error) {
	var out Resumed
	cutoff := e.now().Add(-grace)
	batches, err := e.Store.PendingSignalBatches(ctx)
	if err != nil {
		return out, err
	}
	for _, b := range batches {
		if b.CreatedAt.After(cutoff) {
			continue
		}
		signals, err := e.Store.BatchSignals(ctx, b.ID)
		if err != nil {
			return out, err
		}
		groups := map[string][]domain.Signal{}
		for _, s := range signals {
			groups[s.HouseholdID] = append(groups[s.HouseholdID], s.Signal)
		}
		rep := Report{BySeverity: map[domain.Severity]int{}, Stored: len(signals), Matched: len(signals)}
		if err := e.evaluate(ctx, b.ID, groups, nil, &rep); err != nil {
			return out, err
		}
		if err := e.finish(ctx, b, rep); err != nil {
			return out, err
		}
		out.Batches++
		out.Signals += len(signals)
		out.Households += rep.Households
		out.Warnings += rep.Warnings
	}
	visiting, err := e.Store.VisitingWarnings(ctx)
	if err != nil {
		return out, err
	}
	for _, w := range visiting {
		if w.Visit == nil || w.Visit.At.After(cutoff) {
			continue
		}
		if _, err := e.finishVisit(ctx, w); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
			return out, err
		}
		out.Visits++
	}
	return out, nil
}

// Resolution is a coordinator's match of an unmatched signal.
type Resolution struct {
	HouseholdID string
	MemberID    string
	By          string
}

// Resolve matches an unmatched signal to a member of a household (the
// caller checked that both are in their place) and evaluates the household
// with it, in a batch of its own. The member's recorded ID number may
// differ from the signal's: a department's record may carry an old or
// mistyped number, and the coordinator who knows the family decides (the
// caller audits it). A signal no longer unmatched is ECONFLICT.
func (e *Engine) Resolve(ctx context.Context, sig store.SignalRecord, r Resolution) (store.SignalRecord, Report, error) {
	rep := Report{BySeverity: map[domain.Severity]int{}}
	if sig.State != store.SignalUnmatched {
		return sig, rep, domain.Errorf(domain.ECONFLICT, "该信号已匹配到家庭 / the signal is matched already")
	}
	h, err := e.Store.Household(ctx, r.HouseholdID)
	if err != nil {
		return sig, rep, err
	}
	m, ok := h.Member(r.MemberID)
	if !ok {
		return sig, rep, domain.Invalid("member_id", "exists", "该家庭没有此成员 / no such member")
	}
	batch := store.SignalBatch{ID: newBatchID(), Place: h.Place, By: r.By, Received: 1}
	if err := e.Store.CreateSignalBatch(ctx, &batch); err != nil {
		return sig, rep, err
	}
	rep.Batch = batch.ID
	sig, err = e.Store.ResolveSignal(ctx, sig.ID, store.SignalResolution{HouseholdID: h.ID, MemberID: m.ID, Place: h.Place,
		Batch: rep.Batch, By: r.By})
	if err != nil {
		return sig, rep, err
	}
	rep.Received, rep.Stored, rep.Matched = 1, 1, 1
	if err := e.evaluate(ctx, rep.Batch, map[string][]domain.Signal{h.ID: {sig.Signal}}, nil, &rep); err != nil {
		return sig, rep, err
	}
	return sig, rep, e.finish(ctx, batch, rep)
}
