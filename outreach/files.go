package outreach

import (
	"context"

	"lianzhu/domain"
	"lianzhu/importer"
)

// FileSink takes in a signals file (importer.ImportSignals) through the
// engine: signals are matched within Place and recorded as taken in By.
// Report is the last intake's report.
type FileSink struct {
	Engine *Engine
	Place  string
	By     string
	Report Report
}

// CheckSignals validates and seals a file's signals (Engine.Check).
func (f *FileSink) CheckSignals(signals []domain.Signal) ([]domain.Signal, []importer.SignalProblem, error) {
	sealed, problems, err := f.Engine.Check(signals)
	out := make([]importer.SignalProblem, len(problems))
	for i, p := range problems {
		out[i] = importer.SignalProblem{Index: p.Index, Field: p.Field, Rule: p.Rule, Message: p.Message}
	}
	return sealed, out, err
}

// IngestSignals takes in a file's sealed signals in one batch.
func (f *FileSink) IngestSignals(ctx context.Context, sealed []domain.Signal) (importer.SignalCounts, error) {
	if len(sealed) == 0 {
		return importer.SignalCounts{}, nil // a partial import whose every row was bad
	}
	rep, err := f.Engine.IngestSealed(ctx, Batch{Signals: sealed, Place: f.Place, By: f.By})
	f.Report = rep
	return importer.SignalCounts{Stored: rep.Stored, AlreadyPresent: rep.AlreadyPresent, Matched: rep.Matched,
		Unmatched: rep.Unmatched, Warnings: rep.Warnings}, err
}
