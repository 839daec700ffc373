package matching

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"lianzhu/domain"
)

// DefaultVoucherYearlyFen is the yearly service voucher of an entitled
// household (DOMAIN.md's example: ¥1,000). Demonstration value: until a
// voucher ledger exists, every entitled household has all of it left.
const DefaultVoucherYearlyFen = domain.Fen(100000)

// InstanceInput is what a matching run reads: the district's data as the
// store (or the demo generator) holds it, the catalogues and the date.
type InstanceInput struct {
	At        time.Time
	Catalogue *domain.Catalogue
	Policies  []domain.Policy
	Params    domain.ParamSet
	// Places names volunteer pools and locates jobs; nil leaves both plain.
	Places     *domain.Places
	Households []domain.Household
	Needs      []domain.Need
	// Providers are every provider the offerings and jobs may belong to;
	// only verified ones give targets.
	Providers []domain.Provider
	Offerings []domain.Offering
	Jobs      []domain.JobOpening
	// VoucherYearlyFen is what an entitled household (特困, 低保, 低保边缘)
	// has left of its service voucher; 0 gives no vouchers.
	VoucherYearlyFen domain.Fen
	// VoucherLeft is what households with a voucher ledger this year have
	// left of it; it overrides VoucherYearlyFen for them, so that the engine
	// drops the pairs the remaining budget cannot pay.
	VoucherLeft map[string]domain.Fen
}

// BuildInstance turns a district's data into an instance: verified
// providers' offerings and jobs that take referrals at At, one volunteer
// pool per street sized by its verified volunteers, and the vouchers. A
// need whose household (or member) is not in the input is left out, so
// that a household moved away since the needs were read cannot fail a run;
// the caller may count them.
func BuildInstance(in InstanceInput) OfflineInstance {
	inst := OfflineInstance{Version: OfflineVersion, At: in.At, Catalogue: ItemsFrom(in.Catalogue),
		Params: in.Params, Policies: in.Policies, Households: in.Households}
	households := make(map[string]*domain.Household, len(in.Households))
	for i := range in.Households {
		households[in.Households[i].ID] = &in.Households[i]
	}
	for _, n := range in.Needs {
		if h, ok := households[n.HouseholdID]; ok {
			if _, ok := h.Member(n.MemberID); ok {
				inst.Needs = append(inst.Needs, n)
			}
		}
	}
	providers := make(map[string]domain.Provider, len(in.Providers))
	for _, p := range in.Providers {
		if p.Verification == domain.VerificationVerified {
			providers[p.ID] = p
		}
	}
	for _, o := range in.Offerings {
		if p, ok := providers[o.ProviderID]; ok {
			if t, ok := OfferingTarget(o, p, in.At); ok {
				inst.Targets = append(inst.Targets, t)
			}
		}
	}
	for _, j := range in.Jobs {
		if p, ok := providers[j.EnterpriseID]; ok {
			if t, ok := JobTarget(j, p, in.Places); ok {
				inst.Targets = append(inst.Targets, t)
			}
		}
	}
	inst.Targets = append(inst.Targets, volunteerPools(in.Providers, in.Places)...)
	for _, h := range in.Households {
		left, ok := in.VoucherLeft[h.ID]
		if !ok && in.VoucherYearlyFen > 0 && (h.Has(domain.AssistTekun) || h.Has(domain.AssistDibao) || h.Has(domain.AssistDibaoEdge)) {
			left, ok = in.VoucherYearlyFen, true
		}
		if ok {
			inst.Vouchers = append(inst.Vouchers, OfflineVoucher{HouseholdID: h.ID, LeftFen: max(left, 0)})
		}
	}
	return inst
}

// IsTier reports whether k is one of the exclusive layers of 分层分类
// (特困, 低保, 低保边缘, 刚性支出困难).
func IsTier(k domain.AssistanceKind) bool { return slices.Contains(tierKinds(), k) }

// volunteerPools makes one pool per street; its capacity is the number of
// verified volunteers living there (one task each per round).
func volunteerPools(providers []domain.Provider, places *domain.Places) []Target {
	counts := map[string]int{}
	for _, p := range providers {
		if p.Kind != domain.ProviderVolunteer || p.Verification != domain.VerificationVerified || len(p.Place) < 9 {
			continue
		}
		counts[p.Place[:9]+"000"]++
	}
	streets := make([]string, 0, len(counts))
	for s := range counts {
		streets = append(streets, s)
	}
	sort.Strings(streets)
	out := make([]Target, 0, len(streets))
	for _, s := range streets {
		name := s
		if places != nil {
			if pl, ok := places.Get(s); ok {
				name = pl.Name
			}
		}
		out = append(out, Target{
			Kind: TargetVolunteerPool, ID: "pool-" + s[:9], Title: name + "志愿者队伍",
			Audience: domain.Audience{Anyone: true}, Area: domain.ServiceArea{Places: []string{s}},
			CapacityLeft: counts[s], Recipient: domain.RecipientVolunteer, ProviderLight: domain.LightGreen,
		})
	}
	return out
}

// Prepared is a validated instance, indexed for the two halves of a run:
// Evaluate (every policy for every household) and then Match (every open
// need). RunOffline does both at once; the server calls them one by one to
// report progress, and skips Match when there is no open need.
type Prepared struct {
	in         *OfflineInstance
	households map[string]*domain.Household
	vouchers   map[string]domain.Fen
}

// Prepare checks the instance (version, date, policies, unique household
// IDs, vouchers of known households) and indexes it. The instance must not
// change while the Prepared is in use.
func Prepare(in *OfflineInstance) (*Prepared, error) {
	if in.Version != OfflineVersion {
		return nil, domain.Invalid("version", "enum", fmt.Sprintf("实例版本须为 %d / instance version must be %d", OfflineVersion, OfflineVersion))
	}
	if in.At.IsZero() {
		return nil, domain.Invalid("at", "required", "缺少评估日期 / evaluation date is required")
	}
	if err := domain.ValidatePolicies(in.Policies, in.Params); err != nil {
		return nil, err
	}
	p := &Prepared{in: in, households: make(map[string]*domain.Household, len(in.Households)), vouchers: map[string]domain.Fen{}}
	for i := range in.Households {
		h := &in.Households[i]
		if _, dup := p.households[h.ID]; dup || h.ID == "" {
			return nil, domain.Invalid(fmt.Sprintf("households[%d].id", i), "unique", "家庭编号为空或重复 / household id empty or duplicated")
		}
		p.households[h.ID] = h
	}
	for i, v := range in.Vouchers {
		if _, ok := p.households[v.HouseholdID]; !ok {
			return nil, domain.Invalid(fmt.Sprintf("vouchers[%d].household_id", i), "exists", "家庭不存在 / unknown household")
		}
		p.vouchers[v.HouseholdID] = v.LeftFen
	}
	return p, nil
}

// Evaluation is the policy half of a run.
type Evaluation struct {
	// Proposals are the leads (eligible, not yet received) and the near
	// misses, by household ID and then in policy order.
	Proposals []PolicyProposal
	// Summary has Households, Inside, JustOutside, Leads and NearMisses set.
	Summary     OfflineSummary
	justOutside map[string]bool
}

// JustOutside reports whether the household holds no tier status but is
// near a policy that confers one.
func (ev Evaluation) JustOutside(householdID string) bool { return ev.justOutside[householdID] }

// Evaluate evaluates every policy for every household, in household ID
// order, and marks the households just outside a tier. progress, when not
// nil, is called after each household with the number done and the total.
func (p *Prepared) Evaluate(progress func(done, total int)) Evaluation {
	ev := Evaluation{Proposals: []PolicyProposal{}, justOutside: map[string]bool{}}
	conferring := map[string]bool{}
	byPolicy := make(map[string]domain.Policy, len(p.in.Policies))
	for _, pol := range p.in.Policies {
		byPolicy[pol.ID] = pol
		for _, k := range tierKinds() {
			if pol.Confers == k {
				conferring[pol.ID] = true
			}
		}
	}
	ids := make([]string, 0, len(p.households))
	for id := range p.households {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for i, id := range ids {
		h := p.households[id]
		inside := holdsTier(h)
		if inside {
			ev.Summary.Inside++
		}
		for _, r := range EvaluateHousehold(h, p.in.Policies, p.in.Params, p.in.At) {
			lead := r.Status == PolicyEligible && !byPolicy[r.PolicyID].ReceivedBy(h)
			if !lead && r.Status != PolicyNear {
				continue
			}
			ev.Proposals = append(ev.Proposals, PolicyProposal{HouseholdID: id, PolicyID: r.PolicyID, Status: r.Status, Closeness: r.Closeness, Gaps: r.Gaps})
			if lead {
				ev.Summary.Leads++
				continue
			}
			ev.Summary.NearMisses++
			if !inside && conferring[r.PolicyID] {
				ev.justOutside[id] = true
			}
		}
		if progress != nil {
			progress(i+1, len(ids))
		}
	}
	ev.Summary.Households = len(p.households)
	ev.Summary.JustOutside = len(ev.justOutside)
	return ev
}

// OpenNeeds counts the needs Match will match.
func (p *Prepared) OpenNeeds() int {
	n := 0
	for _, need := range p.in.Needs {
		if need.State == "" || need.State == domain.NeedOpen {
			n++
		}
	}
	return n
}

// Match matches every open need of the instance, with what the evaluation
// found (just outside) and the vouchers. With no open need it fails, as
// Match does: the caller checks OpenNeeds first.
func (p *Prepared) Match(ev Evaluation, opts Options) (Result, error) {
	prob := Problem{Catalogue: p.in.Catalogue, Targets: p.in.Targets}
	for i, n := range p.in.Needs {
		if n.State != "" && n.State != domain.NeedOpen {
			continue
		}
		mn, err := NeedFrom(n, p.households[n.HouseholdID], p.in.At)
		if err != nil {
			var pr domain.Problems
			pr.Merge(fmt.Sprintf("needs[%d]", i), err)
			return Result{}, pr.Err()
		}
		mn.JustOutside = ev.justOutside[n.HouseholdID]
		mn.VoucherLeftFen = p.vouchers[n.HouseholdID]
		prob.Needs = append(prob.Needs, mn)
	}
	return Match(prob, opts)
}
