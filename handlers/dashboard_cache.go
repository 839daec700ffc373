package handlers

import (
	"context"
	"sync"
	"time"

	"lianzhu/domain"
)

// A dashboard reads every need, provider and household of its place: on
// the embedded FerretDB that is seconds for a district (measured in
// TestDashboardDemoDistrict). So answers are kept: a place's dashboard is
// reused for dashboardTTL and, older, served while a background refresh
// builds the next one; only the first request of a place waits. The
// just-outside flags (every policy evaluated for every household, the
// slowest part) are kept per district for justOutsideTTL the same way, and
// a first request waits for them at most defaultOutsideWait: past that its
// count is answered as pending. generated_at and just_outside.at say how
// old the figures are.
const (
	dashboardTTL       = time.Minute
	justOutsideTTL     = 5 * time.Minute
	defaultOutsideWait = 5 * time.Second
)

// dashboardCache holds answers by place and just-outside flags by
// district, and which of them are being refreshed.
type dashboardCache struct {
	mu         sync.Mutex
	answers    map[string]*DashboardResponse
	refreshing map[string]bool // places whose answer is being rebuilt
	flags      map[string]outsideFlags
	evaluating map[string]chan struct{} // closed when the district's evaluation ends
}

// outsideFlags are a district's households' places and whether each is
// just outside.
type outsideFlags struct {
	places []string
	out    []bool
	at     time.Time
}

func (c *dashboardCache) done(place string) {
	c.mu.Lock()
	delete(c.refreshing, place)
	c.mu.Unlock()
}

// background runs fn in the background, bounded by the server's work
// context, logging a failure and unmarking the place's refresh at the end.
func (h *dashboardHandlers) background(place string, fn func(ctx context.Context) error) {
	go func() {
		defer h.cache.done(place)
		ctx, cancel := context.WithTimeout(h.work, 10*time.Minute)
		defer cancel()
		if err := fn(ctx); err != nil {
			h.log.Warn("refresh dashboard", "place", place, "err", err.Error())
		}
	}()
}

// answer returns the place's dashboard: kept, or built now. A kept answer
// is refreshed in the background when it is older than dashboardTTL or
// still waits for its just-outside count.
func (h *dashboardHandlers) answer(ctx context.Context, place string) (*DashboardResponse, error) {
	c := &h.cache
	c.mu.Lock()
	if c.answers == nil {
		c.answers, c.refreshing = map[string]*DashboardResponse{}, map[string]bool{}
		c.flags, c.evaluating = map[string]outsideFlags{}, map[string]chan struct{}{}
	}
	kept, ok := c.answers[place]
	refresh := ok && (h.now().Sub(kept.GeneratedAt) >= dashboardTTL || kept.JustOutside.Pending) && !c.refreshing[place]
	if refresh {
		c.refreshing[place] = true
	}
	c.mu.Unlock()
	if !ok {
		return h.rebuild(ctx, place, false)
	}
	if refresh {
		h.background(place, func(ctx context.Context) error { _, err := h.rebuild(ctx, place, true); return err })
	}
	return kept, nil
}

// rebuild builds the place's dashboard and keeps it; wait makes stale
// just-outside flags be refreshed first rather than served.
func (h *dashboardHandlers) rebuild(ctx context.Context, place string, wait bool) (*DashboardResponse, error) {
	out, err := h.build(ctx, place, wait)
	if err != nil {
		return nil, err
	}
	h.cache.mu.Lock()
	h.cache.answers[place] = out
	h.cache.mu.Unlock()
	return out, nil
}

// justOutside counts the place's households just outside a tier from its
// district's flags. Fresh flags are used; stale ones are served while an
// evaluation runs in the background (wait: the evaluation is awaited
// instead). With none yet, the request waits for the evaluation at most
// outsideWait and otherwise answers the count as pending.
func (h *dashboardHandlers) justOutside(ctx context.Context, place string, out *DashboardResponse, wait bool) error {
	limit := h.outsideWait
	if wait {
		limit = 10 * time.Minute
	}
	flags, ok := h.flagsFor(ctx, place[:6]+"000000", wait, limit)
	if !ok {
		out.JustOutside.Pending = true
		return nil
	}
	out.JustOutside.At = flags.at.UTC()
	for i, pl := range flags.places {
		if domain.PlaceWithin(pl, place) {
			out.JustOutside.Evaluated++
			if flags.out[i] {
				out.JustOutside.Households++
			}
		}
	}
	return nil
}

// flagsFor returns the district's flags (see justOutside), starting an
// evaluation when they are missing or stale and none runs.
func (h *dashboardHandlers) flagsFor(ctx context.Context, district string, wait bool, limit time.Duration) (outsideFlags, bool) {
	c := &h.cache
	c.mu.Lock()
	f, ok := c.flags[district]
	fresh := ok && h.now().Sub(f.at) < justOutsideTTL
	done, running := c.evaluating[district]
	if !fresh && !running {
		done = make(chan struct{})
		c.evaluating[district] = done
		go h.evaluateDistrict(district, done)
	}
	c.mu.Unlock()
	if fresh || ok && !wait {
		return f, ok
	}
	select {
	case <-done:
	case <-time.After(limit):
	case <-ctx.Done():
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok = c.flags[district]
	return f, ok
}

// evaluateDistrict evaluates every household of the district with the
// current policies, keeps the flags and closes done. It runs in the
// background, bounded by the server's work context.
func (h *dashboardHandlers) evaluateDistrict(district string, done chan struct{}) {
	ctx, cancel := context.WithTimeout(h.work, 10*time.Minute)
	defer cancel()
	f, err := h.outsideFlags(ctx, district)
	c := &h.cache
	c.mu.Lock()
	if err == nil {
		c.flags[district] = f
	}
	delete(c.evaluating, district)
	close(done)
	c.mu.Unlock()
	if err != nil {
		h.log.Warn("evaluate just-outside households", "district", district, "err", err.Error())
	}
}

func (h *dashboardHandlers) outsideFlags(ctx context.Context, district string) (outsideFlags, error) {
	policies, params, err := h.book.Current(ctx)
	if err != nil {
		return outsideFlags{}, err
	}
	hs, err := h.store.HouseholdsWithin(ctx, district)
	if err != nil {
		return outsideFlags{}, err
	}
	at := h.now()
	f := outsideFlags{places: make([]string, len(hs)), out: make([]bool, len(hs)), at: at}
	for i := range hs {
		f.places[i], f.out[i] = hs[i].Place, isJustOutside(&hs[i], policies, params, at)
	}
	return f, nil
}
