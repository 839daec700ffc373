package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Syncer keeps the indexes in step with the store: it reads dirty
// documents in batches, adds them to Meilisearch, waits until Meilisearch
// has indexed them and only then marks them indexed. A failure leaves them
// dirty, so nothing is lost: Run backs off (1 s doubling to 30 s) and tries
// again, and the index catches up when Meilisearch is back.
type Syncer struct {
	x    *Indexes
	src  Source
	log  *slog.Logger
	wake chan struct{}

	mu      sync.Mutex
	refused map[string]bool // kind/id of refused documents already logged

	// Poll is how often Run looks for dirty documents when nobody calls
	// Notify (writes by other processes, e.g. an import or another replica).
	Poll time.Duration
	// MinBackoff and MaxBackoff bound Run's wait after a failure.
	MinBackoff, MaxBackoff time.Duration
}

// NewSyncer returns a syncer from src into x; set its fields before Run.
func NewSyncer(x *Indexes, src Source, log *slog.Logger) *Syncer {
	if log == nil {
		log = slog.Default()
	}
	return &Syncer{x: x, src: src, log: log.With("component", "search-sync"), wake: make(chan struct{}, 1),
		refused: map[string]bool{}, Poll: 5 * time.Second, MinBackoff: time.Second, MaxBackoff: 30 * time.Second}
}

// Notify wakes Run early: something was written. It never blocks. While
// Run backs off after a failure it keeps backing off: the writes are safe
// in the store, and a down Meilisearch is not helped by being asked more.
func (s *Syncer) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run syncs until ctx ends. After a failure it applies the index settings
// again before the next round: a Meilisearch that comes back without its
// data would otherwise create the indexes on the first document, without
// settings (Drift then shows what is missing, and Reindex restores it).
func (s *Syncer) Run(ctx context.Context) {
	backoff := s.MinBackoff
	failed := false
	for {
		n, err := s.round(ctx, failed)
		failed = err != nil && !refusedOnly(err)
		if ctx.Err() != nil {
			return
		}
		if n > 0 {
			s.log.Debug("search index updated", "documents", n)
		}
		if err != nil && !refusedOnly(err) {
			s.log.Warn("search index update failed; retrying", "err", err.Error(), "in", backoff.String())
			if !sleep(ctx, backoff, nil) {
				return
			}
			backoff = min(2*backoff, s.MaxBackoff)
			continue
		}
		backoff = s.MinBackoff
		if !sleep(ctx, s.Poll, s.wake) {
			return
		}
	}
}

// round is one pass of Run, with the settings first when setup is set.
func (s *Syncer) round(ctx context.Context, setup bool) (int, error) {
	if setup {
		if err := s.x.Setup(ctx); err != nil {
			return 0, err
		}
	}
	return s.SyncAll(ctx)
}

// sleep waits for d, a wake-up or the end of ctx; it reports false for the
// last.
func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-wake:
	}
	return true
}

// SyncOnce indexes one batch (at most 500 documents) of each kind and
// returns how many documents it marked indexed.
func (s *Syncer) SyncOnce(ctx context.Context) (int, error) {
	total := 0
	var errs []error
	for _, kind := range Kinds() {
		n, _, err := s.syncBatch(ctx, kind)
		total += n
		errs = append(errs, err)
	}
	return total, errors.Join(errs...)
}

// SyncAll indexes batches of each kind until a batch comes back short (a
// document updated meanwhile waits for the next round) and returns how many
// documents it marked indexed. A document Meilisearch refuses is reported
// in the error and left dirty; the others go in.
func (s *Syncer) SyncAll(ctx context.Context) (int, error) {
	total := 0
	var errs []error
	for _, kind := range Kinds() {
		for {
			n, full, err := s.syncBatch(ctx, kind)
			total += n
			errs = append(errs, err)
			// Past a refused document the rest of the batch went in, and
			// more may wait; any other failure ends the kind's round.
			if !full || n == 0 || err != nil && !refusedOnly(err) {
				break
			}
		}
	}
	return total, errors.Join(errs...)
}

// syncBatch indexes one batch of dirty documents of kind; full reports
// that the batch was full, so that more may wait.
func (s *Syncer) syncBatch(ctx context.Context, kind string) (n int, full bool, err error) {
	b, err := s.x.dirty(ctx, s.src, kind, batchSize)
	if err != nil {
		return 0, false, fmt.Errorf("search: read dirty %ss: %w", kind, err)
	}
	if len(b.ids) == 0 {
		return 0, false, nil
	}
	n, err = s.push(ctx, kind, b)
	return n, len(b.ids) >= batchSize, err
}

// push adds a batch to the index, waits for Meilisearch to finish it and
// marks it indexed. A batch that Meilisearch refuses (its task fails: a bad
// document) is split in halves, so that a bad document holds back only
// itself; it stays dirty and is logged. Any other failure leaves the whole
// batch dirty.
func (s *Syncer) push(ctx context.Context, kind string, b batch) (int, error) {
	err := s.x.add(ctx, s.x.IndexName(kind), b.docs)
	var refused *taskError
	switch {
	case err == nil:
		if err := s.src.MarkIndexed(ctx, kind, b.ids, b.versions); err != nil {
			return 0, fmt.Errorf("search: mark %ss indexed: %w", kind, err)
		}
		return len(b.ids), nil
	case errors.As(err, &refused) && len(b.ids) > 1:
		half := len(b.ids) / 2
		n1, err1 := s.push(ctx, kind, b.slice(0, half))
		n2, err2 := s.push(ctx, kind, b.slice(half, len(b.ids)))
		return n1 + n2, errors.Join(err1, err2)
	case errors.As(err, &refused):
		s.reportRefused(kind, b.ids[0], err)
		return 0, &refusedError{kind: kind, id: b.ids[0], err: err}
	}
	return 0, unavailable("index "+kind+"s", err)
}

// refusedError is a document that Meilisearch will not index. It stays
// dirty: a fix in the store (a new version) or in the code lets it in.
type refusedError struct {
	kind, id string
	err      error
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("search: Meilisearch refused %s %s: %v", e.kind, e.id, e.err)
}

func (e *refusedError) Unwrap() error { return e.err }

// refusedOnly reports whether every error joined in err is a refused
// document: Meilisearch itself works.
func refusedOnly(err error) bool {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			if !refusedOnly(e) {
				return false
			}
		}
		return true
	}
	_, ok := err.(*refusedError)
	return ok
}

// reportRefused logs a refused document as an error the first time and
// quietly after, since it is tried again every round.
func (s *Syncer) reportRefused(kind, id string, err error) {
	s.mu.Lock()
	first := !s.refused[kind+"/"+id]
	if first && len(s.refused) < 10_000 {
		s.refused[kind+"/"+id] = true
	}
	s.mu.Unlock()
	level := slog.LevelDebug
	if first {
		level = slog.LevelError
	}
	s.log.Log(context.Background(), level, "Meilisearch refused a document; it stays dirty",
		"kind", kind, "id", id, "err", err.Error())
}
