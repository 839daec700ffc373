package importer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"lianzhu/domain"
)

func TestImportHouseholdsXLSX(t *testing.T) {
	sink := newMemSink(t)
	var progress [][2]int
	opts := testOptions()
	opts.Progress = func(done, total int) { progress = append(progress, [2]int{done, total}) }
	rep := importHouseholds(t, sink, "住户.xlsx", xlsxBytes(t, grid(Households, goodRows()), nil), opts)
	if !rep.OK() {
		t.Fatalf("errors: %v", rep.Errors)
	}
	if rep.Total != 5 || rep.Households != 2 || rep.Needs != 4 || rep.Created != 6 || rep.Skipped != 0 || rep.Rejected != 0 {
		t.Errorf("report = %+v", rep)
	}
	if len(progress) < 2 || progress[0] != [2]int{0, 5} || progress[len(progress)-1] != [2]int{5, 5} {
		t.Errorf("progress = %v, want 0/5 … 5/5", progress)
	}

	w := sink.householdByPlace(t, compoundA)
	if len(w.Members) != 1 || w.Members[0].ID != "m1" || w.Members[0].IDMasked != domain.MaskIDNumber(wangID) {
		t.Errorf("members = %+v", w.Members)
	}
	m := w.Members[0]
	if m.Phone != "13800000000" || m.BirthYear != 1948 || m.Gender != domain.GenderFemale || m.Relation != domain.RelationSelf {
		t.Errorf("member = %+v", m)
	}
	if m.Disability == nil || m.Disability.Value != (domain.Disability{Type: domain.DisabilityPhysical, Grade: 2}) ||
		m.Disability.Source != domain.SourceHomeVisit || dateText(m.Disability.Date) != "2025-03-01" {
		t.Errorf("disability = %+v", m.Disability)
	}
	if m.WorkAbility == nil || m.WorkAbility.Value != domain.WorkAbilityNone || m.SeriousIllness == nil || m.SeriousIllness.Value {
		t.Errorf("work ability %+v, illness %+v", m.WorkAbility, m.SeriousIllness)
	}
	if w.Assets == nil || w.Assets.Value != 200050 || w.MonthlyIncome.Value != 30000 || w.MedicalOutOfPocket12m.Value != 120000 {
		t.Errorf("money: income %+v assets %+v", w.MonthlyIncome, w.Assets)
	}
	if w.Supporters == nil || len(w.Supporters.Value) != 0 || w.LivingAlone == nil || !w.LivingAlone.Value {
		t.Errorf("supporters %+v, living alone %+v", w.Supporters, w.LivingAlone)
	}
	if len(w.Assistance) != 1 || w.Assistance[0].Kind != domain.AssistTekun || w.Assistance[0].SupportMode != domain.SupportDispersed ||
		w.Assistance[0].DecisionRef != "碑民救〔2020〕12号" || dateText(w.Assistance[0].DecidedOn) != "2020-03-01" {
		t.Errorf("assistance = %+v", w.Assistance)
	}
	if w.Location == nil {
		t.Error("location not taken from the compound")
	}
	if !w.Allows("m1", domain.RecipientNGOUnit) || !w.Allows("m1", domain.RecipientVolunteer) || w.Allows("m1", domain.RecipientEmployer) {
		t.Errorf("consents = %+v", w.Consents)
	}

	l := sink.householdByPlace(t, compoundB)
	if len(l.Members) != 3 || l.Members[2].Relation != domain.RelationChild || strings.Join(l.Members[0].Skills, "|") != "会电焊|会开车" {
		t.Fatalf("members = %+v", l.Members)
	}
	if !l.Allows("m1", domain.RecipientEmployer) || !l.Allows("m3", domain.RecipientVolunteer) || l.Allows("m2", domain.RecipientVolunteer) {
		t.Errorf("consents = %+v", l.Consents)
	}
	for _, c := range l.Consents {
		if c.MemberID == "m3" && (c.Guardian == nil || c.Guardian.MemberID != "m1" || c.Guardian.Relation != domain.RelationParent) {
			t.Errorf("child's consent without the head as guardian: %+v", c)
		}
	}
	items := map[string]domain.Need{}
	for _, n := range sink.needs {
		items[n.Item] = n
		if !strings.HasPrefix(n.ID, "nd-") || len(n.ID) != 27 || n.State != domain.NeedOpen || n.CreatedBy != opts.CreatedBy {
			t.Errorf("need = %+v", n)
		}
	}
	if n := items["bathing"]; n.HouseholdID != w.ID || n.MemberID != "m1" || n.Urgency != domain.UrgencyNormal || n.Channel != domain.ChannelHomeVisit {
		t.Errorf("bathing need (item given by its Chinese name, defaults) = %+v", n)
	}
	if n := items["meal"]; n.Urgency != domain.UrgencyHigh || n.Channel != domain.ChannelSentinel || n.OwnWords != "腿脚不好做不了饭" {
		t.Errorf("meal need = %+v", n)
	}
	if n := items["tutoring"]; n.HouseholdID != l.ID || n.MemberID != "m3" || n.Place != compoundB || n.Urgency != domain.UrgencyLow {
		t.Errorf("tutoring need = %+v", n)
	}
}

func TestImportHouseholdsCSV(t *testing.T) {
	for _, bom := range []bool{true, false} {
		sink := newMemSink(t)
		rep := importHouseholds(t, sink, "households.CSV", csvBytes(t, grid(Households, goodRows()), bom), testOptions())
		if !rep.OK() || rep.Households != 2 || rep.Needs != 4 {
			t.Errorf("bom=%v: report = %+v", bom, rep)
		}
	}
}

// The committed file is what Excel on a Chinese Windows saves as CSV: GBK,
// a 序号 column, columns in another order, optional columns left out.
func TestImportHouseholdsGBKCSV(t *testing.T) {
	data, err := os.ReadFile("testdata/households_gbk.csv")
	if err != nil {
		t.Fatal(err)
	}
	sink := newMemSink(t)
	rep := importHouseholds(t, sink, "households_gbk.csv", data, testOptions())
	if !rep.OK() || rep.Households != 2 || rep.Needs != 2 {
		t.Fatalf("report = %+v", rep)
	}
	h := sink.householdByPlace(t, compoundA)
	if h.Members[0].Name != "赵桂英" || h.Address != "柏树林社区锦绣家属院5号楼1单元201" {
		t.Errorf("GBK text misread: %+v", h)
	}
}

func TestImportHouseholdsCommittedXLSX(t *testing.T) {
	data, err := os.ReadFile("testdata/households.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	sink := newMemSink(t)
	rep := importHouseholds(t, sink, "households.xlsx", data, testOptions())
	if !rep.OK() || rep.Households != 2 || rep.Needs != 4 {
		t.Fatalf("report = %+v", rep)
	}
}

func TestHeaderProblems(t *testing.T) {
	var headers []string
	for _, h := range headersOf(Layout(Households)) {
		if h != "身份证号" {
			headers = append(headers, h)
		}
	}
	headers = append(headers, "年龄", "序号", "地址")
	sink := newMemSink(t)
	rep := importHouseholds(t, sink, "h.xlsx", xlsxBytes(t, grid(Households, goodRows(), headers...), nil), testOptions())
	wantNothingStored(t, sink, rep)
	wantError(t, rep, 1, "身份证号", "缺少必填列")
	wantError(t, rep, 1, "年龄", "未知列")
	wantError(t, rep, 1, "地址", "重复")
	if len(rep.Errors) != 3 || rep.Rejected != rep.Total {
		t.Errorf("errors = %v (序号 is ignored, not an error); report %+v", rep.Errors, rep)
	}
}

func TestRowErrors(t *testing.T) {
	scoped := testOptions()
	scoped.Scope = street2
	refuseCases(t, Households, []rowCase{
		{"wrong check character", []row{wang.with("身份证号", badCheck(wangID))}, testOptions(), 2, "身份证号", "校验位错误"},
		{"ID number turned into a number", []row{wang.with("身份证号", "6.19901194805E+17")}, testOptions(), 2, "身份证号", "科学计数法"},
		{"unknown place", []row{wang.with("区划代码", "610103002099001")}, testOptions(), 2, "区划代码", "不存在"},
		{"street is not a home", []row{wang.with("区划代码", street2)}, testOptions(), 2, "区划代码", "层级"},
		{"unknown catalogue item", []row{wang.with("服务项目代码", "massage")}, testOptions(), 2, "服务项目代码", "不在服务目录中"},
		{"need without item", []row{wang.with("服务项目代码", "")}, testOptions(), 2, "服务项目代码", "不能为空"},
		{"phone in neutral note", []row{wang.with("需求说明", "请联系13800000000")}, testOptions(), 2, "需求说明", "不能包含手机号"},
		{"duplicate ID number across households", []row{wang, li, liW.with("身份证号", wangID)}, testOptions(), 4, "身份证号", "与第2行重复（户编号 1）"},
		{"same person repeated without a need", []row{wang, wang.with("服务项目代码", "", "需求原话", "", "需求说明", "", "紧急程度", "", "需求来源", "")}, testOptions(), 3, "身份证号", "与第2行重复"},
		{"same need twice", []row{wang, wang2, wang2}, testOptions(), 4, "服务项目代码", "与第3行的需求重复"},
		{"conflicting household value", []row{li, liW.with("地址", "别处")}, testOptions(), 3, "地址", "与第2行不一致"},
		{"conflicting member value", []row{wang, wang2.with("姓名", "王秀英")}, testOptions(), 3, "姓名", "与第2行不一致"},
		{"outside scope", []row{wang.with("区划代码", otherSt)}, scoped, 2, "区划代码", "管辖范围"},
		{"two heads", []row{li, liW.with("与户主关系", "户主")}, testOptions(), 2, "与户主关系", "户主"},
		{"unknown relation", []row{wang.with("与户主关系", "邻居")}, testOptions(), 2, "与户主关系", "不是可选值"},
		{"grade without type", []row{wang.with("残疾类别", "")}, testOptions(), 2, "残疾等级", "须填写残疾类别"},
		{"money with three decimals", []row{wang.with("月总收入(元)", "12.345")}, testOptions(), 2, "月总收入(元)", "两位小数"},
		{"negative income", []row{wang.with("月总收入(元)", "-5")}, testOptions(), 2, "月总收入(元)", "负数"},
		{"fact without a date", []row{wang.with("信息日期", "")}, testOptions(), 2, "信息日期", "不能为空"},
		{"future fact date", []row{wang.with("信息日期", "2025-07-01")}, testOptions(), 2, "信息日期", "晚于"},
		{"bad date", []row{wang.with("认定日期", "上个月")}, testOptions(), 2, "认定日期", "日期格式错误"},
		{"tekun without support mode", []row{wang.with("救助类别", "特困")}, testOptions(), 2, "救助类别", "集中供养"},
		{"dates do not match statuses", []row{wang.with("救助类别", "特困人员（分散供养）、临时救助", "认定日期", "2020-01-01、2021-01-01、2022-01-01")}, testOptions(), 2, "认定日期", "须为每个救助类别填写认定日期"},
		{"two exclusive tiers", []row{wang.with("救助类别", "低保、低保边缘", "认定文号", "")}, testOptions(), 2, "救助类别", "不能同时认定"},
		{"living alone with two members", []row{li.with("是否独居", "是"), liW}, testOptions(), 2, "是否独居", "独居"},
		{"consent without method", []row{wang.with("授权方式", "")}, testOptions(), 2, "授权方式", "授权方式"},
		{"bad supporter", []row{wang.with("赡养义务人", "王强")}, testOptions(), 2, "赡养义务人", "格式错误"},
		{"warning channel", []row{wang.with("需求来源", "预警核实")}, testOptions(), 2, "需求来源", "预警"},
		{"missing household ref", []row{wang.with("户编号", "")}, testOptions(), 2, "户编号", "不能为空"},
	})
}

// Every bad row is reported, not just the first, each cell once.
func TestAllErrorsReported(t *testing.T) {
	rows := []row{
		wang.with("身份证号", badCheck(wangID), "服务项目代码", "massage"),
		wang2.with("身份证号", badCheck(wangID)),
		li.with("区划代码", "999"), liW.with("手机号", "12345"), liC,
	}
	sink := newMemSink(t)
	rep := importHouseholds(t, sink, "h.xlsx", xlsxBytes(t, grid(Households, rows), nil), testOptions())
	wantNothingStored(t, sink, rep)
	wantError(t, rep, 2, "身份证号", "校验位")
	wantError(t, rep, 2, "服务项目代码", "massage")
	wantError(t, rep, 4, "区划代码", "格式错误")
	wantError(t, rep, 5, "手机号", "手机号")
	seen := map[[2]any]bool{}
	for _, e := range rep.Errors {
		k := [2]any{e.Row, e.Column}
		if seen[k] && e.Column != "" {
			t.Errorf("cell %v reported twice: %v", k, rep.Errors)
		}
		seen[k] = true
	}
}

func TestFormulaCell(t *testing.T) {
	sink := newMemSink(t)
	data := xlsxBytes(t, grid(Households, goodRows()), map[string]string{"H3": "SUM(1,2)"})
	rep := importHouseholds(t, sink, "h.xlsx", data, testOptions())
	wantNothingStored(t, sink, rep)
	wantError(t, rep, 3, headersOf(Layout(Households))[7], "公式单元格不允许")

	// A formula in a column the import ignores does no harm.
	headers := append([]string{"序号"}, headersOf(Layout(Households))...)
	sink = newMemSink(t)
	data = xlsxBytes(t, grid(Households, goodRows(), headers...), map[string]string{"A2": "ROW()-1", "A3": "ROW()-1"})
	if rep := importHouseholds(t, sink, "h.xlsx", data, testOptions()); !rep.OK() {
		t.Errorf("formula in 序号 refused: %v", rep.Errors)
	}

	sink = newMemSink(t)
	g := grid(Households, goodRows())
	g[2][0] = "=1+1"
	rep = importHouseholds(t, sink, "h.csv", csvBytes(t, g, true), testOptions())
	wantNothingStored(t, sink, rep)
	wantError(t, rep, 3, "户编号", "公式")
}

func TestFileProblems(t *testing.T) {
	good := xlsxBytes(t, grid(Households, goodRows()), nil)
	small := testOptions()
	small.MaxBytes = 1000
	few := testOptions()
	few.MaxRows = 4
	cases := []struct {
		name   string
		file   string
		data   []byte
		opts   Options
		reason string
	}{
		{"oversized", "h.xlsx", good, small, "文件超过 1 KB 上限"},
		{"too many rows", "h.xlsx", good, few, "超过 4 行上限"},
		{"too many rows csv", "h.csv", csvBytes(t, grid(Households, goodRows()), false), few, "超过 4 行上限"},
		{"old Excel", "h.xls", good, testOptions(), "仅支持 .xlsx 和 .csv"},
		{"not a spreadsheet", "h.xlsx", []byte("PK\x03\x04 this is not a zip"), testOptions(), "无法读取"},
		{"empty", "h.csv", nil, testOptions(), "文件是空的"},
		{"header only", "h.csv", csvBytes(t, grid(Households, nil), false), testOptions(), "没有数据行"},
		{"not text", "h.csv", []byte{0xff, 0xfe, 0x00, 0x81, 0x30}, testOptions(), "编码"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink := newMemSink(t)
			rep := importHouseholds(t, sink, c.file, c.data, c.opts)
			wantNothingStored(t, sink, rep)
			wantError(t, rep, 0, "", c.reason)
		})
	}
}

func TestPartialImport(t *testing.T) {
	rows := []row{wang, wang2, li, liW.with("身份证号", badCheck(liWife)), liC}
	opts := testOptions()
	opts.AllowPartial = true
	sink := newMemSink(t)
	rep := importHouseholds(t, sink, "h.xlsx", xlsxBytes(t, grid(Households, rows), nil), opts)
	wantError(t, rep, 5, "身份证号", "校验位")
	// Never half a household: the 李 family is left out whole.
	if rep.Households != 1 || rep.Needs != 2 || rep.Rejected != 3 || len(sink.households) != 1 || len(sink.needs) != 2 {
		t.Errorf("report = %+v, stored %d households", rep, len(sink.households))
	}
	sink.householdByPlace(t, compoundA)
}

func TestReimportIsIdempotent(t *testing.T) {
	sink := newMemSink(t)
	data := xlsxBytes(t, grid(Households, goodRows()), nil)
	first := importHouseholds(t, sink, "h.xlsx", data, testOptions())
	second := importHouseholds(t, sink, "h.xlsx", data, testOptions())
	if !second.OK() || second.Created != 0 || second.Skipped != first.Created {
		t.Errorf("second import = %+v, first %+v", second, first)
	}
	if len(sink.households) != 2 || len(sink.needs) != 4 {
		t.Errorf("stored %d households and %d needs after two imports", len(sink.households), len(sink.needs))
	}
	// A new need for a household on file attaches to it, found by ID number
	// though the store keeps only the masked form.
	more := wang2.with("服务项目代码", "haircut", "需求说明", "需要上门理发")
	third := importHouseholds(t, sink, "h.csv", csvBytes(t, grid(Households, []row{wang, more}), true), testOptions())
	if !third.OK() || third.Households != 0 || third.Needs != 1 || third.Skipped != 2 {
		t.Errorf("third import = %+v", third)
	}
	w := sink.householdByPlace(t, compoundA)
	for _, n := range sink.needs {
		if n.Item == "haircut" && (n.HouseholdID != w.ID || n.MemberID != "m1") {
			t.Errorf("haircut need = %+v, want household %s member m1", n, w.ID)
		}
	}
}

func TestExistingMembersConflict(t *testing.T) {
	sink := newMemSink(t)
	importHouseholds(t, sink, "h.xlsx", xlsxBytes(t, grid(Households, goodRows()), nil), testOptions())
	w := sink.householdByPlace(t, compoundA)

	// 王秀兰 is on file; a new household naming her with a new person.
	newcomer := row{"户编号": "9", "区划代码": compoundA, "地址": "新地址", "姓名": "刘洋", "身份证号": idn("19900101", 1), "与户主关系": "本人"}
	rows := []row{newcomer, wang.with("户编号", "9", "与户主关系", "父母", "区划代码", "", "地址", "")}
	rep := importHouseholds(t, sink, "h.xlsx", xlsxBytes(t, grid(Households, rows), nil), testOptions())
	wantError(t, rep, 3, "身份证号", "已属于另一家庭档案（户 ID "+w.ID+"）")
	if rep.Created != 0 || len(sink.households) != 2 {
		t.Errorf("report %+v, %d households", rep, len(sink.households))
	}

	// Members of two files on record put together.
	rows = []row{wang.with("户编号", "7"), liW.with("户编号", "7")}
	rep = importHouseholds(t, sink, "h.xlsx", xlsxBytes(t, grid(Households, rows), nil), testOptions())
	wantError(t, rep, 2, "身份证号", "已属于另一家庭档案")
	wantError(t, rep, 3, "身份证号", "已属于另一家庭档案")

	// A coordinator of another street is not told which file.
	other := testOptions()
	other.Scope = "610103005000"
	rep = importHouseholds(t, sink, "h.xlsx", xlsxBytes(t, grid(Households, []row{wang.with("区划代码", otherSt)}), nil), other)
	wantError(t, rep, 2, "身份证号", "其他辖区")
	for _, e := range rep.Errors {
		if strings.Contains(e.Reason, w.ID) {
			t.Errorf("error names a file outside the scope: %v", e)
		}
	}
}

func TestLookupsAreBatched(t *testing.T) {
	var rows []row
	for i := range 2500 {
		birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("20060102")
		rows = append(rows, row{"户编号": strconv.Itoa(i), "区划代码": compoundA, "地址": "某地址",
			"姓名": "测试", "身份证号": idn(birth, 1), "与户主关系": "本人"})
	}
	sink := newMemSink(t)
	rep := importHouseholds(t, sink, "h.csv", csvBytes(t, grid(Households, rows), false), testOptions())
	if !rep.OK() || rep.Households != 2500 {
		t.Fatalf("report = %+v", rep)
	}
	if sink.lookups != 3 || sink.maxLookup > lookupChunk {
		t.Errorf("%d member lookups of at most %d numbers; want 3 of ≤ %d", sink.lookups, sink.maxLookup, lookupChunk)
	}
}

func TestSinkFailureIsAnError(t *testing.T) {
	sink := newMemSink(t)
	sink.fail = errors.New("mongo down")
	_, err := ImportHouseholds(context.Background(), "h.xlsx", bytes.NewReader(xlsxBytes(t, grid(Households, goodRows()), nil)), sink, testOptions())
	if err == nil || !strings.Contains(err.Error(), "mongo down") {
		t.Errorf("err = %v", err)
	}
}

func TestOptionsRequired(t *testing.T) {
	opts := testOptions()
	opts.CreatedBy = ""
	if _, err := ImportHouseholds(context.Background(), "h.csv", strings.NewReader(""), newMemSink(t), opts); err == nil {
		t.Error("no error without CreatedBy")
	}
	opts = testOptions()
	opts.Places = nil
	if _, err := ImportOfferings(context.Background(), "o.csv", strings.NewReader(""), newMemSink(t), opts); err == nil {
		t.Error("no error without Places")
	}
}
