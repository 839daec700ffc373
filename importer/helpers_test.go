package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"lianzhu/domain"
	"lianzhu/seed"
)

// testNow is a fixed reference time: 2025-06-01 10:00 in China.
var testNow = time.Date(2025, 6, 1, 10, 0, 0, 0, chinaTime)

var (
	testPlaces = sync.OnceValue(func() *domain.Places {
		p, err := domain.NewPlaces(seed.ScaledPlaces(2)) // the demo district and a copy
		if err != nil {
			panic(err)
		}
		return p
	})
	testCatalogue = sync.OnceValue(seed.Catalogue)
)

func testOptions() Options {
	return Options{Places: testPlaces(), Catalogue: testCatalogue(), Now: testNow, CreatedBy: "coordinator.610103002"}
}

// Places of the demo district used by the tests.
const (
	compoundA = "610103002001001" // 柏树林街道 柏树林社区, a compound
	compoundB = "610103002002001" // 柏树林街道 东木头市社区
	otherSt   = "610103005001001" // 太乙路街道: outside street 002
	street2   = "610103002000"
)

// idn returns a valid ID number under the demo area 619901 for a birth date
// (yyyymmdd) and sequence (odd for men).
func idn(birth string, seq int) string {
	id, err := domain.CompleteIDNumber(fmt.Sprintf("619901%s%03d", birth, seq))
	if err != nil {
		panic(err)
	}
	return id
}

// badCheck returns the number with a wrong check character.
func badCheck(id string) string {
	last := id[17]
	for _, c := range "0123456789X" {
		if byte(c) != last {
			return id[:17] + string(c)
		}
	}
	return id
}

// row is one data row by header.
type row map[string]string

// with returns a copy of the row with some cells changed.
func (r row) with(kv ...string) row {
	out := row{}
	for k, v := range r {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// grid lays rows out under the layout's headers (or the given ones).
func grid(kind Kind, rows []row, headers ...string) [][]string {
	if headers == nil {
		headers = headersOf(Layout(kind))
	}
	out := [][]string{headers}
	for _, r := range rows {
		line := make([]string, len(headers))
		for i, h := range headers {
			line[i] = r[h]
		}
		out = append(out, line)
	}
	return out
}

// xlsxBytes writes a grid as an .xlsx file; formulas maps a cell ("C3") to a
// formula set on it.
func xlsxBytes(t testing.TB, g [][]string, formulas map[string]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, line := range g {
		cells := make([]any, len(line))
		for j, v := range line {
			cells[j] = v
		}
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &cells); err != nil {
			t.Fatal(err)
		}
	}
	for cell, fm := range formulas {
		if err := f.SetCellFormula("Sheet1", cell, fm); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func csvBytes(t testing.TB, g [][]string, bom bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if bom {
		buf.WriteString("\ufeff")
	}
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Two households: an old woman living alone with two needs, and a family
// on 低保 whose child (under 14) consents through the head.
var (
	wangID  = idn("19480512", 2)
	liID    = idn("19800304", 11)
	liWife  = idn("19820607", 22)
	liChild = idn("20150901", 31)

	wang = row{"户编号": "1", "区划代码": compoundA, "地址": "柏树林社区锦绣家属院3号楼2单元402",
		"救助类别": "特困人员（分散供养）", "认定日期": "2020-03-01", "认定文号": "碑民救〔2020〕12号",
		"月总收入(元)": "300", "家庭资产(元)": "2,000.50", "近12个月医疗自付(元)": "1200", "是否独居": "是",
		"赡养义务人": "无", "信息来源": "入户调查", "信息日期": "2025-03-01", "不愿被联系": "否",
		"授权方式": "书面", "授权日期": "2025-03-02",
		"姓名": "王秀兰", "身份证号": wangID, "与户主关系": "本人", "手机号": "138 0000 0000",
		"残疾类别": "肢体", "残疾等级": "二级", "患重大疾病": "否", "劳动能力": "完全丧失劳动能力", "就业状况": "无业",
		"同意共享对象": "社会组织、志愿者",
		"服务项目代码": "meal", "需求原话": "腿脚不好做不了饭", "需求说明": "独居老人需要午餐", "紧急程度": "较急", "需求来源": "需求哨点"}
	wang2 = row{"户编号": "1", "姓名": "王秀兰", "身份证号": wangID,
		"服务项目代码": "助浴", "需求原话": "洗不了澡", "需求说明": "需要上门助浴"}
	li = row{"户编号": "2", "区划代码": compoundB, "地址": "东木头市社区春晖小区1号楼101",
		"救助类别": "低保", "认定日期": "2022-01-05", "月总收入(元)": "2400", "信息日期": "2025-02-01",
		"授权方式": "口头", "授权日期": "2025-02-01",
		"姓名": "李建国", "身份证号": liID, "与户主关系": "本人", "劳动能力": "有劳动能力", "就业状况": "失业",
		"技能": "会电焊、会开车", "同意共享对象": "全部",
		"服务项目代码": "job_placement", "需求说明": "中年失业，希望就近就业"}
	liW = row{"户编号": "2", "姓名": "张梅", "身份证号": liWife, "与户主关系": "配偶", "就业状况": "灵活就业"}
	liC = row{"户编号": "2", "姓名": "李小宝", "身份证号": liChild, "与户主关系": "子女", "同意共享对象": "志愿者",
		"服务项目代码": "tutoring", "需求说明": "小学生需要课后辅导", "紧急程度": "可安排"}
)

func goodRows() []row { return []row{wang, wang2, li, liW, liC} }

// memSink is an in-memory HouseholdSink and OfferingSink that behaves as
// the store does: it assigns household IDs, seals ID numbers (keeping only
// the masked form), refuses a number held by another household, and skips
// need and offering IDs it holds already. It validates what it is given, so
// that the importer cannot hand it anything the store would refuse.
type memSink struct {
	t          testing.TB
	mu         sync.Mutex
	households map[string]domain.Household
	idIndex    map[string]string
	needs      map[string]domain.Need
	providers  map[string]domain.Provider // by credit code
	offerings  map[string]domain.Offering
	nextID     int
	maxLookup  int
	lookups    int
	fail       error
	// trusted skips the sink's own validation, for benchmarks.
	trusted bool
}

func newMemSink(t testing.TB) *memSink {
	return &memSink{t: t, households: map[string]domain.Household{}, idIndex: map[string]string{},
		needs: map[string]domain.Need{}, providers: map[string]domain.Provider{}, offerings: map[string]domain.Offering{}}
}

func (s *memSink) MemberHouseholds(_ context.Context, ids []string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lookups++
	s.maxLookup = max(s.maxLookup, len(ids))
	return subset(s.idIndex, ids), s.fail
}

func (s *memSink) HouseholdsByID(_ context.Context, ids []string) (map[string]domain.Household, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return subset(s.households, ids), nil
}

// subset returns the entries of m under the keys, as a bulk read does.
func subset[V any](m map[string]V, keys []string) map[string]V {
	out := map[string]V{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

func (s *memSink) InsertHouseholds(_ context.Context, hs []domain.Household) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return 0, s.fail
	}
	n := 0
	for i := range hs {
		h := &hs[i]
		if !s.trusted {
			if err := h.Validate(testPlaces(), testNow); err != nil {
				s.t.Errorf("sink got an invalid household: %v", err)
			}
		}
		if h.ID == "" {
			s.nextID++
			h.ID = fmt.Sprintf("hh-%04d", s.nextID)
		}
		if _, ok := s.households[h.ID]; ok {
			continue
		}
		for _, m := range h.Members {
			if other, held := s.idIndex[m.IDNumber]; held && other != h.ID {
				return n, fmt.Errorf("member of household %d already in %s", i, other)
			}
		}
		sealed := *h
		sealed.Members = slices.Clone(h.Members)
		for j := range sealed.Members {
			m := &sealed.Members[j]
			s.idIndex[m.IDNumber] = h.ID
			m.IDMasked, m.IDNumber, m.IDHash = domain.MaskIDNumber(m.IDNumber), "", "hash:"+m.ID
		}
		s.households[h.ID] = sealed
		n++
	}
	return n, nil
}

func (s *memSink) InsertNeeds(_ context.Context, ns []domain.Need) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, nd := range ns {
		if !s.trusted {
			if err := nd.Validate(testPlaces(), testCatalogue(), testNow); err != nil {
				s.t.Errorf("sink got an invalid need: %v", err)
			}
		}
		h, ok := s.households[nd.HouseholdID]
		if _, member := h.Member(nd.MemberID); !ok || !member || h.Place != nd.Place {
			s.t.Errorf("need %s points to household %s member %s, which is not on file", nd.ID, nd.HouseholdID, nd.MemberID)
		}
		if _, dup := s.needs[nd.ID]; dup || nd.ID == "" {
			continue
		}
		s.needs[nd.ID] = nd
		n++
	}
	return n, nil
}

func (s *memSink) ProvidersByCreditCode(_ context.Context, codes []string) (map[string]domain.Provider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return subset(s.providers, codes), nil
}

func (s *memSink) InsertOfferings(_ context.Context, os []domain.Offering) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, o := range os {
		if err := o.Validate(testPlaces(), testCatalogue(), testNow); err != nil {
			s.t.Errorf("sink got an invalid offering: %v", err)
		}
		if _, dup := s.offerings[o.ID]; dup || o.ID == "" {
			continue
		}
		s.offerings[o.ID] = o
		n++
	}
	return n, nil
}

// householdByPlace returns the stored household at a place.
func (s *memSink) householdByPlace(t *testing.T, place string) domain.Household {
	t.Helper()
	for _, h := range s.households {
		if h.Place == place {
			return h
		}
	}
	t.Fatalf("no household stored at %s", place)
	return domain.Household{}
}

func importHouseholds(t testing.TB, sink *memSink, name string, data []byte, opts Options) Report {
	t.Helper()
	rep, err := importKind(Households, name, bytes.NewReader(data), sink, opts)
	if err != nil {
		t.Fatalf("ImportHouseholds: %v", err)
	}
	return rep
}

// importKind imports a file of either kind into the sink.
func importKind(kind Kind, name string, r io.Reader, sink *memSink, opts Options) (Report, error) {
	if kind == Households {
		return ImportHouseholds(context.Background(), name, r, sink, opts)
	}
	return ImportOfferings(context.Background(), name, r, sink, opts)
}

// rowCase is a file that must be refused with an error at a row and column.
type rowCase struct {
	name   string
	rows   []row
	opts   Options
	row    int
	column string
	reason string
}

// refuseCases imports each case as .xlsx and expects nothing stored, every
// row rejected and the error named.
func refuseCases(t *testing.T, kind Kind, cases []rowCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink := providerSink(t)
			rep, err := importKind(kind, "f.xlsx", bytes.NewReader(xlsxBytes(t, grid(kind, c.rows), nil)), sink, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			wantNothingStored(t, sink, rep)
			wantError(t, rep, c.row, c.column, c.reason)
			if rep.Rejected != rep.Total {
				t.Errorf("rejected %d of %d", rep.Rejected, rep.Total)
			}
		})
	}
}

// wantError asserts that the report holds an error on the row and column
// whose reason contains the text.
func wantError(t *testing.T, rep Report, rowNum int, column, reason string) {
	t.Helper()
	for _, e := range rep.Errors {
		if e.Row == rowNum && e.Column == column && strings.Contains(e.Reason, reason) {
			return
		}
	}
	t.Errorf("no error at row %d column %q containing %q; got %v", rowNum, column, reason, rep.Errors)
}

// wantNothingStored asserts that a failed import wrote nothing.
func wantNothingStored(t *testing.T, s *memSink, rep Report) {
	t.Helper()
	if len(s.households) != 0 || len(s.needs) != 0 || len(s.offerings) != 0 || rep.Created != 0 {
		t.Errorf("stored %d households, %d needs, %d offerings (report %+v); want nothing",
			len(s.households), len(s.needs), len(s.offerings), rep)
	}
	if len(rep.Errors) == 0 {
		t.Error("want errors in the report")
	}
}
