package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/seed"
)

// exportAt anchors generated instances so that the same --seed and --scale
// give a byte-identical file on any day.
const exportAt = "2026-11-30"

const seedUsage = `Usage: lianzhu seed --export FILE [--scale K] [--seed N] [--at YYYY-MM-DD]

Generates the deterministic demo district (碑林区 model: 188 NGOs, 288
stationed units, 374 enterprises, 1,055 volunteers, thousands of households in
every assistance tier and just outside them) and writes it, without any
database, as a versioned JSON matching instance (see README, "Offline
instance"). The same --seed, --scale and --at give a byte-identical file.
(The server loads the same district into its database in demo mode.)
`

func runSeed(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, seedUsage); fs.PrintDefaults() }
	scale := fs.Int("scale", 1, "multiply every count (benchmarks)")
	seedN := fs.Uint64("seed", 1, "random seed")
	at := fs.String("at", exportAt, "evaluation date (YYYY-MM-DD, Asia/Shanghai)")
	export := fs.String("export", "", "write the instance to this file ('-' for standard output)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	var bad []string
	if *scale < 1 || *scale > seed.DemoMaxScale {
		bad = append(bad, fmt.Sprintf("--scale: must be 1–%d", seed.DemoMaxScale))
	}
	if *export == "" {
		bad = append(bad, "--export: required (the file to write)")
	}
	day, err := parseDay(*at)
	if err != nil {
		bad = append(bad, "--at: "+err.Error())
	}
	if len(bad) > 0 {
		fmt.Fprintf(stderr, "lianzhu seed: %s\n", strings.Join(bad, "; "))
		return 2
	}
	start := time.Now()
	inst, err := buildInstance(*seedN, *scale, day)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu seed: %v\n", err)
		return 1
	}
	if err := writeJSON(*export, stdout, inst); err != nil {
		fmt.Fprintf(stderr, "lianzhu seed: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "lianzhu seed: %d households, %d needs, %d targets, %d policies in %v\n",
		len(inst.Households), len(inst.Needs), len(inst.Targets), len(inst.Policies), time.Since(start).Round(time.Millisecond))
	return 0
}

// buildInstance turns the demo district into an offline instance (see
// matching.BuildInstance, which the server's runs share).
func buildInstance(seedN uint64, scale int, at time.Time) (matching.OfflineInstance, error) {
	d, err := seed.Demo(seed.DemoOptions{Seed: seedN, Scale: scale, Now: at})
	if err != nil {
		return matching.OfflineInstance{}, err
	}
	places, err := domain.NewPlaces(seed.ScaledPlaces(scale))
	if err != nil {
		return matching.OfflineInstance{}, err
	}
	inst := matching.BuildInstance(matching.InstanceInput{
		At: at, Catalogue: seed.Catalogue(), Policies: seed.Policies(), Params: seed.PolicyParams(), Places: places,
		Households: d.Households, Needs: d.Needs, Providers: d.Providers, Offerings: d.Offerings, Jobs: d.Jobs,
		VoucherYearlyFen: matching.DefaultVoucherYearlyFen,
	})
	inst.Seed, inst.Scale = seedN, scale
	return inst, nil
}

const matchUsage = `Usage: lianzhu match --in FILE --out FILE [--candidates]

Runs the policy and matching engines offline on an instance written by
"lianzhu seed --export" and writes {"assignments", "policy_proposals",
"unmatched", "gaps", ...}. With --candidates it also writes every feasible
pair and each target's capacity, so optimality can be checked with an
external solver. The same input gives a byte-identical output.
`

func runMatch(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, matchUsage); fs.PrintDefaults() }
	in := fs.String("in", "", "instance file ('-' for standard input)")
	out := fs.String("out", "", "result file ('-' for standard output)")
	candidates := fs.Bool("candidates", false, "also write every feasible pair and the capacities")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if *in == "" || *out == "" {
		fmt.Fprintln(stderr, "lianzhu match: --in and --out are required")
		return 2
	}
	inst, err := readInstance(*in)
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu match: %v\n", err)
		return 1
	}
	start := time.Now()
	res, err := matching.RunOffline(inst, matching.Options{IncludeCandidates: *candidates})
	if err != nil {
		fmt.Fprintf(stderr, "lianzhu match: %s\n", describe(err))
		return 1
	}
	if err := writeJSON(*out, stdout, res); err != nil {
		fmt.Fprintf(stderr, "lianzhu match: %v\n", err)
		return 1
	}
	s := res.Summary
	fmt.Fprintf(stderr, "lianzhu match: %d needs, %d matched, %d unmatched; %d households (%d inside, %d just outside), %d policy leads, %d near misses in %v\n",
		s.Needs, s.Matched, len(res.Unmatched), s.Households, s.Inside, s.JustOutside, s.Leads, s.NearMisses, time.Since(start).Round(time.Millisecond))
	return 0
}

func readInstance(path string) (matching.OfflineInstance, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return matching.OfflineInstance{}, err
		}
		defer f.Close()
		r = f
	}
	var inst matching.OfflineInstance
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&inst); err != nil {
		return inst, fmt.Errorf("%s is not a valid instance: %w", path, err)
	}
	return inst, nil
}

func writeJSON(path string, stdout io.Writer, v any) error {
	w := stdout
	var f *os.File
	if path != "-" {
		var err error
		if f, err = os.Create(path); err != nil {
			return err
		}
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// describe prints a domain error with its fields, one per line.
func describe(err error) string {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return err.Error()
	}
	lines := []string{de.Message}
	for _, f := range de.Fields {
		lines = append(lines, fmt.Sprintf("  %s (%s): %s", f.Field, f.Rule, f.Message))
	}
	return strings.Join(lines, "\n")
}

func parseDay(s string) (time.Time, error) {
	loc := time.FixedZone("CST", 8*3600)
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, errors.New("want YYYY-MM-DD")
	}
	return d.UTC(), nil
}

// parseFlags parses and reports whether the command should stop (help or a
// flag error) with its exit code.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, true
		}
		return 2, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "lianzhu %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2, true
	}
	return 0, false
}
