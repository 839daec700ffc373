package handlers

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestConsentEndpoints: the consent record is read (audited) and appended
// to by coordinators of the place only; a child's grant needs a guardian; a
// withdrawn employer consent hides the candidate and the application's
// personal fields from the employer, and "do not contact" hides everything.
func TestConsentEndpoints(t *testing.T) {
	e := newAppEnv(t)
	id := e.apply(t)
	e.do("POST", "/api/v1/applications/"+id+"/interview", e.ent1, nil)
	path := "/api/v1/households/" + e.household.ID + "/consents"

	for _, c := range []struct {
		name   string
		token  string
		status int
	}{{"own street", e.street, 200}, {"other street", e.other, 404}, {"admin", e.admin, 403}, {"enterprise", e.ent1, 403}} {
		if r := e.do("GET", path, c.token, nil); r.status != c.status {
			t.Errorf("read as %s: want %d, got %d", c.name, c.status, r.status)
		}
		if c.status == 200 {
			continue
		}
		if r := e.do("POST", path, c.token, map[string]any{"member_id": "m1", "recipient": "volunteer", "action": "grant", "method": "verbal"}); r.status != c.status {
			t.Errorf("record as %s: want %d, got %d", c.name, c.status, r.status)
		}
	}
	rec := e.do("GET", path, e.street, nil)
	var got ConsentRecord
	mustJSON(t, rec, &got)
	if len(got.Members) != 2 || !got.Members[0].Consents["employer"] || got.Members[0].Consents["volunteer"] ||
		got.Members[1].Consents["employer"] || len(got.Events) != 1 || got.DoNotContact || got.Members[0].Age < 40 {
		t.Fatalf("record: %s", rec.body)
	}
	if !auditHas(t, e.env, e.street, "household.consents.read") {
		t.Fatal("reading the consent record is audited")
	}

	child := map[string]any{"member_id": "m2", "recipient": "volunteer", "action": "grant", "method": "written"}
	if r := e.do("POST", path, e.street, child); r.status != 400 || !slices.Contains(r.fields(t), "guardian") {
		t.Fatalf("a child without a guardian: %d %s", r.status, r.body)
	}
	child["guardian"] = map[string]any{"name": "李建国", "relation": "parent", "member_id": "m1"}
	r := e.do("POST", path, e.street, child)
	mustJSON(t, r, &got)
	last := got.Events[len(got.Events)-1]
	if r.status != 201 || !got.Members[1].Consents["volunteer"] || last.RecordedBy != "coordinator.610103002" ||
		last.At.IsZero() || last.Guardian == nil || last.Method != "written" {
		t.Fatalf("guardian's grant: %d %s", r.status, r.body)
	}
	if r := e.do("POST", path, e.street, map[string]any{"member_id": "m9", "recipient": "employer", "action": "grant", "method": "verbal"}); r.status != 400 {
		t.Fatalf("no such member: %d", r.status)
	}
	if r := e.do("POST", path, e.street, map[string]any{"member_id": "m1", "recipient": "employer", "action": "grant", "method": "verbal", "recorded_by": "x"}); r.status != 400 {
		t.Fatalf("the recorder is the caller, not the body: %d", r.status)
	}

	// The resident withdraws the employer consent: the application stays,
	// but the employer no longer sees who it is.
	r = e.do("POST", path, e.street, map[string]any{"member_id": "m1", "recipient": "employer", "action": "withdraw", "method": "verbal", "note": "电话撤回"})
	mustJSON(t, r, &got)
	if r.status != 201 || got.Members[0].Consents["employer"] || len(got.Events) != 3 {
		t.Fatalf("withdraw: %d %s", r.status, r.body)
	}
	app := e.do("GET", "/api/v1/applications/"+id, e.ent1, nil)
	v := app.json(t)
	if app.status != 200 || v["state"] != "interview" || v["candidate"] != nil || v["phone"] != nil || v["skills"] != nil {
		t.Fatalf("after withdrawal, the employer sees: %s", app.body)
	}
	if c := e.do("GET", "/api/v1/applications/"+id, e.street, nil).json(t); c["state"] != "interview" || c["phone"] != "13900001234" {
		t.Fatalf("the application stays, for the coordinator in full: %v", c)
	}

	dnc := "/api/v1/households/" + e.household.ID + "/do-not-contact"
	if r := e.do("POST", dnc, e.street, map[string]any{"note": "x"}); r.status != 400 || !slices.Contains(r.fields(t), "value") {
		t.Fatalf("without a value: %d %s", r.status, r.body)
	}
	if r := e.do("POST", dnc, e.ent1, map[string]any{"value": true}); r.status != 403 {
		t.Fatalf("employer sets do not contact: %d", r.status)
	}
	if r := e.do("POST", dnc, e.other, map[string]any{"value": true}); r.status != 404 {
		t.Fatalf("another street sets do not contact: %d", r.status)
	}
	if r := e.do("POST", dnc, e.street, map[string]any{"value": true, "note": "本人来电要求"}); r.status != 200 || r.json(t)["do_not_contact"] != true {
		t.Fatalf("do not contact: %d %s", r.status, r.body)
	}
	if v := e.do("GET", "/api/v1/applications/"+id, e.ent1, nil).json(t); len(v) != 1 || v["id"] != id {
		t.Fatalf("do not contact hides everything from the employer: %v", v)
	}
	if !auditHas(t, e.env, e.street, "household.do_not_contact", "household.consent") {
		t.Fatal("do not contact and consent changes are audited")
	}
}

func mustJSON(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
}
