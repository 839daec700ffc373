package importer

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// table is a file read into memory: its header and non-blank data rows,
// with the cells that held a formula.
type table struct {
	header []string
	rows   []record
	// formulas lists, per row number, the 0-based columns with a formula.
	formulas map[int][]int
}

// record is one data row: its spreadsheet row number and its cells.
type record struct {
	num   int
	cells []string
}

// readLayout reads a file and maps its header to the layout's columns. A
// file that cannot be imported at all gives a nil table or header problems
// (errs.fileLevel); only a failing reader is returned as an error.
func readLayout(filename string, r io.Reader, opts *Options, cols []Column, errs *errorList) (*table, []int, error) {
	t, err := readTable(filename, r, opts, errs)
	if t == nil || err != nil {
		return nil, nil, err
	}
	return t, headerMap(cols, t.header, errs), nil
}

// formulaProblems reports the formula cells of a row in the layout's
// columns; one in an ignored column (a 序号 of =ROW()-1) does no harm.
func (t *table) formulaProblems(num int, hm []int, cols []Column, errs *errorList) {
	for _, c := range t.formulas[num] {
		if c < len(hm) && hm[c] >= 0 {
			errs.add(num, cols[hm[c]].Header, "公式单元格不允许，请复制后“粘贴为数值” / formula cells are not allowed")
		}
	}
}

// readTable reads a whole file within the limits. Problems of the file
// itself (its type, size, encoding, structure, row count) go to errs and
// give a nil table; only a failing reader is returned as an error.
func readTable(filename string, r io.Reader, opts *Options, errs *errorList) (*table, error) {
	format, ok := formatOf(filename)
	if !ok {
		errs.add(0, "", "仅支持 .xlsx 和 .csv 文件（.xls 请在Excel中另存为 .xlsx）/ only .xlsx and .csv files are accepted")
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, opts.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("importer: read %s: %w", filename, err)
	}
	if int64(len(data)) > opts.MaxBytes {
		errs.add(0, "", fmt.Sprintf("文件超过 %s 上限，请拆分后分批导入 / file too large", sizeText(opts.MaxBytes)))
		return nil, nil
	}
	var t *table
	if format == "xlsx" {
		t = readXLSX(data, opts, errs)
	} else {
		t = readCSV(data, opts, errs)
	}
	switch {
	case t == nil:
		return nil, nil
	case len(t.header) == 0:
		errs.add(0, "", "文件是空的：第1行须为表头 / the file is empty")
		return nil, nil
	case len(t.rows) == 0:
		errs.add(0, "", "文件没有数据行 / the file has no data rows")
		return nil, nil
	}
	return t, nil
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", max(1, n>>10))
}

// tooManyRows is the error for a file with more than MaxRows data rows.
func tooManyRows(opts *Options, errs *errorList) {
	errs.add(0, "", fmt.Sprintf("数据超过 %d 行上限，请拆分后分批导入 / too many rows", opts.MaxRows))
}

// addRow keeps a non-blank row; it reports false once the row limit is
// passed.
func (t *table) addRow(num int, cells []string, opts *Options) bool {
	blank := true
	for i, c := range cells {
		cells[i] = cleanCell(c)
		if cells[i] != "" {
			blank = false
		}
	}
	if blank && len(t.formulas[num]) == 0 {
		return true
	}
	if num == 1 {
		t.header = cells
		return true
	}
	if len(t.header) == 0 && len(t.rows) == 0 {
		// Row 1 was blank: the header is missing, and the first row
		// found stands in its place so that its columns are reported.
		t.header = cells
		return true
	}
	t.rows = append(t.rows, record{num: num, cells: cells})
	return len(t.rows) <= opts.MaxRows
}

// readXLSX reads the first sheet with excelize's streaming rows, values raw
// (dates as serial numbers, numbers unformatted), and the formula cells from
// the sheet's XML.
func readXLSX(data []byte, opts *Options, errs *errorList) *table {
	const unreadable = "无法读取该 .xlsx 文件：文件已损坏、加密或并非Excel文件 / not a readable .xlsx file"
	// Sheets up to 128 MiB stay in memory; beyond, excelize spills them to
	// temporary files, which is much slower.
	xo := excelize.Options{RawCellValue: true, UnzipSizeLimit: unzipLimit(opts), UnzipXMLSizeLimit: 128 << 20}
	f, err := excelize.OpenReader(bytes.NewReader(data), xo)
	if err != nil {
		errs.add(0, "", unreadable)
		return nil
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		errs.add(0, "", unreadable)
		return nil
	}
	formulas, err := formulaCells(data, opts)
	if err != nil {
		errs.add(0, "", unreadable)
		return nil
	}
	t := &table{formulas: formulas}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		errs.add(0, "", unreadable)
		return nil
	}
	defer rows.Close()
	for num := 1; rows.Next(); num++ {
		cells, err := rows.Columns(xo)
		if err != nil {
			errs.add(0, "", unreadable)
			return nil
		}
		if !t.addRow(num, cells, opts) {
			tooManyRows(opts, errs)
			return nil
		}
	}
	if rows.Error() != nil {
		errs.add(0, "", unreadable)
		return nil
	}
	return t
}

// unzipLimit bounds what a file may inflate to: XML compresses about tenfold,
// so fifty times the file size leaves room while stopping a zip bomb.
func unzipLimit(opts *Options) int64 { return max(opts.MaxBytes*50, 64<<20) }

// hasFormulaTag reports whether XML holds a start tag named f, with or
// without a namespace prefix; a linear scan, since the sheet is large.
func hasFormulaTag(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			return false
		}
		b = b[i+1:]
		end := bytes.IndexAny(b, " \t\r\n/>")
		if end < 0 {
			return false
		}
		name := b[:end]
		if c := bytes.LastIndexByte(name, ':'); c >= 0 {
			name = name[c+1:]
		}
		if len(name) == 1 && name[0] == 'f' {
			return true
		}
	}
}

// formulaCells returns the cells of the first sheet that hold a formula,
// by row number. excelize's streaming rows give values only, so the sheet's
// XML is scanned: a cheap search first, and a parse only when it hits.
func formulaCells(data []byte, opts *Options) (map[int][]int, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	name, err := firstSheetPath(zr)
	if err != nil {
		return nil, err
	}
	sheet, err := readZipFile(zr, name, unzipLimit(opts))
	if err != nil {
		return nil, err
	}
	out := map[int][]int{}
	if !hasFormulaTag(sheet) {
		return out, nil
	}
	cell := ""
	err = eachStart(sheet, func(se xml.StartElement) bool {
		switch se.Name.Local {
		case "c":
			cell = attr(se, "r")
		case "f":
			if col, row, err := excelize.CellNameToCoordinates(cell); err == nil {
				out[row] = append(out[row], col-1)
			}
		}
		return true
	})
	return out, err
}

// eachStart calls fn with each start element of an XML document until fn
// returns false.
func eachStart(data []byte, fn func(xml.StartElement) bool) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && !fn(se) {
			return nil
		}
	}
}

// firstSheetPath follows the package relationships to the first sheet of
// the workbook, in the workbook's own order.
func firstSheetPath(zr *zip.Reader) (string, error) {
	book := "xl/workbook.xml"
	if rels, err := readRels(zr, "_rels/.rels", ""); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				book = r.target
			}
		}
	}
	data, err := readZipFile(zr, book, 64<<20)
	if err != nil {
		return "", err
	}
	rid := ""
	err = eachStart(data, func(se xml.StartElement) bool {
		if se.Name.Local == "sheet" {
			for _, a := range se.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					rid = a.Value
				}
			}
		}
		return rid == ""
	})
	if err != nil || rid == "" {
		return "", errors.New("importer: workbook lists no sheet")
	}
	dir, base := path.Split(book)
	rels, err := readRels(zr, dir+"_rels/"+base+".rels", dir)
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if r.id == rid {
			return r.target, nil
		}
	}
	return "", errors.New("importer: first sheet not found")
}

type relationship struct{ id, typ, target string }

// readRels reads a relationships part, resolving targets against dir.
func readRels(zr *zip.Reader, name, dir string) ([]relationship, error) {
	data, err := readZipFile(zr, name, 16<<20)
	if err != nil {
		return nil, err
	}
	var out []relationship
	err = eachStart(data, func(se xml.StartElement) bool {
		if se.Name.Local == "Relationship" {
			target := attr(se, "Target")
			if strings.HasPrefix(target, "/") {
				target = strings.TrimPrefix(target, "/")
			} else {
				target = path.Clean(dir + target)
			}
			out = append(out, relationship{id: attr(se, "Id"), typ: attr(se, "Type"), target: target})
		}
		return true
	})
	return out, err
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// readZipFile reads one part of the package, at most limit bytes inflated.
func readZipFile(zr *zip.Reader, name string, limit int64) ([]byte, error) {
	for _, f := range zr.File {
		if !strings.EqualFold(f.Name, name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		// The declared size sizes the buffer; the limit, not the
		// declaration, bounds what is read.
		buf := bytes.NewBuffer(make([]byte, 0, min(f.UncompressedSize64, uint64(limit))+bytes.MinRead))
		if _, err := buf.ReadFrom(io.LimitReader(rc, limit+1)); err != nil {
			return nil, err
		}
		if int64(buf.Len()) > limit {
			return nil, errors.New("importer: part too large when inflated")
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("importer: part %s missing", name)
}

// readCSV reads UTF-8 (with or without BOM) or, when the bytes are not
// UTF-8, GB18030 — what Excel saves as "CSV" on a Chinese Windows. A cell
// starting with "=" is a formula as Excel would read it.
func readCSV(data []byte, opts *Options, errs *errorList) *table {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(dec) || bytes.ContainsAny(dec, "\ufffd\x00") {
			errs.add(0, "", "无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV / unknown text encoding")
			return nil
		}
		data = dec
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	if line, _, _ := bytes.Cut(data, []byte("\n")); !bytes.ContainsRune(line, ',') && bytes.ContainsRune(line, '\t') {
		cr.Comma = '\t' // "Unicode text" saved by Excel is tab-separated
	}
	t := &table{formulas: map[int][]int{}}
	for num := 1; ; num++ {
		cells, err := cr.Read()
		if err == io.EOF {
			return t
		}
		if err != nil {
			errs.add(0, "", fmt.Sprintf("CSV 格式错误（第%d行附近）：%v / malformed CSV", num, errors.Unwrap(err)))
			return nil
		}
		for i, c := range cells {
			if strings.HasPrefix(cleanCell(c), "=") {
				t.formulas[num] = append(t.formulas[num], i)
			}
			cells[i] = unescapeCSV(c)
		}
		if !t.addRow(num, cells, opts) {
			tooManyRows(opts, errs)
			return nil
		}
	}
}

// csvGuarded are the first characters that make a spreadsheet program read a
// CSV cell as a formula; exports put an apostrophe before them.
const csvGuarded = "=+-@"

// escapeCSV guards a cell against being read as a formula when the CSV is
// opened in a spreadsheet program; numbers such as -3 are left alone.
func escapeCSV(s string) string {
	if s == "" || !strings.ContainsRune(csvGuarded, rune(s[0])) {
		return s
	}
	if s[0] == '-' && len(s) > 1 && s[1] >= '0' && s[1] <= '9' {
		return s
	}
	return "'" + s
}

// unescapeCSV undoes escapeCSV.
func unescapeCSV(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(csvGuarded, rune(s[1])) {
		return s[1:]
	}
	return s
}
