package seed

import (
	"reflect"
	"testing"

	"lianzhu/domain"
)

func TestPlacesFormAValidTree(t *testing.T) {
	list := Places()
	tree, err := domain.NewPlaces(list)
	if err != nil {
		t.Fatalf("demo places are not a valid tree: %v", err)
	}
	if got := len(tree.Children(DistrictCode)); got != 8 {
		t.Fatalf("streets = %d, want 8", got)
	}
	counts := map[domain.PlaceLevel]int{}
	for _, p := range list {
		counts[p.Level]++
	}
	if counts[domain.LevelCommunity] < 50 || counts[domain.LevelCompound] < 200 {
		t.Fatalf("too small a district: %v", counts)
	}
	if !reflect.DeepEqual(list, Places()) {
		t.Fatal("Places is not deterministic")
	}
}

func TestDemoAccountsAreValid(t *testing.T) {
	tree, err := domain.NewPlaces(Places())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, u := range DemoAccounts("hash") {
		if err := u.Validate(tree); err != nil {
			t.Errorf("%s: %v", u.Username, err)
		}
		if seen[u.Username] {
			t.Errorf("duplicate %s", u.Username)
		}
		seen[u.Username] = true
		if !u.Demo || u.PasswordHash != "hash" {
			t.Errorf("%s not marked demo or without hash", u.Username)
		}
	}
	for _, name := range []string{"admin", "coordinator", "coordinator.610103002"} {
		if !seen[name] {
			t.Errorf("missing demo account %s", name)
		}
	}
}
