package importer

import (
	"bytes"
	"context"
	"testing"
)

// demoRows returns demo households and needs making at least n rows of the
// households layout (one per member, or per need of a member), written as
// .xlsx and as .csv.
func demoRows(tb testing.TB, n int) (households, needs, rows int, xlsx, csv []byte) {
	tb.Helper()
	d := demo(tb)
	hs, ns := importable(d, len(d.Households))
	perMember := map[[2]string]int{}
	for _, nd := range ns {
		perMember[[2]string{nd.HouseholdID, nd.MemberID}]++
	}
	k := 0
	for ; k < len(hs) && rows < n; k++ {
		for _, m := range hs[k].Members {
			rows += max(1, perMember[[2]string{hs[k].ID, m.ID}])
		}
	}
	if rows < n {
		tb.Fatalf("the demo makes only %d rows", rows)
	}
	hs, ns = importable(d, k)
	var x, c bytes.Buffer
	if err := WriteHouseholds(&x, "xlsx", hs, ns); err != nil {
		tb.Fatal(err)
	}
	if err := WriteHouseholds(&c, "csv", hs, ns); err != nil {
		tb.Fatal(err)
	}
	return len(hs), len(ns), rows, x.Bytes(), c.Bytes()
}

// BenchmarkParseHouseholds10k imports a 10,000-row households-with-needs
// file made from the demo district into the in-memory sink: reading,
// checking every row, the bulk lookups and the batched writes.
func BenchmarkParseHouseholds10k(b *testing.B) {
	hs, ns, rows, xlsx, csvData := demoRows(b, 10_000)
	for _, f := range []struct {
		name string
		data []byte
	}{{"xlsx", xlsx}, {"csv", csvData}} {
		b.Run(f.name, func(b *testing.B) {
			var rep Report
			for b.Loop() {
				sink := newMemSink(b)
				sink.trusted = true
				var err error
				rep, err = ImportHouseholds(context.Background(), "demo."+f.name, bytes.NewReader(f.data), sink, testOptions())
				if err != nil || !rep.OK() || rep.Total != rows || rep.Households != hs || rep.Needs != ns {
					b.Fatalf("report %+v, err %v", rep, err)
				}
			}
			b.ReportMetric(float64(rep.Total)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(len(f.data))/1024, "file_KiB")
		})
	}
}
