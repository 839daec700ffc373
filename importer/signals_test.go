package importer

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"lianzhu/domain"
)

// signalSink validates and seals as the intake does (a fake keyed hash) and
// keeps what it is given by key.
type signalSink struct {
	stored map[string]domain.Signal
}

func (s *signalSink) CheckSignals(signals []domain.Signal) ([]domain.Signal, []SignalProblem, error) {
	out := make([]domain.Signal, len(signals))
	var problems []SignalProblem
	for i, sig := range signals {
		if sig.ReceivedAt.IsZero() {
			sig.ReceivedAt = testNow
		}
		if err := sig.Validate(testNow); err != nil {
			for _, fe := range fieldErrors(err) {
				problems = append(problems, SignalProblem{Index: i, Field: fe.Field, Rule: fe.Rule, Message: fe.Message})
			}
			continue
		}
		sig.Seal("h:" + domain.NormalizeIDNumber(sig.IDNumber))
		sig.ID, _ = sig.Key()
		out[i] = sig
	}
	return out, problems, nil
}

func (s *signalSink) IngestSignals(_ context.Context, sealed []domain.Signal) (SignalCounts, error) {
	var c SignalCounts
	for _, sig := range sealed {
		if _, ok := s.stored[sig.ID]; ok {
			c.AlreadyPresent++
			continue
		}
		s.stored[sig.ID] = sig
		c.Stored++
	}
	return c, nil
}

var (
	billRow = row{"信号类型": "大额医疗费用", "身份证号": wangID, "姓名": "王秀兰", "日期": "2025-05-20", "金额(元)": "26,000.50",
		"来源部门": "医保局", "部门业务编号": "YB-2025-1"}
	jobRow  = row{"信号类型": "失业登记", "身份证号": liID, "姓名": "李建国", "日期": "2025/5/3", "来源部门": "人社"}
	cardRow = row{"信号类型": "new_disability", "身份证号": liWife, "日期": "2025-04-01", "来源部门": "残联",
		"残疾类别": "肢体", "残疾等级": "二级"}
)

func importSignals(t *testing.T, sink *signalSink, name string, data []byte) Report {
	t.Helper()
	rep, err := ImportSignals(context.Background(), name, bytes.NewReader(data), sink, testOptions())
	if err != nil {
		t.Fatalf("ImportSignals: %v", err)
	}
	return rep
}

// TestImportSignals reads a signals file with Chinese headers and labels:
// kinds and departments by name, amounts in yuan, the disability of a new
// certificate; the same file again (as .csv) stores nothing new.
func TestImportSignals(t *testing.T) {
	sink := &signalSink{stored: map[string]domain.Signal{}}
	rep := importSignals(t, sink, "s.xlsx", xlsxBytes(t, grid(Signals, []row{billRow, jobRow, cardRow}), nil))
	if !rep.OK() || rep.Created != 3 || rep.Signals == nil || rep.Signals.Stored != 3 {
		t.Fatalf("report = %+v", rep)
	}
	var bill, card domain.Signal
	for _, s := range sink.stored {
		switch s.Kind {
		case domain.SignalLargeMedicalBill:
			bill = s
		case domain.SignalNewDisability:
			card = s
		}
		if s.IDNumber != "" || s.IDHash == "" {
			t.Errorf("a signal reached the sink unsealed: %+v", s)
		}
	}
	if bill.AmountFen != 2600050 || bill.SourceDepartment != domain.DeptMedicalSecurity || bill.ExternalRef != "YB-2025-1" ||
		dateText(bill.Date) != "2025-05-20" || bill.Name != "王秀兰" {
		t.Errorf("bill = %+v", bill)
	}
	if card.Disability == nil || card.Disability.Type != domain.DisabilityPhysical || card.Disability.Grade != 2 {
		t.Errorf("disability certificate = %+v", card)
	}
	again := importSignals(t, sink, "s.csv", csvBytes(t, grid(Signals, []row{billRow, jobRow, cardRow}), true))
	if !again.OK() || again.Created != 0 || again.Skipped != 3 || len(sink.stored) != 3 {
		t.Fatalf("the same file again: %+v", again)
	}
}

// TestImportSignalsRowErrors: each bad row is named by row and column, and
// a file with any bad row stores nothing.
func TestImportSignalsRowErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		bad    row
		column string
		reason string
	}{
		{"unknown kind", billRow.with("信号类型", "中彩票"), "信号类型", "不是可选值"},
		{"future date", billRow.with("日期", "2025-07-01"), "日期", ""},
		{"stale date", billRow.with("日期", "2020-01-01"), "日期", "年前"},
		{"amount out of range", billRow.with("金额(元)", "9000000"), "金额(元)", "不能超过"},
		{"missing amount", billRow.with("金额(元)", ""), "金额(元)", "个人自付金额"},
		{"amount on an illness", row{"信号类型": "重特大疾病确诊", "身份证号": wangID, "日期": "2025-05-01", "来源部门": "医保", "金额(元)": "5"}, "金额(元)", "不带金额"},
		{"bad ID number", billRow.with("身份证号", badCheck(wangID)), "身份证号", ""},
		{"ID number as a number", billRow.with("身份证号", "6.19901E+17"), "身份证号", "科学计数法"},
		{"unknown department", billRow.with("来源部门", "星际舰队"), "来源部门", "不是可选值"},
		{"duplicate", billRow, "", "与第2行是同一条信号"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sink := &signalSink{stored: map[string]domain.Signal{}}
			rows := []row{billRow.with("部门业务编号", "YB-other"), jobRow, c.bad}
			if c.name == "duplicate" {
				rows = []row{billRow, jobRow, c.bad}
			}
			rep := importSignals(t, sink, "s.xlsx", xlsxBytes(t, grid(Signals, rows), nil))
			if len(sink.stored) != 0 || rep.Created != 0 || rep.Rejected != rep.Total {
				t.Fatalf("stored %d (report %+v), want nothing", len(sink.stored), rep)
			}
			wantError(t, rep, 4, c.column, c.reason)
		})
	}
}

// TestSignalTemplate: the template names every column with its rule and
// marks the required ones.
func TestSignalTemplate(t *testing.T) {
	var buf bytes.Buffer
	if err := Template(Signals, "csv", &buf); err != nil {
		t.Fatal(err)
	}
	head := strings.SplitN(strings.TrimPrefix(buf.String(), "\ufeff"), "\n", 2)[0]
	for _, h := range []string{"信号类型*", "身份证号*", "日期*", "金额(元)", "来源部门*"} {
		if !strings.Contains(head, h) {
			t.Errorf("template header %q lacks %s", head, h)
		}
	}
	buf.Reset()
	if err := Template(Signals, "xlsx", &buf); err != nil || buf.Len() == 0 {
		t.Fatalf("xlsx template: %v", err)
	}
}
