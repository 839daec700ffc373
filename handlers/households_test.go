package handlers

import (
	"strings"
	"testing"

	"lianzhu/domain"
)

func validID(t *testing.T, first17 string) string {
	t.Helper()
	id, err := domain.CompleteIDNumber(first17)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// newHousehold is a minimal valid file in a community of 柏树林街道.
func newHousehold(t *testing.T, place string, ids ...string) map[string]any {
	var members []map[string]any
	for i, id := range ids {
		rel := "self"
		if i > 0 {
			rel = "spouse"
		}
		members = append(members, map[string]any{"id": "m" + string(rune('1'+i)), "name": "李" + string(rune('一'+i)), "id_number": id, "relation": rel})
	}
	return map[string]any{"place": place, "address": "柏树林街道东木头市社区锦绣家属院3号楼2单元501", "members": members}
}

func TestHouseholdFileLifecycle(t *testing.T) {
	e := newEnv(t)
	street := e.login("coordinator.610103002").AccessToken
	other := e.login("coordinator.610103003").AccessToken
	admin := e.login("admin").AccessToken
	idA, idB := validID(t, "61990119500101002"), validID(t, "61990119520202003")

	r := e.do("POST", "/api/v1/households", street, newHousehold(t, "610103002002001", idA, idB))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	created := r.json(t)
	id := created["id"].(string)
	if strings.Contains(string(r.body), idA) || strings.Contains(string(r.body), "id_hash") {
		t.Fatalf("create answered the plain ID number or its hash: %s", r.body)
	}
	members := created["members"].([]any)
	if masked := members[0].(map[string]any)["id_masked"]; masked != idA[:4]+"**********"+idA[14:] {
		t.Fatalf("masked = %v", masked)
	}

	// Who may read it.
	for _, c := range []struct {
		name   string
		token  string
		status int
	}{{"own street", street, 200}, {"district", e.login("coordinator").AccessToken, 200}, {"other street", other, 404}, {"admin", admin, 403}} {
		if r := e.do("GET", "/api/v1/households/"+id, c.token, nil); r.status != c.status {
			t.Fatalf("%s: want %d, got %d %s", c.name, c.status, r.status, r.body)
		}
	}
	// Every full read is audited.
	trail := e.do("GET", "/api/v1/audit", street, nil).json(t)["items"].([]any)
	if len(trail) == 0 || trail[0].(map[string]any)["action"] != "household.read" {
		t.Fatalf("audit trail = %v", trail)
	}

	// The full number is revealed on request, audited.
	r = e.do("POST", "/api/v1/households/"+id+"/members/m2/id-number", street, nil)
	if r.status != 200 || r.json(t)["id_number"] != idB {
		t.Fatalf("reveal: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/households/"+id+"/members/m2/id-number", other, nil); r.status != 404 {
		t.Fatalf("reveal from another street: %d", r.status)
	}

	// A duplicate: named to a coordinator who can see the file, not to others.
	dup := e.do("POST", "/api/v1/households", street, newHousehold(t, "610103002001001", validID(t, "61990119800303004"), idB))
	if dup.status != 409 || dup.errorCode(t) != "conflict" || dup.fields(t)[0] != "members[1].id_number" || !strings.Contains(string(dup.body), id) {
		t.Fatalf("duplicate in scope: %d %s", dup.status, dup.body)
	}
	dup = e.do("POST", "/api/v1/households", other, newHousehold(t, "610103003001001", validID(t, "61990119800303004"), idB))
	if dup.status != 409 || strings.Contains(string(dup.body), id) {
		t.Fatalf("duplicate outside scope must not name the file: %d %s", dup.status, dup.body)
	}

	// Lookup by ID number.
	if r := e.do("POST", "/api/v1/households/lookup", street, map[string]string{"id_number": idA}); r.status != 200 || r.json(t)["id"] != id {
		t.Fatalf("lookup: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/households/lookup", other, map[string]string{"id_number": idA}); r.status != 404 {
		t.Fatalf("lookup outside scope: %d %s", r.status, r.body)
	}

	// Version-guarded update: a stale version is 409 and changes nothing.
	// Consent, do-not-contact and the review flag have their own endpoints:
	// an update cannot rewrite them.
	upd := newHousehold(t, "610103002002001", idA, idB)
	before := e.do("GET", "/api/v1/households/"+id, street, nil).json(t)
	upd["address"], upd["version"] = "新地址", 1
	upd["consents"] = []any{map[string]any{"member_id": "m1", "recipient": "employer", "action": "grant", "method": "verbal"}}
	upd["do_not_contact"] = true
	consents := func(m map[string]any) int { list, _ := m["consents"].([]any); return len(list) }
	if r := e.do("PUT", "/api/v1/households/"+id, street, upd); r.status != 200 ||
		r.json(t)["do_not_contact"] != false || consents(r.json(t)) != consents(before) {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	upd["address"] = "过时的修改"
	if r := e.do("PUT", "/api/v1/households/"+id, street, upd); r.status != 409 {
		t.Fatalf("stale update: %d %s", r.status, r.body)
	}

	// Moving needs both places in scope, a reason, and is audited.
	if r := e.do("POST", "/api/v1/households/"+id+"/move", street, map[string]any{"place": "610103003001001", "version": 2, "reason": "搬家"}); r.status != 403 {
		t.Fatalf("move out of scope: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/households/"+id+"/move", street, map[string]any{"place": "610103002005", "version": 2}); r.status != 400 || r.fields(t)[0] != "reason" {
		t.Fatalf("move without reason: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/households/"+id+"/move", street, map[string]any{"place": "610103002005", "version": 2, "reason": "搬家"}); r.status != 200 {
		t.Fatalf("move: %d %s", r.status, r.body)
	}

	// Lists stay within the caller's place.
	if n := len(e.do("GET", "/api/v1/households", street, nil).json(t)["items"].([]any)); n != 1 {
		t.Fatalf("street list = %d", n)
	}
	if n := len(e.do("GET", "/api/v1/households", other, nil).json(t)["items"].([]any)); n != 0 {
		t.Fatalf("other street list = %d", n)
	}
	if r := e.do("GET", "/api/v1/households?place=610103002000", other, nil); r.status != 403 {
		t.Fatalf("list of another street: %d", r.status)
	}
}

func TestHouseholdValidationNamesFields(t *testing.T) {
	e := newEnv(t)
	street := e.login("coordinator.610103002").AccessToken
	bad := newHousehold(t, "610103002002001", "610101199001011234")
	bad["address"] = ""
	r := e.do("POST", "/api/v1/households", street, bad)
	if r.status != 400 || r.errorCode(t) != "invalid" {
		t.Fatalf("want 400, got %d %s", r.status, r.body)
	}
	fields := strings.Join(r.fields(t), ",")
	for _, want := range []string{"address", "members[0].id_number"} {
		if !strings.Contains(fields, want) {
			t.Fatalf("fields %s lack %s", fields, want)
		}
	}
	if r := e.do("POST", "/api/v1/households", street, newHousehold(t, "610103003001001", validID(t, "61990119700404005"))); r.status != 403 {
		t.Fatalf("filing in another street: %d %s", r.status, r.body)
	}
}
