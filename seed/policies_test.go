package seed

import (
	"strings"
	"testing"
	"time"

	"lianzhu/domain"
)

func TestPolicyParamsAreDatedDemoValues(t *testing.T) {
	params := PolicyParams()
	for _, p := range params.Parameters() {
		if !p.Demo {
			t.Errorf("parameter %s is not marked as a demonstration value", p.Name)
		}
	}
	cases := []struct {
		name string
		at   time.Time
		want domain.Fen
	}{
		{"before the 2025 change", policyDate(2025, 6, 30), domain.Yuan(790)},
		{"from the 2025 change", policyDate(2025, 7, 1), domain.Yuan(820)},
		{"the last instant before 2027", DibaoChangeDate().Add(-time.Nanosecond), domain.Yuan(820)},
		{"from 2027 (China time)", DibaoChangeDate(), domain.Yuan(870)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := params.ValueAt(ParamDibao, tc.at)
			if !ok || v.Value != tc.want {
				t.Fatalf("低保 standard at %s = %v, %v; want %v", tc.at, v.Value, ok, tc.want)
			}
		})
	}
	// 2027-01-01 00:00 in China is still 2026 in UTC.
	if !DibaoChangeDate().Equal(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("DibaoChangeDate = %s, want midnight in China", DibaoChangeDate())
	}
	// The 特困 standard follows the 低保 standard at 1.3×, to the yuan.
	for _, at := range []time.Time{policyDate(2025, 1, 1), policyDate(2026, 1, 1), DibaoChangeDate()} {
		d, _ := params.ValueAt(ParamDibao, at)
		tk, _ := params.ValueAt(ParamTekun, at)
		if want := d.Value * 13 / 10; tk.Value/100 != want/100 {
			t.Errorf("特困 standard at %s = %v, want 1.3 × %v = %v", at, tk.Value, d.Value, want)
		}
	}
	if len(params.Upcoming(policyDate(2026, 6, 1))) != 2 {
		t.Errorf("upcoming changes after mid-2026 = %v, want the 低保 and 特困 changes of 2027", params.Upcoming(policyDate(2026, 6, 1)))
	}
}

func TestPoliciesValidate(t *testing.T) {
	params := PolicyParams()
	policies := Policies()
	if err := domain.ValidatePolicies(policies, params); err != nil {
		t.Fatalf("seed policies do not validate: %v", err)
	}
	for _, p := range policies {
		if !p.Demo {
			t.Errorf("%s is not marked as demonstration data", p.ID)
		}
		if strings.TrimSpace(p.NameEn) == "" {
			t.Errorf("%s has no English name", p.ID)
		}
	}
}

func TestPolicyCatalogueBreadth(t *testing.T) {
	policies := Policies()
	depts := map[domain.Department]int{}
	for _, p := range policies {
		depts[p.Department]++
	}
	if len(policies) < 45 {
		t.Errorf("catalogue has %d policies, want at least 45", len(policies))
	}
	if len(depts) < 12 {
		t.Errorf("catalogue spans %d departments, want at least 12: %v", len(depts), depts)
	}
	// The layers of 分层分类 are all there, each conferring its status.
	confers := map[domain.AssistanceKind]string{}
	for _, p := range policies {
		if p.Confers != "" {
			confers[p.Confers] = p.ID
		}
	}
	for _, k := range []domain.AssistanceKind{domain.AssistTekun, domain.AssistDibao, domain.AssistDibaoEdge, domain.AssistRigidExpense} {
		if confers[k] == "" {
			t.Errorf("no policy confers %s", k)
		}
	}
	// Some policies must depend on the 低保 standard, or a change re-scans nothing.
	uses := 0
	for _, p := range policies {
		if p.UsesParam(ParamDibao) {
			uses++
		}
	}
	if uses < 10 {
		t.Errorf("%d policies use the 低保 standard, want at least 10", uses)
	}
}

func TestPoliciesAreFreshEachCall(t *testing.T) {
	a := Policies()
	a[0].Criteria[0].Kind = "tampered"
	a[1].NameZh = "tampered"
	b := Policies()
	if b[0].Criteria[0].Kind == "tampered" || b[1].NameZh == "tampered" {
		t.Fatal("Policies shares state between calls")
	}
}
