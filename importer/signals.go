package importer

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"lianzhu/domain"
)

// SignalSink takes in the data signals of a file; outreach.FileSink
// implements it over the intake.
type SignalSink interface {
	// CheckSignals validates and seals signals as the intake does
	// (outreach.Engine.Check); a problem names the signal's index and field
	// (its JSON name, "" for the whole signal).
	CheckSignals(signals []domain.Signal) ([]domain.Signal, []SignalProblem, error)
	// IngestSignals takes in sealed signals and says what it stored.
	IngestSignals(ctx context.Context, sealed []domain.Signal) (SignalCounts, error)
}

// SignalProblem is one problem of one signal of a file.
type SignalProblem struct {
	Index   int
	Field   string
	Rule    string
	Message string
}

// SignalCounts is what an intake of a file did.
type SignalCounts struct {
	Stored         int `json:"stored"`
	AlreadyPresent int `json:"already_present"`
	Matched        int `json:"matched"`
	Unmatched      int `json:"unmatched"`
	Warnings       int `json:"warnings"`
}

// DefaultMaxSignalRows bounds a signals file: a city's monthly batch is
// about 100,000 rows.
const DefaultMaxSignalRows = 200_000

// ImportSignals reads a data-signals file (see Layout(Signals)): one row per
// signal from another department. It checks every row (the sink validates
// what the domain rules: kinds, amounts and their ranges, dates, ID
// numbers) and finds the rows that repeat an earlier one; when the file is
// clean, or AllowPartial is set, it hands the good signals to the sink in
// one intake. Importing the same file twice stores nothing new. Problems of
// the file are in the report, with a nil error; the error is for faults.
func ImportSignals(ctx context.Context, filename string, r io.Reader, sink SignalSink, opts Options) (Report, error) {
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxSignalRows
	}
	if err := opts.defaults(); err != nil {
		return Report{}, err
	}
	var errs errorList
	p := &signalParser{cellParser: newCellParser(signalColumns, &errs, opts.Catalogue), idx: columnIndex(signalColumns)}
	return run(filename, r, &opts, &errs, signalColumns,
		func(t *table, hm []int) ([]*signalRow, error) {
			rows := make([]*signalRow, 0, len(t.rows))
			for _, rec := range t.rows {
				t.formulaProblems(rec.num, hm, p.cols, &errs)
				rows = append(rows, p.parse(rec.num, layoutValues(hm, rec.cells, len(p.cols))))
			}
			return rows, p.check(sink, rows)
		},
		func(sr *signalRow) []int { return []int{sr.row} },
		func(keep []*signalRow, rep *Report) error {
			sealed := make([]domain.Signal, len(keep))
			for i, sr := range keep {
				sealed[i] = sr.s
			}
			counts, err := sink.IngestSignals(ctx, sealed)
			rep.Created, rep.Skipped, rep.Signals = counts.Stored, counts.AlreadyPresent, &counts
			opts.progress(rep.Total, rep.Total)
			return err
		})
}

// Column keys of the signals layout.
const (
	sKind       = "kind"
	sIDNumber   = "id_number"
	sName       = "name"
	sDate       = "date"
	sAmount     = "amount"
	sDepartment = "source_department"
	sDisability = "disability_type"
	sGrade      = "disability_grade"
	sRef        = "external_ref"
	sReceived   = "received_at"
)

var signalColumns = []Column{
	{Header: "信号类型", Key: sKind, Required: true, Example: "大额医疗费用", pick: signalKindChoices,
		Rule: "可填：" + signalKindChoices.text()},
	{Header: "身份证号", Key: sIDNumber, Required: true, Example: exampleIDNumber(), text: true,
		aliases: []string{"身份证号码", "公民身份号码", "证件号码"},
		Rule:    "18位居民身份证号，末位校验码须正确；系统只保存其加密哈希和脱敏号码，用于匹配家庭档案；请将该列设为文本格式"},
	{Header: "姓名", Key: sName, Example: "王秀兰", Rule: "可选，不超过50字；帮助协调员核对未匹配的信号"},
	{Header: "日期", Key: sDate, Required: true, Example: "2025-05-20", aliases: []string{"发生日期", "业务日期", "结算日期"},
		Rule: fmt.Sprintf("事件发生的日期（结算、登记、发证等），格式 2025-05-20；不能晚于今天，也不能早于%d年前", domain.SignalMaxAgeYears)},
	{Header: "金额(元)", Key: sAmount, Example: "26000", aliases: []string{"金额", "金额（元）"},
		Rule: "大额医疗费用填个人自付金额，水电气欠费填欠费金额，学费困难填应缴未缴费用（必填）；失业填失业前月工资、劳动力死亡填家庭减少的月收入（可选）；其他类型留空；单位元，最多两位小数"},
	{Header: "来源部门", Key: sDepartment, Required: true, Example: "医保", pick: departmentChoices,
		aliases: []string{"数据来源", "来源单位"}, Rule: "可填：" + departmentChoices.text()},
	{Header: "残疾类别", Key: sDisability, Example: "", pick: disabilityChoices,
		Rule: "新办残疾证信号必填：" + disabilityChoices.text() + "；其他类型留空"},
	{Header: "残疾等级", Key: sGrade, Example: "", pick: gradeChoices, Rule: "新办残疾证信号必填：一级至四级；其他类型留空"},
	{Header: "部门业务编号", Key: sRef, Example: "YB-2025-000123", text: true, aliases: []string{"业务编号", "结算单号", "登记号"},
		Rule: "可选；部门自己的记录编号，不超过64字；同一编号的同一信号只导入一次"},
	{Header: "接收日期", Key: sReceived, Example: "", Rule: "可选；收到数据的日期，留空为导入当天；不能早于信号日期"},
}

var (
	signalKindChoices = func() choices {
		var list []choice
		for _, k := range domain.SignalKinds() {
			spec, _ := k.Spec()
			list = append(list, choice{string(k), append([]string{spec.NameZh}, signalKindAliases[k]...)})
		}
		return newChoices(list...)
	}()
	departmentChoices = func() choices {
		var list []choice
		for _, d := range domain.Departments() {
			name := d.NameZh()
			list = append(list, choice{string(d), []string{name, name + "局", name + "部门"}})
		}
		return newChoices(list...)
	}()
)

// signalKindAliases are other names offices give the kinds.
var signalKindAliases = map[domain.SignalKind][]string{
	domain.SignalLargeMedicalBill:  {"大额医疗支出", "医疗费用"},
	domain.SignalSeriousIllness:    {"重特大疾病", "重大疾病", "重病确诊"},
	domain.SignalJobLoss:           {"失业登记", "失业人员"},
	domain.SignalNewDisability:     {"新办残疾证", "新增残疾", "残疾证升级"},
	domain.SignalEarnerDeath:       {"劳动力死亡", "主要劳动力死亡"},
	domain.SignalUtilityArrears:    {"水电气欠费", "欠费"},
	domain.SignalSchoolFeeHardship: {"学费困难", "学费缴纳困难"},
}

// signalRow is one row of a signals file while it is read.
type signalRow struct {
	row  int
	vals []string
	s    domain.Signal
}

type signalParser struct {
	cellParser
	idx map[string]int
}

func (p *signalParser) v(sr *signalRow, key string) (string, int) {
	i := p.idx[key]
	return sr.vals[i], i
}

// parse reads one row into a signal; the sink validates it.
func (p *signalParser) parse(row int, vals []string) *signalRow {
	sr := &signalRow{row: row, vals: vals}
	s := &sr.s
	if v, i := p.v(sr, sKind); v != "" {
		s.Kind = domain.SignalKind(p.pickCell(row, i, v, signalKindChoices))
	}
	if v, i := p.v(sr, sIDNumber); looksNumeric(v) {
		p.errs.add(row, p.cols[i].Header, "身份证号"+numericHint)
	} else {
		s.IDNumber = v
	}
	s.Name, _ = p.v(sr, sName)
	v, i := p.v(sr, sDate)
	s.Date = p.dateCell(row, i, v)
	if v, i := p.v(sr, sAmount); v != "" {
		if f := p.yuanCell(row, i, v); f != nil {
			s.AmountFen = *f
		}
	}
	if v, i := p.v(sr, sDepartment); v != "" {
		s.SourceDepartment = domain.Department(p.pickCell(row, i, v, departmentChoices))
	}
	p.disability(sr)
	s.ExternalRef, _ = p.v(sr, sRef)
	v, i = p.v(sr, sReceived)
	s.ReceivedAt = p.dateCell(row, i, v)
	return sr
}

// disability reads the certified type and grade of a new-disability row.
func (p *signalParser) disability(sr *signalRow) {
	typ, ti := p.v(sr, sDisability)
	grade, gi := p.v(sr, sGrade)
	if typ == "" && grade == "" {
		return
	}
	d := &domain.Disability{Type: domain.DisabilityType(p.pickCell(sr.row, ti, typ, disabilityChoices))}
	if g := p.pickCell(sr.row, gi, grade, gradeChoices); g != "" {
		d.Grade, _ = strconv.Atoi(g)
	}
	sr.s.Disability = d
}

// check has the sink validate and seal the rows without cell problems,
// and reports its problems against the rows and columns.
func (p *signalParser) check(sink SignalSink, rows []*signalRow) error {
	var clean []*signalRow
	for _, sr := range rows {
		if !p.errs.rows[sr.row] {
			clean = append(clean, sr)
		}
	}
	signals := make([]domain.Signal, len(clean))
	for i, sr := range clean {
		signals[i] = sr.s
	}
	sealed, problems, err := sink.CheckSignals(signals)
	if err != nil {
		return fmt.Errorf("importer: check signals: %w", err)
	}
	first := map[string]int{}
	for i, sr := range clean {
		sr.s = sealed[i]
		if sr.s.ID == "" {
			continue // invalid: the sink says why
		}
		if row, dup := first[sr.s.ID]; dup {
			p.errs.add(sr.row, "", fmt.Sprintf("与第%d行是同一条信号（同一人、同类、同日、同金额、同一业务编号）/ duplicate of row %d", row, row))
		} else {
			first[sr.s.ID] = sr.row
		}
	}
	for _, pr := range problems {
		if pr.Rule == "duplicate" {
			continue // reported above, by row
		}
		col := ""
		if key, ok := fieldKey(pr.Field, signalFields); ok {
			col = p.cols[p.idx[key]].Header
		}
		p.errs.add(clean[pr.Index].row, col, pr.Message)
	}
	return nil
}

// signalFields map signal fields to columns.
var signalFields = []fieldRule{
	{"kind", sKind}, {"id_number", sIDNumber}, {"name", sName}, {"date", sDate}, {"amount_fen", sAmount},
	{"source_department", sDepartment}, {"disability.type", sDisability}, {"disability.grade", sGrade},
	{"disability", sDisability}, {"external_ref", sRef}, {"received_at", sReceived},
}
