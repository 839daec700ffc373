package search

import (
	"context"
	"fmt"

	"github.com/meilisearch/meilisearch-go"

	"lianzhu/domain"
)

// Source is the store as the index sees it; *store.DB implements it.
// MongoDB is the truth: every write of a searchable field leaves the
// document dirty (in the same update), and MarkIndexed clears the flag only
// for the version indexed, so an update made meanwhile stays dirty.
type Source interface {
	// DirtyOfferings, DirtyJobs and DirtyNeeds return up to limit
	// documents not yet indexed in their current version.
	DirtyOfferings(ctx context.Context, limit int) ([]domain.Offering, error)
	DirtyJobs(ctx context.Context, limit int) ([]domain.JobOpening, error)
	DirtyNeeds(ctx context.Context, limit int) ([]domain.Need, error)
	// MarkIndexed records that these versions of the documents of kind are
	// in the index; a document whose version has moved on stays dirty.
	MarkIndexed(ctx context.Context, kind string, ids []string, versions []int64) error
	// EachOffering, EachJob and EachNeed call fn for every document.
	EachOffering(ctx context.Context, fn func(domain.Offering) error) error
	EachJob(ctx context.Context, fn func(domain.JobOpening) error) error
	EachNeed(ctx context.Context, fn func(domain.Need) error) error
	// CountSearchable returns how many documents of kind there are and how
	// many of them are dirty.
	CountSearchable(ctx context.Context, kind string) (total, dirty int64, err error)
	// ProvidersByID returns the providers with the IDs (the ones that exist).
	ProvidersByID(ctx context.Context, ids []string) (map[string]domain.Provider, error)
}

// batchSize is how many documents go to Meilisearch in one task.
const batchSize = 500

// batch is a list of index documents with the store versions they show.
type batch struct {
	ids      []string
	versions []int64
	docs     []any
}

func (b *batch) add(id string, version int64, doc any) {
	b.ids = append(b.ids, id)
	b.versions = append(b.versions, version)
	b.docs = append(b.docs, doc)
}

func (b batch) slice(i, j int) batch {
	return batch{ids: b.ids[i:j], versions: b.versions[i:j], docs: b.docs[i:j]}
}

// dirty returns up to limit dirty documents of kind, mapped for the index.
func (x *Indexes) dirty(ctx context.Context, src Source, kind string, limit int) (batch, error) {
	switch kind {
	case KindOffering:
		os, err := src.DirtyOfferings(ctx, limit)
		if err != nil {
			return batch{}, err
		}
		return x.offeringBatch(ctx, src, os)
	case KindJob:
		js, err := src.DirtyJobs(ctx, limit)
		if err != nil {
			return batch{}, err
		}
		return x.jobBatch(ctx, src, js)
	case KindNeed:
		ns, err := src.DirtyNeeds(ctx, limit)
		if err != nil {
			return batch{}, err
		}
		return x.needBatch(ns), nil
	}
	return batch{}, badKind()
}

// each maps every document of kind, batchSize at a time, and hands each
// batch to fn.
func (x *Indexes) each(ctx context.Context, src Source, kind string, fn func(batch) error) error {
	switch kind {
	case KindOffering:
		return inBatches(ctx, src.EachOffering, func(os []domain.Offering) error {
			b, err := x.offeringBatch(ctx, src, os)
			if err != nil {
				return err
			}
			return fn(b)
		})
	case KindJob:
		return inBatches(ctx, src.EachJob, func(js []domain.JobOpening) error {
			b, err := x.jobBatch(ctx, src, js)
			if err != nil {
				return err
			}
			return fn(b)
		})
	case KindNeed:
		return inBatches(ctx, src.EachNeed, func(ns []domain.Need) error { return fn(x.needBatch(ns)) })
	}
	return badKind()
}

// inBatches collects what each yields into slices of batchSize for fn.
func inBatches[T any](ctx context.Context, each func(context.Context, func(T) error) error, fn func([]T) error) error {
	buf := make([]T, 0, batchSize)
	err := each(ctx, func(v T) error {
		buf = append(buf, v)
		if len(buf) < batchSize {
			return nil
		}
		err := fn(buf)
		buf = buf[:0]
		return err
	})
	if err != nil || len(buf) == 0 {
		return err
	}
	return fn(buf)
}

func (x *Indexes) offeringBatch(ctx context.Context, src Source, os []domain.Offering) (batch, error) {
	return withProviders(ctx, src, os, func(o domain.Offering) string { return o.ProviderID },
		func(o domain.Offering, p domain.Provider) (string, int64, any) {
			return o.ID, o.Version, x.offeringDoc(o, p)
		})
}

func (x *Indexes) jobBatch(ctx context.Context, src Source, js []domain.JobOpening) (batch, error) {
	return withProviders(ctx, src, js, func(j domain.JobOpening) string { return j.EnterpriseID },
		func(j domain.JobOpening, p domain.Provider) (string, int64, any) {
			return j.ID, j.Version, x.jobDoc(j, p)
		})
}

// withProviders maps values that name a provider, reading the providers of
// the whole batch at once.
func withProviders[T any](ctx context.Context, src Source, vs []T, providerOf func(T) string,
	doc func(T, domain.Provider) (id string, version int64, d any)) (batch, error) {
	ids := make([]string, 0, len(vs))
	for _, v := range vs {
		ids = appendNew(ids, providerOf(v))
	}
	providers, err := providersByID(ctx, src, ids)
	if err != nil {
		return batch{}, err
	}
	var b batch
	for _, v := range vs {
		b.add(doc(v, providers[providerOf(v)]))
	}
	return b, nil
}

func (x *Indexes) needBatch(ns []domain.Need) batch {
	var b batch
	for _, n := range ns {
		b.add(n.ID, n.Version, x.needDoc(n))
	}
	return b
}

func providersByID(ctx context.Context, src Source, ids []string) (map[string]domain.Provider, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	providers, err := src.ProvidersByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("search: read providers: %w", err)
	}
	return providers, nil
}

// enqueue adds documents to an index and returns the task, without waiting.
func (x *Indexes) enqueue(ctx context.Context, uid string, docs any) (*meilisearch.TaskInfo, error) {
	pk := "id"
	return x.c.ms.Index(uid).AddDocuments(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: &pk})
}

// add adds documents to an index and waits until they are searchable.
func (x *Indexes) add(ctx context.Context, uid string, docs any) error {
	info, err := x.enqueue(ctx, uid, docs)
	if err != nil {
		return err
	}
	return x.wait(ctx, info)
}
