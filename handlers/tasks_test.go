package handlers

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"lianzhu/auth"
	"lianzhu/domain"
)

const (
	taskHome      = "610103002002001" // a compound of a community of 柏树林街道
	taskCommunity = "610103002002"
	taskCoord     = "coordinator.610103002"
	taskIncome    = 98765432 // fen: must never reach a volunteer
)

// consentingHousehold files a one-person household (李一, born 1950, a
// woman) in taskHome with an income recorded, consenting to volunteers or
// not, and returns its ID.
func (e *env) consentingHousehold(token, id17 string, consent bool) string {
	e.t.Helper()
	h := newHousehold(e.t, taskHome, validID(e.t, id17))
	h["monthly_income"] = e.fact(taskIncome)
	if consent {
		h["consents"] = []map[string]any{{"member_id": "m1", "recipient": "volunteer", "action": "grant",
			"at": e.clock.Now().Add(-time.Hour).Format(time.RFC3339), "method": "written", "recorded_by": "coordinator"}}
	}
	r := e.do("POST", "/api/v1/households", token, h)
	if r.status != 201 {
		e.t.Fatalf("household: %d %s", r.status, r.body)
	}
	return r.json(e.t)["id"].(string)
}

// companionshipNeed records a companionship need for m1 of a household.
func (e *env) companionshipNeed(token, householdID string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/needs", token, map[string]any{"household_id": householdID, "member_id": "m1",
		"item": "companionship", "own_words": "一个人在家闷得慌，电话13912340000", "neutral_note": "独居老人，希望有人陪着聊聊天",
		"urgency": "normal", "channel": "home_visit"})
	if r.status != 201 {
		e.t.Fatalf("need: %d %s", r.status, r.body)
	}
	return r.json(e.t)["id"].(string)
}

// taskBody asks for a task with a two-hour window starting in an hour.
func (e *env) taskBody(needID string) map[string]any {
	start := e.clock.Now().Add(time.Hour)
	return map[string]any{"need_id": needID, "window_start": start.Format(time.RFC3339),
		"window_end": start.Add(2 * time.Hour).Format(time.RFC3339), "skills": []string{"耐心"}, "address_hint": "按401门铃"}
}

// openTask files a consenting household, its need and a task, and returns
// the task's and the household's IDs.
func (e *env) openTask(coord, id17 string) (taskID, householdID string) {
	e.t.Helper()
	householdID = e.consentingHousehold(coord, id17, true)
	r := e.do("POST", "/api/v1/tasks", coord, e.taskBody(e.companionshipNeed(coord, householdID)))
	if r.status != 201 {
		e.t.Fatalf("post task: %d %s", r.status, r.body)
	}
	return r.json(e.t)["id"].(string), householdID
}

// newVolunteer registers a volunteer of taskCommunity with an account and
// returns their token and provider ID.
func (e *env) newVolunteer(username string, verified bool) (token, id string) {
	e.t.Helper()
	p := domain.Provider{Kind: domain.ProviderVolunteer, Name: "志愿者" + username, ContactPhone: "13800004444",
		Place: taskCommunity, Area: domain.ServiceArea{Places: []string{taskCommunity}},
		Verification: domain.VerificationPending, TrafficLight: domain.LightGreen}
	if verified {
		p.Verification = domain.VerificationVerified
	}
	if err := e.db.CreateProvider(e.t.Context(), &p); err != nil {
		e.t.Fatal(err)
	}
	u := domain.User{Username: username, Role: domain.RoleVolunteer, ProviderID: p.ID, PasswordHash: testHash(e.t)}
	if err := e.db.CreateUser(e.t.Context(), &u); err != nil {
		e.t.Fatal(err)
	}
	return e.login(username).AccessToken, p.ID
}

// keys returns the sorted keys of a JSON object.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// boardItem finds a task on the open board as the volunteer sees it.
func (e *env) boardItem(token, taskID string) (map[string]any, bool) {
	e.t.Helper()
	r := e.do("GET", "/api/v1/tasks?status=open", token, nil)
	if r.status != 200 {
		e.t.Fatalf("board: %d %s", r.status, r.body)
	}
	for _, it := range r.json(e.t)["items"].([]any) {
		if m := it.(map[string]any); m["id"] == taskID {
			return m, true
		}
	}
	return nil, false
}

// TestVolunteerTaskJourney: a volunteer signs up, is verified, claims a
// task, checks in and out and completes it with the resident's code; the
// household log gets the service record and the need is resolved.
func TestVolunteerTaskJourney(t *testing.T) {
	e := newEnv(t, longTokens(t))
	coord := e.login(taskCoord).AccessToken
	hid := e.consentingHousehold(coord, "61990119500101002", true)
	needID := e.companionshipNeed(coord, hid)
	r := e.do("POST", "/api/v1/tasks", coord, e.taskBody(needID))
	if r.status != 201 {
		t.Fatalf("post task: %d %s", r.status, r.body)
	}
	posted := r.json(t)
	taskID := posted["id"].(string)
	if posted["status"] != "open" || posted["resident"] != "李女士, 70s" || posted["category_name"] != "精神慰藉" ||
		posted["place"] != taskHome || !strings.Contains(fmt.Sprint(posted["address"]), "按401门铃") {
		t.Fatalf("posted task: %s", r.body)
	}
	if r := e.do("POST", "/api/v1/tasks", coord, e.taskBody(needID)); r.status != 409 {
		t.Fatalf("second task for the need: %d %s", r.status, r.body)
	}

	// Sign up: pending, so the first claim is refused with the reason.
	signup := map[string]any{"username": "xiaozhang", "password": testPassword, "name": "张小明", "phone": "139 1234 5678",
		"place": taskCommunity, "skills": []string{"聊天", "读报"}, "availability": "周末上午"}
	r = e.do("POST", "/api/v1/volunteers/signup", "", signup)
	if r.status != 201 {
		t.Fatalf("signup: %d %s", r.status, r.body)
	}
	vol := r.json(t)["volunteer"].(map[string]any)
	volID := vol["id"].(string)
	if vol["verification"] != "pending" || vol["phone"] != "13912345678" || len(vol["skills"].([]any)) != 2 {
		t.Fatalf("signed up: %s", r.body)
	}
	if r := e.do("POST", "/api/v1/volunteers/signup", "", signup); r.status != 409 || r.fields(t)[0] != "username" {
		t.Fatalf("same username again: %d %s", r.status, r.body)
	}
	token := e.login("xiaozhang").AccessToken
	r = e.do("POST", "/api/v1/tasks/"+taskID+"/claim", token, nil)
	if r.status != 403 || !strings.Contains(string(r.body), "审核") {
		t.Fatalf("unverified claim: %d %s", r.status, r.body)
	}

	// The coordinators of the volunteer's place verify them.
	r = e.do("GET", "/api/v1/volunteers?verification=pending", coord, nil)
	if items := r.json(t)["items"].([]any); r.status != 200 || len(items) != 1 || items[0].(map[string]any)["availability"] != "周末上午" {
		t.Fatalf("pending volunteers: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/volunteers/"+volID+"/verify", e.login("coordinator.610103003").AccessToken, nil); r.status != 404 {
		t.Fatalf("verify from another street: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/volunteers/"+volID+"/verify", coord, nil); r.status != 200 || r.json(t)["verification"] != "verified" {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/volunteers/"+volID+"/verify", coord, nil); r.status != 409 {
		t.Fatalf("verify twice: %d", r.status)
	}

	// The board, then the claim: the address comes with the claim.
	item, ok := e.boardItem(token, taskID)
	want := []string{"category", "category_name", "id", "note", "place", "resident", "skills", "status", "window_end", "window_start"}
	if !ok || !slices.Equal(keys(item), want) || item["place"] != taskCommunity {
		t.Fatalf("board item: %v", item)
	}
	r = e.do("POST", "/api/v1/tasks/"+taskID+"/claim", token, nil)
	if r.status != 200 || r.json(t)["status"] != "claimed" || !strings.Contains(fmt.Sprint(r.json(t)["address"]), "锦绣家属院") {
		t.Fatalf("claim: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/claim", token, nil); r.status != 409 || r.errorCode(t) != "conflict" {
		t.Fatalf("repeat claim: %d %s", r.status, r.body)
	}

	// The coordinator issues the resident's code; the visit happens.
	r = e.do("POST", "/api/v1/tasks/"+taskID+"/code", coord, nil)
	code, _ := r.json(t)["code"].(string)
	if r.status != 200 || len(code) != 6 {
		t.Fatalf("code: %d %s", r.status, r.body)
	}
	e.clock.Add(time.Hour)
	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/check-in", token, nil); r.status != 200 || r.json(t)["status"] != "in_progress" {
		t.Fatalf("check-in: %d %s", r.status, r.body)
	}
	e.clock.Add(45 * time.Minute)
	r = e.do("POST", "/api/v1/tasks/"+taskID+"/check-out", token, nil)
	if done := r.json(t); r.status != 200 || done["status"] != "done" || done["minutes"] != 45.0 || done["address"] != nil {
		t.Fatalf("check-out: %d %s", r.status, r.body)
	}

	// Proof: a wrong code and a rating out of range change nothing.
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	for _, c := range []struct {
		name   string
		body   map[string]any
		status int
	}{
		{"wrong code", map[string]any{"code": wrong, "rating": map[string]any{"stars": 5}}, 400},
		{"rating out of range", map[string]any{"code": code, "rating": map[string]any{"stars": 6}}, 400},
		{"no code", map[string]any{"code": ""}, 400},
	} {
		if r := e.do("POST", "/api/v1/tasks/"+taskID+"/complete", token, c.body); r.status != c.status {
			t.Fatalf("%s: %d %s", c.name, r.status, r.body)
		}
		if got := e.do("GET", "/api/v1/tasks/"+taskID, token, nil).json(t); got["status"] != "done" {
			t.Fatalf("%s changed the task: %v", c.name, got)
		}
	}
	r = e.do("POST", "/api/v1/tasks/"+taskID+"/complete", token, map[string]any{"code": code, "rating": map[string]any{"stars": 5, "comment": "聊得很开心"}})
	if r.status != 200 || r.json(t)["status"] != "confirmed" {
		t.Fatalf("complete: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/complete", token, map[string]any{"code": code}); r.status != 409 {
		t.Fatalf("reused code: %d %s", r.status, r.body)
	}

	// The household log has the service record; the need is resolved.
	log, err := e.db.HouseholdLog(t.Context(), hid)
	if err != nil || len(log) != 1 || log[0].Kind != domain.LogService || !strings.Contains(log[0].Text, "45分钟") ||
		!strings.Contains(log[0].Text, "张小明") || !strings.Contains(log[0].Text, "5星") {
		t.Fatalf("household log: %+v, %v", log, err)
	}
	if r := e.do("GET", "/api/v1/needs/"+needID, coord, nil); r.json(t)["state"] != "resolved" {
		t.Fatalf("need: %s", r.body)
	}
	hours := e.do("GET", "/api/v1/volunteers/me/hours", token, nil).json(t)
	if hours["confirmed_minutes"] != 45.0 || hours["visits"] != 1.0 {
		t.Fatalf("hours: %v", hours)
	}
	mine := e.do("GET", "/api/v1/tasks/mine", token, nil).json(t)["items"].([]any)
	if len(mine) != 1 || mine[0].(map[string]any)["status"] != "confirmed" || mine[0].(map[string]any)["address"] != nil {
		t.Fatalf("mine: %v", mine)
	}
}

// TestTaskClaimRace: 100 claims at once on one task from 20 volunteers
// (five each): exactly one 200, 99 409s, and the winner's repeat is 409.
func TestTaskClaimRace(t *testing.T) {
	e := newEnv(t, longTokens(t))
	coord := e.login(taskCoord).AccessToken
	taskID, _ := e.openTask(coord, "61990119500101002")
	var tokens []string
	for i := range 20 {
		tok, _ := e.newVolunteer("racer"+string(rune('a'+i)), true)
		tokens = append(tokens, tok)
	}
	var mu sync.Mutex
	statuses := map[int]int{}
	winner := ""
	var wg sync.WaitGroup
	for i := range 100 {
		tok := tokens[i%len(tokens)]
		wg.Go(func() {
			req := httptest.NewRequest("POST", "/api/v1/tasks/"+taskID+"/claim", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := e.app.Test(req, -1)
			if err != nil {
				t.Errorf("claim: %v", err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			mu.Lock()
			defer mu.Unlock()
			statuses[resp.StatusCode]++
			var e struct {
				Error struct{ Code string } `json:"error"`
			}
			switch {
			case resp.StatusCode == 200:
				winner = tok
			case json.Unmarshal(body, &e) != nil || e.Error.Code != "conflict":
				t.Errorf("loser answered %d %s", resp.StatusCode, body)
			}
		})
	}
	wg.Wait()
	if statuses[200] != 1 || statuses[409] != 99 {
		t.Fatalf("statuses = %v", statuses)
	}
	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/claim", winner, nil); r.status != 409 || r.errorCode(t) != "conflict" {
		t.Fatalf("winner's repeat: %d %s", r.status, r.body)
	}
}

// TestTaskReleaseAndExpiry: a volunteer releases their claim; a claim not
// started by its deadline goes back to the board by itself.
func TestTaskReleaseAndExpiry(t *testing.T) {
	e := newEnv(t, longTokens(t))
	coord := e.login(taskCoord).AccessToken
	taskID, _ := e.openTask(coord, "61990119500101002")
	a, _ := e.newVolunteer("vola", true)
	b, _ := e.newVolunteer("volb", true)

	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/claim", a, nil); r.status != 200 {
		t.Fatalf("claim: %d %s", r.status, r.body)
	}
	if _, ok := e.boardItem(b, taskID); ok {
		t.Fatal("a claimed task is still on the board")
	}
	if r := e.do("GET", "/api/v1/tasks/"+taskID, b, nil); r.status != 404 {
		t.Fatalf("another volunteer reads the claimed task: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/release", b, nil); r.status != 403 {
		t.Fatalf("release by another: %d %s", r.status, r.body)
	}
	r := e.do("POST", "/api/v1/tasks/"+taskID+"/release", a, nil)
	if r.status != 200 || r.json(t)["status"] != "open" || r.json(t)["address"] != nil {
		t.Fatalf("release: %d %s", r.status, r.body)
	}
	if _, ok := e.boardItem(b, taskID); !ok {
		t.Fatal("a released task is not back on the board")
	}

	// b claims and never comes: past the deadline (the window's end) the
	// claim lapses on the next read, and b can no longer check in.
	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/claim", b, nil); r.status != 200 {
		t.Fatalf("claim: %d %s", r.status, r.body)
	}
	e.clock.Add(3*time.Hour + time.Minute)
	if item, ok := e.boardItem(a, taskID); !ok || item["status"] != "open" {
		t.Fatalf("lapsed claim not back on the board: %v", item)
	}
	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/check-in", b, nil); r.status != 409 {
		t.Fatalf("check-in after the claim lapsed: %d %s", r.status, r.body)
	}
}

// TestTaskDisclosure: what a volunteer's JSON holds — never ID numbers,
// income, illness or assistance status; the address only while holding the
// claim — and residents without consent (or do-not-contact) never reach
// volunteers.
func TestTaskDisclosure(t *testing.T) {
	e := newEnv(t, longTokens(t))
	coord := e.login(taskCoord).AccessToken
	id17 := "61990119500101002"
	taskID, hid := e.openTask(coord, id17)
	tok, _ := e.newVolunteer("privacy", true)
	idNumber := validID(t, id17)
	forbidden := []string{idNumber, "**********", "98765432", "income", "illness", "disability",
		"assistance", "household_id", "member_id", "need_id", "own_words", "13912340000", "id_masked", "李一"}
	check := func(step string, body []byte, address bool) {
		t.Helper()
		for _, f := range forbidden {
			if strings.Contains(string(body), f) {
				t.Fatalf("%s: volunteer JSON holds %q: %s", step, f, body)
			}
		}
		if got := strings.Contains(string(body), "锦绣家属院"); got != address {
			t.Fatalf("%s: address shown = %v: %s", step, got, body)
		}
	}
	check("board", e.do("GET", "/api/v1/tasks?status=open", tok, nil).body, false)
	check("task", e.do("GET", "/api/v1/tasks/"+taskID, tok, nil).body, false)
	check("claim", e.do("POST", "/api/v1/tasks/"+taskID+"/claim", tok, nil).body, true)
	check("held", e.do("GET", "/api/v1/tasks/"+taskID, tok, nil).body, true)
	check("mine", e.do("GET", "/api/v1/tasks/mine", tok, nil).body, true)
	check("release", e.do("POST", "/api/v1/tasks/"+taskID+"/release", tok, nil).body, false)
	check("after release", e.do("GET", "/api/v1/tasks/"+taskID, tok, nil).body, false)

	// The resident withdraws consent: the task leaves the board and cannot be claimed.
	ctx := t.Context()
	hh, err := e.db.Household(ctx, hid)
	if err != nil {
		t.Fatal(err)
	}
	hh.Consents = append(hh.Consents, domain.ConsentEvent{MemberID: "m1", Recipient: domain.RecipientVolunteer,
		Action: domain.ConsentWithdraw, At: e.clock.Now(), Method: domain.ConsentVerbal, RecordedBy: taskCoord})
	if err := e.db.UpdateHousehold(ctx, &hh, hh.Version); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.boardItem(tok, taskID); ok {
		t.Fatal("task of a resident who withdrew consent is on the board")
	}
	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/claim", tok, nil); r.status != 409 {
		t.Fatalf("claim after consent was withdrawn: %d %s", r.status, r.body)
	}

	// No consent, or do-not-contact: no task at all.
	noConsent := e.consentingHousehold(coord, "61990119500101003", false)
	if r := e.do("POST", "/api/v1/tasks", coord, e.taskBody(e.companionshipNeed(coord, noConsent))); r.status != 409 {
		t.Fatalf("task without consent: %d %s", r.status, r.body)
	}
	dnc := e.consentingHousehold(coord, "61990119500101004", true)
	need := e.companionshipNeed(coord, dnc)
	if hh, err = e.db.Household(ctx, dnc); err != nil {
		t.Fatal(err)
	}
	hh.DoNotContact = true
	if err := e.db.UpdateHousehold(ctx, &hh, hh.Version); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/api/v1/tasks", coord, e.taskBody(need)); r.status != 409 || !strings.Contains(string(r.body), "不被联系") {
		t.Fatalf("task for a do-not-contact resident: %d %s", r.status, r.body)
	}
}

// TestTaskRoles: who may do what, and a coordinator's proofs and
// cancellation.
func TestTaskRoles(t *testing.T) {
	e := newEnv(t, longTokens(t))
	coord := e.login(taskCoord).AccessToken
	other := e.login("coordinator.610103003").AccessToken
	admin := e.login("admin").AccessToken
	noRecord := e.login("volunteer1").AccessToken // a volunteer account without a volunteer record
	taskID, _ := e.openTask(coord, "61990119500101002")
	vol, _ := e.newVolunteer("roles", true)
	e.newProvider(admin, "ngo", "51610103MJ0000009", "ngo9")
	ngo := e.login("ngo9").AccessToken

	for _, c := range []struct {
		name, method, path, token string
		body                      any
		status                    int
	}{
		{"admin lists tasks", "GET", "/api/v1/tasks", admin, nil, 403},
		{"ngo lists tasks", "GET", "/api/v1/tasks", ngo, nil, 403},
		{"other street reads the task", "GET", "/api/v1/tasks/" + taskID, other, nil, 404},
		{"other street lists its place", "GET", "/api/v1/tasks?place=" + taskCommunity, other, nil, 403},
		{"volunteer posts a task", "POST", "/api/v1/tasks", vol, map[string]any{"need_id": "x"}, 403},
		{"volunteer issues a code", "POST", "/api/v1/tasks/" + taskID + "/code", vol, nil, 403},
		{"volunteer confirms", "POST", "/api/v1/tasks/" + taskID + "/confirm", vol, map[string]any{"method": "callback"}, 403},
		{"coordinator claims", "POST", "/api/v1/tasks/" + taskID + "/claim", coord, nil, 403},
		{"account without record claims", "POST", "/api/v1/tasks/" + taskID + "/claim", noRecord, nil, 403},
		{"other street issues a code", "POST", "/api/v1/tasks/" + taskID + "/code", other, nil, 404},
		{"code for an open task", "POST", "/api/v1/tasks/" + taskID + "/code", coord, nil, 409},
		{"volunteer lists volunteers", "GET", "/api/v1/volunteers", vol, nil, 403},
		{"coordinator's hours", "GET", "/api/v1/volunteers/me/hours", coord, nil, 403},
		{"volunteer verifies", "POST", "/api/v1/volunteers/x/verify", vol, nil, 403},
		{"no token", "GET", "/api/v1/tasks", "", nil, 401},
	} {
		if r := e.do(c.method, c.path, c.token, c.body); r.status != c.status {
			t.Fatalf("%s: want %d, got %d %s", c.name, c.status, r.status, r.body)
		}
	}

	// Sign-up validation names every field at once.
	r := e.do("POST", "/api/v1/volunteers/signup", "", map[string]any{"username": "X Y", "password": "short", "name": "",
		"phone": "12345", "place": "610103002000", "skills": []string{""}})
	want := []string{"name", "password", "phone", "place", "skills[0]", "username"}
	if got := r.fields(t); r.status != 400 || !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Fatalf("signup validation: %d %s", r.status, r.body)
	}

	// The sign-up form lists communities without a sign-in: code, name, street.
	r = e.do("GET", "/api/v1/volunteers/signup/places", "", nil)
	if r.status != 200 {
		t.Fatalf("signup places: %d %s", r.status, r.body)
	}
	for _, it := range r.json(t)["items"].([]any) {
		pl := it.(map[string]any)
		if domain.PlaceLevelOf(pl["code"].(string)) != domain.LevelCommunity || pl["name"] == "" || pl["street"] == "" || len(pl) != 3 {
			t.Fatalf("signup place: %v", pl)
		}
	}

	// A coordinator proves a visit by a follow-up call; another task is cancelled.
	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/claim", vol, nil); r.status != 200 {
		t.Fatalf("claim: %d %s", r.status, r.body)
	}
	e.clock.Add(time.Hour)
	e.do("POST", "/api/v1/tasks/"+taskID+"/check-in", vol, nil)
	e.clock.Add(time.Hour)
	e.do("POST", "/api/v1/tasks/"+taskID+"/check-out", vol, nil)
	if r := e.do("POST", "/api/v1/tasks/"+taskID+"/confirm", coord, map[string]any{"method": "callback"}); r.status != 400 {
		t.Fatalf("callback without a note: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/api/v1/tasks/"+taskID+"/confirm", coord, map[string]any{"method": "callback", "note": "老人说小伙子很热心",
		"rating": map[string]any{"stars": 4}})
	if got := r.json(t); r.status != 200 || got["status"] != "confirmed" || got["proof"].(map[string]any)["method"] != "callback" {
		t.Fatalf("callback confirm: %d %s", r.status, r.body)
	}
	second, _ := e.openTask(coord, "61990119500101003")
	if r := e.do("POST", "/api/v1/tasks/"+second+"/cancel", coord, map[string]any{"note": "居民住院"}); r.status != 200 || r.json(t)["status"] != "cancelled" {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	got := e.do("GET", "/api/v1/tasks?status=cancelled", coord, nil).json(t)["items"].([]any)
	if len(got) != 1 {
		t.Fatalf("cancelled tasks: %v", got)
	}
	needID := got[0].(map[string]any)["need_id"].(string)
	if r := e.do("GET", "/api/v1/needs/"+needID, coord, nil); r.json(t)["state"] != "open" {
		t.Fatalf("the cancelled task's need: %s", r.body)
	}
}

// longTokens keeps access tokens valid for a day (the task tests move the
// clock by hours) and makes sign-ups hash cheaply.
func longTokens(t *testing.T) envOption {
	return func(d *Deps) {
		tokens, err := auth.NewTokens([]byte("test-secret-test-secret-test-secret!"), 24*time.Hour, d.Now)
		if err != nil {
			t.Fatal(err)
		}
		d.Tokens = tokens
		// A sign-up's bcrypt at the production cost takes many seconds under -race.
		d.HashPassword = func(password string) (string, error) {
			if err := auth.ValidatePassword(password); err != nil {
				return "", err
			}
			b, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
			return string(b), err
		}
	}
}
