package domain

import "strings"

// The unified social credit code (统一社会信用代码, GB 32100-2015) identifies
// every organisation: NGOs, enterprises and stationed units alike. Its 18
// characters are the registration authority (1), the organisation category (1),
// the administrative division of the registering office (6 digits), the
// organisation code (9) and a check character. Letters I, O, Z, S and V are
// never used, so that they cannot be read as 1, 0, 2, 5 and U.

// USCCAlphabet lists the 31 characters a credit code may contain; a
// character's index is its value in the check computation.
const USCCAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccAuthorities are the registration authority codes of GB 32100: 1 机构编制,
// 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管(工商),
// A 中央军委改革和编制办公室, N 农业, Y 其他.
const usccAuthorities = "123456789ANY"

// USCCCheckChar computes the check character of the first 17 characters of a
// credit code: weights 3^i mod 31, then 31 minus the sum mod 31. Seeds use it
// to make codes that validate.
func USCCCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, Errorf(EINVALID, "统一社会信用代码前17位长度错误")
	}
	sum, w := 0, 1
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(USCCAlphabet, first17[i])
		if v < 0 {
			return 0, Errorf(EINVALID, "统一社会信用代码含非法字符 %q", first17[i])
		}
		sum += v * w
		w = w * 3 % 31
	}
	return USCCAlphabet[(31-sum%31)%31], nil
}

// CompleteUSCC appends the check character to the first 17 characters.
func CompleteUSCC(first17 string) (string, error) {
	c, err := USCCCheckChar(first17)
	if err != nil {
		return "", err
	}
	return first17 + string(c), nil
}

// NormalizeUSCC trims spaces and upper-cases, the usual slips when a code is
// copied from a licence; validation expects the normalized form.
func NormalizeUSCC(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// ValidateUSCC checks a credit code: 18 characters from USCCAlphabet, a known
// registration authority, a 6-digit division code and the check character.
// The error names the field "credit_code".
func ValidateUSCC(code string) error {
	if code == "" {
		return Invalid("credit_code", "required", "统一社会信用代码不能为空")
	}
	if len(code) != 18 {
		return Invalid("credit_code", "format", "统一社会信用代码须为18位")
	}
	for i := 0; i < len(code); i++ {
		if strings.IndexByte(USCCAlphabet, code[i]) < 0 {
			return Invalid("credit_code", "format", "统一社会信用代码只能含数字和大写字母（不含I、O、Z、S、V）")
		}
	}
	if strings.IndexByte(usccAuthorities, code[0]) < 0 {
		return Invalid("credit_code", "format", "统一社会信用代码第1位（登记管理部门码）无效")
	}
	if !isDigits(code[2:8]) {
		return Invalid("credit_code", "format", "统一社会信用代码第3–8位（行政区划码）须为数字")
	}
	if c, _ := USCCCheckChar(code[:17]); c != code[17] {
		return Invalid("credit_code", "checksum", "统一社会信用代码校验位错误")
	}
	return nil
}
