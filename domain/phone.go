package domain

import "strings"

// Mainland mobile numbers have 11 digits starting 13–19; every resident,
// volunteer and contact person in a district office's records has one, and
// it is how coordinators reach them. Landlines are not accepted as contact
// numbers: services are arranged by text message and calls to a person.

// NormalizeMobile removes the spaces and hyphens people type between digit
// groups and a leading +86 or 86 country code; validation expects the result.
func NormalizeMobile(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimPrefix(s, "+")
	if len(s) == 13 && strings.HasPrefix(s, "86") {
		s = s[2:]
	}
	return s
}

// IsMobile reports whether s is a mainland mobile number: 1[3-9] and nine
// more digits.
func IsMobile(s string) bool {
	return len(s) == 11 && isDigits(s) && s[0] == '1' && s[1] >= '3' && s[1] <= '9'
}

// ValidateMobile checks a mobile number; the error names the field "phone".
func ValidateMobile(s string) error {
	if s == "" {
		return Invalid("phone", "required", "手机号不能为空")
	}
	if !IsMobile(s) {
		return Invalid("phone", "format", "手机号须为11位中国大陆手机号（1开头，第2位为3–9）")
	}
	return nil
}

// MaskMobile shows the first 3 and last 4 digits, as 138****5678, the form
// printed on receipts and shown to providers.
func MaskMobile(s string) string {
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}
