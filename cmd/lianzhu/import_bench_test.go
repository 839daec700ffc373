package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/importer"
	"lianzhu/internal/testenv"
	"lianzhu/search"
	"lianzhu/seed"
	"lianzhu/store"
)

// BenchmarkImportHouseholds10k measures the import goal end to end:
// a 10,000-row households-with-needs .xlsx parsed, validated, de-duplicated
// against the store, written to the embedded FerretDB and indexed in
// Meilisearch until every need is searchable. Each iteration uses a fresh
// database and index prefix.
//
//	go test -tags ferretdb_no_sqlite -run x -bench ImportHouseholds10k -benchtime 1x ./cmd/lianzhu/
func BenchmarkImportHouseholds10k(b *testing.B) {
	const rows = 10_000
	now := time.Now()
	d, err := seed.Demo(seed.DemoOptions{Seed: 7, Scale: 2, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	// Needs from warning checks cannot be imported (they need their warning).
	var needs []domain.Need
	for _, n := range d.Needs {
		if n.Channel != domain.ChannelWarning {
			needs = append(needs, n)
		}
	}
	hs, needs := firstRows(d.Households, needs, rows)
	var file bytes.Buffer
	if err := importer.WriteHouseholds(&file, "xlsx", hs, needs); err != nil {
		b.Fatal(err)
	}
	placeList := seed.ScaledPlaces(2)
	places, err := domain.NewPlaces(placeList)
	if err != nil {
		b.Fatal(err)
	}
	url, key := testenv.Meili(b)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pii, err := store.NewPII([]byte("0123456789abcdef0123456789abcdef"), "bench-id-hash-key-bench-id-hash-key")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		ctx := context.Background()
		db, err := store.Open(ctx, testenv.MongoURI(b), testenv.DBName(b), store.Options{Logger: log, PII: pii,
			FerretDBPostgres: testenv.FerretDBPostgres(b)})
		if err != nil {
			b.Fatal(err)
		}
		sc, err := search.Connect(ctx, url, key)
		if err != nil {
			b.Fatal(err)
		}
		idx := search.NewIndexes(sc, testenv.IndexPrefix(b), seed.Catalogue(), places)
		if err := idx.Setup(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		rep, err := importer.ImportHouseholds(ctx, "bench.xlsx", bytes.NewReader(file.Bytes()), db,
			importer.Options{Places: places, Catalogue: seed.Catalogue(), Now: now, CreatedBy: "bench"})
		if err != nil || !rep.OK() {
			b.Fatalf("import: %v %+v", err, rep.Errors[:min(len(rep.Errors), 5)])
		}
		stored := time.Since(start)
		n, err := search.NewSyncer(idx, db, log).SyncAll(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		total, _, err := db.CountSearchable(ctx, search.KindNeed)
		if err != nil || int(total) != rep.Needs || n < rep.Needs {
			b.Fatalf("needs stored %d, indexed %d, imported %d: %v", total, n, rep.Needs, err)
		}
		b.ReportMetric(float64(rep.Total), "rows")
		b.ReportMetric(stored.Seconds(), "s-stored")
		b.ReportMetric(time.Since(start).Seconds(), "s-searchable")
		sc.Close()
		_ = db.Close(ctx)
	}
}

// firstRows keeps whole households, in order, until they hold rows person
// and need rows (one row per member, plus one per extra need of a member).
func firstRows(hs []domain.Household, needs []domain.Need, rows int) ([]domain.Household, []domain.Need) {
	byMember := map[string]int{}
	for _, n := range needs {
		byMember[n.HouseholdID+"/"+n.MemberID]++
	}
	keep := map[string]bool{}
	var out []domain.Household
	count := 0
	for _, h := range hs {
		r := 0
		for _, m := range h.Members {
			r += max(1, byMember[h.ID+"/"+m.ID])
		}
		if count+r > rows {
			break
		}
		count += r
		out = append(out, h)
		keep[h.ID] = true
	}
	var ns []domain.Need
	for _, n := range needs {
		if keep[n.HouseholdID] {
			ns = append(ns, n)
		}
	}
	return out, ns
}
