package domain

import (
	"bytes"
	"testing"
	"time"
)

// fxTask is an open companionship task for Saturday 21 June 2025, 09:00–11:00
// UTC, posted on 14 June.
func fxTask() Task {
	t := Task{ID: "t1", ReferralID: "r3", NeedID: "n1", HouseholdID: "h1", MemberID: "m1", Item: "companionship",
		Note: "独居老人，希望有人陪着聊聊天、读读报", Place: "610103002001001", Address: "东关正街12号3单元401",
		Resident: "王女士, 70s", WindowStart: juneAt(21, 9), WindowEnd: juneAt(21, 11), Skills: []string{"耐心"}}
	t.Start("u7", day(2025, 6, 14))
	return t
}

// juneAt is an hour of a day in June 2025, UTC.
func juneAt(d, h int) time.Time { return time.Date(2025, 6, d, h, 0, 0, 0, time.UTC) }

func fxVolunteer(id string) Provider {
	return Provider{ID: id, Kind: ProviderVolunteer, Verification: VerificationVerified, TrafficLight: LightGreen}
}

// mustOK fails the test on an error from a step that must succeed.
func mustOK(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func TestCanTransitionTask(t *testing.T) {
	all := []TaskState{TaskOpen, TaskClaimed, TaskInProgress, TaskDone, TaskConfirmed, TaskCancelled, "bogus"}
	allowed := map[[2]TaskState]bool{
		{TaskOpen, TaskClaimed}: true, {TaskOpen, TaskCancelled}: true,
		{TaskClaimed, TaskOpen}: true, {TaskClaimed, TaskInProgress}: true, {TaskClaimed, TaskCancelled}: true,
		{TaskInProgress, TaskDone}: true, {TaskInProgress, TaskCancelled}: true,
		{TaskDone, TaskConfirmed}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := CanTransitionTask(from, to); got != allowed[[2]TaskState{from, to}] {
				t.Errorf("CanTransitionTask(%s, %s) = %v", from, to, got)
			}
		}
	}
	if TaskState("bogus").Valid() || !TaskConfirmed.Valid() {
		t.Error("TaskState.Valid")
	}
}

func TestTaskRules(t *testing.T) {
	r := DefaultTaskRules()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		modify func(*TaskRules)
		field  string
	}{
		{"hold too short", func(r *TaskRules) { r.ClaimHold = time.Minute }, "claim_hold"},
		{"hold too long", func(r *TaskRules) { r.ClaimHold = 15 * 24 * time.Hour }, "claim_hold"},
		{"negative early", func(r *TaskRules) { r.EarlyCheckIn = -time.Minute }, "early_check_in"},
		{"visit too short", func(r *TaskRules) { r.MaxVisit = time.Minute }, "max_visit"},
		{"visit over a day", func(r *TaskRules) { r.MaxVisit = 25 * time.Hour }, "max_visit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rr := r
			tt.modify(&rr)
			expectRule(t, rr.Validate(), tt.field, "range")
		})
	}
}

func TestClaimDeadline(t *testing.T) {
	r := DefaultTaskRules() // 48 hours
	tests := []struct {
		name              string
		claimed, from, to time.Time
		want              time.Time
	}{
		{"claimed before a short window: its end", juneAt(14, 10), juneAt(21, 9), juneAt(21, 11), juneAt(21, 11)},
		{"claimed before a long window: hold from its start", juneAt(14, 10), juneAt(16, 0), juneAt(20, 0), juneAt(18, 0)},
		{"claimed inside a long window: hold from the claim", juneAt(17, 6), juneAt(16, 0), juneAt(23, 0), juneAt(19, 6)},
		{"claimed late in the window: its end", juneAt(22, 6), juneAt(16, 0), juneAt(23, 0), juneAt(23, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.ClaimDeadline(tt.claimed, tt.from, tt.to); !got.Equal(tt.want) {
				t.Fatalf("ClaimDeadline = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTaskMinutes(t *testing.T) {
	in := juneAt(21, 9)
	tests := []struct {
		name string
		out  time.Time
		want int
	}{
		{"ninety minutes", in.Add(90 * time.Minute), 90},
		{"seconds are dropped", in.Add(90*time.Minute + 59*time.Second), 90},
		{"under a minute", in.Add(59 * time.Second), 0},
		{"same instant", in, 0},
		{"out before in", in.Add(-time.Hour), 0},
		{"at the cap", in.Add(8 * time.Hour), 480},
		{"over the cap", in.Add(30 * time.Hour), 480},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TaskMinutes(in, tt.out, 8*time.Hour); got != tt.want {
				t.Fatalf("TaskMinutes = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestTaskValidate(t *testing.T) {
	places, cat := fxPlaces(t), fxCatalogue(t)
	rules := DefaultTaskRules()
	claimed := func(tk *Task) { mustOK(t, tk.Claim(fxVolunteer("v1"), rules, juneAt(15, 7))) }
	tests := []struct {
		name   string
		modify func(*Task)
		field  string
		rule   string
	}{
		{"valid open", func(*Task) {}, "", ""},
		{"valid claimed", claimed, "", ""},
		{"valid cancelled after claim", func(tk *Task) { claimed(tk); mustOK(t, tk.Cancel("u7", "老人住院", juneAt(15, 7))) }, "", ""},
		{"referral missing", func(tk *Task) { tk.ReferralID = "" }, "referral_id", "required"},
		{"item not task-like", func(tk *Task) { tk.Item = "home_care" }, "item", "task_like"},
		{"item unknown", func(tk *Task) { tk.Item = "chess" }, "item", "exists"},
		{"note with phone", func(tk *Task) { tk.Note = "请联系13812345678" }, "note", "privacy"},
		{"note missing", func(tk *Task) { tk.Note = "" }, "note", "required"},
		{"place a street", func(tk *Task) { tk.Place = "610103002000" }, "place", "level"},
		{"address missing", func(tk *Task) { tk.Address = "" }, "address", "required"},
		{"resident label missing", func(tk *Task) { tk.Resident = "" }, "resident", "required"},
		{"window missing", func(tk *Task) { tk.WindowEnd = time.Time{} }, "window_end", "required"},
		{"window backwards", func(tk *Task) { tk.WindowEnd = tk.WindowStart }, "window_end", "range"},
		{"window too long", func(tk *Task) { tk.WindowEnd = tk.WindowStart.Add(15 * 24 * time.Hour) }, "window_end", "range"},
		{"skill blank", func(tk *Task) { tk.Skills = []string{""} }, "skills[0]", "required"},
		{"state unknown", func(tk *Task) { tk.State = "busy" }, "state", "enum"},
		{"claimed without holder", func(tk *Task) { claimed(tk); tk.VolunteerID = "" }, "volunteer_id", "required"},
		{"open with holder", func(tk *Task) { tk.VolunteerID = "v1" }, "volunteer_id", "forbidden"},
		{"claimed without deadline", func(tk *Task) { claimed(tk); tk.ClaimDeadline = time.Time{} }, "claim_deadline", "required"},
		{"checked in while claimed", func(tk *Task) { claimed(tk); tk.CheckInAt = juneAt(15, 7) }, "check_in_at", "forbidden"},
		{"minutes without check-out", func(tk *Task) { tk.Minutes = 30 }, "minutes", "range"},
		{"history behind", func(tk *Task) { tk.State = TaskClaimed }, "history", "mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := fxTask()
			tt.modify(&tk)
			expectRule(t, tk.Validate(places, cat, fixNow), tt.field, tt.rule)
		})
	}
}

func TestTaskClaim(t *testing.T) {
	rules := DefaultTaskRules()
	tests := []struct {
		name   string
		v      Provider
		modify func(*Task)
		now    time.Time
		code   string
	}{
		{"verified volunteer", fxVolunteer("v1"), func(*Task) {}, juneAt(15, 7), ""},
		{"yellow volunteer", func() Provider { v := fxVolunteer("v1"); v.TrafficLight = LightYellow; return v }(), func(*Task) {}, juneAt(15, 7), ""},
		{"unverified volunteer", func() Provider { v := fxVolunteer("v1"); v.Verification = VerificationPending; return v }(), func(*Task) {}, juneAt(15, 7), EFORBIDDEN},
		{"red volunteer", func() Provider { v := fxVolunteer("v1"); v.TrafficLight = LightRed; return v }(), func(*Task) {}, juneAt(15, 7), EFORBIDDEN},
		{"an organisation", func() Provider { v := fxVolunteer("v1"); v.Kind = ProviderNGO; return v }(), func(*Task) {}, juneAt(15, 7), EFORBIDDEN},
		{"window over", fxVolunteer("v1"), func(*Task) {}, juneAt(21, 11), ECONFLICT},
		{"already claimed", fxVolunteer("v2"), func(tk *Task) { mustOK(t, tk.Claim(fxVolunteer("v1"), rules, juneAt(15, 6))) }, juneAt(15, 7), ECONFLICT},
		{"the holder again", fxVolunteer("v1"), func(tk *Task) { mustOK(t, tk.Claim(fxVolunteer("v1"), rules, juneAt(15, 6))) }, juneAt(15, 7), ECONFLICT},
		{"cancelled", fxVolunteer("v1"), func(tk *Task) { mustOK(t, tk.Cancel("u7", "不需要了", juneAt(15, 6))) }, juneAt(15, 7), ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := fxTask()
			tt.modify(&tk)
			before := tk.State
			err := tk.Claim(tt.v, rules, tt.now)
			if ErrorCode(err) != tt.code {
				t.Fatalf("Claim = %v, want %q", err, tt.code)
			}
			if err != nil && tk.State != before {
				t.Fatal("a refused claim changed the task")
			}
			if err == nil && (tk.State != TaskClaimed || tk.VolunteerID != "v1" || !tk.ClaimDeadline.Equal(juneAt(21, 11)) || !tk.Holds("v1")) {
				t.Fatalf("claimed task %+v", tk)
			}
		})
	}
}

func TestTaskLifecycle(t *testing.T) {
	places, cat := fxPlaces(t), fxCatalogue(t)
	rules := DefaultTaskRules()
	key := []byte("k")
	now := time.Date(2025, 6, 22, 0, 0, 0, 0, time.UTC)
	tk := fxTask()
	code, pc, err := IssueProofCode(bytes.NewReader([]byte{0, 0, 0x30, 0x39}), key, tk.ID, day(2025, 6, 14), 0)
	mustOK(t, err)
	tk.Code = &pc
	mustOK(t, tk.Claim(fxVolunteer("v1"), rules, juneAt(15, 7)))
	if err := tk.Release("v2", juneAt(15, 8)); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("release by another: %v", err)
	}
	if err := tk.CheckIn("v2", rules, juneAt(21, 9)); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("check-in by another: %v", err)
	}
	if err := tk.CheckIn("v1", rules, juneAt(21, 7)); ErrorCode(err) != ECONFLICT {
		t.Fatalf("check-in two hours early: %v", err)
	}
	mustOK(t, tk.CheckIn("v1", rules, juneAt(21, 8))) // an hour early is fine
	if tk.Holds("v2") || !tk.Holds("v1") || tk.State != TaskInProgress {
		t.Fatalf("in progress: %+v", tk)
	}
	if err := tk.Release("v1", juneAt(21, 9)); ErrorCode(err) != ECONFLICT {
		t.Fatalf("release after check-in: %v", err)
	}
	if err := tk.Confirm(*fxCallback(juneAt(21, 10)), nil, juneAt(21, 10)); ErrorCode(err) != ECONFLICT {
		t.Fatalf("confirm before check-out: %v", err)
	}
	if err := tk.CheckOut("v2", rules, juneAt(21, 10)); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("check-out by another: %v", err)
	}
	mustOK(t, tk.CheckOut("v1", rules, juneAt(21, 8).Add(150*time.Minute+30*time.Second)))
	if tk.State != TaskDone || tk.Minutes != 150 || tk.Hours() != 2.5 || tk.Holds("v1") {
		t.Fatalf("checked out: %+v", tk)
	}
	codeProof := Proof{Method: ProofByCode, At: juneAt(21, 11), RecordedBy: "v1user", RecorderRole: RoleVolunteer}
	if err := tk.Confirm(codeProof, nil, juneAt(21, 11)); ErrorCode(err) != EINVALID {
		t.Fatalf("code proof before the code is checked: %v", err)
	}
	mustOK(t, tk.Code.Redeem(key, tk.ID, code, juneAt(21, 11)))
	if err := tk.Confirm(codeProof, fxRating(6, juneAt(21, 11)), juneAt(21, 11)); ErrorCode(err) != EINVALID {
		t.Fatalf("bad rating: %v", err)
	}
	mustOK(t, tk.Confirm(codeProof, fxRating(5, juneAt(21, 11)), juneAt(21, 11)))
	if err := tk.Validate(places, cat, now); err != nil {
		t.Fatalf("confirmed task: %v", err)
	}
	if err := tk.Cancel("u7", "x", now); ErrorCode(err) != ECONFLICT {
		t.Fatalf("cancel after confirmation: %v", err)
	}
	rec, err := tk.ServiceRecord("s9", "李志愿", now)
	mustOK(t, err)
	if rec.Minutes != 150 || rec.ProviderID != "v1" || rec.Worker != "李志愿" || rec.Rating.Stars != 5 || rec.TotalFen() != 0 {
		t.Fatalf("record %+v", rec)
	}
	if err := rec.Validate(cat, now); err != nil {
		t.Fatalf("record: %v", err)
	}
	want := []TaskState{TaskOpen, TaskClaimed, TaskInProgress, TaskDone, TaskConfirmed}
	for i, c := range tk.History {
		if c.To != want[i] {
			t.Fatalf("history %+v", tk.History)
		}
	}
}

func TestTaskReleaseAndExpiry(t *testing.T) {
	rules := DefaultTaskRules()
	tk := fxTask()
	mustOK(t, tk.Claim(fxVolunteer("v1"), rules, juneAt(15, 7)))
	mustOK(t, tk.Release("v1", juneAt(15, 8)))
	if tk.State != TaskOpen || tk.VolunteerID != "" || !tk.ClaimDeadline.IsZero() || tk.History[2].Reason != "released" {
		t.Fatalf("released: %+v", tk)
	}
	mustOK(t, tk.Claim(fxVolunteer("v2"), rules, juneAt(15, 9)))
	deadline := tk.ClaimDeadline // the window's end, 21 June 11:00
	if tk.ClaimExpired(deadline) {
		t.Fatal("a claim is not expired at its deadline")
	}
	if err := tk.ExpireClaim("system", deadline); ErrorCode(err) != ECONFLICT {
		t.Fatalf("expire at the deadline: %v", err)
	}
	if err := tk.CheckIn("v2", rules, deadline.Add(time.Second)); ErrorCode(err) != ECONFLICT {
		t.Fatalf("check-in after the deadline: %v", err)
	}
	mustOK(t, tk.ExpireClaim("system", deadline.Add(time.Second)))
	if tk.State != TaskOpen || tk.VolunteerID != "" || tk.History[len(tk.History)-1].Reason != "expired" {
		t.Fatalf("expired: %+v", tk)
	}
	if _, err := tk.ServiceRecord("s1", "x", fixNow); ErrorCode(err) != ECONFLICT {
		t.Fatalf("record of an open task: %v", err)
	}
}

func TestTaskAutoCheckOutAndCancel(t *testing.T) {
	rules := DefaultTaskRules()
	tk := fxTask()
	if err := tk.AutoCheckOut("system", rules, juneAt(22, 0)); ErrorCode(err) != ECONFLICT {
		t.Fatalf("auto check-out of an open task: %v", err)
	}
	mustOK(t, tk.Claim(fxVolunteer("v1"), rules, juneAt(15, 7)))
	mustOK(t, tk.CheckIn("v1", rules, juneAt(21, 9)))
	if err := tk.AutoCheckOut("system", rules, juneAt(21, 16)); ErrorCode(err) != ECONFLICT {
		t.Fatalf("auto check-out before the cap: %v", err)
	}
	mustOK(t, tk.AutoCheckOut("system", rules, juneAt(22, 9)))
	if tk.State != TaskDone || tk.Minutes != 480 || !tk.CheckOutAt.Equal(juneAt(21, 17)) || !tk.AutoCheckedOut {
		t.Fatalf("auto checked out: %+v", tk)
	}

	c := fxTask()
	if err := c.Cancel("u7", "", juneAt(15, 7)); ErrorCode(err) != EINVALID {
		t.Fatalf("cancel without note: %v", err)
	}
	if err := c.Cancel("", "不需要了", juneAt(15, 7)); ErrorCode(err) != EINVALID {
		t.Fatalf("cancel by nobody: %v", err)
	}
	mustOK(t, c.Cancel("u7", "不需要了", juneAt(15, 7)))
	if c.State != TaskCancelled || c.History[1].Note != "不需要了" {
		t.Fatalf("cancelled: %+v", c)
	}
}
