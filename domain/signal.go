package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A data signal (数据信号) is a record another department shares about a
// person: a large medical bill settled by medical insurance, a job loss
// registered with human resources, a new disability certificate, a death, a
// utility in arrears. Signals are how policy finds the person (政策找人):
// warning rules (WarningRule) turn them into warnings, and the facts they
// carry update the household file.

// SignalKind is what a signal reports.
type SignalKind string

// Signal kinds. Each has a spec (SignalKind.Spec): its Chinese name, whether
// it carries an amount and what the amount means.
const (
	// SignalLargeMedicalBill: a settlement whose out-of-pocket part (个人自付)
	// is large; the amount is that part. Adds to the household's
	// out-of-pocket medical costs of the last 12 months.
	SignalLargeMedicalBill SignalKind = "large_medical_bill" // 大额医疗费用
	// SignalSeriousIllness: a diagnosis recognised as a serious or special
	// illness (重特大疾病、门诊慢特病认定). Marks the member seriously ill.
	SignalSeriousIllness SignalKind = "serious_illness" // 重特大疾病确诊
	// SignalJobLoss: an unemployment registration (失业登记) or the end of
	// insured employment; the optional amount is the monthly wage lost. Marks
	// the member unemployed and, with an amount, lowers the household income.
	SignalJobLoss SignalKind = "job_loss" // 失业
	// SignalNewDisability: a new or upgraded disability certificate (残疾证);
	// it carries the certified type and grade, no amount.
	SignalNewDisability SignalKind = "new_disability" // 新办（升级）残疾证
	// SignalEarnerDeath: the death of a member who earned for the household;
	// the optional amount is the monthly income the household loses.
	SignalEarnerDeath SignalKind = "earner_death" // 家庭主要劳动力死亡
	// SignalUtilityArrears: water, power or gas bills unpaid for months; the
	// amount is what is owed. Changes no fact: it is a sign, not a figure
	// the file keeps.
	SignalUtilityArrears SignalKind = "utility_arrears" // 水电气欠费
	// SignalSchoolFeeHardship: school or boarding fees unpaid or a hardship
	// application at school; the amount is the fees owed.
	SignalSchoolFeeHardship SignalKind = "school_fee_hardship" // 学费缴纳困难
)

// SignalAmount says whether a kind of signal carries an amount.
type SignalAmount string

// Amount rules.
const (
	AmountRequired  SignalAmount = "required"
	AmountOptional  SignalAmount = "optional"
	AmountForbidden SignalAmount = "forbidden"
)

// SignalKindSpec describes a kind of signal.
type SignalKindSpec struct {
	Kind   SignalKind   `json:"kind"`
	NameZh string       `json:"name_zh"`
	NameEn string       `json:"name_en"`
	Amount SignalAmount `json:"amount"`
	// AmountZh says what the amount is, e.g. "个人自付金额".
	AmountZh string `json:"amount_zh,omitempty"`
	// MaxAmountFen bounds a plausible amount: anything larger is a unit
	// error (yuan sent as fen) or a typo, and is refused.
	MaxAmountFen Fen `json:"max_amount_fen,omitempty"`
	// UpdatesFacts is true when the signal can change household facts, so
	// that re-evaluating the household's policies may move it.
	UpdatesFacts bool `json:"updates_facts"`
}

// SignalKinds returns every kind, in the order forms list them.
func SignalKinds() []SignalKind {
	return []SignalKind{SignalLargeMedicalBill, SignalSeriousIllness, SignalJobLoss, SignalNewDisability,
		SignalEarnerDeath, SignalUtilityArrears, SignalSchoolFeeHardship}
}

// Spec returns the kind's description; ok is false for an unknown kind.
func (k SignalKind) Spec() (spec SignalKindSpec, ok bool) {
	y := Yuan
	switch k {
	case SignalLargeMedicalBill:
		return SignalKindSpec{k, "大额医疗费用", "large medical bill", AmountRequired, "个人自付金额", y(5_000_000), true}, true
	case SignalSeriousIllness:
		return SignalKindSpec{k, "重特大疾病确诊", "serious illness diagnosed", AmountForbidden, "", 0, true}, true
	case SignalJobLoss:
		return SignalKindSpec{k, "失业", "job loss", AmountOptional, "失业前月工资", y(100_000), true}, true
	case SignalNewDisability:
		return SignalKindSpec{k, "新办残疾证", "new disability certificate", AmountForbidden, "", 0, true}, true
	case SignalEarnerDeath:
		return SignalKindSpec{k, "家庭主要劳动力死亡", "death of an earner", AmountOptional, "家庭减少的月收入", y(100_000), true}, true
	case SignalUtilityArrears:
		return SignalKindSpec{k, "水电气欠费", "utility arrears", AmountRequired, "欠费金额", y(100_000), false}, true
	case SignalSchoolFeeHardship:
		return SignalKindSpec{k, "学费缴纳困难", "school fee hardship", AmountRequired, "应缴未缴费用", y(200_000), false}, true
	}
	return SignalKindSpec{}, false
}

// Valid reports whether k is a known kind.
func (k SignalKind) Valid() bool {
	_, ok := k.Spec()
	return ok
}

// NameZh returns the kind's Chinese name, "" for an unknown kind.
func (k SignalKind) NameZh() string {
	s, _ := k.Spec()
	return s.NameZh
}

// SignalMaxAgeYears bounds how old a signal's date may be: older events say
// nothing about a household's hardship now.
const SignalMaxAgeYears = 3

// Signal is one data signal about a person.
type Signal struct {
	// ID is the store's; Key gives the idempotency key it is derived from.
	ID   string     `json:"id"`
	Kind SignalKind `json:"kind"`
	// AmountFen is required, optional or forbidden by kind (see Spec).
	AmountFen Fen `json:"amount_fen,omitempty"`
	// Disability is the certified disability of a new_disability signal and
	// is forbidden for other kinds.
	Disability *Disability `json:"disability,omitempty"`
	// Date is when the event happened (the bill was settled, the job lost),
	// not when the signal arrived.
	Date             time.Time  `json:"date"`
	SourceDepartment Department `json:"source_department"`
	// IDNumber is the plain ID number, held only in memory at intake: the
	// store seals the signal (Seal) before it is saved, keeping the keyed
	// hash to match the person and a masked form for a coordinator.
	IDNumber string `json:"id_number,omitempty"`
	IDMasked string `json:"id_masked,omitempty"`
	IDHash   string `json:"id_hash,omitempty"`
	// Name is the person's name as the department sent it: it helps a
	// coordinator resolve an unmatched signal.
	Name string `json:"name,omitempty"`
	// HouseholdID and MemberID are set when the hash matched a member; an
	// empty HouseholdID is an unmatched signal, kept for a coordinator to
	// resolve, never dropped.
	HouseholdID string    `json:"household_id,omitempty"`
	MemberID    string    `json:"member_id,omitempty"`
	ReceivedAt  time.Time `json:"received_at"`
	// ExternalRef is the department's own record number (结算单号, 登记号).
	ExternalRef string `json:"external_ref,omitempty"`
}

// Matched reports whether the signal was matched to a household.
func (s Signal) Matched() bool { return s.HouseholdID != "" }

// Seal replaces the plain ID number by its keyed hash, computed by the
// store (which holds the key), and keeps the masked form for display.
func (s *Signal) Seal(idHash string) {
	if s.IDNumber != "" {
		s.IDMasked = MaskIDNumber(NormalizeIDNumber(s.IDNumber))
	}
	s.IDHash, s.IDNumber = idHash, ""
}

// Validate checks the signal as it arrives: a known kind, an amount as the
// kind requires it and within its range, a date that is neither in the
// future nor stale, a known department, and a valid ID number (or, once
// sealed, its hash). Field paths follow the JSON names.
func (s Signal) Validate(now time.Time) error {
	var p Problems
	checkText(&p, "id", s.ID, false, 80, "信号编号")
	if spec, ok := s.Kind.Spec(); ok {
		s.checkAmount(&p, spec)
	} else {
		p.Addf("kind", "enum", "未知的信号类型 %q", s.Kind)
	}
	s.checkDisability(&p)
	checkPast(&p, "date", s.Date, now, true, "信号日期")
	switch {
	case !s.Date.IsZero() && s.Date.Before(now.AddDate(-SignalMaxAgeYears, 0, 0)):
		p.Addf("date", "range", "信号日期不能早于%d年前", SignalMaxAgeYears)
	case !s.ReceivedAt.IsZero() && s.Date.After(s.ReceivedAt):
		p.Add("date", "range", "信号日期不能晚于接收时间")
	}
	if !s.SourceDepartment.Valid() {
		p.Add("source_department", "enum", "来源部门无效")
	}
	switch {
	case s.IDNumber != "":
		p.Merge("", ValidateIDNumber(s.IDNumber, now))
	case s.IDHash == "":
		p.Add("id_number", "required", "身份证号不能为空")
	}
	if s.IDMasked != "" && !isMaskedID(s.IDMasked) {
		p.Add("id_masked", "format", "脱敏身份证号格式应为 6101**********1234")
	}
	checkText(&p, "name", s.Name, false, 50, "姓名")
	checkText(&p, "household_id", s.HouseholdID, false, 40, "家庭档案")
	checkText(&p, "member_id", s.MemberID, false, 40, "成员")
	if s.MemberID != "" && s.HouseholdID == "" {
		p.Add("household_id", "required", "匹配到成员的信号须注明家庭档案")
	}
	checkPast(&p, "received_at", s.ReceivedAt, now, true, "接收时间")
	checkText(&p, "external_ref", s.ExternalRef, false, 64, "部门业务编号")
	return p.Err()
}

func (s Signal) checkAmount(p *Problems, spec SignalKindSpec) {
	switch {
	case spec.Amount == AmountForbidden && s.AmountFen != 0:
		p.Addf("amount_fen", "forbidden", "%s信号不带金额", spec.NameZh)
	case spec.Amount == AmountRequired && s.AmountFen == 0:
		p.Addf("amount_fen", "required", "%s信号须注明%s", spec.NameZh, spec.AmountZh)
	case s.AmountFen < 0:
		p.Add("amount_fen", "range", "金额不能为负数")
	case s.AmountFen > spec.MaxAmountFen && spec.Amount != AmountForbidden:
		p.Addf("amount_fen", "range", "%s不能超过%s", spec.AmountZh, spec.MaxAmountFen)
	}
}

func (s Signal) checkDisability(p *Problems) {
	d := s.Disability
	switch {
	case s.Kind == SignalNewDisability && d == nil:
		p.Add("disability", "required", "新办残疾证信号须注明残疾类别和等级")
	case s.Kind != SignalNewDisability && d != nil:
		p.Add("disability", "forbidden", "仅新办残疾证信号带残疾信息")
	case d != nil:
		if !d.Type.Valid() {
			p.Add("disability.type", "enum", "残疾类别无效")
		}
		if d.Grade < 1 || d.Grade > 4 {
			p.Add("disability.grade", "range", "残疾等级须为1–4级")
		}
	}
}

// Key returns the signal's idempotency key: the same signal sent twice (in
// one batch or two, by API or file) gets the same key, so the store can
// keep one. It is a hash of what makes a signal the same — kind,
// department, the person's keyed ID hash, the event's day in China, the
// amount, the disability and the department's record number — and never
// of the plain ID number: the key may be shown and logged. It returns
// EINVALID before the signal is sealed, since only the store can compute
// the keyed hash.
func (s Signal) Key() (string, error) {
	if s.IDHash == "" {
		return "", Errorf(EINVALID, "信号须先计算身份证号哈希，才能生成去重键")
	}
	disability := ""
	if d := s.Disability; d != nil {
		disability = string(d.Type) + "/" + strconv.Itoa(d.Grade)
	}
	// The event's calendar day in China (UTC+8, no daylight saving): a
	// file's "2026-05-20" and an API's "2026-05-20T10:30:00+08:00" are the
	// same event.
	day := s.Date.UTC().Add(8 * time.Hour).Format(time.DateOnly)
	h := sha256.New()
	for _, part := range []string{"signal/v1", string(s.Kind), string(s.SourceDepartment), s.IDHash, day,
		strconv.FormatInt(int64(s.AmountFen), 10), disability, strings.TrimSpace(s.ExternalRef)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "sig-" + hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// departmentSourcePrefix marks a FactSource that is a department's data.
const departmentSourcePrefix = "dept:"

// DepartmentSource is the source of a fact taken from a department's data
// signal, e.g. "dept:medical_security" for a bill settled by medical
// insurance: the file says which department a figure came from.
func DepartmentSource(d Department) FactSource { return FactSource(departmentSourcePrefix + string(d)) }

// Department returns the department of a source made by DepartmentSource.
func (s FactSource) Department() (Department, bool) {
	d, ok := strings.CutPrefix(string(s), departmentSourcePrefix)
	if !ok || !Department(d).Valid() {
		return "", false
	}
	return Department(d), true
}

// SortSignals orders signals by date, then ID, so that evaluation does not
// depend on the order a batch arrived in.
func SortSignals(signals []Signal) {
	slices.SortStableFunc(signals, func(a, b Signal) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
