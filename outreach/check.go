package outreach

import (
	"errors"
	"fmt"

	"lianzhu/domain"
)

// MaxBatch bounds the signals of one API request; files go through the
// importer, which has its own row limit.
const MaxBatch = 1000

// Problem is one problem of one signal of a batch.
type Problem struct {
	// Index is the signal's position in the batch.
	Index int `json:"index"`
	// Field is the signal's field (JSON name), "" for the whole signal.
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// ProblemsError turns a batch's problems into one EINVALID error whose
// fields are prefix[i].field, e.g. "signals[3].amount_fen".
func ProblemsError(prefix string, problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	e := &domain.Error{Code: domain.EINVALID, Message: fmt.Sprintf("%d 条信号有误，整批未导入 / %d signals are invalid: nothing was stored", countSignals(problems), countSignals(problems))}
	for _, p := range problems {
		field := fmt.Sprintf("%s[%d]", prefix, p.Index)
		if p.Field != "" {
			field += "." + p.Field
		}
		e.Fields = append(e.Fields, domain.FieldError{Field: field, Rule: p.Rule, Message: p.Message})
	}
	return e
}

func countSignals(problems []Problem) int {
	seen := map[int]bool{}
	for _, p := range problems {
		seen[p.Index] = true
	}
	return len(seen)
}

// Check validates a batch as it arrives and seals it: fields only the
// server sets are cleared (ID, hash, masked number, household and member:
// a signal is matched by its ID number, never by what the sender claims),
// a missing receipt time is now, every signal is validated
// (domain.Signal.Validate: kind, amount and its range, dates neither future
// nor stale, department, ID number), and each valid one gets its keyed hash
// and its key as ID. A signal equal to an earlier one of the batch (same
// key) is a duplicate. The sealed signals hold no plain ID number.
func (e *Engine) Check(signals []domain.Signal) ([]domain.Signal, []Problem, error) {
	now := e.now()
	out := make([]domain.Signal, len(signals))
	var problems []Problem
	first := map[string]int{}
	for i, s := range signals {
		s.ID, s.IDHash, s.IDMasked, s.HouseholdID, s.MemberID = "", "", "", "", ""
		s.IDNumber = domain.NormalizeIDNumber(s.IDNumber)
		if s.ReceivedAt.IsZero() {
			s.ReceivedAt = now
		}
		if err := s.Validate(now); err != nil {
			problems = append(problems, problemsOf(i, err)...)
			out[i] = domain.Signal{}
			continue
		}
		if err := e.Store.SealSignal(&s); err != nil {
			return nil, nil, err
		}
		if j, dup := first[s.ID]; dup {
			problems = append(problems, Problem{Index: i, Rule: "duplicate",
				Message: fmt.Sprintf("与第 %d 条信号重复（同一人、同类、同日、同金额、同一业务编号）/ same signal as #%d", j+1, j+1)})
		} else {
			first[s.ID] = i
		}
		out[i] = s
	}
	return out, problems, nil
}

// problemsOf lists a validation error's fields as problems of signal i.
func problemsOf(i int, err error) []Problem {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return []Problem{{Index: i, Rule: "invalid", Message: domain.ErrorMessage(err)}}
	}
	out := make([]Problem, len(de.Fields))
	for k, f := range de.Fields {
		out[k] = Problem{Index: i, Field: f.Field, Rule: f.Rule, Message: f.Message}
	}
	return out
}
