package domain

import (
	"testing"
	"time"
)

func fxJob() JobOpening {
	return JobOpening{EnterpriseID: "p9", Title: "社区保洁员（半天）", KindOfWork: "保洁", Item: "job_placement",
		Requirements: JobRequirements{Physical: PhysicalLight, HoursPerWeek: 20, Skills: []string{"保洁"}},
		Training:     "上岗前带薪培训3天", WageMinFen: Yuan(1800), WageMaxFen: Yuan(2200), Place: "610103002000",
		Openings: 3, Status: JobOpen}
}

func TestJobOpeningValidate(t *testing.T) {
	places, cat := fxPlaces(t), fxCatalogue(t)
	tests := []struct {
		name   string
		modify func(*JobOpening)
		field  string
		rule   string
	}{
		{"valid", func(*JobOpening) {}, "", ""},
		{"valid without item", func(j *JobOpening) { j.Item = "" }, "", ""},
		{"valid fixed wage", func(j *JobOpening) { j.WageMaxFen = j.WageMinFen }, "", ""},
		{"enterprise missing", func(j *JobOpening) { j.EnterpriseID = "" }, "enterprise_id", "required"},
		{"title missing", func(j *JobOpening) { j.Title = "" }, "title", "required"},
		{"kind of work missing", func(j *JobOpening) { j.KindOfWork = "" }, "kind_of_work", "required"},
		{"item unknown", func(j *JobOpening) { j.Item = "jobs" }, "item", "exists"},
		{"item not employment", func(j *JobOpening) { j.Item = "meal" }, "item", "enum"},
		{"physical unknown", func(j *JobOpening) { j.Requirements.Physical = "extreme" }, "requirements.physical", "enum"},
		{"hours zero", func(j *JobOpening) { j.Requirements.HoursPerWeek = 0 }, "requirements.hours_per_week", "range"},
		{"hours 61", func(j *JobOpening) { j.Requirements.HoursPerWeek = 61 }, "requirements.hours_per_week", "range"},
		{"blank skill", func(j *JobOpening) { j.Requirements.Skills = []string{" "} }, "requirements.skills[0]", "required"},
		{"wage zero", func(j *JobOpening) { j.WageMinFen = 0 }, "wage_min_fen", "range"},
		{"wage max below min", func(j *JobOpening) { j.WageMaxFen = Yuan(1700) }, "wage_max_fen", "range"},
		{"wage absurd", func(j *JobOpening) { j.WageMaxFen = Yuan(200_000) }, "wage_max_fen", "range"},
		{"place unknown", func(j *JobOpening) { j.Place = "610103002009" }, "place", "exists"},
		{"openings zero", func(j *JobOpening) { j.Openings = 0 }, "openings", "range"},
		{"openings huge", func(j *JobOpening) { j.Openings = 1001 }, "openings", "range"},
		{"status unknown", func(j *JobOpening) { j.Status = "hiring" }, "status", "enum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := fxJob()
			tt.modify(&j)
			expectRule(t, j.Validate(places, cat, fixNow), tt.field, tt.rule)
		})
	}
}

func TestCanTransitionApplication(t *testing.T) {
	all := []ApplicationState{ApplicationApplied, ApplicationInterview, ApplicationHired, ApplicationRejected, ApplicationWithdrawn}
	allowed := map[[2]ApplicationState]bool{
		{ApplicationApplied, ApplicationInterview}: true, {ApplicationApplied, ApplicationHired}: true,
		{ApplicationApplied, ApplicationRejected}: true, {ApplicationApplied, ApplicationWithdrawn}: true,
		{ApplicationInterview, ApplicationHired}: true, {ApplicationInterview, ApplicationRejected}: true,
		{ApplicationInterview, ApplicationWithdrawn}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := CanTransitionApplication(from, to); got != allowed[[2]ApplicationState{from, to}] {
				t.Errorf("CanTransitionApplication(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestJobApplicationValidate(t *testing.T) {
	h := fxHousehold(t)
	h.Consents = append(h.Consents, ConsentEvent{MemberID: "m1", Recipient: RecipientEmployer, Action: ConsentGrant,
		At: day(2025, 5, 1), Method: ConsentWritten, RecordedBy: "u7"})
	base := JobApplication{JobID: "j1", HouseholdID: "h1", MemberID: "m1", State: ApplicationApplied, AppliedAt: day(2025, 6, 2)}
	tests := []struct {
		name   string
		modify func(*JobApplication, *Household)
		field  string
		rule   string
	}{
		{"valid", func(*JobApplication, *Household) {}, "", ""},
		{"job missing", func(a *JobApplication, _ *Household) { a.JobID = "" }, "job_id", "required"},
		{"member missing", func(a *JobApplication, _ *Household) { a.MemberID = "" }, "member_id", "required"},
		{"member unknown", func(a *JobApplication, _ *Household) { a.MemberID = "m9" }, "member_id", "exists"},
		{"other household", func(a *JobApplication, _ *Household) { a.HouseholdID = "h2" }, "household_id", "exists"},
		{"no employer consent", func(a *JobApplication, _ *Household) { a.MemberID = "m2" }, "member_id", "consent"},
		{"do not contact", func(_ *JobApplication, h *Household) { h.DoNotContact = true }, "member_id", "consent"},
		{"state unknown", func(a *JobApplication, _ *Household) { a.State = "pending" }, "state", "enum"},
		{"applied in future", func(a *JobApplication, _ *Household) { a.AppliedAt = day(2026, 1, 1) }, "applied_at", "range"},
		{"applied_at missing", func(a *JobApplication, _ *Household) { a.AppliedAt = time.Time{} }, "applied_at", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, hh := base, *h
			tt.modify(&a, &hh)
			expectRule(t, a.Validate(&hh, fixNow), tt.field, tt.rule)
		})
	}
	expectRule(t, base.Validate(nil, fixNow), "household_id", "exists")
	if !(JobApplication{State: ApplicationHired}).ChangesIncome() || base.ChangesIncome() {
		t.Fatal("only a hire changes income")
	}
}
