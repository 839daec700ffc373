package domain

import (
	"strings"
	"testing"
	"time"
)

func fxComplaint() Complaint {
	c := Complaint{ID: "c1", ProviderID: "p1", ReferralID: "r1", HouseholdID: "h1", Place: "610103002001",
		Source: ComplaintByResident, Category: ComplaintNoShow, Text: "约好周三上午送餐，没有人来"}
	c.File("u7", day(2025, 6, 5))
	return c
}

func TestCanTransitionComplaint(t *testing.T) {
	all := []ComplaintState{ComplaintOpen, ComplaintReviewed, ComplaintUpheld, ComplaintDismissed, "bogus"}
	allowed := map[[2]ComplaintState]bool{
		{ComplaintOpen, ComplaintReviewed}: true, {ComplaintReviewed, ComplaintUpheld}: true, {ComplaintReviewed, ComplaintDismissed}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := CanTransitionComplaint(from, to); got != allowed[[2]ComplaintState{from, to}] {
				t.Errorf("CanTransitionComplaint(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestComplaintValidate(t *testing.T) {
	places := fxPlaces(t)
	decided := func(c *Complaint) {
		mustOK(t, c.Move(ComplaintReviewed, "u8", "", day(2025, 6, 6)))
		mustOK(t, c.Move(ComplaintUpheld, "u8", "电话核实，服务方承认漏送", day(2025, 6, 7)))
	}
	tests := []struct {
		name   string
		modify func(*Complaint)
		field  string
		rule   string
	}{
		{"valid by resident", func(*Complaint) {}, "", ""},
		{"valid by coordinator without household", func(c *Complaint) { c.Source, c.HouseholdID, c.ReferralID = ComplaintByCoordinator, "", "" }, "", ""},
		{"valid decided", decided, "", ""},
		{"provider missing", func(c *Complaint) { c.ProviderID = "" }, "provider_id", "required"},
		{"resident without household", func(c *Complaint) { c.HouseholdID = "" }, "household_id", "required"},
		{"source unknown", func(c *Complaint) { c.Source = "provider" }, "source", "enum"},
		{"place unknown", func(c *Complaint) { c.Place = "610103009000" }, "place", "exists"},
		{"category unknown", func(c *Complaint) { c.Category = "smell" }, "category", "enum"},
		{"text missing", func(c *Complaint) { c.Text = " " }, "text", "required"},
		{"text too long", func(c *Complaint) { c.Text = strings.Repeat("投", 2001) }, "text", "length"},
		{"state unknown", func(c *Complaint) { c.State = "closed" }, "state", "enum"},
		{"decided without finding", func(c *Complaint) { decided(c); c.Finding = "" }, "finding", "required"},
		{"decided without time", func(c *Complaint) { decided(c); c.DecidedAt = time.Time{} }, "decided_at", "required"},
		{"history skipped review", func(c *Complaint) {
			c.History = append(c.History, StateChange[ComplaintState]{At: day(2025, 6, 6), By: "u8", From: ComplaintOpen, To: ComplaintUpheld})
			c.State, c.Finding, c.DecidedAt = ComplaintUpheld, "x", day(2025, 6, 6)
		}, "history[1].to", "transition"},
		{"filed in future", func(c *Complaint) { c.FiledAt = day(2026, 1, 1) }, "filed_at", "range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fxComplaint()
			tt.modify(&c)
			expectRule(t, c.Validate(places, fixNow), tt.field, tt.rule)
		})
	}
}

func TestComplaintMove(t *testing.T) {
	c := fxComplaint()
	if err := c.Move(ComplaintUpheld, "u8", "x", day(2025, 6, 6)); ErrorCode(err) != ECONFLICT || c.State != ComplaintOpen {
		t.Fatalf("decide before review: %v", err)
	}
	if err := c.Move(ComplaintReviewed, "", "", day(2025, 6, 6)); ErrorCode(err) != EINVALID {
		t.Fatalf("review by nobody: %v", err)
	}
	mustOK(t, c.Move(ComplaintReviewed, "u8", "", day(2025, 6, 6)))
	if err := c.Move(ComplaintDismissed, "u8", "", day(2025, 6, 7)); ErrorCode(err) != EINVALID || c.State != ComplaintReviewed {
		t.Fatalf("dismiss without finding: %v", err)
	}
	mustOK(t, c.Move(ComplaintDismissed, "u8", "居民记错日期", day(2025, 6, 7)))
	if c.Finding != "居民记错日期" || !c.DecidedAt.Equal(day(2025, 6, 7)) || len(c.History) != 3 {
		t.Fatalf("dismissed: %+v", c)
	}
	if err := c.Move(ComplaintUpheld, "u8", "x", day(2025, 6, 8)); ErrorCode(err) != ECONFLICT {
		t.Fatalf("a decision is final: %v", err)
	}
}
