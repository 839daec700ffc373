package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSeedAndMatchOffline runs the two offline commands end to end: the same
// seed gives the same bytes, and the result has the documented shape.
func TestSeedAndMatchOffline(t *testing.T) {
	dir := t.TempDir()
	inst, inst2 := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	for _, f := range []string{inst, inst2} {
		var stderr strings.Builder
		if code := run(t.Context(), []string{"seed", "--seed", "7", "--export", f}, nil, &strings.Builder{}, &stderr); code != 0 {
			t.Fatalf("seed: %d %s", code, stderr.String())
		}
	}
	a, _ := os.ReadFile(inst)
	b, _ := os.ReadFile(inst2)
	if !bytes.Equal(a, b) {
		t.Fatal("the same --seed must give a byte-identical instance")
	}
	var head struct {
		Version int               `json:"version"`
		Targets []json.RawMessage `json:"targets"`
	}
	if err := json.Unmarshal(a, &head); err != nil || head.Version != 1 || len(head.Targets) == 0 {
		t.Fatalf("instance: version %d, %d targets, %v", head.Version, len(head.Targets), err)
	}
	kinds := map[string]bool{}
	for _, raw := range head.Targets {
		var tg struct {
			Kind     string `json:"kind"`
			Capacity *int   `json:"capacity"`
		}
		_ = json.Unmarshal(raw, &tg)
		if tg.Capacity == nil {
			t.Fatalf("target without capacity: %s", raw)
		}
		kinds[tg.Kind] = true
	}
	for _, k := range []string{"offering", "job", "volunteer_pool"} {
		if !kinds[k] {
			t.Fatalf("no target of kind %s", k)
		}
	}

	out, out2 := filepath.Join(dir, "r1.json"), filepath.Join(dir, "r2.json")
	for _, f := range []string{out, out2} {
		var stderr strings.Builder
		if code := run(t.Context(), []string{"match", "--in", inst, "--out", f, "--candidates"}, nil, &strings.Builder{}, &stderr); code != 0 {
			t.Fatalf("match: %d %s", code, stderr.String())
		}
	}
	r1, _ := os.ReadFile(out)
	r2, _ := os.ReadFile(out2)
	if !bytes.Equal(r1, r2) {
		t.Fatal("the same input must give a byte-identical result")
	}
	var res map[string]json.RawMessage
	if err := json.Unmarshal(r1, &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"assignments", "policy_proposals", "unmatched", "gaps", "candidates", "capacity"} {
		if len(res[k]) < 3 {
			t.Fatalf("result lacks %s", k)
		}
	}
	var assignments []map[string]any
	_ = json.Unmarshal(res["assignments"], &assignments)
	for _, k := range []string{"need_id", "target_kind", "target_id", "score", "factors"} {
		if _, ok := assignments[0][k]; !ok {
			t.Fatalf("assignment lacks %s: %v", k, assignments[0])
		}
	}
}

func TestMatchRejectsBadInstances(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if code := run(t.Context(), []string{"seed", "--export", good}, nil, &strings.Builder{}, &strings.Builder{}); code != 0 {
		t.Fatal("seed failed")
	}
	raw, _ := os.ReadFile(good)
	mutate := func(f func(m map[string]any)) string {
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		f(m)
		b, _ := json.Marshal(m)
		return writeFile(t, dir, string(b))
	}
	tests := []struct {
		name, file, want string
	}{
		{"malformed", writeFile(t, dir, `{"version":`), "not a valid instance"},
		{"unknown field", writeFile(t, dir, `{"version":1,"surprise":true}`), "unknown field"},
		{"wrong version", mutate(func(m map[string]any) { m["version"] = 99 }), "version"},
		{"need of unknown household", mutate(func(m map[string]any) {
			m["needs"].([]any)[0].(map[string]any)["household_id"] = "hh-nope"
		}), "needs[0].household_id"},
		{"negative capacity", mutate(func(m map[string]any) {
			m["targets"].([]any)[0].(map[string]any)["capacity"] = -3
		}), "targets[0].capacity"},
		{"empty needs", mutate(func(m map[string]any) { m["needs"] = []any{} }), "needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr strings.Builder
			code := run(t.Context(), []string{"match", "--in", tt.file, "--out", filepath.Join(dir, "out.json")}, nil, &strings.Builder{}, &stderr)
			if code == 0 || !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("want failure naming %q, got %d: %s", tt.want, code, stderr.String())
			}
		})
	}
}

func writeFile(t *testing.T, dir, content string) string {
	t.Helper()
	f, err := os.CreateTemp(dir, "in-*.json")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(content)
	_ = f.Close()
	return f.Name()
}
