package handlers

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
)

// plainHousehold is referralHousehold without assistance: no voucher, so
// any number of its referrals may be dispatched.
func (e *env) plainHousehold(token, id17 string) string {
	e.t.Helper()
	id := e.referralHousehold(token, id17, true)
	h, err := e.db.Household(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	h.Assistance = nil
	if err := e.db.UpdateHousehold(e.t.Context(), &h, h.Version); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// dispatchTo dispatches a need to the fixture's offering and returns the
// referral's ID.
func (e *env) dispatchTo(f refFixture, need string) string {
	e.t.Helper()
	body := map[string]any{"need_id": need, "target": "offering", "offering_id": f.offering}
	return e.expect(e.do("POST", "/api/v1/referrals", f.coord, body), 201, "dispatch")["id"].(string)
}

// relogin renews the fixture's tokens after the clock moved past them.
func (e *env) relogin(f *refFixture) {
	f.admin, f.coord = e.login("admin").AccessToken, e.login(taskCoord).AccessToken
	f.ngo, f.other = e.login("ngo1").AccessToken, e.login("ngo2").AccessToken
}

func (e *env) referralState(id string) domain.ReferralState {
	e.t.Helper()
	r, err := e.db.Referral(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r.State
}

func (e *env) needState(id string) domain.NeedState {
	e.t.Helper()
	n, err := e.db.Need(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return n.State
}

// TestVolunteerReferralFollowsTask: a volunteer-pool dispatch posts a task;
// the referral and the need follow it — claimed (still posted), checked in
// (in service), checked out and completed with the resident's code and a
// rating (completed, then rated; need resolved) — and the household log has
// the service once. The referral cannot be moved by hand meanwhile.
func TestVolunteerReferralFollowsTask(t *testing.T) {
	e := newEnv(t, longTokens(t))
	coord := e.login(taskCoord).AccessToken
	hh := e.referralHousehold(coord, "61990119500101002", true)
	need := e.companionshipNeed(coord, hh)
	ref := e.expect(e.do("POST", "/api/v1/referrals", coord, map[string]any{"need_id": need, "target": "volunteer_pool",
		"note": "请找一位有耐心的志愿者"}), 201, "dispatch to the volunteer pool")
	id := ref["id"].(string)
	taskID, _ := ref["task_id"].(string)
	if ref["state"] != "task_posted" || taskID == "" {
		t.Fatalf("dispatched %v", ref)
	}
	if e.needState(need) != domain.NeedMatched {
		t.Fatalf("need %s after dispatch", e.needState(need))
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/start", coord, nil), 409, "start a volunteer referral by hand")
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/complete", coord,
		map[string]any{"proof": map[string]any{"method": "call", "note": "回访"}}), 409, "complete a volunteer referral by hand")

	vol, _ := e.newVolunteer("vol-ref", true)
	e.expect(e.do("POST", "/api/v1/tasks/"+taskID+"/claim", vol, nil), 200, "claim")
	if s := e.referralState(id); s != domain.ReferralTaskPosted {
		t.Fatalf("referral %s after the claim", s)
	}
	code := e.expect(e.do("POST", "/api/v1/tasks/"+taskID+"/code", coord, nil), 200, "task code")["code"].(string)

	e.clock.Add(90 * time.Minute)
	e.expect(e.do("POST", "/api/v1/tasks/"+taskID+"/check-in", vol, nil), 200, "check-in")
	if s := e.referralState(id); s != domain.ReferralInService {
		t.Fatalf("referral %s after the check-in", s)
	}
	if s := e.needState(need); s != domain.NeedInService {
		t.Fatalf("need %s after the check-in", s)
	}
	e.clock.Add(50 * time.Minute)
	e.expect(e.do("POST", "/api/v1/tasks/"+taskID+"/check-out", vol, nil), 200, "check-out")
	if s := e.referralState(id); s != domain.ReferralInService {
		t.Fatalf("referral %s after the check-out", s)
	}
	e.expect(e.do("POST", "/api/v1/tasks/"+taskID+"/complete", vol,
		map[string]any{"code": code, "rating": map[string]any{"stars": 4, "comment": "聊得很好"}}), 200, "complete the task")

	got := e.expect(e.do("GET", "/api/v1/referrals/"+id, coord, nil), 200, "the referral")
	if got["state"] != "rated" || got["task_id"] != taskID {
		t.Fatalf("referral after the task %v", got)
	}
	if rating, _ := got["rating"].(map[string]any); rating["stars"] != float64(4) {
		t.Fatalf("rating %v", got["rating"])
	}
	if proof, _ := got["proof"].(map[string]any); proof["method"] != "code" {
		t.Fatalf("proof %v", got["proof"])
	}
	var path []string
	for _, h := range got["history"].([]any) {
		path = append(path, h.(map[string]any)["to"].(string))
	}
	if fmt.Sprint(path) != "[task_posted in_service completed rated]" {
		t.Fatalf("history %v", path)
	}
	if s := e.needState(need); s != domain.NeedResolved {
		t.Fatalf("need %s after completion", s)
	}
	log, err := e.db.HouseholdLog(t.Context(), hh)
	if err != nil || len(log) != 1 || log[0].Kind != domain.LogService {
		t.Fatalf("household log %+v, %v", log, err)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+id+"/cancel", coord, map[string]any{"note": "x"}), 409, "cancel a rated referral")
}

// TestReferralSignatureProof: a provider completes with the resident's
// signature — not before a service is recorded, not without the signature's
// reference, never as a coordinator — and the proof is kept.
func TestReferralSignatureProof(t *testing.T) {
	e := newEnv(t)
	f := e.referralFixture(2)
	hh := e.referralHousehold(f.coord, "61990119500101002", true)
	need := e.needOf(f.coord, hh, "bathing")
	id := e.dispatchTo(f, need)
	path := "/api/v1/referrals/" + id
	e.expect(e.do("POST", path+"/accept", f.ngo, nil), 200, "accept")
	e.expect(e.do("POST", path+"/start", f.ngo, nil), 200, "start")
	signed := map[string]any{"proof": map[string]any{"method": "signature", "signature_ref": "signatures/2026/ref-1.png"}}
	e.expect(e.do("POST", path+"/complete", f.ngo, signed), 400, "complete before any service")
	svc := map[string]any{"date": e.clock.Now().In(domain.ChinaZone()).Format(time.DateOnly), "minutes": 50, "units": 1,
		"what_was_done": "上门助浴", "worker": "王护工"}
	e.expect(e.do("POST", path+"/services", f.ngo, svc), 201, "service record")
	e.expect(e.do("POST", path+"/complete", f.ngo, map[string]any{"proof": map[string]any{"method": "signature"}}), 400, "a signature without its reference")
	e.expect(e.do("POST", path+"/complete", f.coord, signed), 400, "a coordinator's signature")
	e.expect(e.do("POST", path+"/complete", f.other, signed), 403, "another provider completes")
	if s := e.referralState(id); s != domain.ReferralInService {
		t.Fatalf("refused completions moved the referral to %s", s)
	}
	done := e.expect(e.do("POST", path+"/complete", f.ngo, signed), 200, "complete with a signature")
	proof, _ := done["proof"].(map[string]any)
	if done["state"] != "completed" || proof["method"] != "signature" || proof["signature_ref"] != "signatures/2026/ref-1.png" ||
		proof["recorded_by"] != "ngo1" {
		t.Fatalf("completed %v", done)
	}
	recs := done["service_records"].([]any)
	if len(recs) != 1 || recs[0].(map[string]any)["confirmed_at"] == nil {
		t.Fatalf("records %v", recs)
	}
	e.expect(e.do("POST", path+"/complete", f.ngo, signed), 409, "complete twice")
	if s := e.needState(need); s != domain.NeedResolved {
		t.Fatalf("need %s", s)
	}
	v := e.expect(e.do("GET", "/api/v1/households/"+hh+"/vouchers", f.coord, nil), 200, "vouchers")
	if b := v["balance"].(map[string]any); b["spent"] != float64(2000) || b["reserved"] != float64(0) {
		t.Fatalf("vouchers %v", v)
	}
}

// TestStuckReferralList: GET /referrals?stuck=true lists the stuck cases
// first, each group longest waiting first, with waited_hours; it pages by
// offset; without stuck=true the order is by id.
func TestStuckReferralList(t *testing.T) {
	e := newEnv(t, longTokens(t))
	f := e.referralFixture(10)
	hh := e.plainHousehold(f.coord, "61990119500101002")
	needs := make([]string, 5)
	for i := range needs {
		needs[i] = e.needOf(f.coord, hh, "bathing")
	}
	const day = 24 * time.Hour
	wait := func(d time.Duration) { e.clock.Add(d); e.relogin(&f) }
	// t0: A awaits the provider. t0+1d: B and C await; C is accepted half an
	// hour later. t0+3d: D awaits. t0+4d-1h: E awaits.
	a := e.dispatchTo(f, needs[0])
	wait(day)
	b, c := e.dispatchTo(f, needs[1]), e.dispatchTo(f, needs[2])
	wait(30 * time.Minute)
	e.expect(e.do("POST", "/api/v1/referrals/"+c+"/accept", f.ngo, nil), 200, "accept C")
	wait(2*day - 30*time.Minute)
	d := e.dispatchTo(f, needs[3])
	wait(day - time.Hour)
	eID := e.dispatchTo(f, needs[4])
	wait(time.Hour)
	// Now t0+4d: A waited 96h (stuck after 48h), B 72h (stuck), C accepted
	// 71.5h (stuck only after 72h), D 24h, E 1h.
	want := []struct {
		id     string
		stuck  bool
		waited float64
	}{{a, true, 96}, {b, true, 72}, {c, false, 71}, {d, false, 24}, {eID, false, 1}}

	list := e.expect(e.do("GET", "/api/v1/referrals?stuck=true", f.coord, nil), 200, "stuck list")
	items := list["items"].([]any)
	if len(items) != len(want) || list["next_cursor"] != "" {
		t.Fatalf("stuck list %v", list)
	}
	for i, w := range want {
		it := items[i].(map[string]any)
		if it["id"] != w.id || it["stuck"] != w.stuck || it["waited_hours"] != w.waited {
			t.Fatalf("item %d: id %v stuck %v waited %v, want %+v (list %v)", i, it["id"], it["stuck"], it["waited_hours"], w, items)
		}
	}
	// An hour later C is stuck too (its 3 days passed): behind B, which waited longer.
	e.clock.Add(time.Hour)
	items = e.expect(e.do("GET", "/api/v1/referrals?stuck=true", f.coord, nil), 200, "stuck list later")["items"].([]any)
	var order []any
	for _, it := range items {
		order = append(order, it.(map[string]any)["id"])
	}
	if fmt.Sprint(order) != fmt.Sprint([]any{a, b, c, d, eID}) || items[2].(map[string]any)["stuck"] != true {
		t.Fatalf("order an hour later %v", items)
	}
	// Pages by offset.
	first := e.expect(e.do("GET", "/api/v1/referrals?stuck=true&limit=2", f.coord, nil), 200, "first page")
	if len(first["items"].([]any)) != 2 || first["next_cursor"] != "2" {
		t.Fatalf("first page %v", first)
	}
	second := e.expect(e.do("GET", "/api/v1/referrals?stuck=true&limit=2&cursor=2", f.coord, nil), 200, "second page")
	if items := second["items"].([]any); len(items) != 2 || items[0].(map[string]any)["id"] != c || second["next_cursor"] != "4" {
		t.Fatalf("second page %v", second)
	}
	// A filter applies before the order; another street sees nothing of it.
	only := e.expect(e.do("GET", "/api/v1/referrals?stuck=true&state=accepted", f.coord, nil), 200, "accepted only")["items"].([]any)
	if len(only) != 1 || only[0].(map[string]any)["id"] != c {
		t.Fatalf("accepted only %v", only)
	}
	e.expect(e.do("GET", "/api/v1/referrals?stuck=true&place=610103002000", e.login("coordinator.610103001").AccessToken, nil), 403, "another street")
}

// TestReferralCapacityRaceHTTP: 32 providers' acceptances at once of 32
// referrals to one offering with two places: exactly two 200s, the rest
// 409, no place left; a decline gives one back to the next acceptance.
func TestReferralCapacityRaceHTTP(t *testing.T) {
	e := newEnv(t)
	f := e.referralFixture(2)
	hh := e.plainHousehold(f.coord, "61990119500101002")
	const n = 32
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.dispatchTo(f, e.needOf(f.coord, hh, "bathing"))
	}
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.do("POST", "/api/v1/referrals/"+id+"/accept", f.ngo, nil).status
		}()
	}
	wg.Wait()
	var winners, losers []string
	for i, s := range statuses {
		switch s {
		case 200:
			winners = append(winners, ids[i])
		case 409:
			losers = append(losers, ids[i])
		default:
			t.Fatalf("accepts answered %v", statuses)
		}
	}
	if len(winners) != 2 || len(losers) != n-2 {
		t.Fatalf("%d accepted, %d refused: %v", len(winners), len(losers), statuses)
	}
	left := func() any {
		return e.expect(e.do("GET", "/api/v1/offerings/"+f.offering, f.coord, nil), 200, "offering")["left"]
	}
	if l := left(); l != float64(0) {
		t.Fatalf("left %v after the race", l)
	}
	for _, id := range losers {
		if s := e.referralState(id); s != domain.ReferralAwaitingProvider {
			t.Fatalf("a refused referral is %s", s)
		}
	}
	r := e.do("POST", "/api/v1/referrals/"+losers[0]+"/accept", f.ngo, nil)
	if r.status != 409 || r.errorCode(t) != "conflict" {
		t.Fatalf("accept with no place left: %d %s", r.status, r.body)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+winners[0]+"/decline", f.ngo, map[string]any{"reason": "cant_reach"}), 200, "decline")
	if l := left(); l != float64(1) {
		t.Fatalf("left %v after a decline", l)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+losers[0]+"/accept", f.ngo, nil), 200, "accept the freed place")
	if l := left(); l != float64(0) {
		t.Fatalf("left %v after the freed place was taken", l)
	}
	e.expect(e.do("POST", "/api/v1/referrals/"+losers[1]+"/accept", f.ngo, nil), 409, "accept once more")
}
