package domain

import "testing"

func TestValidateMobile(t *testing.T) {
	tests := []struct {
		name  string
		phone string
		rule  string
	}{
		{"China Mobile 138", "13812345678", ""},
		{"199 range", "19912345678", ""},
		{"166 range", "16600001111", ""},
		{"empty", "", "required"},
		{"starts 12", "12812345678", "format"},
		{"starts 10", "10012345678", "format"},
		{"starts 2", "23812345678", "format"},
		{"10 digits", "1381234567", "format"},
		{"12 digits", "138123456789", "format"},
		{"landline", "02987654321", "format"},
		{"letters", "1381234567a", "format"},
		{"with country code (not normalized)", "+8613812345678", "format"},
		{"full-width digits", "１３８１２３４５６７８", "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectRule(t, ValidateMobile(tt.phone), "phone", tt.rule)
			if got := IsMobile(tt.phone); got != (tt.rule == "") {
				t.Fatalf("IsMobile = %v", got)
			}
		})
	}
}

func TestNormalizeMobile(t *testing.T) {
	tests := []struct{ in, want string }{
		{"138 1234 5678", "13812345678"},
		{"138-1234-5678", "13812345678"},
		{"+86 138 1234 5678", "13812345678"},
		{"8613812345678", "13812345678"},
		{"13812345678", "13812345678"},
		{"029-8765 4321", "02987654321"},
	}
	for _, tt := range tests {
		if got := NormalizeMobile(tt.in); got != tt.want {
			t.Errorf("NormalizeMobile(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskMobile(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"1381234", "*******"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskMobile(tt.in); got != tt.want {
			t.Errorf("MaskMobile(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
