package handlers

import (
	"strings"
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/seed"
	"lianzhu/store"
)

// referralHousehold files a one-person 低保 household (李一, with a phone) in
// taskHome consenting to NGOs and units (and volunteers) or not, and returns
// its ID.
func (e *env) referralHousehold(token, id17 string, consent bool) string {
	e.t.Helper()
	h := newHousehold(e.t, taskHome, validID(e.t, id17))
	h["members"].([]map[string]any)[0]["phone"] = "13912345678"
	h["assistance"] = []map[string]any{{"kind": "dibao", "decided_on": e.clock.Now().AddDate(-1, 0, 0).Format(time.RFC3339)}}
	if consent {
		at := e.clock.Now().Add(-time.Hour).Format(time.RFC3339)
		h["consents"] = []map[string]any{
			{"member_id": "m1", "recipient": "ngo_unit", "action": "grant", "at": at, "method": "written", "recorded_by": "coordinator"},
			{"member_id": "m1", "recipient": "volunteer", "action": "grant", "at": at, "method": "written", "recorded_by": "coordinator"}}
	}
	r := e.do("POST", "/api/v1/households", token, h)
	if r.status != 201 {
		e.t.Fatalf("household: %d %s", r.status, r.body)
	}
	return r.json(e.t)["id"].(string)
}

// needOf records a need of an item for m1 of a household.
func (e *env) needOf(token, householdID, item string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/needs", token, map[string]any{"household_id": householdID, "member_id": "m1",
		"item": item, "own_words": "洗不了澡，电话13912340000", "neutral_note": "行动不便，需要上门助浴",
		"urgency": "normal", "channel": "home_visit"})
	if r.status != 201 {
		e.t.Fatalf("need: %d %s", r.status, r.body)
	}
	return r.json(e.t)["id"].(string)
}

// refFixture is an NGO (ngo1) with a bathing offering of the given
// capacity, and another NGO (ngo2).
type refFixture struct {
	admin, coord, ngo, other string
	ngoID, offering          string
}

func (e *env) referralFixture(capacity int) refFixture {
	e.t.Helper()
	f := refFixture{admin: e.login("admin").AccessToken, coord: e.login(taskCoord).AccessToken}
	f.ngoID = e.newProvider(f.admin, "ngo", "51610103MJ0000001", "ngo1")
	e.newProvider(f.admin, "ngo", "51610103MJ0000002", "ngo2")
	f.ngo, f.other = e.login("ngo1").AccessToken, e.login("ngo2").AccessToken
	body := offeringBody("bathing", "上门助浴")
	body["capacity"] = capacity
	body["area"] = map[string]any{"places": []string{"610103002000"}}
	r := e.do("POST", "/api/v1/offerings", f.ngo, body)
	if r.status != 201 {
		e.t.Fatalf("offering: %d %s", r.status, r.body)
	}
	f.offering = r.json(e.t)["id"].(string)
	return f
}

func (e *env) expect(r response, status int, what string) map[string]any {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("%s: %d %s", what, r.status, r.body)
	}
	if len(r.body) == 0 || r.body[0] != '{' {
		return nil
	}
	return r.json(e.t)
}

// TestReferralJourney walks a manual dispatch to a rated service through
// the API, with the illegal and foreign moves refused on the way.
func TestReferralJourney(t *testing.T) {
	e := newEnv(t)
	f := e.referralFixture(2)
	hh := e.referralHousehold(f.coord, "61990119500101002", true)
	need := e.needOf(f.coord, hh, "bathing")
	dispatch := map[string]any{"need_id": need, "target": "offering", "offering_id": f.offering, "note": "请尽快联系"}

	ref := e.expect(e.do("POST", "/api/v1/referrals", f.coord, dispatch), 201, "dispatch")
	id := ref["id"].(string)
	if ref["state"] != "awaiting_provider" || ref["voucher_fen"] != float64(2000) || ref["address"] == nil || ref["own_words"] == nil {
		t.Fatalf("dispatched %v", ref)
	}
	e.expect(e.do("POST", "/api/v1/referrals", f.coord, dispatch), 409, "second live referral")
	if n, _ := e.db.Need(t.Context(), need); n.State != domain.NeedMatched {
		t.Fatalf("need %s", n.State)
	}

	inbox := e.expect(e.do("GET", "/api/v1/referrals/inbox", f.ngo, nil), 200, "inbox")["items"].([]any)
	if len(inbox) != 1 {
		t.Fatalf("inbox %v", inbox)
	}
	pending := inbox[0].(map[string]any)
	for _, hidden := range []string{"address", "phone", "name", "own_words", "household_id", "decline_reason"} {
		if _, ok := pending[hidden]; ok {
			t.Fatalf("a pending provider sees %s: %v", hidden, pending)
		}
	}
	if pending["resident"] != "李先生, 70s" && pending["resident"] == nil {
		t.Fatalf("resident %v", pending["resident"])
	}
	if items := e.expect(e.do("GET", "/api/v1/referrals/inbox", f.other, nil), 200, "other inbox")["items"].([]any); len(items) != 0 {
		t.Fatalf("another provider's inbox %v", items)
	}
	e.expect(e.do("GET", "/api/v1/referrals/"+id, f.other, nil), 404, "another provider reads")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/accept", f.other, nil), 403, "another provider accepts")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/accept", f.coord, nil), 403, "a coordinator accepts")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/start", f.ngo, nil), 409, "start before accepting")

	got := e.expect(e.do("POST", "/api/v1/referrals/"+id+"/accept", f.ngo, nil), 200, "accept")
	if got["state"] != "accepted" || got["phone"] != "13912345678" || got["address"] == nil {
		t.Fatalf("accepted view %v", got)
	}
	if o, _ := e.db.Offering(t.Context(), f.offering); o.Left != 1 {
		t.Fatalf("left %d after acceptance", o.Left)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/accept", f.ngo, nil), 409, "accept twice")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/start", f.ngo, nil), 200, "start")
	svc := map[string]any{"date": e.clock.Now().In(domain.ChinaZone()).Format(time.DateOnly), "minutes": 60, "units": 1,
		"what_was_done": "上门助浴并清洁浴室", "worker": "王护工"}
	rec := e.expect(e.do("POST", "/api/v1/referrals/"+id+"/services", f.ngo, svc), 201, "service record")
	if rec["voucher_fen"] != float64(2000) || rec["other_fen"] != float64(3000) {
		t.Fatalf("record %v", rec)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/services", f.other, svc), 403, "another provider records")

	code := e.expect(e.do("POST", "/api/v1/referrals/"+id+"/code", f.coord, nil), 200, "code")["code"].(string)
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/code", f.ngo, nil), 403, "a provider issues a code")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	proof := func(c string) map[string]any {
		return map[string]any{"proof": map[string]any{"method": "code", "code": c}}
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/complete", f.ngo, proof(wrong)), 400, "wrong code")
	if r, _ := e.db.Referral(t.Context(), id); r.State != domain.ReferralInService || r.Code.Attempts != 1 {
		t.Fatalf("after a wrong code: %s, attempts %d", r.State, r.Code.Attempts)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/complete", f.coord, proof(code)), 400, "a coordinator enters a code")
	done := e.expect(e.do("POST", "/api/v1/referrals/"+id+"/complete", f.ngo, proof(code)), 200, "complete")
	if done["state"] != "completed" || len(done["service_records"].([]any)) != 1 {
		t.Fatalf("completed %v", done)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/complete", f.ngo, proof(code)), 409, "code reused")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/rate", f.coord, map[string]any{"stars": 6}), 400, "rating out of range")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/rate", f.ngo, map[string]any{"stars": 5}), 403, "a provider rates")
	rated := e.expect(e.do("POST", "/api/v1/referrals/"+id+"/rate", f.coord, map[string]any{"stars": 5, "comment": "很好"}), 200, "rate")
	if rated["state"] != "rated" {
		t.Fatalf("rated %v", rated)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/cancel", f.coord, map[string]any{"note": "x"}), 409, "cancel a rated referral")

	v := e.expect(e.do("GET", "/api/v1/households/"+hh+"/vouchers", f.coord, nil), 200, "vouchers")
	if b := v["balance"].(map[string]any); b["spent"] != float64(2000) || b["reserved"] != float64(0) {
		t.Fatalf("vouchers %v", v)
	}
	e.expect(e.do("GET", "/api/v1/households/"+hh+"/vouchers", f.ngo, nil), 403, "a provider reads vouchers")
	log, err := e.db.HouseholdLog(t.Context(), hh)
	if err != nil || len(log) != 1 || log[0].Kind != domain.LogService || log[0].ID != "svc-"+id {
		t.Fatalf("household log %+v, %v", log, err)
	}
	if n, _ := e.db.Need(t.Context(), need); n.State != domain.NeedResolved {
		t.Fatalf("need %s", n.State)
	}
	list := e.expect(e.do("GET", "/api/v1/referrals?state=rated", f.coord, nil), 200, "case list")["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["provider_name"] == "" || list[0].(map[string]any)["stuck"] != false {
		t.Fatalf("case list %v", list)
	}
	other := e.login("coordinator.610103001").AccessToken
	e.expect(e.do("GET", "/api/v1/referrals/"+id, other, nil), 404, "another street's coordinator")
	e.expect(e.do("GET", "/api/v1/referrals?place=610103002000", other, nil), 403, "another street's list")
}

// TestReferralChecksAndDecline: the checks of a dispatch, a decline that
// gives back the place and the voucher, a close, and the role matrix.
func TestReferralChecksAndDecline(t *testing.T) {
	e := newEnv(t)
	f := e.referralFixture(1)
	noConsent := e.referralHousehold(f.coord, "61990119500101003", false)
	dispatch := func(need string) map[string]any {
		return map[string]any{"need_id": need, "target": "offering", "offering_id": f.offering}
	}
	e.expect(e.do("POST", "/api/v1/referrals", f.coord, dispatch(e.needOf(f.coord, noConsent, "bathing"))), 409, "no consent")
	hh := e.referralHousehold(f.coord, "61990119500101004", true)
	meal := e.needOf(f.coord, hh, "meal")
	if r := e.do("POST", "/api/v1/referrals", f.coord, dispatch(meal)); r.status != 400 || r.fields(t)[0] != "offering_id" {
		t.Fatalf("item mismatch: %d %s", r.status, r.body)
	}
	need := e.needOf(f.coord, hh, "bathing")
	e.expect(e.do("POST", "/api/v1/referrals", f.ngo, dispatch(need)), 403, "a provider dispatches")
	e.expect(e.do("POST", "/api/v1/referrals", e.login("volunteer1").AccessToken, dispatch(need)), 403, "a volunteer dispatches")
	id := e.expect(e.do("POST", "/api/v1/referrals", f.coord, dispatch(need)), 201, "dispatch")["id"].(string)
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/accept", f.ngo, nil), 200, "accept")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/decline", f.ngo, map[string]any{"reason": "bored"}), 400, "unknown reason")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/decline", f.ngo, map[string]any{"reason": "cant_reach", "note": "电话无人接"}), 200, "decline")
	if o, _ := e.db.Offering(t.Context(), f.offering); o.Left != 1 {
		t.Fatalf("left %d after decline", o.Left)
	}
	if n, _ := e.db.Need(t.Context(), need); n.State != domain.NeedOpen {
		t.Fatalf("need %s after decline", n.State)
	}
	v := e.expect(e.do("GET", "/api/v1/households/"+hh+"/vouchers", e.login("admin").AccessToken, nil), 200, "admin vouchers")
	if b := v["balance"].(map[string]any); b["reserved"] != float64(0) || b["left"] == float64(0) {
		t.Fatalf("vouchers after decline %v", v)
	}
	id2 := e.expect(e.do("POST", "/api/v1/referrals", f.coord, dispatch(need)), 201, "dispatch again")["id"].(string)
	e.expect(e.do("POST", "/api/v1/referrals/"+id2+"/cancel", f.coord, map[string]any{"note": ""}), 400, "cancel without a note")
	e.expect(e.do("POST", "/api/v1/referrals/"+id2+"/close", f.coord, map[string]any{"outcome": "unreachable_after_3_attempts"}), 400, "unreachable without attempts")
	for range 3 {
		e.expect(e.do("POST", "/api/v1/referrals/"+id2+"/attempts", f.ngo, nil), 200, "attempt")
	}
	closed := e.expect(e.do("POST", "/api/v1/referrals/"+id2+"/close", f.coord, map[string]any{"outcome": "unreachable_after_3_attempts"}), 200, "close")
	if closed["outcome"] != "unreachable_after_3_attempts" {
		t.Fatalf("closed %v", closed)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+id2+"/close", f.ngo, map[string]any{"outcome": "got_help"}), 403, "a provider closes")
	e.expect(e.do("GET", "/api/v1/referrals", f.ngo, nil), 403, "a provider lists cases")
	e.expect(e.do("GET", "/api/v1/referrals/inbox", f.coord, nil), 403, "a coordinator's inbox")
	e.expect(e.do("GET", "/api/v1/referrals?stuck=true", e.login("admin").AccessToken, nil), 200, "admin case list")
	// A resident who asked not to be contacted gets no referral.
	if err := setDoNotContact(e, hh); err != nil {
		t.Fatal(err)
	}
	e.expect(e.do("POST", "/api/v1/referrals", f.coord, dispatch(need)), 409, "do not contact")
}

func setDoNotContact(e *env, householdID string) error {
	h, err := e.db.Household(e.t.Context(), householdID)
	if err != nil {
		return err
	}
	h.DoNotContact = true
	return e.db.UpdateHousehold(e.t.Context(), &h, h.Version)
}

// TestProposalDecisions: accepting a proposal makes one referral however
// many coordinators click at once; a volunteer-pool proposal posts its
// task; rejections need a reason; a job proposal is not a referral.
func TestProposalDecisions(t *testing.T) {
	e := newEnv(t)
	f := e.referralFixture(5)
	hh := e.referralHousehold(f.coord, "61990119500101002", true)
	bath, talk := e.needOf(f.coord, hh, "bathing"), e.needOf(f.coord, hh, "companionship")
	ps := []store.Proposal{
		{Proposal: domain.Proposal{Kind: domain.ProposalService, RunID: "run1", HouseholdID: hh, MemberID: "m1", NeedID: bath,
			Place: taskHome, Target: domain.TargetOffering, TargetID: f.offering, ProviderID: f.ngoID, Score: 1}},
		{Proposal: domain.Proposal{Kind: domain.ProposalService, RunID: "run1", HouseholdID: hh, MemberID: "m1", NeedID: talk,
			Place: taskHome, Target: domain.TargetVolunteerPool, Score: 1}},
		{Proposal: domain.Proposal{Kind: domain.ProposalService, RunID: "run1", HouseholdID: hh, MemberID: "m1", NeedID: talk,
			Place: taskHome, Target: domain.TargetJob, TargetID: "job1", ProviderID: f.ngoID, Score: 1}},
		{Proposal: domain.Proposal{Kind: domain.ProposalService, RunID: "run1", HouseholdID: hh, MemberID: "m1", NeedID: bath,
			Place: taskHome, Target: domain.TargetOffering, TargetID: f.offering, ProviderID: f.ngoID, Score: 0.5}},
	}
	if _, err := e.db.InsertProposals(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	const n = 10
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.do("POST", "/api/v1/proposals/"+ps[0].ID+"/accept", f.coord, map[string]any{"units": 1}).status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case 201:
			created++
		case 409:
		default:
			t.Fatalf("concurrent accepts: %v", statuses)
		}
	}
	rs, err := e.db.FindReferrals(t.Context(), store.ReferralFilter{NeedID: bath})
	if created != 1 || err != nil || len(rs) != 1 || rs[0].ProposalID != ps[0].ID {
		t.Fatalf("%d created, referrals %+v, %v", created, rs, err)
	}
	if p, _ := e.db.Proposal(t.Context(), ps[0].ID); p.State != domain.ProposalAccepted {
		t.Fatalf("proposal %s", p.State)
	}
	vol := e.expect(e.do("POST", "/api/v1/proposals/"+ps[1].ID+"/accept", f.coord, nil), 201, "volunteer-pool accept")
	task, ok := vol["task"].(map[string]any)
	if !ok || task["status"] != "open" || vol["referral"].(map[string]any)["state"] != "task_posted" {
		t.Fatalf("volunteer-pool accept %v", vol)
	}
	job := e.do("POST", "/api/v1/proposals/"+ps[2].ID+"/accept", f.coord, nil)
	if job.status != 409 || !strings.Contains(string(job.body), "/applications") {
		t.Fatalf("job accept: %d %s", job.status, job.body)
	}
	e.expect(e.do("POST", "/api/v1/proposals/"+ps[3].ID+"/reject", f.coord, map[string]any{"reason": "not_eligible"}), 400, "a policy reason")
	e.expect(e.do("POST", "/api/v1/proposals/"+ps[3].ID+"/reject", f.ngo, map[string]any{"reason": "too_far"}), 403, "a provider rejects")
	other := e.login("coordinator.610103001").AccessToken
	e.expect(e.do("POST", "/api/v1/proposals/"+ps[3].ID+"/reject", other, map[string]any{"reason": "too_far"}), 404, "another street rejects")
	rej := e.expect(e.do("POST", "/api/v1/proposals/"+ps[3].ID+"/reject", f.coord, map[string]any{"reason": "too_far"}), 200, "reject")
	if rej["state"] != "rejected" || rej["reject_reason"] != "too_far" {
		t.Fatalf("rejected %v", rej)
	}
	e.expect(e.do("POST", "/api/v1/proposals/"+ps[3].ID+"/accept", f.coord, nil), 409, "accept a rejected proposal")
	// The volunteer referral follows its task: cancelling the task cancels it.
	e.expect(e.do("POST", "/api/v1/tasks/"+task["id"].(string)+"/cancel", f.coord, map[string]any{"note": "家属已安排"}), 200, "cancel the task")
	refID := vol["referral"].(map[string]any)["id"].(string)
	if r, _ := e.db.Referral(t.Context(), refID); r.State != domain.ReferralCancelled {
		t.Fatalf("volunteer referral %s after its task was cancelled", r.State)
	}
	if n, _ := e.db.Need(t.Context(), talk); n.State != domain.NeedOpen {
		t.Fatalf("need %s after the volunteer referral ended", n.State)
	}
}

// TestPolicyReferral: accepting a policy lead assists the application; the
// office's steps are recorded, each in the household log.
func TestPolicyReferral(t *testing.T) {
	e := newEnv(t)
	coord := e.login(taskCoord).AccessToken
	hh := e.referralHousehold(coord, "61990119500101002", true)
	policy := seed.Policies()[0].ID
	ps := []store.Proposal{{Proposal: domain.Proposal{Kind: domain.ProposalPolicy, RunID: "run1", HouseholdID: hh,
		Place: taskHome, Target: domain.TargetPolicy, TargetID: policy, Score: 1}}}
	if _, err := e.db.InsertProposals(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	out := e.expect(e.do("POST", "/api/v1/proposals/"+ps[0].ID+"/accept", coord, nil), 201, "accept a lead")
	ref := out["referral"].(map[string]any)
	id := ref["id"].(string)
	if ref["state"] != "application_assisted" || ref["policy_name"] == "" || out["proposal"].(map[string]any)["state"] != "accepted" {
		t.Fatalf("policy referral %v", out)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/start", coord, nil), 409, "a policy referral has no service")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/office-accepted", coord, nil), 200, "office accepted")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/result", coord, map[string]any{"result": "maybe"}), 400, "unknown result")
	done := e.expect(e.do("POST", "/api/v1/referrals/"+id+"/result", coord, map[string]any{"result": "approved"}), 200, "result")
	if done["state"] != "result_recorded" || done["result"] != "approved" {
		t.Fatalf("result %v", done)
	}
	log, err := e.db.HouseholdLog(t.Context(), hh)
	if err != nil || len(log) != 2 || log[0].Kind != domain.LogApplication || log[1].Kind != domain.LogOutcome || log[1].Outcome != domain.OfficialApproved {
		t.Fatalf("household log %+v, %v", log, err)
	}
}
