package domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fxPlaces is a district with one street, one community and one compound.
func fxPlaces(tb testing.TB) *Places {
	tb.Helper()
	t, err := NewPlaces([]Place{
		{Code: "610103000000", Name: "碑林区", Level: LevelDistrict},
		{Code: "610103002000", Name: "柏树林街道", Level: LevelStreet, Parent: "610103000000"},
		{Code: "610103002001", Name: "东关正街社区", Level: LevelCommunity, Parent: "610103002000"},
		{Code: "610103002001001", Name: "建东小区", Level: LevelCompound, Parent: "610103002001"},
	})
	if err != nil {
		tb.Fatalf("fixture places: %v", err)
	}
	return t
}

// day returns midnight UTC of a date.
func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// fxHousehold is a valid household: a grandmother (plain ID number, as just
// entered) and her grandson of 10 (sealed ID), with consents.
func fxHousehold(tb testing.TB) *Household {
	tb.Helper()
	visit := func() FactSource { return SourceHomeVisit }
	grandma := Member{ID: "m1", Name: "王秀兰", IDNumber: mkID(tb, "61010319520304002"), Relation: RelationSelf,
		Phone:       "13812345678",
		Disability:  &Fact[Disability]{Value: Disability{Type: DisabilityPhysical, Grade: 2}, Source: visit(), Date: day(2025, 3, 1)},
		WorkAbility: &Fact[WorkAbility]{Value: WorkAbilityNone, Source: SourceHomeVisit, Date: day(2025, 3, 1)},
		Employment:  &Fact[Employment]{Value: EmploymentRetired, Source: SourceSelfReported, Date: day(2025, 3, 1)},
		Skills:      []string{"缝纫", "剪纸"}}
	grandma.FillFromIDNumber()
	boy := Member{ID: "m2", Name: "王小明", IDMasked: "6101**********0015", IDHash: "h:boy", BirthYear: 2015,
		Gender: GenderMale, Relation: RelationGrandchild,
		SeriousIllness: &Fact[bool]{Value: true, Source: SourceEconomicCheck, Date: day(2025, 1, 10)}}
	return &Household{ID: "h1", Place: "610103002001001", Address: "东关正街12号3单元401",
		Location:      &LatLng{Lat: 34.2553, Lng: 108.9601},
		Members:       []Member{grandma, boy},
		MonthlyIncome: &Fact[Fen]{Value: Yuan(1350), Source: SourceEconomicCheck, Date: day(2025, 4, 2)},
		Assets:        &Fact[Fen]{Value: Yuan(8000), Source: SourceEconomicCheck, Date: day(2025, 4, 2)},
		Supporters: &Fact[[]Supporter]{Value: []Supporter{{Name: "王建国", Relation: RelationChild, Able: false}},
			Source: SourceHomeVisit, Date: day(2025, 3, 1)},
		MedicalOutOfPocket12m: &Fact[Fen]{Value: Yuan(23000) + 50, Source: SourceSelfReported, Date: day(2025, 3, 1)},
		Assistance:            []AssistanceStatus{{Kind: AssistDibao, DecidedOn: day(2024, 11, 20), DecisionRef: "碑民低〔2024〕118号"}},
		Consents: []ConsentEvent{
			{MemberID: "m1", Recipient: RecipientNGOUnit, Action: ConsentGrant, At: day(2025, 3, 1), Method: ConsentWritten, RecordedBy: "u7"},
			{MemberID: "m2", Recipient: RecipientVolunteer, Action: ConsentGrant, At: day(2025, 3, 1), Method: ConsentWritten, RecordedBy: "u7",
				Guardian: &Guardian{Name: "王秀兰", Relation: RelationGrandparent, MemberID: "m1"}},
		},
		Version: 3}
}

func TestFillFromIDNumber(t *testing.T) {
	m := Member{IDNumber: " 11010519491231002x "}
	m.FillFromIDNumber()
	if m.IDNumber != "11010519491231002X" || m.IDMasked != "1101**********002X" || m.BirthYear != 1949 || m.Gender != GenderFemale {
		t.Fatalf("FillFromIDNumber = %+v", m)
	}
	empty := Member{BirthYear: 1960}
	empty.FillFromIDNumber()
	if empty.BirthYear != 1960 || empty.IDMasked != "" {
		t.Fatalf("empty ID changed the member: %+v", empty)
	}
}

func TestMemberAgeAndMinor(t *testing.T) {
	m := Member{BirthYear: 1965}
	if m.Age(fixNow) != 60 {
		t.Fatalf("Age = %d", m.Age(fixNow))
	}
	tests := []struct {
		name string
		m    Member
		want bool
	}{
		{"13 by birth year", Member{BirthYear: 2012}, true},
		{"maybe 13 by birth year", Member{BirthYear: 2011}, true},
		{"surely 14 by birth year", Member{BirthYear: 2010}, false},
		{"14 yesterday by ID", Member{IDNumber: mkID(t, "61010320110614001"), BirthYear: 2011}, false},
		{"14 tomorrow by ID", Member{IDNumber: mkID(t, "61010320110616001"), BirthYear: 2011}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.MayBeUnder14(fixNow); got != tt.want {
				t.Fatalf("MayBeUnder14 = %v", got)
			}
		})
	}
}

func TestMemberValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Member)
		field  string
		rule   string
	}{
		{"valid plain ID", func(*Member) {}, "", ""},
		{"valid sealed ID", func(m *Member) { m.IDNumber, m.IDHash = "", "h:1" }, "", ""},
		{"id missing", func(m *Member) { m.ID = "" }, "id", "required"},
		{"name missing", func(m *Member) { m.Name = "  " }, "name", "required"},
		{"name too long", func(m *Member) { m.Name = strings.Repeat("王", 51) }, "name", "length"},
		{"no ID at all", func(m *Member) { m.IDNumber = "" }, "id_number", "required"},
		{"bad check character", func(m *Member) {
			m.IDNumber = m.IDNumber[:17] + map[bool]string{true: "1", false: "0"}[m.IDNumber[17] == '0']
		}, "id_number", "checksum"},
		{"birth year disagrees with ID", func(m *Member) { m.BirthYear = 1953 }, "birth_year", "mismatch"},
		{"gender disagrees with ID", func(m *Member) { m.Gender = GenderMale }, "gender", "mismatch"},
		{"bad masked form", func(m *Member) { m.IDMasked = "6101********1234" }, "id_masked", "format"},
		{"birth year in future", func(m *Member) { m.IDNumber, m.IDHash, m.BirthYear = "", "h", 2026 }, "birth_year", "range"},
		{"birth year 1899", func(m *Member) { m.IDNumber, m.IDHash, m.BirthYear = "", "h", 1899 }, "birth_year", "range"},
		{"gender unknown", func(m *Member) { m.IDNumber, m.IDHash, m.Gender = "", "h", "x" }, "gender", "enum"},
		{"relation unknown", func(m *Member) { m.Relation = "boss" }, "relation", "enum"},
		{"phone not mobile", func(m *Member) { m.Phone = "02987654321" }, "phone", "format"},
		{"disability grade 0", func(m *Member) { m.Disability.Value.Grade = 0 }, "disability.value.grade", "range"},
		{"disability grade 5", func(m *Member) { m.Disability.Value.Grade = 5 }, "disability.value.grade", "range"},
		{"disability type unknown", func(m *Member) { m.Disability.Value.Type = "other" }, "disability.value.type", "enum"},
		{"fact without source", func(m *Member) { m.Disability.Source = "" }, "disability.source", "enum"},
		{"fact without date", func(m *Member) { m.WorkAbility.Date = time.Time{} }, "work_ability.date", "required"},
		{"fact dated tomorrow", func(m *Member) { m.WorkAbility.Date = fixNow.Add(24 * time.Hour) }, "work_ability.date", "range"},
		{"work ability unknown", func(m *Member) { m.WorkAbility.Value = "some" }, "work_ability.value", "enum"},
		{"employment unknown", func(m *Member) { m.Employment.Value = "boss" }, "employment.value", "enum"},
		{"illness fact source", func(m *Member) { m.SeriousIllness = &Fact[bool]{Value: true, Source: "rumour", Date: day(2025, 1, 1)} }, "serious_illness.source", "enum"},
		{"blank skill", func(m *Member) { m.Skills = []string{""} }, "skills[0]", "required"},
		{"duplicate skill", func(m *Member) { m.Skills = []string{"缝纫", "缝纫"} }, "skills[1]", "unique"},
		{"21 skills", func(m *Member) {
			m.Skills = nil
			for i := range 21 {
				m.Skills = append(m.Skills, "技能"+string(rune('A'+i)))
			}
		}, "skills", "range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fxHousehold(t).Members[0]
			tt.modify(&m)
			expectRule(t, m.Validate(fixNow), tt.field, tt.rule)
		})
	}
}

func TestHouseholdValidate(t *testing.T) {
	places := fxPlaces(t)
	tests := []struct {
		name   string
		modify func(*Household)
		field  string
		rule   string
	}{
		{"valid", func(*Household) {}, "", ""},
		{"valid with no facts yet", func(h *Household) {
			h.MonthlyIncome, h.Assets, h.Supporters, h.MedicalOutOfPocket12m, h.Assistance = nil, nil, nil, nil, nil
		}, "", ""},
		{"valid 特困 dispersed living alone", func(h *Household) {
			h.Members, h.Consents = h.Members[:1], h.Consents[:1]
			h.LivingAlone = &Fact[bool]{Value: true, Source: SourceHomeVisit, Date: day(2025, 3, 1)}
			h.Assistance = []AssistanceStatus{{Kind: AssistTekun, SupportMode: SupportDispersed, DecidedOn: day(2020, 1, 1)}, {Kind: AssistTemporary, DecidedOn: day(2025, 2, 1)}}
		}, "", ""},
		{"place missing", func(h *Household) { h.Place = "" }, "place", "required"},
		{"place malformed", func(h *Household) { h.Place = "61010300200" }, "place", "format"},
		{"place unknown", func(h *Household) { h.Place = "610103002009" }, "place", "exists"},
		{"place is a street", func(h *Household) { h.Place = "610103002000" }, "place", "level"},
		{"address missing", func(h *Household) { h.Address = "" }, "address", "required"},
		{"location out of range", func(h *Household) { h.Location = &LatLng{Lat: 95, Lng: 108} }, "location", "range"},
		{"location unset zero", func(h *Household) { h.Location = &LatLng{} }, "location", "range"},
		{"no members", func(h *Household) { h.Members, h.Consents = nil, nil }, "members", "required"},
		{"member problem is prefixed", func(h *Household) { h.Members[1].IDHash = "" }, "members[1].id_number", "required"},
		{"31 members", func(h *Household) {
			for i := range 30 {
				h.Members = append(h.Members, Member{ID: "x" + string(rune('A'+i)), Name: "某", IDHash: "h" + string(rune('A'+i)),
					BirthYear: 1990, Gender: GenderMale, Relation: RelationOther})
			}
		}, "members", "range"},
		{"two heads", func(h *Household) { h.Members[1].Relation = RelationSelf }, "members", "head"},
		{"no head", func(h *Household) { h.Members[0].Relation = RelationSpouse }, "members", "head"},
		{"duplicate member id", func(h *Household) { h.Members[1].ID = "m1" }, "members[1].id", "unique"},
		{"same person twice", func(h *Household) {
			dup := h.Members[0]
			dup.ID, dup.Relation = "m3", RelationSibling
			h.Members = append(h.Members, dup)
		}, "members[2].id_number", "unique"},
		{"negative income", func(h *Household) { h.MonthlyIncome.Value = -1 }, "monthly_income.value", "range"},
		{"negative assets", func(h *Household) { h.Assets.Value = -100 }, "assets.value", "range"},
		{"negative medical", func(h *Household) { h.MedicalOutOfPocket12m.Value = -1 }, "medical_out_of_pocket_12m.value", "range"},
		{"income fact in future", func(h *Household) { h.MonthlyIncome.Date = day(2026, 1, 1) }, "monthly_income.date", "range"},
		{"supporter unnamed", func(h *Household) { h.Supporters.Value[0].Name = "" }, "supporters.value[0].name", "required"},
		{"supporter is self", func(h *Household) { h.Supporters.Value[0].Relation = RelationSelf }, "supporters.value[0].relation", "enum"},
		{"negative support", func(h *Household) { h.Supporters.Value[0].MonthlySupportFen = -5 }, "supporters.value[0].monthly_support_fen", "range"},
		{"living alone with two members", func(h *Household) {
			h.LivingAlone = &Fact[bool]{Value: true, Source: SourceHomeVisit, Date: day(2025, 3, 1)}
		}, "living_alone.value", "conflict"},
		{"unknown assistance", func(h *Household) { h.Assistance[0].Kind = "wubao" }, "assistance[0].kind", "enum"},
		{"duplicate assistance", func(h *Household) { h.Assistance = append(h.Assistance, h.Assistance[0]) }, "assistance[1].kind", "unique"},
		{"低保 and 低保边缘 together", func(h *Household) {
			h.Assistance = append(h.Assistance, AssistanceStatus{Kind: AssistDibaoEdge, DecidedOn: day(2025, 1, 1)})
		}, "assistance[1].kind", "conflict"},
		{"特困 without support mode", func(h *Household) { h.Assistance[0] = AssistanceStatus{Kind: AssistTekun, DecidedOn: day(2025, 1, 1)} }, "assistance[0].support_mode", "enum"},
		{"support mode on 低保", func(h *Household) { h.Assistance[0].SupportMode = SupportCentralised }, "assistance[0].support_mode", "forbidden"},
		{"decision date missing", func(h *Household) { h.Assistance[0].DecidedOn = time.Time{} }, "assistance[0].decided_on", "required"},
		{"decision date in future", func(h *Household) { h.Assistance[0].DecidedOn = day(2025, 7, 1) }, "assistance[0].decided_on", "range"},
		{"consent for unknown member", func(h *Household) { h.Consents[0].MemberID = "m9" }, "consents[0].member_id", "exists"},
		{"child consent without guardian", func(h *Household) { h.Consents[1].Guardian = nil }, "consents[1].guardian", "required"},
		{"negative version", func(h *Household) { h.Version = -1 }, "version", "range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fxHousehold(t)
			tt.modify(h)
			expectRule(t, h.Validate(places, fixNow), tt.field, tt.rule)
		})
	}
	expectRule(t, fxHousehold(t).Validate(nil, fixNow), "place", "exists")
}

func TestHouseholdLookups(t *testing.T) {
	h := fxHousehold(t)
	if m, ok := h.Member("m2"); !ok || m.Name != "王小明" {
		t.Fatalf("Member(m2) = %+v, %v", m, ok)
	}
	if _, ok := h.Member("m9"); ok {
		t.Fatal("Member(m9) found")
	}
	if !h.Has(AssistDibao) || h.Has(AssistTekun) {
		t.Fatal("Has")
	}
}

func TestHouseholdJSONWireNames(t *testing.T) {
	b, err := json.Marshal(fxHousehold(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"monthly_income":{"value":135000,"source":"economic_check","date":"2025-04-02T00:00:00Z"}`,
		`"medical_out_of_pocket_12m":`, `"do_not_contact":false`, `"id_masked":"6101**********0015"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	for _, unwanted := range []string{`"support_mode"`, `"created_at"`, `"assets":null`} {
		if strings.Contains(string(b), unwanted) {
			t.Errorf("JSON has %s", unwanted)
		}
	}
}

func TestLogEntryValidate(t *testing.T) {
	base := LogEntry{HouseholdID: "h1", Kind: LogVisit, At: day(2025, 6, 1), Author: "u7", Text: "入户走访，老人腿脚不便"}
	tests := []struct {
		name   string
		modify func(*LogEntry)
		field  string
		rule   string
	}{
		{"valid visit", func(*LogEntry) {}, "", ""},
		{"valid application", func(e *LogEntry) { e.Kind, e.Text, e.Assistance = LogApplication, "", AssistDibaoEdge }, "", ""},
		{"valid outcome for a policy", func(e *LogEntry) { e.Kind, e.PolicyID, e.Outcome = LogOutcome, "p12", OfficialApproved }, "", ""},
		{"valid service without text", func(e *LogEntry) { e.Kind, e.Text, e.RefID = LogService, "", "r1" }, "", ""},
		{"household missing", func(e *LogEntry) { e.HouseholdID = "" }, "household_id", "required"},
		{"kind unknown", func(e *LogEntry) { e.Kind = "gossip" }, "kind", "enum"},
		{"time missing", func(e *LogEntry) { e.At = time.Time{} }, "at", "required"},
		{"time in future", func(e *LogEntry) { e.At = day(2025, 6, 16) }, "at", "range"},
		{"author missing", func(e *LogEntry) { e.Author = "" }, "author", "required"},
		{"visit without text", func(e *LogEntry) { e.Text = "" }, "text", "required"},
		{"note too long", func(e *LogEntry) { e.Kind, e.Text = LogNote, strings.Repeat("字", 2001) }, "text", "length"},
		{"application for nothing", func(e *LogEntry) { e.Kind = LogApplication }, "assistance", "required"},
		{"assistance unknown", func(e *LogEntry) { e.Kind, e.Assistance = LogApplication, "wubao" }, "assistance", "enum"},
		{"outcome without result", func(e *LogEntry) { e.Kind, e.Assistance = LogOutcome, AssistDibao }, "outcome", "enum"},
		{"result on a visit", func(e *LogEntry) { e.Outcome = OfficialRejected }, "outcome", "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			tt.modify(&e)
			expectRule(t, e.Validate(fixNow), tt.field, tt.rule)
		})
	}
}
