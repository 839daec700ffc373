package handlers

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"lianzhu/store"
)

// upload posts a file to /imports as multipart form data.
func (e *env) upload(token, query, filename string, data []byte) response {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", filename)
	if err != nil {
		e.t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	req := httptest.NewRequest("POST", "/api/v1/imports?"+query, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// waitImport polls an import until it is no longer running.
func (e *env) waitImport(token, id string) store.ImportRecord {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r := e.do("GET", "/api/v1/imports/"+id, token, nil)
		if r.status != 200 {
			e.t.Fatalf("import status: %d %s", r.status, r.body)
		}
		var rec store.ImportRecord
		if err := json.Unmarshal(r.body, &rec); err != nil {
			e.t.Fatal(err)
		}
		if rec.Status != "running" {
			return rec
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatal("import did not finish")
	return store.ImportRecord{}
}

// TestImportHouseholdsAPI imports the template's example through the API:
// stored, searchable and idempotent; a file with a bad row stores nothing
// and names the row and column; exports are audited and disclose by role.
func TestImportHouseholdsAPI(t *testing.T) {
	e := newEnv(t)
	tok := e.login("coordinator").AccessToken
	tpl := e.do("GET", "/api/v1/imports/templates/households.csv", tok, nil)
	if tpl.status != 200 || !strings.HasPrefix(tpl.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("template: %d %s", tpl.status, tpl.body)
	}
	if r := e.do("GET", "/api/v1/imports/templates/households.xlsx", tok, nil); r.status != 200 {
		t.Fatalf("xlsx template: %d", r.status)
	} else if _, err := excelize.OpenReader(bytes.NewReader(r.body)); err != nil {
		t.Fatalf("xlsx template does not open: %v", err)
	}
	if r := e.do("GET", "/api/v1/imports/templates/households.xlsx", e.login("volunteer1").AccessToken, nil); r.status != 403 {
		t.Fatalf("volunteer template: want 403, got %d", r.status)
	}

	r := e.upload(tok, "kind=households", "example.csv", tpl.body)
	if r.status != 202 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	rec := e.waitImport(tok, r.json(t)["id"].(string))
	if rec.Status != "done" || rec.Created == 0 || len(rec.Errors) != 0 || rec.Done != rec.Total {
		t.Fatalf("import: %+v", rec)
	}
	households, _, err := e.db.ListHouseholds(t.Context(), store.HouseholdFilter{Within: "610103000000", Limit: 100})
	if err != nil || len(households) == 0 {
		t.Fatalf("households after import: %d %v", len(households), err)
	}
	needs, _, err := e.db.ListNeeds(t.Context(), store.NeedFilter{Within: "610103000000", Limit: 100})
	if err != nil || len(needs) == 0 {
		t.Fatalf("needs after import: %d %v", len(needs), err)
	}
	e.indexNow()
	if r := e.do("GET", "/api/v1/search?kind=need", tok, nil); r.status != 200 || r.json(t)["total"].(float64) != float64(len(needs)) {
		t.Fatalf("imported needs not searchable: %d %s", r.status, r.body)
	}

	// The same file again creates nothing.
	r = e.upload(tok, "kind=households", "example.csv", tpl.body)
	again := e.waitImport(tok, r.json(t)["id"].(string))
	if again.Status != "done" || again.Created != 0 {
		t.Fatalf("re-import: %+v", again)
	}
	if n, _, _ := e.db.ListNeeds(t.Context(), store.NeedFilter{Within: "610103000000", Limit: 100}); len(n) != len(needs) {
		t.Fatalf("re-import duplicated needs: %d → %d", len(needs), len(n))
	}

	// A bad check character: the whole file is rejected, the row named.
	var rows [][]string
	for _, line := range strings.Split(strings.TrimPrefix(string(tpl.body), "\ufeff"), "\n") {
		if strings.TrimSpace(line) != "" {
			rows = append(rows, strings.Split(line, ","))
		}
	}
	col := -1
	for i, h := range rows[0] {
		if strings.TrimSuffix(h, "*") == "身份证号" {
			col = i
		}
	}
	if col < 0 || len(rows) < 2 {
		t.Fatalf("template layout: %q", rows[0])
	}
	id := []byte(rows[1][col])
	if id[len(id)-1] == '0' {
		id[len(id)-1] = '1'
	} else {
		id[len(id)-1] = '0'
	}
	rows[1][col] = string(id)
	var bad bytes.Buffer
	for _, row := range rows {
		bad.WriteString(strings.Join(row, ",") + "\n")
	}
	r = e.upload(tok, "kind=households", "bad.csv", bad.Bytes())
	rej := e.waitImport(tok, r.json(t)["id"].(string))
	if rej.Status != "rejected" || rej.Created != 0 || len(rej.Errors) == 0 || rej.Errors[0].Row != 2 || !strings.HasPrefix(rej.Errors[0].Column, "身份证号") {
		t.Fatalf("bad file: %+v", rej)
	}
	if r := e.upload(tok, "kind=households", "notes.txt", []byte("x")); r.status != 400 {
		t.Fatalf("txt upload: want 400, got %d %s", r.status, r.body)
	}
	if r := e.upload(tok, "kind=cats", "a.csv", []byte("x")); r.status != 400 {
		t.Fatalf("bad kind: want 400, got %d", r.status)
	}
	if r := e.upload(e.login("admin").AccessToken, "kind=households", "a.csv", tpl.body); r.status != 403 {
		t.Fatalf("admin imports households: want 403, got %d", r.status)
	}
	if r := e.do("GET", "/api/v1/imports/"+rej.ID, e.login("coordinator.610103002").AccessToken, nil); r.status != 404 {
		t.Fatalf("someone else's import: want 404, got %d", r.status)
	}

	// Exports: the coordinator's sheet has the resident's words; audited.
	x := e.do("GET", "/api/v1/exports/needs.xlsx", tok, nil)
	if x.status != 200 {
		t.Fatalf("export: %d %s", x.status, x.body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	sheet, _ := f.GetRows(f.GetSheetName(0))
	if len(sheet) != len(needs)+1 || !strings.Contains(strings.Join(sheet[0], ","), "居民原话") {
		t.Fatalf("export rows: %d, header %v", len(sheet), sheet[0])
	}
	trail := e.do("GET", "/api/v1/audit", tok, nil)
	if !strings.Contains(string(trail.body), "export.needs") {
		t.Fatalf("export not audited: %s", trail.body)
	}
	if r := e.do("GET", "/api/v1/exports/needs.xlsx", e.login("volunteer1").AccessToken, nil); r.status != 403 {
		t.Fatalf("volunteer export: want 403, got %d", r.status)
	}
}
