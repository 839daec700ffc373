package domain

import "testing"

// mkUSCC completes 17 characters with their check character.
func mkUSCC(tb testing.TB, first17 string) string {
	tb.Helper()
	code, err := CompleteUSCC(first17)
	if err != nil {
		tb.Fatalf("CompleteUSCC(%q): %v", first17, err)
	}
	return code
}

func TestUSCCCheckCharPublishedSample(t *testing.T) {
	// The sample code printed in GB 32100-2015.
	const sample = "91350100M000100Y43"
	c, err := USCCCheckChar(sample[:17])
	if err != nil || c != '3' {
		t.Fatalf("USCCCheckChar = %q, %v; want '3'", c, err)
	}
	if err := ValidateUSCC(sample); err != nil {
		t.Fatalf("ValidateUSCC(sample) = %v", err)
	}
}

func TestUSCCCheckCharRejectsBadInput(t *testing.T) {
	for _, in := range []string{"", "91350100M000100Y", "91350100M000100I4"} {
		if _, err := USCCCheckChar(in); ErrorCode(err) != EINVALID {
			t.Errorf("USCCCheckChar(%q) err = %v, want EINVALID", in, err)
		}
	}
}

func TestValidateUSCC(t *testing.T) {
	ngo := mkUSCC(t, "51610103MJX123456")
	good := "91350100M000100Y43"
	tests := []struct {
		name string
		code string
		rule string
	}{
		{"enterprise sample", good, ""},
		{"civil-affairs NGO", ngo, ""},
		{"public institution", mkUSCC(t, "12610103435200123"), ""},
		{"check character zero", checkZeroCode(t), ""},
		{"empty", "", "required"},
		{"17 characters", good[:17], "format"},
		{"19 characters", good + "1", "format"},
		{"lower case", "91350100m000100y43", "format"},
		{"letter I", "91350100I000100Y43", "format"},
		{"letter O", "91350100O000100Y43", "format"},
		{"letter Z", "91350100Z000100Y43", "format"},
		{"letter S", "91350100S000100Y43", "format"},
		{"letter V", "91350100V000100Y43", "format"},
		{"Chinese character", "91350100M00010中", "format"},
		{"unknown authority B", mkUSCC(t, "B1350100M000100Y4"), "format"},
		{"letter in division code", mkUSCC(t, "9135A100M000100Y4"), "format"},
		{"wrong check character", "91350100M000100Y44", "checksum"},
		{"swapped characters", "91351000M000100Y43", "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectRule(t, ValidateUSCC(tt.code), "credit_code", tt.rule)
		})
	}
}

// checkZeroCode finds a code whose check character is '0', the case where
// 31 - sum%31 is 31 and must wrap to 0.
func checkZeroCode(tb testing.TB) string {
	tb.Helper()
	for i := 0; i < len(USCCAlphabet); i++ {
		code := mkUSCC(tb, "9161010300000000"+string(USCCAlphabet[i]))
		if code[17] == '0' {
			return code
		}
	}
	tb.Fatal("no code with check character 0")
	return ""
}

func TestNormalizeUSCC(t *testing.T) {
	if got := NormalizeUSCC(" 91350100m000100y43 "); got != "91350100M000100Y43" {
		t.Fatalf("NormalizeUSCC = %q", got)
	}
}
