package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// LightStore is what the traffic-light keeper needs.
type LightStore interface {
	Provider(ctx context.Context, id string) (domain.Provider, error)
	UpdateProvider(ctx context.Context, p *domain.Provider, expectedVersion int64) error
	ProviderComplaints(ctx context.Context, providerID string, state domain.ComplaintState) ([]domain.Complaint, error)
	PendingLightComplaints(ctx context.Context) ([]domain.Complaint, error)
	ClearComplaintLightPending(ctx context.Context, id string) error
	RecordLightIntent(ctx context.Context, ch *store.LightChange) error
	MarkLightApplied(ctx context.Context, id string) error
	DropLightIntent(ctx context.Context, id string) error
	PendingLightChanges(ctx context.Context) ([]store.LightChange, error)
	LightChanges(ctx context.Context, providerID string, limit int) ([]store.LightChange, error)
	LitProviders(ctx context.Context) ([]string, error)
}

// ProviderReferrals reads the referrals to a provider's offerings, in any
// state: the outcomes and ratings of its light. Referrals are kept by
// another part of the loop; without them a light rests on complaints alone.
type ProviderReferrals interface {
	ProviderReferrals(ctx context.Context, providerID string) ([]domain.Referral, error)
}

// LightKeeper computes providers' traffic lights (domain.ComputeLight over
// the rolling window) and applies changes. A change touches two documents,
// so it is written as an intent first (light_changes, pending), then the
// provider is updated (guarded by its version), then the intent is marked
// applied. Reconcile resolves intents a crash left pending; a complaint
// decision that did not reach the light yet is flagged on the complaint
// (light_pending) and recomputed by Reconcile too. The matching engine
// reads the provider's light, so a red provider gets no new proposals from
// the next run on.
type LightKeeper struct {
	store     LightStore
	referrals ProviderReferrals
	th        domain.LightThresholds
	now       func() time.Time
	log       *slog.Logger
	// crash, when set (tests), is called after each step of a change and
	// stops the change with its error, as a crash there would.
	crash func(step string) error
}

// NewLightKeeper returns a keeper; refs may be nil, th zero means
// domain.DefaultLightThresholds.
func NewLightKeeper(s LightStore, refs ProviderReferrals, th domain.LightThresholds, now func() time.Time, log *slog.Logger) *LightKeeper {
	if th == (domain.LightThresholds{}) {
		th = domain.DefaultLightThresholds()
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &LightKeeper{store: s, referrals: refs, th: th, now: now, log: log}
}

// Thresholds returns the thresholds in use.
func (k *LightKeeper) Thresholds() domain.LightThresholds { return k.th }

// Evaluate reads a provider and computes its light now, changing nothing.
func (k *LightKeeper) Evaluate(ctx context.Context, providerID string) (domain.Provider, domain.LightResult, error) {
	p, err := k.store.Provider(ctx, providerID)
	if err != nil {
		return p, domain.LightResult{}, err
	}
	var refs []domain.Referral
	if k.referrals != nil {
		if refs, err = k.referrals.ProviderReferrals(ctx, providerID); err != nil {
			return p, domain.LightResult{}, err
		}
	}
	upheld, err := k.store.ProviderComplaints(ctx, providerID, domain.ComplaintUpheld)
	if err != nil {
		return p, domain.LightResult{}, err
	}
	return p, domain.ComputeLight(domain.EvidenceFrom(refs, upheld), k.th, k.now()), nil
}

// Recompute computes a provider's light and applies a change, retrying when
// the provider was edited meanwhile. It returns the result and the change
// (nil when the light stays).
func (k *LightKeeper) Recompute(ctx context.Context, providerID string) (domain.LightResult, *store.LightChange, error) {
	for attempt := 0; ; attempt++ {
		res, ch, err := k.recomputeOnce(ctx, providerID)
		if domain.ErrorCode(err) != domain.ECONFLICT || attempt == 2 {
			return res, ch, err
		}
	}
}

func (k *LightKeeper) recomputeOnce(ctx context.Context, providerID string) (domain.LightResult, *store.LightChange, error) {
	p, res, err := k.Evaluate(ctx, providerID)
	if err != nil {
		return res, nil, err
	}
	now := k.now().UTC()
	dc, changed := domain.ChangeLight(p, res, now)
	if !changed {
		return res, nil, nil
	}
	ch := &store.LightChange{LightChange: dc, FromVersion: p.Version, Figures: res.Figures}
	if err := k.store.RecordLightIntent(ctx, ch); err != nil {
		return res, nil, err
	}
	if err := k.step("intent"); err != nil {
		return res, nil, err
	}
	p.TrafficLight = res.Light
	if err := k.store.UpdateProvider(ctx, &p, ch.FromVersion); err != nil {
		// A lost version race or a vanished provider wrote nothing: drop the
		// intent. Any other error may have written: Reconcile decides.
		if code := domain.ErrorCode(err); code == domain.ECONFLICT || code == domain.ENOTFOUND {
			if derr := k.store.DropLightIntent(ctx, ch.ID); derr != nil {
				k.log.Warn("drop light intent", "id", ch.ID, "err", derr.Error())
			}
		}
		return res, nil, err
	}
	if err := k.step("provider"); err != nil {
		return res, nil, err
	}
	if err := k.store.MarkLightApplied(ctx, ch.ID); err != nil {
		return res, nil, err
	}
	ch.Status = store.LightApplied
	return res, ch, nil
}

func (k *LightKeeper) step(name string) error {
	if k.crash == nil {
		return nil
	}
	return k.crash(name)
}

// Reconcile resolves what a crash left half done and reports how many
// providers it recomputed. A pending intent whose provider moved to exactly
// the next version with the intended light was applied (the crash came
// before it was marked); one whose provider is still at its version never
// was and is dropped; either way the provider is recomputed. Complaints
// flagged light_pending get their provider recomputed and the flag cleared.
func (k *LightKeeper) Reconcile(ctx context.Context) (int, error) {
	intents, err := k.store.PendingLightChanges(ctx)
	if err != nil {
		return 0, err
	}
	todo := map[string]bool{}
	var errs []error
	for _, ch := range intents {
		p, err := k.store.Provider(ctx, ch.ProviderID)
		switch {
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			errs = append(errs, k.store.DropLightIntent(ctx, ch.ID))
			continue
		case err != nil:
			errs = append(errs, err)
			continue
		case p.Version == ch.FromVersion+1 && p.TrafficLight == ch.To:
			errs = append(errs, k.store.MarkLightApplied(ctx, ch.ID))
		default:
			errs = append(errs, k.store.DropLightIntent(ctx, ch.ID))
		}
		todo[ch.ProviderID] = true
	}
	complaints, err := k.store.PendingLightComplaints(ctx)
	if err != nil {
		return 0, errors.Join(append(errs, err)...)
	}
	byProvider := map[string][]string{}
	for _, c := range complaints {
		byProvider[c.ProviderID] = append(byProvider[c.ProviderID], c.ID)
		todo[c.ProviderID] = true
	}
	n := 0
	for id := range todo {
		if _, _, err := k.Recompute(ctx, id); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			errs = append(errs, fmt.Errorf("recompute light of %s: %w", id, err))
			continue
		}
		n++
		for _, cid := range byProvider[id] {
			errs = append(errs, k.store.ClearComplaintLightPending(ctx, cid))
		}
	}
	return n, errors.Join(errs...)
}

// RecomputeAll recomputes the lights the keeper set before (evidence ages
// out of the window with time) and reports how many changed. A light no
// recompute ever set (the seed's, an admin's) is left until new evidence
// about its provider arrives.
func (k *LightKeeper) RecomputeAll(ctx context.Context) (int, error) {
	ids, err := k.store.LitProviders(ctx)
	if err != nil {
		return 0, err
	}
	changed := 0
	var errs []error
	for _, id := range ids {
		_, ch, err := k.Recompute(ctx, id)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			errs = append(errs, fmt.Errorf("recompute light of %s: %w", id, err))
		}
		if ch != nil {
			changed++
		}
	}
	return changed, errors.Join(errs...)
}

// Run reconciles every tick and recomputes every light once a day, until
// ctx ends.
func (k *LightKeeper) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	var lastAll time.Time
	for {
		if n, err := k.Reconcile(ctx); err != nil {
			k.log.Warn("reconcile traffic lights", "err", err.Error())
		} else if n > 0 {
			k.log.Info("reconciled traffic lights", "providers", n)
		}
		if k.now().Sub(lastAll) >= 24*time.Hour {
			if n, err := k.RecomputeAll(ctx); err != nil {
				k.log.Warn("recompute traffic lights", "err", err.Error())
			} else {
				lastAll = k.now()
				k.log.Info("recomputed traffic lights", "changed", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
