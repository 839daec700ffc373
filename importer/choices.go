package importer

import (
	"slices"
	"strings"

	"lianzhu/domain"
)

// choice is one value of a closed list: the code stored and the words an
// office may write for it, the first being the one templates and exports use.
type choice struct {
	code   string
	labels []string
}

// choices is a closed list of values. A cell may hold a label or the code.
type choices struct {
	list []choice
	// index maps every folded label and code to its code.
	index map[string]string
}

func newChoices(list ...choice) choices {
	cs := choices{list: list, index: map[string]string{}}
	for _, c := range list {
		cs.index[foldText(c.code)] = c.code
		for _, l := range c.labels {
			cs.index[foldText(l)] = c.code
		}
	}
	return cs
}

// parse returns the code for a label or code, ignoring case, spaces and the
// width of brackets.
func (cs choices) parse(s string) (string, bool) {
	code, ok := cs.index[foldText(s)]
	return code, ok
}

// label returns the display label of a code, or the code itself.
func (cs choices) label(code string) string {
	for _, c := range cs.list {
		if c.code == code {
			return c.labels[0]
		}
	}
	return code
}

// names lists the display labels, for rules and drop-down lists.
func (cs choices) names() []string {
	out := make([]string, len(cs.list))
	for i, c := range cs.list {
		out[i] = c.labels[0]
	}
	return out
}

// text describes the allowed values for a layout's rule text.
func (cs choices) text() string { return strings.Join(cs.names(), "、") }

// except returns the list without the codes.
func (cs choices) except(codes ...string) choices {
	var out []choice
	for _, c := range cs.list {
		if !slices.Contains(codes, c.code) {
			out = append(out, c)
		}
	}
	return newChoices(out...)
}

// foldText makes values comparable: trimmed, lower-case ASCII, no spaces,
// ASCII brackets.
func foldText(s string) string {
	return folder.Replace(strings.ToLower(strings.TrimSpace(s)))
}

var folder = strings.NewReplacer(" ", "", "\u3000", "", "（", "(", "）", ")")

var (
	relationChoices = newChoices(
		choice{string(domain.RelationSelf), []string{"本人", "户主", "本人(户主)"}},
		choice{string(domain.RelationSpouse), []string{"配偶", "妻子", "丈夫", "夫", "妻"}},
		choice{string(domain.RelationChild), []string{"子女", "儿子", "女儿", "子", "女"}},
		choice{string(domain.RelationParent), []string{"父母", "父亲", "母亲", "父", "母"}},
		choice{string(domain.RelationGrandchild), []string{"孙子女", "孙子", "孙女", "外孙子女", "外孙", "外孙女"}},
		choice{string(domain.RelationGrandparent), []string{"祖父母", "祖父", "祖母", "外祖父母", "外祖父", "外祖母"}},
		choice{string(domain.RelationSibling), []string{"兄弟姐妹", "兄弟", "姐妹", "哥哥", "弟弟", "姐姐", "妹妹"}},
		choice{string(domain.RelationInLaw), []string{"姻亲", "儿媳", "女婿", "岳父母", "公婆"}},
		choice{string(domain.RelationOther), []string{"其他"}},
	)
	disabilityChoices = newChoices(
		choice{string(domain.DisabilityVisual), []string{"视力", "视力残疾"}},
		choice{string(domain.DisabilityHearing), []string{"听力", "听力残疾"}},
		choice{string(domain.DisabilitySpeech), []string{"言语", "言语残疾"}},
		choice{string(domain.DisabilityPhysical), []string{"肢体", "肢体残疾"}},
		choice{string(domain.DisabilityIntellectual), []string{"智力", "智力残疾"}},
		choice{string(domain.DisabilityMental), []string{"精神", "精神残疾"}},
		choice{string(domain.DisabilityMultiple), []string{"多重", "多重残疾"}},
	)
	gradeChoices = newChoices(
		choice{"1", []string{"一级", "1级", "一"}},
		choice{"2", []string{"二级", "2级", "二"}},
		choice{"3", []string{"三级", "3级", "三"}},
		choice{"4", []string{"四级", "4级", "四"}},
	)
	workAbilityChoices = newChoices(
		choice{string(domain.WorkAbilityFull), []string{"有劳动能力", "有"}},
		choice{string(domain.WorkAbilityPartial), []string{"部分丧失劳动能力", "部分丧失", "部分"}},
		choice{string(domain.WorkAbilityNone), []string{"完全丧失劳动能力", "完全丧失", "无劳动能力", "无"}},
	)
	employmentChoices = newChoices(
		choice{string(domain.EmploymentEmployed), []string{"在职", "就业"}},
		choice{string(domain.EmploymentFlexible), []string{"灵活就业"}},
		choice{string(domain.EmploymentUnemployed), []string{"失业", "待业", "失业待业"}},
		choice{string(domain.EmploymentRetired), []string{"退休"}},
		choice{string(domain.EmploymentStudent), []string{"在校学生", "学生", "在校"}},
		choice{string(domain.EmploymentNotWorking), []string{"无业", "无业不求职"}},
	)
	sourceChoices = newChoices(
		choice{string(domain.SourceSelfReported), []string{"本人申报", "申报", "自述"}},
		choice{string(domain.SourceHomeVisit), []string{"入户调查", "入户核实", "入户走访"}},
		choice{string(domain.SourceEconomicCheck), []string{"经济状况核对", "家庭经济状况核对", "核对"}},
	)
	consentMethodChoices = newChoices(
		choice{string(domain.ConsentWritten), []string{"书面", "书面签字"}},
		choice{string(domain.ConsentVerbal), []string{"口头", "口头同意"}},
		choice{string(domain.ConsentOnline), []string{"线上", "线上确认"}},
	)
	recipientChoices = newChoices(
		choice{string(domain.RecipientNGOUnit), []string{"社会组织", "社会组织和驻地单位", "驻地单位", "驻区单位"}},
		choice{string(domain.RecipientVolunteer), []string{"志愿者"}},
		choice{string(domain.RecipientEmployer), []string{"用人单位", "企业"}},
	)
	urgencyChoices = newChoices(
		choice{string(domain.UrgencyLow), []string{"可安排", "不急"}},
		choice{string(domain.UrgencyNormal), []string{"一般"}},
		choice{string(domain.UrgencyHigh), []string{"较急"}},
		choice{string(domain.UrgencyCritical), []string{"紧急", "特急"}},
	)
	channelChoices = newChoices(
		choice{string(domain.ChannelSentinel), []string{"需求哨点", "哨点"}},
		choice{string(domain.ChannelHomeVisit), []string{"入户走访", "走访"}},
		choice{string(domain.ChannelGridWorker), []string{"网格员"}},
		choice{string(domain.ChannelHotline), []string{"12345热线", "热线", "12345"}},
		choice{string(domain.ChannelLivestream), []string{"直播答疑", "直播"}},
		choice{string(domain.ChannelWarning), []string{"预警核实", "预警"}},
		choice{string(domain.ChannelSelfReport), []string{"本人申报", "申报"}},
	)
	// assistanceChoices name the statuses of a household; 特困 carries its
	// support mode in brackets.
	assistanceChoices = newChoices(
		choice{string(domain.AssistTekun) + ":" + string(domain.SupportDispersed), []string{"特困人员(分散供养)", "特困(分散供养)", "特困分散供养", "分散供养特困人员"}},
		choice{string(domain.AssistTekun) + ":" + string(domain.SupportCentralised), []string{"特困人员(集中供养)", "特困(集中供养)", "特困集中供养", "集中供养特困人员"}},
		choice{string(domain.AssistTekun), []string{"特困人员", "特困"}},
		choice{string(domain.AssistDibao), []string{"低保对象", "低保", "低保户"}},
		choice{string(domain.AssistDibaoEdge), []string{"低保边缘家庭", "低保边缘", "低边"}},
		choice{string(domain.AssistRigidExpense), []string{"刚性支出困难家庭", "刚性支出困难", "刚性支出"}},
		choice{string(domain.AssistOrphan), []string{"孤儿", "事实无人抚养儿童", "孤儿或事实无人抚养儿童"}},
		choice{string(domain.AssistTemporary), []string{"临时救助"}},
	)
	// audienceChoices are who an offering is for: the tiers, people just
	// outside every tier, or anyone in hardship.
	audienceChoices = newChoices(
		choice{string(domain.AssistTekun), []string{"特困人员", "特困"}},
		choice{string(domain.AssistDibao), []string{"低保对象", "低保"}},
		choice{string(domain.AssistDibaoEdge), []string{"低保边缘家庭", "低保边缘"}},
		choice{string(domain.AssistRigidExpense), []string{"刚性支出困难家庭", "刚性支出困难", "刚性支出"}},
		choice{string(domain.AssistOrphan), []string{"孤儿", "事实无人抚养儿童"}},
		choice{string(domain.AssistTemporary), []string{"临时救助对象", "临时救助"}},
		choice{audienceJustOutside, []string{"边缘人群", "政策边缘人群", "just_outside"}},
		choice{audienceAnyone, []string{"所有困难群众", "困难群众", "不限", "anyone"}},
	)
	periodChoices = newChoices(
		choice{string(domain.CapacityPerDay), []string{"每天", "每日", "天", "日"}},
		choice{string(domain.CapacityPerWeek), []string{"每周", "周"}},
		choice{string(domain.CapacityPerMonth), []string{"每月", "月"}},
		choice{string(domain.CapacityPerYear), []string{"每年", "年"}},
		choice{string(domain.CapacityOnce), []string{"一次性", "总量", "一次"}},
	)
	statusChoices = newChoices(
		choice{string(domain.OfferingActive), []string{"在用", "上架", "启用"}},
		choice{string(domain.OfferingPaused), []string{"暂停"}},
		choice{string(domain.OfferingClosed), []string{"关闭", "下架"}},
	)
	boolChoices = newChoices(
		choice{"true", []string{"是", "有", "y", "yes", "1", "√"}},
		choice{"false", []string{"否", "无", "n", "no", "0", "×"}},
	)
)

// Audience values that are not assistance statuses.
const (
	audienceJustOutside = "just_outside"
	audienceAnyone      = "anyone"
)
