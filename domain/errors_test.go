package domain

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"domain error", Errorf(ENOTFOUND, "no user"), ENOTFOUND},
		{"wrapped", fmt.Errorf("store: get user: %w", Errorf(ECONFLICT, "stale")), ECONFLICT},
		{"foreign", errors.New("boom"), EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err); got != tt.want {
				t.Fatalf("ErrorCode = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorMessageHidesInternals(t *testing.T) {
	if got := ErrorMessage(errors.New("dial tcp 10.0.0.1: secret detail")); got != "internal error" {
		t.Fatalf("ErrorMessage leaked %q", got)
	}
	if got := ErrorMessage(Errorf(EFORBIDDEN, "not your place")); got != "not your place" {
		t.Fatalf("ErrorMessage = %q", got)
	}
}

func TestProblems(t *testing.T) {
	var p Problems
	if p.Err() != nil {
		t.Fatal("empty problems must be nil")
	}
	p.Add("username", "required", "用户名必填")
	var inner Problems
	inner.Add("name", "required", "姓名必填")
	p.Merge("members[0]", inner.Err())
	err := p.Err()
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
	if len(e.Fields) != 2 || e.Fields[1].Field != "members[0].name" {
		t.Fatalf("fields = %+v", e.Fields)
	}
}
