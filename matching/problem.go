package matching

import (
	"math"
	"strconv"
	"strings"
	"time"

	"lianzhu/domain"
)

// The matching engine (this file, candidates, score, text, flow, match and
// reasons) proposes, for every open need, at most one offering, job or
// volunteer pool, assigning all needs at once so that limited capacity goes
// where it does most good and a less urgent or less vulnerable need never
// pushes out a more urgent one. It is pure computation: it reads a Problem
// held in memory and returns a Result, with no I/O, no clock and no
// randomness, so the same Problem always gives the same Result (the server
// and the offline JSON tool feed it alike). The package comment is in
// policy.go.

// TargetKind is what a need can be matched to.
type TargetKind string

// Target kinds.
const (
	TargetOffering      TargetKind = "offering"       // a provider's offering of a catalogue item
	TargetJob           TargetKind = "job"            // an enterprise's job opening, for employment needs
	TargetVolunteerPool TargetKind = "volunteer_pool" // volunteers taking tasks, for task-like needs
)

// Valid reports whether k is a known kind.
func (k TargetKind) Valid() bool {
	return k == TargetOffering || k == TargetJob || k == TargetVolunteerPool
}

// Item is the part of a catalogue item the engine uses. It is a flat copy of
// domain.CatalogueItem so that a JSON file can carry it.
type Item struct {
	Code     string   `json:"code"`
	NameZh   string   `json:"name_zh,omitempty"`
	Synonyms []string `json:"synonyms,omitempty"`
	// Related items may serve the same need, at a lower category fit.
	Related    []string `json:"related,omitempty"`
	TaskLike   bool     `json:"task_like,omitempty"`
	Employment bool     `json:"employment,omitempty"`
}

// Need is an open need with the household facts that filters and priority
// read. Everything sensitive stays inside the engine: the Result names needs
// and targets by ID only.
type Need struct {
	ID          string `json:"id"`
	HouseholdID string `json:"household_id,omitempty"`
	Item        string `json:"item"`
	// Place is the household's community or compound code.
	Place    string         `json:"place"`
	Location *domain.LatLng `json:"location,omitempty"`
	// Words are the resident's own words; Note is the neutral note. Both feed
	// text relevance only and never leave the engine.
	Words   string         `json:"words,omitempty"`
	Note    string         `json:"note,omitempty"`
	Urgency domain.Urgency `json:"urgency"`
	// Assistance lists the household's current official statuses; an empty
	// list with JustOutside set is a household just outside a threshold.
	Assistance  []domain.AssistanceKind `json:"assistance,omitempty"`
	JustOutside bool                    `json:"just_outside,omitempty"`
	// Age of the member in years; nil when unknown, which fails any age limit
	// (an audience limit is never assumed to be met).
	Age         *int               `json:"age,omitempty"`
	Disability  *domain.Disability `json:"disability,omitempty"`
	LivingAlone bool               `json:"living_alone,omitempty"`
	// Consents lists the recipient kinds the member's consent currently
	// stands for; a target whose recipient kind is missing is filtered out.
	Consents     []domain.RecipientKind `json:"consents,omitempty"`
	DoNotContact bool                   `json:"do_not_contact,omitempty"`
	// VoucherLeftFen is what is left of the household's service voucher.
	VoucherLeftFen domain.Fen `json:"voucher_left_fen,omitempty"`
	// KnownProviders are providers that served the household before; a target
	// of one of them scores for continuity.
	KnownProviders []string `json:"known_providers,omitempty"`
}

// Target is an offering, a job opening or a volunteer pool with capacity.
type Target struct {
	Kind       TargetKind `json:"kind"`
	ID         string     `json:"id"`
	ProviderID string     `json:"provider_id,omitempty"`
	// Item is required for an offering. A job or a pool without one serves
	// every employment or task-like item respectively.
	Item string `json:"item,omitempty"`
	// Title and Text are matched against the need's words.
	Title    string          `json:"title,omitempty"`
	Text     string          `json:"text,omitempty"`
	Audience domain.Audience `json:"audience"`
	// Area limits where the target serves; an empty area serves everywhere
	// (allowed for jobs and pools only: an offering always has an area).
	Area domain.ServiceArea `json:"area"`
	// Location is where the service starts, for the distance factor; the
	// area's centre is used when it is nil.
	Location *domain.LatLng `json:"location,omitempty"`
	// CapacityLeft is what the target can still take in this run; the
	// offline instance calls it "capacity".
	CapacityLeft int `json:"capacity"`
	// PriceFen is what the resident pays per unit; VoucherFen is what the
	// voucher must cover per unit, so a need needs that much voucher left.
	PriceFen   domain.Fen `json:"price_fen,omitempty"`
	VoucherFen domain.Fen `json:"voucher_fen,omitempty"`
	// Recipient is the kind of recipient the household's data goes to, whose
	// consent is required.
	Recipient     domain.RecipientKind `json:"recipient"`
	ProviderLight domain.TrafficLight  `json:"provider_light"`
	// ProviderRating is the mean rating 1–5, 0 while RatingCount is 0.
	ProviderRating      float64 `json:"provider_rating,omitempty"`
	ProviderRatingCount int     `json:"provider_rating_count,omitempty"`
}

// Problem is one matching run's input, entirely in memory.
type Problem struct {
	Catalogue []Item   `json:"catalogue"`
	Needs     []Need   `json:"needs"`
	Targets   []Target `json:"targets"`
	// Weights of the score factors; nil means DefaultWeights.
	Weights *Weights `json:"weights,omitempty"`
}

// maxProblems caps the field errors Validate reports: a file with 30,000 bad
// rows needs its first mistakes shown, not a megabyte of them.
const maxProblems = 100

// Validate checks the problem and returns an EINVALID *domain.Error naming
// every bad field (up to 100): unknown references, duplicate IDs, negative
// capacities or amounts, NaN or infinite numbers, empty lists.
func (p *Problem) Validate() error {
	var pr domain.Problems
	items := map[string]Item{}
	if len(p.Catalogue) == 0 {
		pr.Add("catalogue", "required", "服务目录不能为空 / catalogue is empty")
	}
	for i, it := range p.Catalogue {
		f := "catalogue[" + strconv.Itoa(i) + "]"
		if it.Code == "" {
			pr.Add(f+".code", "required", "目录编码不能为空 / item code is empty")
		} else if _, dup := items[it.Code]; dup {
			pr.Addf(f+".code", "unique", "目录编码 %q 重复 / duplicate item", it.Code)
		}
		items[it.Code] = it
	}
	for i, it := range p.Catalogue {
		for j, r := range it.Related {
			if _, ok := items[r]; !ok || r == it.Code {
				pr.Addf("catalogue["+strconv.Itoa(i)+"].related["+strconv.Itoa(j)+"]", "exists", "相关服务 %q 不在目录中 / unknown related item", r)
			}
		}
	}
	if len(p.Needs) == 0 {
		pr.Add("needs", "required", "没有待匹配的需求 / no needs to match")
	}
	seen := map[string]bool{}
	for i := range p.Needs {
		if pr.Len() >= maxProblems {
			break
		}
		n := &p.Needs[i]
		if n.ID != "" && seen[n.ID] {
			pr.Addf("needs["+strconv.Itoa(i)+"].id", "unique", "需求 %q 重复 / duplicate need", n.ID)
		}
		seen[n.ID] = true
		validateNeed(&pr, "needs["+strconv.Itoa(i)+"]", n, items)
	}
	seenT := map[string]bool{}
	for i := range p.Targets {
		if pr.Len() >= maxProblems {
			break
		}
		t := &p.Targets[i]
		key := string(t.Kind) + "/" + t.ID
		if t.ID != "" && seenT[key] {
			pr.Addf("targets["+strconv.Itoa(i)+"].id", "unique", "对象 %q 重复 / duplicate target", key)
		}
		seenT[key] = true
		validateTarget(&pr, "targets["+strconv.Itoa(i)+"]", t, items)
	}
	if p.Weights != nil {
		pr.Merge("weights", p.Weights.Validate())
	}
	return pr.Err()
}

func validateNeed(pr *domain.Problems, f string, n *Need, items map[string]Item) {
	if n.ID == "" {
		pr.Add(f+".id", "required", "需求编号不能为空 / need id is empty")
	}
	if _, ok := items[n.Item]; !ok {
		pr.Addf(f+".item", "exists", "服务项目 %q 不在目录中 / unknown item", n.Item)
	}
	if domain.PlaceLevelOf(n.Place) == "" {
		pr.Addf(f+".place", "format", "区划代码 %q 格式错误 / bad place code", n.Place)
	}
	checkLatLng(pr, f+".location", n.Location)
	if !n.Urgency.Valid() {
		pr.Add(f+".urgency", "enum", "紧急程度须为 low、normal、high 或 critical")
	}
	for j, k := range n.Assistance {
		if !k.Valid() {
			pr.Add(f+".assistance["+strconv.Itoa(j)+"]", "enum", "救助类别无效 / unknown assistance kind")
		}
	}
	if n.Age != nil && (*n.Age < 0 || *n.Age > 150) {
		pr.Add(f+".age", "range", "年龄须在0–150之间 / age out of range")
	}
	if d := n.Disability; d != nil && (!d.Type.Valid() || d.Grade < 1 || d.Grade > 4) {
		pr.Add(f+".disability", "range", "残疾类别或等级无效 / bad disability")
	}
	for j, r := range n.Consents {
		if !r.Valid() {
			pr.Add(f+".consents["+strconv.Itoa(j)+"]", "enum", "授权对象无效 / unknown recipient kind")
		}
	}
	if n.VoucherLeftFen < 0 {
		pr.Add(f+".voucher_left_fen", "range", "服务券余额不能为负数 / negative voucher")
	}
}

func validateTarget(pr *domain.Problems, f string, t *Target, items map[string]Item) {
	if !t.Kind.Valid() {
		pr.Add(f+".kind", "enum", "对象类型须为 offering、job 或 volunteer_pool")
	}
	if t.ID == "" {
		pr.Add(f+".id", "required", "对象编号不能为空 / target id is empty")
	}
	it, ok := items[t.Item]
	switch {
	case t.Item == "" && t.Kind == TargetOffering:
		pr.Add(f+".item", "required", "服务供给须指定服务项目 / an offering needs an item")
	case t.Item != "" && !ok:
		pr.Addf(f+".item", "exists", "服务项目 %q 不在目录中 / unknown item", t.Item)
	case ok && t.Kind == TargetJob && !it.Employment:
		pr.Addf(f+".item", "enum", "岗位的服务项目 %q 不是就业类 / not an employment item", t.Item)
	case ok && t.Kind == TargetVolunteerPool && !it.TaskLike:
		pr.Addf(f+".item", "enum", "志愿者池的服务项目 %q 不能作为志愿任务 / not task-like", t.Item)
	}
	a := t.Audience
	if len(a.Tiers) == 0 && !a.JustOutside && !a.Anyone {
		pr.Add(f+".audience", "required", "服务对象须选择救助类别、边缘人群或所有困难群众")
	}
	for j, k := range a.Tiers {
		if !k.Valid() {
			pr.Add(f+".audience.tiers["+strconv.Itoa(j)+"]", "enum", "救助类别无效")
		}
	}
	if a.MinAge < 0 || a.MaxAge < 0 || (a.MaxAge > 0 && a.MinAge > a.MaxAge) {
		pr.Add(f+".audience.max_age", "range", "年龄范围无效 / bad age range")
	}
	for _, code := range append(append([]string(nil), a.Places...), t.Area.Places...) {
		if domain.PlaceLevelOf(code) == "" {
			pr.Addf(f+".area", "format", "区划代码 %q 格式错误 / bad place code", code)
		}
	}
	checkLatLng(pr, f+".area.center", t.Area.Center)
	checkLatLng(pr, f+".location", t.Location)
	if t.Area.RadiusM < 0 || (t.Area.RadiusM > 0 && t.Area.Center == nil) {
		pr.Add(f+".area.radius_m", "range", "服务半径须为正数且有中心点 / radius needs a centre")
	}
	if t.Kind == TargetOffering && len(t.Area.Places) == 0 && t.Area.Center == nil {
		pr.Add(f+".area", "required", "服务供给须有服务范围 / an offering needs a service area")
	}
	if t.CapacityLeft < 0 {
		pr.Add(f+".capacity", "range", "剩余容量不能为负数 / negative capacity")
	}
	if t.PriceFen < 0 || t.VoucherFen < 0 {
		pr.Add(f+".price_fen", "range", "价格不能为负数 / negative price")
	}
	if !t.Recipient.Valid() {
		pr.Add(f+".recipient", "enum", "授权对象须为 ngo_unit、volunteer 或 employer")
	}
	if !t.ProviderLight.Valid() {
		pr.Add(f+".provider_light", "enum", "信用灯须为 green、yellow 或 red")
	}
	r := t.ProviderRating
	if math.IsNaN(r) || math.IsInf(r, 0) || r < 0 || r > 5 || t.ProviderRatingCount < 0 ||
		(t.ProviderRatingCount > 0 && r < 1) {
		pr.Add(f+".provider_rating", "range", "评分须在1–5之间 / rating out of range")
	}
}

// checkLatLng rejects NaN, infinities and out-of-range coordinates; nil is
// "unknown" and fine.
func checkLatLng(pr *domain.Problems, field string, l *domain.LatLng) {
	if l == nil {
		return
	}
	if math.IsNaN(l.Lat) || math.IsNaN(l.Lng) || l.Lat < -90 || l.Lat > 90 || l.Lng < -180 || l.Lng > 180 {
		pr.Add(field, "range", "经纬度超出范围 / coordinates out of range")
	}
}

// ItemsFrom copies the catalogue into the engine's flat items.
func ItemsFrom(c *domain.Catalogue) []Item {
	var out []Item
	for _, it := range c.All() {
		out = append(out, Item{Code: it.Code, NameZh: it.NameZh, Synonyms: it.Synonyms, Related: it.Related,
			TaskLike: it.TaskLike, Employment: it.Employment})
	}
	return out
}

// NeedFrom builds the engine's need from a domain need and its household,
// reading the member's age at now and the consents that stand. The caller
// adds what the household file does not hold: JustOutside (from policy
// evaluation), VoucherLeftFen (from the ledger) and KnownProviders (from
// past referrals). The household must be the need's and hold its member.
func NeedFrom(n domain.Need, h *domain.Household, now time.Time) (Need, error) {
	if h == nil || h.ID != n.HouseholdID {
		return Need{}, domain.Invalid("household_id", "exists", "需求的家庭档案不存在 / household not found")
	}
	m, ok := h.Member(n.MemberID)
	if !ok {
		return Need{}, domain.Invalid("member_id", "exists", "该家庭没有此成员 / member not found")
	}
	out := Need{ID: n.ID, HouseholdID: h.ID, Item: n.Item, Place: n.Place, Location: h.Location,
		Words: n.OwnWords, Note: n.NeutralNote, Urgency: n.Urgency, DoNotContact: h.DoNotContact,
		LivingAlone: h.LivingAlone != nil && h.LivingAlone.Value}
	if m.BirthYear > 0 {
		age := m.Age(now)
		out.Age = &age
	}
	if m.Disability != nil {
		d := m.Disability.Value
		out.Disability = &d
	}
	for _, a := range h.Assistance {
		out.Assistance = append(out.Assistance, a.Kind)
	}
	for _, r := range domain.RecipientKinds() {
		if domain.ConsentGiven(h.Consents, m.ID, r) {
			out.Consents = append(out.Consents, r)
		}
	}
	return out, nil
}

// OfferingTarget builds a target from an offering and its provider. It
// reports false for an offering that takes no referrals at now (paused,
// closed or outside its validity); one with nothing left stays, so that the
// gap report can say its capacity is taken. Organisations receive data as
// NGOs and units do; a volunteer provider as a volunteer.
func OfferingTarget(o domain.Offering, p domain.Provider, now time.Time) (Target, bool) {
	if o.Status != domain.OfferingActive || now.Before(o.ValidFrom) || (!o.ValidTo.IsZero() && now.After(o.ValidTo)) {
		return Target{}, false
	}
	recipient := domain.RecipientNGOUnit
	if p.Kind == domain.ProviderVolunteer {
		recipient = domain.RecipientVolunteer
	}
	return Target{Kind: TargetOffering, ID: o.ID, ProviderID: p.ID, Item: o.Item, Title: o.Title,
		Text: o.Description, Audience: o.Audience, Area: o.Area, CapacityLeft: o.Left, PriceFen: o.PriceFen,
		VoucherFen: o.VoucherFen, Recipient: recipient, ProviderLight: p.TrafficLight,
		ProviderRating: p.Rating, ProviderRatingCount: p.RatingCount}, true
}

// JobTarget builds a target from an open job opening and its enterprise; a
// job is open to anyone in hardship and located at its place's centre when
// places knows it. It reports false for a job that is not open.
func JobTarget(j domain.JobOpening, p domain.Provider, places *domain.Places) (Target, bool) {
	if j.Status != domain.JobOpen {
		return Target{}, false
	}
	t := Target{Kind: TargetJob, ID: j.ID, ProviderID: p.ID, Item: j.Item, Title: j.Title,
		Text:     j.KindOfWork + " " + j.Training + " " + strings.Join(j.Requirements.Skills, " "),
		Audience: domain.Audience{Anyone: true}, CapacityLeft: j.Openings, Recipient: domain.RecipientEmployer,
		ProviderLight: p.TrafficLight, ProviderRating: p.Rating, ProviderRatingCount: p.RatingCount}
	if places != nil {
		if pl, ok := places.Get(j.Place); ok && (pl.Lat != 0 || pl.Lng != 0) {
			t.Location = &domain.LatLng{Lat: pl.Lat, Lng: pl.Lng}
		}
	}
	return t, true
}
