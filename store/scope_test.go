package store

import "testing"

func TestScopeOf(t *testing.T) {
	tests := []struct {
		place string
		want  scope
	}{
		{"610103000000", scope{District: "610103000000"}},
		{"610103002000", scope{District: "610103000000", Street: "610103002000"}},
		{"610103002003", scope{District: "610103000000", Street: "610103002000", Community: "610103002003"}},
		{"610103002003007", scope{District: "610103000000", Street: "610103002000", Community: "610103002003"}},
		{"bad", scope{}},
	}
	for _, tt := range tests {
		if got := scopeOf(tt.place); got != tt.want {
			t.Errorf("scopeOf(%s) = %+v, want %+v", tt.place, got, tt.want)
		}
	}
}
