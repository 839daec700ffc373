package domain

import "testing"

func TestVolunteerConsent(t *testing.T) {
	grant := func(r RecipientKind, a ConsentAction, d int) ConsentEvent {
		return ConsentEvent{MemberID: "m1", Recipient: r, Action: a, At: day(2025, 5, d), Method: ConsentVerbal, RecordedBy: "u7"}
	}
	tests := []struct {
		name     string
		consents []ConsentEvent
		dnc      bool
		ok       bool
	}{
		{"consented", []ConsentEvent{grant(RecipientVolunteer, ConsentGrant, 1)}, false, true},
		{"no consent", nil, false, false},
		{"consent to NGOs only", []ConsentEvent{grant(RecipientNGOUnit, ConsentGrant, 1)}, false, false},
		{"withdrawn", []ConsentEvent{grant(RecipientVolunteer, ConsentGrant, 1), grant(RecipientVolunteer, ConsentWithdraw, 2)}, false, false},
		{"do not contact overrides consent", []ConsentEvent{grant(RecipientVolunteer, ConsentGrant, 1)}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &Household{Consents: tt.consents, DoNotContact: tt.dnc}
			err := VolunteerConsent(h, "m1")
			if (err == nil) != tt.ok || err != nil && ErrorCode(err) != ECONFLICT {
				t.Fatalf("VolunteerConsent = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
