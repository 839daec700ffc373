package handlers

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestHouseholdTimeline: the file of the medical family shows its signal,
// the warning, the assignment, the visit and the needs it recorded, newest
// first, to coordinators of its place only; reading it is audited.
func TestHouseholdTimeline(t *testing.T) {
	e := newEnv(t)
	hid, wid := e.raiseWarning(51)
	community := e.login(sigCommunity).AccessToken
	path := "/api/v1/warnings/" + wid
	if r := e.do("POST", path+"/assign", community, map[string]any{"assignee": sigCommunity}); r.status != 200 {
		t.Fatalf("assign: %d %s", r.status, r.body)
	}
	visit := map[string]any{"note": "入户核实：情况属实。", "needs": []map[string]any{
		{"item": "application_help", "member_id": "m1", "neutral_note": "协助申请刚性支出困难家庭认定"}}}
	if r := e.do("POST", path+"/verify", community, visit); r.status != 200 {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}

	r := e.do("GET", "/api/v1/households/"+hid+"/timeline", community, nil)
	if r.status != 200 {
		t.Fatalf("timeline: %d %s", r.status, r.body)
	}
	var tl TimelineResponse
	if err := json.Unmarshal(r.body, &tl); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for i, it := range tl.Items {
		kinds[it.Kind]++
		if i > 0 && it.At.After(tl.Items[i-1].At) {
			t.Errorf("item %d (%s) is newer than the one before", i, it.Kind)
		}
	}
	for kind, n := range map[string]int{"signal": 1, "warning": 1, "visit_assigned": 1, "visit": 1, "need": 1} {
		if kinds[kind] != n {
			t.Errorf("%d %s entries, want %d (all: %v)", kinds[kind], kind, n, kinds)
		}
	}
	sig := tl.Items[slices.IndexFunc(tl.Items, func(it TimelineEntry) bool { return it.Kind == "signal" })]
	if !strings.Contains(sig.TitleZh, "大额医疗费用") || !strings.Contains(sig.TextZh, "15,000") || sig.MemberID != "m2" {
		t.Fatalf("signal entry: %+v", sig)
	}
	if !slices.Contains(tl.Unavailable, "referrals") && !implementsReferrals(e) {
		t.Fatalf("unavailable = %v", tl.Unavailable)
	}
	for name, c := range map[string]struct {
		user string
		code int
	}{"district": {sigDistrict, 200}, "other street": {"coordinator.610103003", 404}, "admin": {"admin", 403}} {
		if r := e.do("GET", "/api/v1/households/"+hid+"/timeline", e.login(c.user).AccessToken, nil); r.status != c.code {
			t.Errorf("%s: want %d, got %d", name, c.code, r.status)
		}
	}
	if !strings.Contains(string(e.do("GET", "/api/v1/audit", community, nil).body), "household.timeline") {
		t.Fatal("the timeline read was not audited")
	}
}

// implementsReferrals reports whether the store has grown the referral
// source the timeline's extension point waits for.
func implementsReferrals(e *env) bool {
	_, ok := any(e.db).(HouseholdReferrals)
	return ok
}
