package handlers

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
)

// raiseWarning files the medical family, takes its bill in and returns the
// household's ID and its warning's.
func (e *env) raiseWarning(seq int) (string, string) {
	e.t.Helper()
	hid, wife := e.medicalFamily(seq)
	rep := e.ingestSignals(e.login(sigDistrict).AccessToken, e.billJSON(wife, 15000, 12, "YB-w"))
	if rep.Warnings != 1 {
		e.t.Fatalf("no warning: %+v", rep)
	}
	r := e.do("GET", "/api/v1/warnings?state=new", e.login(sigCommunity).AccessToken, nil)
	for _, it := range r.json(e.t)["items"].([]any) {
		if w := it.(map[string]any); w["household_id"] == hid {
			return hid, w["id"].(string)
		}
	}
	e.t.Fatalf("the community does not see the warning: %s", r.body)
	return "", ""
}

// TestWarningArrivesWithHelp: the medical family's warning shows the
// 刚性支出困难家庭 lead first with why and the official steps, the draft
// needs ranked with reasons, and an NGO's offering that serves the place.
func TestWarningArrivesWithHelp(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").AccessToken
	e.newProvider(admin, "ngo", "52610103MJ0000011", "ngo.escort")
	ngo := e.login("ngo.escort").AccessToken
	body := offeringBody("medical_escort", "就医陪诊")
	body["area"] = map[string]any{"places": []string{"610103002000"}}
	if r := e.do("POST", "/api/v1/offerings", ngo, body); r.status != 201 {
		t.Fatalf("offering: %d %s", r.status, r.body)
	}
	_, wid := e.raiseWarning(11)
	community := e.login(sigCommunity).AccessToken
	r := e.do("GET", "/api/v1/warnings/"+wid, community, nil)
	if r.status != 200 {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	var w WarningDetailResponse
	if err := json.Unmarshal(r.body, &w); err != nil {
		t.Fatal(err)
	}
	if w.Severity != "orange" || w.SeverityZh != "橙色预警" || w.Overdue || !slices.Equal(w.NextStates, []domain.WarningState{domain.WarningVisitAssigned, domain.WarningDismissed}) ||
		len(w.FactUpdates) != 1 || !strings.Contains(w.LeadNoteZh, "不是资格认定") {
		t.Fatalf("warning head: %+v", w.WarningResponse)
	}
	if l := w.Leads[0]; l.PolicyID != "mz-rigid-expense" || !l.Newly || l.Rank != 1 || len(l.ReasonsZh) < 2 || len(l.NextSteps) == 0 {
		t.Fatalf("first lead: %+v", l)
	}
	d := w.Drafts[0]
	if d.Item != "application_help" || d.Rank != 1 || len(d.ReasonsZh) == 0 {
		t.Fatalf("first draft: %+v", d)
	}
	i := slices.IndexFunc(w.Drafts, func(d DraftResponse) bool { return d.Item == "medical_escort" })
	if i < 0 || i >= draftOfferings || len(w.Drafts[i].Offerings) != 1 || w.Drafts[i].Offerings[0].Title != "就医陪诊" ||
		w.Drafts[i].MemberName == "" {
		t.Fatalf("the escort draft and its offering: %+v", w.Drafts)
	}
	for name, c := range map[string]struct {
		user string
		code int
	}{"street": {sigStreet, 200}, "district": {sigDistrict, 200}, "other community": {"coordinator.610103002001", 404},
		"other street": {"coordinator.610103003", 404}, "admin": {"admin", 403}, "ngo": {"ngo.escort", 403}} {
		if r := e.do("GET", "/api/v1/warnings/"+wid, e.login(c.user).AccessToken, nil); r.status != c.code {
			t.Errorf("%s: want %d, got %d", name, c.code, r.status)
		}
	}
	if !strings.Contains(string(e.do("GET", "/api/v1/audit", community, nil).body), "warning.read") {
		t.Fatal("reading the warning was not audited")
	}
}

// TestWarningWorkflow: new → visit assigned (to a coordinator of the
// household's community) → verified by the assignee, who records needs
// and facts; every other move is refused.
func TestWarningWorkflow(t *testing.T) {
	e := newEnv(t)
	hid, wid := e.raiseWarning(21)
	street := e.login(sigStreet).AccessToken
	community := e.login(sigCommunity).AccessToken
	path := "/api/v1/warnings/" + wid
	visit := map[string]any{"note": "入户核实：妻子化疗中，丈夫已停工照顾。",
		"needs": []map[string]any{
			{"item": "application_help", "member_id": "m1", "neutral_note": "协助申请刚性支出困难家庭认定", "urgency": "high"},
			{"item": "medical_escort", "member_id": "m2", "neutral_note": "化疗期间需陪同复诊", "own_words": "每周二去医院"},
		},
		"facts": map[string]any{"monthly_income_fen": 300000, "members": []map[string]any{{"member_id": "m1", "employment": "unemployed"}}}}

	if r := e.do("POST", path+"/verify", community, visit); r.status != 409 {
		t.Fatalf("verify a new warning: %d %s", r.status, r.body)
	}
	for name, c := range map[string]struct {
		body map[string]any
		code int
	}{
		"other community": {map[string]any{"assignee": "coordinator.610103002001"}, 400},
		"a volunteer":     {map[string]any{"assignee": "volunteer1"}, 400},
		"no assignee":     {map[string]any{}, 400},
		"due too late":    {map[string]any{"assignee": sigCommunity, "due": e.clock.Now().AddDate(0, 0, 30).Format(time.RFC3339)}, 400},
	} {
		if r := e.do("POST", path+"/assign", street, c.body); r.status != c.code {
			t.Errorf("assign to %s: want %d, got %d %s", name, c.code, r.status, r.body)
		}
	}
	r := e.do("POST", path+"/assign", street, map[string]any{"assignee": sigCommunity, "due": e.clock.Now().AddDate(0, 0, 2).Format(time.RFC3339)})
	if r.status != 200 || r.json(t)["state"] != "visit_assigned" || r.json(t)["assignee"] != sigCommunity {
		t.Fatalf("assign: %d %s", r.status, r.body)
	}
	if r := e.do("POST", path+"/assign", street, map[string]any{"assignee": sigCommunity}); r.status != 409 {
		t.Fatalf("assign twice: %d", r.status)
	}
	if r := e.do("POST", path+"/verify", street, visit); r.status != 403 {
		t.Fatalf("verify by someone else: %d %s", r.status, r.body)
	}
	bad := map[string]any{"note": "", "needs": []map[string]any{{"item": "teleportation", "member_id": "m1", "neutral_note": "x"}}}
	if r := e.do("POST", path+"/verify", community, bad); r.status != 400 || !slices.Contains(r.fields(t), "needs[0].item") || !slices.Contains(r.fields(t), "note") {
		t.Fatalf("bad visit: %d %s", r.status, r.body)
	}
	r = e.do("POST", path+"/verify", community, visit)
	if r.status != 200 {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	done := r.json(t)
	if done["state"] != "verified" || len(done["need_ids"].([]any)) != 2 || len(done["updated_facts"].([]any)) != 2 {
		t.Fatalf("verified: %s", r.body)
	}
	needs := e.do("GET", "/api/v1/needs?place=610103002002", community, nil).json(t)["items"].([]any)
	found := 0
	for _, n := range needs {
		if n := n.(map[string]any); n["household_id"] == hid && n["channel"] == "warning" && n["warning_id"] == wid {
			found++
		}
	}
	file := e.do("GET", "/api/v1/households/"+hid, community, nil).json(t)
	if found != 2 || file["monthly_income"].(map[string]any)["source"] != "home_visit" {
		t.Fatalf("%d needs from the visit; income %v", found, file["monthly_income"])
	}
	for move, body := range map[string]map[string]any{"/assign": {"assignee": sigCommunity}, "/verify": visit,
		"/dismiss": {"reason": "no_hardship"}} {
		if r := e.do("POST", path+move, community, body); r.status != 409 {
			t.Errorf("%s on a verified warning: %d %s", move, r.status, r.body)
		}
	}
}

// TestWarningDismissAndRace: a dismissal needs a reason (and a note for
// "other"); of many coordinators assigning one warning at once, one wins.
func TestWarningDismissAndRace(t *testing.T) {
	e := newEnv(t)
	_, wid := e.raiseWarning(31)
	community := e.login(sigCommunity).AccessToken
	path := "/api/v1/warnings/" + wid
	if r := e.do("POST", path+"/dismiss", community, map[string]any{"reason": "other"}); r.status != 400 || !slices.Contains(r.fields(t), "note") {
		t.Fatalf("other without a note: %d %s", r.status, r.body)
	}
	if r := e.do("POST", path+"/dismiss", community, map[string]any{"reason": "bored"}); r.status != 400 {
		t.Fatalf("unknown reason: %d", r.status)
	}
	const n = 30
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			codes[i] = e.do("POST", path+"/assign", community, map[string]any{"assignee": sigCommunity}).status
		})
	}
	wg.Wait()
	if slices.Index(codes, 200) < 0 || len(slices.DeleteFunc(slices.Clone(codes), func(c int) bool { return c != 200 })) != 1 ||
		slices.ContainsFunc(codes, func(c int) bool { return c != 200 && c != 409 }) {
		t.Fatalf("concurrent assigns: %v", codes)
	}
	r := e.do("POST", path+"/dismiss", community, map[string]any{"reason": "other", "note": "已由亲属接回老家照顾"})
	if r.status != 200 || r.json(t)["state"] != "dismissed" {
		t.Fatalf("dismiss: %d %s", r.status, r.body)
	}
}

// TestOverdueWarnings: a visit not done by its due date is overdue, which
// the street and the district see under ?overdue=true; another street
// does not.
func TestOverdueWarnings(t *testing.T) {
	e := newEnv(t)
	_, wid := e.raiseWarning(41)
	ids := func(user string) []string {
		r := e.do("GET", "/api/v1/warnings?overdue=true", e.login(user).AccessToken, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", user, r.status, r.body)
		}
		var out []string
		for _, it := range r.json(t)["items"].([]any) {
			if w := it.(map[string]any); w["overdue"] == true {
				out = append(out, w["id"].(string))
			}
		}
		return out
	}
	if got := ids(sigStreet); len(got) != 0 {
		t.Fatalf("overdue before its time: %v", got)
	}
	e.clock.Add(8 * 24 * time.Hour) // orange: 7 days
	for _, user := range []string{sigStreet, sigDistrict, sigCommunity} {
		if got := ids(user); !slices.Equal(got, []string{wid}) {
			t.Errorf("%s sees overdue %v, want [%s]", user, got, wid)
		}
	}
	if got := ids("coordinator.610103003"); len(got) != 0 {
		t.Errorf("another street sees %v", got)
	}
	if r := e.do("GET", "/api/v1/warnings?overdue=maybe", e.login(sigStreet).AccessToken, nil); r.status != 400 {
		t.Errorf("overdue=maybe: %d", r.status)
	}
}
