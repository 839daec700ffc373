package domain

import (
	"slices"
	"testing"
	"time"
)

func TestLightThresholdsValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*LightThresholds)
		field  string
	}{
		{"default", func(*LightThresholds) {}, ""},
		{"window zero", func(th *LightThresholds) { th.WindowDays = 0 }, "window_days"},
		{"window two years", func(th *LightThresholds) { th.WindowDays = 731 }, "window_days"},
		{"complaints zero", func(th *LightThresholds) { th.YellowComplaints = 0 }, "red_complaints"},
		{"red complaints below yellow", func(th *LightThresholds) { th.RedComplaints = 0 }, "red_complaints"},
		{"min ratings zero", func(th *LightThresholds) { th.MinRatings = 0 }, "min_ratings"},
		{"min outcomes zero", func(th *LightThresholds) { th.MinOutcomes = 0 }, "min_ratings"},
		{"rating above five", func(th *LightThresholds) { th.YellowRatingTenths = 51 }, "red_rating_tenths"},
		{"red rating above yellow", func(th *LightThresholds) { th.RedRatingTenths = 40 }, "red_rating_tenths"},
		{"fail percent zero", func(th *LightThresholds) { th.YellowFailPercent = 0 }, "red_fail_percent"},
		{"red percent above 100", func(th *LightThresholds) { th.RedFailPercent = 101 }, "red_fail_percent"},
		{"red percent below yellow", func(th *LightThresholds) { th.RedFailPercent = 10 }, "red_fail_percent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := DefaultLightThresholds()
			tt.modify(&th)
			rule := "range"
			if tt.field == "" {
				rule = ""
			}
			expectRule(t, th.Validate(), tt.field, rule)
		})
	}
}

// evidence builds evidence at fixNow − 1 day: n complaints, the given
// stars, and ok / failed outcomes.
func evidence(complaints int, stars []int, ok, failed int) LightEvidence {
	at := fixNow.AddDate(0, 0, -1)
	var ev LightEvidence
	for range complaints {
		ev.Complaints = append(ev.Complaints, at)
	}
	for _, s := range stars {
		ev.Ratings = append(ev.Ratings, RatingSample{At: at, Stars: s})
	}
	for i := range ok + failed {
		ev.Outcomes = append(ev.Outcomes, OutcomeSample{At: at, Success: i < ok})
	}
	return ev
}

func TestComputeLight(t *testing.T) {
	th := DefaultLightThresholds()
	tests := []struct {
		name  string
		ev    LightEvidence
		light TrafficLight
		codes []string
	}{
		{"nothing known", LightEvidence{}, LightGreen, []string{"ok"}},
		{"all good", evidence(0, []int{5, 5, 4, 4, 5}, 10, 0), LightGreen, []string{"ok"}},
		{"one complaint", evidence(1, nil, 0, 0), LightYellow, []string{"complaints"}},
		{"two complaints", evidence(2, nil, 0, 0), LightYellow, []string{"complaints"}},
		{"three complaints", evidence(3, nil, 0, 0), LightRed, []string{"complaints"}},
		{"mean exactly 3.5", evidence(0, []int{4, 3, 4, 3, 4, 3}, 0, 0), LightGreen, []string{"ok"}},
		{"mean just below 3.5", evidence(0, []int{4, 3, 4, 3, 3}, 0, 0), LightYellow, []string{"rating"}},
		{"mean exactly 2.5", evidence(0, []int{3, 2, 3, 2, 3, 2}, 0, 0), LightYellow, []string{"rating"}},
		{"mean just below 2.5", evidence(0, []int{3, 2, 3, 2, 2}, 0, 0), LightRed, []string{"rating"}},
		{"too few ratings to judge", evidence(0, []int{1, 1, 1, 1}, 0, 0), LightGreen, []string{"ok"}},
		{"failures just below 20%", evidence(0, nil, 9, 2), LightGreen, []string{"ok"}},
		{"failures exactly 20%", evidence(0, nil, 8, 2), LightYellow, []string{"failures"}},
		{"failures just below 40%", evidence(0, nil, 8, 5), LightYellow, []string{"failures"}},
		{"failures exactly 40%", evidence(0, nil, 3, 2), LightRed, []string{"failures"}},
		{"too few outcomes to judge", evidence(0, nil, 0, 4), LightGreen, []string{"ok"}},
		{"red wins over yellow", evidence(1, []int{1, 1, 1, 1, 1}, 5, 0), LightRed, []string{"complaints", "rating"}},
		{"every rule", evidence(3, []int{3, 3, 3, 3, 3}, 4, 1), LightRed, []string{"complaints", "rating", "failures"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ComputeLight(tt.ev, th, fixNow)
			var codes []string
			for _, r := range res.Reasons {
				codes = append(codes, r.Code)
				if r.Zh == "" || r.En == "" || !r.Light.Valid() {
					t.Errorf("reason %+v lacks a language or light", r)
				}
			}
			if res.Light != tt.light || !slices.Equal(codes, tt.codes) {
				t.Fatalf("light %s, reasons %v; want %s, %v", res.Light, codes, tt.light, tt.codes)
			}
			if again := ComputeLight(tt.ev, th, fixNow); !slices.Equal(again.Reasons, res.Reasons) {
				t.Fatal("not deterministic")
			}
		})
	}
}

func TestComputeLightReasonsAndFigures(t *testing.T) {
	res := ComputeLight(evidence(1, []int{3, 2, 3, 2, 2}, 3, 2), DefaultLightThresholds(), fixNow)
	want := LightResult{Light: LightRed, Figures: LightFigures{Complaints: 1, Ratings: 5, MeanTenths: 24, Outcomes: 5, Failures: 2, FailPercent: 40},
		Reasons: []LightReason{
			{Code: "complaints", Light: LightYellow, Zh: "近90天有1起投诉经核实成立", En: "1 upheld complaint(s) in the last 90 days"},
			{Code: "rating", Light: LightRed, Zh: "近90天平均评分2.4星，低于2.5星", En: "mean rating 2.4 below 2.5 in the last 90 days"},
			{Code: "failures", Light: LightRed, Zh: "近90天已接转介中40%未能完成（2/5）", En: "40% of accepted referrals failed in the last 90 days (2/5)"},
		}}
	if !slices.Equal(res.Reasons, want.Reasons) {
		t.Fatalf("reasons %+v", res.Reasons)
	}
	if res.Light != want.Light || res.Figures != want.Figures {
		t.Fatalf("light %s, figures %+v", res.Light, res.Figures)
	}
	ok := ComputeLight(LightEvidence{}, DefaultLightThresholds(), fixNow).Reasons[0]
	if ok.Zh != "近90天无异常" || ok.En != "no issues in the last 90 days" {
		t.Fatalf("ok reason %+v", ok)
	}
}

func TestComputeLightWindow(t *testing.T) {
	start := fixNow.AddDate(0, 0, -90)
	tests := []struct {
		name   string
		at     time.Time
		inside bool
	}{
		{"at the window's start", start, true},
		{"just before it", start.Add(-time.Nanosecond), false},
		{"now", fixNow, true},
		{"in the future", fixNow.Add(time.Nanosecond), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := LightEvidence{Complaints: []time.Time{tt.at}}
			for range 5 {
				ev.Ratings = append(ev.Ratings, RatingSample{At: tt.at, Stars: 1})
				ev.Outcomes = append(ev.Outcomes, OutcomeSample{At: tt.at})
			}
			res := ComputeLight(ev, DefaultLightThresholds(), fixNow)
			light, figures := LightGreen, LightFigures{}
			if tt.inside {
				light, figures = LightRed, LightFigures{Complaints: 1, Ratings: 5, MeanTenths: 10, Outcomes: 5, Failures: 5, FailPercent: 100}
			}
			if res.Light != light || res.Figures != figures {
				t.Fatalf("light %s, figures %+v", res.Light, res.Figures)
			}
		})
	}
}

func TestReferralOutcome(t *testing.T) {
	at := day(2025, 6, 12)
	fresh := func(*testing.T) Referral { return fxReferral() }
	accepted := func(t *testing.T) Referral {
		r := fxReferral()
		mustApply(t, &r, ReferralMove{To: ReferralAccepted})
		return r
	}
	completed := []ReferralMove{{To: ReferralCompleted, Proof: fxCallback(at), At: at}}
	tests := []struct {
		name            string
		base            func(*testing.T) Referral
		moves           []ReferralMove
		counts, success bool
		at              time.Time
	}{
		{"awaiting", fresh, nil, false, false, time.Time{}},
		{"declined before accepting", fresh, []ReferralMove{{To: ReferralDeclined, Decline: DeclineNoCapacity}}, false, false, time.Time{}},
		{"declined after accepting", accepted, []ReferralMove{{To: ReferralDeclined, Decline: DeclineCantReach, At: at}}, true, false, at},
		{"accepted, still open", accepted, nil, false, false, time.Time{}},
		{"cancelled", accepted, []ReferralMove{{To: ReferralCancelled, Note: "派错了"}}, false, false, time.Time{}},
		{"closed got help", accepted, []ReferralMove{{To: ReferralClosed, Outcome: OutcomeGotHelp, At: at}}, true, true, at},
		{"closed not eligible", accepted, []ReferralMove{{To: ReferralClosed, Outcome: OutcomeNotEligible, At: at}}, true, false, at},
		{"closed no capacity", accepted, []ReferralMove{{To: ReferralClosed, Outcome: OutcomeNoCapacity, At: at}}, true, false, at},
		{"closed no longer interested", accepted, []ReferralMove{{To: ReferralClosed, Outcome: OutcomeNoLongerInterested, At: at}}, false, false, time.Time{}},
		{"completed", fxInService, completed, true, true, at},
		{"rated later: ends at completion", fxInService,
			append(completed, ReferralMove{To: ReferralRated, Rating: fxRating(2, day(2025, 6, 14))}), true, true, at},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.base(t)
			for _, m := range tt.moves {
				mustApply(t, &r, m)
			}
			s, counts := ReferralOutcome(r)
			if counts != tt.counts || s.Success != tt.success || !s.At.Equal(tt.at) {
				t.Fatalf("ReferralOutcome = %+v, %v", s, counts)
			}
		})
	}
	policy := Referral{Target: TargetPolicy, History: []StateChange[ReferralState]{{To: ReferralAccepted}}}
	if _, counts := ReferralOutcome(policy); counts {
		t.Fatal("only offering referrals count")
	}
}

func TestEvidenceFromAndChangeLight(t *testing.T) {
	at := day(2025, 6, 12)
	done := fxInService(t)
	mustApply(t, &done, ReferralMove{To: ReferralCompleted, Proof: fxCallback(at), At: at})
	mustApply(t, &done, ReferralMove{To: ReferralRated, Rating: fxRating(2, at)})
	upheld, dismissed := fxComplaint(), fxComplaint()
	for _, c := range []*Complaint{&upheld, &dismissed} {
		mustOK(t, c.Move(ComplaintReviewed, "u8", "", day(2025, 6, 6)))
	}
	mustOK(t, upheld.Move(ComplaintUpheld, "u8", "属实", day(2025, 6, 7)))
	mustOK(t, dismissed.Move(ComplaintDismissed, "u8", "不属实", day(2025, 6, 7)))
	ev := EvidenceFrom([]Referral{done, fxReferral()}, []Complaint{upheld, dismissed, fxComplaint()})
	if len(ev.Outcomes) != 1 || !ev.Outcomes[0].Success || len(ev.Ratings) != 1 || ev.Ratings[0].Stars != 2 ||
		!slices.Equal(ev.Complaints, []time.Time{day(2025, 6, 7)}) {
		t.Fatalf("evidence %+v", ev)
	}
	p := fxProvider(t)
	res := ComputeLight(ev, DefaultLightThresholds(), fixNow)
	ch, changed := ChangeLight(p, res, fixNow)
	if !changed || ch.From != LightGreen || ch.To != LightYellow || len(ch.Reasons) != 1 || !ch.At.Equal(fixNow) {
		t.Fatalf("change %+v, %v", ch, changed)
	}
	p.TrafficLight = LightYellow
	if _, changed := ChangeLight(p, res, fixNow); changed {
		t.Fatal("no change when the light stays")
	}
}
