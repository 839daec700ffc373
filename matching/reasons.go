package matching

// Reason says why a need got no proposal. The set is closed and documented
// because the supply-gap report sums needs by item, place and reason: a
// district plans differently for "nobody offers bathing here" than for
// "bathing is there but full".
type Reason string

// Reasons, in the order the engine checks them for a need. When candidates
// fail at different checks, the reason is the one that got furthest: an
// offering that failed only on consent says more than one in another street.
const (
	// ReasonDoNotContact: the resident asked not to be contacted, so the need
	// is never proposed to anyone.
	ReasonDoNotContact Reason = "do_not_contact"
	// ReasonNoSupply: no offering, job or volunteer pool of this item or a
	// related one exists in the run.
	ReasonNoSupply Reason = "no_supply"
	// ReasonOutsideArea: supply exists, but none serves the household's place
	// or lies within reach of its location.
	ReasonOutsideArea Reason = "outside_service_area"
	// ReasonAudience: supply reaches the home, but is meant for other
	// assistance tiers (or only for people inside or just outside them).
	ReasonAudience Reason = "audience_mismatch"
	// ReasonEligibility: the audience fits, but an age, disability or place
	// limit excludes the member.
	ReasonEligibility Reason = "eligibility_limits"
	// ReasonProviderRed: supply fits the member, but every provider of it is
	// red (no new referrals) until its standing improves.
	ReasonProviderRed Reason = "provider_red"
	// ReasonNoCapacity: fitting targets exist, but had no capacity left before
	// this run.
	ReasonNoCapacity Reason = "no_capacity_left"
	// ReasonVoucherExhausted: fitting targets are priced and the household's
	// service voucher has too little left.
	ReasonVoucherExhausted Reason = "voucher_exhausted"
	// ReasonNoConsent: a target fits and can take the need, but the member has
	// not consented to sharing with that kind of recipient (NGO, volunteer,
	// employer). It is checked last because it is the household's choice: the
	// coordinator can ask, which helps only when nothing else stands in the way.
	ReasonNoConsent Reason = "no_consent"
	// ReasonTakenByHigherPriority: the need had candidates, but all of their
	// capacity went to more urgent or more vulnerable needs.
	ReasonTakenByHigherPriority Reason = "capacity_taken_by_higher_priority"
	// ReasonTakenBySamePriority: the need had candidates, but their capacity
	// went to needs of the same priority that scored higher with them.
	ReasonTakenBySamePriority Reason = "capacity_taken_by_same_priority"
)

// reasonTexts holds each reason's explanation for coordinators, in Chinese
// and English, in check order.
var reasonTexts = []struct {
	reason Reason
	zh, en string
}{
	{ReasonDoNotContact, "居民要求不被联系，不向任何服务方推荐", "the resident asked not to be contacted"},
	{ReasonNoSupply, "辖区内没有该项目或相关项目的服务供给", "no offering, job or volunteer pool of this item or a related one"},
	{ReasonOutsideArea, "没有服务范围覆盖该居民住址的供给", "no supply serves the household's place or is within reach"},
	{ReasonAudience, "供给面向的救助类别与该户不符", "the supply is meant for other assistance tiers"},
	{ReasonEligibility, "年龄、残疾或区域限制不符", "an age, disability or place limit excludes the member"},
	{ReasonProviderRed, "该项目的服务方均为红灯，暂停接收转介", "every provider of this item is red and takes no new referrals"},
	{ReasonNoCapacity, "符合条件的供给已无剩余名额", "no capacity was left on fitting supply"},
	{ReasonVoucherExhausted, "服务券余额不足以支付该项目", "the service voucher has too little left for priced supply"},
	{ReasonNoConsent, "居民未授权向该类服务方提供信息", "no consent for sharing with that kind of recipient"},
	{ReasonTakenByHigherPriority, "名额已分配给更紧急或更困难的需求", "all capacity went to more urgent or more vulnerable needs"},
	{ReasonTakenBySamePriority, "名额已分配给同等优先级、匹配度更高的需求", "capacity went to needs of the same priority that fit better"},
}

// Reasons returns every reason in check order, for documentation and forms.
func Reasons() []Reason {
	out := make([]Reason, len(reasonTexts))
	for i, r := range reasonTexts {
		out[i] = r.reason
	}
	return out
}

// Valid reports whether r is a known reason.
func (r Reason) Valid() bool { return r.index() >= 0 }

// Zh returns the Chinese explanation shown to coordinators, "" if unknown.
func (r Reason) Zh() string {
	if i := r.index(); i >= 0 {
		return reasonTexts[i].zh
	}
	return ""
}

// En returns the English explanation, "" if unknown.
func (r Reason) En() string {
	if i := r.index(); i >= 0 {
		return reasonTexts[i].en
	}
	return ""
}

func (r Reason) index() int {
	for i, t := range reasonTexts {
		if t.reason == r {
			return i
		}
	}
	return -1
}
