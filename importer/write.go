package importer

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"lianzhu/domain"
)

// WriteXLSX writes one sheet with a bold, frozen header row and the rows as
// text cells (so that ID numbers and codes stay as written), streaming the
// rows. Exports use it; the caller decides what the rows may carry.
func WriteXLSX(w io.Writer, sheet string, headers []string, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	if sheet == "" {
		sheet = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, width := range columnWidths(headers, rows) {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	cells := make([]any, len(headers))
	for i, h := range headers {
		cells[i] = excelize.Cell{StyleID: head, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	for r, row := range rows {
		cells = cells[:0]
		for _, v := range row {
			if v == "" {
				cells = append(cells, nil) // no cell at all, rather than an empty one
			} else {
				cells = append(cells, v)
			}
		}
		name, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(name, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// columnWidths sizes columns to the header and the first rows' values, in
// Excel's units (a Chinese character is about two).
func columnWidths(headers []string, rows [][]string) []float64 {
	out := make([]float64, len(headers))
	measure := func(i int, s string) {
		n := 0
		for _, r := range s {
			if r < utf8.RuneSelf {
				n++
			} else {
				n += 2
			}
		}
		out[i] = max(out[i], min(float64(n)+2, 60))
	}
	for i, h := range headers {
		measure(i, h)
	}
	for _, row := range rows[:min(len(rows), 100)] {
		for i, v := range row[:min(len(row), len(out))] {
			measure(i, v)
		}
	}
	return out
}

// writeCSV writes UTF-8 with a BOM and CRLF line ends, as Excel on Windows
// expects, guarding cells against formula injection.
func writeCSV(w io.Writer, headers []string, rows [][]string) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(headers); err != nil {
		return err
	}
	rec := make([]string, len(headers))
	for _, row := range rows {
		rec = rec[:0]
		for _, v := range row {
			rec = append(rec, escapeCSV(v))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// writeTable writes headers and rows as .xlsx or .csv.
func writeTable(w io.Writer, format, sheet string, headers []string, rows [][]string) error {
	switch format {
	case "xlsx":
		return WriteXLSX(w, sheet, headers, rows)
	case "csv":
		return writeCSV(w, headers, rows)
	}
	return domain.Errorf(domain.EINVALID, "格式须为 xlsx 或 csv / format must be xlsx or csv")
}

func headersOf(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Header
	}
	return out
}

// sheetName names the data sheet of a kind.
func sheetName(kind Kind) string {
	switch kind {
	case Offerings:
		return "服务供给"
	case Signals:
		return "数据信号"
	}
	return "住户及需求"
}

// Template writes the blank layout of a kind: the header (required columns
// marked *) and one example row; as .xlsx also drop-down lists, text-format
// code columns and a second sheet 填写说明 explaining every column.
func Template(kind Kind, format string, w io.Writer) error {
	if !kind.Valid() {
		return domain.Errorf(domain.EINVALID, "未知的导入类型 %q / unknown kind", kind)
	}
	cols := Layout(kind)
	headers := make([]string, len(cols))
	example := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.Header
		if c.Required {
			headers[i] += "*"
		}
		example[i] = c.Example
	}
	if format != "xlsx" {
		return writeTable(w, format, "", headers, [][]string{example})
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := templateSheet(f, kind, cols, headers, example); err != nil {
		return err
	}
	if err := instructionSheet(f, kind, cols); err != nil {
		return err
	}
	return f.Write(w)
}

func templateSheet(f *excelize.File, kind Kind, cols []Column, headers, example []string) error {
	sheet := sheetName(kind)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keep digits as typed
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}}})
	if err != nil {
		return err
	}
	required, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "#C00000"}, NumFmt: 49,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}}})
	if err != nil {
		return err
	}
	widths := columnWidths(headers, [][]string{example})
	for i, c := range cols {
		name := columnName(i)
		if err := f.SetColWidth(sheet, name, name, max(widths[i], 10)); err != nil {
			return err
		}
		if c.text {
			if err := f.SetColStyle(sheet, name, text); err != nil {
				return err
			}
		}
		if len(c.pick.list) > 0 {
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(fmt.Sprintf("%s2:%s%d", name, name, DefaultMaxRows+1))
			if err := dv.SetDropList(c.pick.names()); err != nil {
				return err
			}
			// A warning, not a stop: the codes and other accepted words
			// may be typed too.
			dv.SetError(excelize.DataValidationErrorStyleWarning, c.Header, "请从下拉列表中选择："+c.pick.text())
			if err := f.AddDataValidation(sheet, dv); err != nil {
				return err
			}
		}
		style := head
		if c.Required {
			style = required
		}
		cell := name + "1"
		if err := f.SetCellStr(sheet, cell, headers[i]); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, name+"2", example[i]); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// instructionNotes are the general rules printed above the column table.
func instructionNotes(kind Kind) []string {
	notes := []string{"第1行为表头，请勿修改列名（带*的列必填）；列的顺序可以调整，不需要的可选列可以删除。",
		"第2行为示例，导入前请删除。"}
	if kind == Households {
		notes = append(notes,
			"一人一行：同一户的成员填写相同的户编号；户的信息（区划代码至授权日期）只需在该户的第一行填写。",
			"同一人有多项需求时另起一行，重复户编号和身份证号并填写另一项需求。",
			"已在系统中建档的住户不会被修改：文件中该户的需求将登记到已有档案。")
	}
	if kind == Signals {
		notes = append(notes,
			"一条信号一行：系统按身份证号（加密哈希）匹配家庭档案，匹配不到的信号保留待协调员处理，不会丢弃。",
			"匹配到的家庭会按预警规则重新评估：更新医疗费用、收入等信息，必要时生成预警并提出帮扶建议。")
	}
	return append(notes,
		"文件中任何一行有错误时，默认整个文件都不导入；系统会列出每个错误的行号、列名和原因，改正后重新导入即可。",
		"重复导入同一文件不会产生重复数据。",
		"不允许使用公式；身份证号、手机号、代码类的列请保持文本格式。",
		fmt.Sprintf("支持 .xlsx 和 .csv（UTF-8 或 GBK 编码）文件，不超过 %s、%d 行。", sizeText(DefaultMaxBytes), DefaultMaxRows))
}

func instructionSheet(f *excelize.File, kind Kind, cols []Column) error {
	const sheet = "填写说明"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	row := 1
	set := func(values ...string) error {
		for i, v := range values {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
		row++
		return nil
	}
	for i, n := range instructionNotes(kind) {
		if err := set(fmt.Sprintf("%d. %s", i+1, n)); err != nil {
			return err
		}
	}
	row++
	tableHead := row
	if err := set("列名", "必填", "填写位置", "填写说明", "示例"); err != nil {
		return err
	}
	for _, c := range cols {
		req := ""
		if c.Required {
			req = "是"
		}
		if err := set(c.Header, req, levelText(c.Level), c.Rule, c.Example); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 22, "B": 6, "C": 12, "D": 80, "E": 30} {
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", tableHead), fmt.Sprintf("E%d", tableHead), bold); err != nil {
		return err
	}
	return f.SetCellStyle(sheet, fmt.Sprintf("A%d", tableHead+1), fmt.Sprintf("E%d", row-1), wrap)
}

func levelText(l Level) string {
	switch l {
	case LevelHousehold:
		return "每户首行"
	case LevelMember:
		return "每人"
	case LevelNeed:
		return "需求（可选）"
	}
	return ""
}

// exampleIDNumber is the template's ID number: under seed's demo area code
// 619901, which belongs to no place, so it cannot be anyone's.
func exampleIDNumber() string {
	id, _ := domain.CompleteIDNumber("61990119480512002")
	return id
}

// exampleCreditCode is the template's credit code: a 民政-registered private
// non-enterprise unit of the demo district, with a valid check character.
func exampleCreditCode() string {
	code, _ := domain.CompleteUSCC("52610103MJ0000001")
	return code
}

// Text forms of values for files.

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format("2006-01-02")
}

// yuanText writes fen as yuan without grouping or symbol: 1200, 12.50.
func yuanText(f domain.Fen) string {
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	if f%100 == 0 {
		return sign + strconv.FormatInt(int64(f/100), 10)
	}
	return fmt.Sprintf("%s%d.%02d", sign, f/100, f%100)
}

func boolText(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func joinList(values []string) string { return strings.Join(values, "、") }
