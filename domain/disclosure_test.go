package domain

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// seenOutside lists, for each role outside the coordinators, the fields it
// sees and in which stages (N none, P pending, A active, E ended): the
// disclosure matrix of DOMAIN.md written out by hand, independently of the
// table.
func seenOutside() map[Role]map[Field]string {
	provider := map[Field]string{
		FieldNeedItem: "NPAE", FieldNeedNeutralNote: "NPAE", FieldNeedPlace: "NPAE", FieldNeedUrgency: "NPAE",
		FieldNeedPreferredTime: "NPAE", FieldNeedState: "NPAE",
		FieldReferralItem: "PAE", FieldReferralState: "PAE", FieldReferralPlace: "PAE", FieldReferralNeutralNote: "PAE",
		FieldReferralResident: "PAE", FieldReferralHistory: "PAE",
		FieldReferralName: "A", FieldReferralPhone: "A", FieldReferralAddress: "A",
		FieldReferralProof: "AE", FieldReferralVoucher: "AE",
		FieldReferralDecision: "E", FieldReferralRating: "E",
	}
	enterprise := map[Field]string{FieldCandidateSkills: "NPAE", FieldCandidateAvailability: "NPAE",
		FieldCandidateResident: "NPAE", FieldCandidatePlace: "NPAE", FieldCandidateApplication: "PAE", FieldCandidateContact: "A"}
	for f, s := range provider {
		enterprise[f] = s
	}
	unit := enterprise // units post jobs too
	volunteer := map[Field]string{
		FieldTaskItem: "NPAE", FieldTaskNote: "NPAE", FieldTaskPlace: "NPAE", FieldTaskWindow: "NPAE", FieldTaskSkills: "NPAE",
		FieldTaskState: "NPAE", FieldTaskResident: "NPAE",
		FieldTaskAddress: "A", FieldTaskVolunteer: "AE", FieldTaskHours: "AE",
	}
	return map[Role]map[Field]string{RoleNGO: provider, RoleUnit: unit, RoleEnterprise: enterprise, RoleVolunteer: volunteer}
}

// personalOutside are the fields seen outside the coordinators that identify
// or reach a resident, so need consent.
func personalOutside() []Field {
	return []Field{FieldTaskResident, FieldTaskAddress, FieldReferralResident, FieldReferralName, FieldReferralPhone,
		FieldReferralAddress, FieldCandidateSkills, FieldCandidateAvailability, FieldCandidateResident, FieldCandidateContact}
}

// TestDisclosureMatrix enumerates role × field × stage × consent ×
// do-not-contact against the hand-written matrix.
func TestDisclosureMatrix(t *testing.T) {
	d := NewDisclosure()
	seen := seenOutside()
	letter := map[Stage]string{StageNone: "N", StagePending: "P", StageActive: "A", StageEnded: "E"}
	checked := 0
	for _, role := range Roles() {
		for _, rule := range DisclosureRules() {
			for _, stage := range Stages() {
				for _, consented := range []bool{false, true} {
					for _, dnc := range []bool{false, true} {
						v := Viewer{Role: role, Stage: stage, Consented: consented, DoNotContact: dnc}
						var want bool
						switch role {
						case RoleCoordinator:
							want = true
						case RoleAdmin:
							want = false
						default:
							personal := slices.Contains(personalOutside(), rule.Field)
							want = strings.Contains(seen[role][rule.Field], letter[stage]) && !dnc && (!personal || consented)
						}
						if got := d.Visible(v, rule.Field); got != want {
							t.Errorf("Visible(%+v, %s) = %v, want %v", v, rule.Field, got, want)
						}
						checked++
					}
				}
			}
		}
	}
	if want := len(Roles()) * len(DisclosureRules()) * len(Stages()) * 4; checked != want || len(DisclosureRules()) != 58 {
		t.Fatalf("checked %d cells of %d fields", checked, len(DisclosureRules()))
	}
	// Every field the hand-written matrix names exists in the table.
	for role, fields := range seen {
		for f := range fields {
			if _, ok := d.rules[f]; !ok {
				t.Errorf("%s: %s is not in the table", role, f)
			}
		}
	}
}

func TestDisclosureTableShape(t *testing.T) {
	subjects := []Subject{SubjectHousehold, SubjectNeed, SubjectTask, SubjectReferral, SubjectCandidate}
	seen := map[Field]bool{}
	for _, r := range DisclosureRules() {
		if seen[r.Field] {
			t.Errorf("%s twice", r.Field)
		}
		seen[r.Field] = true
		if !slices.Contains(subjects, r.Field.Subject()) {
			t.Errorf("%s: unknown subject", r.Field)
		}
		for role, stages := range r.Sees {
			if !role.Valid() || role == RoleAdmin || len(stages) == 0 {
				t.Errorf("%s: role %q sees %v", r.Field, role, stages)
			}
			for _, s := range stages {
				if !slices.Contains(Stages(), s) {
					t.Errorf("%s: unknown stage %q", r.Field, s)
				}
			}
		}
		if !slices.Equal(r.Sees[RoleCoordinator], Stages()) {
			t.Errorf("%s: coordinators must see it in every stage", r.Field)
		}
		// What only coordinators may ever see: the file, the resident's own
		// words, and why anyone was proposed.
		secret := r.Field.Subject() == SubjectHousehold || strings.HasSuffix(string(r.Field), ".own_words") ||
			strings.HasSuffix(string(r.Field), ".why") || strings.HasSuffix(string(r.Field), ".household_facts") ||
			strings.HasSuffix(string(r.Field), ".household")
		if secret && len(r.Sees) != 1 {
			t.Errorf("%s must be for coordinators only", r.Field)
		}
		if slices.Contains(personalOutside(), r.Field) != (r.Personal && len(r.Sees) > 1) {
			t.Errorf("%s: personal flag %v", r.Field, r.Personal)
		}
	}
}

func TestDisclosureFields(t *testing.T) {
	d := NewDisclosure()
	tests := []struct {
		name    string
		v       Viewer
		subject Subject
		want    []Field
	}{
		{"volunteer on the board", Viewer{Role: RoleVolunteer, Stage: StageNone, Consented: true}, SubjectTask,
			[]Field{FieldTaskItem, FieldTaskNote, FieldTaskPlace, FieldTaskWindow, FieldTaskSkills, FieldTaskState, FieldTaskResident}},
		{"volunteer holding the claim", Viewer{Role: RoleVolunteer, Stage: StageActive, Consented: true}, SubjectTask,
			[]Field{FieldTaskItem, FieldTaskNote, FieldTaskPlace, FieldTaskWindow, FieldTaskSkills, FieldTaskState, FieldTaskResident,
				FieldTaskAddress, FieldTaskVolunteer, FieldTaskHours}},
		{"volunteer, consent withdrawn", Viewer{Role: RoleVolunteer, Stage: StageActive}, SubjectTask,
			[]Field{FieldTaskItem, FieldTaskNote, FieldTaskPlace, FieldTaskWindow, FieldTaskSkills, FieldTaskState, FieldTaskVolunteer, FieldTaskHours}},
		{"volunteer, do not contact", Viewer{Role: RoleVolunteer, Stage: StageActive, Consented: true, DoNotContact: true}, SubjectTask, nil},
		{"NGO on a need", Viewer{Role: RoleNGO, Stage: StageNone}, SubjectNeed,
			[]Field{FieldNeedItem, FieldNeedNeutralNote, FieldNeedPlace, FieldNeedUrgency, FieldNeedPreferredTime, FieldNeedState}},
		{"employer on a candidate", Viewer{Role: RoleEnterprise, Stage: StageNone, Consented: true}, SubjectCandidate,
			[]Field{FieldCandidateSkills, FieldCandidateAvailability, FieldCandidateResident, FieldCandidatePlace}},
		{"employer without consent", Viewer{Role: RoleEnterprise, Stage: StageNone}, SubjectCandidate, []Field{FieldCandidatePlace}},
		{"employer, applied", Viewer{Role: RoleEnterprise, Stage: StagePending, Consented: true}, SubjectCandidate,
			[]Field{FieldCandidateSkills, FieldCandidateAvailability, FieldCandidateResident, FieldCandidatePlace, FieldCandidateApplication}},
		{"employer, interview", Viewer{Role: RoleEnterprise, Stage: StageActive, Consented: true}, SubjectCandidate,
			[]Field{FieldCandidateSkills, FieldCandidateAvailability, FieldCandidateResident, FieldCandidatePlace,
				FieldCandidateApplication, FieldCandidateContact}},
		{"employer, consent withdrawn during the interview", Viewer{Role: RoleEnterprise, Stage: StageActive}, SubjectCandidate,
			[]Field{FieldCandidatePlace, FieldCandidateApplication}},
		{"employer, do not contact", Viewer{Role: RoleEnterprise, Stage: StageActive, Consented: true, DoNotContact: true}, SubjectCandidate, nil},
		{"unit on a household", Viewer{Role: RoleUnit, Stage: StageActive, Consented: true}, SubjectHousehold, nil},
		{"admin on a household", Viewer{Role: RoleAdmin, Stage: StageNone}, SubjectHousehold, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.Fields(tt.v, tt.subject); !slices.Equal(got, tt.want) {
				t.Fatalf("Fields = %v", got)
			}
		})
	}
	if d.Visible(Viewer{Role: RoleCoordinator, Stage: StageNone}, "task.secret") {
		t.Fatal("a field missing from the table is never visible")
	}
	coord := d.Fields(Viewer{Role: RoleCoordinator, Stage: StageNone, DoNotContact: true}, SubjectHousehold)
	if len(coord) != 12 {
		t.Fatalf("coordinators see the whole file, do-not-contact or not: %v", coord)
	}
}

func TestRecipientForAndViewerOf(t *testing.T) {
	tests := []struct {
		role    Role
		subject Subject
		want    RecipientKind
		ok      bool
	}{
		{RoleVolunteer, SubjectTask, RecipientVolunteer, true},
		{RoleNGO, SubjectReferral, RecipientNGOUnit, true},
		{RoleUnit, SubjectNeed, RecipientNGOUnit, true},
		{RoleEnterprise, SubjectReferral, RecipientNGOUnit, true},
		{RoleEnterprise, SubjectCandidate, RecipientEmployer, true},
		{RoleUnit, SubjectCandidate, RecipientEmployer, true},
		{RoleCoordinator, SubjectHousehold, "", false},
		{RoleAdmin, SubjectTask, "", false},
	}
	for _, tt := range tests {
		if got, ok := RecipientFor(tt.role, tt.subject); got != tt.want || ok != tt.ok {
			t.Errorf("RecipientFor(%s, %s) = %s, %v", tt.role, tt.subject, got, ok)
		}
	}
	h := fxHousehold(t) // m1 consented to NGOs and units, m2 (through a guardian) to volunteers
	views := []struct {
		name string
		got  Viewer
		want Viewer
	}{
		{"NGO, consented", ViewerOf(RoleNGO, StageActive, SubjectReferral, h, "m1"), Viewer{Role: RoleNGO, Stage: StageActive, Consented: true}},
		{"volunteer, not consented", ViewerOf(RoleVolunteer, StageActive, SubjectTask, h, "m1"), Viewer{Role: RoleVolunteer, Stage: StageActive}},
		{"volunteer, guardian consented", ViewerOf(RoleVolunteer, StageNone, SubjectTask, h, "m2"), Viewer{Role: RoleVolunteer, Stage: StageNone, Consented: true}},
		{"employer", ViewerOf(RoleEnterprise, StageNone, SubjectCandidate, h, "m1"), Viewer{Role: RoleEnterprise, Stage: StageNone}},
		{"no household", ViewerOf(RoleNGO, StageNone, SubjectNeed, nil, ""), Viewer{Role: RoleNGO, Stage: StageNone}},
	}
	for _, v := range views {
		if v.got != v.want {
			t.Errorf("%s: %+v", v.name, v.got)
		}
	}
	h.DoNotContact = true
	if v := ViewerOf(RoleNGO, StageActive, SubjectReferral, h, "m1"); !v.DoNotContact || v.Consented {
		t.Fatalf("do-not-contact overrides consent: %+v", v)
	}
}

func TestStages(t *testing.T) {
	rules := DefaultTaskRules()
	tk := fxTask()
	if TaskStage(tk, "v1") != StageNone || TaskStage(tk, "") != StageNone {
		t.Fatal("an open task is the board")
	}
	mustOK(t, tk.Claim(fxVolunteer("v1"), rules, juneAt(15, 7)))
	if TaskStage(tk, "v1") != StageActive || TaskStage(tk, "v2") != StageNone {
		t.Fatal("claimed: the holder is active, others see the board view")
	}
	mustOK(t, tk.CheckIn("v1", rules, juneAt(21, 9)))
	mustOK(t, tk.CheckOut("v1", rules, juneAt(21, 10)))
	if TaskStage(tk, "v1") != StageEnded {
		t.Fatal("done: the holder's part is over")
	}
	referral := map[ReferralState]Stage{ReferralAwaitingProvider: StagePending, ReferralAccepted: StageActive,
		ReferralInService: StageActive, ReferralDeclined: StageEnded, ReferralCompleted: StageEnded, ReferralRated: StageEnded,
		ReferralClosed: StageEnded, ReferralCancelled: StageEnded}
	for s, want := range referral {
		if ReferralStage(s) != want {
			t.Errorf("ReferralStage(%s) = %s", s, ReferralStage(s))
		}
	}
	application := map[ApplicationState]Stage{"": StageNone, ApplicationApplied: StagePending, ApplicationInterview: StageActive,
		ApplicationHired: StageActive, ApplicationRejected: StageEnded, ApplicationWithdrawn: StageEnded}
	for s, want := range application {
		if ApplicationStage(s) != want {
			t.Errorf("ApplicationStage(%q) = %s", s, ApplicationStage(s))
		}
	}
}

func TestMaskResidentName(t *testing.T) {
	now := time.Date(2025, 6, 15, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		full      string
		gender    Gender
		birthYear int
		want      string
	}{
		{"the example", "李建国", GenderMale, 1952, "李先生, 70s"},
		{"a woman", "王秀兰", GenderFemale, 1961, "王女士, 60s"},
		{"a decade's first year", "张伟", GenderMale, 1965, "张先生, 60s"},
		{"a decade's last year", "张伟", GenderMale, 1966, "张先生, 50s"},
		{"a centenarian", "赵老太", GenderFemale, 1920, "赵女士, 100s"},
		{"compound surname", "欧阳娜娜", GenderFemale, 1990, "欧阳女士, 30s"},
		{"two-character name starting like a compound", "欧阳", GenderMale, 1980, "欧先生, 40s"},
		{"a minor", "王小明", GenderMale, 2015, "王同学"},
		{"just 18", "王小红", GenderFemale, 2007, "王女士, 10s"},
		{"gender unknown", "刘洋", "", 1980, "刘某, 40s"},
		{"birth year unknown", "陈静", GenderFemale, 0, "陈女士"},
		{"birth year in the future", "陈静", GenderFemale, 2030, "陈女士"},
		{"spaces", "  李建国 ", GenderMale, 1952, "李先生, 70s"},
		{"no name", " ", GenderMale, 1952, "居民"},
		{"a Latin name", "Anna Li", GenderFemale, 1985, "A女士, 40s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaskResidentName(tt.full, tt.gender, tt.birthYear, now); got != tt.want {
				t.Fatalf("MaskResidentName = %q, want %q", got, tt.want)
			}
		})
	}
	// The year turns in China, eight hours before UTC.
	if got := MaskResidentName("李建国", GenderMale, 1955, time.Date(2024, 12, 31, 16, 0, 0, 0, time.UTC)); got != "李先生, 70s" {
		t.Fatalf("new year in China: %q", got)
	}
}
