package seed

import (
	"fmt"
	"strings"

	"lianzhu/domain"
)

// The words of the demo district. Everything is invented: people's names are
// common surnames and given names typical of their generation; organisation
// names are built from auspicious words that name no real organisation in the
// district. Need wording is how residents talk to a sentinel or a grid worker,
// several ways per catalogue item, so that search and matching meet the
// variety of real speech rather than catalogue names.

// demoText holds the lists one generation run draws from. It is built per
// run so that nothing is shared between runs.
type demoText struct {
	surnames       []string
	given          [3][2][]string // [young, mid, old][male, female]
	mobilePrefixes []string
	needs          map[string]demoWording
	ownTails       []string
	contactTails   []string
	preferredTimes []string
	illnesses      []string
	warningItems   []string                // items a data warning (bills, job loss, a death) typically leads to
	disabilities   []domain.DisabilityType // weighted: physical disability is the most common
	memberSkills   []string
	orgWords       []string
	ngoKinds       []demoOrgKind
	unitKinds      []demoOrgKind
	trades         []demoOrgKind
	volunteerSkill []demoVolunteerSkill
	titleForms     []string
	schedules      map[domain.CapacityPeriod][]string
}

// demoWording is what residents say about one item, and the neutral phrases
// a provider may read instead.
type demoWording struct {
	own     []string
	neutral []string
}

// demoOrgKind is a kind of organisation: how it is named, what it offers and
// which jobs it posts. authority and category are the first two characters
// of its unified social credit code (GB 32100).
type demoOrgKind struct {
	weight              int
	names               []string // templates with one %s for an org word
	items               []string
	jobs                []demoJob
	authority, category byte
}

// demoJob is an opening suited to recipients: light or flexible work, often
// with training, at wages around the minimum wage.
type demoJob struct {
	title, kind      string
	physical         domain.PhysicalDemand
	hours            int
	skills           string // "|"-separated
	training         string
	wageMin, wageMax int64 // yuan per month
	item             string
}

// demoVolunteerSkill links a skill in a volunteer's words to the task-like
// items it serves.
type demoVolunteerSkill struct {
	skill string
	items []string
}

// demoSplit splits "|"-separated phrases: long lists stay one line each, and
// an empty phrase (no tail) survives where it is listed between separators.
func demoSplit(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

func newDemoText() *demoText {
	t := &demoText{
		surnames:       strings.Split("王王王王李李李李张张张张刘刘刘陈陈陈杨杨赵赵黄周周吴徐孙胡朱高林何郭马马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文", ""),
		mobilePrefixes: strings.Fields("130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 158 159 177 180 181 182 183 185 186 187 188 189 199"),
		ownTails:       demoSplit("|||谢谢了。|麻烦社区帮忙问问。|不知道能不能办。|最好周末来。|上午家里有人。|下午三点以后在家。|@孩子不在身边，只能靠社区了。|@不想给孩子添麻烦。|~最好晚上联系。"),
		contactTails:   demoSplit("有事打我电话%s。|@可以找我女儿，电话%s。|@我儿子电话%s，白天能接。|联系我侄子也行，%s。"),
		preferredTimes: demoSplit("工作日上午|工作日下午|周末|每周二、四上午|每天中午|尽快|晚上六点以后|时间灵活|上午九点到十一点|提前一天电话预约"),
		illnesses:      demoSplit("尿毒症，每周透析三次|肺癌术后化疗|白血病治疗中|脑梗后遗症|冠心病支架术后|乳腺癌术后|重度抑郁|肝硬化|糖尿病并发症|类风湿关节炎|帕金森病|慢阻肺，长期吸氧"),
		warningItems:   demoSplit("medical_escort|home_nursing|home_care|application_help|resource_linking|case_management|counselling|emergency_help|caring_visit|job_placement"),
		memberSkills:   demoSplit("会做饭|会缝纫|会开车|会用电脑|做过保洁|带过孩子|会编织|会理发|做过餐饮|会电焊|做过仓库管理|会照顾老人|懂水电维修|会刺绣|做过收银|会剪纸|做过快递|会种花草"),
		orgWords:       strings.Fields("仁爱 同心 乐龄 康乐 善行 暖阳 知行 阳光 晨曦 恒爱 和睦 益家 邻里 书香 长乐 安康 德馨 惠民 启航 乐群 睦邻 朝阳 春晖 博爱 慈航 向善 馨怡 福寿 安心 明德 益众 心桥 携手 众合 同行 聚力 亲和 乐善 和顺 青松 立德 怡康 红烛 暖心 夕阳红 金秋 银龄 众诚"),
		titleForms:     demoSplit("%s服务|社区%s|%s公益项目|%s（上门服务）|爱心%s|困难群众%s|邻里%s计划"),
	}
	t.given = [3][2][]string{
		{strings.Fields("子轩 浩然 宇航 梓豪 俊熙 一鸣 博文 思远 睿 子墨 铭泽 天佑 嘉乐 宇轩 皓宇 奕辰 明哲 子豪"),
			strings.Fields("梓涵 欣怡 诗琪 雨桐 可欣 若汐 语嫣 佳怡 一诺 紫萱 思彤 梦瑶 静怡 悦 安琪 子萱 芷若 沐晴")},
		{strings.Fields("伟 强 磊 军 勇 涛 斌 海涛 建军 红军 小龙 志刚 鹏 浩 亮 超 俊峰 晓东 海波 文博 永刚 宏伟 少华 家豪"),
			strings.Fields("丽 芳 娟 静 艳 红梅 丽娟 晓燕 海燕 春梅 婷 敏 雪梅 秀娟 亚楠 晓莉 倩 慧 丽萍 玲 彩云 美玲 晓霞 丹")},
		{strings.Fields("建国 国强 志明 德胜 福海 长林 玉田 保山 振华 卫东 永发 树林 文斌 明亮 宝生 金贵 守仁 春生 忠义 满仓 铁柱 新民 跃进 庆祥"),
			strings.Fields("秀英 桂兰 玉兰 凤英 淑珍 秀兰 桂英 素芳 翠花 玉梅 金凤 秀珍 桂芳 淑华 玉珍 丽华 春兰 菊英 素琴 彩霞 玉凤 月娥 改花 冬梅")},
	}
	t.disabilities = []domain.DisabilityType{domain.DisabilityPhysical, domain.DisabilityPhysical, domain.DisabilityPhysical,
		domain.DisabilityVisual, domain.DisabilityHearing, domain.DisabilitySpeech, domain.DisabilityIntellectual,
		domain.DisabilityMental, domain.DisabilityMultiple}
	t.needs = demoNeedWording()
	t.schedules = map[domain.CapacityPeriod][]string{
		domain.CapacityPerDay:   demoSplit("每天11:00–13:00供餐|每天中午送餐上门|工作日11:30–12:30|每天上午九点至下午五点"),
		domain.CapacityPerWeek:  demoSplit("每周二、四上午9:00–11:30|每周六全天，需提前预约|每周一至周五，预约上门|每周三下午"),
		domain.CapacityPerMonth: demoSplit("每月第一个周六上午|每月两次，提前三天预约|工作日9:00–17:00，预约制|每月中旬集中开课"),
		domain.CapacityPerYear:  demoSplit("全年预约，随报随办|每季度集中服务一次|寒暑假集中开展"),
		domain.CapacityOnce:     demoSplit("名额用完即止|集中安装，预约上门|春节前集中发放"),
	}
	t.volunteerSkill = []demoVolunteerSkill{
		{"理发", []string{"haircut"}}, {"陪诊", []string{"medical_escort", "mobility"}},
		{"辅导作业", []string{"tutoring", "child_care"}}, {"手机教学", []string{"digital_skills"}},
		{"家电维修", []string{"repair", "home_safety"}}, {"陪伴聊天", []string{"companionship", "caring_visit"}},
		{"代购跑腿", []string{"errand", "meal_delivery"}}, {"打扫卫生", []string{"cleaning", "laundry"}},
		{"驾驶", []string{"mobility", "medical_escort"}}, {"节日慰问", []string{"holiday_visit", "caring_visit"}},
		{"安装烟感", []string{"home_safety"}}, {"急救证", []string{"caring_visit", "mobility"}},
		{"读报讲故事", []string{"companionship", "child_care"}}, {"送餐", []string{"meal_delivery"}},
	}
	t.ngoKinds, t.unitKinds, t.trades = demoNGOKinds(), demoUnitKinds(), demoTrades()
	return t
}

// demoNeedWording returns, per catalogue item, residents' words and neutral
// phrases. Own words may later get a name or phone number appended; neutral
// phrases never hold either.
func demoNeedWording() map[string]demoWording {
	w := func(own, neutral string) demoWording {
		return demoWording{own: demoSplit(own), neutral: demoSplit(neutral)}
	}
	return map[string]demoWording{
		"meal":          w("老伴走了以后自己不会做饭，天天泡方便面|腿脚不好，买菜做饭都困难，想在社区食堂吃口热饭|一个人做饭不值当，想订个午饭|牙口不好，想吃点软和的热饭菜", "希望每天提供午餐，饭菜软烂易嚼|本人做饭困难，需要助餐服务"),
		"meal_delivery": w("下楼不方便，饭能不能给送到家里|楼层高没电梯，去不了食堂，想让人把饭送上来|住院回来走不了路，想要送餐上门", "行动不便，需要每天送餐上门|住无电梯楼房高层，需送餐到家"),
		"bathing":       w("腿脚不便，洗澡很困难|一个人不敢在家洗澡，怕摔倒|@老伴瘫在床上，我一个人给他擦不动身子|好久没好好洗个澡了，想请人上门帮忙", "需要上门助浴，约每周一次|独自洗浴有跌倒风险，需要助浴服务"),
		"cleaning":      w("年纪大了弯不下腰，屋子好久没打扫了|眼睛看不清，家里脏了也不知道|想请人每周来收拾一下屋子", "需要定期上门打扫卫生|居室卫生较差，需要助洁服务"),
		"deep_cleaning": w("家里堆了好多旧东西，想找人来彻底清理一下|厨房油污太厚了，自己清不动|快过年了，想给家里做个大扫除", "需要全屋深度清洁一次|居室杂物较多，需要清理"),
		"laundry":       w("被子好几年没拆洗了，自己拿不动|手没劲，洗衣机也不会用，衣服攒了一堆|想找人帮忙洗洗床单被罩", "需要帮助拆洗被褥和衣物|需要定期助洗服务"),
		"haircut":       w("出不了门，头发长了没人剪|想有人上门给理个发、刮刮胡子|@老伴卧床，头发好久没剪了", "行动不便，需要上门理发|需要上门理发和修剪指甲"),
		"medical_escort": w("@每个月要去医院复查，孩子在外地没人陪|看病挂号排队搞不懂，想有人陪我去医院|下周要做检查，一个人去害怕|取药要跑好几趟，想找人帮忙代取",
			"需要陪同就医，每月约一次|需要陪诊和代为取药"),
		"health_check":     w("血压老是高，想有人定期来给量一量|有糖尿病，想请家庭医生上门测测血糖|药太多记不住什么时候吃", "需要定期上门测量血压血糖|需要慢病随访和用药提醒"),
		"mobility":         w("腿脚不好，下不了楼，想出去晒晒太阳|坐轮椅出不了门，想有人推我出去转转|住六楼没电梯，一年下不了几次楼", "行动不便，需要陪同出行|需要协助上下楼和推轮椅外出"),
		"emergency_help":   w("一个人住，晚上犯病了都没人知道|上回摔倒了在地上躺了半天，想装个一键呼叫|@儿女不在身边，怕有个急事找不到人", "独居，需要紧急呼叫设备和应急联络|需要助急服务，夜间有应急需求"),
		"rehabilitation":   w("中风以后右边胳膊腿不灵活，想做康复|腰腿疼得厉害，想做做理疗|做完手术医生让康复锻炼，自己不会练", "需要上门康复训练|需要康复理疗服务，每周两次左右"),
		"assistive_device": w("想借个轮椅，出门方便些|耳朵背了，听不清别人说话，想配个助听器|起夜不方便，想要个坐便椅|@家里老人卧床，想租一张护理床", "需要适配辅具（轮椅、助行器等）|需要辅具租赁或适配评估"),
		"home_care":        w("@老伴瘫痪在床，我一个人照顾不过来|@自己年纪大了，穿衣吃饭都要人帮|想请人每天来几个小时帮忙照顾", "需要居家生活照料，每天数小时|生活不能完全自理，需要居家照护"),
		"home_nursing":     w("身上有褥疮，需要有人上门换药|每天要打胰岛素，自己手抖打不了|出院带着导尿管，想请护士上门护理", "需要上门护理（换药等）|需要专业人员上门护理"),
		"respite":          w("@照顾瘫痪的老伴好几年了，实在太累了，想歇几天|#孩子是重度残疾，我想有人替我看几天去看病|家里离不开人，想找地方临时托养几天", "家庭照护者需要喘息服务|需要短期托养或替代照护"),
		"errand":           w("想有人帮忙买买菜|水电费不会在手机上交，想找人帮忙|腿脚不好，想请人帮忙跑腿办点事", "需要代购代办服务|需要协助买菜和缴纳水电费"),
		"repair":           w("厨房水管漏水好几天了|灯坏了，自己够不着换|下水道堵了，找人修太贵", "需要上门维修（水电、门锁等）|家中设施损坏，需要维修"),
		"holiday_visit":    w("@过年孩子回不来，冷冷清清的|逢年过节就盼着有人来看看|中秋节一个人过，心里不是滋味", "节日期间希望有人上门慰问|需要节庆走访慰问"),
		"caring_visit":     w("一个人住，希望社区常来看看我|@儿女都在外地，想有人隔三岔五来敲敲门|身体不好，怕哪天出事没人知道", "独居，希望定期上门探访|需要定期探访关爱"),
		"companionship":    w("@老伴走了以后一个人在家，想有人陪着说说话|整天一个人，闷得慌，想有人来聊聊天|@眼睛不好看不了报纸，想有人给读读报", "独居，希望有人定期陪伴聊天|需要精神慰藉和陪伴"),
		"counselling":      w("#孩子生病以后我整夜睡不着，心里特别难受|~下岗以后心里憋屈，老想不开|最近情绪很差，不知道跟谁说", "情绪压力较大，需要心理疏导|需要心理支持服务"),
		"legal_aid":        w("~在工地干活的工钱一直没给，想找律师|@儿子不给赡养费，想问问怎么办|被人骗了钱，不知道怎么维权", "需要法律咨询和援助|涉及欠薪或家庭纠纷，需要法律帮助"),
		"home_safety":      w("一个人在家做饭老忘关火，想装个烟感报警器|家里电线老化了，怕着火|煤气灶有点漏气，心里不踏实", "独居，需要安装烟感、燃气报警器|需要居家用电用气安全检查"),
		"age_friendly_adaptation": w("卫生间太滑，摔过两次了，想装个扶手|家里门槛高，轮椅过不去|想把浴缸改成淋浴，进出太费劲",
			"需要适老化改造（扶手、防滑等）|需要卫生间无障碍改造评估"),
		"family_mediation":      w("@跟儿媳妇关系处不好，天天吵|@子女谁都不管我，想有人帮着说和说和|#家里老吵架，孩子都受影响", "存在家庭矛盾，需要调解|需要家庭关系调适"),
		"child_care":            w("我要上班，孩子放学没人接|家里就我一个大人，带孩子顾不过来|孩子放学后没人管，天天在外面跑", "儿童放学后无人看护，需要关爱服务|困境儿童需要课后看护"),
		"skills_training":       w("想学门手艺，以后好找活干|以前在厂里干，现在想学点新技术|听说能免费培训考证，我想报名", "希望参加职业技能培训|有培训意愿，希望提升就业技能"),
		"housekeeping_training": w("想学家政手艺找份工作|想学月嫂，听说收入不错|以前照顾过老人，想考个养老护理员证", "希望参加家政服务技能培训|有意从事家政或养老护理工作"),
		"handicraft_training":   w("家里离不开人，想学点手工在家做着挣点钱|会点缝纫，想学刺绣编织|腿不方便出去上班，想学个能坐着干的手艺", "希望学习手工技艺，居家就业|需要手工技艺培训"),
		"tutoring":              w("孩子数学跟不上，我们也不会辅导|孩子马上中考了，请不起家教|作业没人管，成绩一直往下掉", "学生需要课业辅导|需要作业辅导，每周两到三次"),
		"digital_skills":        w("@智能手机不会用，想学会跟孙子视频|现在看病都要网上挂号，我不会弄|不会扫码，出门买东西都难", "希望学习使用智能手机|需要数字技能辅导（挂号、支付、视频通话）"),
		"parenting_guidance":    w("孩子正在青春期，说什么都不听|孩子不想上学了，我不知道咋办|想学学怎么跟孩子沟通", "需要家庭教育指导|亲子沟通困难，需要指导"),
		"entrepreneurship":      w("~想在小区门口摆个摊卖早点|想开个小店，不知道从哪开始|听说有创业贷款，想问问", "有创业意向，需要指导|需要小微创业和贷款政策指导"),
		"resource_linking":      w("家里实在困难，看能不能有人帮一把|冬天了，想要床厚棉被|#孩子上网课缺台电脑", "需要链接社会捐赠资源|生活物资短缺，需要资源链接"),
		"application_help":      w("听说有低保，不知道自己能不能申请|表太多了看不懂，想找人帮着填|家里有病人花了很多钱，能申请啥补助", "需要救助政策咨询和申请帮办|需要协助了解和申请救助"),
		"case_management":       w("#家里事太多了，看病、孩子上学、没工作，一团乱麻|想有个社工一直帮我们家|好几样难处凑一块了，不知道先办哪个", "家庭存在多重困难，需要个案跟进|需要社工个案管理"),
		"flexible_employment":   w("想找个能兼顾家里的零工|一天能干几个小时，想找点钟点工|身体不好干不了重活，想找点计件活", "希望灵活就业，每天工作数小时|需要时间灵活的工作"),
		"job_placement":         w("下岗好几年了，想找个稳定工作|想找工作，保洁、保安都行|#孩子大了，想出去上班补贴家用", "有就业意愿，需要岗位推荐|希望推荐全职岗位"),
		"public_welfare_job":    w("年纪大了不好找工作，想申请个公益岗|听说社区有保洁岗位，我能去不|身体有残疾，别的活干不了，想找个社区的活", "希望安排公益性岗位|就业困难，需要托底安置"),
	}
}

func demoNGOKinds() []demoOrgKind {
	return []demoOrgKind{
		{weight: 30, authority: '5', category: '2', names: demoSplit("碑林区%s社会工作服务中心|西安市碑林区%s社会工作服务站"),
			items: demoSplit("case_management|counselling|caring_visit|companionship|family_mediation|application_help|resource_linking|child_care")},
		{weight: 25, authority: '5', category: '2', names: demoSplit("碑林区%s养老服务中心|碑林区%s为老服务中心|碑林区%s居家养老服务中心"),
			items: demoSplit("meal|meal_delivery|bathing|home_care|respite|caring_visit|haircut|health_check|emergency_help")},
		{weight: 10, authority: '5', category: '2', names: demoSplit("碑林区%s残疾人康复服务中心|碑林区%s助残服务中心"),
			items: demoSplit("rehabilitation|assistive_device|mobility|respite|home_care")},
		{weight: 8, authority: '5', category: '2', names: demoSplit("碑林区%s儿童发展服务中心|碑林区%s青少年服务中心"),
			items: demoSplit("child_care|tutoring|parenting_guidance|counselling")},
		{weight: 10, authority: '5', category: '1', names: demoSplit("碑林区%s志愿服务协会|碑林区%s邻里互助会"),
			items: demoSplit("caring_visit|companionship|haircut|errand|holiday_visit|home_safety|digital_skills")},
		{weight: 4, authority: '5', category: '2', names: demoSplit("碑林区%s法律援助服务中心|碑林区%s人民调解服务中心"),
			items: demoSplit("legal_aid|family_mediation")},
		{weight: 7, authority: '5', category: '2', names: demoSplit("碑林区%s职业技能培训学校|碑林区%s职业培训中心"),
			items: demoSplit("skills_training|housekeeping_training|handicraft_training|digital_skills|entrepreneurship")},
		{weight: 3, authority: '5', category: '2', names: demoSplit("碑林区%s心理健康服务中心"),
			items: demoSplit("counselling|companionship|family_mediation")},
		{weight: 3, authority: '5', category: '3', names: demoSplit("西安市%s公益基金会|碑林区%s公益慈善服务中心"),
			items: demoSplit("resource_linking|holiday_visit|age_friendly_adaptation|assistive_device")},
	}
}

func demoUnitKinds() []demoOrgKind {
	welfareJobs := []demoJob{
		{"社区公益性岗位（环境保洁）", "公益性岗位", domain.PhysicalLight, 30, "", "", 2160, 2160, "public_welfare_job"},
		{"社区公益性岗位（治安巡查）", "公益性岗位", domain.PhysicalLight, 30, "", "岗前安全培训", 2160, 2160, "public_welfare_job"},
		{"社区公益性岗位（助老服务）", "公益性岗位", domain.PhysicalLight, 30, "会照顾老人", "岗前培训两天", 2160, 2300, "public_welfare_job"},
	}
	return []demoOrgKind{
		{weight: 30, authority: '1', category: '2', names: demoSplit("碑林区%s小学|西安市%s中学|碑林区%s实验学校"),
			items: demoSplit("tutoring|digital_skills|child_care|holiday_visit")},
		{weight: 15, authority: '1', category: '2', names: demoSplit("碑林区%s社区卫生服务站|西安%s医院|西安%s康复医院"),
			items: demoSplit("health_check|medical_escort|rehabilitation|home_nursing|counselling")},
		{weight: 25, authority: '1', category: '2', names: demoSplit("陕西省%s研究院|西安市%s管理中心|陕西%s设计研究院"),
			items: demoSplit("holiday_visit|resource_linking|skills_training|legal_aid|tutoring|caring_visit"), jobs: welfareJobs},
		{weight: 18, authority: '9', category: '1', names: demoSplit("陕西%s建设集团有限公司|西安%s供水有限公司|陕西%s能源有限公司|西安%s公交有限公司"),
			items: demoSplit("repair|home_safety|holiday_visit|resource_linking|age_friendly_adaptation"), jobs: welfareJobs},
		{weight: 12, authority: '1', category: '2', names: demoSplit("西安%s学院|陕西%s职业技术学院"),
			items: demoSplit("tutoring|counselling|digital_skills|legal_aid|skills_training")},
	}
}

func demoTrades() []demoOrgKind {
	const (
		sed, light, med, heavy = domain.PhysicalSedentary, domain.PhysicalLight, domain.PhysicalMedium, domain.PhysicalHeavy
		flex, place            = "flexible_employment", "job_placement"
	)
	cleaner := demoJob{"小区保洁员", "保洁", light, 40, "", "岗前培训一天", 2160, 2600, place}
	return []demoOrgKind{
		{weight: 20, authority: '9', category: '1', names: demoSplit("西安%s家政服务有限公司|碑林区%s家政服务部"),
			items: demoSplit("cleaning|deep_cleaning|laundry|home_care|housekeeping_training"),
			jobs: []demoJob{{"家政服务员（钟点工）", "家政服务", med, 20, "会做饭|做过保洁", "岗前免费培训三天", 2400, 4000, flex}, cleaner,
				{"育婴员", "家政服务", med, 48, "带过孩子", "提供育婴员培训并考证", 4000, 6500, place}}},
		{weight: 15, authority: '9', category: '1', names: demoSplit("西安%s养老服务有限公司|陕西%s健康养老产业有限公司"),
			items: demoSplit("meal|meal_delivery|bathing|home_care|home_nursing|respite|emergency_help"),
			jobs: []demoJob{{"养老护理员", "养老护理", med, 44, "会照顾老人", "提供养老护理员培训", 3200, 4500, place},
				{"助餐配送员（午间）", "配送", light, 15, "", "", 1200, 1800, flex}}},
		{weight: 12, authority: '9', category: '1', names: demoSplit("西安%s餐饮管理有限公司|碑林区%s快餐店"),
			items: demoSplit("meal|meal_delivery"),
			jobs: []demoJob{{"社区食堂帮厨", "餐饮", med, 40, "会做饭", "", 2400, 3000, place},
				{"面点工", "餐饮", light, 40, "", "师傅带教", 2600, 3500, place}, {"送餐员（兼职）", "配送", med, 20, "", "", 1500, 2500, flex}}},
		{weight: 12, authority: '9', category: '1', names: demoSplit("西安%s物业服务有限公司|陕西%s物业管理有限公司"),
			items: demoSplit("repair|cleaning|home_safety"),
			jobs: []demoJob{cleaner, {"小区门岗值守员", "安保", light, 48, "", "", 2300, 2800, place},
				{"绿化养护工", "绿化", med, 40, "会种花草", "", 2200, 2700, place}}},
		{weight: 8, authority: '9', category: '1', names: demoSplit("西安%s健康管理有限公司|西安%s康复器具有限公司"),
			items: demoSplit("rehabilitation|health_check|assistive_device|home_nursing"),
			jobs:  []demoJob{{"康复助理", "康复护理", light, 40, "", "提供康复技能培训", 2800, 3600, place}}},
		{weight: 8, authority: '9', category: '1', names: demoSplit("西安%s文化创意有限公司|西安%s手工艺品有限公司"),
			items: demoSplit("handicraft_training"),
			jobs: []demoJob{{"手工编织（居家计件）", "手工", sed, 15, "会编织", "免费教学，提供材料", 800, 2000, flex},
				{"串珠饰品加工（居家计件）", "手工", sed, 12, "", "免费教学", 600, 1500, flex},
				{"刺绣工", "手工", sed, 30, "会刺绣", "非遗传承人授课", 1800, 3000, flex}}},
		{weight: 6, authority: '9', category: '2', names: demoSplit("碑林区%s理发店|西安%s美发工作室"),
			items: demoSplit("haircut"), jobs: []demoJob{{"理发助理", "美发", light, 40, "", "学徒制带教", 2200, 3000, place}}},
		{weight: 7, authority: '9', category: '1', names: demoSplit("西安%s家居维修服务有限公司|西安%s建筑装饰工程有限公司"),
			items: demoSplit("repair|age_friendly_adaptation|home_safety"),
			jobs:  []demoJob{{"家居维修学徒", "维修", med, 40, "懂水电维修", "师傅带教三个月", 2400, 3500, place}}},
		{weight: 6, authority: '9', category: '1', names: demoSplit("西安%s商贸有限公司|西安%s便利店连锁有限公司|西安%s物流有限公司"),
			items: demoSplit("errand|meal_delivery"),
			jobs: []demoJob{{"超市理货员", "零售", med, 40, "", "", 2300, 2900, place}, {"快递分拣员（夜班）", "物流", heavy, 40, "", "", 3000, 4200, place},
				{"收银员", "零售", light, 40, "做过收银", "", 2300, 2800, place}}},
		{weight: 4, authority: '9', category: '1', names: demoSplit("西安%s洗涤服务有限公司|西安%s服饰有限公司"),
			items: demoSplit("laundry"),
			jobs:  []demoJob{{"缝纫工", "服装加工", sed, 40, "会缝纫", "", 2600, 3800, place}, {"洗涤工", "洗衣", med, 40, "", "", 2300, 2800, place}}},
		{weight: 2, authority: '9', category: '1', names: demoSplit("西安%s信息技术有限公司|西安%s电子商务有限公司"),
			items: demoSplit("digital_skills"),
			jobs: []demoJob{{"电话回访员（居家）", "客服", sed, 20, "会用电脑", "线上培训一周", 1500, 2500, flex},
				{"网店客服", "客服", sed, 40, "会用电脑", "", 2800, 3800, place}}},
	}
}

// mobile returns an 11-digit mobile number with a real carrier prefix.
func (g *demoGen) mobile() string {
	return demoPick(g, g.text.mobilePrefixes) + fmt.Sprintf("%08d", g.intn(100_000_000))
}

// personName returns a surname plus a given name fitting the generation.
func (g *demoGen) personName(age int, gender domain.Gender) string {
	return demoPick(g, g.text.surnames) + g.givenName(age, gender)
}

func (g *demoGen) givenName(age int, gender domain.Gender) string {
	gen := 0
	switch {
	case age >= 60:
		gen = 2
	case age >= 25:
		gen = 1
	}
	sex := 0
	if gender == domain.GenderFemale {
		sex = 1
	}
	return demoPick(g, g.text.given[gen][sex])
}

func (g *demoGen) gender() domain.Gender {
	if g.chance(0.5) {
		return domain.GenderMale
	}
	return domain.GenderFemale
}

// describe says who needs help in words a provider may see: an age band, a
// gender and how they live, never a name, number or diagnosis, followed by
// the item's neutral phrase (which may already say "独居" or "行动不便").
func (g *demoGen) describe(h *domain.Household, m domain.Member, phrase string) string {
	age := m.Age(g.now)
	tens := []string{"", "十", "二十", "三十", "四十", "五十", "六十", "七十", "八十", "九十", "一百"}
	sex := "男性"
	if m.Gender == domain.GenderFemale {
		sex = "女性"
	}
	var who string
	switch {
	case age < 6:
		who = "学龄前儿童"
	case age < 12:
		who = "小学生"
	case age < 15:
		who = "初中生"
	case age < 18:
		who = "高中生"
	case age < 20:
		who = "不满二十岁" + sex
	case age >= 60:
		who = tens[min(age/10, 10)] + "多岁" + sex + "老人"
	default:
		who = tens[age/10] + "多岁" + sex
	}
	if h.LivingAlone != nil && h.LivingAlone.Value && !strings.Contains(phrase, "独居") {
		who += "，独居"
	}
	d := m.Disability
	if (d != nil && d.Value.Type == domain.DisabilityPhysical || age >= 80) && !strings.Contains(phrase, "行动不便") {
		who += "，行动不便"
	}
	return who + "，" + phrase
}

// say picks one of the phrases that fits the speaker. A phrase may be tagged:
// "@" only for people aged 60 or more, "~" only for those younger, "#" only
// in a household with a child; untagged phrases fit anyone.
func (g *demoGen) say(phrases []string, age int, kids bool) string {
	fits := func(p string) bool {
		switch {
		case strings.HasPrefix(p, "@"):
			return age >= 60
		case strings.HasPrefix(p, "~"):
			return age < 60
		case strings.HasPrefix(p, "#"):
			return kids
		}
		return true
	}
	n := 0
	for _, p := range phrases {
		if fits(p) {
			n++
		}
	}
	k := g.intn(max(n, 1))
	for _, p := range phrases {
		if fits(p) {
			if k == 0 {
				return strings.TrimLeft(p, "@~#")
			}
			k--
		}
	}
	return strings.TrimLeft(phrases[0], "@~#") // nothing fits: the item's first phrase
}
