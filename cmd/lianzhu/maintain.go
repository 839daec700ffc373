package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"lianzhu/domain"
	"lianzhu/importer"
	"lianzhu/internal/binpath"
	"lianzhu/search"
	"lianzhu/seed"
)

const reindexUsage = `Usage: lianzhu reindex [--kind offering|job|need|all] [--check]

Rebuilds search indexes from MongoDB (the truth): each index is built anew
under a temporary name and swapped in, so searches keep answering. With
--check it changes nothing and reports drift: documents in MongoDB, documents
waiting for the index worker, documents in the index. Exit code 1 on drift.

Uses the same configuration as "lianzhu serve". In default mode it starts the
embedded stack itself, so stop a running server first (or use the admin API:
POST /api/v1/admin/reindex, GET /api/v1/admin/index-drift).
`

const importUsage = `Usage: lianzhu import --kind households|offerings|signals --file FILE [--place CODE] [--partial]

Imports an .xlsx or .csv file in the documented layout (see the README; the
templates are at GET /api/v1/imports/templates/{kind}.xlsx). Every bad row is
reported with its row number, column and reason; by default a file with any
bad row imports nothing (--partial imports the good households and skips
the bad ones whole). Importing the same file twice creates no duplicates.
--place limits households to a place (as a coordinator's import would be).
Signals (data from other departments) need --place, the district they are
taken in for: they are matched to households of it by ID number (keyed
hash), and unmatched ones are kept there for its coordinators to resolve;
matched households are re-evaluated and warnings raised.
Exit code 1 when rows were rejected.
`

// openForCLI loads the configuration and starts the backends for a
// maintenance command; logs go to stderr at warn level unless configured.
func openForCLI(ctx context.Context, environ []string, stderr io.Writer) (*backends, *Config, *slog.Logger, int) {
	root, err := binpath.RepoRoot()
	if err != nil {
		root, _ = os.Getwd()
	}
	cfg, err := loadConfig(environ, os.ReadFile, root)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu: %v\n", err)
		return nil, nil, nil, 2
	}
	level := max(cfg.LogLevel, slog.LevelWarn)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	b, err := startBackends(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu: %v\n", err)
		if strings.Contains(err.Error(), "already in use") {
			fmt.Fprintln(stderr, "lianzhu: a server owns the data dir; stop it or use the admin API")
		}
		return nil, nil, nil, 1
	}
	return b, cfg, log, 0
}

func runReindex(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, reindexUsage) }
	kind := fs.String("kind", "all", "offering, job, need or all")
	check := fs.Bool("check", false, "report drift only")
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	kinds := []string{search.KindOffering, search.KindJob, search.KindNeed}
	switch *kind {
	case "all":
	case search.KindOffering, search.KindJob, search.KindNeed:
		kinds = []string{*kind}
	default:
		fmt.Fprintf(stderr, "lianzhu reindex: --kind must be offering, job, need or all, not %q\n", *kind)
		return 2
	}
	b, cfg, log, code := openForCLI(ctx, environ, stderr)
	if b == nil {
		return code
	}
	defer b.close(log)
	places, err := placeTreeOf(ctx, b.db)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu reindex: %v\n", err)
		return 1
	}
	idx := search.NewIndexes(b.search, cfg.MeiliPrefix, seed.Catalogue(), places)
	if err := idx.Setup(ctx); err != nil {
		fmt.Fprintf(stderr, "lianzhu reindex: %v\n", err)
		return 1
	}
	if !*check {
		for _, k := range kinds {
			start := time.Now()
			n, err := idx.Reindex(ctx, b.db, k)
			if err != nil {
				fmt.Fprintf(stderr, "lianzhu reindex: %s: %v\n", k, err)
				return 1
			}
			fmt.Fprintf(stdout, "reindexed %-8s %7d documents in %s\n", k, n, time.Since(start).Round(time.Millisecond))
		}
	}
	reports, err := idx.Drift(ctx, b.db)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu reindex: drift: %v\n", err)
		return 1
	}
	drift := false
	for _, r := range reports {
		fmt.Fprintf(stdout, "%-8s mongodb %7d  waiting %6d  index %7d  %s\n", r.Kind, r.Mongo, r.Dirty, r.Index, map[bool]string{true: "ok", false: "DRIFT"}[r.OK])
		drift = drift || !r.OK
	}
	if drift {
		return 1
	}
	return 0
}

func runImport(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, importUsage) }
	kind := fs.String("kind", "", "households, offerings or signals")
	file := fs.String("file", "", "the .xlsx or .csv file")
	place := fs.String("place", "", "limit households to this place code")
	partial := fs.Bool("partial", false, "import the good households, skip bad ones whole")
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if *file == "" || !importer.Kind(*kind).Valid() {
		fmt.Fprint(stderr, importUsage)
		return 2
	}
	if *kind == string(importer.Signals) && domain.PlaceLevelOf(*place) != domain.LevelDistrict {
		fmt.Fprintln(stderr, "lianzhu import: signals need --place, the district code they are taken in for")
		return 2
	}
	f, err := os.Open(*file)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu import: %v\n", err)
		return 1
	}
	defer f.Close()
	b, cfg, log, code := openForCLI(ctx, environ, stderr)
	if b == nil {
		return code
	}
	defer b.close(log)
	places, err := placeTreeOf(ctx, b.db)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu import: %v\n", err)
		return 1
	}
	lastPct := -1
	opts := importer.Options{Places: places, Catalogue: seed.Catalogue(), Now: time.Now(), Scope: *place,
		CreatedBy: "cli", AllowPartial: *partial,
		Progress: func(done, total int) {
			if total > 0 && done*100/total/10 != lastPct {
				lastPct = done * 100 / total / 10
				fmt.Fprintf(stderr, "  %d / %d rows\n", done, total)
			}
		}}
	var rep importer.Report
	switch importer.Kind(*kind) {
	case importer.Households:
		rep, err = importer.ImportHouseholds(ctx, filepath.Base(*file), f, b.db, opts)
	case importer.Signals:
		rep, err = importSignals(ctx, b.db, filepath.Base(*file), f, opts, log, stdout)
	default:
		rep, err = importer.ImportOfferings(ctx, filepath.Base(*file), f, b.db, opts)
	}
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu import: %v\n", err)
		return 1
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(stdout, "row %d, %s: %s\n", e.Row, or(e.Column, "-"), e.Reason)
	}
	fmt.Fprintf(stdout, "rows %d, created %d, already present %d, rejected rows %d\n", rep.Total, rep.Created, rep.Skipped, len(rep.Errors))
	// Bring the index up to date now; a running server's worker would too.
	idx := search.NewIndexes(b.search, cfg.MeiliPrefix, seed.Catalogue(), places)
	if err := idx.Setup(ctx); err != nil {
		log.Warn("search index not updated now; the server's index worker will catch up", "err", err.Error())
	} else if _, err := search.NewSyncer(idx, b.db, log).SyncAll(ctx); err != nil {
		log.Warn("search index not fully updated; the server's index worker will catch up", "err", err.Error())
	}
	if len(rep.Errors) > 0 {
		return 1
	}
	return 0
}
