package search

import (
	"context"
	"fmt"

	"github.com/meilisearch/meilisearch-go"

	"lianzhu/domain"
)

// Reindex rebuilds the index of kind from the store without a search
// outage: it fills a fresh index <name>_next with the same settings while
// searches keep reading the live one, swaps the two, then deletes the old.
// Writes go on meanwhile and the syncer may put them into the old index
// only; a second pass after the swap re-adds every document whose version
// differs from the one the build saw. It returns how many documents the
// build indexed.
func (x *Indexes) Reindex(ctx context.Context, src Source, kind string) (int, error) {
	if !isKind(kind) {
		return 0, badKind()
	}
	live := x.IndexName(kind)
	next := live + "_next"
	// A build interrupted earlier left its index behind.
	if err := x.drop(ctx, next); err != nil {
		return 0, err
	}
	if err := x.ensure(ctx, live, kind); err != nil {
		return 0, err
	}
	if err := x.ensure(ctx, next, kind); err != nil {
		return 0, err
	}
	built := map[string]int64{}
	n, err := x.fill(ctx, src, kind, next, func(b batch) batch {
		for i, id := range b.ids {
			built[id] = b.versions[i]
		}
		return b
	})
	if err != nil {
		return 0, err
	}
	info, err := x.c.ms.SwapIndexes(ctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{live, next}}})
	if err != nil {
		return 0, unavailable("swap "+live, err)
	}
	if err := x.wait(ctx, info); err != nil {
		return 0, unavailable("swap "+live, err)
	}
	// The live name now holds the new documents; catch up with the writes
	// the build did not see.
	if _, err := x.fill(ctx, src, kind, live, func(b batch) batch {
		var changed batch
		for i, id := range b.ids {
			if v, ok := built[id]; !ok || v != b.versions[i] {
				changed.add(id, b.versions[i], b.docs[i])
			}
		}
		return changed
	}); err != nil {
		return n, err
	}
	return n, x.drop(ctx, next)
}

func isKind(kind string) bool { return kind == KindOffering || kind == KindJob || kind == KindNeed }

func badKind() error {
	return domain.Invalid("kind", "enum", "kind 须为 offering、job 或 need / kind must be offering, job or need")
}

// fill adds every document of kind that keep lets through to index uid,
// queueing the batches as the store yields them and then waiting for each
// task (Meilisearch indexes queued additions together, which is faster).
// It returns how many documents it added.
func (x *Indexes) fill(ctx context.Context, src Source, kind, uid string, keep func(batch) batch) (int, error) {
	var tasks []*meilisearch.TaskInfo
	n := 0
	err := x.each(ctx, src, kind, func(b batch) error {
		b = keep(b)
		if len(b.ids) == 0 {
			return nil
		}
		info, err := x.enqueue(ctx, uid, b.docs)
		if err != nil {
			return unavailable("fill "+uid, err)
		}
		tasks = append(tasks, info)
		n += len(b.ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("search: reindex %ss: %w", kind, err)
	}
	for _, t := range tasks {
		if err := x.wait(ctx, t); err != nil {
			return 0, unavailable("fill "+uid, err)
		}
	}
	return n, nil
}

// drop deletes an index if it exists and waits until it is gone.
func (x *Indexes) drop(ctx context.Context, uid string) error {
	info, err := x.c.ms.DeleteIndex(ctx, uid)
	if err != nil {
		return unavailable("delete index "+uid, err)
	}
	if err := x.wait(ctx, info); err != nil && !hasCode(err, meilisearch.APIErrCodeIndexNotFound) {
		return unavailable("delete index "+uid, err)
	}
	return nil
}

// DriftReport compares the store with the index for one kind.
type DriftReport struct {
	Kind string `json:"kind"`
	// Mongo is how many documents the store holds, Dirty how many of them
	// wait for the index, Index how many the index holds.
	Mongo int64 `json:"mongo"`
	Dirty int64 `json:"dirty"`
	Index int64 `json:"index"`
	// Drift is Mongo − Index: documents missing from the index (negative:
	// documents the store no longer has).
	Drift int64 `json:"drift"`
	// OK: the counts agree and nothing waits.
	OK bool `json:"ok"`
}

// Drift compares counts for every kind. An index that does not exist counts
// as empty; an unreachable Meilisearch is EUNAVAILABLE.
func (x *Indexes) Drift(ctx context.Context, src Source) ([]DriftReport, error) {
	out := make([]DriftReport, 0, len(Kinds()))
	for _, kind := range Kinds() {
		total, dirty, err := src.CountSearchable(ctx, kind)
		if err != nil {
			return nil, fmt.Errorf("search: count %ss: %w", kind, err)
		}
		r := DriftReport{Kind: kind, Mongo: total, Dirty: dirty}
		stats, err := x.c.ms.Index(x.IndexName(kind)).GetStats(ctx, nil)
		switch {
		case err == nil:
			r.Index = stats.NumberOfDocuments
		case !hasCode(err, meilisearch.APIErrCodeIndexNotFound):
			return nil, unavailable("stats of "+x.IndexName(kind), err)
		}
		r.Drift = r.Mongo - r.Index
		r.OK = r.Drift == 0 && r.Dirty == 0
		out = append(out, r)
	}
	return out, nil
}
