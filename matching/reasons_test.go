package matching

import "testing"

func TestReasonsDocumented(t *testing.T) {
	seen := map[Reason]bool{}
	for _, r := range Reasons() {
		if !r.Valid() || r.Zh() == "" || r.En() == "" || seen[r] {
			t.Errorf("reason %q: valid %v, zh %q, en %q", r, r.Valid(), r.Zh(), r.En())
		}
		seen[r] = true
	}
	for _, r := range stageReasons {
		if !seen[r] {
			t.Errorf("stage reason %q not in Reasons()", r)
		}
	}
	if Reason("nope").Valid() || Reason("nope").Zh() != "" {
		t.Error("an unknown reason passes")
	}
}
