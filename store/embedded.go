package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/jackc/pgx/v5"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/internal/binpath"
	"lianzhu/internal/proc"
)

// EmbeddedOptions configures StartEmbedded.
type EmbeddedOptions struct {
	// DataDir holds everything of the embedded database (e.g. ./data):
	// PostgreSQL's cluster in DataDir/postgres, its log in
	// DataDir/postgres.log, and the lock that keeps a second server out.
	DataDir string

	// PGBin is the folder with initdb and postgres (see binpath.DefaultPGBin).
	PGBin string

	// Logger receives our own messages and FerretDB's warnings; nil means
	// slog.Default().
	Logger *slog.Logger

	// PGUser is the system user PostgreSQL runs as when we run as root,
	// because PostgreSQL refuses to run as root; empty means "nobody", which
	// exists everywhere and owns nothing else worth protecting.
	PGUser string

	// FerretDBAddr, when set, is the host:port FerretDB listens on (tests
	// that restart the database where clients expect it); empty picks a free
	// loopback port.
	FerretDBAddr string
}

// Embedded is a PostgreSQL process plus a FerretDB server inside this process
// that speaks the MongoDB wire protocol on a loopback port: the database of
// the default mode. Stop it with Close.
type Embedded struct {
	log         *slog.Logger
	unlock      func() error
	pg          *proc.Process
	stopFerret  context.CancelFunc
	ferretDone  chan struct{}
	uri         string
	ferretAddr  string
	pgPort      int
	closeCalled bool
}

const (
	pgSuperuser  = "lianzhu"
	ferretDBName = "ferretdb"
	// pgStartTimeout bounds a start of PostgreSQL, crash recovery included.
	pgStartTimeout = 2 * time.Minute
)

// StartEmbedded starts PostgreSQL under opts.DataDir (running initdb on first
// start) and FerretDB on a free 127.0.0.1 port, and returns once FerretDB
// answers a listDatabases (which, unlike ping, reaches PostgreSQL). It holds the lock on opts.DataDir until Close, so a second
// server on the same folder fails here with a message naming the first.
func StartEmbedded(ctx context.Context, opts EmbeddedOptions) (_ *Embedded, err error) {
	if opts.DataDir == "" || opts.PGBin == "" {
		return nil, errors.New("store: embedded: DataDir and PGBin are required")
	}
	e := &Embedded{log: opts.Logger, ferretAddr: opts.FerretDBAddr}
	if e.ferretAddr == "" {
		e.ferretAddr = "127.0.0.1:0"
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	e.log = e.log.With("component", "embedded-db")
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("store: embedded: %w", err)
	}
	pgBin, err := filepath.Abs(opts.PGBin)
	if err != nil {
		return nil, fmt.Errorf("store: embedded: %w", err)
	}

	// The lock comes first: everything below (killing stale children,
	// initdb) is only safe while no other server uses the folder.
	if e.unlock, err = proc.LockDir(dataDir); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = e.Close(context.Background())
		}
	}()

	pg := pgSetup{
		bin:  pgBin,
		data: filepath.Join(dataDir, "postgres"),
		log:  filepath.Join(dataDir, "postgres.log"),
	}
	if err := pg.prepare(ctx, opts.PGUser, e.log); err != nil {
		return nil, err
	}
	port := 0
	if e.pg, port, err = pg.start(ctx, e.log); err != nil {
		return nil, err
	}
	e.pgPort = port
	if err := e.startFerretDB(ctx, port); err != nil {
		return nil, err
	}
	e.log.Info("embedded database ready", "uri", e.uri, "postgres_pid", e.pg.PID(), "postgres_port", port, "dir", dataDir)
	return e, nil
}

// URI returns the mongodb:// URI of the embedded FerretDB.
func (e *Embedded) URI() string { return e.uri }

// PostgresURL returns the URL of the PostgreSQL database under FerretDB, for
// Options.FerretDBPostgres.
func (e *Embedded) PostgresURL() string { return pgURL(e.pgPort, ferretDBName) }

// Close stops FerretDB, then PostgreSQL (fast shutdown: open sessions are
// ended, data is checkpointed), waits for both and releases the data folder.
// ctx bounds the wait; PostgreSQL is killed if it runs out. Call it once,
// after the last client has disconnected; later calls do nothing.
func (e *Embedded) Close(ctx context.Context) error {
	if e.closeCalled {
		return nil
	}
	e.closeCalled = true
	var errs []error
	if e.stopFerret != nil {
		e.stopFerret()
		select {
		case <-e.ferretDone:
		case <-ctx.Done():
			errs = append(errs, fmt.Errorf("store: stop FerretDB: %w", ctx.Err()))
		}
	}
	if e.pg != nil {
		if err := e.pg.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("store: stop PostgreSQL: %w", err))
		}
	}
	if e.unlock != nil {
		if err := e.unlock(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PostgresPID returns the pid of the PostgreSQL server process, for tests
// that check it dies with us.
func (e *Embedded) PostgresPID() int { return e.pg.PID() }

func (e *Embedded) startFerretDB(ctx context.Context, pgPort int) error {
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: e.ferretAddr},
		Handler:  "postgresql",
		// Custom plans let PostgreSQL see the field name of FerretDB's
		// `_jsonb -> $1 @> $2` filters, so the equality indexes serve them
		// (ferretdb_pg.go); a generic plan would scan the table.
		PostgreSQLURL: fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable&plan_cache_mode=force_custom_plan",
			pgSuperuser, pgPort, ferretDBName),
		// FerretDB logs every connection at info level.
		Logger: slog.New(ferretLogFilter{e.log.Handler()}).With("component", "ferretdb"),
	})
	if err != nil {
		return fmt.Errorf("store: start FerretDB: %w", err)
	}
	// FerretDB lives as long as the Embedded, not as long as the start-up ctx.
	runCtx, cancel := context.WithCancel(context.Background())
	e.stopFerret = cancel
	e.ferretDone = make(chan struct{})
	go func() {
		defer close(e.ferretDone)
		_ = f.Run(runCtx)
	}()
	e.uri = f.MongoDBURI()

	ctx, cancelPing := context.WithTimeout(ctx, 30*time.Second)
	defer cancelPing()
	client, err := mongo.Connect(options.Client().ApplyURI(e.uri))
	if err != nil {
		return fmt.Errorf("store: connect to FerretDB: %w", err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	// listDatabases reaches PostgreSQL, which a bare ping does not.
	if _, err := client.ListDatabaseNames(ctx, map[string]any{}); err != nil {
		return fmt.Errorf("store: FerretDB at %s does not answer: %w", e.uri, err)
	}
	return nil
}

// pgSetup is one PostgreSQL cluster on disk and the user it runs as.
type pgSetup struct {
	bin, data, log string
	cred           *syscall.Credential // nil: run as ourselves
}

func (pg *pgSetup) exe(name string) string { return filepath.Join(pg.bin, name) }

// prepare makes the cluster ready to start: right owner, no stale server,
// initdb done.
func (pg *pgSetup) prepare(ctx context.Context, pgUser string, log *slog.Logger) error {
	for _, name := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(pg.exe(name)); err != nil {
			return fmt.Errorf("store: PostgreSQL binaries: %w (PGBin must be the folder holding initdb and postgres)", err)
		}
	}
	if err := binpath.HydratePGSymlinks(pg.bin); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(pg.data, 0o700); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if os.Geteuid() == 0 {
		if pgUser == "" {
			pgUser = "nobody"
		}
		u, err := proc.LookupUser(pgUser)
		if err != nil {
			return fmt.Errorf("store: PostgreSQL cannot run as root and needs another user: %w", err)
		}
		pg.cred = u.Credential()
		for _, check := range []error{u.CheckExec(pg.exe("initdb")), u.CheckExec(pg.exe("postgres")), u.CheckEnter(filepath.Dir(pg.data))} {
			if check != nil {
				return fmt.Errorf("store: PostgreSQL runs as %s because we run as root, but: %w", u.Name, check)
			}
		}
		if err := proc.ChownTree(pg.data, u.UID, u.GID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}

	pidFile := filepath.Join(pg.data, "postmaster.pid")
	if pid, err := proc.KillStale(ctx, pidFile, pg.exe("postgres")); err != nil {
		return fmt.Errorf("store: %w", err)
	} else if pid != 0 {
		log.Warn("killed a stale PostgreSQL left by an earlier run", "pid", pid)
	}
	// Postgres itself refuses to start while postmaster.pid names a live
	// process, and in containers the old pid is often taken by someone else.
	// We hold the data-dir lock and no postgres of ours runs any more.
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: remove stale postmaster.pid: %w", err)
	}

	if _, err := os.Stat(filepath.Join(pg.data, "PG_VERSION")); err == nil {
		return nil
	}
	return pg.initdb(ctx, log)
}

func (pg *pgSetup) initdb(ctx context.Context, log *slog.Logger) error {
	// Without PG_VERSION the folder holds at most an interrupted initdb,
	// which initdb will not overwrite.
	entries, err := os.ReadDir(pg.data)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(pg.data, e.Name())); err != nil {
			return fmt.Errorf("store: clear interrupted initdb: %w", err)
		}
	}
	log.Info("creating PostgreSQL cluster", "dir", pg.data)
	err = proc.Run(ctx, proc.Spec{
		Path: pg.exe("initdb"),
		Args: []string{
			"-D", pg.data, "-U", pgSuperuser,
			"--encoding=UTF8", "--locale=C",
			// No passwords: the server listens on 127.0.0.1 and a socket
			// in its own 0700 folder only (see start).
			"--auth-local=trust", "--auth-host=trust",
			"--no-instructions",
		},
		Env:        pgEnv(),
		LogFile:    pg.log,
		Credential: pg.cred,
	})
	if err != nil {
		return fmt.Errorf("store: initdb: %w\n%s", err, proc.Tail(pg.log, 20))
	}
	return nil
}

// start runs postgres itself (pg_ctl would daemonise it out of reach of the
// parent-death signal) and waits until it accepts connections, retrying
// when another process took the free port first.
func (pg *pgSetup) start(ctx context.Context, log *slog.Logger) (*proc.Process, int, error) {
	ctx, cancel := context.WithTimeout(ctx, pgStartTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		port, err := proc.FreePort()
		if err != nil {
			return nil, 0, err
		}
		// The socket sits in the cluster's own 0700 folder, which only the
		// server's user can enter. A Unix socket path is limited to 107
		// bytes; past that we go without a socket (TCP is what we use).
		sockDir := pg.data
		if len(sockDir)+len("/.s.PGSQL.65535") > 107 {
			sockDir = ""
		}
		p, err := proc.Start(proc.Spec{
			Path:       pg.exe("postgres"),
			Args:       []string{"-D", pg.data, "-k", sockDir, "-h", "127.0.0.1", "-p", strconv.Itoa(port)},
			Env:        pgEnv(),
			LogFile:    pg.log,
			Credential: pg.cred,
			// Immediate shutdown: postgres stops its backends itself.
			DeathSignal: syscall.SIGQUIT,
			// Fast shutdown: end sessions, checkpoint, exit.
			StopSignal:  syscall.SIGINT,
			StopTimeout: 30 * time.Second,
		})
		if err != nil {
			return nil, 0, fmt.Errorf("store: %w", err)
		}
		err = waitPostgres(ctx, p, port)
		if err == nil {
			log.Debug("postgres accepts connections", "pid", p.PID(), "port", port)
			if err := createDatabase(ctx, port, ferretDBName); err != nil {
				_ = p.Stop(context.Background())
				return nil, 0, err
			}
			return p, port, nil
		}
		_ = p.Stop(context.Background())
		tail := proc.Tail(pg.log, 20)
		if attempt < 3 && strings.Contains(tail, "could not bind") {
			log.Warn("postgres lost its port to another process; retrying", "port", port)
			continue
		}
		return nil, 0, fmt.Errorf("store: start PostgreSQL: %w; last lines of %s:\n%s", err, pg.log, tail)
	}
}

func pgURL(port int, db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable&connect_timeout=5", pgSuperuser, port, db)
}

// waitPostgres polls until postgres accepts a session: the port opens before
// recovery ends, so a TCP probe alone would be early.
func waitPostgres(ctx context.Context, p *proc.Process, port int) error {
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		conn, err := pgx.Connect(attemptCtx, pgURL(port, "postgres"))
		cancel()
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-p.Done():
			return fmt.Errorf("postgres exited during start-up: %v", p.Err())
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready: %w (last attempt: %v)", ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func createDatabase(ctx context.Context, port int, name string) error {
	conn, err := pgx.Connect(ctx, pgURL(port, "postgres"))
	if err != nil {
		return fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("store: look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	// CREATE DATABASE takes no parameters; name is one of our constants.
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("store: create database %s: %w", name, err)
	}
	return nil
}

// pgEnv is our environment without the variables that would steer initdb or
// postgres elsewhere (PGDATA, PGPORT, …) and with the C locale, so that the
// log the errors quote is in English and locale settings cannot differ
// between runs.
func pgEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// ferretLogFilter passes FerretDB's warnings and errors, but not what it
// logs for a request that merely failed: the client gets that error and the
// store translates it (a duplicate key is a conflict), so logging it again is
// noise, and the records quote the document, personal data included.
//   - every response that is not ok: two warn records with a full dump;
//   - every failed SQL query (error level, "Query"): a unique violation is
//     dropped, any other keeps its SQL and error but loses its arguments.
type ferretLogFilter struct {
	slog.Handler
}

// Enabled passes warn and above to the wrapped handler.
func (h ferretLogFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

// Handle drops or trims request-level records as described on the type.
func (h ferretLogFilter) Handle(ctx context.Context, r slog.Record) error {
	switch {
	case r.Level < slog.LevelWarn:
		return nil
	case r.Level < slog.LevelError && strings.HasPrefix(r.Message, "Response "):
		return nil
	case r.Message == "Query":
		trimmed := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
		drop := false
		r.Attrs(func(a slog.Attr) bool {
			switch {
			case a.Key == "err" && strings.Contains(a.Value.String(), "SQLSTATE 23505"):
				drop = true
				return false
			case !strings.HasPrefix(a.Key, "args"):
				trimmed.AddAttrs(a)
			}
			return true
		})
		if drop {
			return nil
		}
		r = trimmed
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the filter on derived handlers.
func (h ferretLogFilter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return ferretLogFilter{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the filter on derived handlers.
func (h ferretLogFilter) WithGroup(name string) slog.Handler {
	return ferretLogFilter{h.Handler.WithGroup(name)}
}
