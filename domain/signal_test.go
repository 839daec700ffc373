package domain

import (
	"strings"
	"testing"
	"time"
)

// fxSignal is a valid large medical bill as it arrives: plain ID number.
func fxSignal(tb testing.TB) Signal {
	tb.Helper()
	return Signal{Kind: SignalLargeMedicalBill, AmountFen: Yuan(18000) + 50, Date: day(2025, 6, 1),
		SourceDepartment: DeptMedicalSecurity, IDNumber: mkID(tb, "61990119700304002"), Name: "王秀兰",
		ReceivedAt: day(2025, 6, 10), ExternalRef: "YB-2025-000123"}
}

func TestSignalValidate(t *testing.T) {
	disability := func(s *Signal) {
		s.Kind, s.AmountFen = SignalNewDisability, 0
		s.Disability = &Disability{Type: DisabilityPhysical, Grade: 2}
	}
	tests := []struct {
		name        string
		modify      func(*Signal)
		field, rule string
	}{
		{"valid", func(*Signal) {}, "", ""},
		{"valid sealed and matched", func(s *Signal) {
			s.Seal("h:abc")
			s.HouseholdID, s.MemberID = "hh-000001", "m1"
		}, "", ""},
		{"valid job loss without wage", func(s *Signal) { s.Kind, s.AmountFen = SignalJobLoss, 0 }, "", ""},
		{"valid new disability", disability, "", ""},
		{"unknown kind", func(s *Signal) { s.Kind = "lottery_win" }, "kind", "enum"},
		{"amount required", func(s *Signal) { s.AmountFen = 0 }, "amount_fen", "required"},
		{"amount negative", func(s *Signal) { s.Kind = SignalJobLoss; s.AmountFen = -1 }, "amount_fen", "range"},
		{"amount too large (fen sent as yuan × 100)", func(s *Signal) { s.AmountFen = Yuan(5_000_001) }, "amount_fen", "range"},
		{"amount forbidden", func(s *Signal) { s.Kind = SignalSeriousIllness }, "amount_fen", "forbidden"},
		{"disability required", func(s *Signal) { disability(s); s.Disability = nil }, "disability", "required"},
		{"disability forbidden", func(s *Signal) { s.Disability = &Disability{Type: DisabilityVisual, Grade: 1} }, "disability", "forbidden"},
		{"disability grade", func(s *Signal) { disability(s); s.Disability.Grade = 5 }, "disability.grade", "range"},
		{"disability type", func(s *Signal) { disability(s); s.Disability.Type = "tired" }, "disability.type", "enum"},
		{"date missing", func(s *Signal) { s.Date = time.Time{} }, "date", "required"},
		{"date in the future", func(s *Signal) { s.Date = fixNow.Add(time.Hour) }, "date", "range"},
		{"date stale", func(s *Signal) { s.Date = day(2022, 6, 1) }, "date", "range"},
		{"date after receipt", func(s *Signal) { s.Date = day(2025, 6, 11) }, "date", "range"},
		{"department", func(s *Signal) { s.SourceDepartment = "hospital" }, "source_department", "enum"},
		{"ID number missing", func(s *Signal) { s.IDNumber = "" }, "id_number", "required"},
		{"ID number format", func(s *Signal) { s.IDNumber = s.IDNumber[:17] + "Y" }, "id_number", "format"},
		{"ID number bad check character", func(s *Signal) {
			s.IDNumber = s.IDNumber[:17] + string("0123456789"[(strings.IndexByte("0123456789X", s.IDNumber[17])+1)%10])
		}, "id_number", "checksum"},
		{"masked ID malformed", func(s *Signal) { s.Seal("h:abc"); s.IDMasked = "6199" }, "id_masked", "format"},
		{"member without household", func(s *Signal) { s.MemberID = "m1" }, "household_id", "required"},
		{"received in the future", func(s *Signal) { s.ReceivedAt = fixNow.Add(time.Hour) }, "received_at", "range"},
		{"received missing", func(s *Signal) { s.ReceivedAt = time.Time{} }, "received_at", "required"},
		{"external ref too long", func(s *Signal) { s.ExternalRef = strings.Repeat("x", 65) }, "external_ref", "length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fxSignal(t)
			tt.modify(&s)
			expectRule(t, s.Validate(fixNow), tt.field, tt.rule)
		})
	}
}

func TestSignalKindsAreDocumented(t *testing.T) {
	for _, k := range SignalKinds() {
		spec, ok := k.Spec()
		if !ok || spec.Kind != k || spec.NameZh == "" || spec.NameEn == "" || !k.Valid() || k.NameZh() != spec.NameZh {
			t.Errorf("%s: spec %+v", k, spec)
		}
		if (spec.Amount == AmountForbidden) != (spec.MaxAmountFen == 0) || (spec.Amount != AmountForbidden) != (spec.AmountZh != "") {
			t.Errorf("%s: an amount needs a meaning and a maximum, and only then: %+v", k, spec)
		}
	}
	if SignalKind("x").Valid() || SignalKind("x").NameZh() != "" {
		t.Fatal("unknown kind is valid")
	}
}

func TestSignalKey(t *testing.T) {
	s := fxSignal(t)
	plain := s.IDNumber
	if _, err := s.Key(); ErrorCode(err) != EINVALID {
		t.Fatalf("key before sealing: %v", err)
	}
	s.Seal("h:7f3a")
	if s.IDNumber != "" || s.IDHash != "h:7f3a" || s.IDMasked != MaskIDNumber(plain) {
		t.Fatalf("Seal = %+v", s)
	}
	key, err := s.Key()
	if err != nil || !strings.HasPrefix(key, "sig-") || len(key) != 36 {
		t.Fatalf("Key = %q, %v", key, err)
	}
	if strings.Contains(key, plain) || strings.Contains(key, plain[6:14]) {
		t.Fatalf("key %q contains the ID number", key)
	}
	// The same event again: another ID, another receipt, the date as a
	// local time of day on the same day in China.
	again := s
	again.ID, again.ReceivedAt, again.Name = "sig-other", day(2025, 6, 12), "王 秀兰"
	again.Date = time.Date(2025, 6, 1, 15, 30, 0, 0, time.FixedZone("CST", 8*3600))
	if k, _ := again.Key(); k != key {
		t.Fatalf("same signal, different key: %s vs %s", k, key)
	}
	for name, change := range map[string]func(*Signal){
		"amount":     func(x *Signal) { x.AmountFen++ },
		"day":        func(x *Signal) { x.Date = x.Date.AddDate(0, 0, 1) },
		"person":     func(x *Signal) { x.IDHash = "h:other" },
		"kind":       func(x *Signal) { x.Kind = SignalUtilityArrears },
		"department": func(x *Signal) { x.SourceDepartment = DeptHealth },
		"record":     func(x *Signal) { x.ExternalRef = "YB-2025-000124" },
		"disability": func(x *Signal) { x.Disability = &Disability{Type: DisabilityVisual, Grade: 3} },
	} {
		other := s
		change(&other)
		if k, _ := other.Key(); k == key {
			t.Errorf("a different %s gives the same key", name)
		}
	}
}

func TestDepartmentSource(t *testing.T) {
	src := DepartmentSource(DeptMedicalSecurity)
	if d, ok := src.Department(); !ok || d != DeptMedicalSecurity || string(src) != "dept:medical_security" {
		t.Fatalf("DepartmentSource = %q → %q, %v", src, d, ok)
	}
	for _, s := range []FactSource{SourceHomeVisit, "dept:", "dept:hospital", "medical_security"} {
		if _, ok := s.Department(); ok {
			t.Errorf("%q read as a department source", s)
		}
	}
}

func TestSortSignals(t *testing.T) {
	s := []Signal{{ID: "b", Date: day(2025, 5, 2)}, {ID: "c", Date: day(2025, 5, 1)}, {ID: "a", Date: day(2025, 5, 2)}}
	SortSignals(s)
	if s[0].ID != "c" || s[1].ID != "a" || s[2].ID != "b" {
		t.Fatalf("SortSignals = %v", s)
	}
}
