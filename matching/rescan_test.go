package matching_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/matching"
	"lianzhu/seed"
)

// rsHousehold is a household of two with the given monthly income; a nil
// assets fact leaves assets unrecorded.
func rsHousehold(id string, income domain.Fen, assets *domain.Fact[domain.Fen]) domain.Household {
	h := ptHousehold()
	h.ID = id
	h.MonthlyIncome = ptFact(income)
	h.Assets = assets
	h.Assistance = nil
	return *h
}

// rsHouseholds: per-capita incomes ¥850, ¥800, ¥1,300, ¥1,200, ¥850 with
// assets unrecorded, and ¥500.
func rsHouseholds() []domain.Household {
	assets := ptFact(domain.Yuan(10000))
	return []domain.Household{
		rsHousehold("h-850", domain.Yuan(1700), assets),
		rsHousehold("h-800", domain.Yuan(1600), assets),
		rsHousehold("h-1300", domain.Yuan(2600), assets),
		rsHousehold("h-1200", domain.Yuan(2400), assets),
		rsHousehold("h-850-no-assets", domain.Yuan(1700), nil),
		rsHousehold("h-500", domain.Yuan(1000), assets),
	}
}

func rsPolicies() []domain.Policy {
	dibao := ptPolicy(
		domain.Criterion{Kind: domain.CriterionIncome, Param: "dibao_standard", Factor: 1.0, NearFactor: 1.5},
		domain.Criterion{Kind: domain.CriterionAssets, LimitFen: domain.Yuan(20000)})
	dibao.ID = "dibao"
	elderly := ptPolicy(domain.Criterion{Kind: domain.CriterionAge, MinAge: 60})
	elderly.ID = "elderly"
	return []domain.Policy{elderly, dibao}
}

func rsMoves(r matching.RescanReport) map[string]matching.RescanMove {
	out := map[string]matching.RescanMove{}
	for _, e := range r.Entries {
		out[e.HouseholdID] = e.Move
	}
	return out
}

func TestRescan(t *testing.T) {
	params := ptParams(t)
	from := time.Date(2027, 1, 1, 0, 0, 0, 0, ptCST)
	cases := []struct {
		name  string
		value domain.Fen
		moves map[string]matching.RescanMove
	}{
		{"the recorded rise to ¥870", domain.Yuan(870), map[string]matching.RescanMove{
			"h-850":           matching.RescanMoveIn,     // ¥30 above ¥820, below ¥870
			"h-1300":          matching.RescanBecomeNear, // beyond 1.5 × ¥820 = ¥1,230, within 1.5 × ¥870 = ¥1,305
			"h-850-no-assets": matching.RescanVerify,     // eligible if its assets are confirmed
		}},
		{"a cut to ¥780", domain.Yuan(780), map[string]matching.RescanMove{
			"h-800":  matching.RescanMoveOut,   // below ¥820, ¥20 above ¥780
			"h-1200": matching.RescanLeaveNear, // within ¥1,230, beyond 1.5 × ¥780 = ¥1,170
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			change := domain.ParamChange{Name: "dibao_standard", Value: domain.ParamValue{From: from, Value: tc.value}}
			r, err := matching.Rescan(rsHouseholds(), rsPolicies(), params, change)
			if err != nil {
				t.Fatal(err)
			}
			if got := rsMoves(r); !reflect.DeepEqual(got, tc.moves) {
				t.Fatalf("moves = %v, want %v", got, tc.moves)
			}
			if !reflect.DeepEqual(r.Policies, []string{"dibao"}) {
				t.Errorf("policies = %v, want only the one using the standard", r.Policies)
			}
			if r.Households != 6 || r.Evaluations != 12 {
				t.Errorf("households %d, evaluations %d", r.Households, r.Evaluations)
			}
			if len(r.Previous) != 1 || r.Previous[0].Value.Value != domain.Yuan(820) {
				t.Errorf("previous = %+v, want ¥820", r.Previous)
			}
			total := 0
			for _, n := range r.Counts {
				total += n
			}
			if total != len(r.Entries) {
				t.Errorf("counts %v do not add up to %d entries", r.Counts, len(r.Entries))
			}
			for _, e := range r.Entries {
				if e.Result.At != from {
					t.Errorf("%s evaluated at %s, want the change date", e.HouseholdID, e.Result.At)
				}
			}
		})
	}
}

func TestRescanOrderAndGaps(t *testing.T) {
	change := domain.ParamChange{Name: "dibao_standard", Value: domain.ParamValue{From: time.Date(2027, 1, 1, 0, 0, 0, 0, ptCST), Value: domain.Yuan(870)}}
	r, err := matching.Rescan(rsHouseholds(), rsPolicies(), ptParams(t), change)
	if err != nil {
		t.Fatal(err)
	}
	var order []matching.RescanMove
	for _, e := range r.Entries {
		order = append(order, e.Move)
	}
	want := []matching.RescanMove{matching.RescanMoveIn, matching.RescanBecomeNear, matching.RescanVerify}
	if !reflect.DeepEqual(order, want) {
		t.Fatalf("order = %v, want %v", order, want)
	}
	near := r.Entries[1]
	if near.Before != matching.PolicyIneligible || near.After != matching.PolicyNear || len(near.Result.Gaps) != 1 ||
		near.Result.Gaps[0].TextEn != "per-capita income ¥430.00/month above 1.0 × 低保 standard ¥870.00 (per-capita income ¥1,300.00/month)" {
		t.Fatalf("become-near entry = %+v", near)
	}
	verify := r.Entries[2].Result
	if verify.Best != matching.PolicyEligible || len(verify.Missing) != 1 || verify.Missing[0].Fact != matching.FactAssets {
		t.Fatalf("verify entry = %+v", verify)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var wire map[string]any
	if err := json.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	if c := wire["counts"].(map[string]any); c["move_in"] != float64(1) || c["become_near"] != float64(1) {
		t.Fatalf("counts JSON = %v", c)
	}
}

// A change that is only proposed and one already saved give the same report.
func TestRescanProposedOrSaved(t *testing.T) {
	saved := ptParams(t)
	change := domain.ParamChange{Name: "dibao_standard", Value: domain.ParamValue{From: time.Date(2027, 1, 1, 0, 0, 0, 0, ptCST), Value: domain.Yuan(870)}}
	proposed := saved.WithoutValue(change.Name, change.Value.From)
	a, err := matching.Rescan(rsHouseholds(), rsPolicies(), saved, change)
	if err != nil {
		t.Fatal(err)
	}
	b, err := matching.Rescan(rsHouseholds(), rsPolicies(), proposed, change)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("saved and proposed reports differ:\n%+v\n%+v", a, b)
	}
	if _, err := matching.Rescan(rsHouseholds(), rsPolicies(), saved, domain.ParamChange{Name: "nope"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("unknown parameter: err = %v, want invalid", err)
	}
}

// The seed catalogue's scheduled change: 低保 and 特困 standards rise together.
func TestRescanDateWithSeedCatalogue(t *testing.T) {
	at := seed.DibaoChangeDate()
	r := matching.RescanDate(rsHouseholds(), seed.Policies(), seed.PolicyParams(), at)
	if len(r.Changes) != 2 || len(r.Previous) != 2 {
		t.Fatalf("changes %+v, previous %+v; want the 低保 and 特困 standards", r.Changes, r.Previous)
	}
	found := false
	for _, e := range r.Entries {
		if e.HouseholdID == "h-850" && e.PolicyID == "mz-dibao" {
			found = e.Move == matching.RescanMoveIn
		}
		if e.Move == matching.RescanMoveOut {
			t.Errorf("a rise moved %s out of %s", e.HouseholdID, e.PolicyID)
		}
	}
	if !found {
		t.Fatalf("h-850 does not move into 低保: %+v", r.Entries)
	}
	if len(r.Policies) < 10 {
		t.Errorf("only %d policies use the changed standards", len(r.Policies))
	}
	// Nothing changes on a date without new values.
	none := matching.RescanDate(rsHouseholds(), seed.Policies(), seed.PolicyParams(), at.AddDate(0, 0, 1))
	if len(none.Changes) != 0 || len(none.Entries) != 0 || len(none.Policies) != 0 {
		t.Fatalf("rescan of a date without changes = %+v", none)
	}
}
