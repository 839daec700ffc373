package importer

// Building and checking the households of a file: cells into domain values,
// domain validation mapped back to rows and columns.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"lianzhu/domain"
)

// hv returns a household-level value and the row it came from.
func (p *householdParser) hv(g *group, key string) (string, int, int) {
	i := p.idx[key]
	return g.vals.val[i], g.vals.rowOf(i, g.first), i
}

// mv returns a member-level value and the row it came from.
func (p *householdParser) mv(m *person, key string) (string, int, int) {
	i := p.idx[key]
	return m.vals.val[i], m.vals.rowOf(i, m.first), i
}

// build turns a group into a domain household with its needs and validates
// them, mapping each domain problem back to its row and column.
func (p *householdParser) build(g *group) {
	if len(g.members) == 0 {
		return // every row of it was refused already, with its reason
	}
	now := p.opts.Now
	h := &g.h
	h.Assistance, h.Consents = []domain.AssistanceStatus{}, []domain.ConsentEvent{}
	place, row, _ := p.hv(g, hPlace)
	h.Place = place
	if pl, ok := p.opts.Places.Get(place); ok {
		if pl.Lat != 0 || pl.Lng != 0 {
			// The place's centre: near the home, never the door.
			h.Location = &domain.LatLng{Lat: pl.Lat, Lng: pl.Lng}
		}
		if !domain.PlaceWithin(place, p.opts.Scope) {
			p.errs.add(row, p.col(hPlace).Header, fmt.Sprintf("区划 %s 不在本人管辖范围内 / outside your place", place))
		}
	}
	h.Address, _, _ = p.hv(g, hAddress)
	src, date := p.factBasis(g)
	h.MonthlyIncome = fenFact(p.yuan(g, hIncome), src, date)
	h.Assets = fenFact(p.yuan(g, hAssets), src, date)
	h.MedicalOutOfPocket12m = fenFact(p.yuan(g, hMedical), src, date)
	if v, row, i := p.hv(g, hLivingAlone); v != "" {
		if b := p.boolCell(row, i, v); b != nil {
			h.LivingAlone = &domain.Fact[bool]{Value: *b, Source: src, Date: date}
		}
	}
	if sup, ok := p.supporters(g); ok {
		h.Supporters = &domain.Fact[[]domain.Supporter]{Value: sup, Source: src, Date: date}
	}
	p.assistance(g)
	if v, row, i := p.hv(g, hDoNotContact); v != "" {
		if b := p.boolCell(row, i, v); b != nil {
			h.DoNotContact = *b
		}
	}
	for k, m := range g.members {
		h.Members = append(h.Members, p.member(m, k, src, date))
	}
	p.consents(g)
	for _, fe := range fieldErrors(h.Validate(p.opts.Places, now)) {
		row, col := p.locateHousehold(g, fe.Field)
		p.errs.add(row, col, fe.Message)
	}
	for _, nr := range g.needs {
		p.need(g, nr)
	}
}

// factBasis returns the source and date that the household's facts share.
func (p *householdParser) factBasis(g *group) (domain.FactSource, time.Time) {
	src := domain.SourceSelfReported
	if v, row, i := p.hv(g, hFactSource); v != "" {
		if code := p.pickCell(row, i, v, sourceChoices); code != "" {
			src = domain.FactSource(code)
		}
	}
	v, row, i := p.hv(g, hFactDate)
	return src, p.dateCell(row, i, v)
}

func (p *householdParser) yuan(g *group, key string) *domain.Fen {
	v, row, i := p.hv(g, key)
	return p.yuanCell(row, i, v)
}

func fenFact(v *domain.Fen, src domain.FactSource, date time.Time) *domain.Fact[domain.Fen] {
	if v == nil {
		return nil
	}
	return &domain.Fact[domain.Fen]{Value: *v, Source: src, Date: date}
}

// supporters reads "姓名/关系/有能力/300；…"; "无" records that there are none.
func (p *householdParser) supporters(g *group) ([]domain.Supporter, bool) {
	v, row, i := p.hv(g, hSupporters)
	if v == "" {
		return nil, false
	}
	out := []domain.Supporter{}
	if foldText(v) == "无" {
		return out, true
	}
	bad := func(entry string) {
		p.errs.add(row, p.cols[i].Header, fmt.Sprintf("“%s”格式错误：应为 姓名/关系/有能力或无能力/每月赡养费（元），多人用分号分隔", entry))
	}
	for _, entry := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '；' || r == '\n' }) {
		parts := strings.Split(strings.ReplaceAll(entry, "／", "/"), "/")
		if len(parts) < 2 || len(parts) > 4 {
			bad(entry)
			continue
		}
		s := domain.Supporter{Name: cleanCell(parts[0])}
		rel, ok := relationChoices.parse(parts[1])
		if !ok {
			bad(entry)
			continue
		}
		s.Relation = domain.Relation(rel)
		if len(parts) > 2 {
			switch foldText(strings.TrimSuffix(cleanCell(parts[2]), "赡养")) {
			case "有能力", "有", "是":
				s.Able = true
			case "无能力", "无", "否":
			default:
				bad(entry)
				continue
			}
		}
		if len(parts) > 3 && cleanCell(parts[3]) != "" {
			f, err := parseYuan(parts[3])
			if err != nil {
				bad(entry)
				continue
			}
			s.MonthlySupportFen = f
		}
		out = append(out, s)
	}
	return out, true
}

// assistance reads the statuses with their decision dates and references,
// given in the same order (or one date for all).
func (p *householdParser) assistance(g *group) {
	v, row, i := p.hv(g, hAssistance)
	if v == "" {
		return
	}
	kinds := splitList(v)
	dv, drow, di := p.hv(g, hDecidedOn)
	dates := splitList(dv)
	rv, rrow, ri := p.hv(g, hDecisionRef)
	refs := splitList(rv)
	if len(dates) != 1 && len(dates) != len(kinds) {
		p.errs.add(drow, p.cols[di].Header, fmt.Sprintf("须为每个救助类别填写认定日期（%d个类别，%d个日期），或只填一个日期", len(kinds), len(dates)))
	}
	if len(refs) > 0 && len(refs) != len(kinds) {
		p.errs.add(rrow, p.cols[ri].Header, fmt.Sprintf("认定文号须与救助类别一一对应（%d个类别，%d个文号）", len(kinds), len(refs)))
	}
	for k, kv := range kinds {
		code := p.pickCell(row, i, kv, assistanceChoices)
		if code == "" {
			continue
		}
		kind, mode, _ := strings.Cut(code, ":")
		a := domain.AssistanceStatus{Kind: domain.AssistanceKind(kind), SupportMode: domain.SupportMode(mode)}
		switch {
		case len(dates) == len(kinds):
			a.DecidedOn = p.dateCell(drow, di, dates[k])
		case len(dates) == 1:
			a.DecidedOn = p.dateCell(drow, di, dates[0])
		}
		if len(refs) == len(kinds) {
			a.DecisionRef = refs[k]
		}
		g.h.Assistance = append(g.h.Assistance, a)
	}
}

// member builds one person; member IDs are m1, m2, … in file order, as
// household files entered by hand have them.
func (p *householdParser) member(pm *person, k int, src domain.FactSource, date time.Time) domain.Member {
	m := domain.Member{ID: fmt.Sprintf("m%d", k+1), IDNumber: pm.idNumber}
	m.Name, _, _ = p.mv(pm, mName)
	if v, row, i := p.mv(pm, mIDNumber); v != "" {
		switch err := domain.ValidateIDNumber(m.IDNumber, p.opts.Now); {
		case looksNumeric(v):
			p.errs.add(row, p.cols[i].Header, "身份证号"+numericHint)
		case err != nil:
			p.errs.add(row, p.cols[i].Header, problemText(err))
		}
	}
	m.FillFromIDNumber()
	if v, row, i := p.mv(pm, mRelation); v != "" {
		m.Relation = domain.Relation(p.pickCell(row, i, v, relationChoices))
	}
	if v, row, i := p.mv(pm, mPhone); v != "" {
		m.Phone = domain.NormalizeMobile(v)
		if looksNumeric(v) {
			p.errs.add(row, p.cols[i].Header, "手机号"+numericHint)
		}
	}
	tv, trow, ti := p.mv(pm, mDisability)
	gv, grow, gi := p.mv(pm, mGrade)
	switch {
	case tv != "":
		d := domain.Disability{Type: domain.DisabilityType(p.pickCell(trow, ti, tv, disabilityChoices))}
		if gv == "" {
			p.errs.add(trow, p.col(mGrade).Header, "填写残疾类别时须填写残疾等级（一级至四级）")
		} else if code := p.pickCell(grow, gi, gv, gradeChoices); code != "" {
			d.Grade = int(code[0] - '0')
		}
		m.Disability = &domain.Fact[domain.Disability]{Value: d, Source: src, Date: date}
	case gv != "":
		p.errs.add(grow, p.cols[gi].Header, "填写残疾等级时须填写残疾类别")
	}
	if v, row, i := p.mv(pm, mIllness); v != "" {
		if b := p.boolCell(row, i, v); b != nil {
			m.SeriousIllness = &domain.Fact[bool]{Value: *b, Source: src, Date: date}
		}
	}
	m.IllnessNote, _, _ = p.mv(pm, mIllnessNote)
	if v, row, i := p.mv(pm, mWorkAbility); v != "" {
		if code := p.pickCell(row, i, v, workAbilityChoices); code != "" {
			m.WorkAbility = &domain.Fact[domain.WorkAbility]{Value: domain.WorkAbility(code), Source: src, Date: date}
		}
	}
	if v, row, i := p.mv(pm, mEmployment); v != "" {
		if code := p.pickCell(row, i, v, employmentChoices); code != "" {
			m.Employment = &domain.Fact[domain.Employment]{Value: domain.Employment(code), Source: src, Date: date}
		}
	}
	if v, _, _ := p.mv(pm, mSkills); v != "" {
		m.Skills = splitList(v)
	}
	return m
}

// consents records a grant per member and recipient named in 同意共享对象,
// at the household's 授权日期 and 授权方式; a member who may be under 14
// consents through the head of the household.
func (p *householdParser) consents(g *group) {
	h := &g.h
	mv, mrow, mi := p.hv(g, hConsentMethod)
	dv, drow, di := p.hv(g, hConsentDate)
	method := domain.ConsentMethod(p.pickCell(mrow, mi, mv, consentMethodChoices))
	at := p.dateCell(drow, di, dv)
	head := slices.IndexFunc(h.Members, func(m domain.Member) bool { return m.Relation == domain.RelationSelf })
	granted := false
	for k, pm := range g.members {
		v, row, i := p.mv(pm, mConsents)
		if v == "" {
			continue
		}
		var kinds []domain.RecipientKind
		for _, w := range splitList(v) {
			switch foldText(w) {
			case "全部", "全部同意", "all":
				kinds = append(kinds, domain.RecipientKinds()...)
				continue
			case "无", "不同意":
				continue
			}
			if code := p.pickCell(row, i, w, recipientChoices); code != "" && !slices.Contains(kinds, domain.RecipientKind(code)) {
				kinds = append(kinds, domain.RecipientKind(code))
			}
		}
		m := h.Members[k]
		for _, r := range kinds {
			granted = true
			e := domain.ConsentEvent{MemberID: m.ID, Recipient: r, Action: domain.ConsentGrant, At: at, Method: method,
				RecordedBy: p.opts.CreatedBy}
			if head >= 0 && head != k && !at.IsZero() && m.MayBeUnder14(at) {
				hd := h.Members[head]
				e.Guardian = &domain.Guardian{Name: hd.Name, Relation: guardianRelation(m.Relation), MemberID: hd.ID}
			}
			h.Consents = append(h.Consents, e)
			g.consentMember = append(g.consentMember, k)
		}
	}
	if granted && mv == "" {
		p.errs.add(g.first, p.cols[mi].Header, "填写同意共享对象时须填写授权方式："+consentMethodChoices.text())
	}
	if granted && dv == "" {
		p.errs.add(g.first, p.cols[di].Header, "填写同意共享对象时须填写授权日期")
	}
}

// guardianRelation is the head's relation to a child, from the child's
// relation to the head.
func guardianRelation(child domain.Relation) domain.Relation {
	switch child {
	case domain.RelationChild:
		return domain.RelationParent
	case domain.RelationGrandchild:
		return domain.RelationGrandparent
	case domain.RelationSibling:
		return domain.RelationSibling
	}
	return domain.RelationOther
}

// pendingHousehold stands in for the ID of a household not yet stored while
// its needs are validated.
const pendingHousehold = "pending"

// need builds and validates the need on one row.
func (p *householdParser) need(g *group, nr *needRow) {
	v := func(key string) (string, int) { i := p.idx[key]; return nr.vals[i], i }
	n := domain.Need{HouseholdID: pendingHousehold, MemberID: g.h.Members[nr.member.index].ID, Place: g.h.Place,
		Urgency: domain.UrgencyNormal, Channel: domain.ChannelHomeVisit, State: domain.NeedOpen,
		CreatedBy: p.opts.CreatedBy, CreatedAt: p.opts.Now, UpdatedAt: p.opts.Now}
	item, _ := v(nItem)
	if item == "" {
		p.errs.add(nr.row, p.col(nItem).Header, "填写需求时服务项目代码不能为空")
	}
	n.Item = p.item(item)
	n.OwnWords, _ = v(nOwnWords)
	n.NeutralNote, _ = v(nNeutral)
	n.PreferredTime, _ = v(nPreferredTime)
	if s, i := v(nUrgency); s != "" {
		n.Urgency = domain.Urgency(p.pickCell(nr.row, i, s, urgencyChoices))
	}
	if s, i := v(nChannel); s != "" {
		n.Channel = domain.NeedChannel(p.pickCell(nr.row, i, s, channelChoices))
	}
	for _, fe := range fieldErrors(n.Validate(p.opts.Places, p.opts.Catalogue, p.opts.Now)) {
		if key, ok := fieldKey(fe.Field, needFields); ok && key != "" {
			p.errs.add(nr.row, p.col(key).Header, fe.Message)
		} else if !ok {
			p.errs.add(nr.row, "", fe.Message)
		}
	}
	for _, other := range g.needs {
		if other == nr {
			break
		}
		if other.member == nr.member && other.need.Item == n.Item && other.need.OwnWords == n.OwnWords {
			p.errs.add(nr.row, p.col(nItem).Header, fmt.Sprintf("与第%d行的需求重复", other.row))
		}
	}
	nr.need = n
}

// needFields map need fields to columns; place is the household's and
// reported there, so it maps to "" (dropped).
var needFields = []fieldRule{
	{"item", nItem}, {"own_words", nOwnWords}, {"neutral_note", nNeutral}, {"urgency", nUrgency},
	{"preferred_time", nPreferredTime}, {"channel", nChannel}, {"warning_id", nChannel}, {"place", ""},
}

// householdFields map household fields to columns. Facts' dates and sources
// go to the shared 信息日期 and 信息来源 columns (see locateHousehold).
var householdFields = []fieldRule{
	{"place", hPlace}, {"location", hPlace}, {"address", hAddress},
	{"monthly_income", hIncome}, {"assets", hAssets}, {"medical_out_of_pocket_12m", hMedical},
	{"living_alone", hLivingAlone}, {"supporters", hSupporters},
	{"members", hRelation},
}

// memberFields map member fields (below members[i]) to columns.
var memberFields = []fieldRule{
	{"name", mName}, {"id_number", mIDNumber}, {"birth_year", mIDNumber}, {"gender", mIDNumber},
	{"id_masked", mIDNumber}, {"relation", mRelation}, {"phone", mPhone},
	{"disability.value.type", mDisability}, {"disability.value.grade", mGrade}, {"disability", mDisability},
	{"serious_illness", mIllness}, {"illness_note", mIllnessNote}, {"work_ability", mWorkAbility},
	{"employment", mEmployment}, {"skills", mSkills},
}

// hRelation stands for the household-wide member rules (one head, at most
// 30 members), shown on the first row under 与户主关系.
const hRelation = mRelation

// locateHousehold maps a field of Household.Validate to the row and column
// the value came from.
func (p *householdParser) locateHousehold(g *group, field string) (int, string) {
	hrow := func(key string) (int, string) {
		i := p.idx[key]
		return g.vals.rowOf(i, g.first), p.cols[i].Header
	}
	if strings.HasSuffix(field, ".date") && !strings.HasSuffix(field, "decided_on") {
		return hrow(hFactDate)
	}
	if strings.HasSuffix(field, ".source") {
		return hrow(hFactSource)
	}
	if k, rest, ok := cutIndex(field, "members"); ok && k < len(g.members) {
		pm := g.members[k]
		key, found := fieldKey(rest, memberFields)
		if !found {
			return pm.first, ""
		}
		i := p.idx[key]
		return pm.vals.rowOf(i, pm.first), p.cols[i].Header
	}
	if k, rest, ok := cutIndex(field, "consents"); ok && k < len(g.consentMember) {
		pm := g.members[g.consentMember[k]]
		switch {
		case rest == "at":
			return hrow(hConsentDate)
		case rest == "method":
			return hrow(hConsentMethod)
		}
		i := p.idx[mConsents]
		return pm.vals.rowOf(i, pm.first), p.cols[i].Header
	}
	if _, rest, ok := cutIndex(field, "assistance"); ok {
		switch rest {
		case "decided_on":
			return hrow(hDecidedOn)
		case "decision_ref":
			return hrow(hDecisionRef)
		}
		return hrow(hAssistance)
	}
	if key, ok := fieldKey(field, householdFields); ok {
		return hrow(key)
	}
	return g.first, ""
}
