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

// serve starts everything, serves until ctx ends, then shuts down in order:
// stop accepting, finish in-flight requests, close the store, stop children.
func serve(ctx context.Context, cfg *Config, log *slog.Logger) error {
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	mongoURI, meiliURL := cfg.MongoURI, cfg.MeiliURL
	var cleanups []func(context.Context) error
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for i := len(cleanups) - 1; i >= 0; i-- {
			if err := cleanups[i](sctx); err != nil {
				log.Error("shutdown step failed", "err", err.Error())
			}
		}
	}()

	if cfg.Embedded {
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return fmt.Errorf("create data dir: %w", err)
		}
		if err := cfg.ensureSecrets(filepath.Join(dataDir, "secrets")); err != nil {
			return fmt.Errorf("secrets: %w", err)
		}
		log.Info("starting embedded database (PostgreSQL + FerretDB)", "data_dir", dataDir)
		emb, err := store.StartEmbedded(ctx, store.EmbeddedOptions{DataDir: dataDir, PGBin: cfg.PGBin, Logger: log})
		if err != nil {
			return err
		}
		cleanups = append(cleanups, emb.Close)
		mongoURI = emb.URI()
		log.Info("starting embedded Meilisearch")
		ms, err := search.StartLocal(ctx, search.LocalOptions{DataDir: filepath.Join(dataDir, "meili"), Bin: cfg.MeiliBin, MasterKey: cfg.MeiliKey, Logger: log})
		if err != nil {
			return err
		}
		cleanups = append(cleanups, ms.Close)
		meiliURL = ms.URL()
	}
	log.Info("configuration", cfg.logAttrs()...)

	pii, err := store.NewPII(cfg.PIIKey, cfg.IDHashKey)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, mongoURI, cfg.MongoDB, store.Options{Logger: log, PII: pii})
	if err != nil {
		return err
	}
	cleanups = append(cleanups, db.Close)
	sc, err := search.Connect(ctx, meiliURL, cfg.MeiliKey)
	if err != nil {
		return err
	}
	cleanups = append(cleanups, func(context.Context) error { sc.Close(); return nil })

	if err := bootstrap(ctx, db, cfg, dataDir, log); err != nil {
		return err
	}
	tokens, err := auth.NewTokens([]byte(cfg.JWTSecret), auth.DefaultAccessTTL, time.Now)
	if err != nil {
		return err
	}
	app := handlers.New(handlers.Deps{
		Logger: log, Now: time.Now, Tokens: tokens, Users: db, Accounts: db, Places: db, Households: db, Needs: db, Catalogue: seed.Catalogue(),
		Ready: map[string]handlers.Pinger{"mongodb": db, "meilisearch": sc},
		UI:    web.Dist(),
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- app.Listener(ln) }()
	go sweepRefreshTokens(ctx, db, log)
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
		hash, err := auth.HashPassword(cfg.DemoPassword)
		if err != nil {
			return fmt.Errorf("demo password: %w", err)
		}
		accounts := seed.DemoAccounts(hash)
		if err := db.UpsertDemoUsers(ctx, accounts); err != nil {
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

// sweepRefreshTokens deletes expired refresh tokens hourly (no TTL indexes on
// FerretDB).
func sweepRefreshTokens(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := db.DeleteExpiredRefreshTokens(ctx, time.Now()); err != nil {
				log.Warn("sweep refresh tokens", "err", err.Error())
			} else if n > 0 {
				log.Debug("swept refresh tokens", "count", n)
			}
		}
	}
}
