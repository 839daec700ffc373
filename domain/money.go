package domain

import (
	"math"
	"strconv"
	"strings"
)

// Fen is an amount of money in fen (分, 1/100 yuan). Money is never a float:
// voucher ledgers and monthly settlements must add up to the fen. In JSON it
// is a plain integer.
type Fen int64

// Yuan returns n whole yuan in fen.
func Yuan(n int64) Fen { return Fen(n * 100) }

// String formats the amount for people, as ¥1,234.50 or -¥86.00.
func (f Fen) String() string {
	sign := ""
	// Work in uint64 so that the most negative value has a magnitude.
	mag := uint64(f)
	if f < 0 {
		sign = "-"
		mag = uint64(-(f + 1)) + 1
	}
	whole := strconv.FormatUint(mag/100, 10)
	var b strings.Builder
	b.WriteString(sign)
	b.WriteString("¥")
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	cents := mag % 100
	b.WriteByte('.')
	b.WriteByte(byte('0' + cents/10))
	b.WriteByte(byte('0' + cents%10))
	return b.String()
}

// ParseYuan reads an amount of yuan as people write it — "12.5", "1,234.50",
// "¥86", "100元", "-3.20" — into fen without going through a float, so that
// "0.07" is exactly 7 fen. At most two decimals are accepted; a third would
// have to be rounded, and silently rounding money is not our call. The error
// is EINVALID without a field: the caller knows which field it parsed.
func ParseYuan(s string) (Fen, error) {
	orig := s
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥")
	s = strings.TrimSpace(strings.TrimSuffix(s, "元"))
	whole, frac, hasDot := strings.Cut(s, ".")
	whole, ok := ungroup(whole)
	if !ok || whole == "" || (hasDot && (frac == "" || !isDigits(frac))) {
		return 0, Errorf(EINVALID, "金额格式错误：%q", orig)
	}
	if len(frac) > 2 {
		return 0, Errorf(EINVALID, "金额最多保留两位小数：%q", orig)
	}
	if len(whole) > 17 {
		return 0, Errorf(EINVALID, "金额过大：%q", orig)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > math.MaxInt64/100-1 {
		return 0, Errorf(EINVALID, "金额过大：%q", orig)
	}
	cents := int64(0)
	if frac != "" {
		cents = int64(atoiDigits(frac))
		if len(frac) == 1 {
			cents *= 10
		}
	}
	v := Fen(w*100 + cents)
	if neg {
		v = -v
	}
	return v, nil
}

// ungroup removes thousands separators, accepting them only in their proper
// places (1,234,567) so that a mistyped "1,23" is not read as 123.
func ungroup(s string) (string, bool) {
	if !strings.Contains(s, ",") {
		return s, s == "" || isDigits(s)
	}
	groups := strings.Split(s, ",")
	for i, g := range groups {
		if !isDigits(g) || len(g) > 3 || (i > 0 && len(g) != 3) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}
