package handlers

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/store"
)

// DashboardStore is what the dashboard reads: aggregations and bulk reads.
type DashboardStore interface {
	NeedFacts(ctx context.Context, within string) ([]store.NeedFact, error)
	ProviderLightCounts(ctx context.Context, within string) (map[domain.TrafficLight]int, error)
	LatestRunOver(ctx context.Context, place string) (store.Run, error)
	RunNeedIDs(ctx context.Context, runID string) (map[string]bool, error)
	HouseholdsWithin(ctx context.Context, within string) ([]domain.Household, error)
	VolunteerMinutes(ctx context.Context, within string) (int64, error)
}

// ReferralsWithin reads the referrals of a place, for the days from need to
// service.
type ReferralsWithin interface {
	ReferralsWithin(ctx context.Context, within string) ([]domain.Referral, error)
}

// VoucherTotals adds up the voucher ledgers of the households of a place
// for a year.
type VoucherTotals interface {
	VoucherBalanceWithin(ctx context.Context, within string, year int) (domain.VoucherBalance, error)
}

// dashboardHandlers serve the coordinators' dashboard.
type dashboardHandlers struct {
	store     DashboardStore
	referrals ReferralsWithin // nil: days to service unavailable
	vouchers  VoucherTotals   // nil: voucher spend unavailable
	book      *PolicyBook
	catalogue *domain.Catalogue
	places    *placeTree
	now       func() time.Time

	work  context.Context // background refreshes end with it
	log   *slog.Logger
	cache dashboardCache
	// outsideWait bounds how long a request waits for a district's first
	// just-outside evaluation (default defaultOutsideWait).
	outsideWait time.Duration
}

// DashboardResponse is a place's dashboard. Fields whose source is not
// available yet are present with zero values and named in Unavailable.
type DashboardResponse struct {
	Place          string           `json:"place"`
	GeneratedAt    time.Time        `json:"generated_at"`
	Needs          NeedStats        `json:"needs"`
	MatchRate      MatchRate        `json:"match_rate"`
	DaysToService  DaysToService    `json:"days_to_service"`
	JustOutside    JustOutsideStats `json:"just_outside"`
	SupplyGaps     SupplyGaps       `json:"supply_gaps"`
	ProviderLights map[string]int   `json:"provider_lights"`
	VolunteerHours float64          `json:"volunteer_hours"`
	VoucherSpend   VoucherSpend     `json:"voucher_spend"`
	Unavailable    []string         `json:"unavailable"`
	TookMS         float64          `json:"took_ms"`
	parts          map[string]time.Duration
}

// NeedStats counts needs by state and by catalogue item.
type NeedStats struct {
	Total    int            `json:"total"`
	ByStatus map[string]int `json:"by_status"`
	ByItem   []ItemNeeds    `json:"by_item"`
}

// ItemNeeds counts one item's needs by state.
type ItemNeeds struct {
	Item     string         `json:"item"`
	NameZh   string         `json:"name_zh"`
	Total    int            `json:"total"`
	ByStatus map[string]int `json:"by_status"`
}

// MatchRate is the share of needs that got help: matched, in service or
// resolved, of all needs except those closed as duplicates or no longer
// needed.
type MatchRate struct {
	Matched int     `json:"matched"`
	Needs   int     `json:"needs"`
	Rate    float64 `json:"rate"`
}

// DaysToService is the median of the days from a need being recorded to its
// referral going into service, over the needs that got there.
type DaysToService struct {
	MedianDays float64 `json:"median_days"`
	Samples    int     `json:"samples"`
}

// JustOutsideStats counts the households of the place that hold no tier
// status but narrowly miss a policy that confers one.
type JustOutsideStats struct {
	Households int       `json:"households"`
	Evaluated  int       `json:"evaluated"`
	At         time.Time `json:"at,omitzero"`
	// Pending is true while the first evaluation of the district runs: the
	// counts are 0 and a later request has them.
	Pending bool `json:"pending,omitempty"`
}

// SupplyGaps are the needs the latest finished matching run over the place
// (or a place containing it) could not serve: open needs it saw and made no
// proposal for, by item and community, and the run's reasons (counted over
// the run's whole place).
type SupplyGaps struct {
	RunID    string         `json:"run_id,omitempty"`
	RunPlace string         `json:"run_place,omitempty"`
	RunAt    time.Time      `json:"run_at,omitzero"`
	ByReason map[string]int `json:"by_reason"`
	Items    []GapRow       `json:"items"`
}

// GapRow is one item's unserved needs in one community.
type GapRow struct {
	Item          string `json:"item"`
	NameZh        string `json:"name_zh"`
	Community     string `json:"community"`
	CommunityName string `json:"community_name"`
	Needs         int    `json:"needs"`
}

// VoucherSpend is the year's voucher ledger total of the place's households.
type VoucherSpend struct {
	Year        int        `json:"year"`
	SpentFen    domain.Fen `json:"spent_fen"`
	ReservedFen domain.Fen `json:"reserved_fen"`
	GrantedFen  domain.Fen `json:"granted_fen"`
}

// get answers the dashboard of ?place= (default: the caller's place) for
// coordinators within their scope and admins (aggregates only: no
// resident is named). Its parts are read in parallel.
func (h *dashboardHandlers) get(c *fiber.Ctx) error {
	p, err := authorize(c, "", domain.RoleCoordinator, domain.RoleAdmin)
	if err != nil {
		return err
	}
	place := c.Query("place", p.Place)
	if domain.PlaceLevelOf(place) == "" {
		return domain.Invalid("place", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	}
	if _, err := authorize(c, place, domain.RoleCoordinator, domain.RoleAdmin); err != nil {
		return err
	}
	out, err := h.answer(c.UserContext(), place)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// build assembles the dashboard: the reads run in parallel, the counting
// follows in Go.
func (h *dashboardHandlers) build(ctx context.Context, place string, wait bool) (*DashboardResponse, error) {
	start := h.now()
	out := &DashboardResponse{Place: place, GeneratedAt: start.UTC(), Unavailable: []string{}, parts: map[string]time.Duration{}}
	tree, err := h.places.get(ctx)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var errs []error
	part := func(name string, fn func() error) {
		wg.Go(func() {
			t := time.Now()
			err := fn()
			mu.Lock()
			defer mu.Unlock()
			out.parts[name] = time.Since(t)
			errs = append(errs, err)
		})
	}
	var facts []store.NeedFact
	var run *store.Run
	var proposed map[string]bool
	var refs []domain.Referral
	part("needs", func() (err error) { facts, err = h.store.NeedFacts(ctx, place); return err })
	part("run", func() (err error) { run, proposed, err = h.latestRun(ctx, place); return err })
	part("lights", func() error { return h.lights(ctx, place, out) })
	part("just_outside", func() error { return h.justOutside(ctx, place, out, wait) })
	part("volunteer_hours", func() error {
		m, err := h.store.VolunteerMinutes(ctx, place)
		out.VolunteerHours = float64(m) / 60
		return err
	})
	part("referrals", func() (err error) {
		if h.referrals != nil {
			refs, err = h.referrals.ReferralsWithin(ctx, place)
		}
		return err
	})
	part("voucher_spend", func() error { return h.voucherSpend(ctx, place, out) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	h.needs(facts, out)
	h.gaps(facts, run, proposed, tree, out)
	out.DaysToService = daysToService(facts, refs)
	if h.referrals == nil {
		out.Unavailable = append(out.Unavailable, "days_to_service")
	}
	if h.vouchers == nil {
		out.Unavailable = append(out.Unavailable, "voucher_spend")
	}
	if out.JustOutside.Pending {
		out.Unavailable = append(out.Unavailable, "just_outside")
	}
	slices.Sort(out.Unavailable)
	out.TookMS = float64(h.now().Sub(start).Microseconds()) / 1000
	return out, nil
}

// needs fills the need statistics and the match rate from the counts.
func (h *dashboardHandlers) needs(facts []store.NeedFact, out *DashboardResponse) {
	out.Needs = NeedStats{ByStatus: map[string]int{}, ByItem: []ItemNeeds{}}
	byItem := map[string]*ItemNeeds{}
	for _, n := range facts {
		out.Needs.Total++
		out.Needs.ByStatus[string(n.State)]++
		it := byItem[n.Item]
		if it == nil {
			name := n.Item
			if ci, ok := h.catalogue.Get(n.Item); ok {
				name = ci.NameZh
			}
			it = &ItemNeeds{Item: n.Item, NameZh: name, ByStatus: map[string]int{}}
			byItem[n.Item] = it
		}
		it.Total++
		it.ByStatus[string(n.State)]++
		switch {
		case n.State == domain.NeedMatched || n.State == domain.NeedInService || n.State == domain.NeedResolved:
			out.MatchRate.Matched++
			out.MatchRate.Needs++
		case n.State == domain.NeedClosed && (n.CloseReason == domain.CloseDuplicate || n.CloseReason == domain.CloseNoLongerNeeded):
		default:
			out.MatchRate.Needs++
		}
	}
	for _, it := range byItem {
		out.Needs.ByItem = append(out.Needs.ByItem, *it)
	}
	slices.SortFunc(out.Needs.ByItem, func(a, b ItemNeeds) int { return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.Item, b.Item)) })
	if out.MatchRate.Needs > 0 {
		out.MatchRate.Rate = float64(out.MatchRate.Matched) / float64(out.MatchRate.Needs)
	}
}

func (h *dashboardHandlers) lights(ctx context.Context, place string, out *DashboardResponse) error {
	counts, err := h.store.ProviderLightCounts(ctx, place)
	out.ProviderLights = map[string]int{}
	for _, l := range []domain.TrafficLight{domain.LightGreen, domain.LightYellow, domain.LightRed} {
		out.ProviderLights[string(l)] = counts[l]
	}
	return err
}

// latestRun reads the latest finished run over the place and the needs it
// proposed help for (nil when there is none).
func (h *dashboardHandlers) latestRun(ctx context.Context, place string) (*store.Run, map[string]bool, error) {
	run, err := h.store.LatestRunOver(ctx, place)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	proposed, err := h.store.RunNeedIDs(ctx, run.ID)
	return &run, proposed, err
}

// gaps reports the needs the latest run over the place left unserved: open
// needs it saw (recorded before it) and made no proposal for.
func (h *dashboardHandlers) gaps(facts []store.NeedFact, run *store.Run, proposed map[string]bool, tree *domain.Places, out *DashboardResponse) {
	out.SupplyGaps = SupplyGaps{ByReason: map[string]int{}, Items: []GapRow{}}
	if run == nil {
		return
	}
	g := &out.SupplyGaps
	g.RunID, g.RunPlace, g.RunAt = run.ID, run.Place, run.FinishedAt
	for r, n := range run.Summary.UnmatchedByReason {
		g.ByReason[r] = n
	}
	rows := map[[2]string]int{}
	for _, n := range facts {
		if n.State == domain.NeedOpen && !n.CreatedAt.After(run.CreatedAt) && !proposed[n.ID] {
			rows[[2]string{n.Item, n.Community}]++
		}
	}
	for k, n := range rows {
		row := GapRow{Item: k[0], NameZh: k[0], Community: k[1], Needs: n}
		if ci, ok := h.catalogue.Get(k[0]); ok {
			row.NameZh = ci.NameZh
		}
		if pl, ok := tree.Get(k[1]); ok {
			row.CommunityName = pl.Name
		}
		g.Items = append(g.Items, row)
	}
	slices.SortFunc(g.Items, func(a, b GapRow) int {
		return cmp.Or(cmp.Compare(b.Needs, a.Needs), cmp.Compare(a.Item, b.Item), cmp.Compare(a.Community, b.Community))
	})
}

// isJustOutside reports whether a household holds no tier status but is
// near a policy that confers one (as a matching run counts it).
func isJustOutside(hh *domain.Household, policies []domain.Policy, params domain.ParamSet, at time.Time) bool {
	for _, a := range hh.Assistance {
		if matching.IsTier(a.Kind) {
			return false
		}
	}
	for i, r := range matching.EvaluateHousehold(hh, policies, params, at) {
		if r.Status == matching.PolicyNear && matching.IsTier(policies[i].Confers) {
			return true
		}
	}
	return false
}

// daysToService takes, per need of the place, the first time one of its
// referrals went into service.
func daysToService(facts []store.NeedFact, refs []domain.Referral) DaysToService {
	first := map[string]time.Time{}
	for _, r := range refs {
		for _, ch := range r.History {
			if r.NeedID != "" && ch.To == domain.ReferralInService {
				if t, ok := first[r.NeedID]; !ok || ch.At.Before(t) {
					first[r.NeedID] = ch.At
				}
				break
			}
		}
	}
	var days []float64
	for _, n := range facts {
		if at, ok := first[n.ID]; ok && !at.Before(n.CreatedAt) {
			days = append(days, at.Sub(n.CreatedAt).Hours()/24)
		}
	}
	return DaysToService{MedianDays: median(days), Samples: len(days)}
}

// median returns the median, rounded to a tenth of a day (0 for none).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	return float64(int64(m*10+0.5)) / 10
}

func (h *dashboardHandlers) voucherSpend(ctx context.Context, place string, out *DashboardResponse) error {
	year := domain.VoucherYear(h.now())
	out.VoucherSpend.Year = year
	if h.vouchers == nil {
		return nil
	}
	b, err := h.vouchers.VoucherBalanceWithin(ctx, place, year)
	out.VoucherSpend.SpentFen, out.VoucherSpend.ReservedFen, out.VoucherSpend.GrantedFen = b.SpentFen, b.ReservedFen, b.GrantedFen
	return err
}
