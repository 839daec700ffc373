package handlers

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"lianzhu/domain"
	"lianzhu/store"
)

// A household's cases on its timeline: each referral's moves (made by
// dispatch or from a matching proposal, the provider's decision, the
// service, its proof and rating, the end; a policy referral's assisted
// application, the office's acceptance and result), each service record,
// and each job application's moves. The timeline is a coordinator's of the
// household's place only (householdHandlers.load), who sees every field of
// a case (domain/disclosure.go). The household log entries a case writes
// (an assisted application, an official result, a hire) are shown once, as
// the case's events; the log's service summaries stay.

// HouseholdServiceRecords is the timeline's source of service records.
type HouseholdServiceRecords interface {
	HouseholdServiceRecords(ctx context.Context, householdID string) ([]domain.ServiceRecord, error)
}

// HouseholdApplications is the timeline's source of job applications.
type HouseholdApplications interface {
	HouseholdApplications(ctx context.Context, householdID string) ([]store.Application, error)
}

type timelineSource func(context.Context, domain.Household) ([]TimelineEntry, error)

// caseTimeline gathers the case events of one timeline read and the IDs of
// the household log entries they stand for.
type caseTimeline struct {
	h       *timelineHandlers
	covered map[string]bool
}

// caseSources returns the case sources the store offers and the names of
// those it does not.
func (h *timelineHandlers) caseSources() (*caseTimeline, []timelineSource, []string) {
	ct := &caseTimeline{h: h, covered: map[string]bool{}}
	var sources []timelineSource
	var unavailable []string
	if rs, ok := h.store.(HouseholdReferrals); ok {
		sources = append(sources, func(ctx context.Context, hh domain.Household) ([]TimelineEntry, error) {
			return ct.referrals(ctx, rs, hh)
		})
	} else {
		unavailable = append(unavailable, "referrals")
	}
	if rs, ok := h.store.(HouseholdServiceRecords); ok {
		sources = append(sources, func(ctx context.Context, hh domain.Household) ([]TimelineEntry, error) {
			return ct.records(ctx, rs, hh)
		})
	} else {
		unavailable = append(unavailable, "service_records")
	}
	if as, ok := h.store.(HouseholdApplications); ok {
		sources = append(sources, func(ctx context.Context, hh domain.Household) ([]TimelineEntry, error) {
			return ct.applications(ctx, as, hh)
		})
	} else {
		unavailable = append(unavailable, "applications")
	}
	return ct, sources, unavailable
}

// dropCovered removes the household log entries a case event stands for.
func (ct *caseTimeline) dropCovered(items []TimelineEntry) []TimelineEntry {
	out := items[:0]
	for _, it := range items {
		if it.Source != "household_log" || !ct.covered[it.RefID] {
			out = append(out, it)
		}
	}
	return out
}

// Chinese names of a referral's moves, of their reasons (a decline's, a
// close's outcome, the office's result), of proofs and of job application
// states.
var (
	moveTitles = map[domain.ReferralState]string{domain.ReferralAccepted: "服务方接单", domain.ReferralDeclined: "服务方拒绝",
		domain.ReferralInService: "开始服务", domain.ReferralCompleted: "服务完成", domain.ReferralRated: "居民评价",
		domain.ReferralClosed: "结案", domain.ReferralCancelled: "取消转介", domain.ReferralAcceptedByOffice: "经办机构已受理",
		domain.ReferralResultRecorded: "官方审核结果"}
	reasonNames = map[string]string{string(domain.DeclineNoCapacity): "名额已满", string(domain.DeclineNotEligible): "不符合条件",
		string(domain.DeclineCantReach): "联系不上或无法上门", string(domain.OutcomeGotHelp): "已获得帮助",
		string(domain.OutcomeUnreachable): "三次联系未果", string(domain.OutcomeNoLongerInterested): "本人不再需要",
		string(domain.OfficialApproved): "批准", string(domain.OfficialRejected): "不予批准"}
	proofNames = map[domain.ProofMethod]string{domain.ProofByCode: "居民验证码", domain.ProofByCallback: "回访电话",
		domain.ProofBySignature: "居民签字"}
	applicationNames = map[domain.ApplicationState]string{domain.ApplicationApplied: "已投递申请",
		domain.ApplicationInterview: "邀请面试", domain.ApplicationHired: "已录用", domain.ApplicationRejected: "未录用",
		domain.ApplicationWithdrawn: "撤回申请"}
)

func (ct *caseTimeline) referrals(ctx context.Context, rs HouseholdReferrals, hh domain.Household) ([]TimelineEntry, error) {
	list, err := rs.HouseholdReferrals(ctx, hh.ID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range list {
		if r.ProviderID != "" {
			ids = append(ids, r.ProviderID)
		}
	}
	providers, err := ct.h.store.ProvidersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []TimelineEntry
	for _, r := range list {
		for i, ch := range r.History {
			out = append(out, TimelineEntry{At: ch.At, Kind: "referral_" + string(ch.To), Source: "referrals", RefID: r.ID,
				MemberID: r.MemberID, TitleZh: ct.referralTitle(r, i, providers[r.ProviderID].Name),
				TextZh: referralText(r, ch), Actor: ch.By})
			if r.Target == domain.TargetPolicy {
				at := r
				at.State, at.History = ch.To, r.History[:i+1]
				if e, ok := at.PolicyLogEntry(); ok {
					ct.covered[e.ID] = true
				}
			}
		}
	}
	return out, nil
}

// referralTitle names the i-th move of a referral.
func (ct *caseTimeline) referralTitle(r domain.Referral, i int, provider string) string {
	what := ct.h.itemName(r.Item)
	if r.Target == domain.TargetPolicy {
		what = ct.h.policyName(r.PolicyID)
	}
	if provider != "" {
		what += " → " + provider
	}
	ch := r.History[i]
	if i == 0 {
		how := "派单"
		if r.ProposalID != "" {
			how = "采纳匹配建议"
		}
		switch r.Target {
		case domain.TargetPolicy:
			return "协助申请政策（" + how + "）：" + what
		case domain.TargetVolunteerPool:
			return "转介志愿服务（" + how + "，发布志愿任务）：" + what
		}
		return "转介服务（" + how + "）：" + what
	}
	title := moveTitles[ch.To]
	if ch.Reason != "" {
		title += "（" + cmp.Or(reasonNames[ch.Reason], ch.Reason) + "）"
	}
	if ch.To == domain.ReferralRated && r.Rating != nil {
		title = fmt.Sprintf("居民评价%d星", r.Rating.Stars)
	}
	return cmp.Or(title, "转介（"+string(ch.To)+"）") + "：" + what
}

// referralText is what a move adds to its title: the proof of a completion
// or the comment of a rating, and its note.
func referralText(r domain.Referral, ch domain.StateChange[domain.ReferralState]) string {
	parts := []string{}
	switch {
	case ch.To == domain.ReferralCompleted && r.Proof != nil:
		parts = append(parts, "凭证："+cmp.Or(proofNames[r.Proof.Method], string(r.Proof.Method)))
	case ch.To == domain.ReferralRated && r.Rating != nil && r.Rating.Comment != "":
		parts = append(parts, r.Rating.Comment)
	}
	if ch.Note != "" {
		parts = append(parts, ch.Note)
	}
	return strings.Join(parts, "；")
}

func (ct *caseTimeline) records(ctx context.Context, rs HouseholdServiceRecords, hh domain.Household) ([]TimelineEntry, error) {
	recs, err := rs.HouseholdServiceRecords(ctx, hh.ID)
	out := make([]TimelineEntry, 0, len(recs))
	for _, s := range recs {
		text := fmt.Sprintf("%s（%d分钟，服务人员：%s）", s.WhatWasDone, s.Minutes, s.Worker)
		if s.VoucherFen > 0 {
			text += "；服务券 " + s.VoucherFen.String()
		}
		out = append(out, TimelineEntry{At: s.Date, Kind: "service_record", Source: "service_records", RefID: s.ID,
			MemberID: s.MemberID, TitleZh: "服务记录：" + ct.h.itemName(s.Item), TextZh: text, Actor: s.RecordedBy})
	}
	return out, err
}

func (ct *caseTimeline) applications(ctx context.Context, as HouseholdApplications, hh domain.Household) ([]TimelineEntry, error) {
	apps, err := as.HouseholdApplications(ctx, hh.ID)
	var out []TimelineEntry
	for _, a := range apps {
		for _, ch := range a.History {
			text := ch.Note
			if ch.To == domain.ApplicationHired {
				ct.covered[store.EmploymentLogID(a.ID)] = true
				if a.WageFen > 0 {
					text = strings.Trim("月薪 "+a.WageFen.String()+"；"+text, "；")
				}
			}
			out = append(out, TimelineEntry{At: ch.At, Kind: "job_" + string(ch.To), Source: "applications", RefID: a.ID,
				MemberID: a.MemberID, TitleZh: "求职（" + cmp.Or(applicationNames[ch.To], string(ch.To)) + "）：" + a.JobTitle,
				TextZh: text, Actor: ch.By})
		}
	}
	return out, err
}

// policyName names a policy of the catalogue (its ID when unknown).
func (h *timelineHandlers) policyName(id string) string {
	for _, p := range h.policies {
		if p.ID == id {
			return p.NameZh
		}
	}
	return id
}
