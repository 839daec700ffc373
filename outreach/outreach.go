// Package outreach is policy finding the person (政策找人): data signals
// from other departments are taken in (validated, sealed, matched to
// household members through the keyed ID hash, stored once), each touched
// household is re-evaluated (matching.EvaluateSignals: its facts updated,
// its policies evaluated before and after, the warning rules checked), and
// warnings are raised with help proposed — likely needs and policy leads —
// for the home visit that verifies them.
//
// Every step that changes more than one document records its intent first
// and is finished by Resume after a crash (ARCHITECTURE.md: no
// transactions):
//   - an intake run is a batch, stored pending before its signals and
//     finished once every household they touch was evaluated; the warning
//     is written before the file's facts, and the facts in one update that
//     also records the batch (store.ApplySignalFacts), so that evaluating a
//     pending batch again raises the same warning (its ID is the household
//     and signals) and never applies a file's facts twice;
//   - a home visit is recorded on the warning (store.BeginVisit) before
//     its needs and facts are written, and the warning is verified last.
package outreach

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// Store is what the intake and the visits need; *store.DB implements it.
type Store interface {
	SealSignal(s *domain.Signal) error
	MatchSignals(ctx context.Context, hashes []string) (store.SignalMatch, error)
	InsertSignals(ctx context.Context, rs []store.SignalRecord) (int, []int, error)
	Signal(ctx context.Context, id string) (store.SignalRecord, error)
	BatchSignals(ctx context.Context, batch string) ([]store.SignalRecord, error)
	CreateSignalBatch(ctx context.Context, b *store.SignalBatch) error
	PendingSignalBatches(ctx context.Context) ([]store.SignalBatch, error)
	FinishSignalBatch(ctx context.Context, b store.SignalBatch) error
	ResolveSignal(ctx context.Context, id string, r store.SignalResolution) (store.SignalRecord, error)
	SignalHouseholds(ctx context.Context, ids []string) (map[string]store.SignalHousehold, error)
	ApplySignalFacts(ctx context.Context, h *domain.Household, batches []string, batch string) error
	InsertWarnings(ctx context.Context, ws []store.WarningRecord) (int, error)
	Warning(ctx context.Context, id string) (store.WarningRecord, error)
	VisitingWarnings(ctx context.Context) ([]store.WarningRecord, error)
	BeginVisit(ctx context.Context, w *domain.Warning, from domain.WarningState, v store.VisitIntent) error
	FinishVisit(ctx context.Context, w *domain.Warning, from domain.WarningState) error
	InsertNeeds(ctx context.Context, ns []domain.Need) (int, error)
	AppendLog(ctx context.Context, e domain.LogEntry) error
	Household(ctx context.Context, id string) (domain.Household, error)
	UpdateHousehold(ctx context.Context, h *domain.Household, expectedVersion int64) error
}

// Engine takes signals in and records visits. Its fields are read only.
type Engine struct {
	Store Store
	// Rules are the warning rules (seed.SeedWarningRules), Policies and
	// Params the policy catalogue re-evaluated with them (Book, when set,
	// supplies the catalogue in force instead), Catalogue the service
	// catalogue draft needs come from.
	Rules     []domain.WarningRule
	Policies  []domain.Policy
	Params    domain.ParamSet
	Book      PolicySource
	Catalogue *domain.Catalogue
	// Now is the clock (default time.Now); Log receives what a caller
	// cannot act on (default slog.Default).
	Now func() time.Time
	Log *slog.Logger
}

// PolicySource supplies the policy catalogue in force (handlers.PolicyBook).
type PolicySource interface {
	Current(ctx context.Context) ([]domain.Policy, domain.ParamSet, error)
}

// policies returns the catalogue to evaluate with.
func (e *Engine) policies(ctx context.Context) ([]domain.Policy, domain.ParamSet, error) {
	if e.Book == nil {
		return e.Policies, e.Params, nil
	}
	return e.Book.Current(ctx)
}

// maxRetries bounds how often a write that lost a race on a household's
// version is re-read and tried again.
const maxRetries = 5

func (e *Engine) now() time.Time {
	if e.Now == nil {
		return time.Now().UTC()
	}
	return e.Now().UTC()
}

func (e *Engine) log() *slog.Logger {
	if e.Log == nil {
		return slog.Default()
	}
	return e.Log
}

// newBatchID names an intake run: random, so that two runs never share
// their pending signals.
func newBatchID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "sb-" + hex.EncodeToString(b)
}

// retryConflicts calls fn until it returns anything but ECONFLICT, at most
// maxRetries times.
func retryConflicts(fn func() error) error {
	var err error
	for range maxRetries {
		if err = fn(); domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
	}
	return err
}
