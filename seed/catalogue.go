package seed

import "lianzhu/domain"

// Catalogue returns the district's service catalogue (服务目录): 40 items in
// the four tiers of DOMAIN.md. Unit prices are demonstration values in fen,
// in the range districts publish for voucher settlement; a real district
// loads its own. Synonyms are the words residents and sentinels actually use,
// so that "洗不了澡" or "看病没人陪" finds the item. Each call builds a fresh
// value: nothing here is shared or mutable.
func Catalogue() *domain.Catalogue {
	items := catalogueItems()
	index := make(map[string]int, len(items))
	for i, it := range items {
		index[it.Code] = i
	}
	// Relations are listed once as pairs and applied both ways, so the
	// catalogue is symmetric by construction.
	for _, pair := range catalogueRelations() {
		a, b := index[pair[0]], index[pair[1]]
		items[a].Related = append(items[a].Related, pair[1])
		items[b].Related = append(items[b].Related, pair[0])
	}
	return domain.NewCatalogue(items)
}

// volunteerTask marks items that volunteers can do as tasks.
const volunteerTask = true

func catItem(code, zh, en string, tier domain.Tier, price domain.Fen, unit string, task bool, synonyms ...string) domain.CatalogueItem {
	return domain.CatalogueItem{Code: code, NameZh: zh, NameEn: en, Tier: tier, UnitPriceFen: price, Unit: unit,
		TaskLike: task, Synonyms: synonyms, Related: []string{}}
}

func catalogueItems() []domain.CatalogueItem {
	const (
		basic  = domain.TierBasic
		relief = domain.TierRelief
		dev    = domain.TierDevelopment
		qual   = domain.TierQuality
	)
	y := domain.Yuan
	items := []domain.CatalogueItem{
		// 保基本: daily living.
		catItem("meal", "助餐", "Meal service", basic, y(15), "餐", false,
			"吃饭", "做饭", "做不了饭", "没人做饭", "吃不上热饭", "老年食堂", "社区食堂", "长者饭堂", "助餐点", "午饭", "饭菜", "订餐", "做不动饭", "吃口热饭"),
		catItem("meal_delivery", "送餐上门", "Meal delivery", basic, y(5), "次", volunteerTask,
			"送饭", "送餐", "把饭送到家", "下不了楼吃饭", "上门送餐", "外卖送饭"),
		catItem("bathing", "助浴", "Bathing assistance", basic, y(80), "次", false,
			"洗澡", "洗不了澡", "没法洗澡", "帮忙洗澡", "擦身", "擦澡", "上门助浴", "洗头", "个人卫生"),
		catItem("cleaning", "助洁", "Home cleaning", basic, y(40), "小时", volunteerTask,
			"打扫卫生", "搞卫生", "扫地拖地", "收拾屋子", "家里太脏", "保洁", "家政", "擦玻璃"),
		catItem("deep_cleaning", "全屋清洁", "Deep cleaning", basic, y(200), "次", false,
			"大扫除", "全屋打扫", "清理杂物", "屋里堆满东西", "油烟机清洗", "深度保洁", "开荒保洁"),
		catItem("laundry", "助洗", "Laundry", basic, y(30), "次", volunteerTask,
			"洗衣服", "洗被子", "拆洗被褥", "洗床单", "衣服没人洗", "晾晒被褥"),
		catItem("haircut", "上门理发", "Haircut at home", basic, y(20), "次", volunteerTask,
			"理发", "剪头发", "剃头", "头发长了", "出不了门理发", "刮胡子", "修剪指甲"),
		catItem("medical_escort", "陪诊", "Medical escort", basic, y(100), "次", volunteerTask,
			"看病没人陪", "陪同就医", "陪我去医院", "挂号", "排队取药", "代为取药", "复查没人陪", "住院陪护"),
		catItem("health_check", "助医", "Health monitoring", basic, y(30), "次", false,
			"量血压", "测血糖", "体检", "健康检查", "家庭医生", "上门看病", "吃药提醒", "慢病管理"),
		catItem("mobility", "助行", "Mobility assistance", basic, y(40), "小时", volunteerTask,
			"出门不方便", "下不了楼", "推轮椅", "陪同出行", "腿脚不好", "走不动路", "接送", "爬楼"),
		catItem("emergency_help", "助急", "Emergency help", basic, y(30), "月", false,
			"一键呼叫", "紧急呼叫", "摔倒了没人知道", "出事没人管", "应急", "夜里有急事", "紧急救援", "智能手环", "定位手环", "防走失"),
		catItem("rehabilitation", "康复理疗", "Rehabilitation and physiotherapy", basic, y(100), "次", false,
			"康复", "理疗", "按摩", "推拿", "针灸", "中风后康复", "腰腿疼", "康复训练", "功能锻炼"),
		catItem("assistive_device", "辅具适配", "Assistive devices", basic, y(50), "月", false,
			"轮椅", "助行器", "拐杖", "助听器", "护理床", "坐便椅", "假肢", "辅具租赁", "老花镜", "配眼镜"),
		catItem("home_care", "居家照护", "Home care", basic, y(45), "小时", false,
			"生活照料", "没人照顾", "护工", "保姆", "瘫痪在床", "失能老人", "卧床", "照顾老人", "居家养老"),
		catItem("home_nursing", "上门护理", "Home nursing", basic, y(80), "次", false,
			"换药", "打针", "输液", "压疮", "褥疮护理", "导尿", "鼻饲", "伤口护理"),
		catItem("respite", "喘息服务", "Respite care", basic, y(200), "天", false,
			"照顾家人太累", "替我照顾几天", "临时托养", "短期托管", "家属需要休息", "日间照料", "临时照护", "照顾太累", "喘口气", "想歇几天"),
		catItem("errand", "代购代办", "Errands", basic, y(20), "次", volunteerTask,
			"买菜", "买东西", "代买", "缴费", "交水电费", "跑腿", "办事", "充话费"),
		catItem("repair", "家电维修", "Household repairs", basic, y(50), "次", volunteerTask,
			"修东西", "水管漏水", "灯坏了", "换灯泡", "修电视", "下水道堵了", "修门锁", "维修", "漏水", "暖气不热"),
		// 去困扰: relieving distress.
		catItem("holiday_visit", "节庆慰问", "Holiday visits", relief, y(100), "次", volunteerTask,
			"过年慰问", "春节看望", "中秋送月饼", "送温暖", "慰问品", "节日走访", "重阳节"),
		catItem("caring_visit", "探访关爱", "Caring visits", relief, y(30), "次", volunteerTask,
			"上门看看", "常来看看我", "独居老人探访", "定期探望", "巡访", "关爱走访", "敲门行动"),
		catItem("counselling", "心理疏导", "Counselling", relief, y(150), "次", false,
			"心理咨询", "心里难受", "想不开", "抑郁", "焦虑", "睡不着觉", "心情不好", "压力大", "情绪"),
		catItem("companionship", "精神慰藉", "Companionship", relief, y(30), "小时", volunteerTask,
			"陪我说说话", "聊天", "没人说话", "孤单", "寂寞", "一个人闷得慌", "陪伴", "读报"),
		catItem("legal_aid", "法律援助", "Legal aid", relief, y(200), "次", false,
			"打官司", "法律咨询", "找律师", "欠薪", "讨薪", "赡养纠纷", "遗产纠纷", "维权", "被骗", "起诉"),
		catItem("home_safety", "居家安全", "Home safety", relief, y(150), "套", volunteerTask,
			"烟感报警器", "烟雾报警", "燃气报警器", "煤气泄漏", "防火", "用电安全", "独居安全", "安全检查"),
		catItem("age_friendly_adaptation", "适老化改造", "Age-friendly home adaptation", relief, y(3000), "户", false,
			"扶手", "防滑", "卫生间改造", "浴室扶手", "无障碍改造", "地面防滑", "坡道", "家里改造"),
		catItem("family_mediation", "家庭关系调适", "Family mediation", relief, y(100), "次", false,
			"家庭矛盾", "吵架", "婆媳关系", "子女不管", "不赡养", "调解", "家暴", "不给生活费"),
		catItem("child_care", "困境儿童关爱", "Care for children in difficulty", relief, y(50), "次", volunteerTask,
			"留守儿童", "孩子没人管", "放学没人接", "看孩子", "四点半课堂", "儿童关爱", "课后托管"),
		// 促发展: development.
		catItem("skills_training", "就业技能培训", "Job skills training", dev, y(50), "课时", false,
			"学手艺", "学技术", "职业培训", "技能培训", "考证", "想学一门手艺", "技能提升"),
		catItem("housekeeping_training", "家政服务技能培训", "Domestic service training", dev, y(50), "课时", false,
			"学家政", "想学家政手艺", "育婴师", "月嫂培训", "养老护理员", "保洁培训", "做家政"),
		catItem("handicraft_training", "手工技艺培训", "Handicraft training", dev, y(40), "课时", false,
			"手工", "编织", "刺绣", "剪纸", "缝纫", "在家做手工挣钱", "非遗手艺", "串珠"),
		catItem("tutoring", "学业辅导", "Tutoring", dev, y(50), "小时", volunteerTask,
			"辅导作业", "补课", "孩子学习跟不上", "写作业", "功课辅导", "家教", "学习辅导"),
		catItem("digital_skills", "数字技能", "Digital skills", dev, y(30), "课时", volunteerTask,
			"用手机", "智能手机", "学用微信", "视频通话", "手机支付", "扫码", "网上挂号", "防诈骗"),
		catItem("parenting_guidance", "家庭教育指导", "Parenting guidance", dev, y(80), "次", false,
			"教育孩子", "孩子不听话", "亲子关系", "青春期", "孩子厌学", "家长课堂"),
		catItem("entrepreneurship", "创业指导", "Entrepreneurship guidance", dev, y(100), "次", false,
			"创业", "开店", "摆摊", "小本生意", "创业贷款", "做点小买卖"),
		// 增质效: linking resources and jobs.
		catItem("resource_linking", "资源链接", "Resource linking", qual, 0, "次", false,
			"找资源", "求助", "捐赠", "慈善", "物资", "帮我问问", "申请帮扶", "爱心企业"),
		catItem("application_help", "救助申请帮办", "Help with applications", qual, 0, "次", false,
			"申请低保", "办低保", "申请救助", "政策咨询", "帮办代办", "填表", "怎么申请", "临时救助", "低保停了", "办残疾证"),
		catItem("case_management", "个案管理", "Case management", qual, y(200), "月", false,
			"个案", "社工跟进", "长期跟进", "多种困难", "综合帮扶", "一对一帮扶"),
		catItem("flexible_employment", "灵活就业", "Flexible employment", qual, 0, "次", false,
			"零工", "打零工", "兼职", "钟点工", "在家干活", "计件活", "临时工", "灵活用工"),
		catItem("job_placement", "就业推荐", "Job placement", qual, 0, "次", false,
			"找工作", "找活干", "介绍工作", "上班", "就业", "招聘", "求职", "没工作", "失业"),
		catItem("public_welfare_job", "公益性岗位", "Public-welfare jobs", qual, 0, "次", false,
			"公益岗", "社区岗位", "保洁员岗位", "安置就业", "托底安置", "护林员"),
	}
	for i := range items {
		switch items[i].Code {
		case "flexible_employment", "job_placement", "public_welfare_job":
			items[i].Employment = true
		}
	}
	return items
}

// catalogueRelations pairs items that can serve the same need; matching
// looks at offerings of related items when the exact item has none.
func catalogueRelations() [][2]string {
	return [][2]string{
		{"meal", "meal_delivery"}, {"meal", "home_care"}, {"meal_delivery", "home_care"}, {"meal_delivery", "errand"},
		{"bathing", "home_care"}, {"bathing", "haircut"},
		{"cleaning", "deep_cleaning"}, {"cleaning", "laundry"}, {"cleaning", "home_care"},
		{"medical_escort", "mobility"}, {"medical_escort", "health_check"},
		{"health_check", "home_nursing"}, {"rehabilitation", "assistive_device"}, {"rehabilitation", "home_nursing"},
		{"home_care", "respite"}, {"home_care", "home_nursing"},
		{"emergency_help", "home_safety"}, {"home_safety", "age_friendly_adaptation"},
		{"assistive_device", "age_friendly_adaptation"}, {"mobility", "assistive_device"}, {"repair", "home_safety"},
		{"caring_visit", "companionship"}, {"caring_visit", "holiday_visit"}, {"companionship", "counselling"},
		{"counselling", "family_mediation"}, {"family_mediation", "legal_aid"}, {"child_care", "tutoring"},
		{"child_care", "parenting_guidance"},
		{"skills_training", "housekeeping_training"}, {"skills_training", "handicraft_training"},
		{"skills_training", "digital_skills"}, {"skills_training", "job_placement"},
		{"housekeeping_training", "flexible_employment"}, {"handicraft_training", "flexible_employment"},
		{"entrepreneurship", "flexible_employment"},
		{"flexible_employment", "job_placement"}, {"job_placement", "public_welfare_job"},
		{"resource_linking", "case_management"}, {"application_help", "resource_linking"},
		{"application_help", "case_management"},
	}
}
