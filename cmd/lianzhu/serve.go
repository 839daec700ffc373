package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"lianzhu/auth"
	"lianzhu/domain"
	"lianzhu/handlers"
	"lianzhu/internal/binpath"
	"lianzhu/search"
	"lianzhu/seed"
	"lianzhu/store"
	"lianzhu/web"
)

const serveUsage = `Usage: lianzhu serve

Runs the API and the web UI on LIANZHU_ADDR (default :8080).

Default mode (no LIANZHU_MONGODB_URI / LIANZHU_MEILI_URL): starts PostgreSQL,
an embedded FerretDB and Meilisearch under LIANZHU_DATA_DIR (default ./data),
generates missing secrets there, and loads the demo district.

Production mode: set LIANZHU_MONGODB_URI, LIANZHU_MEILI_URL, LIANZHU_MEILI_KEY,
LIANZHU_JWT_SECRET, LIANZHU_PII_KEY and LIANZHU_ID_HASH_KEY (or their _FILE
forms). Nothing embedded starts.
`

func runServe(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lianzhu serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	root, err := binpath.RepoRoot()
	if err != nil {
		root, _ = os.Getwd()
	}
	cfg, err := loadConfig(environ, os.ReadFile, root)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("server stopped with an error", "err", err.Error())
		return 1
	}
	return 0
}

// backends are the store and the search client, with what must be stopped
// at the end (embedded processes in default mode), in start order.
type backends struct {
	db       *store.DB
	search   *search.Client
	cleanups []func(context.Context) error
}

// close stops everything in reverse start order.
func (b *backends) close(log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		if err := b.cleanups[i](ctx); err != nil {
			log.Error("shutdown step failed", "err", err.Error())
		}
	}
}

// startBackends connects to MongoDB and Meilisearch: in default mode it
// first starts the embedded PostgreSQL + FerretDB and a local Meilisearch
// under the data dir (one process at a time may own it). On error what was
// started is stopped again.
func startBackends(ctx context.Context, cfg *Config, log *slog.Logger) (_ *backends, err error) {
	b := &backends{}
	defer func() {
		if err != nil {
			b.close(log)
		}
	}()
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	mongoURI, meiliURL := cfg.MongoURI, cfg.MeiliURL
	ferretPG := cfg.FerretDBPG
	if cfg.Embedded {
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		if err := cfg.ensureSecrets(filepath.Join(dataDir, "secrets")); err != nil {
			return nil, fmt.Errorf("secrets: %w", err)
		}
		log.Info("starting embedded database (PostgreSQL + FerretDB)", "data_dir", dataDir)
		emb, err := store.StartEmbedded(ctx, store.EmbeddedOptions{DataDir: dataDir, PGBin: cfg.PGBin, Logger: log})
		if err != nil {
			return nil, err
		}
		b.cleanups = append(b.cleanups, emb.Close)
		mongoURI = emb.URI()
		ferretPG = emb.PostgresURL()
		log.Info("starting embedded Meilisearch")
		ms, err := search.StartLocal(ctx, search.LocalOptions{DataDir: filepath.Join(dataDir, "meili"), Bin: cfg.MeiliBin, MasterKey: cfg.MeiliKey, Logger: log})
		if err != nil {
			return nil, err
		}
		b.cleanups = append(b.cleanups, ms.Close)
		meiliURL = ms.URL()
	}
	log.Info("configuration", cfg.logAttrs()...)

	pii, err := store.NewPII(cfg.PIIKey, cfg.IDHashKey)
	if err != nil {
		return nil, err
	}
	b.db, err = store.Open(ctx, mongoURI, cfg.MongoDB, store.Options{Logger: log, PII: pii, FerretDBPostgres: ferretPG})
	if err != nil {
		return nil, err
	}
	b.cleanups = append(b.cleanups, b.db.Close)
	b.search, err = search.Connect(ctx, meiliURL, cfg.MeiliKey)
	if err != nil {
		return nil, err
	}
	sc := b.search
	b.cleanups = append(b.cleanups, func(context.Context) error { sc.Close(); return nil })
	return b, nil
}

// serve starts everything, serves until ctx ends, then shuts down in order:
// stop accepting, finish in-flight requests, stop the index worker, close the
// store, stop children.
func serve(ctx context.Context, cfg *Config, log *slog.Logger) error {
	b, err := startBackends(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer b.close(log)
	db := b.db
	dataDir, _ := filepath.Abs(cfg.DataDir)
	if err := bootstrap(ctx, db, cfg, dataDir, log); err != nil {
		return err
	}
	// A run or an import cut off by the previous stop never finishes: say so.
	if n, err := db.FailInterruptedRuns(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Warn("matching runs interrupted by the last stop marked failed", "count", n)
	}
	places, err := placeTreeOf(ctx, db)
	if err != nil {
		return err
	}
	// The catalogue with the admin's edits (stored; they apply at a start).
	catalogue, err := db.LoadCatalogue(ctx, seed.Catalogue())
	if err != nil {
		return err
	}
	idx := search.NewIndexes(b.search, cfg.MeiliPrefix, catalogue, places)
	syncer := search.NewSyncer(idx, db, log)
	workCtx, stopWork := context.WithCancel(context.Background())
	workers := startWorkers(workCtx, syncer, idx, db, log)
	workers.Go(func() { sweepTasks(workCtx, db, catalogue, log) })
	engine := newOutreach(db, catalogue, log)
	workers.Go(func() { resumeOutreach(workCtx, engine, log) })
	// Traffic lights: repair half-done changes hourly, recompute daily.
	lights := handlers.NewLightKeeper(db, db, domain.LightThresholds{}, time.Now, log)
	workers.Go(func() { lights.Run(workCtx, time.Hour) })
	defer func() { stopWork(); workers.Wait() }()

	tokens, err := auth.NewTokens([]byte(cfg.JWTSecret), auth.DefaultAccessTTL, time.Now)
	if err != nil {
		return err
	}
	deps := handlers.Deps{
		Logger: log, Now: time.Now, Tokens: tokens, Users: db, Accounts: db, Places: db, Households: db, Needs: db,
		Providers: db, Supply: db, Imports: db, Search: idx, Index: syncer, Admin: &indexAdmin{idx: idx, src: db},
		Catalogue: catalogue, Policies: seed.Policies(), Params: seed.PolicyParams(), Matching: db,
		Ready: map[string]handlers.Pinger{"mongodb": db, "meilisearch": b.search},
		UI:    web.Dist(), Work: workCtx,
		Tasks: db, ProofKey: proofKey(cfg.JWTSecret),
		Outreach: handlers.OutreachDeps{Engine: engine, Store: db},
		// Admin, supervision and the dashboard; the policy catalogue is
		// seeded from Policies/Params into the store on first use.
		Oversight: handlers.OversightDeps{Store: db, Keeper: lights, Referrals: db, Records: db, Vouchers: db},
		// Referrals, service records and voucher ledgers.
		Referrals: db,
		// Job applications, consents, the employment ledger and review flags.
		Applications: db,
	}
	app := handlers.New(deps)
	if cfg.Demo { // the demo's signals, warnings and closed loop, after the district
		workers.Go(func() { loadDemoLater(workCtx, db, engine, deps, log) })
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- app.Listener(ln) }()
	log.Info("lianzhu is serving", "addr", ln.Addr().String(), "ui_built", web.Built())

	select {
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	if err := app.ShutdownWithTimeout(20 * time.Second); err != nil {
		log.Error("http shutdown", "err", err.Error())
	}
	return nil
}

// bootstrap loads reference data and accounts: the place tree, then either
// the demo accounts (demo on) or disables them (demo off); in production the
// first start creates an admin with a random password written to a file.
func bootstrap(ctx context.Context, db *store.DB, cfg *Config, dataDir string, log *slog.Logger) error {
	if cfg.Demo {
		places := seed.Places()
		if err := db.UpsertPlaces(ctx, places); err != nil {
			return err
		}
		// One hash for every demo account: bcrypt per account would cost minutes.
		hash, err := demoPasswordHash(ctx, db, cfg.DemoPassword)
		if err != nil {
			return err
		}
		accounts := seed.DemoAccounts(hash)
		if err := db.UpsertDemoUsers(ctx, accounts); err != nil {
			return err
		}
		if err := loadDemoDistrict(ctx, db, hash, time.Now(), log); err != nil {
			return err
		}
		log.Info("demo district loaded", "places", len(places), "accounts", len(accounts))
	} else {
		n, err := db.DisableDemoUsers(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			log.Warn("demo mode is off: demo accounts disabled", "count", n)
		}
	}
	admins, err := db.CountActiveUsers(ctx, domain.RoleAdmin)
	if err != nil {
		return err
	}
	if admins == 0 {
		return createFirstAdmin(ctx, db, dataDir, log)
	}
	return nil
}

// createFirstAdmin makes the first administrator with a random password,
// written to a 0600 file in the data dir; the log says where, never what.
func createFirstAdmin(ctx context.Context, db *store.DB, dataDir string, log *slog.Logger) error {
	password := auth.RandomToken(18)
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dataDir, "initial-admin-password")
	if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// "admin" may be taken by a disabled demo account (demo mode switched off).
	u := domain.User{Username: "admin", Role: domain.RoleAdmin, PasswordHash: hash}
	err = db.CreateUser(ctx, &u)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		u = domain.User{Username: "sysadmin", Role: domain.RoleAdmin, PasswordHash: hash}
		err = db.CreateUser(ctx, &u)
	}
	if err != nil {
		return err
	}
	log.Warn("created the first administrator account; its password is in the file named here: sign in and change it, then delete the file", "username", u.Username, "file", path)
	return nil
}
