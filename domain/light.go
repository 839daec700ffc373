package domain

import (
	"fmt"
	"time"
)

// LightThresholds configure a provider's traffic light. Ratings are compared
// in tenths of a star and shares in whole percent, so the boundaries are
// exact (no floats).
type LightThresholds struct {
	// WindowDays is the rolling window the evidence is taken from.
	WindowDays int `json:"window_days"`
	// Upheld complaints in the window: at least Yellow → yellow, at least
	// Red → red.
	YellowComplaints int `json:"yellow_complaints"`
	RedComplaints    int `json:"red_complaints"`
	// A mean rating below YellowRatingTenths (35 = 3.5 stars) → yellow,
	// below RedRatingTenths → red, once MinRatings ratings exist.
	MinRatings         int `json:"min_ratings"`
	YellowRatingTenths int `json:"yellow_rating_tenths"`
	RedRatingTenths    int `json:"red_rating_tenths"`
	// A share of failed referrals of at least YellowFailPercent → yellow, at
	// least RedFailPercent → red, once MinOutcomes referrals ended.
	MinOutcomes       int `json:"min_outcomes"`
	YellowFailPercent int `json:"yellow_fail_percent"`
	RedFailPercent    int `json:"red_fail_percent"`
}

// DefaultLightThresholds: 90 days; one upheld complaint is yellow, three are
// red; a mean below 3.5 stars is yellow, below 2.5 red (from 5 ratings); 20%
// failed referrals is yellow, 40% red (from 5 outcomes).
func DefaultLightThresholds() LightThresholds {
	return LightThresholds{WindowDays: 90, YellowComplaints: 1, RedComplaints: 3,
		MinRatings: 5, YellowRatingTenths: 35, RedRatingTenths: 25,
		MinOutcomes: 5, YellowFailPercent: 20, RedFailPercent: 40}
}

// Validate checks the thresholds: each red one is at least as strict as its
// yellow one.
func (t LightThresholds) Validate() error {
	var p Problems
	if t.WindowDays < 1 || t.WindowDays > 730 {
		p.Add("window_days", "range", "统计窗口须在1–730天之间")
	}
	if t.YellowComplaints < 1 || t.RedComplaints < t.YellowComplaints {
		p.Add("red_complaints", "range", "投诉阈值须≥1，且红灯阈值不低于黄灯阈值")
	}
	if t.MinRatings < 1 || t.MinOutcomes < 1 {
		p.Add("min_ratings", "range", "最少评价数和最少结案数须≥1")
	}
	if t.YellowRatingTenths < 10 || t.YellowRatingTenths > 50 || t.RedRatingTenths < 10 || t.RedRatingTenths > t.YellowRatingTenths {
		p.Add("red_rating_tenths", "range", "评分阈值须在1.0–5.0星之间，且红灯阈值不高于黄灯阈值")
	}
	if t.YellowFailPercent < 1 || t.YellowFailPercent > 100 || t.RedFailPercent < t.YellowFailPercent || t.RedFailPercent > 100 {
		p.Add("red_fail_percent", "range", "失败比例阈值须在1–100之间，且红灯阈值不低于黄灯阈值")
	}
	return p.Err()
}

// LightEvidence is what a light is computed from: when each counted referral
// ended and whether it succeeded, each rating, and each upheld complaint.
type LightEvidence struct {
	Outcomes   []OutcomeSample `json:"outcomes"`
	Ratings    []RatingSample  `json:"ratings"`
	Complaints []time.Time     `json:"complaints"`
}

// OutcomeSample is one ended referral that counts for the light.
type OutcomeSample struct {
	At      time.Time `json:"at"`
	Success bool      `json:"success"`
}

// RatingSample is one rating.
type RatingSample struct {
	At    time.Time `json:"at"`
	Stars int       `json:"stars"`
}

// ReferralOutcome classifies an ended referral for its provider's light. It
// counts once the provider had accepted it: a success when completed, rated
// or closed as got_help; a failure when the provider gave it up (declined
// after accepting) or closed as not_eligible or no_capacity (it took what it
// could not serve). Unreachable and no_longer_interested are the resident's
// side; cancellations are the coordinator's; neither counts.
func ReferralOutcome(r Referral) (OutcomeSample, bool) {
	accepted := false
	for _, c := range r.History {
		accepted = accepted || c.To == ReferralAccepted
	}
	if r.Target != TargetOffering || !accepted {
		return OutcomeSample{}, false
	}
	s := OutcomeSample{At: r.EnteredAt()}
	switch {
	case r.State == ReferralCompleted || r.State == ReferralRated:
		s.Success = true
		// A rating does not move the end: take when it was completed.
		for _, c := range r.History {
			if c.To == ReferralCompleted {
				s.At = c.At
			}
		}
	case r.State == ReferralClosed && r.Outcome == OutcomeGotHelp:
		s.Success = true
	case r.State == ReferralDeclined,
		r.State == ReferralClosed && (r.Outcome == OutcomeNotEligible || r.Outcome == OutcomeNoCapacity):
	default:
		return OutcomeSample{}, false
	}
	return s, true
}

// EvidenceFrom gathers a provider's evidence from its referrals (outcomes and
// ratings) and the complaints about it (only upheld ones, at their decision).
func EvidenceFrom(referrals []Referral, complaints []Complaint) LightEvidence {
	var ev LightEvidence
	for _, r := range referrals {
		if s, ok := ReferralOutcome(r); ok {
			ev.Outcomes = append(ev.Outcomes, s)
		}
		if r.Rating != nil {
			ev.Ratings = append(ev.Ratings, RatingSample{At: r.Rating.At, Stars: r.Rating.Stars})
		}
	}
	for _, c := range complaints {
		if c.State == ComplaintUpheld {
			ev.Complaints = append(ev.Complaints, c.DecidedAt)
		}
	}
	return ev
}

// LightReason is one reason for a light, in both languages.
type LightReason struct {
	Code  string       `json:"code"`
	Light TrafficLight `json:"light"`
	Zh    string       `json:"zh"`
	En    string       `json:"en"`
}

// LightResult is a computed light with its reasons, in a fixed order
// (complaints, ratings, outcomes), and the figures behind it.
type LightResult struct {
	Light   TrafficLight  `json:"light"`
	Reasons []LightReason `json:"reasons"`
	Figures LightFigures  `json:"figures"`
}

// LightFigures are the counts in the window behind a light; MeanTenths and
// FailPercent are rounded down.
type LightFigures struct {
	Complaints  int `json:"complaints"`
	Ratings     int `json:"ratings"`
	MeanTenths  int `json:"mean_tenths"`
	Outcomes    int `json:"outcomes"`
	Failures    int `json:"failures"`
	FailPercent int `json:"fail_percent"`
}

// ComputeLight computes a provider's light at now from the evidence inside
// the window [now − WindowDays, now], both ends included. The light is the
// worst any rule gives; with no rule triggered it is green with reason "ok".
func ComputeLight(ev LightEvidence, th LightThresholds, now time.Time) LightResult {
	from := now.AddDate(0, 0, -th.WindowDays)
	in := func(at time.Time) bool { return !at.Before(from) && !at.After(now) }
	res := LightResult{Light: LightGreen}
	f := &res.Figures
	days := th.WindowDays
	add := func(code string, light TrafficLight, zh, en string) {
		res.Reasons = append(res.Reasons, LightReason{Code: code, Light: light, Zh: zh, En: en})
		if light == LightRed || res.Light == LightGreen {
			res.Light = light
		}
	}
	for _, at := range ev.Complaints {
		f.Complaints += boolInt(in(at))
	}
	if light := worse(f.Complaints >= th.RedComplaints, f.Complaints >= th.YellowComplaints); light != LightGreen {
		add("complaints", light, fmt.Sprintf("近%d天有%d起投诉经核实成立", days, f.Complaints),
			fmt.Sprintf("%d upheld complaint(s) in the last %d days", f.Complaints, days))
	}
	sum := 0
	for _, r := range ev.Ratings {
		if in(r.At) {
			f.Ratings++
			sum += r.Stars
		}
	}
	if f.Ratings > 0 {
		f.MeanTenths = sum * 10 / f.Ratings
	}
	if f.Ratings >= th.MinRatings {
		below := func(tenths int) bool { return sum*10 < tenths*f.Ratings }
		if light := worse(below(th.RedRatingTenths), below(th.YellowRatingTenths)); light != LightGreen {
			limit := th.YellowRatingTenths
			if light == LightRed {
				limit = th.RedRatingTenths
			}
			add("rating", light, fmt.Sprintf("近%d天平均评分%s星，低于%s星", days, tenths(f.MeanTenths), tenths(limit)),
				fmt.Sprintf("mean rating %s below %s in the last %d days", tenths(f.MeanTenths), tenths(limit), days))
		}
	}
	for _, o := range ev.Outcomes {
		if in(o.At) {
			f.Outcomes++
			f.Failures += boolInt(!o.Success)
		}
	}
	if f.Outcomes > 0 {
		f.FailPercent = f.Failures * 100 / f.Outcomes
	}
	if f.Outcomes >= th.MinOutcomes {
		atLeast := func(pct int) bool { return f.Failures*100 >= pct*f.Outcomes }
		if light := worse(atLeast(th.RedFailPercent), atLeast(th.YellowFailPercent)); light != LightGreen {
			add("failures", light, fmt.Sprintf("近%d天已接转介中%d%%未能完成（%d/%d）", days, f.FailPercent, f.Failures, f.Outcomes),
				fmt.Sprintf("%d%% of accepted referrals failed in the last %d days (%d/%d)", f.FailPercent, days, f.Failures, f.Outcomes))
		}
	}
	if len(res.Reasons) == 0 {
		res.Reasons = []LightReason{{Code: "ok", Light: LightGreen, Zh: fmt.Sprintf("近%d天无异常", days),
			En: fmt.Sprintf("no issues in the last %d days", days)}}
	}
	return res
}

// worse returns red, yellow or green from a rule's two tests.
func worse(red, yellow bool) TrafficLight {
	switch {
	case red:
		return LightRed
	case yellow:
		return LightYellow
	}
	return LightGreen
}

// tenths formats tenths of a star as "3.5".
func tenths(n int) string { return fmt.Sprintf("%d.%d", n/10, n%10) }

// LightChange records a provider's light moving, with the reasons; every
// change is kept.
type LightChange struct {
	ProviderID string        `json:"provider_id"`
	From       TrafficLight  `json:"from"`
	To         TrafficLight  `json:"to"`
	Reasons    []LightReason `json:"reasons"`
	At         time.Time     `json:"at"`
}

// ChangeLight returns the change from a provider's current light to a
// computed one, and false when the light stays.
func ChangeLight(p Provider, res LightResult, at time.Time) (LightChange, bool) {
	if p.TrafficLight == res.Light {
		return LightChange{}, false
	}
	return LightChange{ProviderID: p.ID, From: p.TrafficLight, To: res.Light, Reasons: res.Reasons, At: at}, true
}
