package search

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"lianzhu/domain"
)

// The kinds of searchable things; each has an index of its own.
const (
	KindOffering = "offering"
	KindJob      = "job"
	KindNeed     = "need"
)

// kindCatalogue names the catalogue's index, which Suggest reads.
const kindCatalogue = "catalogue"

// Kinds returns the searchable kinds.
func Kinds() []string { return []string{KindOffering, KindJob, KindNeed} }

// maxTotalHits is how deep a search may page (offset + limit); the handler
// stops paging at the same place.
const maxTotalHits = 1000

// taskTimeout bounds the wait for one Meilisearch task; a batch of 500
// documents takes well under a second, a settings change on a large index
// some seconds.
const taskTimeout = 5 * time.Minute

// Indexes are the Meilisearch indexes of one deployment: offerings, jobs,
// needs and the catalogue, named prefix+"offerings" and so on. Build them
// with NewIndexes; they are safe for concurrent use.
type Indexes struct {
	c      *Client
	prefix string
	voc    *vocab
	places *domain.Places
	// communities are the communities with a known centre, for offerings
	// that serve a radius.
	communities []domain.Place
}

// NewIndexes describes the indexes under prefix for the catalogue and the
// place tree. It does not talk to Meilisearch: call Setup for that.
func NewIndexes(c *Client, prefix string, cat *domain.Catalogue, places *domain.Places) *Indexes {
	x := &Indexes{c: c, prefix: prefix, places: places}
	var names []string
	if places != nil {
		for _, p := range places.Within("") {
			names = append(names, p.Name)
			if p.Level == domain.LevelCommunity && (p.Lat != 0 || p.Lng != 0) {
				x.communities = append(x.communities, p)
			}
		}
	}
	x.voc = newVocab(cat, names)
	return x
}

// IndexName returns the uid of the index of a kind ("offering", "job",
// "need" or "catalogue").
func (x *Indexes) IndexName(kind string) string {
	switch kind {
	case KindOffering:
		return x.prefix + "offerings"
	case KindJob:
		return x.prefix + "jobs"
	case KindNeed:
		return x.prefix + "needs"
	}
	return x.prefix + kind
}

// Setup creates the indexes that do not exist, applies their settings and
// loads the catalogue, waiting for every task. It is idempotent and keeps
// the documents already indexed. The catalogue's items are few and small
// and are replaced whole each time (an item dropped from the catalogue may
// linger in its index; Suggest answers only with items of its own
// catalogue). Errors are EUNAVAILABLE.
func (x *Indexes) Setup(ctx context.Context) error {
	kinds := append(Kinds(), kindCatalogue)
	for _, kind := range kinds {
		if err := x.create(ctx, x.IndexName(kind)); err != nil {
			return err
		}
	}
	// Queued together, the tasks run back to back.
	var tasks []*meilisearch.TaskInfo
	for _, kind := range kinds {
		info, err := x.c.ms.Index(x.IndexName(kind)).UpdateSettings(ctx, x.settings(kind))
		if err != nil {
			return unavailable("settings of "+x.IndexName(kind), err)
		}
		tasks = append(tasks, info)
	}
	info, err := x.enqueue(ctx, x.IndexName(kindCatalogue), x.catalogueDocs())
	if err != nil {
		return unavailable("load catalogue", err)
	}
	for _, t := range append(tasks, info) {
		if err := x.wait(ctx, t); err != nil {
			return unavailable("set up "+t.IndexUID, err)
		}
	}
	return nil
}

// ensure makes index uid exist with the settings of kind.
func (x *Indexes) ensure(ctx context.Context, uid, kind string) error {
	if err := x.create(ctx, uid); err != nil {
		return err
	}
	info, err := x.c.ms.Index(uid).UpdateSettings(ctx, x.settings(kind))
	if err != nil {
		return unavailable("settings of "+uid, err)
	}
	if err := x.wait(ctx, info); err != nil {
		return unavailable("settings of "+uid, err)
	}
	return nil
}

// create makes index uid exist, without settings.
func (x *Indexes) create(ctx context.Context, uid string) error {
	_, err := x.c.ms.GetIndex(ctx, uid)
	if err == nil {
		return nil
	}
	if !hasCode(err, meilisearch.APIErrCodeIndexNotFound) {
		return unavailable("get index "+uid, err)
	}
	info, err := x.c.ms.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "id"})
	if err != nil {
		return unavailable("create index "+uid, err)
	}
	// Another process may have created it meanwhile: that is fine.
	if err := x.wait(ctx, info); err != nil && !hasCode(err, meilisearch.APIErrCodeIndexAlreadyExists) {
		return unavailable("create index "+uid, err)
	}
	return nil
}

// wait waits for a task and returns a *taskError when it did not succeed.
func (x *Indexes) wait(ctx context.Context, info *meilisearch.TaskInfo) error {
	ctx, cancel := context.WithTimeout(ctx, taskTimeout)
	defer cancel()
	t, err := x.c.ms.WaitForTask(ctx, info.TaskUID, 50*time.Millisecond)
	if err != nil {
		return err
	}
	if t.Status != meilisearch.TaskStatusSucceeded {
		return &taskError{uid: t.UID, status: string(t.Status), code: string(t.Error.Code), message: t.Error.Message}
	}
	return nil
}

// taskError is a Meilisearch task that failed: the server answered, and
// refused the work (a bad document, a bad setting).
type taskError struct {
	uid                   int64
	status, code, message string
}

func (e *taskError) Error() string {
	return fmt.Sprintf("meilisearch task %d %s: %s (%s)", e.uid, e.status, e.message, e.code)
}

// hasCode reports whether err is a Meilisearch API error or a failed task
// with the code.
func hasCode(err error, code meilisearch.APIErrCode) bool {
	var me *meilisearch.Error
	if errors.As(err, &me) {
		return me.APIError.Code == code
	}
	var te *taskError
	return errors.As(err, &te) && te.code == string(code)
}

// unavailable wraps a Meilisearch failure as EUNAVAILABLE: the user sees
// that search is down, the log sees why.
func unavailable(op string, err error) error {
	return fmt.Errorf("search: %s: %w: %w", op,
		domain.Errorf(domain.EUNAVAILABLE, "搜索服务暂不可用，请稍后再试 / search is unavailable, try again later"), err)
}
