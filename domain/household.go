package domain

import (
	"slices"
	"time"
)

// FactSource says how a fact became known. Policy evaluation cites it: an
// economic check outweighs what a resident said at the door.
type FactSource string

// Sources of facts.
const (
	SourceSelfReported  FactSource = "self_reported"  // 本人申报
	SourceHomeVisit     FactSource = "home_visit"     // 入户调查
	SourceEconomicCheck FactSource = "economic_check" // 家庭经济状况核对
)

// Valid reports whether s is a known source: one of the three above, or a
// department's data signal ("dept:medical_security", see signal.go).
func (s FactSource) Valid() bool {
	if _, ok := s.Department(); ok {
		return true
	}
	return s == SourceSelfReported || s == SourceHomeVisit || s == SourceEconomicCheck
}

// Fact is a recorded value with its source and the date it was established.
// A nil *Fact means "not recorded", which is not the same as zero: an
// unknown income must not make a household look eligible.
type Fact[T any] struct {
	Value  T          `json:"value"`
	Source FactSource `json:"source"`
	Date   time.Time  `json:"date"`
}

// check validates the source and date of a recorded fact; the value's own
// rules are the caller's.
func (f *Fact[T]) check(p *Problems, field string, now time.Time) {
	if f == nil {
		return
	}
	if !f.Source.Valid() {
		p.Add(field+".source", "enum", "信息来源须为 self_reported、home_visit 或 economic_check")
	}
	checkPast(p, field+".date", f.Date, now, true, "信息日期")
}

// Relation of a member to the head of the household (户主).
type Relation string

// Relations to the head.
const (
	RelationSelf        Relation = "self" // the head
	RelationSpouse      Relation = "spouse"
	RelationChild       Relation = "child"
	RelationParent      Relation = "parent"
	RelationGrandchild  Relation = "grandchild"
	RelationGrandparent Relation = "grandparent"
	RelationSibling     Relation = "sibling"
	RelationInLaw       Relation = "in_law"
	RelationOther       Relation = "other"
)

// Valid reports whether r is a known relation.
func (r Relation) Valid() bool {
	return slices.Contains([]Relation{RelationSelf, RelationSpouse, RelationChild, RelationParent,
		RelationGrandchild, RelationGrandparent, RelationSibling, RelationInLaw, RelationOther}, r)
}

// DisabilityType follows the seven categories of the disability certificate.
type DisabilityType string

// Disability types.
const (
	DisabilityVisual       DisabilityType = "visual"       // 视力
	DisabilityHearing      DisabilityType = "hearing"      // 听力
	DisabilitySpeech       DisabilityType = "speech"       // 言语
	DisabilityPhysical     DisabilityType = "physical"     // 肢体
	DisabilityIntellectual DisabilityType = "intellectual" // 智力
	DisabilityMental       DisabilityType = "mental"       // 精神
	DisabilityMultiple     DisabilityType = "multiple"     // 多重
)

// Valid reports whether d is a known disability type.
func (d DisabilityType) Valid() bool {
	return slices.Contains([]DisabilityType{DisabilityVisual, DisabilityHearing, DisabilitySpeech,
		DisabilityPhysical, DisabilityIntellectual, DisabilityMental, DisabilityMultiple}, d)
}

// Disability is a certified disability: grade 1 is the most severe, 4 the
// mildest, so policies say "grade ≤ 2".
type Disability struct {
	Type  DisabilityType `json:"type"`
	Grade int            `json:"grade"`
}

// WorkAbility is the assessed ability to work, central to 特困 and 低保.
type WorkAbility string

// Work abilities.
const (
	WorkAbilityFull    WorkAbility = "full"    // 有劳动能力
	WorkAbilityPartial WorkAbility = "partial" // 部分丧失劳动能力
	WorkAbilityNone    WorkAbility = "none"    // 完全丧失劳动能力
)

// Valid reports whether w is a known work ability.
func (w WorkAbility) Valid() bool {
	return w == WorkAbilityFull || w == WorkAbilityPartial || w == WorkAbilityNone
}

// Employment is a member's current work situation.
type Employment string

// Employment situations.
const (
	EmploymentEmployed   Employment = "employed"    // 在职
	EmploymentFlexible   Employment = "flexible"    // 灵活就业
	EmploymentUnemployed Employment = "unemployed"  // 失业、待业
	EmploymentRetired    Employment = "retired"     // 退休
	EmploymentStudent    Employment = "student"     // 在校学生
	EmploymentNotWorking Employment = "not_working" // 无业且不求职（照料家人、丧失劳动能力、学龄前）
)

// Valid reports whether e is a known employment situation.
func (e Employment) Valid() bool {
	return slices.Contains([]Employment{EmploymentEmployed, EmploymentFlexible, EmploymentUnemployed,
		EmploymentRetired, EmploymentStudent, EmploymentNotWorking}, e)
}

// Member is one person of a household.
type Member struct {
	// ID is stable within the household; needs and consents point to it.
	ID   string `json:"id"`
	Name string `json:"name"`
	// IDNumber holds the plain ID number only in memory, when it is entered;
	// the store encrypts it and keeps IDMasked for display and IDHash (a keyed
	// hash) to find duplicates. It is never sent back to clients.
	IDNumber  string   `json:"id_number,omitempty"`
	IDMasked  string   `json:"id_masked,omitempty"`
	IDHash    string   `json:"id_hash,omitempty"`
	BirthYear int      `json:"birth_year"`
	Gender    Gender   `json:"gender"`
	Relation  Relation `json:"relation"`
	Phone     string   `json:"phone,omitempty"`
	// Disability is nil when the member has no certified disability.
	Disability     *Fact[Disability]  `json:"disability,omitempty"`
	SeriousIllness *Fact[bool]        `json:"serious_illness,omitempty"`
	IllnessNote    string             `json:"illness_note,omitempty"`
	WorkAbility    *Fact[WorkAbility] `json:"work_ability,omitempty"`
	Employment     *Fact[Employment]  `json:"employment,omitempty"`
	// Skills are the member's own words ("会缝纫"); enterprises see them, so
	// they are kept apart from the sensitive facts and need no source.
	Skills []string `json:"skills,omitempty"`
}

// FillFromIDNumber normalizes a freshly entered ID number and derives the
// masked form, birth year and gender from it, so that they cannot disagree.
// The keyed hash is the store's job: the key must not live in domain.
func (m *Member) FillFromIDNumber() {
	m.IDNumber = NormalizeIDNumber(m.IDNumber)
	if m.IDNumber == "" {
		return
	}
	m.IDMasked = MaskIDNumber(m.IDNumber)
	if y, err := IDBirthYear(m.IDNumber); err == nil {
		m.BirthYear = y
	}
	if g, err := IDGender(m.IDNumber); err == nil {
		m.Gender = g
	}
}

// Age returns the age the member reaches in now's year: households keep only
// the birth year, and policies ("aged 60 and over") are read that way.
func (m Member) Age(now time.Time) int { return now.Year() - m.BirthYear }

// MayBeUnder14 reports whether the member is, or from the birth year alone
// might be, under 14 on the day at. Privacy law requires a guardian's consent
// for a child under 14, so doubt counts as a child.
func (m Member) MayBeUnder14(at time.Time) bool {
	if birth, err := IDBirthDate(m.IDNumber); err == nil {
		return AgeAt(birth, at) < 14
	}
	return at.Year()-m.BirthYear <= 14
}

// Validate checks one member; Household.Validate adds the rules across
// members.
func (m Member) Validate(now time.Time) error {
	var p Problems
	checkText(&p, "id", m.ID, true, 40, "成员编号")
	checkText(&p, "name", m.Name, true, 50, "姓名")
	switch {
	case m.IDNumber != "":
		p.Merge("", ValidateIDNumber(m.IDNumber, now))
		if y, err := IDBirthYear(m.IDNumber); err == nil && m.BirthYear != y {
			p.Add("birth_year", "mismatch", "出生年份与身份证号不符")
		}
		if g, err := IDGender(m.IDNumber); err == nil && m.Gender != g {
			p.Add("gender", "mismatch", "性别与身份证号不符")
		}
	case m.IDHash == "":
		p.Add("id_number", "required", "身份证号不能为空")
	}
	if m.IDMasked != "" && !isMaskedID(m.IDMasked) {
		p.Add("id_masked", "format", "脱敏身份证号格式应为 6101**********1234")
	}
	if m.BirthYear < 1900 || m.BirthYear > now.Year() {
		p.Addf("birth_year", "range", "出生年份须在1900年至%d年之间", now.Year())
	}
	if !m.Gender.Valid() {
		p.Add("gender", "enum", "性别须为 male 或 female")
	}
	if !m.Relation.Valid() {
		p.Add("relation", "enum", "与户主关系无效")
	}
	if m.Phone != "" {
		p.Merge("", ValidateMobile(m.Phone))
	}
	if d := m.Disability; d != nil {
		d.check(&p, "disability", now)
		if !d.Value.Type.Valid() {
			p.Add("disability.value.type", "enum", "残疾类别无效")
		}
		if d.Value.Grade < 1 || d.Value.Grade > 4 {
			p.Add("disability.value.grade", "range", "残疾等级须为1–4级")
		}
	}
	m.SeriousIllness.check(&p, "serious_illness", now)
	checkText(&p, "illness_note", m.IllnessNote, false, 200, "疾病说明")
	if w := m.WorkAbility; w != nil {
		w.check(&p, "work_ability", now)
		if !w.Value.Valid() {
			p.Add("work_ability.value", "enum", "劳动能力须为 full、partial 或 none")
		}
	}
	if e := m.Employment; e != nil {
		e.check(&p, "employment", now)
		if !e.Value.Valid() {
			p.Add("employment.value", "enum", "就业状况无效")
		}
	}
	checkList(&p, "skills", m.Skills, 20, 30, "技能")
	return p.Err()
}

// isMaskedID matches the display form 6101**********1234.
func isMaskedID(s string) bool {
	if len(s) != 18 || !isDigits(s[:4]) || s[4:14] != "**********" {
		return false
	}
	return isDigits(s[14:17]) && (isDigits(s[17:]) || s[17] == 'X')
}

// Supporter is a person legally obliged to support the household (赡养、
// 抚养、扶养义务人) who lives elsewhere; 特困 requires that there is none able to.
type Supporter struct {
	Name     string   `json:"name"`
	Relation Relation `json:"relation"`
	// Able is false when the supporter lacks the means (e.g. is on 低保 too).
	Able bool `json:"able"`
	// MonthlySupportFen is what the supporter actually pays, counted as income.
	MonthlySupportFen Fen `json:"monthly_support_fen"`
}

// Household is the household file (一户一档).
type Household struct {
	ID string `json:"id"`
	// Place is the community or compound the household lives in.
	Place string `json:"place"`
	// Address is confidential: coordinators only, volunteers during a claim.
	Address  string   `json:"address"`
	Location *LatLng  `json:"location,omitempty"`
	Members  []Member `json:"members"`
	// MonthlyIncome is the household's total monthly income.
	MonthlyIncome *Fact[Fen]         `json:"monthly_income,omitempty"`
	Assets        *Fact[Fen]         `json:"assets,omitempty"`
	Supporters    *Fact[[]Supporter] `json:"supporters,omitempty"`
	// MedicalOutOfPocket12m is what the household paid itself for medical care
	// in the last 12 months, after insurance: the mark of 刚性支出困难.
	MedicalOutOfPocket12m *Fact[Fen]         `json:"medical_out_of_pocket_12m,omitempty"`
	LivingAlone           *Fact[bool]        `json:"living_alone,omitempty"`
	Assistance            []AssistanceStatus `json:"assistance"`
	Consents              []ConsentEvent     `json:"consents"`
	// DoNotContact means the resident asked not to be contacted: such a
	// household is never proposed to anyone.
	DoNotContact bool `json:"do_not_contact"`
	// Review is set while the household's assistance is due for a review
	// because its circumstances changed (a member was hired); nil otherwise.
	Review *AssistanceReview `json:"review,omitempty"`
	// Version guards updates: a write names the version it read.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// AssistanceReview flags a household whose assistance must be reviewed
// (动态复核, 低保渐退) because something changed: a hire changes the income,
// and the coordinator must see it before it surprises the family.
type AssistanceReview struct {
	Reason string    `json:"reason"`
	Since  time.Time `json:"since"`
	// Source names what raised the flag, e.g. "application:<id>".
	Source string `json:"source"`
}

// ReviewReasonHire is why a hire raises the flag.
const ReviewReasonHire = "就业收入变化，需复核救助 / income changed: review assistance"

// check validates a raised flag.
func (r *AssistanceReview) check(p *Problems, now time.Time) {
	if r == nil {
		return
	}
	checkText(p, "review.reason", r.Reason, true, 200, "复核原因")
	checkPast(p, "review.since", r.Since, now, true, "复核起始时间")
	checkText(p, "review.source", r.Source, true, 80, "复核来源")
}

// Member returns the member with the id.
func (h *Household) Member(id string) (Member, bool) {
	for _, m := range h.Members {
		if m.ID == id {
			return m, true
		}
	}
	return Member{}, false
}

// Has reports whether the household currently holds the status.
func (h *Household) Has(kind AssistanceKind) bool {
	return slices.ContainsFunc(h.Assistance, func(a AssistanceStatus) bool { return a.Kind == kind })
}

// Validate checks the whole file against the place tree.
func (h *Household) Validate(places *Places, now time.Time) error {
	var p Problems
	checkPlace(&p, "place", h.Place, places, true, LevelCommunity, LevelCompound)
	checkText(&p, "address", h.Address, true, 200, "地址")
	h.Location.check(&p, "location")
	h.validateMembers(&p, now)
	for _, f := range []struct {
		name string
		fact *Fact[Fen]
	}{{"monthly_income", h.MonthlyIncome}, {"assets", h.Assets}, {"medical_out_of_pocket_12m", h.MedicalOutOfPocket12m}} {
		f.fact.check(&p, f.name, now)
		if f.fact != nil && f.fact.Value < 0 {
			p.Add(f.name+".value", "range", "金额不能为负数")
		}
	}
	if s := h.Supporters; s != nil {
		s.check(&p, "supporters", now)
		for i, sup := range s.Value {
			f := fieldIndex("supporters.value", i)
			checkText(&p, f+".name", sup.Name, true, 50, "义务人姓名")
			if !sup.Relation.Valid() || sup.Relation == RelationSelf {
				p.Add(f+".relation", "enum", "义务人关系无效")
			}
			if sup.MonthlySupportFen < 0 {
				p.Add(f+".monthly_support_fen", "range", "赡养费不能为负数")
			}
		}
	}
	if la := h.LivingAlone; la != nil {
		la.check(&p, "living_alone", now)
		if la.Value && len(h.Members) != 1 {
			p.Add("living_alone.value", "conflict", "独居家庭只能有一名成员")
		}
	}
	h.validateAssistance(&p, now)
	for i, c := range h.Consents {
		f := fieldIndex("consents", i)
		m, ok := h.Member(c.MemberID)
		if !ok {
			p.Addf(f+".member_id", "exists", "成员 %q 不存在", c.MemberID)
			continue
		}
		p.Merge(f, c.Validate(m, now))
	}
	h.Review.check(&p, now)
	if h.Version < 0 {
		p.Add("version", "range", "版本号不能为负数")
	}
	return p.Err()
}

func (h *Household) validateMembers(p *Problems, now time.Time) {
	if len(h.Members) == 0 {
		p.Add("members", "required", "家庭成员不能为空")
	}
	if len(h.Members) > 30 {
		p.Add("members", "range", "家庭成员不能超过30人")
	}
	heads := 0
	ids, people := map[string]bool{}, map[string]bool{}
	for i, m := range h.Members {
		f := fieldIndex("members", i)
		p.Merge(f, m.Validate(now))
		if m.Relation == RelationSelf {
			heads++
		}
		if m.ID != "" && ids[m.ID] {
			p.Addf(f+".id", "unique", "成员编号 %q 重复", m.ID)
		}
		ids[m.ID] = true
		// The same person entered twice shows as the same number or hash.
		key := m.IDHash
		if m.IDNumber != "" {
			key = "n:" + m.IDNumber
		}
		if key != "" && people[key] {
			p.Add(f+".id_number", "unique", "同一身份证号在本户重复登记")
		}
		people[key] = true
	}
	if len(h.Members) > 0 && heads != 1 {
		p.Add("members", "head", "每户须有且仅有一名户主（relation 为 self）")
	}
}

func (h *Household) validateAssistance(p *Problems, now time.Time) {
	seen := map[AssistanceKind]bool{}
	var layer AssistanceKind
	for i, a := range h.Assistance {
		f := fieldIndex("assistance", i)
		if !a.Kind.Valid() {
			p.Add(f+".kind", "enum", "救助类别无效")
			continue
		}
		if seen[a.Kind] {
			p.Add(f+".kind", "unique", "救助类别重复")
		}
		seen[a.Kind] = true
		if a.Kind.layered() {
			if layer != "" && layer != a.Kind {
				p.Addf(f+".kind", "conflict", "%s 与 %s 不能同时认定", a.Kind, layer)
			}
			layer = a.Kind
		}
		switch {
		case a.Kind == AssistTekun && a.SupportMode != SupportCentralised && a.SupportMode != SupportDispersed:
			p.Add(f+".support_mode", "enum", "特困人员须注明集中供养（centralised）或分散供养（dispersed）")
		case a.Kind != AssistTekun && a.SupportMode != "":
			p.Add(f+".support_mode", "forbidden", "仅特困人员有供养方式")
		}
		checkPast(p, f+".decided_on", a.DecidedOn, now, true, "认定日期")
		checkText(p, f+".decision_ref", a.DecisionRef, false, 60, "文号")
	}
}
