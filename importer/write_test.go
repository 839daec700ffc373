package importer

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"lianzhu/domain"
	"lianzhu/seed"
)

// The template's example row imports cleanly in the demo district, in both
// formats, and the xlsx explains every column on a second sheet.
func TestTemplateRoundTrip(t *testing.T) {
	for _, kind := range []Kind{Households, Offerings} {
		for _, format := range []string{"xlsx", "csv"} {
			var buf bytes.Buffer
			if err := Template(kind, format, &buf); err != nil {
				t.Fatalf("%s %s: %v", kind, format, err)
			}
			rep, err := importKind(kind, "t."+format, &buf, providerSink(t), testOptions())
			if err != nil || !rep.OK() || rep.Created == 0 {
				t.Errorf("%s %s: the example row does not import: %v %+v", kind, format, err, rep)
			}
		}
	}

	var buf bytes.Buffer
	if err := Template(Households, "xlsx", &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"住户及需求", "填写说明"}) {
		t.Errorf("sheets = %v", got)
	}
	help, err := f.GetRows("填写说明")
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, r := range help {
		text += strings.Join(r, "|") + "\n"
	}
	for _, c := range Layout(Households) {
		if !strings.Contains(text, c.Header+"|") || !strings.Contains(text, c.Rule) {
			t.Errorf("填写说明 lacks column %s", c.Header)
		}
	}
	dvs, err := f.GetDataValidations("住户及需求")
	if err != nil || len(dvs) == 0 {
		t.Errorf("no drop-down lists: %v", err)
	}
	if err := Template("jobs", "xlsx", &buf); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	rows := [][]string{{"610103002001001", "=1+1", "王秀兰"}, {"0012", "", "李"}}
	if err := WriteXLSX(&buf, "需求清单", []string{"区划", "内容", "姓名"}, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("需求清单")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1][0] != "610103002001001" || got[1][1] != "=1+1" || got[2][0] != "0012" {
		t.Errorf("rows = %q", got)
	}
	if fm, _ := f.GetCellFormula("需求清单", "B2"); fm != "" {
		t.Errorf("a value became a formula: %q", fm)
	}
}

var (
	demoOnce = sync.OnceValues(func() (*seed.District, error) {
		// Two districts: one has about 8,800 rows of households, short of
		// the benchmark's 10,000.
		return seed.Demo(seed.DemoOptions{Seed: 7, Scale: 2, Now: testNow.Add(-24 * time.Hour)})
	})
)

func demo(tb testing.TB) *seed.District {
	tb.Helper()
	d, err := demoOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// importable returns the first n demo households and their needs, without
// needs from warnings (recorded from the warning, not imported).
func importable(d *seed.District, n int) ([]domain.Household, []domain.Need) {
	hs := d.Households[:n]
	ids := map[string]bool{}
	for _, h := range hs {
		ids[h.ID] = true
	}
	var ns []domain.Need
	for _, nd := range d.Needs {
		if ids[nd.HouseholdID] && nd.Channel != domain.ChannelWarning {
			ns = append(ns, nd)
		}
	}
	return hs, ns
}

// Demo households written by WriteHouseholds import cleanly and keep their
// substance.
func TestWriteHouseholdsRoundTrip(t *testing.T) {
	hs, ns := importable(demo(t), 400)
	for _, format := range []string{"xlsx", "csv"} {
		var buf bytes.Buffer
		if err := WriteHouseholds(&buf, format, hs, ns); err != nil {
			t.Fatal(err)
		}
		sink := newMemSink(t)
		rep := importHouseholds(t, sink, "demo."+format, buf.Bytes(), testOptions())
		if !rep.OK() {
			t.Fatalf("%s: %d errors, first %v", format, len(rep.Errors), rep.Errors[:min(5, len(rep.Errors))])
		}
		if rep.Households != len(hs) || rep.Needs != len(ns) {
			t.Errorf("%s: report %+v, want %d households and %d needs", format, rep, len(hs), len(ns))
		}
		key := func(h domain.Household) string {
			return h.Address + "|" + h.Members[0].Name + "|" + h.Members[0].IDMasked
		}
		byKey := map[string]domain.Household{}
		for _, h := range sink.households {
			byKey[key(h)] = h
		}
		for _, want := range hs[:50] {
			got := byKey[key(want)]
			if got.Place != want.Place || len(got.Members) != len(want.Members) || len(got.Assistance) != len(want.Assistance) ||
				(want.MonthlyIncome != nil) != (got.MonthlyIncome != nil) || got.DoNotContact != want.DoNotContact {
				t.Errorf("%s: household %s came back as %+v", format, want.ID, got)
				continue
			}
			if want.MonthlyIncome != nil && got.MonthlyIncome.Value != want.MonthlyIncome.Value {
				t.Errorf("%s: income %v, want %v", format, got.MonthlyIncome.Value, want.MonthlyIncome.Value)
			}
			for i, m := range want.Members {
				g := got.Members[i]
				if g.Name != m.Name || g.IDMasked != m.IDMasked || g.Relation != m.Relation || (m.Disability == nil) != (g.Disability == nil) {
					t.Errorf("%s: member %+v came back as %+v", format, m, g)
				}
				for _, r := range domain.RecipientKinds() {
					if want.Allows(m.ID, r) != got.Allows(g.ID, r) {
						t.Errorf("%s: household %s member %s consent to %s changed", format, want.ID, m.ID, r)
					}
				}
			}
		}
	}
}

func TestWriteOfferingsRoundTrip(t *testing.T) {
	d := demo(t)
	sink := newMemSink(t)
	providers := map[string]domain.Provider{}
	for _, p := range d.Providers {
		providers[p.ID] = p
		if p.CreditCode != "" {
			sink.providers[p.CreditCode] = p
		}
	}
	var os []domain.Offering
	seen := map[string]bool{}
	for _, o := range d.Offerings {
		key := o.ProviderID + o.Item + o.Title
		p := providers[o.ProviderID]
		if p.CreditCode != "" && p.Verification != domain.VerificationSuspended && o.Area.Center == nil && !seen[key] && len(os) < 300 {
			seen[key] = true
			os = append(os, o)
		}
	}
	var buf bytes.Buffer
	if err := WriteOfferings(&buf, "xlsx", os, providers); err != nil {
		t.Fatal(err)
	}
	rep := importOfferings(t, sink, "supply.xlsx", buf.Bytes(), testOptions())
	if !rep.OK() || rep.Offerings != len(os) {
		t.Fatalf("report %+v, want %d offerings; errors %v", rep, len(os), rep.Errors[:min(5, len(rep.Errors))])
	}
	for _, want := range os[:50] {
		got := sink.offerings[contentID("of-", want.ProviderID, want.Item, want.Title)]
		if got.PriceFen != want.PriceFen || got.VoucherFen != want.VoucherFen || got.Capacity != want.Capacity ||
			got.Status != want.Status || !slices.Equal(got.Area.Places, want.Area.Places) || got.Audience.JustOutside != want.Audience.JustOutside {
			t.Errorf("offering %s came back as %+v", want.ID, got)
		}
	}
}

func TestCellParsing(t *testing.T) {
	dates := map[string]string{"2024-03-01": "2024-03-01", "2024/3/1": "2024-03-01", "2024年3月1日": "2024-03-01",
		"20240301": "2024-03-01", "45352": "2024-03-01", "45352.75": "2024-03-01", "2024-03-01 08:30:00": "2024-03-01",
		"2024-03-01T08:30:00+08:00": "2024-03-01"}
	for in, want := range dates {
		got, err := parseDate(in)
		if err != nil || dateText(got) != want {
			t.Errorf("parseDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"2024-02-30", "上周", "3/1"} {
		if _, err := parseDate(bad); err == nil {
			t.Errorf("parseDate(%q) accepted", bad)
		}
	}
	yuan := map[string]domain.Fen{"12.5": 1250, "1,234.50": 123450, "¥86": 8600, "8.1999999999999993": 820, "1.5E+3": 150000}
	for in, want := range yuan {
		if got, err := parseYuan(in); err != nil || got != want {
			t.Errorf("parseYuan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseYuan("8.125"); err == nil {
		t.Error("parseYuan rounded a third decimal")
	}
	if n, err := parseInt("4E+1"); err != nil || n != 40 {
		t.Errorf("parseInt = %d, %v", n, err)
	}
	if got := splitList(" 社会组织、志愿者；; 用人单位 "); !slices.Equal(got, []string{"社会组织", "志愿者", "用人单位"}) {
		t.Errorf("splitList = %q", got)
	}
	for _, s := range []string{"=cmd|' /C calc'!A0", "+1", "@SUM(1)", "-x", "-3.5", "普通"} {
		if got := unescapeCSV(escapeCSV(s)); got != s {
			t.Errorf("escape round trip %q → %q", s, got)
		}
	}
	if escapeCSV("=1+1")[0] != '\'' || escapeCSV("-3.5") != "-3.5" {
		t.Error("escapeCSV does not guard formulas")
	}
	if columnName(0) != "A" || columnName(25) != "Z" || columnName(26) != "AA" || columnName(51) != "AZ" {
		t.Error("columnName")
	}
}

func TestLayoutDocumented(t *testing.T) {
	for _, kind := range []Kind{Households, Offerings} {
		keys := map[string]bool{}
		headers := map[string]bool{}
		for _, c := range Layout(kind) {
			if c.Header == "" || c.Key == "" || c.Rule == "" || keys[c.Key] || headers[foldHeader(c.Header)] {
				t.Errorf("%s: column %+v incomplete or repeated", kind, c)
			}
			keys[c.Key], headers[foldHeader(c.Header)] = true, true
			if kind == Households && c.Level == "" {
				t.Errorf("%s: column %s has no level", kind, c.Header)
			}
			if len(c.pick.list) > 0 && len(strings.Join(c.pick.names(), ",")) > 255 {
				t.Errorf("%s: drop-down of %s too long for Excel", kind, c.Header)
			}
		}
	}
}
