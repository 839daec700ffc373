package domain

import (
	"encoding/json"
	"math"
	"testing"
)

func TestFenString(t *testing.T) {
	tests := []struct {
		fen  Fen
		want string
	}{
		{0, "¥0.00"},
		{5, "¥0.05"},
		{50, "¥0.50"},
		{8600, "¥86.00"},
		{123450, "¥1,234.50"},
		{100000000, "¥1,000,000.00"},
		{-8600, "-¥86.00"},
		{-123456789, "-¥1,234,567.89"},
		{math.MinInt64, "-¥92,233,720,368,547,758.08"},
		{math.MaxInt64, "¥92,233,720,368,547,758.07"},
	}
	for _, tt := range tests {
		if got := tt.fen.String(); got != tt.want {
			t.Errorf("Fen(%d).String() = %q, want %q", int64(tt.fen), got, tt.want)
		}
	}
}

func TestParseYuan(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Fen
		ok   bool
	}{
		{"integer", "12", 1200, true},
		{"one decimal", "12.5", 1250, true},
		{"two decimals", "12.05", 1205, true},
		{"float trap", "0.07", 7, true},
		{"float trap 2", "1.15", 115, true},
		{"zero", "0", 0, true},
		{"grouped", "1,234.50", 123450, true},
		{"grouped millions", "1,234,567", 123456700, true},
		{"yen sign", "¥86", 8600, true},
		{"full-width yen sign", "￥86.00", 8600, true},
		{"yuan suffix", "100元", 10000, true},
		{"spaces", "  3.2 ", 320, true},
		{"negative", "-3.20", -320, true},
		{"negative with sign", "-¥1,000", -100000, true},
		{"empty", "", 0, false},
		{"three decimals", "1.234", 0, false},
		{"trailing dot", "12.", 0, false},
		{"leading dot", ".5", 0, false},
		{"letters", "12a", 0, false},
		{"two dots", "1.2.3", 0, false},
		{"bad grouping", "1,23", 0, false},
		{"bad grouping 2", "1234,567", 0, false},
		{"comma decimal", "12,5", 0, false},
		{"exponent", "1e3", 0, false},
		{"plus sign", "+5", 0, false},
		{"overflow", "92233720368547758.08", 0, false},
		{"huge", "999999999999999999999", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseYuan(tt.in)
			if tt.ok {
				if err != nil || got != tt.want {
					t.Fatalf("ParseYuan(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
				}
				return
			}
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseYuan(%q) = %d, %v; want EINVALID", tt.in, got, err)
			}
		})
	}
}

func TestParseYuanRoundTrip(t *testing.T) {
	for _, f := range []Fen{0, 1, 99, 100, 123450, 987654321} {
		got, err := ParseYuan(f.String())
		if err != nil || got != f {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", f.String(), got, err, f)
		}
	}
}

func TestFenJSONIsInteger(t *testing.T) {
	b, err := json.Marshal(struct {
		Price Fen `json:"price_fen"`
	}{Yuan(12) + 50})
	if err != nil || string(b) != `{"price_fen":1250}` {
		t.Fatalf("json = %s, %v", b, err)
	}
}
