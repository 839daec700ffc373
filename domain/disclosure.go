package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Field-level disclosure (Personal Information Protection Law): which role
// sees which field of which record, in which stage of its relation to the
// record. It is one table, DisclosureRules; handlers ask Disclosure.Visible
// and never decide field by field themselves.

// Subject is a kind of record whose fields are disclosed.
type Subject string

// Subjects.
const (
	SubjectHousehold Subject = "household"
	SubjectNeed      Subject = "need"
	SubjectTask      Subject = "task"
	SubjectReferral  Subject = "referral"
	SubjectCandidate Subject = "candidate" // a member proposed to an employer
)

// Field is one disclosed field (or group of fields), named "subject.field".
type Field string

// Subject returns the field's subject.
func (f Field) Subject() Subject {
	s, _, _ := strings.Cut(string(f), ".")
	return Subject(s)
}

// Household file fields.
const (
	FieldHouseholdPlace      Field = "household.place"
	FieldHouseholdAddress    Field = "household.address"
	FieldHouseholdLocation   Field = "household.location"
	FieldHouseholdMembers    Field = "household.members" // names, relations, birth years
	FieldHouseholdIDNumbers  Field = "household.id_numbers"
	FieldHouseholdPhones     Field = "household.phones"
	FieldHouseholdIncome     Field = "household.income" // income, assets, supporters
	FieldHouseholdHealth     Field = "household.health" // disability, illness, medical costs
	FieldHouseholdAssistance Field = "household.assistance"
	FieldHouseholdSkills     Field = "household.skills"
	FieldHouseholdConsents   Field = "household.consents"
	FieldHouseholdLog        Field = "household.log"
)

// Need fields.
const (
	FieldNeedItem          Field = "need.item"
	FieldNeedNeutralNote   Field = "need.neutral_note"
	FieldNeedPlace         Field = "need.place" // the community
	FieldNeedUrgency       Field = "need.urgency"
	FieldNeedPreferredTime Field = "need.preferred_time"
	FieldNeedState         Field = "need.state"
	FieldNeedOwnWords      Field = "need.own_words"
	FieldNeedHousehold     Field = "need.household" // household and member
	FieldNeedChannel       Field = "need.channel"
	FieldNeedCreatedBy     Field = "need.created_by"
)

// Task fields.
const (
	FieldTaskItem      Field = "task.item"
	FieldTaskNote      Field = "task.note"
	FieldTaskPlace     Field = "task.place"
	FieldTaskWindow    Field = "task.window"
	FieldTaskSkills    Field = "task.skills"
	FieldTaskState     Field = "task.state"
	FieldTaskResident  Field = "task.resident" // masked: 李先生, 70s
	FieldTaskAddress   Field = "task.address"
	FieldTaskVolunteer Field = "task.volunteer"
	FieldTaskHours     Field = "task.hours"
	FieldTaskHousehold Field = "task.household" // household, member, need and referral
)

// Referral fields.
const (
	FieldReferralItem           Field = "referral.item"
	FieldReferralState          Field = "referral.state"
	FieldReferralPlace          Field = "referral.place"
	FieldReferralNeutralNote    Field = "referral.neutral_note"
	FieldReferralResident       Field = "referral.resident" // masked
	FieldReferralName           Field = "referral.name"
	FieldReferralPhone          Field = "referral.phone"
	FieldReferralAddress        Field = "referral.address"
	FieldReferralHistory        Field = "referral.history"
	FieldReferralDecision       Field = "referral.decision" // decline reason, outcome, result
	FieldReferralProof          Field = "referral.proof"
	FieldReferralRating         Field = "referral.rating"
	FieldReferralVoucher        Field = "referral.voucher"
	FieldReferralOwnWords       Field = "referral.own_words"
	FieldReferralWhy            Field = "referral.why" // score, factors, gaps
	FieldReferralHouseholdFacts Field = "referral.household_facts"
)

// Job candidate fields: a member proposed for a job, or applying to it.
const (
	FieldCandidateSkills         Field = "candidate.skills"
	FieldCandidateAvailability   Field = "candidate.availability"
	FieldCandidateResident       Field = "candidate.resident"    // masked: 李先生, 40s
	FieldCandidatePlace          Field = "candidate.place"       // the community
	FieldCandidateApplication    Field = "candidate.application" // the application's job, state and times
	FieldCandidateContact        Field = "candidate.contact"     // full name and phone
	FieldCandidateWhy            Field = "candidate.why"         // why they are a candidate: score, factors
	FieldCandidateHouseholdFacts Field = "candidate.household_facts"
	FieldCandidateHousehold      Field = "candidate.household" // household, member, proposal, need, history and notes
)

// Stage is the viewer's relation to a record.
type Stage string

// Stages.
const (
	StageNone    Stage = "none"    // no relation: the task board, the need list, the candidate list
	StagePending Stage = "pending" // offered to the viewer, awaiting their decision
	StageActive  Stage = "active"  // the viewer is serving: an active claim, an accepted referral, an application
	StageEnded   Stage = "ended"   // the viewer's part is over
)

// Stages returns every stage.
func Stages() []Stage { return []Stage{StageNone, StagePending, StageActive, StageEnded} }

// DisclosureRule says who sees one field in which stages.
type DisclosureRule struct {
	Field Field
	// Personal fields identify or reach a resident: outside coordinators they
	// need the member's consent for the viewer's recipient kind. Nothing at
	// all reaches a provider, volunteer or employer about a do-not-contact
	// resident.
	Personal bool
	Sees     map[Role][]Stage
}

// DisclosureRules is the disclosure table. Coordinators (within their place;
// handlers answer 404 outside it) see every field; admins run the system and
// see none of these. Providers see needs only as the neutral note and a
// referral's contact details only while serving it; volunteers see a task's
// address only while holding an active claim; employers see a candidate
// masked, with skills, availability and community, their contact only from
// the interview on, never why they are a candidate.
func DisclosureRules() []DisclosureRule {
	all := Stages()
	offered := []Stage{StagePending, StageActive, StageEnded}
	active := []Stage{StageActive}
	served := []Stage{StageActive, StageEnded}
	ended := []Stage{StageEnded}
	coord := func() map[Role][]Stage { return map[Role][]Stage{RoleCoordinator: all} }
	prov := func(st []Stage) map[Role][]Stage {
		return map[Role][]Stage{RoleCoordinator: all, RoleNGO: st, RoleUnit: st, RoleEnterprise: st}
	}
	vol := func(st []Stage) map[Role][]Stage { return map[Role][]Stage{RoleCoordinator: all, RoleVolunteer: st} }
	// Enterprises and units post jobs (handlers/offerings.go): both employ.
	emp := func(st []Stage) map[Role][]Stage {
		return map[Role][]Stage{RoleCoordinator: all, RoleEnterprise: st, RoleUnit: st}
	}
	return []DisclosureRule{
		{FieldHouseholdPlace, false, coord()},
		{FieldHouseholdAddress, true, coord()},
		{FieldHouseholdLocation, true, coord()},
		{FieldHouseholdMembers, true, coord()},
		{FieldHouseholdIDNumbers, true, coord()},
		{FieldHouseholdPhones, true, coord()},
		{FieldHouseholdIncome, true, coord()},
		{FieldHouseholdHealth, true, coord()},
		{FieldHouseholdAssistance, true, coord()},
		{FieldHouseholdSkills, true, coord()},
		{FieldHouseholdConsents, true, coord()},
		{FieldHouseholdLog, true, coord()},

		{FieldNeedItem, false, prov(all)},
		{FieldNeedNeutralNote, false, prov(all)},
		{FieldNeedPlace, false, prov(all)},
		{FieldNeedUrgency, false, prov(all)},
		{FieldNeedPreferredTime, false, prov(all)},
		{FieldNeedState, false, prov(all)},
		{FieldNeedOwnWords, true, coord()},
		{FieldNeedHousehold, true, coord()},
		{FieldNeedChannel, false, coord()},
		{FieldNeedCreatedBy, false, coord()},

		{FieldTaskItem, false, vol(all)},
		{FieldTaskNote, false, vol(all)},
		{FieldTaskPlace, false, vol(all)},
		{FieldTaskWindow, false, vol(all)},
		{FieldTaskSkills, false, vol(all)},
		{FieldTaskState, false, vol(all)},
		{FieldTaskResident, true, vol(all)},
		{FieldTaskAddress, true, vol(active)},
		{FieldTaskVolunteer, false, vol(served)},
		{FieldTaskHours, false, vol(served)},
		{FieldTaskHousehold, true, coord()},

		{FieldReferralItem, false, prov(offered)},
		{FieldReferralState, false, prov(offered)},
		{FieldReferralPlace, false, prov(offered)},
		{FieldReferralNeutralNote, false, prov(offered)},
		{FieldReferralResident, true, prov(offered)},
		{FieldReferralName, true, prov(active)},
		{FieldReferralPhone, true, prov(active)},
		{FieldReferralAddress, true, prov(active)},
		{FieldReferralHistory, false, prov(offered)},
		{FieldReferralDecision, false, prov(ended)},
		{FieldReferralProof, false, prov(served)},
		{FieldReferralRating, false, prov(ended)},
		{FieldReferralVoucher, false, prov(served)},
		{FieldReferralOwnWords, true, coord()},
		{FieldReferralWhy, true, coord()},
		{FieldReferralHouseholdFacts, true, coord()},

		{FieldCandidateSkills, true, emp(all)},
		{FieldCandidateAvailability, true, emp(all)},
		{FieldCandidateResident, true, emp(all)},
		{FieldCandidatePlace, false, emp(all)},
		{FieldCandidateApplication, false, emp(offered)},
		{FieldCandidateContact, true, emp(active)},
		{FieldCandidateWhy, true, coord()},
		{FieldCandidateHouseholdFacts, true, coord()},
		{FieldCandidateHousehold, true, coord()},
	}
}

// Disclosure answers questions about the table. Build it once (NewDisclosure)
// and share it: it is never mutated.
type Disclosure struct {
	rules map[Field]DisclosureRule
	order []Field
}

// NewDisclosure indexes DisclosureRules.
func NewDisclosure() *Disclosure {
	d := &Disclosure{rules: map[Field]DisclosureRule{}}
	for _, r := range DisclosureRules() {
		d.rules[r.Field] = r
		d.order = append(d.order, r.Field)
	}
	return d
}

// Viewer is who looks at a record and how they stand to it.
type Viewer struct {
	Role  Role
	Stage Stage
	// Consented: the member consented to the viewer's recipient kind
	// (RecipientFor); DoNotContact: the household said "do not contact".
	Consented    bool
	DoNotContact bool
}

// ViewerOf describes a viewer of a record about a member of h (nil when the
// record concerns no household).
func ViewerOf(role Role, stage Stage, s Subject, h *Household, memberID string) Viewer {
	v := Viewer{Role: role, Stage: stage}
	if h != nil {
		v.DoNotContact = h.DoNotContact
		if kind, ok := RecipientFor(role, s); ok {
			v.Consented = h.Allows(memberID, kind)
		}
	}
	return v
}

// RecipientFor is the consent a role needs to see personal fields of a
// subject: volunteers their own; enterprises and units (both post jobs) the
// employer consent for candidates and, serving like NGOs, the NGO/unit
// consent otherwise.
func RecipientFor(role Role, s Subject) (RecipientKind, bool) {
	switch {
	case role == RoleVolunteer:
		return RecipientVolunteer, true
	case (role == RoleEnterprise || role == RoleUnit) && s == SubjectCandidate:
		return RecipientEmployer, true
	case role.IsProvider():
		return RecipientNGOUnit, true
	}
	return "", false
}

// Visible reports whether v may see f.
func (d *Disclosure) Visible(v Viewer, f Field) bool {
	r, ok := d.rules[f]
	if !ok || !slices.Contains(r.Sees[v.Role], v.Stage) {
		return false
	}
	if v.Role == RoleCoordinator || v.Role == RoleAdmin {
		return true
	}
	return !v.DoNotContact && (!r.Personal || v.Consented)
}

// Fields returns the fields of subject s that v may see, in table order.
func (d *Disclosure) Fields(v Viewer, s Subject) []Field {
	var out []Field
	for _, f := range d.order {
		if f.Subject() == s && d.Visible(v, f) {
			out = append(out, f)
		}
	}
	return out
}

// TaskStage is a volunteer's stage on a task: active while holding the
// claim, ended once their visit is done or the task they held was
// cancelled, none otherwise (the board).
func TaskStage(t Task, volunteerID string) Stage {
	switch {
	case t.Holds(volunteerID):
		return StageActive
	case volunteerID != "" && t.VolunteerID == volunteerID:
		return StageEnded
	}
	return StageNone
}

// ReferralStage is the provider's stage on its referral: pending until it
// decides, active while serving, ended after.
func ReferralStage(s ReferralState) Stage {
	switch s {
	case ReferralAwaitingProvider:
		return StagePending
	case ReferralAccepted, ReferralInService:
		return StageActive
	}
	return StageEnded
}

// ApplicationStage is an employer's stage on a candidate: none while only
// proposed (no application, ""), pending while applied (awaiting the
// employer's decision to interview), active from the interview on and while
// employing them (hired), ended when rejected or withdrawn. The contact
// details are for the active stage only.
func ApplicationStage(s ApplicationState) Stage {
	switch s {
	case "":
		return StageNone
	case ApplicationApplied:
		return StagePending
	case ApplicationInterview, ApplicationHired:
		return StageActive
	}
	return StageEnded
}

// MaskResidentName returns how a resident is shown outside the coordinators:
// surname, honorific and age decade ("李先生, 70s"). Minors get "同学" and no
// age; an unknown gender "某"; an unknown birth year no age.
func MaskResidentName(name string, g Gender, birthYear int, now time.Time) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return "居民"
	}
	_, size := utf8.DecodeRuneInString(name)
	surname := name[:size]
	for _, compound := range []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容",
		"长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门"} {
		if strings.HasPrefix(name, compound) && utf8.RuneCountInString(name) > 2 {
			surname = compound
			break
		}
	}
	age := now.In(ChinaZone()).Year() - birthYear
	known := birthYear > 0 && age >= 0 && age <= 130
	if known && age < 18 {
		return surname + "同学"
	}
	switch g {
	case GenderMale:
		surname += "先生"
	case GenderFemale:
		surname += "女士"
	default:
		surname += "某"
	}
	if !known {
		return surname
	}
	return fmt.Sprintf("%s, %ds", surname, age/10*10)
}
