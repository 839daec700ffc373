package matching

import (
	"slices"
	"strings"
	"time"

	"lianzhu/domain"
)

// MaxDraftNeeds is how many items DraftNeeds proposes at most: options for
// a visit, not a form to fill in.
const MaxDraftNeeds = 8

// DraftNeed is a service a household hit by data signals likely needs, for
// the visiting worker to confirm with the family: a draft, not a need.
type DraftNeed struct {
	// Item is a catalogue code; NameZh its name.
	Item   string `json:"item"`
	NameZh string `json:"name_zh"`
	// MemberID is whom it is most likely for ("" for the household).
	MemberID string `json:"member_id,omitempty"`
	// Score ranks drafts: the sum of the weights of the reasons.
	Score   int           `json:"score"`
	Reasons []DraftReason `json:"reasons"`
}

// DraftReason is why an item is proposed.
type DraftReason struct {
	TextZh string `json:"text_zh"`
	TextEn string `json:"text_en"`
}

// DraftNeeds proposes the household's likely needs from its signals (the
// kind, and the person each is about) and its facts (age, living alone,
// disability, illness, children, someone to care for): ranked by score,
// then catalogue order; only items of the catalogue; at most MaxDraftNeeds.
// Pass the household as updated by EvaluateSignals, so that the facts the
// signals brought count. A household that asked not to be contacted gets
// none: nothing is proposed for it to anyone.
func DraftNeeds(h *domain.Household, signals []domain.Signal, cat *domain.Catalogue, at time.Time) []DraftNeed {
	out := []DraftNeed{}
	if h.DoNotContact {
		return out
	}
	own, _ := ownSignals(h.ID, signals)
	d := &drafter{h: h, at: at, byItem: map[string]*draftItem{}}
	done := map[string]bool{}
	for _, s := range own {
		m := signalMember(h, s)
		key := string(s.Kind) + "/" + s.MemberID + "/" + s.IDHash
		if done[key] {
			continue // a second bill for the same person needs the same help
		}
		done[key] = true
		d.signal(s, m)
	}
	order := map[string]int{}
	for i, it := range cat.All() {
		order[it.Code] = i
	}
	for _, code := range d.items {
		it, ok := cat.Get(code)
		if !ok {
			continue
		}
		di := d.byItem[code]
		dn := DraftNeed{Item: code, NameZh: it.NameZh, Score: di.score, Reasons: di.reasons}
		if di.member >= 0 {
			dn.MemberID = h.Members[di.member].ID
		}
		out = append(out, dn)
	}
	slices.SortStableFunc(out, func(a, b DraftNeed) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return order[a.Item] - order[b.Item]
	})
	return out[:min(len(out), MaxDraftNeeds)]
}

type draftItem struct {
	score, member, best int
	reasons             []DraftReason
}

// drafter collects weighted reasons per item.
type drafter struct {
	h      *domain.Household
	at     time.Time
	items  []string // in the order first proposed
	byItem map[string]*draftItem
}

// add proposes an item for a member (-1 for the household) with a weight
// and a reason; the member of the weightiest reason is the item's.
func (d *drafter) add(item string, w, member int, zh, en string) {
	di, ok := d.byItem[item]
	if !ok {
		di = &draftItem{member: -1}
		d.byItem[item] = di
		d.items = append(d.items, item)
	}
	di.score += w
	if w > di.best {
		di.best, di.member = w, member
	}
	r := DraftReason{TextZh: zh, TextEn: en}
	if !slices.Contains(di.reasons, r) {
		di.reasons = append(di.reasons, r)
	}
}

func (d *drafter) signal(s domain.Signal, m int) {
	switch s.Kind {
	case domain.SignalLargeMedicalBill:
		d.medicalBill(m)
	case domain.SignalSeriousIllness:
		d.illness(m)
	case domain.SignalJobLoss:
		d.jobLoss(m)
	case domain.SignalNewDisability:
		dis := s.Disability
		if dis == nil && m >= 0 && d.h.Members[m].Disability != nil {
			dis = &d.h.Members[m].Disability.Value
		}
		d.disability(m, dis)
	case domain.SignalEarnerDeath:
		d.earnerDeath(m)
	case domain.SignalUtilityArrears:
		d.utilityArrears(m)
	case domain.SignalSchoolFeeHardship:
		d.schoolFees()
	}
}

// Facts about members; m < 0 (the person is not in the file) is none.

func (d *drafter) age(m int) int { return d.h.Members[m].Age(d.at) }

func (d *drafter) alone() bool {
	if la := d.h.LivingAlone; la != nil {
		return la.Value
	}
	return len(d.h.Members) == 1
}

func (d *drafter) elderly(m int) bool { return m >= 0 && d.age(m) >= 60 }

func (d *drafter) severe(m int) bool {
	return m >= 0 && d.h.Members[m].Disability != nil && d.h.Members[m].Disability.Value.Grade <= 2
}

// carer returns an adult of 18–74 other than m who may be looking after
// them, or -1.
func (d *drafter) carer(m int) int {
	for i := range d.h.Members {
		if i != m && d.age(i) >= 18 && d.age(i) < 75 {
			return i
		}
	}
	return -1
}

func (d *drafter) medicalBill(m int) {
	d.add("application_help", 5, -1, "大额医疗费用：协助申请医疗救助、临时救助", "large medical bill: help applying for medical and temporary assistance")
	d.add("medical_escort", 3, m, "治疗期间复诊、取药需要陪同", "escort to follow-up visits and the pharmacy during treatment")
	d.add("home_care", 2, m, "治疗期间需要生活照料", "care at home during treatment")
	d.add("meal_delivery", 2, m, "治疗期间做饭困难，可送餐上门", "meals delivered while cooking is hard")
	d.add("resource_linking", 2, -1, "链接慈善医疗救助等社会资源", "link charity medical aid and other resources")
	d.frail(m)
}

func (d *drafter) illness(m int) {
	d.add("medical_escort", 4, m, "确诊重特大疾病：就医陪诊", "serious illness diagnosed: escort to treatment")
	d.add("home_nursing", 3, m, "治疗期间上门护理", "nursing at home during treatment")
	d.add("application_help", 3, -1, "协助申请门诊慢特病待遇和医疗救助", "help applying for chronic-disease benefits and medical assistance")
	d.add("counselling", 2, m, "确诊后的心理疏导", "counselling after the diagnosis")
	d.frail(m)
}

// frail adds what an old, severely disabled or lone patient needs more.
func (d *drafter) frail(m int) {
	if d.elderly(m) || d.severe(m) {
		d.add("home_care", 2, m, "患者年老或重度残疾，照料需求更大", "an old or severely disabled patient needs more care")
	}
	if d.alone() {
		d.add("meal_delivery", 2, m, "独居，治疗期间无人做饭", "lives alone: nobody to cook during treatment")
		d.add("caring_visit", 2, m, "独居，需要定期探访", "lives alone: regular visits")
	}
	if c := d.carer(m); c >= 0 && m >= 0 {
		d.add("respite", 1, c, "家属长期照护，需要喘息服务", "a family carer needs respite")
	}
}

func (d *drafter) jobLoss(m int) {
	d.add("job_placement", 5, m, "失业：推荐就业岗位", "job loss: job placement")
	d.add("skills_training", 3, m, "参加就业技能培训，提高再就业能力", "skills training for re-employment")
	d.add("flexible_employment", 2, m, "过渡期可先灵活就业", "flexible work in the meantime")
	d.add("application_help", 2, -1, "协助申领失业保险金，收入下降时申请救助", "help claiming unemployment benefit and, as income falls, assistance")
	d.add("counselling", 1, m, "失业压力较大时可心理疏导", "counselling for the stress of losing a job")
	if m < 0 {
		return
	}
	if mem := d.h.Members[m]; d.age(m) >= 45 || mem.Disability != nil {
		d.add("public_welfare_job", 3, m, "45岁以上或有残疾，可申请公益性岗位托底安置", "aged 45+ or disabled: a public-welfare job as a fallback")
	}
	if skills := d.h.Members[m].Skills; len(skills) > 0 {
		d.add("flexible_employment", 1, m, "本人技能："+strings.Join(skills, "、"), "own skills: "+strings.Join(skills, ", "))
	}
}

func (d *drafter) disability(m int, dis *domain.Disability) {
	d.add("rehabilitation", 5, m, "新办残疾证：康复理疗", "new disability certificate: rehabilitation")
	d.add("assistive_device", 4, m, "适配辅具", "assistive devices")
	d.add("application_help", 3, -1, "协助申请残疾人两项补贴等", "help applying for the disability living and care subsidies")
	physical := dis != nil && (dis.Type == domain.DisabilityPhysical || dis.Type == domain.DisabilityMultiple)
	if physical || dis != nil && dis.Type == domain.DisabilityVisual || d.elderly(m) {
		d.add("age_friendly_adaptation", 3, m, "居家无障碍、适老化改造", "accessible, age-friendly home adaptation")
	}
	if physical {
		d.add("mobility", 2, m, "肢体残疾，出行需要协助", "physical disability: help getting about")
	}
	if dis != nil && dis.Grade <= 2 {
		d.add("home_care", 3, m, "一、二级重度残疾，需要生活照料", "severe disability (grade 1–2): care at home")
		if c := d.carer(m); c >= 0 {
			d.add("respite", 2, c, "家属长期照护，需要喘息服务", "a family carer needs respite")
		}
	}
	if d.alone() {
		d.add("emergency_help", 2, m, "独居残疾人需要紧急呼叫", "disabled and living alone: emergency call")
		d.add("caring_visit", 2, m, "独居，需要定期探访", "lives alone: regular visits")
	}
}

func (d *drafter) earnerDeath(m int) {
	d.add("counselling", 5, -1, "家庭主要劳动力去世：哀伤辅导、心理疏导", "death of an earner: bereavement counselling")
	d.add("application_help", 5, -1, "协助申请临时救助，收入骤减时申请低保", "help applying for temporary assistance and, with income gone, 低保")
	d.add("case_management", 3, -1, "社工个案跟进，统筹多项帮扶", "case management to coordinate help")
	d.add("resource_linking", 2, -1, "链接慈善等社会资源", "link charity and other resources")
	d.add("legal_aid", 2, -1, "遗产、保险理赔、工伤赔偿等法律事务", "legal help with inheritance, insurance and compensation")
	for i, mem := range d.h.Members {
		age := d.age(i)
		switch {
		case i == m:
		case age >= 6 && age <= 12:
			d.add("child_care", 3, i, "家中有学龄儿童，需要课后关爱", "a school-age child needs after-school care")
			d.add("tutoring", 2, i, "在校学生可获学业辅导", "tutoring for a pupil")
		case age >= 13 && age <= 17:
			d.add("tutoring", 2, i, "在校学生可获学业辅导", "tutoring for a pupil")
		case age >= 18 && age < 60 && canTakeJob(mem):
			d.add("job_placement", 3, i, "家中有劳动能力的成员，可推荐就业增加收入", "a member able to work: job placement")
		case age >= 60:
			d.add("caring_visit", 2, i, "家中老人需要探访关爱", "an elderly member needs caring visits")
		}
	}
}

// canTakeJob: able to work and not already working or studying.
func canTakeJob(m domain.Member) bool {
	able := m.WorkAbility == nil || m.WorkAbility.Value != domain.WorkAbilityNone
	busy := m.Employment != nil && (m.Employment.Value == domain.EmploymentEmployed || m.Employment.Value == domain.EmploymentStudent)
	return able && !busy
}

func (d *drafter) utilityArrears(m int) {
	d.add("application_help", 4, -1, "水电气欠费：协助申请临时救助", "utility arrears: help applying for temporary assistance")
	d.add("resource_linking", 3, -1, "链接缴费帮扶等社会资源", "link help with the bills")
	d.add("errand", 1, m, "代为缴纳水电气费", "paying the bills on their behalf")
	if d.alone() && slices.ContainsFunc(d.h.Members, func(x domain.Member) bool { return x.Age(d.at) >= 60 }) {
		d.add("caring_visit", 3, m, "独居老人欠费，需上门看看是否已停水停电", "an old person alone in arrears: check whether supply was cut")
		d.add("home_safety", 2, m, "停电停气后取暖、照明的安全隐患", "safety risks of heating and lighting after a cut")
	}
}

func (d *drafter) schoolFees() {
	d.add("application_help", 4, -1, "学费缴纳困难：协助申请教育资助、助学金", "school fee hardship: help applying for student aid")
	d.add("resource_linking", 3, -1, "链接慈善助学资源", "link charity education aid")
	for i := range d.h.Members {
		if age := d.age(i); age >= 6 && age <= 17 {
			d.add("tutoring", 2, i, "在校学生可获学业辅导", "tutoring for a pupil")
		}
	}
}
