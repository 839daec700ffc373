package matching

import (
	"testing"

	"lianzhu/domain"
)

// TestBuildInstanceVoucherLeft: a household's ledger overrides the default
// yearly amount; entitled households without one get it; others none.
func TestBuildInstanceVoucherLeft(t *testing.T) {
	dibao := []domain.AssistanceStatus{{Kind: domain.AssistDibao}}
	inst := BuildInstance(InstanceInput{Households: []domain.Household{
		{ID: "fresh", Assistance: dibao}, {ID: "spent", Assistance: dibao}, {ID: "outside"}},
		VoucherYearlyFen: DefaultVoucherYearlyFen, VoucherLeft: map[string]domain.Fen{"spent": 500}})
	got := map[string]domain.Fen{}
	for _, v := range inst.Vouchers {
		got[v.HouseholdID] = v.LeftFen
	}
	if len(got) != 2 || got["fresh"] != DefaultVoucherYearlyFen || got["spent"] != 500 {
		t.Fatalf("vouchers %v", got)
	}
}
