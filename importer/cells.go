package importer

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"lianzhu/domain"
)

// errorList collects the problems of a file: at most MaxErrors listed, one
// per cell (the first found is the cause; what follows from it is noise),
// and every row with a problem remembered for partial imports.
type errorList struct {
	list    []RowError
	omitted int
	cells   map[RowError]bool // keyed by row and column, reason empty
	rows    map[int]bool
}

func (l *errorList) add(row int, column, reason string) {
	if l.cells == nil {
		l.cells, l.rows = map[RowError]bool{}, map[int]bool{}
	}
	key := RowError{Row: row, Column: column}
	if column == "" {
		key.Reason = reason // several whole-row problems may stand side by side
	}
	if l.cells[key] {
		return
	}
	l.cells[key] = true
	l.rows[row] = true
	if len(l.list) >= MaxErrors {
		l.omitted++
		return
	}
	l.list = append(l.list, RowError{Row: row, Column: column, Reason: reason})
}

func (l *errorList) any() bool { return len(l.cells) > 0 }

// fileLevel reports whether a problem concerns the file or its header, which
// stops the import even when partial.
func (l *errorList) fileLevel() bool { return l.rows[0] || l.rows[1] }

// into sorts the errors by row, then in the layout's column order, and puts
// them in the report.
func (l *errorList) into(rep *Report, cols []Column) {
	pos := map[string]int{}
	for i, c := range cols {
		pos[c.Header] = i + 1
	}
	sort.SliceStable(l.list, func(i, j int) bool {
		a, b := l.list[i], l.list[j]
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return pos[a.Column] < pos[b.Column]
	})
	rep.Errors = append(rep.Errors[:0], l.list...)
	if rep.Errors == nil {
		rep.Errors = []RowError{}
	}
	rep.ErrorsOmitted = l.omitted
}

// fieldErrors lists the fields of a domain validation error.
func fieldErrors(err error) []domain.FieldError {
	var e *domain.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e) && len(e.Fields) > 0:
		return e.Fields
	case errors.As(err, &e):
		return []domain.FieldError{{Message: e.Message}}
	}
	return []domain.FieldError{{Message: err.Error()}}
}

// problemText is the reason of a domain error for a report: its fields'
// messages, which say what is wrong, rather than the generic message.
func problemText(err error) string {
	var msgs []string
	for _, f := range fieldErrors(err) {
		msgs = append(msgs, f.Message)
	}
	return strings.Join(msgs, "；")
}

// fieldRule maps a domain field path (and everything below it) to a layout
// column key.
type fieldRule struct{ prefix, key string }

// fieldKey returns the key of the first rule whose prefix is the field or
// an ancestor of it ("audience.places[2]" under "audience.places").
func fieldKey(field string, rules []fieldRule) (string, bool) {
	for _, r := range rules {
		if field == r.prefix || strings.HasPrefix(field, r.prefix+".") || strings.HasPrefix(field, r.prefix+"[") {
			return r.key, true
		}
	}
	return "", false
}

// cutIndex splits "members[3].name" into 3 and "name" when field starts
// with name[.
func cutIndex(field, name string) (int, string, bool) {
	rest, ok := strings.CutPrefix(field, name+"[")
	if !ok {
		return 0, "", false
	}
	num, rest, ok := strings.Cut(rest, "]")
	i, err := strconv.Atoi(num)
	if !ok || err != nil {
		return 0, "", false
	}
	return i, strings.TrimPrefix(rest, "."), true
}

// cleanCell trims the spaces that copying between programs leaves around a
// value, full-width and non-breaking ones included.
func cleanCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u3000' || r == '\u00a0' || r == '\ufeff'
	})
}

// chinaTime is the zone of every date in a district's files: a date is a
// day in China (UTC+8), whatever the server's zone.
var chinaTime = time.FixedZone("CST", 8*3600)

// dateLayouts are the ways offices write dates.
var dateLayouts = []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006.1.2", "2006年1月2日", "20060102"}

// parseDate reads a date as text in one of dateLayouts, a date-time whose
// time is dropped, or an Excel serial day number (a date cell read raw).
func parseDate(s string) (time.Time, error) {
	s = cleanCell(s)
	if day, _, ok := strings.Cut(s, " "); ok {
		s = day
	}
	if day, _, ok := strings.Cut(s, "T"); ok && len(day) >= 8 {
		s = day
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, chinaTime); err == nil {
			return t, nil
		}
	}
	// Excel counts days from 1899-12-30 (its 1900 leap-year bug included);
	// serials up to 99999 reach the year 2173.
	if whole, _, _ := strings.Cut(s, "."); len(whole) <= 5 {
		if n, err := strconv.Atoi(whole); err == nil && n > 0 {
			return time.Date(1899, 12, 30, 0, 0, 0, 0, chinaTime).AddDate(0, 0, n), nil
		}
	}
	return time.Time{}, fmt.Errorf("日期格式错误：%q，请写作 2024-03-01", s)
}

// parseYuan reads an amount of yuan into fen without floats. A numeric
// Excel cell read raw may carry binary noise ("8.1999999999999993" for
// 8.2, or an exponent); such a value is accepted only when it is within a
// millionth of a whole fen, never rounded otherwise.
func parseYuan(s string) (domain.Fen, error) {
	f, err := domain.ParseYuan(s)
	if err == nil {
		return f, nil
	}
	if x, ferr := strconv.ParseFloat(cleanCell(s), 64); ferr == nil && !math.IsInf(x, 0) && math.Abs(x) < 1e15 {
		fen := math.Round(x * 100)
		if math.Abs(x*100-fen) < 1e-6 {
			return domain.Fen(fen), nil
		}
	}
	return 0, errors.New(domain.ErrorMessage(err))
}

// parseInt reads a whole number; a raw numeric cell may read "40" or "4E+1".
func parseInt(s string) (int, error) {
	s = cleanCell(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil && x == math.Trunc(x) && math.Abs(x) < 1e9 {
		return int(x), nil
	}
	return 0, fmt.Errorf("须为整数：%q", s)
}

// splitList splits a multi-valued cell on the separators offices use.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == '、' || r == ';' || r == '；' || r == ',' || r == '，' || r == '\n' || r == '|'
	})
	out := parts[:0]
	for _, p := range parts {
		if p = cleanCell(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// looksNumeric flags an identifier that Excel turned into a number (an
// exponent, or a ".0" tail): its last digits are lost.
func looksNumeric(s string) bool {
	return strings.Contains(strings.ToUpper(s), "E+") || strings.HasSuffix(s, ".0")
}

// numericHint is the reason given for an identifier stored as a number.
const numericHint = "被Excel存成了数字（科学计数法），末几位已丢失：请将该列设为文本格式后重新填写"

// cellParser reads the cells of one record and reports their problems
// against the row and column they came from.
type cellParser struct {
	cols []Column
	errs *errorList
	// items maps catalogue codes and Chinese names to codes.
	items map[string]string
}

func newCellParser(cols []Column, errs *errorList, cat *domain.Catalogue) cellParser {
	p := cellParser{cols: cols, errs: errs, items: map[string]string{}}
	for _, it := range cat.All() {
		p.items[it.NameZh] = it.Code
		p.items[strings.ToLower(it.Code)] = it.Code
	}
	return p
}

// item accepts a catalogue code or an item's Chinese name; anything else
// is kept for validation to report.
func (p cellParser) item(v string) string {
	if code, ok := p.items[v]; ok {
		return code
	}
	if code, ok := p.items[strings.ToLower(v)]; ok {
		return code
	}
	return v
}

// pickCell reads a closed-list cell; blank gives "".
func (p cellParser) pickCell(row int, col int, v string, cs choices) string {
	if v == "" {
		return ""
	}
	code, ok := cs.parse(v)
	if !ok {
		p.errs.add(row, p.cols[col].Header, fmt.Sprintf("“%s”不是可选值，可填：%s", v, cs.text()))
	}
	return code
}

// boolCell reads 是/否; blank gives nil.
func (p cellParser) boolCell(row, col int, v string) *bool {
	code := p.pickCell(row, col, v, boolChoices)
	if code == "" {
		return nil
	}
	b := code == "true"
	return &b
}

func (p cellParser) dateCell(row, col int, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := parseDate(v)
	if err != nil {
		p.errs.add(row, p.cols[col].Header, err.Error())
	}
	return t
}

// yuanCell reads an amount; blank gives nil.
func (p cellParser) yuanCell(row, col int, v string) *domain.Fen {
	if v == "" {
		return nil
	}
	f, err := parseYuan(v)
	if err != nil {
		p.errs.add(row, p.cols[col].Header, err.Error())
		return nil
	}
	return &f
}

func (p cellParser) intCell(row, col int, v string) int {
	if v == "" {
		return 0
	}
	n, err := parseInt(v)
	if err != nil {
		p.errs.add(row, p.cols[col].Header, err.Error())
	}
	return n
}
