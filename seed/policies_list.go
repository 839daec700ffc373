package seed

import "lianzhu/domain"

// The demo policy catalogue, by department. Amounts and margins are
// demonstration values; see Policies.

// Shorthands for the catalogue below.
const (
	pTekun  = domain.AssistTekun
	pDibao  = domain.AssistDibao
	pEdge   = domain.AssistDibaoEdge
	pRigid  = domain.AssistRigidExpense
	pOrphan = domain.AssistOrphan

	bCash      = domain.BenefitCash
	bService   = domain.BenefitService
	bInKind    = domain.BenefitInKind
	bSubsidy   = domain.BenefitSubsidy
	bReduction = domain.BenefitReduction

	perOnce  = domain.PeriodOnce
	perMonth = domain.PeriodMonthly
	perYear  = domain.PeriodYearly

	refAssistance = "《社会救助暂行办法》（国务院令第649号）"
	refLayered    = "《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》（国办发〔2023〕39号）"
	refTemporary  = "《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）"
	refMedical    = "《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》（国办发〔2021〕42号）"
	refTwoSubsidy = "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）"
	refStudentAid = "《学生资助资金管理办法》（财教〔2021〕310号）"
	refEmployment = "《中华人民共和国就业促进法》第五章 就业援助"
	refDisability = "《中华人民共和国残疾人保障法》"
	refElderly    = "《中华人民共和国老年人权益保障法》"
)

func civilAffairsPolicies() []domain.Policy {
	d := domain.DeptCivilAffairs
	return []domain.Policy{
		polConferring(pol("mz-tekun", d, "特困人员救助供养", "Support for people in extreme poverty (特困)",
			polParamBenefit(bCash, ParamTekun, perMonth, "按特困人员基本生活标准按月发放，另按护理等级发放照料护理补贴"),
			refAssistance+"第十四条；《特困人员认定办法》（民发〔2021〕43号）",
			crWork(domain.EveryMember, domain.WorkAbilityNone), crNoSupporter(), crIncomeOf(ParamTekun, 1.0, 1.2), crAssets(24, 30)), pTekun),
		polConferring(pol("mz-dibao", d, "最低生活保障", "Minimum living allowance (低保)",
			polParamBenefit(bCash, ParamDibao, perMonth, "按低保标准与家庭人均收入的差额按月发放"),
			refAssistance+"第九条；《最低生活保障审核确认办法》（民发〔2021〕57号）",
			crIncome(1.0, 1.5), crAssets(24, 30), crNotStatus(pTekun)), pDibao),
		polConferring(pol("mz-dibao-edge", d, "低保边缘家庭认定", "Recognition as a near-低保 (edge) household",
			polBenefit(bService, 0, "", "纳入低收入人口监测，可申请医疗、教育、住房、就业等专项救助"),
			refLayered, crIncome(1.5, 2.0), crAssets(36, 45), crNotStatus(pTekun, pDibao)), pEdge),
		polConferring(pol("mz-rigid-expense", d, "刚性支出困难家庭认定", "Recognition as a household in hardship from unavoidable costs",
			polBenefit(bService, 0, "", "纳入低收入人口监测，可申请医疗救助、临时救助等专项救助"),
			refLayered, crIncomeOf(ParamDisposableIncome, 1.0, 1.2),
			crAny(crMedical(20000, 15000), crMedicalShare(0.5, 0.4)), crNotStatus(pTekun, pDibao, pEdge)), pRigid),
		pol("mz-temporary-expense", d, "临时救助（支出型）", "Temporary assistance for sudden large expenses",
			polBenefit(bCash, 3000, perOnce, "一般为3至6个月低保标准，情况特殊的可提高"),
			refTemporary, crIncome(2.0, 2.5), crAny(crMedical(10000, 8000), crMedicalShare(0.3, 0.25))),
		pol("mz-temporary-low-income", d, "低收入家庭临时生活救助", "Temporary living assistance for low-income households",
			polBenefit(bCash, 1500, perOnce, "对因病等原因基本生活暂时困难的低收入家庭给予一次性救助"),
			refTemporary, crStatus(pTekun, pDibao, pEdge), crMedical(5000, 4000)),
		pol("mz-longevity-80", d, "高龄津贴（80至89周岁）", "Longevity allowance, aged 80–89",
			polBenefit(bCash, 100, perMonth, "按月发放高龄津贴"), refElderly+"第三十三条", crAges(80, 89, 2)),
		pol("mz-longevity-90", d, "高龄津贴（90至99周岁）", "Longevity allowance, aged 90–99",
			polBenefit(bCash, 200, perMonth, "按月发放高龄津贴"), refElderly+"第三十三条", crAges(90, 99, 1)),
		pol("mz-longevity-100", d, "百岁老人长寿补贴", "Centenarian allowance",
			polBenefit(bCash, 500, perMonth, "按月发放长寿补贴"), refElderly+"第三十三条", crAge(100, 1)),
		pol("mz-elderly-care-subsidy", d, "经济困难老年人养老服务补贴", "Care-service subsidy for elderly people in financial hardship",
			polBenefit(bService, 1200, perYear, "以服务额度形式用于助餐、助洁、助浴等居家养老服务"),
			"《关于建立健全经济困难的高龄、失能等老年人补贴制度的通知》（财社〔2014〕113号）",
			crAge(60, 2), crStatus(pDibao, pEdge)),
		pol("mz-disability-living", d, "困难残疾人生活补贴", "Living subsidy for disabled people in hardship",
			polBenefit(bCash, 100, perMonth, "按月发放，与低保金叠加"), refTwoSubsidy, crDisabled(4, 0), crStatus(pDibao, pEdge)),
		pol("mz-disability-care", d, "重度残疾人护理补贴", "Care subsidy for people with severe disabilities",
			polBenefit(bCash, 100, perMonth, "一、二级残疾人按月发放护理补贴"), refTwoSubsidy, crDisabled(2, 3)),
		pol("mz-orphan", d, "孤儿和事实无人抚养儿童基本生活保障", "Basic living support for orphans and de-facto unsupported children",
			polBenefit(bCash, 1500, perMonth, "按月发放基本生活费"), "《关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）",
			crStatus(pOrphan), crAges(0, 17, 0)),
		pol("mz-age-friendly", d, "特殊困难老年人家庭适老化改造", "Age-friendly home adaptation for elderly people in special hardship",
			polBenefit(bInKind, 3000, perOnce, "扶手、防滑、紧急呼叫等居家适老化改造"),
			"《关于加快实施老年人居家适老化改造工程的指导意见》（民发〔2020〕86号）",
			crAge(60, 0), crAny(crStatus(pTekun, pDibao, pEdge), crDisabled(2, 0))),
		pol("mz-visits", d, "独居老年人探访关爱", "Regular visits to elderly people living alone",
			polBenefit(bService, 0, "", "社区、社工站定期探访，发现需求及时转介"),
			"《关于开展特殊困难老年人探访关爱服务的指导意见》", crAlone(70, 2)),
		pol("mz-funeral", d, "基本殡葬服务费用减免", "Waiver of basic funeral service fees",
			polBenefit(bReduction, 2000, perOnce, "减免遗体接运、暂存、火化、骨灰寄存等基本殡葬服务费用"),
			"《殡葬管理条例》；惠民殡葬政策", crStatus(pTekun, pDibao, pEdge)),
		pol("mz-service-voucher", d, "服务类社会救助（服务额度）", "Service assistance (yearly service voucher)",
			polBenefit(bService, 1000, perYear, "每户每年服务额度，按40%/40%/20%分阶段用于服务目录内项目"),
			refLayered+"；服务类社会救助试点", crStatus(pTekun, pDibao, pEdge, pRigid), crAny(crAge(60, 0), crDisabled(2, 0), crIll())),
	}
}

func medicalPolicies() []domain.Policy {
	d := domain.DeptMedicalSecurity
	return []domain.Policy{
		pol("yb-premium", d, "城乡居民医保参保资助", "Subsidised resident health insurance premium",
			polBenefit(bSubsidy, 380, perYear, "特困人员全额资助，低保对象、低保边缘人员定额资助"), refMedical, crStatus(pTekun, pDibao, pEdge)),
		pol("yb-inpatient", d, "住院医疗救助", "Medical assistance for inpatient costs",
			polBenefit(bSubsidy, 60000, perYear, "政策范围内个人自付费用按比例救助，此为年度救助限额"),
			refMedical, crStatus(pTekun, pDibao, pEdge, pRigid), crMedical(3000, 2000)),
		pol("yb-tilted", d, "倾斜医疗救助（高额费用）", "Tilted medical assistance for very high costs",
			polBenefit(bSubsidy, 10000, perOnce, "经三重制度保障后个人负担仍较重的，给予倾斜救助"),
			refMedical, crIncome(2.0, 2.5), crMedicalShare(0.5, 0.4)),
		pol("yb-chronic", d, "门诊慢特病医疗救助", "Outpatient assistance for chronic and special diseases",
			polBenefit(bSubsidy, 3000, perYear, "门诊慢特病费用按比例救助，此为年度限额"), refMedical, crStatus(pTekun, pDibao, pEdge), crIll()),
		pol("yb-critical-illness", d, "大病保险倾斜支付", "Tilted critical-illness insurance payment",
			polBenefit(bReduction, 0, "", "起付线降低50%、报销比例提高5个百分点、取消封顶线"),
			refMedical, crStatus(pTekun, pDibao, pEdge), crMedical(15000, 12000)),
	}
}

func employmentPolicies() []domain.Policy {
	d := domain.DeptHumanResources
	jobless := []domain.Employment{domain.EmploymentUnemployed}
	return []domain.Policy{
		pol("rs-employment-aid", d, "就业困难人员认定与就业援助", "Employment assistance for people with difficulty finding work",
			polBenefit(bService, 0, "", "优先推荐岗位、职业指导、免费职业介绍"),
			refEmployment, crJobless(16, 59, jobless...), crAny(crStatus(pDibao, pEdge), crDisabled(4, 0), crAges(45, 59, 0))),
		pol("rs-public-job", d, "公益性岗位安置", "Placement in a public-welfare job",
			polParamBenefit(bCash, ParamMinWage, perMonth, "岗位工资不低于当地最低工资标准"),
			refEmployment+"第五十五条", crJobless(16, 59, jobless...), crStatus(pDibao, pEdge, pRigid)),
		pol("rs-flexible-insurance", d, "灵活就业人员社会保险补贴", "Social-insurance subsidy for flexible workers",
			polBenefit(bSubsidy, 300, perMonth, "就业困难人员灵活就业的，按月补贴社会保险费"),
			refEmployment, crJobless(16, 59, domain.EmploymentFlexible), crAny(crStatus(pDibao, pEdge), crDisabled(4, 0))),
		pol("rs-skills-training", d, "职业技能培训补贴", "Vocational skills training subsidy",
			polBenefit(bSubsidy, 1500, perOnce, "参加培训并取得证书的给予补贴"),
			"《关于实施职业技能提升行动“互联网+职业技能培训计划”的通知》；"+refEmployment,
			crJobless(16, 59, domain.EmploymentUnemployed, domain.EmploymentFlexible), crIncome(2.0, 2.5)),
		pol("rs-pension-contribution", d, "城乡居民养老保险困难群体代缴", "Pension contributions paid for people in hardship",
			polBenefit(bSubsidy, 200, perYear, "为困难群体代缴部分或全部最低档次养老保险费"),
			"《关于建立城乡居民基本养老保险待遇确定和基础养老金正常调整机制的指导意见》（人社部发〔2018〕21号）",
			crStatus(pTekun, pDibao, pEdge), crAges(16, 59, 0)),
	}
}

func educationPolicies() []domain.Policy {
	d := domain.DeptEducation
	return []domain.Policy{
		pol("jy-preschool", d, "学前教育幼儿资助", "Preschool aid", polBenefit(bSubsidy, 1000, perYear, "减免保育教育费或发放生活补助"),
			refStudentAid, crStudent(3, 6), crStatus(pTekun, pDibao, pEdge, pOrphan)),
		pol("jy-compulsory", d, "义务教育家庭经济困难学生生活补助", "Living allowance for pupils in compulsory education",
			polBenefit(bSubsidy, 1250, perYear, "小学每生每年1000元、初中1250元"), refStudentAid,
			crStudent(6, 15), crStatus(pTekun, pDibao, pEdge, pRigid, pOrphan)),
		pol("jy-highschool-grant", d, "普通高中国家助学金", "National grant for senior high school students",
			polBenefit(bCash, 2000, perYear, "平均每生每年2000元"), refStudentAid,
			crStudent(15, 18), crAny(crStatus(pTekun, pDibao, pEdge, pOrphan), crIncome(1.5, 2.0))),
		pol("jy-vocational-tuition", d, "中等职业教育免学费", "Tuition waiver for secondary vocational school",
			polBenefit(bReduction, 2000, perYear, "免除学费"), refStudentAid,
			crStudent(15, 19), crAny(crStatus(pTekun, pDibao, pEdge, pRigid, pOrphan), crIncome(2.0, 2.5))),
		pol("jy-college-grant", d, "高校国家助学金", "National grant for university students",
			polBenefit(bCash, 3700, perYear, "平均每生每年3700元"), refStudentAid,
			crStudent(17, 24), crAny(crStatus(pTekun, pDibao, pEdge, pOrphan), crIncome(1.5, 2.0))),
		pol("jy-student-loan", d, "生源地信用助学贷款", "Student loan from the home county",
			polBenefit(bSubsidy, 16000, perYear, "本专科生每年最高16000元，在校期间财政贴息"), refStudentAid,
			crStudent(17, 26), crIncome(2.5, 3.0)),
	}
}

func housingPolicies() []domain.Policy {
	d := domain.DeptHousing
	return []domain.Policy{
		pol("zj-public-rental", d, "公共租赁住房实物配租", "Public rental housing",
			polBenefit(bInKind, 0, "", "低收入住房困难家庭优先配租公共租赁住房"),
			"《公共租赁住房管理办法》（住房和城乡建设部令第11号）", crIncome(2.0, 2.5), crAssets(36, 45)),
		pol("zj-rent-subsidy", d, "城镇低收入住房困难家庭租赁补贴", "Rent subsidy for low-income households",
			polBenefit(bCash, 300, perMonth, "按月发放租赁补贴"), "《公共租赁住房管理办法》（住房和城乡建设部令第11号）",
			crStatus(pTekun, pDibao, pEdge)),
		pol("zj-housing-safety", d, "低收入群体住房安全保障（危房改造）", "Housing safety repairs for low-income households",
			polBenefit(bInKind, 20000, perOnce, "对鉴定为危房的住房给予改造补助"),
			"《关于做好农村低收入群体等重点对象住房安全保障工作的实施意见》（建村〔2021〕35号）",
			crStatus(pTekun, pDibao, pEdge), crPlace("610103008000")),
	}
}

func disabilityPolicies() []domain.Policy {
	d := domain.DeptDisabledFederation
	return []domain.Policy{
		pol("cl-child-rehab", d, "残疾儿童康复救助", "Rehabilitation for disabled children",
			polBenefit(bService, 20000, perYear, "0至6岁残疾儿童手术、辅具配置和康复训练"),
			"《国务院关于建立残疾儿童康复救助制度的意见》（国发〔2018〕20号）",
			domain.Criterion{Kind: domain.CriterionDisability, Grade: 4, MaxAge: 6}),
		pol("cl-assistive-devices", d, "残疾人辅助器具适配补贴", "Assistive devices for disabled people",
			polBenefit(bInKind, 2000, perOnce, "轮椅、助听器、助视器等基本型辅具免费适配"), refDisability,
			crDisabled(4, 0, domain.DisabilityPhysical, domain.DisabilityVisual, domain.DisabilityHearing), crIncome(2.0, 2.5)),
		pol("cl-barrier-free", d, "困难重度残疾人家庭无障碍改造", "Barrier-free home adaptation for severely disabled people",
			polBenefit(bInKind, 5000, perOnce, "坡道、扶手、卫浴等家庭无障碍改造"), refDisability,
			crDisabled(2, 3), crStatus(pTekun, pDibao, pEdge)),
		pol("cl-day-care", d, "重度残疾人托养照护服务", "Day and residential care for severely disabled people",
			polBenefit(bService, 600, perMonth, "日间照料或寄宿托养补贴"), refDisability,
			crDisabled(2, 0, domain.DisabilityIntellectual, domain.DisabilityMental, domain.DisabilityMultiple),
			crWork(domain.SomeMember, domain.WorkAbilityNone)),
		pol("cl-employment", d, "残疾人就业创业扶持", "Employment and business start-up support for disabled people",
			polBenefit(bSubsidy, 3000, perOnce, "自主创业、灵活就业的残疾人给予一次性扶持"), refDisability+"第四章",
			crDisabled(4, 0), crJobless(16, 59, domain.EmploymentUnemployed, domain.EmploymentFlexible)),
	}
}

func healthPolicies() []domain.Policy {
	d := domain.DeptHealth
	return []domain.Policy{
		pol("wj-family-doctor", d, "重点人群家庭医生签约服务", "Family-doctor contract for priority groups",
			polBenefit(bService, 0, "", "签约家庭医生，提供健康管理、上门随访"),
			"《关于推进家庭医生签约服务的指导意见》（国医改办发〔2016〕1号）",
			crAny(crAge(65, 0), crDisabled(4, 0), crIll(), crStatus(pTekun, pDibao))),
		pol("wj-elderly-checkup", d, "老年人健康管理（免费体检）", "Free yearly health check for people aged 65+",
			polBenefit(bService, 0, "", "每年一次免费健康体检和健康指导"), "《国家基本公共卫生服务规范（第三版）》", crAge(65, 1)),
		pol("wj-mental-health", d, "严重精神障碍患者免费基本服药", "Free basic medication for people with severe mental disorders",
			polBenefit(bSubsidy, 200, perMonth, "免费提供基本抗精神病药物"), "《中华人民共和国精神卫生法》",
			crDisabled(4, 0, domain.DisabilityMental)),
	}
}

func unionPolicies() []domain.Policy {
	d := domain.DeptTradeUnion
	workers := []domain.Employment{domain.EmploymentEmployed, domain.EmploymentFlexible}
	return []domain.Policy{
		pol("gh-hardship", d, "困难职工帮扶", "Support for workers in hardship",
			polBenefit(bCash, 3000, perYear, "生活救助、医疗救助和子女助学"), "《中华全国总工会关于加强和改进困难职工帮扶工作的意见》",
			crWorking(workers...), crAny(crIncome(1.0, 1.3), crAll(crIncome(1.5, 1.8), crMedical(10000, 8000)))),
		pol("gh-jinqiu", d, "金秋助学", "Autumn scholarship for children of workers in hardship",
			polBenefit(bCash, 3000, perOnce, "困难职工子女考入高校的一次性助学金"), "中华全国总工会“金秋助学”活动",
			crWorking(workers...), crStudent(17, 24), crIncome(1.5, 2.0)),
		pol("gh-warmth", d, "送温暖慰问", "Holiday relief for workers in hardship",
			polBenefit(bInKind, 800, perYear, "元旦春节慰问金和慰问品"), "中华全国总工会“两节”送温暖活动",
			crWorking(domain.EmploymentEmployed, domain.EmploymentFlexible, domain.EmploymentRetired),
			crAny(crStatus(pDibao, pEdge, pRigid), crIll())),
	}
}

func massOrganisationPolicies() []domain.Policy {
	return []domain.Policy{
		pol("fl-children-care", domain.DeptWomensFederation, "困境儿童关爱服务", "Care for children in difficult circumstances",
			polBenefit(bService, 0, "", "儿童之家关爱、心理疏导、家庭教育指导"), "《国务院关于加强困境儿童保障工作的意见》（国发〔2016〕36号）",
			crAges(0, 16, 0), crStatus(pTekun, pDibao, pEdge, pOrphan)),
		pol("fl-homemaking", domain.DeptWomensFederation, "巾帼家政技能培训", "Domestic-service skills training (women first)",
			polBenefit(bService, 0, "", "免费家政技能培训并推荐就业"), "妇联“巾帼家政”培训项目",
			crJobless(18, 55, domain.EmploymentUnemployed, domain.EmploymentNotWorking), crIncome(2.0, 2.5)),
		pol("tw-hope", domain.DeptYouthLeague, "希望工程圆梦助学", "Hope Project university scholarship",
			polBenefit(bCash, 5000, perOnce, "考入高校的困难学生一次性助学金"), "共青团“希望工程”",
			crStudent(17, 22), crAny(crStatus(pTekun, pDibao, pEdge, pOrphan), crIncome(1.5, 2.0))),
		pol("tw-tutoring", domain.DeptYouthLeague, "青少年学业辅导志愿服务", "Volunteer tutoring for schoolchildren",
			polBenefit(bService, 0, "", "大学生志愿者假期及周末学业辅导"), "共青团“七彩假期”志愿服务",
			crStudent(6, 15), crStatus(pTekun, pDibao, pEdge, pRigid, pOrphan)),
		pol("sf-legal-aid", domain.DeptJustice, "法律援助", "Legal aid",
			polBenefit(bService, 0, "", "免费法律咨询、代理和刑事辩护"), "《中华人民共和国法律援助法》第三十四条、第四十二条",
			crAny(crStatus(pTekun, pDibao, pEdge), crIncome(2.0, 2.5))),
		pol("sf-notary-waiver", domain.DeptJustice, "公证费用减免", "Notary fee waiver",
			polBenefit(bReduction, 0, "", "对经济困难当事人减免公证费"), "《中华人民共和国公证法》第三十四条",
			crStatus(pTekun, pDibao, pEdge)),
	}
}

func otherPolicies() []domain.Policy {
	return []domain.Policy{
		pol("xc-relapse-monitoring", domain.DeptRuralRevitalization, "防止返贫动态监测帮扶", "Monitoring and support against relapse into poverty",
			polBenefit(bService, 0, "", "纳入监测对象，落实针对性帮扶措施"), "《关于完善防止返贫动态监测和帮扶机制的指导意见》",
			crIncomeOf(ParamMonitoringLine, 1.0, 1.5), crNotStatus(pTekun, pDibao)),
		pol("sw-medical-deduction", domain.DeptTaxation, "个人所得税大病医疗专项附加扣除", "Income-tax deduction for serious medical costs",
			polBenefit(bReduction, 80000, perYear, "医保目录内自付超过15000元的部分，每年在80000元限额内据实扣除"),
			"《个人所得税专项附加扣除暂行办法》（国发〔2018〕41号）", crMedical(15000, 12000), crWorking(domain.EmploymentEmployed, domain.EmploymentFlexible)),
		pol("sw-disability-tax", domain.DeptTaxation, "残疾人个人所得税减征", "Income-tax reduction for disabled people",
			polBenefit(bReduction, 0, "", "残疾人所得按规定减征个人所得税"), "《中华人民共和国个人所得税法》第五条",
			crDisabled(4, 0), crWorking(domain.EmploymentEmployed, domain.EmploymentFlexible)),
		pol("hsz-medical", domain.DeptRedCross, "红十字博爱助医", "Red Cross medical aid",
			polBenefit(bCash, 5000, perOnce, "大病患者一次性救助金"), "《中华人民共和国红十字会法》",
			crIll(), crMedical(30000, 20000), crIncome(2.0, 2.5)),
		pol("hsz-warmth", domain.DeptRedCross, "红十字博爱送万家", "Red Cross holiday relief",
			polBenefit(bInKind, 500, perYear, "春节慰问金和生活物资"), "《中华人民共和国红十字会法》", crStatus(pTekun, pDibao, pEdge, pRigid)),
		pol("cs-medical", domain.DeptCharityFederation, "慈善医疗救助（低收入边缘群体）", "Charity medical aid for people just outside assistance",
			polBenefit(bCash, 5000, perOnce, "对未纳入低保、特困的高额医疗费用家庭给予慈善救助"), "《中华人民共和国慈善法》",
			crIncome(2.5, 3.0), crMedicalShare(0.4, 0.3), crNotStatus(pTekun, pDibao)),
		pol("cs-education", domain.DeptCharityFederation, "慈善助学", "Charity education aid",
			polBenefit(bCash, 2000, perYear, "困难家庭在校学生助学金"), "《中华人民共和国慈善法》", crStudent(6, 22), crIncome(2.0, 2.5)),
	}
}
