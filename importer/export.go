package importer

import (
	"io"
	"slices"
	"strconv"
	"time"

	"lianzhu/domain"
)

// WriteHouseholds writes households and their needs in the households
// layout ("xlsx" or "csv"): one row per member and need (a member without
// needs gets one row), household columns repeated on every row, 户编号 the
// household's ID. A member's ID number is written in full only when the value
// holds it (seeded or freshly entered data); a stored file gives its masked
// form, which an import refuses. Facts share one source and date per
// household in the layout: the first fact recorded gives them.
//
// Needs from warnings are written with their channel 预警核实, which an
// import refuses (such a need is recorded from its warning): leave them out
// of a file meant to be imported.
func WriteHouseholds(w io.Writer, format string, hs []domain.Household, needs []domain.Need) error {
	type key struct{ household, member string }
	byMember := map[key][]domain.Need{}
	for _, n := range needs {
		k := key{n.HouseholdID, n.MemberID}
		byMember[k] = append(byMember[k], n)
	}
	idx := columnIndex(householdColumns)
	var rows [][]string
	for i := range hs {
		h := &hs[i]
		base := householdCells(h, idx)
		if base[idx[hRef]] == "" {
			base[idx[hRef]] = strconv.Itoa(i + 1)
		}
		for _, m := range h.Members {
			row := slices.Clone(base)
			memberCells(row, h, m, idx)
			ns := byMember[key{h.ID, m.ID}]
			if len(ns) == 0 {
				rows = append(rows, row)
				continue
			}
			for _, n := range ns {
				nrow := slices.Clone(row)
				nrow[idx[nItem]] = n.Item
				nrow[idx[nOwnWords]] = n.OwnWords
				nrow[idx[nNeutral]] = n.NeutralNote
				nrow[idx[nUrgency]] = urgencyChoices.label(string(n.Urgency))
				nrow[idx[nPreferredTime]] = n.PreferredTime
				nrow[idx[nChannel]] = channelChoices.label(string(n.Channel))
				rows = append(rows, nrow)
			}
		}
	}
	return writeTable(w, format, sheetName(Households), headersOf(householdColumns), rows)
}

// householdCells fills the household-level columns of a row.
func householdCells(h *domain.Household, idx map[string]int) []string {
	row := make([]string, len(householdColumns))
	set := func(k, v string) { row[idx[k]] = v }
	set(hRef, h.ID)
	set(hPlace, h.Place)
	set(hAddress, h.Address)
	var kinds, dates, refs []string
	for _, a := range h.Assistance {
		code := string(a.Kind)
		if a.SupportMode != "" {
			code += ":" + string(a.SupportMode)
		}
		kinds = append(kinds, assistanceChoices.label(code))
		dates = append(dates, dateText(a.DecidedOn))
		if a.DecisionRef != "" {
			refs = append(refs, a.DecisionRef)
		}
	}
	set(hAssistance, joinList(kinds))
	set(hDecidedOn, joinList(dates))
	if len(refs) == len(kinds) { // references go with their statuses, all or none
		set(hDecisionRef, joinList(refs))
	}
	fen := func(k string, f *domain.Fact[domain.Fen]) {
		if f != nil {
			set(k, yuanText(f.Value))
		}
	}
	fen(hIncome, h.MonthlyIncome)
	fen(hAssets, h.Assets)
	fen(hMedical, h.MedicalOutOfPocket12m)
	if h.LivingAlone != nil {
		set(hLivingAlone, boolText(h.LivingAlone.Value))
	}
	if s := h.Supporters; s != nil {
		set(hSupporters, supportersText(s.Value))
	}
	if src, date, ok := factBasisOf(h); ok {
		set(hFactSource, sourceChoices.label(string(src)))
		set(hFactDate, dateText(date))
	}
	set(hDoNotContact, boolText(h.DoNotContact))
	var last *domain.ConsentEvent
	for i := range h.Consents {
		if c := &h.Consents[i]; c.Action == domain.ConsentGrant && (last == nil || c.At.After(last.At)) {
			last = c
		}
	}
	if last != nil {
		set(hConsentMethod, consentMethodChoices.label(string(last.Method)))
		set(hConsentDate, dateText(last.At))
	}
	return row
}

func supportersText(list []domain.Supporter) string {
	if len(list) == 0 {
		return "无"
	}
	out := ""
	for i, s := range list {
		able := "无能力"
		if s.Able {
			able = "有能力"
		}
		if i > 0 {
			out += "；"
		}
		out += s.Name + "/" + relationChoices.label(string(s.Relation)) + "/" + able + "/" + yuanText(s.MonthlySupportFen)
	}
	return out
}

// factBasisOf returns the source and date of the first fact recorded: the
// household's own, then its members'.
func factBasisOf(h *domain.Household) (domain.FactSource, time.Time, bool) {
	var all []basis
	all = appendBasis(all, h.MonthlyIncome)
	all = appendBasis(all, h.Assets)
	all = appendBasis(all, h.MedicalOutOfPocket12m)
	all = appendBasis(all, h.LivingAlone)
	all = appendBasis(all, h.Supporters)
	for _, m := range h.Members {
		all = appendBasis(all, m.Disability)
		all = appendBasis(all, m.SeriousIllness)
		all = appendBasis(all, m.WorkAbility)
		all = appendBasis(all, m.Employment)
	}
	if len(all) == 0 {
		return "", time.Time{}, false
	}
	return all[0].src, all[0].date, true
}

// basis is where a fact came from and when.
type basis struct {
	src  domain.FactSource
	date time.Time
}

func appendBasis[T any](all []basis, f *domain.Fact[T]) []basis {
	if f == nil {
		return all
	}
	return append(all, basis{f.Source, f.Date})
}

// memberCells fills the member-level columns of a row.
func memberCells(row []string, h *domain.Household, m domain.Member, idx map[string]int) {
	set := func(k, v string) { row[idx[k]] = v }
	set(mName, m.Name)
	if m.IDNumber != "" {
		set(mIDNumber, m.IDNumber)
	} else {
		set(mIDNumber, m.IDMasked)
	}
	set(mRelation, relationChoices.label(string(m.Relation)))
	set(mPhone, m.Phone)
	if d := m.Disability; d != nil {
		set(mDisability, disabilityChoices.label(string(d.Value.Type)))
		set(mGrade, gradeChoices.label(strconv.Itoa(d.Value.Grade)))
	}
	if f := m.SeriousIllness; f != nil {
		set(mIllness, boolText(f.Value))
	}
	set(mIllnessNote, m.IllnessNote)
	if f := m.WorkAbility; f != nil {
		set(mWorkAbility, workAbilityChoices.label(string(f.Value)))
	}
	if f := m.Employment; f != nil {
		set(mEmployment, employmentChoices.label(string(f.Value)))
	}
	set(mSkills, joinList(m.Skills))
	var to []string
	for _, r := range domain.RecipientKinds() {
		if domain.ConsentGiven(h.Consents, m.ID, r) {
			to = append(to, recipientChoices.label(string(r)))
		}
	}
	set(mConsents, joinList(to))
}

// WriteOfferings writes offerings in the offerings layout ("xlsx" or
// "csv"), the supply list export; providers (by ID) give the credit codes.
// An area given only as a centre and radius is left blank (it cannot be
// written as place codes; an import then takes the provider's area).
func WriteOfferings(w io.Writer, format string, os []domain.Offering, providers map[string]domain.Provider) error {
	idx := columnIndex(offeringColumns)
	rows := make([][]string, 0, len(os))
	for _, o := range os {
		row := make([]string, len(offeringColumns))
		set := func(k, v string) { row[idx[k]] = v }
		set(oCreditCode, providers[o.ProviderID].CreditCode)
		set(oItem, o.Item)
		set(oTitle, o.Title)
		set(oDescription, o.Description)
		var who []string
		for _, t := range o.Audience.Tiers {
			who = append(who, audienceChoices.label(string(t)))
		}
		if o.Audience.JustOutside {
			who = append(who, audienceChoices.label(audienceJustOutside))
		}
		if o.Audience.Anyone {
			who = append(who, audienceChoices.label(audienceAnyone))
		}
		set(oAudience, joinList(who))
		if o.Audience.MinAge > 0 {
			set(oMinAge, strconv.Itoa(o.Audience.MinAge))
		}
		if o.Audience.MaxAge > 0 {
			set(oMaxAge, strconv.Itoa(o.Audience.MaxAge))
		}
		set(oDisabilityOnly, boolText(o.Audience.DisabilityOnly))
		var types []string
		for _, d := range o.Audience.DisabilityTypes {
			types = append(types, disabilityChoices.label(string(d)))
		}
		set(oDisabilityType, joinList(types))
		set(oAudiencePlaces, joinList(o.Audience.Places))
		set(oCapacity, strconv.Itoa(o.Capacity))
		set(oPeriod, periodChoices.label(string(o.Period)))
		set(oPrice, yuanText(o.PriceFen))
		set(oVoucher, yuanText(o.VoucherFen))
		set(oSchedule, o.Schedule)
		set(oArea, joinList(o.Area.Places))
		set(oStatus, statusChoices.label(string(o.Status)))
		set(oValidFrom, dateText(o.ValidFrom))
		set(oValidTo, dateText(o.ValidTo))
		rows = append(rows, row)
	}
	return writeTable(w, format, sheetName(Offerings), headersOf(offeringColumns), rows)
}
