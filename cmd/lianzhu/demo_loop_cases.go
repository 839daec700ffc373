package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// demoLoop writes the demo's closed loop (see demo_loop.go).
type demoLoop struct {
	api *demoAPI
	db  *store.DB
	now time.Time
	rnd *rand.Rand
	log *slog.Logger
	// coordinator is the district coordinator's account.
	coordinator string
	// accounts maps a provider to its account's username.
	accounts map[string]string
	counts   map[string]int
	// used needs are taken by a case already.
	used map[string]bool
}

// referralPlan is how far one demo referral goes and when it starts.
type referralPlan struct {
	final domain.ReferralState
	// days ago the coordinator dispatched it.
	days int
	// outcome of a closed one; decline reason of a declined one.
	outcome domain.CloseOutcome
	decline domain.DeclineReason
	stars   int
}

// demoReferralPlans are the referral cases: every state, some stuck, the
// rated ones spread over the last two months so that last month settles.
func demoReferralPlans() []referralPlan {
	var out []referralPlan
	add := func(n int, p referralPlan, spread int) {
		for i := range n {
			q := p
			q.days += i % max(spread, 1)
			out = append(out, q)
		}
	}
	add(8, referralPlan{final: domain.ReferralAwaitingProvider, days: 0}, 2)
	add(6, referralPlan{final: domain.ReferralAwaitingProvider, days: 4}, 6) // stuck: waits > 2 days
	add(5, referralPlan{final: domain.ReferralAccepted, days: 2}, 1)
	add(4, referralPlan{final: domain.ReferralAccepted, days: 6}, 5) // stuck: accepted, not started
	add(3, referralPlan{final: domain.ReferralDeclined, days: 3, decline: domain.DeclineNoCapacity}, 5)
	add(3, referralPlan{final: domain.ReferralDeclined, days: 5, decline: domain.DeclineCantReach}, 5)
	add(2, referralPlan{final: domain.ReferralDeclined, days: 8, decline: domain.DeclineNotEligible}, 5)
	add(12, referralPlan{final: domain.ReferralInService, days: 12}, 10)
	add(12, referralPlan{final: domain.ReferralCompleted, days: 20}, 20)
	add(30, referralPlan{final: domain.ReferralRated, days: 32, stars: 5}, 25)
	add(3, referralPlan{final: domain.ReferralClosed, days: 15, outcome: domain.OutcomeUnreachable}, 10)
	add(3, referralPlan{final: domain.ReferralClosed, days: 20, outcome: domain.OutcomeNoLongerInterested}, 10)
	add(2, referralPlan{final: domain.ReferralClosed, days: 25, outcome: domain.OutcomeGotHelp}, 10)
	add(5, referralPlan{final: domain.ReferralCancelled, days: 9}, 10)
	return out
}

// loadDemoLoop runs the loop once: the marker is a settlement statement.
func loadDemoLoop(ctx context.Context, api *demoAPI, db *store.DB, now time.Time, log *slog.Logger) error {
	start := time.Now()
	l := &demoLoop{api: api, db: db, now: now, rnd: rand.New(rand.NewPCG(demoSeed, 5)), log: log,
		coordinator: "coordinator", accounts: map[string]string{}, counts: map[string]int{}, used: map[string]bool{}}
	done, err := l.ran(ctx)
	if err != nil || done {
		return err
	}
	users, err := db.ListUsers(ctx, store.UserFilter{})
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.ProviderID != "" && !u.Disabled {
			l.accounts[u.ProviderID] = u.Username
		}
	}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"referrals", l.referrals},
		{"policy referrals", l.policyReferrals},
		{"volunteer tasks", l.tasks},
		{"matching round and proposals", l.proposals},
		{"complaints and lights", l.supervision},
		{"settlements", l.settlements},
	}
	for _, s := range steps {
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("demo %s: %w", s.name, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	api.clock.set(time.Now())
	log.Info("demo closed loop written", "counts", l.counts, "skipped", api.failed, "first_skip", api.first,
		"took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// ran reports whether the loop has been written to its end before (its
// last step builds last month's statements). A loop cut off by a stop runs
// again and takes up where the open needs left it.
func (l *demoLoop) ran(ctx context.Context) (bool, error) {
	return l.db.AnyStatement(ctx)
}

// at sets the API's clock.
func (l *demoLoop) at(t time.Time) time.Time {
	if t.After(l.now) {
		t = l.now.Add(-time.Minute)
	}
	l.api.clock.set(t)
	return t
}

// openNeeds returns open needs of the district (stored order), up to limit.
func (l *demoLoop) openNeeds(ctx context.Context, limit int) ([]domain.Need, error) {
	var out []domain.Need
	after := ""
	for len(out) < limit {
		page, next, err := l.db.ListNeeds(ctx, store.NeedFilter{State: domain.NeedOpen, After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, n := range page {
			if !l.used[n.ID] {
				out = append(out, n)
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	return out, nil
}

// servable returns, per catalogue item, the active offerings of verified
// providers whose light takes referrals.
func (l *demoLoop) servable(ctx context.Context) (map[string][]domain.Offering, error) {
	providers := map[string]domain.Provider{}
	after := ""
	for {
		page, next, err := l.db.ListProviders(ctx, store.ProviderFilter{Verification: domain.VerificationVerified, After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			if p.TrafficLight.AcceptsReferrals() && l.accounts[p.ID] != "" {
				providers[p.ID] = p
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	out := map[string][]domain.Offering{}
	after = ""
	for {
		page, next, err := l.db.ListOfferings(ctx, store.OfferingFilter{Status: domain.OfferingActive, After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, o := range page {
			if _, ok := providers[o.ProviderID]; ok && o.Left > 0 {
				out[o.Item] = append(out[o.Item], o)
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	return out, nil
}

// created is what the demo reads of a record the API made: its ID.
type created struct {
	ID string `json:"id"`
}

// referrals dispatches open needs to offerings that serve them and walks
// each case to its planned state.
func (l *demoLoop) referrals(ctx context.Context) error {
	offers, err := l.servable(ctx)
	if err != nil {
		return err
	}
	needs, err := l.openNeeds(ctx, 5000)
	if err != nil {
		return err
	}
	plans := demoReferralPlans()
	next := 0
	for _, n := range needs {
		if next == len(plans) || ctx.Err() != nil {
			break
		}
		var fit []domain.Offering
		for _, o := range offers[n.Item] {
			if o.Area.Covers(n.Place, nil) {
				fit = append(fit, o)
			}
		}
		if len(fit) == 0 {
			continue
		}
		o := fit[l.rnd.IntN(len(fit))]
		p := plans[next]
		t := l.at(daysAgo(l.now, p.days, 9, next%50))
		var r created
		body := map[string]any{"need_id": n.ID, "target": "offering", "offering_id": o.ID, "units": 1, "note": "居民同意转介，已电话告知服务方"}
		if !l.api.step(ctx, "dispatch", l.coordinator, "POST", "/api/v1/referrals", body, &r) {
			continue // consent, do-not-contact, capacity: another need
		}
		l.used[n.ID] = true
		next++
		l.walk(ctx, r, o.ProviderID, p, t)
	}
	l.counts["referrals"] = next
	return nil
}

// walk moves one dispatched referral to its planned state, a day or a week
// between steps.
func (l *demoLoop) walk(ctx context.Context, r created, providerID string, p referralPlan, t time.Time) {
	provider, coord := l.accounts[providerID], l.coordinator
	path := "/api/v1/referrals/" + r.ID
	move := func(who, action string, after time.Duration, body any) bool {
		t = l.at(t.Add(after))
		ok := l.api.step(ctx, "referral "+action, who, "POST", path+"/"+action, body, nil)
		return ok
	}
	count := func(s domain.ReferralState) { l.counts["referral:"+string(s)]++ }
	switch p.final {
	case domain.ReferralAwaitingProvider:
		count(p.final)
		return
	case domain.ReferralCancelled:
		if move(coord, "cancel", 3*time.Hour, map[string]any{"note": "居民已由亲属照料，撤回转介"}) {
			count(p.final)
		}
		return
	case domain.ReferralDeclined:
		if move(provider, "decline", 20*time.Hour, map[string]any{"reason": p.decline, "note": "本月名额与上门范围有限"}) {
			count(p.final)
		}
		return
	}
	if !move(provider, "accept", 20*time.Hour, nil) {
		return
	}
	if p.final == domain.ReferralAccepted {
		count(p.final)
		return
	}
	if p.final == domain.ReferralClosed {
		if p.outcome == domain.OutcomeUnreachable {
			for range domain.MinContactAttempts {
				move(provider, "attempts", 24*time.Hour, nil)
			}
		}
		if move(coord, "close", 24*time.Hour, map[string]any{"outcome": p.outcome, "note": "协调员回访后结案"}) {
			count(p.final)
		}
		return
	}
	if !move(provider, "start", 24*time.Hour, nil) {
		return
	}
	visits := 1 + l.rnd.IntN(3)
	for i := range visits {
		t = l.at(t.Add(time.Duration(2+i) * 24 * time.Hour))
		rec := map[string]any{"date": t.In(domain.ChinaZone()).Format(time.DateOnly), "minutes": 45 + 15*l.rnd.IntN(4), "units": 1,
			"what_was_done": []string{"上门服务并记录老人身体状况", "按约完成服务，居民表示满意", "完成服务并提醒按时用药"}[i%3],
			"worker":        []string{"张敏", "刘洋", "陈静", "王磊"}[l.rnd.IntN(4)]}
		l.api.step(ctx, "service record", provider, "POST", path+"/services", rec, nil)
	}
	if p.final == domain.ReferralInService {
		count(p.final)
		return
	}
	t = l.at(t.Add(2 * time.Hour))
	var code struct {
		Code string `json:"code"`
	}
	if !l.api.step(ctx, "referral code", coord, "POST", path+"/code", nil, &code) {
		return
	}
	if !move(provider, "complete", time.Hour, map[string]any{"proof": map[string]any{"method": "code", "code": code.Code}}) {
		return
	}
	if p.final == domain.ReferralCompleted {
		count(p.final)
		return
	}
	stars := p.stars
	if stars == 0 {
		stars = 3 + l.rnd.IntN(3)
	}
	comment := map[int]string{1: "约好的时间没来，打电话也不接", 2: "服务比较敷衍", 3: "还可以", 4: "服务人员很耐心", 5: "非常满意，谢谢社区"}[stars]
	if move(coord, "rate", 2*24*time.Hour, map[string]any{"stars": stars, "comment": comment}) {
		count(p.final)
	}
}

// policyReferrals assists applications for households the evaluation
// finds eligible, and records the office's steps on some.
func (l *demoLoop) policyReferrals(ctx context.Context) error {
	needs, err := l.openNeeds(ctx, 400)
	if err != nil {
		return err
	}
	policies := []string{"mz-temporary-expense", "yb-critical-illness", "mz-dibao", "mz-elderly-care-subsidy", "sf-legal-aid"}
	made := 0
	for i, n := range needs {
		if made == 12 || ctx.Err() != nil {
			break
		}
		t := l.at(daysAgo(l.now, 40-2*made, 10, i%50))
		var r created
		body := map[string]any{"need_id": n.ID, "target": "policy", "policy_id": policies[made%len(policies)], "note": "协助居民准备申请材料"}
		if !l.api.step(ctx, "policy dispatch", l.coordinator, "POST", "/api/v1/referrals", body, &r) {
			continue
		}
		made++
		path := "/api/v1/referrals/" + r.ID
		l.counts["policy:"+string(domain.ReferralApplicationAssisted)]++
		if made%3 == 0 {
			continue
		}
		l.at(t.Add(5 * 24 * time.Hour))
		if !l.api.step(ctx, "office accepted", l.coordinator, "POST", path+"/office-accepted", map[string]any{}, nil) {
			continue
		}
		if made%3 == 1 {
			l.counts["policy:"+string(domain.ReferralAcceptedByOffice)]++
			continue
		}
		l.at(t.Add(30 * 24 * time.Hour))
		result := []string{"approved", "rejected"}[made%2]
		if l.api.step(ctx, "office result", l.coordinator, "POST", path+"/result", map[string]any{"result": result, "note": "街道审核结果已告知居民"}, nil) {
			l.counts["policy:"+string(domain.ReferralResultRecorded)]++
		}
	}
	return nil
}

// demoOpenTasks is how many volunteer tasks the board shows.
const demoOpenTasks = 60

// tasks posts volunteer tasks from open needs whose residents consented to
// volunteers: the first demoOpenTasks stay open on the board; the rest are
// claimed, visited, or completed with the resident's code.
func (l *demoLoop) tasks(ctx context.Context) error {
	needs, err := l.openNeeds(ctx, 3000)
	if err != nil {
		return err
	}
	volunteers, err := l.volunteers(ctx)
	if err != nil {
		return err
	}
	type worked struct {
		task  created
		start time.Time // of the window
	}
	var posted []worked
	const workedTasks = 24
	for i, n := range needs {
		if len(posted) == demoOpenTasks+workedTasks || ctx.Err() != nil {
			break
		}
		if !slices.Contains(volunteerItems, n.Item) {
			continue
		}
		// Open tasks wait for the coming days. Worked ones had their window
		// open within the last two days: the store lapses a claim not
		// started within 48 hours of the window's start by the real clock,
		// so older claims would not hold.
		t := l.at(daysAgo(l.now, 0, 8, i%60))
		start := t.Add(time.Duration(1+len(posted)%5) * 24 * time.Hour)
		end := start.Add(4 * time.Hour)
		if len(posted) >= demoOpenTasks {
			start = l.now.Add(-time.Duration(6+len(posted)%36) * time.Hour)
			end = start.Add(48 * time.Hour)
			l.at(start.Add(-time.Duration(1+len(posted)%3) * 24 * time.Hour))
		}
		body := map[string]any{"need_id": n.ID, "window_start": start, "window_end": end, "note": ""}
		var tv created
		if !l.api.step(ctx, "post task", l.coordinator, "POST", "/api/v1/tasks", body, &tv) {
			continue
		}
		l.used[n.ID] = true
		posted = append(posted, worked{tv, start})
	}
	l.counts["tasks"] = len(posted)
	for i := demoOpenTasks; i < len(posted) && len(volunteers) > 0; i++ {
		w, v := posted[i], volunteers[i%len(volunteers)]
		path := "/api/v1/tasks/" + w.task.ID
		l.at(w.start.Add(-2 * time.Hour))
		if !l.api.step(ctx, "claim task", v, "POST", path+"/claim", nil, nil) {
			continue
		}
		stage := i % 4
		if stage == 0 {
			l.counts["task:claimed"]++
			continue
		}
		l.at(w.start.Add(30 * time.Minute))
		if !l.api.step(ctx, "check in", v, "POST", path+"/check-in", nil, nil) {
			continue
		}
		l.at(w.start.Add(2 * time.Hour))
		if !l.api.step(ctx, "check out", v, "POST", path+"/check-out", nil, nil) {
			continue
		}
		if stage == 1 {
			l.counts["task:done"]++
			continue
		}
		var code struct {
			Code string `json:"code"`
		}
		l.at(w.start.Add(2*time.Hour + 10*time.Minute))
		if !l.api.step(ctx, "task code", l.coordinator, "POST", path+"/code", nil, &code) {
			continue
		}
		l.at(w.start.Add(2*time.Hour + 15*time.Minute))
		rating := map[string]any{"stars": 4 + i%2, "comment": "志愿者很热心"}
		if l.api.step(ctx, "complete task", v, "POST", path+"/complete", map[string]any{"code": code.Code, "rating": rating}, nil) {
			l.counts["task:confirmed"]++
		}
	}
	return nil
}

// volunteerItems are the catalogue items a volunteer visit serves.
var volunteerItems = []string{"companionship", "caring_visit", "errand", "cleaning", "medical_escort",
	"tutoring", "digital_skills", "repair", "home_safety", "holiday_visit", "meal_delivery"}

// volunteers returns the usernames of verified volunteers.
func (l *demoLoop) volunteers(ctx context.Context) ([]string, error) {
	var out []string
	after := ""
	for {
		page, next, err := l.db.ListProviders(ctx, store.ProviderFilter{Kind: domain.ProviderVolunteer,
			Verification: domain.VerificationVerified, After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			if u := l.accounts[p.ID]; u != "" && p.TrafficLight.AcceptsReferrals() {
				out = append(out, u)
			}
		}
		if next == "" || len(out) >= 40 {
			return out, nil
		}
		after = next
	}
}
