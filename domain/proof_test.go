package domain

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestNewProofCode(t *testing.T) {
	tests := []struct {
		name  string
		bytes []byte
		want  string
	}{
		{"zero", []byte{0, 0, 0, 0}, "000000"},
		{"small keeps leading zeros", []byte{0, 0, 0, 42}, "000042"},
		{"wraps modulo a million", []byte{0x00, 0x0f, 0x42, 0x41}, "000001"}, // 1,000,001
		{"largest accepted draw", []byte{0xff, 0xf1, 0x3d, 0x7f}, "999999"},  // 4,293,999,999
		{"biased draw rejected", []byte{0xff, 0xf1, 0x3d, 0x80, 0, 0, 0, 7}, "000007"},
		{"top draw rejected", []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0x30, 0x39}, "012345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewProofCode(bytes.NewReader(tt.bytes))
			if err != nil || got != tt.want {
				t.Fatalf("NewProofCode = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	boom := errors.New("entropy gone")
	if _, err := NewProofCode(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Fatalf("reader error: %v", err)
	}
	if _, err := NewProofCode(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff})); err == nil {
		t.Fatal("a source that runs dry after a rejected draw must fail")
	}
}

func TestHashProofCode(t *testing.T) {
	key := []byte("server-secret")
	h := HashProofCode(key, "r1", "123456")
	if len(h) != 64 || h != HashProofCode(key, "r1", "123456") {
		t.Fatalf("hash %q is not a stable hex SHA-256", h)
	}
	tests := []struct {
		name    string
		key     []byte
		subject string
		code    string
		want    bool
	}{
		{"right code", key, "r1", "123456", true},
		{"wrong code", key, "r1", "123457", false},
		{"other subject", key, "r2", "123456", false},
		{"other key", []byte("other"), "r1", "123456", false},
		{"subject and code shifted", key, "r11", "23456", false},
		{"empty code", key, "r1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckProofCode(h, tt.key, tt.subject, tt.code); got != tt.want {
				t.Fatalf("CheckProofCode = %v", got)
			}
		})
	}
	if CheckProofCode("", key, "r1", "123456") {
		t.Fatal("an empty hash matches nothing")
	}
}

func TestProofCodeRedeem(t *testing.T) {
	key := []byte("k")
	issued := day(2025, 6, 1)
	code, pc, err := IssueProofCode(bytes.NewReader([]byte{0, 1, 0xe2, 0x40}), key, "r1", issued, 7*24*time.Hour) // 123,456
	if err != nil || code != "123456" || pc.Hash != HashProofCode(key, "r1", code) || !pc.ExpiresAt.Equal(day(2025, 6, 8)) {
		t.Fatalf("IssueProofCode = %q, %+v, %v", code, pc, err)
	}
	if strings.Contains(pc.Hash, code) {
		t.Fatal("the stored form must not hold the code")
	}
	tests := []struct {
		name     string
		modify   func(*ProofCode)
		code     string
		at       time.Time
		want     string
		attempts int
	}{
		{"right code", func(*ProofCode) {}, "123456", day(2025, 6, 2), "", 0},
		{"right code at expiry", func(*ProofCode) {}, "123456", day(2025, 6, 8), "", 0},
		{"expired", func(*ProofCode) {}, "123456", day(2025, 6, 8).Add(time.Second), ECONFLICT, 0},
		{"no expiry", func(c *ProofCode) { c.ExpiresAt = time.Time{} }, "123456", day(2030, 1, 1), "", 0},
		{"wrong code counts", func(*ProofCode) {}, "654321", day(2025, 6, 2), EINVALID, 1},
		{"malformed code does not count", func(*ProofCode) {}, "12345", day(2025, 6, 2), EINVALID, 0},
		{"letters", func(*ProofCode) {}, "12345a", day(2025, 6, 2), EINVALID, 0},
		{"fifth wrong try", func(c *ProofCode) { c.Attempts = 4 }, "654321", day(2025, 6, 2), EINVALID, 5},
		{"locked", func(c *ProofCode) { c.Attempts = MaxCodeAttempts }, "123456", day(2025, 6, 2), ECONFLICT, MaxCodeAttempts},
		{"reused", func(c *ProofCode) { c.UsedAt = day(2025, 6, 2) }, "123456", day(2025, 6, 3), ECONFLICT, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := pc
			tt.modify(&c)
			usedBefore := c.UsedAt
			err := c.Redeem(key, "r1", tt.code, tt.at)
			if ErrorCode(err) != tt.want || c.Attempts != tt.attempts {
				t.Fatalf("Redeem = %v, attempts %d", err, c.Attempts)
			}
			if tt.want == "" && (!c.Redeemed() || !c.UsedAt.Equal(tt.at)) {
				t.Fatalf("not marked used: %+v", c)
			}
			if tt.want != "" && !c.UsedAt.Equal(usedBefore) {
				t.Fatal("a failed redeem must not mark the code used")
			}
		})
	}
	var none *ProofCode
	if none.Redeemed() || ErrorCode(none.Redeem(key, "r1", "123456", issued)) != ECONFLICT {
		t.Fatal("a missing code")
	}
	if _, _, err := IssueProofCode(iotest.ErrReader(errors.New("x")), key, "r1", issued, 0); err == nil {
		t.Fatal("issue with a broken source")
	}
}

func TestProofValidate(t *testing.T) {
	at := day(2025, 6, 10)
	code := Proof{Method: ProofByCode, At: at, RecordedBy: "w1", RecorderRole: RoleNGO}
	tests := []struct {
		name   string
		modify func(*Proof)
		field  string
		rule   string
	}{
		{"valid code", func(*Proof) {}, "", ""},
		{"valid callback", func(p *Proof) {
			p.Method, p.RecorderRole, p.Note = ProofByCallback, RoleCoordinator, "已回访，服务到位"
		}, "", ""},
		{"valid signature", func(p *Proof) { p.Method, p.SignatureRef = ProofBySignature, "sig/r1.png" }, "", ""},
		{"method unknown", func(p *Proof) { p.Method = "wink" }, "method", "enum"},
		{"time missing", func(p *Proof) { p.At = time.Time{} }, "at", "required"},
		{"time in future", func(p *Proof) { p.At = day(2026, 1, 1) }, "at", "range"},
		{"recorder missing", func(p *Proof) { p.RecordedBy = "" }, "recorded_by", "required"},
		{"role unknown", func(p *Proof) { p.RecorderRole = "resident" }, "recorder_role", "enum"},
		{"callback by provider", func(p *Proof) { p.Method, p.Note = ProofByCallback, "好" }, "recorder_role", "role"},
		{"callback without note", func(p *Proof) { p.Method, p.RecorderRole = ProofByCallback, RoleCoordinator }, "note", "required"},
		{"signature without file", func(p *Proof) { p.Method = ProofBySignature }, "signature_ref", "required"},
		{"file without signature", func(p *Proof) { p.SignatureRef = "sig/r1.png" }, "signature_ref", "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := code
			tt.modify(&p)
			expectRule(t, p.Validate(fixNow), tt.field, tt.rule)
		})
	}
}

func TestRatingValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Rating)
		field  string
		rule   string
	}{
		{"one star", func(r *Rating) { r.Stars = 1 }, "", ""},
		{"five stars", func(r *Rating) { r.Stars = 5 }, "", ""},
		{"zero stars", func(r *Rating) { r.Stars = 0 }, "stars", "range"},
		{"six stars", func(r *Rating) { r.Stars = 6 }, "stars", "range"},
		{"negative", func(r *Rating) { r.Stars = -1 }, "stars", "range"},
		{"comment too long", func(r *Rating) { r.Comment = strings.Repeat("好", 501) }, "comment", "length"},
		{"time missing", func(r *Rating) { r.At = time.Time{} }, "at", "required"},
		{"recorder missing", func(r *Rating) { r.RecordedBy = "" }, "recorded_by", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := *fxRating(4, day(2025, 6, 10))
			tt.modify(&r)
			expectRule(t, r.Validate(fixNow), tt.field, tt.rule)
		})
	}
}

func fxRecord() ServiceRecord {
	return ServiceRecord{ID: "s1", ReferralID: "r1", HouseholdID: "h1", MemberID: "m1", ProviderID: "p1", OfferingID: "o1",
		Item: "meal", Date: day(2025, 6, 10), Minutes: 20, Units: 5, WhatWasDone: "送午餐五份", Worker: "张师傅",
		Rating: fxRating(5, day(2025, 6, 10)), VoucherFen: Yuan(50), OtherFen: Yuan(25), RecordedBy: "w1", CreatedAt: day(2025, 6, 10)}
}

func TestServiceRecordValidate(t *testing.T) {
	cat := fxCatalogue(t)
	tests := []struct {
		name   string
		modify func(*ServiceRecord)
		field  string
		rule   string
	}{
		{"valid", func(*ServiceRecord) {}, "", ""},
		{"valid confirmed and settled", func(s *ServiceRecord) { s.ConfirmedAt, s.StatementID = day(2025, 6, 12), "stmt:p1:2025-06" }, "", ""},
		{"referral missing", func(s *ServiceRecord) { s.ReferralID = "" }, "referral_id", "required"},
		{"provider missing", func(s *ServiceRecord) { s.ProviderID = "" }, "provider_id", "required"},
		{"item unknown", func(s *ServiceRecord) { s.Item = "bath" }, "item", "exists"},
		{"date in future", func(s *ServiceRecord) { s.Date = day(2025, 7, 1) }, "date", "range"},
		{"no minutes", func(s *ServiceRecord) { s.Minutes = 0 }, "minutes", "range"},
		{"more than a day", func(s *ServiceRecord) { s.Minutes = 24*60 + 1 }, "minutes", "range"},
		{"no units", func(s *ServiceRecord) { s.Units = 0 }, "units", "range"},
		{"nothing done", func(s *ServiceRecord) { s.WhatWasDone = " " }, "what_was_done", "required"},
		{"no worker", func(s *ServiceRecord) { s.Worker = "" }, "worker", "required"},
		{"bad rating", func(s *ServiceRecord) { s.Rating.Stars = 9 }, "rating.stars", "range"},
		{"negative voucher", func(s *ServiceRecord) { s.VoucherFen = -1 }, "voucher_fen", "range"},
		{"negative other", func(s *ServiceRecord) { s.OtherFen = -1 }, "other_fen", "range"},
		{"confirmed before service", func(s *ServiceRecord) { s.ConfirmedAt = day(2025, 6, 9) }, "confirmed_at", "range"},
		{"settled unconfirmed", func(s *ServiceRecord) { s.StatementID = "stmt:p1:2025-06" }, "statement_id", "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fxRecord()
			r := *s.Rating
			s.Rating = &r
			tt.modify(&s)
			expectRule(t, s.Validate(cat, fixNow), tt.field, tt.rule)
		})
	}
	if fxRecord().TotalFen() != Yuan(75) {
		t.Fatal("TotalFen")
	}
}

func TestServiceRecordLogEntry(t *testing.T) {
	s := fxRecord()
	e := s.LogEntry("助餐")
	want := LogEntry{ID: "svc-s1", HouseholdID: "h1", MemberID: "m1", Kind: LogService, At: s.Date, Author: "w1",
		Text: "助餐：送午餐五份（20分钟，服务人员：张师傅，评价5星）", RefID: "r1"}
	if e != want {
		t.Fatalf("LogEntry = %+v", e)
	}
	if err := e.Validate(fixNow); err != nil {
		t.Fatalf("the log entry must be valid: %v", err)
	}
	s.Rating = nil
	if got := s.LogEntry("助餐").Text; got != "助餐：送午餐五份（20分钟，服务人员：张师傅）" {
		t.Fatalf("unrated text %q", got)
	}
}
