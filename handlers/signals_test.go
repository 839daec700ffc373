package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"lianzhu/importer"
	"lianzhu/outreach"
	"lianzhu/store"
)

const (
	sigHome      = "610103002002001" // a compound of 东木头市社区 (610103002002), 柏树林街道
	sigCommunity = "coordinator.610103002002"
	sigStreet    = "coordinator.610103002"
	sigDistrict  = "coordinator"
)

// medicalFamily files a couple outside every tier via the API: ¥6,000 a
// month for two (under the ¥4,300 per-capita 刚性支出 line), ¥12,000 of
// medical costs (under its ¥20,000 mark), the wife seriously ill. It returns
// the file's ID and the wife's ID number.
func (e *env) medicalFamily(seq int) (string, string) {
	e.t.Helper()
	idA, idB := validID(e.t, fmt.Sprintf("619901198003040%02d", seq)), validID(e.t, fmt.Sprintf("619901198206070%02d", seq))
	h := newHousehold(e.t, sigHome, idA, idB)
	h["monthly_income"], h["assets"], h["medical_out_of_pocket_12m"] = e.fact(600000), e.fact(3000000), e.fact(1200000)
	h["living_alone"] = e.fact(false)
	members := h["members"].([]map[string]any)
	members[0]["work_ability"], members[0]["employment"] = e.fact("full"), e.fact("employed")
	members[1]["serious_illness"], members[1]["employment"] = e.fact(true), e.fact("not_working")
	r := e.do("POST", "/api/v1/households", e.login(sigStreet).AccessToken, h)
	if r.status != 201 {
		e.t.Fatalf("household: %d %s", r.status, r.body)
	}
	return r.json(e.t)["id"].(string), idB
}

// billJSON is a medical bill of ¥yuan settled days ago, as a department
// sends it.
func (e *env) billJSON(idNumber string, yuan, daysAgo int, ref string) map[string]any {
	return map[string]any{"kind": "large_medical_bill", "amount_fen": yuan * 100,
		"date": e.clock.Now().AddDate(0, 0, -daysAgo).In(shanghai).Format(time.DateOnly), "source_department": "medical_security",
		"id_number": idNumber, "name": "李二", "external_ref": ref}
}

func (e *env) ingestSignals(token string, signals ...map[string]any) outreach.Report {
	e.t.Helper()
	r := e.do("POST", "/api/v1/signals", token, map[string]any{"signals": signals})
	if r.status != 200 {
		e.t.Fatalf("signals: %d %s", r.status, r.body)
	}
	var rep outreach.Report
	if err := json.Unmarshal(r.body, &rep); err != nil {
		e.t.Fatal(err)
	}
	return rep
}

// TestSignalIntakeAPI: a district coordinator sends a batch; the bill of a
// filed person is matched and raises a warning, the stranger's is kept
// unmatched; the same batch again is one batch; other roles are refused.
func TestSignalIntakeAPI(t *testing.T) {
	e := newEnv(t)
	district := e.login(sigDistrict).AccessToken
	hid, wife := e.medicalFamily(1)
	stranger := validID(t, "61990119700101099")
	batch := []map[string]any{e.billJSON(wife, 15000, 12, "YB-1"), e.billJSON(stranger, 8000, 3, "YB-2")}

	for name, user := range map[string]string{"street": sigStreet, "admin": "admin", "volunteer": "volunteer1"} {
		if r := e.do("POST", "/api/v1/signals", e.login(user).AccessToken, map[string]any{"signals": batch}); r.status != 403 {
			t.Errorf("%s: want 403, got %d %s", name, r.status, r.body)
		}
	}
	r := e.do("POST", "/api/v1/signals", district, map[string]any{"signals": batch})
	if r.status != 200 || strings.Contains(string(r.body), wife) || strings.Contains(string(r.body), "id_hash") {
		t.Fatalf("intake: %d %s", r.status, r.body)
	}
	var rep outreach.Report
	if err := json.Unmarshal(r.body, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Stored != 2 || rep.Matched != 1 || rep.Unmatched != 1 || rep.Warnings != 1 || rep.Items[0].HouseholdID != hid ||
		rep.Items[1].State != store.SignalUnmatched {
		t.Fatalf("report = %+v", rep)
	}
	again := e.ingestSignals(district, batch...)
	if again.Stored != 0 || again.AlreadyPresent != 2 || again.Warnings != 0 {
		t.Fatalf("the same batch again: %+v", again)
	}
	list := e.do("GET", "/api/v1/signals", district, nil)
	if items := list.json(t)["items"].([]any); list.status != 200 || len(items) != 2 {
		t.Fatalf("list: %d %s", list.status, list.body)
	}
	if !strings.Contains(string(e.do("GET", "/api/v1/audit", district, nil).body), "signals.ingest") {
		t.Fatal("the intake was not audited")
	}
}

// TestSignalIntakeRowErrors: malformed, unknown-kind, future, out-of-range
// and duplicate signals are named one by one and nothing is stored.
func TestSignalIntakeRowErrors(t *testing.T) {
	e := newEnv(t)
	district := e.login(sigDistrict).AccessToken
	_, wife := e.medicalFamily(2)
	good := e.billJSON(wife, 3000, 5, "YB-3")
	unknown := e.billJSON(wife, 3000, 5, "YB-4")
	unknown["kind"] = "lottery_win"
	future := e.billJSON(wife, 3000, -2, "YB-5")
	tooMuch := e.billJSON(wife, 60_000_000, 5, "YB-6")
	r := e.do("POST", "/api/v1/signals", district, map[string]any{"signals": []map[string]any{good, unknown, future, tooMuch, good}})
	fields := r.fields(t)
	for _, want := range []string{"signals[1].kind", "signals[2].date", "signals[3].amount_fen", "signals[4]"} {
		if !slices.Contains(fields, want) {
			t.Errorf("no error at %s: %v", want, fields)
		}
	}
	malformed := e.billJSON(wife, 3000, 5, "YB-7")
	malformed["amount_fen"] = "lots"
	claimed := e.billJSON(wife, 3000, 5, "YB-8")
	claimed["household_id"] = "hh-somebody"
	r = e.do("POST", "/api/v1/signals", district, map[string]any{"signals": []map[string]any{malformed, claimed}})
	if r.status != 400 || !slices.Contains(r.fields(t), "signals[0].amount_fen") || !slices.Contains(r.fields(t), "signals[1].household_id") {
		t.Fatalf("malformed: %d %s", r.status, r.body)
	}
	many := make([]map[string]any, outreach.MaxBatch+1)
	for i := range many {
		many[i] = good
	}
	if r := e.do("POST", "/api/v1/signals", district, map[string]any{"signals": many}); r.status != 400 || !slices.Contains(r.fields(t), "signals") {
		t.Fatalf("a batch over the limit: %d %s", r.status, r.body)
	}
	if items := e.do("GET", "/api/v1/signals", district, nil).json(t)["items"].([]any); len(items) != 0 {
		t.Fatalf("refused batches stored %d signals", len(items))
	}
}

// TestSignalImportFile: the same signals as a spreadsheet with Chinese
// headers, through POST /imports?kind=signals; a file with a bad row stores
// nothing, a good one twice stores once.
func TestSignalImportFile(t *testing.T) {
	e := newEnv(t)
	district := e.login(sigDistrict).AccessToken
	_, wife := e.medicalFamily(3)
	day := func(daysAgo int) string {
		return e.clock.Now().AddDate(0, 0, -daysAgo).In(shanghai).Format(time.DateOnly)
	}
	headers := []string{"信号类型", "身份证号", "姓名", "日期", "金额(元)", "来源部门", "部门业务编号"}
	rows := [][]string{
		{"大额医疗费用", wife, "李二", day(12), "15000", "医保", "YB-10"},
		{"失业", validID(t, "61990119850101011"), "王五", day(20), "", "人社局", "RS-1"},
	}
	sheet := func(rows [][]string) []byte {
		var buf bytes.Buffer
		if err := importer.WriteXLSX(&buf, "数据信号", headers, rows); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if r := e.upload(e.login(sigStreet).AccessToken, "kind=signals", "s.xlsx", sheet(rows)); r.status != 403 {
		t.Fatalf("a street coordinator imported signals: %d %s", r.status, r.body)
	}
	bad := append(slices.Clone(rows), []string{"中彩票", wife, "李二", day(1), "5", "医保", "X-1"})
	r := e.upload(district, "kind=signals", "bad.xlsx", sheet(bad))
	if r.status != 202 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	rec := e.waitImport(district, r.json(t)["id"].(string))
	if rec.Status != store.ImportRejected || rec.Created != 0 || len(rec.Errors) != 1 || rec.Errors[0].Row != 4 || rec.Errors[0].Column != "信号类型" {
		t.Fatalf("bad file: %+v", rec)
	}
	for i, want := range []struct{ created, skipped int }{{2, 0}, {0, 2}} {
		r := e.upload(district, "kind=signals", "good.xlsx", sheet(rows))
		rec := e.waitImport(district, r.json(t)["id"].(string))
		if rec.Status != store.ImportDone || rec.Created != want.created || rec.Skipped != want.skipped {
			t.Fatalf("import %d: %+v", i+1, rec)
		}
	}
	var unmatched []any
	for range 20 { // the import answers before its record's last word
		unmatched = e.do("GET", "/api/v1/signals?matched=false", district, nil).json(t)["items"].([]any)
		if len(unmatched) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(unmatched) != 1 || unmatched[0].(map[string]any)["kind"] != "job_loss" {
		t.Fatalf("unmatched after the file: %v", unmatched)
	}
	tpl := e.do("GET", "/api/v1/imports/templates/signals.xlsx", district, nil)
	if tpl.status != 200 || len(tpl.body) == 0 {
		t.Fatalf("template: %d", tpl.status)
	}
}

// TestUnmatchedSignalResolved: an unmatched signal is the district's to
// resolve; a street neither sees nor resolves it; resolved to a member
// (whose number on file the department mistyped), it evaluates the
// household.
func TestUnmatchedSignalResolved(t *testing.T) {
	e := newEnv(t)
	district := e.login(sigDistrict).AccessToken
	street := e.login(sigStreet).AccessToken
	h := newHousehold(t, sigHome, validID(t, "61990119820607056"))
	h["monthly_income"], h["medical_out_of_pocket_12m"] = e.fact(300000), e.fact(1200000)
	r := e.do("POST", "/api/v1/households", street, h)
	if r.status != 201 {
		t.Fatalf("household: %d %s", r.status, r.body)
	}
	hid := r.json(t)["id"].(string)
	// The department's number is a mistyped one of hers.
	rep := e.ingestSignals(district, e.billJSON(validID(t, "61990119820607055"), 15000, 12, "YB-20"))
	sid := rep.Items[0].ID
	if items := e.do("GET", "/api/v1/signals?matched=false", street, nil).json(t)["items"].([]any); len(items) != 0 {
		t.Fatalf("a street sees the district's unmatched signals: %v", items)
	}
	body := map[string]any{"household_id": hid, "member_id": "m1"}
	if r := e.do("POST", "/api/v1/signals/"+sid+"/resolve", street, body); r.status != 404 {
		t.Fatalf("a street resolved: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/signals/"+sid+"/resolve", district, map[string]any{"household_id": hid, "member_id": "m9"}); r.status != 400 {
		t.Fatalf("resolve to no member: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/api/v1/signals/"+sid+"/resolve", district, body)
	if r.status != 200 {
		t.Fatalf("resolve: %d %s", r.status, r.body)
	}
	out := r.json(t)
	if out["id_number_differs"] != true {
		t.Fatalf("the mismatch of numbers is not said: %v", out)
	}
	if sig := out["signal"].(map[string]any); sig["state"] != "matched" || sig["household_id"] != hid || sig["resolved_by"] != "coordinator" {
		t.Fatalf("resolved signal: %v", sig)
	}
	if rep := out["report"].(map[string]any); rep["warnings"] != float64(1) {
		t.Fatalf("report: %v", rep)
	}
	if r := e.do("POST", "/api/v1/signals/"+sid+"/resolve", district, body); r.status != 409 {
		t.Fatalf("resolving twice: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/signals/"+sid, street, nil); r.status != 200 {
		t.Fatalf("the street sees the signal once matched in it: %d", r.status)
	}
}
