package main

import (
	"context"
	"errors"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// proposalView is what the demo reads of an API proposal.
type proposalView struct {
	ID          string            `json:"id"`
	Kind        string            `json:"kind"`
	Target      domain.TargetKind `json:"target"`
	NeedID      string            `json:"need_id"`
	HouseholdID string            `json:"household_id"`
	MemberID    string            `json:"member_id"`
	ProviderID  string            `json:"provider_id"`
}

// proposals runs one matching round for a community (as its coordinator
// would on a Monday), accepts and rejects some of its proposals, and turns
// job proposals into applications that the enterprise takes forward.
func (l *demoLoop) proposals(ctx context.Context) error {
	community, err := l.busiestCommunity(ctx)
	if err != nil || community == "" {
		return err
	}
	l.at(l.now.Add(-3 * 24 * time.Hour))
	var run struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if !l.api.step(ctx, "matching run", l.coordinator, "POST", "/api/v1/matching/runs", map[string]any{"place": community}, &run) {
		return nil
	}
	for deadline := time.Now().Add(10 * time.Minute); run.Status != store.RunDone && run.Status != store.RunFailed; {
		if time.Now().After(deadline) {
			return errors.New("matching run did not finish in 10 minutes")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
		if err := l.api.call(ctx, l.coordinator, "GET", "/api/v1/matching/runs/"+run.ID, nil, &run); err != nil {
			return err
		}
	}
	l.counts["matching_runs"]++
	var page struct {
		Items []proposalView `json:"items"`
	}
	if !l.api.step(ctx, "proposals", l.coordinator, "GET", "/api/v1/proposals?run="+run.ID+"&kind=service&state=proposed&limit=200", nil, &page) {
		return nil
	}
	accepted, rejected, applied := 0, 0, 0
	reasons := []domain.RejectReason{domain.RejectResidentDeclined, domain.RejectTooFar, domain.RejectBadTiming}
	for i, p := range page.Items {
		if l.used[p.NeedID] {
			continue
		}
		l.at(l.now.Add(-2*24*time.Hour + time.Duration(i)*time.Minute))
		switch {
		case p.Target == domain.TargetJob && applied < 6:
			var app created
			if l.api.step(ctx, "application", l.coordinator, "POST", "/api/v1/applications", map[string]any{"proposal_id": p.ID}, &app) {
				l.used[p.NeedID] = true
				applied++
				l.application(ctx, app.ID, p.ProviderID, applied)
			}
		case p.Target != domain.TargetJob && accepted < 6:
			if l.api.step(ctx, "accept proposal", l.coordinator, "POST", "/api/v1/proposals/"+p.ID+"/accept", map[string]any{"units": 1}, nil) {
				l.used[p.NeedID] = true
				accepted++
			}
		case p.Target != domain.TargetJob && rejected < 3:
			body := map[string]any{"reason": reasons[rejected], "note": "居民电话回复"}
			if l.api.step(ctx, "reject proposal", l.coordinator, "POST", "/api/v1/proposals/"+p.ID+"/reject", body, nil) {
				rejected++
			}
		}
	}
	l.counts["proposals:accepted"], l.counts["proposals:rejected"], l.counts["applications"] = accepted, rejected, applied
	return nil
}

// application moves the n-th demo application: interview, hire, reject.
func (l *demoLoop) application(ctx context.Context, id, enterpriseID string, n int) {
	ent := l.accounts[enterpriseID]
	if ent == "" || n%4 == 0 {
		return // stays applied
	}
	path := "/api/v1/applications/" + id
	if !l.api.step(ctx, "interview", ent, "POST", path+"/interview", map[string]any{"note": "已约面试"}, nil) {
		return
	}
	switch n % 4 {
	case 2:
		l.api.step(ctx, "hire", ent, "POST", path+"/hire", map[string]any{"note": "试用期一个月"}, nil)
	case 3:
		l.api.step(ctx, "reject application", ent, "POST", path+"/reject", map[string]any{"note": "岗位要求夜班，求职者不便"}, nil)
	}
}

// busiestCommunity is the community with the most open needs not yet used.
func (l *demoLoop) busiestCommunity(ctx context.Context) (string, error) {
	needs, err := l.openNeeds(ctx, 5000)
	if err != nil {
		return "", err
	}
	count := map[string]int{}
	best := ""
	for _, n := range needs {
		c := n.Place[:min(len(n.Place), 12)] // a compound's community
		count[c]++
		if best == "" || count[c] > count[best] {
			best = c
		}
	}
	return best, nil
}

// supervision files complaints about providers that served demo referrals
// (one upheld → yellow; three → red; one dismissed), then recomputes the
// lights of every provider with rated referrals so that each light rests
// on its evidence with its reasons.
func (l *demoLoop) supervision(ctx context.Context) error {
	refs, err := l.db.ReferralsWithin(ctx, "")
	if err != nil {
		return err
	}
	served := map[string]domain.Referral{}
	var order []string
	for _, r := range refs {
		if r.ProviderID == "" || r.State != domain.ReferralRated && r.State != domain.ReferralCompleted {
			continue
		}
		if _, ok := served[r.ProviderID]; !ok {
			order = append(order, r.ProviderID)
		}
		served[r.ProviderID] = r
	}
	plan := []struct{ upheld, dismissed int }{{3, 0}, {1, 1}, {1, 0}, {0, 1}}
	cats := []domain.ComplaintCategory{domain.ComplaintNoShow, domain.ComplaintLate, domain.ComplaintAttitude, domain.ComplaintQuality}
	texts := []string{"约好周二上门，没有来也没有通知", "服务人员迟到一个多小时", "服务人员说话不耐烦", "打扫不干净，敷衍了事"}
	filed := 0
	for i, pid := range order {
		if i == len(plan) {
			break
		}
		r := served[pid]
		for j := range plan[i].upheld + plan[i].dismissed {
			l.at(l.now.Add(-time.Duration(20-2*j) * 24 * time.Hour))
			var c created
			body := map[string]any{"provider_id": pid, "referral_id": r.ID, "household_id": r.HouseholdID,
				"source": domain.ComplaintByResident, "category": cats[(i+j)%len(cats)], "text": texts[(i+j)%len(texts)]}
			if !l.api.step(ctx, "complaint", l.coordinator, "POST", "/api/v1/complaints", body, &c) {
				continue
			}
			filed++
			l.at(l.now.Add(-time.Duration(18-2*j) * 24 * time.Hour))
			if !l.api.step(ctx, "review complaint", l.coordinator, "POST", "/api/v1/complaints/"+c.ID+"/review", map[string]any{"finding": "已电话核实"}, nil) {
				continue
			}
			l.at(l.now.Add(-time.Duration(16-2*j) * 24 * time.Hour))
			if j < plan[i].upheld {
				l.api.step(ctx, "uphold complaint", l.coordinator, "POST", "/api/v1/complaints/"+c.ID+"/uphold", map[string]any{"finding": "经核实属实，已约谈服务方"}, nil)
			} else {
				l.api.step(ctx, "dismiss complaint", l.coordinator, "POST", "/api/v1/complaints/"+c.ID+"/dismiss", map[string]any{"finding": "经核实为误会，已向居民解释"}, nil)
			}
		}
	}
	l.counts["complaints"] = filed
	l.at(l.now)
	for _, pid := range order {
		l.api.step(ctx, "light", "admin", "POST", "/api/v1/providers/"+pid+"/light/recompute", nil, nil)
	}
	return nil
}

// settlements builds last month's statements of the providers whose
// services were confirmed then (asked for once the month is over, as a
// provider would).
func (l *demoLoop) settlements(ctx context.Context) error {
	l.at(l.now)
	month := l.now.In(domain.ChinaZone()).AddDate(0, -1, 0).Format("2006-01")
	refs, err := l.db.ReferralsWithin(ctx, "")
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range refs {
		if r.ProviderID == "" || seen[r.ProviderID] || r.Services == 0 {
			continue
		}
		seen[r.ProviderID] = true
		if l.api.step(ctx, "settlement", "admin", "GET", "/api/v1/settlements?provider="+r.ProviderID+"&month="+month, nil, nil) {
			l.counts["statements"]++
		}
	}
	return nil
}
