package handlers

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/seed"
	"lianzhu/store"
)

// TestTimelineCases: a household's timeline shows its cases in order — an
// offering referral from a proposal through acceptance, service (its
// record), completion and rating; a declined, a cancelled and a closed
// referral; a policy referral's assisted application, the office's
// acceptance and result; a job application applied, interviewed, hired —
// newest first, the log entries a case wrote shown once (as the case's),
// to coordinators of the household's place only.
func TestTimelineCases(t *testing.T) {
	e := newAppEnv(t)
	f := e.referralFixture(5)
	hh := e.household.ID
	tick := func() { e.clock.Add(10 * time.Second) }
	relogin := func() {
		e.relogin(&f)
		e.street, e.other = e.login("coordinator.610103002").AccessToken, e.login("coordinator.610103003").AccessToken
		e.admin, e.ent1 = e.login("admin").AccessToken, e.login("ent1").AccessToken
	}
	e.expect(e.do("POST", "/api/v1/households/"+hh+"/consents", e.street, map[string]any{"member_id": "m1",
		"recipient": "ngo_unit", "action": "grant", "method": "written"}), 201, "consent to NGOs")
	needs := make([]string, 4)
	for i := range needs {
		needs[i] = e.needOf(f.coord, hh, "bathing")
	}
	policy := seed.Policies()[0]
	ps := []store.Proposal{
		{Proposal: domain.Proposal{Kind: domain.ProposalService, RunID: "run-2", HouseholdID: hh, MemberID: "m1", NeedID: needs[0],
			Place: appHouseholdPlace, Target: domain.TargetOffering, TargetID: f.offering, ProviderID: f.ngoID, Score: 1}},
		{Proposal: domain.Proposal{Kind: domain.ProposalPolicy, RunID: "run-2", HouseholdID: hh, Place: appHouseholdPlace,
			Target: domain.TargetPolicy, TargetID: policy.ID, Score: 1}},
	}
	if _, err := e.db.InsertProposals(t.Context(), ps); err != nil {
		t.Fatal(err)
	}

	// The offering referral, from the proposal to the rating.
	tick()
	out := e.expect(e.do("POST", "/api/v1/proposals/"+ps[0].ID+"/accept", f.coord, map[string]any{"units": 1}), 201, "accept the proposal")
	served := out["referral"].(map[string]any)["id"].(string)
	for _, step := range []string{"accept", "start"} {
		tick()
		e.expect(e.do("POST", "/api/v1/referrals/"+served+"/"+step, f.ngo, nil), 200, step)
	}
	e.clock.Add(24 * time.Hour) // the record is dated the next day (00:00 in China)
	relogin()
	rec := e.expect(e.do("POST", "/api/v1/referrals/"+served+"/services", f.ngo, map[string]any{
		"date": e.clock.Now().In(domain.ChinaZone()).Format(time.DateOnly), "minutes": 55, "units": 1,
		"what_was_done": "上门助浴并修剪指甲", "worker": "王护工"}), 201, "service record")
	tick()
	e.expect(e.do("POST", "/api/v1/referrals/"+served+"/complete", f.ngo,
		map[string]any{"proof": map[string]any{"method": "signature", "signature_ref": "sig/1.png"}}), 200, "complete")
	tick()
	e.expect(e.do("POST", "/api/v1/referrals/"+served+"/rate", f.coord, map[string]any{"stars": 5, "comment": "王护工很细心"}), 200, "rate")

	// Declined, cancelled, closed.
	tick()
	declined := e.dispatchTo(f, needs[1])
	tick()
	e.expect(e.do("POST", "/api/v1/referrals/"+declined+"/decline", f.ngo, map[string]any{"reason": "cant_reach", "note": "电话无人接"}), 200, "decline")
	tick()
	cancelled := e.dispatchTo(f, needs[2])
	tick()
	e.expect(e.do("POST", "/api/v1/referrals/"+cancelled+"/cancel", f.coord, map[string]any{"note": "家属已安排"}), 200, "cancel")
	tick()
	closed := e.dispatchTo(f, needs[3])
	tick()
	e.expect(e.do("POST", "/api/v1/referrals/"+closed+"/close", f.coord, map[string]any{"outcome": "no_longer_interested"}), 200, "close")

	// The policy referral.
	tick()
	pol := e.expect(e.do("POST", "/api/v1/proposals/"+ps[1].ID+"/accept", f.coord, nil), 201, "accept the policy lead")["referral"].(map[string]any)["id"].(string)
	tick()
	e.expect(e.do("POST", "/api/v1/referrals/"+pol+"/office-accepted", f.coord, nil), 200, "office accepted")
	tick()
	e.expect(e.do("POST", "/api/v1/referrals/"+pol+"/result", f.coord, map[string]any{"result": "approved", "note": "按月发放"}), 200, "result")

	// The job application.
	tick()
	app := e.apply(t)
	tick()
	e.expect(e.do("POST", "/api/v1/applications/"+app+"/interview", e.ent1, map[string]any{"note": "周三上午面试"}), 200, "interview")
	tick()
	e.expect(e.do("POST", "/api/v1/applications/"+app+"/hire", e.ent1, map[string]any{"wage_fen": 230000}), 200, "hire")

	r := e.do("GET", "/api/v1/households/"+hh+"/timeline", e.street, nil)
	if r.status != 200 {
		t.Fatalf("timeline: %d %s", r.status, r.body)
	}
	var tl TimelineResponse
	if err := json.Unmarshal(r.body, &tl); err != nil {
		t.Fatal(err)
	}
	if len(tl.Unavailable) != 0 {
		t.Fatalf("unavailable %v", tl.Unavailable)
	}
	// The cases, oldest first.
	labels := map[string]string{served: "served", declined: "declined", cancelled: "cancelled", closed: "closed",
		pol: "policy", app: "job", rec["id"].(string): "record"}
	var got []string
	byKey := map[string]TimelineEntry{}
	for i := len(tl.Items) - 1; i >= 0; i-- {
		it := tl.Items[i]
		if i > 0 && it.At.After(tl.Items[i-1].At) {
			t.Fatalf("item %d (%s) is newer than the one before", i, it.Kind)
		}
		switch it.Source {
		case "referrals", "service_records", "applications":
			key := labels[it.RefID] + ":" + it.Kind
			got = append(got, key)
			byKey[key] = it
		case "household_log":
			if it.Kind == string(domain.LogApplication) || it.Kind == string(domain.LogOutcome) || it.Kind == string(domain.LogEmployment) {
				t.Errorf("the log's %s entry is shown beside its case: %+v", it.Kind, it)
			}
		}
	}
	want := []string{"served:referral_awaiting_provider", "served:referral_accepted", "served:referral_in_service",
		"record:service_record", "served:referral_completed", "served:referral_rated",
		"declined:referral_awaiting_provider", "declined:referral_declined",
		"cancelled:referral_awaiting_provider", "cancelled:referral_cancelled",
		"closed:referral_awaiting_provider", "closed:referral_closed",
		"policy:referral_application_assisted", "policy:referral_accepted_by_office", "policy:referral_result_recorded",
		"job:job_applied", "job:job_interview", "job:job_hired"}
	if !slices.Equal(got, want) {
		t.Fatalf("case events\n got %v\nwant %v", got, want)
	}
	for key, words := range map[string][]string{
		"served:referral_awaiting_provider":    {"采纳匹配建议", "助浴", "ngo1"},
		"served:referral_completed":            {"居民签字"},
		"served:referral_rated":                {"5星", "王护工很细心"},
		"record:service_record":                {"上门助浴并修剪指甲", "55分钟", "王护工"},
		"declined:referral_awaiting_provider":  {"派单"},
		"declined:referral_declined":           {"联系不上", "电话无人接"},
		"cancelled:referral_cancelled":         {"家属已安排"},
		"closed:referral_closed":               {"本人不再需要"},
		"policy:referral_application_assisted": {policy.NameZh},
		"policy:referral_result_recorded":      {"批准", "按月发放"},
		"job:job_applied":                      {"小区保洁员"},
		"job:job_interview":                    {"周三上午面试"},
		"job:job_hired":                        {"已录用", "2,300"},
	} {
		it := byKey[key]
		for _, w := range words {
			if !strings.Contains(it.TitleZh+"｜"+it.TextZh, w) {
				t.Errorf("%s lacks %q: %+v", key, w, it)
			}
		}
	}
	if it := byKey["served:referral_accepted"]; it.Actor != "ngo1" || it.MemberID != "m1" {
		t.Errorf("accepted entry %+v", it)
	}
	if !slices.ContainsFunc(tl.Items, func(it TimelineEntry) bool {
		return it.Source == "household_log" && it.Kind == string(domain.LogService) && it.RefID == "svc-"+served
	}) {
		t.Errorf("the log's service entry is missing: %+v", tl.Items)
	}
	for name, c := range map[string]struct {
		token string
		code  int
	}{"other street": {e.other, 404}, "admin": {e.admin, 403}, "provider": {f.ngo, 403}, "enterprise": {e.ent1, 403}} {
		if r := e.do("GET", "/api/v1/households/"+hh+"/timeline", c.token, nil); r.status != c.code {
			t.Errorf("%s: want %d, got %d", name, c.code, r.status)
		}
	}
}
