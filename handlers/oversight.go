package handlers

import (
	"github.com/gofiber/fiber/v2"

	"lianzhu/auth"
	"lianzhu/domain"
)

// OversightStore is the store of administration, supervision and the
// dashboard (accounts, places, policies, catalogue edits, complaints,
// traffic lights, statements, dashboard reads): *store.DB.
type OversightStore interface {
	AccountStore
	PlaceAdminStore
	PolicyStore
	CatalogueStore
	ComplaintStore
	LightStore
	SettlementStore
	DashboardStore
}

// OversightDeps wire administration (items 9), supervision (6) and the
// dashboard (10). Store nil leaves their routes out (the policy book then
// serves Deps.Policies and Deps.Params read-only). The sources kept by other
// parts of the loop are optional: without them the figures they feed are
// reported unavailable.
type OversightDeps struct {
	Store OversightStore
	// Keeper computes traffic lights; nil builds one over Store with
	// Thresholds (zero: domain.DefaultLightThresholds) and Referrals.
	Keeper     *LightKeeper
	Thresholds domain.LightThresholds
	// Referrals reads referrals: light outcomes and ratings, days from need
	// to service, and the referral a complaint names.
	Referrals ReferralSource
	// Records reads and settles service records (monthly statements).
	Records ServiceRecordSource
	// Vouchers totals the voucher ledgers (dashboard).
	Vouchers VoucherTotals
	// Hash hashes new passwords; nil is auth.HashPassword.
	Hash func(string) (string, error)
}

// ReferralSource is everything oversight reads of referrals.
type ReferralSource interface {
	ProviderReferrals
	ReferralsWithin
	ReferralLookup
}

// registerOversight adds the admin, supervision and dashboard routes and
// returns the policy book (matching runs and evaluations read it).
func registerOversight(api fiber.Router, d Deps, tree *placeTree) *PolicyBook {
	o := d.Oversight
	if o.Store == nil {
		return NewPolicyBook(nil, d.Policies, d.Params, d.Now)
	}
	book := NewPolicyBook(o.Store, d.Policies, d.Params, d.Now)
	if o.Hash == nil {
		o.Hash = auth.HashPassword
	}
	keeper := o.Keeper
	if keeper == nil {
		var refs ProviderReferrals
		if o.Referrals != nil {
			refs = o.Referrals
		}
		keeper = NewLightKeeper(o.Store, refs, o.Thresholds, d.Now, d.Logger)
	}
	var lookup ReferralLookup
	var within ReferralsWithin
	if o.Referrals != nil {
		lookup, within = o.Referrals, o.Referrals
	}

	ah := &accountHandlers{users: o.Store, places: tree, limiter: d.Limiter, hash: o.Hash}
	api.Post("/users", ah.create)
	api.Put("/users/:id", ah.update)
	api.Post("/users/:id/reset-password", ah.resetPassword)
	api.Post("/me/password", ah.changeOwnPassword)
	pa := &placeAdmin{store: o.Store, tree: tree}
	api.Post("/places", pa.create)
	api.Put("/places/:code", pa.update)
	ph := &policyHandlers{book: book, now: d.Now}
	api.Get("/policies", ph.list)
	api.Post("/policies", ph.create)
	api.Get("/policies/:id", ph.get)
	api.Put("/policies/:id", ph.update)
	api.Get("/policy-params", ph.listParams)
	api.Post("/policy-params", ph.addParamValue)
	ca := &catalogueAdmin{store: o.Store, running: d.Catalogue}
	api.Get("/catalogue/stored", ca.stored)
	api.Put("/catalogue/:code", ca.update)

	ch := &complaintHandlers{store: o.Store, referrals: lookup, keeper: keeper, places: tree, log: d.Logger, now: d.Now}
	api.Get("/complaints", ch.list)
	api.Post("/complaints", ch.create)
	api.Get("/complaints/:id", ch.get)
	api.Post("/complaints/:id/review", ch.move(domain.ComplaintReviewed))
	api.Post("/complaints/:id/uphold", ch.move(domain.ComplaintUpheld))
	api.Post("/complaints/:id/dismiss", ch.move(domain.ComplaintDismissed))
	sh := &supervisionHandlers{keeper: keeper, lights: o.Store, settlements: o.Store, records: o.Records, log: d.Logger, now: d.Now}
	api.Get("/providers/:id/light", sh.light)
	api.Post("/providers/:id/light/recompute", sh.recompute)
	api.Get("/settlements", sh.listSettlements)
	dh := &dashboardHandlers{store: o.Store, referrals: within, vouchers: o.Vouchers, book: book, catalogue: d.Catalogue,
		places: tree, now: d.Now, work: d.Work, log: d.Logger, outsideWait: defaultOutsideWait}
	api.Get("/dashboard", dh.get)
	return book
}
