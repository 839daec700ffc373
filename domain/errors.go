// Package domain holds Lianzhu's types, their validation and its error codes.
// It depends on the standard library only; every other package builds on it.
package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Each maps to exactly one HTTP status in handlers/errors.go.
const (
	EINVALID      = "invalid"           // the input breaks a rule; Fields says which
	EUNAUTHORIZED = "unauthorized"      // no valid credentials
	EFORBIDDEN    = "forbidden"         // authenticated, but the role or place scope does not allow it
	ENOTFOUND     = "not_found"         // the thing does not exist (or may not be seen)
	ECONFLICT     = "conflict"          // a guarded update lost, a duplicate, an illegal transition
	ETOOMANY      = "too_many_requests" // rate limited
	ETOOLARGE     = "too_large"         // the body or file exceeds a limit
	EUNSUPPORTED  = "unsupported_media" // wrong content type
	EUNAVAILABLE  = "unavailable"       // a backing service (MongoDB, Meilisearch) is down
	EINTERNAL     = "internal"          // a bug or an unexpected failure
)

// FieldError names one field that broke one rule.
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Error is the application error: a code, a message fit for the user and, for
// EINVALID, the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// RetryAfter, in seconds, accompanies ETOOMANY.
	RetryAfter int
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + " " + f.Rule
	}
	return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, strings.Join(parts, ", "))
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of an
// *Error, or "internal error" for anything else so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Problems collects field errors while validating; Err returns nil when none
// were added.
type Problems struct {
	fields []FieldError
}

// Add records that field broke rule, with a message for the user.
func (p *Problems) Add(field, rule, message string) {
	p.fields = append(p.fields, FieldError{Field: field, Rule: rule, Message: message})
}

// Addf is Add with a formatted message.
func (p *Problems) Addf(field, rule, format string, args ...any) {
	p.Add(field, rule, fmt.Sprintf(format, args...))
}

// Merge adds another set of problems under a field prefix such as "members[2]".
func (p *Problems) Merge(prefix string, err error) {
	var e *Error
	if !errors.As(err, &e) {
		if err != nil {
			p.Add(prefix, "invalid", err.Error())
		}
		return
	}
	for _, f := range e.Fields {
		name := f.Field
		if prefix != "" {
			name = prefix + "." + f.Field
		}
		p.fields = append(p.fields, FieldError{Field: name, Rule: f.Rule, Message: f.Message})
	}
}

// Len reports how many problems were recorded.
func (p *Problems) Len() int { return len(p.fields) }

// Err returns an EINVALID *Error listing every problem, or nil.
func (p *Problems) Err() error {
	if len(p.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "输入有误 / invalid input", Fields: append([]FieldError(nil), p.fields...)}
}

// Invalid returns an EINVALID error for a single field.
func Invalid(field, rule, message string) *Error {
	return &Error{Code: EINVALID, Message: "输入有误 / invalid input", Fields: []FieldError{{Field: field, Rule: rule, Message: message}}}
}
