// Package handlers is Lianzhu's HTTP layer: Fiber routes, request and
// response types, middleware and the one mapping from domain errors to HTTP.
package handlers

import (
	"context"
	"io/fs"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/auth"
	"lianzhu/domain"
)

// DefaultBodyLimit bounds JSON request bodies. Imports get their own limit.
const DefaultBodyLimit = 1 << 20

// Deps are the server's dependencies, built by cmd/lianzhu.
type Deps struct {
	Logger  *slog.Logger
	Now     func() time.Time
	Tokens  *auth.Tokens
	Limiter *auth.LoginLimiter
	Users   UserStore
	// Accounts lists accounts by place (usually the same store as Users).
	Accounts UserLister
	// Households keeps household files and the audit log.
	Households HouseholdStore
	// Needs keeps the need list.
	Needs NeedStore
	// Providers keeps the register of social forces.
	Providers ProviderStore
	// Supply keeps offerings and job openings.
	Supply OfferingStore
	// Imports keeps import records and feeds imports and exports.
	Imports ImportStore
	// Search answers from the search index; Index wakes its worker after a
	// write (optional); Admin rebuilds and checks the indexes.
	Search Searcher
	Index  Notifier
	Admin  IndexAdmin
	// Catalogue is the service catalogue.
	Catalogue *domain.Catalogue
	Places    PlaceStore
	// Ready names the backing services /readyz checks ("mongodb", "meilisearch").
	Ready map[string]Pinger
	// UI is the built front end (nil or without index.html: a placeholder).
	UI fs.FS
	// RefreshTTL is the refresh tokens' lifetime.
	RefreshTTL time.Duration
	// BodyLimit overrides DefaultBodyLimit (tests); ImportLimit overrides
	// DefaultImportLimit for uploaded files.
	BodyLimit   int
	ImportLimit int
	// Work is the context of background work (imports, matching runs): it
	// ends when the server shuts down. Default: never.
	Work context.Context
	// Matching keeps matching runs and their proposals (handlers/matching.go);
	// Policies and Params are the policy catalogue and its dated parameters
	// (runs and evaluations).
	Matching MatchingStore
	Policies []domain.Policy
	Params   domain.ParamSet
	// Tasks keeps volunteer tasks, volunteers and the household log
	// (handlers/tasks.go, volunteers.go); ProofKey keys the hashes of the
	// one-time codes residents give workers.
	Tasks    TaskStore
	ProofKey []byte
	// HashPassword hashes the passwords of new accounts (volunteer sign-up);
	// default auth.HashPassword. Tests use a cheap cost.
	HashPassword func(password string) (string, error)
	// Referrals keeps referrals, service records and voucher ledgers
	// (handlers/referrals.go, referral_actions.go, proposal_actions.go);
	// nil leaves their routes out.
	Referrals ReferralStore
	// Oversight wires accounts, places, policy and catalogue administration,
	// complaints, traffic lights, statements and the dashboard
	// (handlers/oversight.go).
	Oversight OversightDeps
	// Outreach wires data signals, warnings and the household timeline
	// (handlers/signals.go, warnings.go, timeline.go).
	Outreach OutreachDeps
	// Applications keeps job applications and the consent record, "do not
	// contact", the employment ledger and the review flag of household files
	// (handlers/applications.go, consents.go).
	Applications ApplicationStore
}

// server holds what middleware shares; resource handlers are small structs
// of their own.
type server struct {
	deps    Deps
	log     *slog.Logger
	now     func() time.Time
	tokens  *auth.Tokens
	metrics *metrics
}

// New builds the Fiber app with every route. It is the only wiring of HTTP.
func New(d Deps) *fiber.App {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.BodyLimit <= 0 {
		d.BodyLimit = DefaultBodyLimit
	}
	if d.ImportLimit <= 0 {
		d.ImportLimit = DefaultImportLimit
	}
	if d.Work == nil {
		d.Work = context.Background()
	}
	if d.Index == nil {
		d.Index = noNotify{}
	}
	if d.RefreshTTL <= 0 {
		d.RefreshTTL = auth.DefaultRefreshTTL
	}
	if d.Limiter == nil {
		d.Limiter = auth.NewLoginLimiter(15*time.Minute, 5, 50, d.Now)
	}
	s := &server{deps: d, log: d.Logger, now: d.Now, tokens: d.Tokens, metrics: newMetrics()}
	app := fiber.New(fiber.Config{
		AppName:               "lianzhu",
		BodyLimit:             max(d.BodyLimit, d.ImportLimit) + 64<<10, // multipart overhead
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
	})
	app.Use(withRequestID, s.observe, s.recoverPanics, securityHeaders, limitBody(d.BodyLimit, d.ImportLimit))

	app.Get("/healthz", healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metrics.handler())

	ah := &authHandlers{users: d.Users, tokens: d.Tokens, limiter: d.Limiter, refreshTTL: d.RefreshTTL, now: d.Now}
	v1 := app.Group("/api/v1")
	v1.Post("/auth/login", ah.login)
	v1.Post("/auth/refresh", ah.refresh)
	v1.Post("/auth/logout", ah.logout)
	registerSignup(v1, d) // volunteer sign-up: public, rate-limited (handlers/volunteers.go)

	api := v1.Group("", s.authenticate)
	api.Get("/me", ah.me)
	ph := &placeHandlers{places: d.Places}
	api.Get("/places", ph.list)
	uh := &userHandlers{users: d.Accounts}
	api.Get("/users", uh.list)
	tree := &placeTree{places: d.Places, now: d.Now}
	hh := &householdHandlers{households: d.Households, places: tree, now: d.Now}
	api.Get("/households", hh.list)
	api.Post("/households", hh.create)
	api.Post("/households/lookup", hh.lookup)
	api.Get("/households/:id", hh.get)
	api.Put("/households/:id", hh.update)
	api.Post("/households/:id/move", hh.move)
	api.Post("/households/:id/members/:member/id-number", hh.revealID)
	api.Get("/audit", hh.auditTrail)
	nh := &needHandlers{needs: d.Needs, places: tree, catalogue: d.Catalogue, now: d.Now}
	api.Get("/catalogue", nh.listCatalogue)
	api.Get("/needs", nh.list)
	api.Post("/needs", nh.create)
	api.Get("/needs/:id", nh.get)
	api.Post("/needs/:id/close", nh.close)
	prh := &providerHandlers{providers: d.Providers, places: tree, now: d.Now}
	api.Get("/providers", prh.list)
	api.Post("/providers", prh.create)
	api.Get("/providers/:id", prh.get)
	api.Put("/providers/:id", prh.update)
	sh := &supplyHandlers{store: d.Supply, places: tree, catalogue: d.Catalogue, index: d.Index, now: d.Now}
	api.Get("/offerings", sh.listOfferings)
	api.Post("/offerings", sh.createOffering)
	api.Get("/offerings/:id", sh.getOffering)
	api.Put("/offerings/:id", sh.updateOffering)
	api.Get("/jobs", sh.listJobs)
	api.Post("/jobs", sh.createJob)
	api.Get("/jobs/:id", sh.getJob)
	api.Put("/jobs/:id", sh.updateJob)
	srh := &searchHandlers{index: d.Search, catalogue: d.Catalogue}
	api.Get("/search", srh.search)
	api.Post("/catalogue/suggest", srh.suggest)
	ih := &importHandlers{store: d.Imports, places: tree, catalogue: d.Catalogue, index: d.Index, work: d.Work,
		log: d.Logger, now: d.Now, limit: d.ImportLimit, outreach: d.Outreach.Engine}
	api.Get("/imports/templates/:file", ih.template)
	api.Post(importPath, ih.create)
	api.Get("/imports/:id", ih.get)
	api.Get("/exports/needs.xlsx", ih.exportNeeds)
	api.Get("/exports/offerings.xlsx", ih.exportOfferings)
	adh := &adminHandlers{index: d.Admin}
	api.Post("/admin/reindex", adh.reindex)
	api.Get("/admin/index-drift", adh.drift)
	// Admin, supervision and the dashboard; then matching runs, proposals
	// and evaluations, which read the policy book oversight keeps.
	book := registerOversight(api, d, tree)
	registerMatching(api, d, tree, hh, book)
	registerReferrals(api, d, tree, book) // referrals, proposal decisions, vouchers

	registerTasks(api, d, tree)        // volunteer tasks and the volunteers' register
	registerOutreach(api, d, tree, hh) // data signals, warnings, household timelines
	// Job candidates and applications, consents, the employment ledger.
	registerApplications(api, d, tree, hh)

	app.All("/*", newUI(d.UI).serve)
	return app
}
