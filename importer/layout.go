package importer

import (
	"fmt"
	"strings"

	"lianzhu/domain"
)

// Level says where in a households file a column's value belongs.
type Level string

// Levels of the households layout; the offerings layout has one row per
// offering and no levels.
const (
	// LevelHousehold columns describe the household: the first non-blank
	// value among its rows counts, and a different non-blank value on a later
	// row is an error.
	LevelHousehold Level = "household"
	// LevelMember columns describe the person of the row; a person repeated
	// on a later row of the same household (to list another need) may leave
	// them blank.
	LevelMember Level = "member"
	// LevelNeed columns describe one need of the row's person, optional.
	LevelNeed Level = "need"
)

// Column is one column of a documented layout.
type Column struct {
	// Header is the Chinese header as the file must carry it; a trailing
	// "*" (templates mark required columns so) is ignored when reading.
	Header   string `json:"header"`
	Key      string `json:"key"`
	Required bool   `json:"required"`
	Level    Level  `json:"level,omitempty"`
	// Rule says what the cell may hold.
	Rule    string `json:"rule"`
	Example string `json:"example,omitempty"`
	// aliases are other headers offices use for the column.
	aliases []string
	// pick, when set, is the closed list a single-valued cell draws from;
	// templates offer it as a drop-down.
	pick choices
	// text marks columns whose digits must stay text in Excel (ID numbers,
	// codes, phone numbers), which templates format as text.
	text bool
}

// Layout returns the documented columns of a kind, in template order.
func Layout(kind Kind) []Column {
	var src []Column
	switch kind {
	case Households:
		src = householdColumns
	case Offerings:
		src = offeringColumns
	case Signals:
		src = signalColumns
	}
	return append([]Column(nil), src...)
}

// ignoredHeaders are columns offices add that carry nothing to import.
var ignoredHeaders = []string{"序号", "备注", "编号"}

// foldHeader makes headers comparable: no spaces, no required mark, ASCII
// brackets.
func foldHeader(s string) string {
	return strings.Trim(foldText(s), "*＊")
}

// headerMap maps the file's columns to the layout's: out[i] is the layout
// index of file column i, or -1 for an ignored column. Problems (an unknown
// or repeated column, a missing required one) are reported on row 1.
func headerMap(cols []Column, header []string, errs *errorList) []int {
	index := map[string]int{}
	for i, c := range cols {
		index[foldHeader(c.Header)] = i
		for _, a := range c.aliases {
			index[foldHeader(a)] = i
		}
	}
	out := make([]int, len(header))
	seen := make([]int, len(cols)) // file column + 1 where each layout column was found
	for i, h := range header {
		out[i] = -1
		f := foldHeader(h)
		if f == "" {
			continue // a blank header over an empty column
		}
		k, ok := index[f]
		switch {
		case !ok && containsFold(ignoredHeaders, f):
		case !ok:
			errs.add(1, strings.TrimSpace(h), fmt.Sprintf("未知列“%s”：请使用模板中的列名 / unknown column", strings.TrimSpace(h)))
		case seen[k] > 0:
			errs.add(1, cols[k].Header, fmt.Sprintf("列“%s”重复（第%s列与第%s列）/ duplicate column", cols[k].Header, columnName(seen[k]-1), columnName(i)))
		default:
			seen[k] = i + 1
			out[i] = k
		}
	}
	for k, c := range cols {
		if c.Required && seen[k] == 0 {
			errs.add(1, c.Header, fmt.Sprintf("缺少必填列“%s” / missing required column", c.Header))
		}
	}
	return out
}

func containsFold(list []string, folded string) bool {
	for _, s := range list {
		if foldHeader(s) == folded {
			return true
		}
	}
	return false
}

// columnName returns the spreadsheet letter of a 0-based column (A, …, Z,
// AA, …).
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

// Column keys of the households layout.
const (
	hRef           = "household_ref"
	hPlace         = "place"
	hAddress       = "address"
	hAssistance    = "assistance"
	hDecidedOn     = "decided_on"
	hDecisionRef   = "decision_ref"
	hIncome        = "monthly_income"
	hAssets        = "assets"
	hMedical       = "medical_out_of_pocket_12m"
	hLivingAlone   = "living_alone"
	hSupporters    = "supporters"
	hFactSource    = "fact_source"
	hFactDate      = "fact_date"
	hDoNotContact  = "do_not_contact"
	hConsentMethod = "consent_method"
	hConsentDate   = "consent_date"
	mName          = "name"
	mIDNumber      = "id_number"
	mRelation      = "relation"
	mPhone         = "phone"
	mDisability    = "disability_type"
	mGrade         = "disability_grade"
	mIllness       = "serious_illness"
	mIllnessNote   = "illness_note"
	mWorkAbility   = "work_ability"
	mEmployment    = "employment"
	mSkills        = "skills"
	mConsents      = "consents"
	nItem          = "item"
	nOwnWords      = "own_words"
	nNeutral       = "neutral_note"
	nUrgency       = "urgency"
	nPreferredTime = "preferred_time"
	nChannel       = "channel"
)

const listRule = "多个值用顿号、分号或逗号分隔"

var householdColumns = []Column{
	{Header: "户编号", Key: hRef, Required: true, Level: LevelHousehold, Example: "1", text: true,
		Rule: "本文件内区分各户的编号（如1、2、3），同一户的成员各占一行、户编号相同；仅用于本文件，不会存入系统"},
	{Header: "区划代码", Key: hPlace, Required: true, Level: LevelHousehold, Example: "610103002001001", text: true,
		aliases: []string{"统计用区划代码", "小区代码", "社区代码"},
		Rule:    "住户所在社区（12位）或小区院落（15位）的统计用区划代码，须为系统中已有区划且在本人管辖范围内"},
	{Header: "地址", Key: hAddress, Required: true, Level: LevelHousehold, Example: "柏树林街道柏树林社区锦绣家属院3号楼2单元402",
		aliases: []string{"家庭住址", "详细地址"}, Rule: "详细住址，不超过200字；仅协调员可见"},
	{Header: "救助类别", Key: hAssistance, Level: LevelHousehold, Example: "低保对象",
		Rule: "可填：" + assistanceChoices.except(string(domain.AssistTekun)).text() + "；" + listRule + "；特困人员须注明集中供养或分散供养；特困、低保、低保边缘、刚性支出困难只能有一项；无救助类别留空"},
	{Header: "认定日期", Key: hDecidedOn, Level: LevelHousehold, Example: "2023-06-15",
		Rule: "各救助类别的认定日期，顺序与救助类别一致，或只填一个日期（适用于全部类别）；格式 2023-06-15；填写救助类别时必填"},
	{Header: "认定文号", Key: hDecisionRef, Level: LevelHousehold, Example: "碑民救〔2023〕105号",
		Rule: "可选；各救助类别的认定文号，顺序与救助类别一致"},
	{Header: "月总收入(元)", Key: hIncome, Level: LevelHousehold, Example: "1200", aliases: []string{"家庭月收入(元)", "月收入(元)", "月总收入"},
		Rule: "家庭月总收入（不含赡养费），单位元，最多两位小数；不清楚请留空（留空表示未登记，不是0）"},
	{Header: "家庭资产(元)", Key: hAssets, Level: LevelHousehold, Example: "8000", aliases: []string{"家庭资产"},
		Rule: "家庭金融资产合计，单位元，最多两位小数；可留空"},
	{Header: "近12个月医疗自付(元)", Key: hMedical, Level: LevelHousehold, Example: "3500", aliases: []string{"医疗自付(元)", "近12个月医疗自付费用(元)"},
		Rule: "近12个月医保报销后个人自付的医疗费用，单位元；可留空"},
	{Header: "是否独居", Key: hLivingAlone, Level: LevelHousehold, Example: "是", pick: boolChoices,
		Rule: "是 或 否；独居家庭只能有一名成员；可留空"},
	{Header: "赡养义务人", Key: hSupporters, Level: LevelHousehold, Example: "王强/子女/无能力/0",
		Rule: "在外居住的赡养（抚养、扶养）义务人，每人写作 姓名/关系/有能力或无能力/每月实际给付赡养费（元），多人用分号分隔；核实没有义务人填“无”；未了解留空"},
	{Header: "信息来源", Key: hFactSource, Level: LevelHousehold, Example: "入户调查", pick: sourceChoices,
		Rule: "收入、资产、医疗费用、独居、义务人及成员残疾、疾病、劳动能力、就业等信息的来源：" + sourceChoices.text() + "；留空按本人申报"},
	{Header: "信息日期", Key: hFactDate, Level: LevelHousehold, Example: "2024-03-01",
		Rule: "上述信息的核实或登记日期，格式 2024-03-01，不能晚于今天；填写任一上述信息时必填"},
	{Header: "不愿被联系", Key: hDoNotContact, Level: LevelHousehold, Example: "否", pick: boolChoices,
		Rule: "住户明确要求不被联系时填“是”，系统将不向任何服务方推荐该户；留空为否"},
	{Header: "授权方式", Key: hConsentMethod, Level: LevelHousehold, Example: "书面", pick: consentMethodChoices,
		Rule: "成员同意共享信息的方式：" + consentMethodChoices.text() + "；填写同意共享对象时必填"},
	{Header: "授权日期", Key: hConsentDate, Level: LevelHousehold, Example: "2024-03-01",
		Rule: "成员同意共享信息的日期，格式 2024-03-01；填写同意共享对象时必填"},
	{Header: "姓名", Key: mName, Required: true, Level: LevelMember, Example: "王秀兰", Rule: "成员姓名，不超过50字"},
	{Header: "身份证号", Key: mIDNumber, Required: true, Level: LevelMember, Example: exampleIDNumber(), text: true,
		aliases: []string{"身份证号码", "公民身份号码", "证件号码"},
		Rule:    "18位居民身份证号，末位校验码须正确（X大写小写均可）；请将该列设为文本格式，以免Excel改成科学计数法；同一人在文件中只能属于一户，再次出现在同户的行中仅用于登记另一项需求"},
	{Header: "与户主关系", Key: mRelation, Required: true, Level: LevelMember, Example: "本人", pick: relationChoices,
		Rule: "可填：" + relationChoices.text() + "；每户有且仅有一名户主（本人）"},
	{Header: "手机号", Key: mPhone, Level: LevelMember, Example: "13800000000", text: true, aliases: []string{"联系电话", "手机号码"},
		Rule: "11位大陆手机号；可留空"},
	{Header: "残疾类别", Key: mDisability, Level: LevelMember, Example: "", pick: disabilityChoices,
		Rule: "持残疾证者填写：" + disabilityChoices.text() + "；无残疾留空"},
	{Header: "残疾等级", Key: mGrade, Level: LevelMember, Example: "", pick: gradeChoices,
		Rule: "一级至四级（1–4，一级最重）；填写残疾类别时必填"},
	{Header: "患重大疾病", Key: mIllness, Level: LevelMember, Example: "否", pick: boolChoices, aliases: []string{"重大疾病"},
		Rule: "是 或 否；未了解留空"},
	{Header: "疾病说明", Key: mIllnessNote, Level: LevelMember, Example: "", Rule: "可选，不超过200字"},
	{Header: "劳动能力", Key: mWorkAbility, Level: LevelMember, Example: "完全丧失劳动能力", pick: workAbilityChoices,
		Rule: "可填：" + workAbilityChoices.text() + "；未评估留空"},
	{Header: "就业状况", Key: mEmployment, Level: LevelMember, Example: "退休", pick: employmentChoices,
		Rule: "可填：" + employmentChoices.text() + "；可留空"},
	{Header: "技能", Key: mSkills, Level: LevelMember, Example: "会缝纫",
		Rule: "成员自述的技能，如“会做饭”；" + listRule + "；用人单位可见"},
	{Header: "同意共享对象", Key: mConsents, Level: LevelMember, Example: "社会组织、志愿者",
		Rule: "成员同意向哪些服务方提供信息：" + recipientChoices.text() + "，或“全部”；" + listRule + "；不满14周岁的成员由户主作为监护人同意；未同意留空"},
	{Header: "服务项目代码", Key: nItem, Level: LevelNeed, Example: "meal", aliases: []string{"服务项目", "需求项目"},
		Rule: "该成员需要的服务：服务目录中的项目代码（如 meal）或名称（如 助餐）；每行一项需求，同一人多项需求请另起一行并重复户编号和身份证号；无需求留空"},
	{Header: "需求原话", Key: nOwnWords, Level: LevelNeed, Example: "腿脚不好，做不了饭，想在社区食堂吃午饭",
		Rule: "住户的原话，可含姓名电话，仅协调员可见；不超过1000字"},
	{Header: "需求说明", Key: nNeutral, Level: LevelNeed, Example: "独居老人行动不便，需要午餐",
		Rule: "提供给服务方的中性描述，不得含姓名、手机号、身份证号；不超过300字；填写服务项目时必填"},
	{Header: "紧急程度", Key: nUrgency, Level: LevelNeed, Example: "一般", pick: urgencyChoices,
		Rule: "可填：" + urgencyChoices.text() + "；留空按一般"},
	{Header: "期望时间", Key: nPreferredTime, Level: LevelNeed, Example: "工作日中午", Rule: "可选，不超过100字"},
	{Header: "需求来源", Key: nChannel, Level: LevelNeed, Example: "入户走访", pick: channelChoices.except(string(domain.ChannelWarning)),
		Rule: "可填：" + channelChoices.except(string(domain.ChannelWarning)).text() + "；留空按入户走访（预警核实的需求请在系统中由预警登记）"},
}

// Column keys of the offerings layout.
const (
	oCreditCode     = "credit_code"
	oItem           = "item"
	oTitle          = "title"
	oDescription    = "description"
	oAudience       = "audience"
	oMinAge         = "min_age"
	oMaxAge         = "max_age"
	oDisabilityOnly = "disability_only"
	oDisabilityType = "disability_types"
	oAudiencePlaces = "audience_places"
	oCapacity       = "capacity"
	oPeriod         = "period"
	oPrice          = "price"
	oVoucher        = "voucher"
	oSchedule       = "schedule"
	oArea           = "area"
	oStatus         = "status"
	oValidFrom      = "valid_from"
	oValidTo        = "valid_to"
)

var offeringColumns = []Column{
	{Header: "服务方统一社会信用代码", Key: oCreditCode, Required: true, Example: exampleCreditCode(), text: true,
		aliases: []string{"统一社会信用代码", "信用代码"},
		Rule:    "18位统一社会信用代码，校验位须正确；服务方须已在系统中登记（个人志愿者不适用）"},
	{Header: "服务项目代码", Key: oItem, Required: true, Example: "meal", aliases: []string{"服务项目"},
		Rule: "服务目录中的项目代码（如 meal）或名称（如 助餐）"},
	{Header: "服务名称", Key: oTitle, Required: true, Example: "社区长者食堂助餐", aliases: []string{"标题", "服务标题"},
		Rule: "不超过100字；同一服务方同一项目的服务名称不能重复"},
	{Header: "服务描述", Key: oDescription, Example: "每日午餐一荤两素，行动不便者可送餐上门", aliases: []string{"描述"},
		Rule: "可选，不超过2000字"},
	{Header: "服务对象", Key: oAudience, Required: true, Example: "特困人员、低保对象、边缘人群",
		Rule: "可填：" + audienceChoices.text() + "；" + listRule + "；边缘人群指略高于救助标准、未获认定的困难群众"},
	{Header: "最小年龄", Key: oMinAge, Example: "60", Rule: "可选，0–120的整数"},
	{Header: "最大年龄", Key: oMaxAge, Example: "", Rule: "可选，0–120的整数，不小于最小年龄"},
	{Header: "仅限残疾人", Key: oDisabilityOnly, Example: "否", pick: boolChoices, Rule: "是 或 否；留空为否"},
	{Header: "残疾类别", Key: oDisabilityType, Example: "",
		Rule: "仅限残疾人时可限定类别：" + disabilityChoices.text() + "；" + listRule},
	{Header: "限定区划", Key: oAudiencePlaces, Example: "", text: true,
		Rule: "可选；只服务这些区划的住户，填区划代码，" + listRule},
	{Header: "服务容量", Key: oCapacity, Required: true, Example: "40", aliases: []string{"容量"},
		Rule: "每个容量周期可服务的人次，1–100000的整数"},
	{Header: "容量周期", Key: oPeriod, Required: true, Example: "每天", pick: periodChoices,
		Rule: "可填：" + periodChoices.text() + "（一次性指固定数量、不再补充）"},
	{Header: "个人支付单价(元)", Key: oPrice, Example: "5", aliases: []string{"单价(元)", "价格(元)"},
		Rule: "住户每次自付金额，单位元，最多两位小数；免费填0或留空"},
	{Header: "服务券抵扣(元)", Key: oVoucher, Example: "10", aliases: []string{"服务券抵扣"},
		Rule: "每次可用服务券抵扣的金额，单位元，不高于服务目录单价；不接受服务券填0或留空"},
	{Header: "服务时间", Key: oSchedule, Example: "每天11:00–13:00", Rule: "可选，不超过200字"},
	{Header: "服务范围", Key: oArea, Example: "610103002000", text: true,
		Rule: "服务覆盖的区划代码（街道覆盖其下全部社区），" + listRule + "；留空沿用服务方登记的服务范围"},
	{Header: "状态", Key: oStatus, Example: "在用", pick: statusChoices, Rule: "可填：" + statusChoices.text() + "；留空为在用"},
	{Header: "有效期开始", Key: oValidFrom, Example: "2024-01-01", Rule: "格式 2024-01-01；留空为导入当天"},
	{Header: "有效期结束", Key: oValidTo, Example: "", Rule: "格式 2024-12-31，不早于开始日期；长期有效留空"},
}

// columnIndex maps each key of a layout to its position.
func columnIndex(cols []Column) map[string]int {
	out := make(map[string]int, len(cols))
	for i, c := range cols {
		out[c.Key] = i
	}
	return out
}
