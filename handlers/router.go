// Package handlers is Lianzhu's HTTP layer: Fiber routes, request and
// response types, middleware and the one mapping from domain errors to HTTP.
package handlers

import (
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
	// Catalogue is the service catalogue.
	Catalogue *domain.Catalogue
	Places    PlaceStore
	// Ready names the backing services /readyz checks ("mongodb", "meilisearch").
	Ready map[string]Pinger
	// UI is the built front end (nil or without index.html: a placeholder).
	UI fs.FS
	// RefreshTTL is the refresh tokens' lifetime.
	RefreshTTL time.Duration
	// BodyLimit overrides DefaultBodyLimit (tests).
	BodyLimit int
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
	if d.RefreshTTL <= 0 {
		d.RefreshTTL = auth.DefaultRefreshTTL
	}
	if d.Limiter == nil {
		d.Limiter = auth.NewLoginLimiter(15*time.Minute, 5, 50, d.Now)
	}
	s := &server{deps: d, log: d.Logger, now: d.Now, tokens: d.Tokens, metrics: newMetrics()}
	app := fiber.New(fiber.Config{
		AppName:               "lianzhu",
		BodyLimit:             d.BodyLimit,
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
	})
	app.Use(withRequestID, s.observe, s.recoverPanics, securityHeaders)

	app.Get("/healthz", healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metrics.handler())

	ah := &authHandlers{users: d.Users, tokens: d.Tokens, limiter: d.Limiter, refreshTTL: d.RefreshTTL, now: d.Now}
	v1 := app.Group("/api/v1")
	v1.Post("/auth/login", ah.login)
	v1.Post("/auth/refresh", ah.refresh)
	v1.Post("/auth/logout", ah.logout)

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

	app.All("/*", newUI(d.UI).serve)
	return app
}
