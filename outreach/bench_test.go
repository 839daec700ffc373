package outreach_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/outreach"
	"lianzhu/seed"
)

// TestIngestBench takes a city's monthly batch in through the store and
// prints the figures (signals/s, the time of each stage). It runs only when
// asked, since it takes minutes:
//
//	LIANZHU_BENCH_SIGNALS=100000 go test -tags ferretdb_no_sqlite ./outreach -run TestIngestBench -v -timeout 2h
//
// LIANZHU_BENCH_SCALE copies the demo district (default 1: 3,600 files);
// LIANZHU_BENCH_MATCHED is the share of signals about people with a file
// (default 0.05): a department's feed covers every resident, the files only
// those in or near hardship. The matched signals are the demo district's
// own stream (seed.DemoSignals, every kind); the rest are people with no
// file, kept unmatched.
func TestIngestBench(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("LIANZHU_BENCH_SIGNALS"))
	if n <= 0 {
		t.Skip("set LIANZHU_BENCH_SIGNALS to run the intake benchmark")
	}
	scale, matched := 1, 0.05
	if v, err := strconv.Atoi(os.Getenv("LIANZHU_BENCH_SCALE")); err == nil && v > 0 {
		scale = v
	}
	if v, err := strconv.ParseFloat(os.Getenv("LIANZHU_BENCH_MATCHED"), 64); err == nil && v >= 0 && v <= 1 {
		matched = v
	}
	f := newFixture(t)
	ctx := context.Background()
	d, err := seed.Demo(seed.DemoOptions{Seed: 1, Scale: scale, Now: testNow, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	signals := benchSignals(d, n, matched) // before the files are stored: storing seals their ID numbers
	start := time.Now()
	if _, err := f.db.InsertHouseholds(ctx, d.Households); err != nil {
		t.Fatal(err)
	}
	t.Logf("city: %d household files stored in %s", len(d.Households), time.Since(start).Round(time.Second))

	start = time.Now()
	rep, err := f.e.Ingest(ctx, outreach.Batch{Signals: signals, Place: district, By: "bench"})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d signals in %s: %.0f signals/s", len(signals), took.Round(time.Millisecond), float64(len(signals))/took.Seconds())
	t.Logf("stored %d (matched %d, unmatched %d), already present %d; households re-evaluated %d, facts written %d; warnings %d %v; new leads %d",
		rep.Stored, rep.Matched, rep.Unmatched, rep.AlreadyPresent, rep.Households, rep.FactsUpdated, rep.Warnings, rep.BySeverity, rep.NewLeads)
	for _, s := range rep.Stages {
		t.Logf("  %-22s %s", s.Name, s.Took.Round(time.Millisecond))
	}
	if rep.Stored != len(signals) || rep.Matched == 0 && matched > 0 {
		t.Fatalf("report %+v", rep)
	}
}

// benchSignals makes n signals of which a share are the city's own stream
// (one stream per seed, references made unique) and the rest about people
// with no file (an ID area assigned to nobody, 619902).
func benchSignals(d *seed.District, n int, share float64) []domain.Signal {
	want := int(float64(n) * share)
	var out []domain.Signal
	for k := 1; len(out) < want; k++ {
		for _, s := range seed.DemoSignals(d, testNow, uint64(k)).Signals {
			if s.HouseholdID == "" || len(out) == want {
				continue
			}
			s.ExternalRef = fmt.Sprintf("%s-%d", s.ExternalRef, k)
			out = append(out, s)
		}
	}
	r := rand.New(rand.NewPCG(7, 11))
	kinds := []domain.SignalKind{domain.SignalLargeMedicalBill, domain.SignalJobLoss, domain.SignalUtilityArrears}
	depts := []domain.Department{domain.DeptMedicalSecurity, domain.DeptHumanResources, domain.DeptHousing}
	for i := 0; len(out) < n; i++ {
		birth := time.Date(1940+r.IntN(60), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		id, err := domain.CompleteIDNumber(fmt.Sprintf("619902%s%03d", birth.Format("20060102"), r.IntN(1000)))
		if err != nil {
			panic(err)
		}
		k := r.IntN(len(kinds))
		date := testNow.AddDate(0, 0, -1-r.IntN(60))
		s := domain.Signal{Kind: kinds[k], SourceDepartment: depts[k], IDNumber: id, Date: date,
			ReceivedAt: date.AddDate(0, 0, 1), ExternalRef: fmt.Sprintf("X-%07d", i), AmountFen: domain.Yuan(int64(500 + r.IntN(20000)))}
		if s.Kind == domain.SignalJobLoss {
			s.AmountFen = domain.Yuan(int64(2500 + r.IntN(4000)))
		}
		out = append(out, s)
	}
	return out
}
