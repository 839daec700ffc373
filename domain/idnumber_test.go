package domain

import (
	"errors"
	"testing"
	"time"
)

// fixNow is the fixed clock of the domain tests.
var fixNow = time.Date(2025, 6, 15, 8, 0, 0, 0, time.UTC)

// mkID completes 17 digits with their check character.
func mkID(tb testing.TB, first17 string) string {
	tb.Helper()
	id, err := CompleteIDNumber(first17)
	if err != nil {
		tb.Fatalf("CompleteIDNumber(%q): %v", first17, err)
	}
	return id
}

// expectRule asserts that err is EINVALID and has a problem at field with rule;
// an empty rule asserts that err is nil.
func expectRule(tb testing.TB, err error, field, rule string) {
	tb.Helper()
	if rule == "" {
		if err != nil {
			tb.Fatalf("want no error, got %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		tb.Fatalf("want EINVALID with %s %s, got %v", field, rule, err)
	}
	for _, f := range e.Fields {
		if f.Field == field && f.Rule == rule {
			if f.Message == "" {
				tb.Fatalf("%s %s has no message", field, rule)
			}
			return
		}
	}
	tb.Fatalf("want %s %s, got %v", field, rule, err)
}

func TestIDCheckCharPublishedSamples(t *testing.T) {
	// Both samples are printed in GB 11643-1999 itself.
	for _, id := range []string{"11010519491231002X", "440524188001010014"} {
		c, err := IDCheckChar(id[:17])
		if err != nil || c != id[17] {
			t.Errorf("IDCheckChar(%s) = %q, %v; want %q", id[:17], c, err, id[17])
		}
	}
	expectRule(t, ValidateIDNumber("11010519491231002X", fixNow), "id_number", "")
	// Born in 1880: a correct number, but nobody living can hold it.
	expectRule(t, ValidateIDNumber("440524188001010014", fixNow), "id_number", "range")
}

func TestIDCheckCharRejectsBadInput(t *testing.T) {
	for _, in := range []string{"", "1234567890123456", "1101051949123100A", "110105194912310021"} {
		if _, err := IDCheckChar(in); ErrorCode(err) != EINVALID {
			t.Errorf("IDCheckChar(%q) err = %v, want EINVALID", in, err)
		}
	}
}

func TestValidateIDNumber(t *testing.T) {
	good := mkID(t, "61010319800101123")
	flipped := good[:17] + string("0123456789X"[(indexOf("0123456789X", good[17])+1)%11])
	tests := []struct {
		name string
		id   string
		rule string
	}{
		{"valid", good, ""},
		{"valid with X", "11010519491231002X", ""},
		{"born today", mkID(t, "61010320250615001"), ""},
		{"empty", "", "required"},
		{"15 digits (old card)", "610103800101123", "format"},
		{"17 characters", good[:17], "format"},
		{"19 characters", good + "1", "format"},
		{"letter inside", "61010319800A01123" + "4", "format"},
		{"lower-case x not normalized", "11010519491231002x", "format"},
		{"month 13", mkID(t, "61010319801301123"), "format"},
		{"30 February", mkID(t, "61010319990230123"), "format"},
		{"29 February in a common year", mkID(t, "61010320230229123"), "format"},
		{"29 February in a leap year", mkID(t, "61010320240229123"), ""},
		{"born tomorrow", mkID(t, "61010320250616001"), "range"},
		{"born 1899", mkID(t, "61010318991231001"), "range"},
		{"wrong check character", flipped, "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectRule(t, ValidateIDNumber(tt.id, fixNow), "id_number", tt.rule)
		})
	}
}

func indexOf(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func TestNormalizeIDNumber(t *testing.T) {
	if got := NormalizeIDNumber(" 11010519491231002x\t"); got != "11010519491231002X" {
		t.Fatalf("NormalizeIDNumber = %q", got)
	}
}

func TestIDBirthAndGender(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		birth  time.Time
		gender Gender
	}{
		{"woman 1949", "11010519491231002X", time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC), GenderFemale},
		{"man 1880", "440524188001010014", time.Date(1880, 1, 1, 0, 0, 0, 0, time.UTC), GenderMale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			birth, err := IDBirthDate(tt.id)
			if err != nil || !birth.Equal(tt.birth) {
				t.Fatalf("IDBirthDate = %v, %v; want %v", birth, err, tt.birth)
			}
			year, err := IDBirthYear(tt.id)
			if err != nil || year != tt.birth.Year() {
				t.Fatalf("IDBirthYear = %d, %v", year, err)
			}
			g, err := IDGender(tt.id)
			if err != nil || g != tt.gender {
				t.Fatalf("IDGender = %q, %v; want %q", g, err, tt.gender)
			}
		})
	}
	for _, bad := range []string{"", "6101031980", "61010319801301123X"} {
		if _, err := IDBirthDate(bad); ErrorCode(err) != EINVALID {
			t.Errorf("IDBirthDate(%q) err = %v, want EINVALID", bad, err)
		}
	}
	if _, err := IDGender("short"); ErrorCode(err) != EINVALID {
		t.Errorf("IDGender(short) err = %v", err)
	}
}

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"610103198001011234", "6101**********1234"},
		{"11010519491231002X", "1101**********002X"},
		{"12345", "*****"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskIDNumber(tt.in); got != tt.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAgeAt(t *testing.T) {
	d := func(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name       string
		birth, now time.Time
		want       int
	}{
		{"day before birthday", d(1960, 6, 16), d(2025, 6, 15), 64},
		{"on birthday", d(1960, 6, 15), d(2025, 6, 15), 65},
		{"later month", d(1960, 1, 1), d(2025, 6, 15), 65},
		{"leap baby on 28 Feb", d(2012, 2, 29), d(2026, 2, 28), 13},
		{"leap baby on 1 Mar", d(2012, 2, 29), d(2026, 3, 1), 14},
		{"newborn", d(2025, 6, 15), d(2025, 6, 15), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AgeAt(tt.birth, tt.now); got != tt.want {
				t.Fatalf("AgeAt = %d, want %d", got, tt.want)
			}
		})
	}
}
