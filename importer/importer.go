// Package importer reads the spreadsheets that district offices keep — the
// need list as households with their needs, and the supply list as
// offerings — in documented layouts with Chinese headers (.xlsx and .csv),
// checks every row with domain validation, and applies a clean file through
// small bulk interfaces that *store.DB implements. It also writes the
// templates for those layouts and the .xlsx exports.
//
// Rules every import follows:
//   - every bad row is reported with its row number (the spreadsheet's own,
//     header = 1), the column's Chinese header and the reason, all of them at
//     once rather than the first only;
//   - by default a file with any bad row imports nothing; with AllowPartial
//     the households (or offerings) with errors are left out whole;
//   - importing the same file twice creates nothing new: existing members are
//     found by ID number in bulk, and needs and offerings get IDs derived from
//     their content, which the sink skips when they already exist;
//   - an import never changes an existing household file: a household whose
//     members are all on file already is reused (its needs attach to it) and
//     counted as skipped.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"lianzhu/domain"
)

// Kind is what a file holds.
type Kind string

// Kinds of import.
const (
	Households Kind = "households" // households with their members and needs (需求清单)
	Offerings  Kind = "offerings"  // offerings of existing providers (资源供给清单)
	Signals    Kind = "signals"    // data signals from other departments (数据信号, signals.go)
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Households || k == Offerings || k == Signals }

// Limits applied when Options leaves them zero.
const (
	DefaultMaxBytes = 20 << 20
	DefaultMaxRows  = 50_000
	// MaxErrors bounds the errors listed in a report; the rest are counted in
	// Report.ErrorsOmitted so that a file that is wrong throughout still gets
	// a readable answer.
	MaxErrors = 1000
	// batchSize is how many households or offerings are written per call
	// of the sink, and how often progress is reported.
	batchSize = 500
	// lookupChunk bounds the ID numbers or codes of one bulk read.
	lookupChunk = 1000
)

// RowError is one problem of one cell, row or file.
type RowError struct {
	// Row is the spreadsheet row, 1-based with the header as row 1; 0 for a
	// problem of the whole file (too large, not a spreadsheet).
	Row int `json:"row"`
	// Column is the header as written in the layout ("身份证号"), "" when the
	// problem is not one column's.
	Column string `json:"column"`
	Reason string `json:"reason"`
}

func (e RowError) String() string {
	switch {
	case e.Row == 0:
		return e.Reason
	case e.Column == "":
		return fmt.Sprintf("第%d行：%s", e.Row, e.Reason)
	}
	return fmt.Sprintf("第%d行【%s】：%s", e.Row, e.Column, e.Reason)
}

// Options controls one import.
type Options struct {
	// Places and Catalogue validate place and item codes; both are required.
	Places    *domain.Places
	Catalogue *domain.Catalogue
	// Now dates what is created and bounds dates in the file; zero means
	// time.Now().
	Now time.Time
	// Scope is the importing coordinator's place: households, service areas
	// and audience places outside it are errors. "" allows anywhere (admin).
	Scope string
	// CreatedBy is the username recorded on needs and consents; required.
	CreatedBy string
	// ProviderID, when set (a provider importing its own supply list), is the
	// only provider an offerings file may name.
	ProviderID string
	// AllowPartial imports what is valid and leaves out each household or
	// offering with an error; by default any error stops the whole file.
	AllowPartial bool
	// MaxBytes bounds the file size (default 20 MiB), MaxRows the data rows
	// (default 50,000).
	MaxBytes int64
	MaxRows  int
	// Progress, when set, is called with done = 0 once the file is checked,
	// then after each batch is written, in rows of the file.
	Progress func(done, total int)
}

func (o *Options) defaults() error {
	if o.Places == nil || o.Catalogue == nil {
		return errors.New("importer: Options.Places and Options.Catalogue are required")
	}
	if strings.TrimSpace(o.CreatedBy) == "" {
		return errors.New("importer: Options.CreatedBy is required")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	return nil
}

func (o *Options) progress(done, total int) {
	if o.Progress != nil {
		o.Progress(done, total)
	}
}

// Report is the answer to an import. When Errors is not empty and the import
// was not partial, nothing was stored.
type Report struct {
	// Total is the number of data rows read (blank rows not counted).
	Total int `json:"total"`
	// Created counts the records stored (households and needs, or
	// offerings); Skipped those already on file (a reused household, a need
	// or offering imported before); Rejected the rows left out because of
	// errors.
	Created  int `json:"created"`
	Skipped  int `json:"skipped"`
	Rejected int `json:"rejected"`
	// Households, Needs and Offerings break Created down.
	Households int        `json:"households"`
	Needs      int        `json:"needs"`
	Offerings  int        `json:"offerings"`
	Errors     []RowError `json:"errors"`
	// Signals breaks a signals file's intake down (nil for other kinds).
	Signals *SignalCounts `json:"signals,omitempty"`
	// ErrorsOmitted counts errors beyond MaxErrors that are not listed.
	ErrorsOmitted int `json:"errors_omitted,omitempty"`
}

// OK reports whether the file had no error.
func (r Report) OK() bool { return len(r.Errors) == 0 }

// HouseholdSink is where households and needs go; *store.DB implements it.
type HouseholdSink interface {
	// MemberHouseholds maps each plain ID number already on file to the ID of
	// the household holding it (one bulk read per call).
	MemberHouseholds(ctx context.Context, idNumbers []string) (map[string]string, error)
	// HouseholdsByID reads existing files (members' ID numbers masked), to
	// find the members that needs attach to and the place of the file.
	HouseholdsByID(ctx context.Context, ids []string) (map[string]domain.Household, error)
	// InsertHouseholds stores new files, assigning IDs to those without one
	// and writing them back into the slice; it returns how many were new.
	InsertHouseholds(ctx context.Context, hs []domain.Household) (int, error)
	// InsertNeeds stores needs, skipping IDs that exist; it returns how many
	// were new.
	InsertNeeds(ctx context.Context, ns []domain.Need) (int, error)
}

// OfferingSink is where offerings go; *store.DB implements it.
type OfferingSink interface {
	// ProvidersByCreditCode maps each credit code on file to its provider.
	ProvidersByCreditCode(ctx context.Context, codes []string) (map[string]domain.Provider, error)
	// InsertOfferings stores offerings, skipping IDs that exist; it returns
	// how many were new.
	InsertOfferings(ctx context.Context, os []domain.Offering) (int, error)
}

// run is the course of every import: read the file and map its header;
// check every row into units (a household with its rows, or an offering),
// resolving them against the sink; report progress 0; keep the units
// without errors; and write them — all of them only when the file is
// clean, or those kept when the import is partial. A unit is kept or left
// out whole, never in part.
func run[U any](filename string, r io.Reader, opts *Options, errs *errorList, cols []Column,
	check func(t *table, hm []int) ([]U, error), rowsOf func(U) []int, write func(keep []U, rep *Report) error) (Report, error) {
	var rep Report
	t, hm, err := readLayout(filename, r, opts, cols, errs)
	if err != nil {
		return rep, err
	}
	if t != nil {
		rep.Total = len(t.rows)
	}
	refuse := func() (Report, error) {
		rep.Rejected = rep.Total
		errs.into(&rep, cols)
		return rep, nil
	}
	if errs.fileLevel() {
		return refuse()
	}
	units, err := check(t, hm)
	if err != nil {
		return rep, err
	}
	opts.progress(0, rep.Total)
	var keep []U
	kept := 0
	for _, u := range units {
		rows := rowsOf(u)
		if !slices.ContainsFunc(rows, func(r int) bool { return errs.rows[r] }) {
			keep = append(keep, u)
			kept += len(rows)
		}
	}
	// Rows that joined no unit (a row without 户编号) have errors too.
	rep.Rejected = rep.Total - kept
	if errs.any() && !opts.AllowPartial {
		return refuse()
	}
	errs.into(&rep, cols)
	return rep, write(keep, &rep)
}

// formatOf picks the reader by the file name's extension.
func formatOf(filename string) (string, bool) {
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".xlsx":
		return "xlsx", true
	case ".csv":
		return "csv", true
	}
	return "", false
}

// contentID derives a stable ID from the parts that make a record the same
// record, so that importing a file again inserts nothing new.
func contentID(prefix string, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x1f")))
	return prefix + hex.EncodeToString(h[:])[:24]
}

// lookup calls a bulk read with at most lookupChunk keys at a time and
// merges the answers.
func lookup[V any](ctx context.Context, keys []string, read func(context.Context, []string) (map[string]V, error)) (map[string]V, error) {
	out := make(map[string]V, len(keys))
	err := chunks(keys, lookupChunk, func(c []string) error {
		got, err := read(ctx, c)
		maps.Copy(out, got)
		return err
	})
	return out, err
}

// insert writes one batch through a sink call and returns how many were
// new; an empty batch calls nothing.
func insert[T any](ctx context.Context, what string, items []T, write func(context.Context, []T) (int, error)) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	n, err := write(ctx, items)
	if err != nil {
		return n, fmt.Errorf("importer: insert %s: %w", what, err)
	}
	return n, nil
}

// chunks calls fn with consecutive slices of at most n elements.
func chunks[T any](s []T, n int, fn func([]T) error) error {
	for len(s) > 0 {
		k := min(n, len(s))
		if err := fn(s[:k]); err != nil {
			return err
		}
		s = s[k:]
	}
	return nil
}
