package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"lianzhu/domain"
	"lianzhu/importer"
	"lianzhu/outreach"
	"lianzhu/seed"
	"lianzhu/store"
)

// newOutreach builds the signal intake and visit recorder over the store,
// with the demo warning rules and the policy catalogue.
func newOutreach(db *store.DB, cat *domain.Catalogue, log *slog.Logger) *outreach.Engine {
	return &outreach.Engine{Store: db, Rules: seed.SeedWarningRules(), Policies: seed.Policies(),
		Params: seed.PolicyParams(), Catalogue: cat, Log: log}
}

// resumeEvery is how often the server finishes intakes and visits a crash
// interrupted (intents older than outreach.ResumeGrace).
const resumeEvery = 10 * time.Minute

// resumeOutreach runs Engine.Resume at start and every resumeEvery until
// ctx ends.
func resumeOutreach(ctx context.Context, e *outreach.Engine, log *slog.Logger) {
	t := time.NewTicker(resumeEvery)
	defer t.Stop()
	for {
		switch r, err := e.Resume(ctx, outreach.ResumeGrace); {
		case err != nil && ctx.Err() == nil:
			log.Warn("resume signal intake and visits", "err", err.Error())
		case r.Batches > 0 || r.Visits > 0:
			log.Info("finished work a stop interrupted", "batches", r.Batches, "signals", r.Signals,
				"households", r.Households, "warnings", r.Warnings, "visits", r.Visits)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// importSignals takes a signals file in for the district opts.Scope, after
// finishing what an earlier run left (Resume), and prints the intake.
func importSignals(ctx context.Context, db *store.DB, name string, r io.Reader, opts importer.Options, log *slog.Logger, stdout io.Writer) (importer.Report, error) {
	e := newOutreach(db, opts.Catalogue, log)
	if _, err := e.Resume(ctx, outreach.ResumeGrace); err != nil {
		return importer.Report{}, err
	}
	sink := &outreach.FileSink{Engine: e, Place: opts.Scope, By: opts.CreatedBy}
	start := time.Now()
	rep, err := importer.ImportSignals(ctx, name, r, sink, opts)
	if err == nil && rep.Signals != nil {
		sr := sink.Report
		fmt.Fprintf(stdout, "signals: stored %d (matched %d, unmatched %d), already present %d; households re-evaluated %d, facts updated %d; warnings %d %v; new leads %d; %s\n",
			sr.Stored, sr.Matched, sr.Unmatched, sr.AlreadyPresent, sr.Households, sr.FactsUpdated, sr.Warnings, sr.BySeverity,
			sr.NewLeads, time.Since(start).Round(time.Millisecond))
	}
	return rep, err
}
