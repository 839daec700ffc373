package domain

import (
	"strings"
	"time"
)

// The resident identity number (公民身份号码, GB 11643-1999) has 18 characters:
// a 6-digit area code, the birth date as YYYYMMDD, a 3-digit sequence whose
// last digit is odd for men and even for women, and a check character over
// the first 17 (ISO 7064 MOD 11-2). Old 15-digit numbers are no longer valid
// on cards and are refused: an office would ask for the current card.

// Gender of a member, as on the ID card.
type Gender string

// Genders.
const (
	GenderMale   Gender = "male"
	GenderFemale Gender = "female"
)

// Valid reports whether g is a known gender.
func (g Gender) Valid() bool { return g == GenderMale || g == GenderFemale }

// idCheckChars maps the weighted sum modulo 11 to the check character.
const idCheckChars = "10X98765432"

// IDCheckChar computes the GB 11643 check character of the first 17 digits of
// a resident ID number. Seeds use it to make numbers that validate.
func IDCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 || !isDigits(first17) {
		return 0, Errorf(EINVALID, "身份证号前17位须为数字")
	}
	// The weight of position i (from the left, 0-based) is 2^(17-i) mod 11;
	// computing it avoids a package-level table.
	sum, w := 0, 1
	for i := 16; i >= 0; i-- {
		w = w * 2 % 11
		sum += int(first17[i]-'0') * w
	}
	return idCheckChars[sum%11], nil
}

// CompleteIDNumber appends the check character to 17 digits.
func CompleteIDNumber(first17 string) (string, error) {
	c, err := IDCheckChar(first17)
	if err != nil {
		return "", err
	}
	return first17 + string(c), nil
}

// NormalizeIDNumber trims spaces and upper-cases a trailing x, the forms in
// which people type the number; validation expects the normalized form.
func NormalizeIDNumber(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// ValidateIDNumber checks an 18-character resident ID number: its shape, the
// birth date inside it (a real date, from 1900, not after now) and its check
// character. The error names the field "id_number"; callers merge it under
// their own prefix (members[1].id_number).
func ValidateIDNumber(id string, now time.Time) error {
	if id == "" {
		return Invalid("id_number", "required", "身份证号不能为空")
	}
	if len(id) != 18 || !isDigits(id[:17]) || !(isDigits(id[17:]) || id[17] == 'X') {
		return Invalid("id_number", "format", "身份证号须为18位：17位数字加1位数字或X")
	}
	birth, ok := idBirthDate(id)
	if !ok {
		return Invalid("id_number", "format", "身份证号中的出生日期无效")
	}
	if birth.Year() < 1900 || birth.After(now) {
		return Invalid("id_number", "range", "身份证号中的出生日期超出范围（1900年至今）")
	}
	if c, _ := IDCheckChar(id[:17]); c != id[17] {
		return Invalid("id_number", "checksum", "身份证号校验位错误")
	}
	return nil
}

// IDBirthDate returns the birth date (UTC midnight) encoded in a valid ID
// number.
func IDBirthDate(id string) (time.Time, error) {
	if len(id) != 18 || !isDigits(id[:17]) {
		return time.Time{}, Errorf(EINVALID, "身份证号格式错误")
	}
	birth, ok := idBirthDate(id)
	if !ok {
		return time.Time{}, Errorf(EINVALID, "身份证号中的出生日期无效")
	}
	return birth, nil
}

// IDBirthYear returns the birth year encoded in an ID number; households keep
// only the year once the number itself is sealed.
func IDBirthYear(id string) (int, error) {
	birth, err := IDBirthDate(id)
	if err != nil {
		return 0, err
	}
	return birth.Year(), nil
}

// IDGender returns the gender encoded in an ID number: the 17th digit is odd
// for men and even for women.
func IDGender(id string) (Gender, error) {
	if len(id) < 17 || !isDigits(id[16:17]) {
		return "", Errorf(EINVALID, "身份证号格式错误")
	}
	if (id[16]-'0')%2 == 1 {
		return GenderMale, nil
	}
	return GenderFemale, nil
}

// MaskIDNumber shows the first 4 and last 4 characters, as 6101**********1234,
// enough for a coordinator to tell two members apart without disclosing the
// number. Anything too short to mask safely is masked completely.
func MaskIDNumber(id string) string {
	if len(id) < 12 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}

// AgeAt returns the age in full years on the day now, counting a birthday on
// 29 February as reached on 1 March in common years.
func AgeAt(birth, now time.Time) int {
	age := now.Year() - birth.Year()
	if now.Month() < birth.Month() || (now.Month() == birth.Month() && now.Day() < birth.Day()) {
		age--
	}
	return age
}

// idBirthDate parses characters 7–14 as a calendar date and rejects dates
// such as 19990230 that time.Date would silently normalize.
func idBirthDate(id string) (time.Time, bool) {
	y := atoiDigits(id[6:10])
	m := atoiDigits(id[10:12])
	d := atoiDigits(id[12:14])
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// atoiDigits converts a string already known to hold only ASCII digits.
func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
