package domain

import (
	"strings"
	"testing"
	"time"
)

func TestConsentEventValidate(t *testing.T) {
	adult := Member{ID: "m1", BirthYear: 1952}
	child := Member{ID: "m2", BirthYear: 2015}
	grant := ConsentEvent{MemberID: "m1", Recipient: RecipientEmployer, Action: ConsentGrant, At: day(2025, 5, 1), Method: ConsentVerbal, RecordedBy: "u7"}
	guardian := &Guardian{Name: "李红", Relation: RelationParent}
	tests := []struct {
		name   string
		member Member
		modify func(*ConsentEvent)
		field  string
		rule   string
	}{
		{"adult grants", adult, func(*ConsentEvent) {}, "", ""},
		{"adult withdraws", adult, func(c *ConsentEvent) { c.Action = ConsentWithdraw }, "", ""},
		{"guardian grants for child", child, func(c *ConsentEvent) { c.MemberID, c.Guardian = "m2", guardian }, "", ""},
		{"child withdraws alone", child, func(c *ConsentEvent) { c.MemberID, c.Action = "m2", ConsentWithdraw }, "", ""},
		{"child grants alone", child, func(c *ConsentEvent) { c.MemberID = "m2" }, "guardian", "required"},
		{"consent before the 14th birthday", Member{ID: "m3", IDNumber: mkID(t, "61010320110616001"), BirthYear: 2011},
			func(c *ConsentEvent) { c.MemberID = "m3" }, "guardian", "required"},
		{"consent the day before the 14th birthday", Member{ID: "m3", IDNumber: mkID(t, "61010320110616001"), BirthYear: 2011},
			func(c *ConsentEvent) { c.MemberID, c.At = "m3", day(2025, 6, 15) }, "guardian", "required"},
		{"consent on the 14th birthday, by ID", Member{ID: "m3", IDNumber: mkID(t, "61010320110601001"), BirthYear: 2011},
			func(c *ConsentEvent) { c.MemberID, c.At = "m3", day(2025, 6, 1) }, "", ""},
		{"member missing", adult, func(c *ConsentEvent) { c.MemberID = "" }, "member_id", "required"},
		{"other member", adult, func(c *ConsentEvent) { c.MemberID = "m2" }, "member_id", "mismatch"},
		{"recipient unknown", adult, func(c *ConsentEvent) { c.Recipient = "everyone" }, "recipient", "enum"},
		{"action unknown", adult, func(c *ConsentEvent) { c.Action = "maybe" }, "action", "enum"},
		{"time missing", adult, func(c *ConsentEvent) { c.At = time.Time{} }, "at", "required"},
		{"time in future", adult, func(c *ConsentEvent) { c.At = fixNow.Add(time.Minute) }, "at", "range"},
		{"method unknown", adult, func(c *ConsentEvent) { c.Method = "telepathy" }, "method", "enum"},
		{"recorder missing", adult, func(c *ConsentEvent) { c.RecordedBy = "" }, "recorded_by", "required"},
		{"note too long", adult, func(c *ConsentEvent) { c.Note = strings.Repeat("字", 201) }, "note", "length"},
		{"guardian unnamed", child, func(c *ConsentEvent) { c.MemberID, c.Guardian = "m2", &Guardian{Relation: RelationParent} }, "guardian.name", "required"},
		{"guardian relation self", child, func(c *ConsentEvent) { c.MemberID, c.Guardian = "m2", &Guardian{Name: "x", Relation: RelationSelf} }, "guardian.relation", "enum"},
		{"guardian is the child", child, func(c *ConsentEvent) {
			c.MemberID, c.Guardian = "m2", &Guardian{Name: "x", Relation: RelationParent, MemberID: "m2"}
		}, "guardian.member_id", "self"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := grant
			tt.modify(&c)
			expectRule(t, c.Validate(tt.member, fixNow), tt.field, tt.rule)
		})
	}
}

func TestConsentGiven(t *testing.T) {
	ev := func(member string, r RecipientKind, a ConsentAction, at time.Time) ConsentEvent {
		return ConsentEvent{MemberID: member, Recipient: r, Action: a, At: at}
	}
	events := []ConsentEvent{
		ev("m1", RecipientNGOUnit, ConsentGrant, day(2025, 1, 1)),
		ev("m1", RecipientVolunteer, ConsentGrant, day(2025, 1, 1)),
		ev("m1", RecipientVolunteer, ConsentWithdraw, day(2025, 2, 1)),
		// Recorded late but happened earlier: it does not override.
		ev("m1", RecipientNGOUnit, ConsentWithdraw, day(2024, 12, 1)),
		ev("m2", RecipientEmployer, ConsentWithdraw, day(2025, 1, 1)),
		ev("m2", RecipientEmployer, ConsentGrant, day(2025, 1, 1)),
	}
	tests := []struct {
		name   string
		member string
		r      RecipientKind
		want   bool
	}{
		{"granted", "m1", RecipientNGOUnit, true},
		{"withdrawn later", "m1", RecipientVolunteer, false},
		{"never asked", "m1", RecipientEmployer, false},
		{"same time: later entry wins", "m2", RecipientEmployer, true},
		{"unknown member", "m9", RecipientNGOUnit, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ConsentGiven(events, tt.member, tt.r); got != tt.want {
				t.Fatalf("ConsentGiven = %v", got)
			}
		})
	}
}

func TestHouseholdAllows(t *testing.T) {
	h := fxHousehold(t)
	if !h.Allows("m1", RecipientNGOUnit) || h.Allows("m1", RecipientEmployer) {
		t.Fatal("Allows follows consent")
	}
	h.DoNotContact = true
	if h.Allows("m1", RecipientNGOUnit) {
		t.Fatal("do-not-contact must override consent")
	}
	if len(RecipientKinds()) != 3 {
		t.Fatal("RecipientKinds")
	}
}
