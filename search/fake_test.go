package search_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"sync"

	"lianzhu/domain"
	"lianzhu/search"
)

// fakeSource is an in-memory store feeding the indexes: the data, the dirty
// flags and the version-guarded MarkIndexed of search.Source, nothing else.
// It is the data feed of the tests, not a stand-in for Meilisearch.
type fakeSource struct {
	mu        sync.Mutex
	offerings map[string]domain.Offering
	jobs      map[string]domain.JobOpening
	needs     map[string]domain.Need
	providers map[string]domain.Provider
	versions  map[string]map[string]int64 // kind → id → version
	dirty     map[string]map[string]bool  // kind → id → waiting for the index
	marks     []markCall
	// afterEach, when set, runs after each EachX call with the kind;
	// beforeMark at the start of MarkIndexed. Both run unlocked.
	afterEach, beforeMark func(kind string)
}

type markCall struct {
	kind string
	ids  []string
}

var _ search.Source = (*fakeSource)(nil)

func newFakeSource() *fakeSource {
	f := &fakeSource{offerings: map[string]domain.Offering{}, jobs: map[string]domain.JobOpening{},
		needs: map[string]domain.Need{}, providers: map[string]domain.Provider{},
		versions: map[string]map[string]int64{}, dirty: map[string]map[string]bool{}}
	for _, k := range search.Kinds() {
		f.versions[k], f.dirty[k] = map[string]int64{}, map[string]bool{}
	}
	return f
}

// touch bumps the version of a document and leaves it dirty, as every store
// write of a searchable field does.
func (f *fakeSource) touch(kind, id string) int64 {
	f.versions[kind][id]++
	f.dirty[kind][id] = true
	return f.versions[kind][id]
}

func (f *fakeSource) putProvider(ps ...domain.Provider) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range ps {
		f.providers[p.ID] = p
	}
}

func (f *fakeSource) putOffering(os ...domain.Offering) {
	put(f, search.KindOffering, f.offerings, os, func(o *domain.Offering) (string, *int64) { return o.ID, &o.Version })
}

func (f *fakeSource) putJob(js ...domain.JobOpening) {
	put(f, search.KindJob, f.jobs, js, func(j *domain.JobOpening) (string, *int64) { return j.ID, &j.Version })
}

func (f *fakeSource) putNeed(ns ...domain.Need) {
	put(f, search.KindNeed, f.needs, ns, func(n *domain.Need) (string, *int64) { return n.ID, &n.Version })
}

// put stores values with their next version, dirty.
func put[T any](f *fakeSource, kind string, into map[string]T, vs []T, ref func(*T) (id string, version *int64)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range vs {
		id, version := ref(&v)
		*version = f.touch(kind, id)
		into[id] = v
	}
}

func (f *fakeSource) dirtyCount(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, d := range f.dirty[kind] {
		if d {
			n++
		}
	}
	return n
}

func (f *fakeSource) markCalls() []markCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.marks)
}

func dirtyOf[T any](f *fakeSource, kind string, all map[string]T, limit int) []T {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id, d := range f.dirty[kind] {
		if d {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	out := []T{}
	for _, id := range ids[:min(limit, len(ids))] {
		out = append(out, all[id])
	}
	return out
}

func (f *fakeSource) DirtyOfferings(_ context.Context, limit int) ([]domain.Offering, error) {
	return dirtyOf(f, search.KindOffering, f.offerings, limit), nil
}

func (f *fakeSource) DirtyJobs(_ context.Context, limit int) ([]domain.JobOpening, error) {
	return dirtyOf(f, search.KindJob, f.jobs, limit), nil
}

func (f *fakeSource) DirtyNeeds(_ context.Context, limit int) ([]domain.Need, error) {
	return dirtyOf(f, search.KindNeed, f.needs, limit), nil
}

func (f *fakeSource) MarkIndexed(_ context.Context, kind string, ids []string, versions []int64) error {
	if f.beforeMark != nil {
		f.beforeMark(kind)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(ids) != len(versions) {
		return errors.New("fake: ids and versions differ in length")
	}
	f.marks = append(f.marks, markCall{kind: kind, ids: slices.Clone(ids)})
	for i, id := range ids {
		if f.versions[kind][id] == versions[i] {
			f.dirty[kind][id] = false
		}
	}
	return nil
}

func eachOf[T any](f *fakeSource, kind string, all map[string]T, fn func(T) error) error {
	f.mu.Lock()
	ids := make([]string, 0, len(all))
	for id := range all {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	vals := make([]T, len(ids))
	for i, id := range ids {
		vals[i] = all[id]
	}
	hook := f.afterEach
	f.mu.Unlock()
	for _, v := range vals {
		if err := fn(v); err != nil {
			return err
		}
	}
	if hook != nil {
		hook(kind)
	}
	return nil
}

func (f *fakeSource) EachOffering(_ context.Context, fn func(domain.Offering) error) error {
	return eachOf(f, search.KindOffering, f.offerings, fn)
}

func (f *fakeSource) EachJob(_ context.Context, fn func(domain.JobOpening) error) error {
	return eachOf(f, search.KindJob, f.jobs, fn)
}

func (f *fakeSource) EachNeed(_ context.Context, fn func(domain.Need) error) error {
	return eachOf(f, search.KindNeed, f.needs, fn)
}

func (f *fakeSource) CountSearchable(_ context.Context, kind string) (int64, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var dirty int64
	for _, d := range f.dirty[kind] {
		if d {
			dirty++
		}
	}
	return int64(len(f.versions[kind])), dirty, nil
}

func (f *fakeSource) ProvidersByID(_ context.Context, ids []string) (map[string]domain.Provider, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]domain.Provider{}
	for _, id := range ids {
		if p, ok := f.providers[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}
