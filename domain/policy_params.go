package domain

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// ParamValue is a parameter's value from a date on, until the next value's
// date. From is an instant: a standard "from 1 January 2027" starts at
// midnight in China (UTC+8), which the seed writes out explicitly.
type ParamValue struct {
	From  time.Time `json:"from"`
	Value Fen       `json:"value"`
}

// Parameter is a dated local amount that criteria and benefits refer to by
// name, such as the district's monthly 低保 standard. A standard changes on a
// date; evaluation uses the value in force on the evaluation date, so a new
// value can be recorded (and its effect re-scanned) before it applies.
type Parameter struct {
	// Name is the code criteria use, e.g. "dibao_standard".
	Name    string `json:"name"`
	LabelZh string `json:"label_zh"`
	LabelEn string `json:"label_en"`
	// Demo marks demonstration values that no real district has published.
	Demo bool `json:"demo,omitempty"`
	// Values are sorted by From, earliest first.
	Values []ParamValue `json:"values"`
}

// Validate checks the parameter: a code name, labels, and at least one
// value, all positive and with distinct dates.
func (p Parameter) Validate() error {
	var pr Problems
	checkText(&pr, "name", p.Name, true, 40, "参数名称")
	if p.Name != "" && strings.Trim(p.Name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		pr.Add("name", "format", "参数名称只能包含小写字母、数字和下划线")
	}
	checkText(&pr, "label_zh", p.LabelZh, true, 40, "参数中文名")
	checkText(&pr, "label_en", p.LabelEn, true, 80, "参数英文名")
	if len(p.Values) == 0 {
		pr.Add("values", "required", "参数须至少有一个取值")
	}
	seen := map[time.Time]bool{}
	for i, v := range p.Values {
		f := fieldIndex("values", i)
		if v.From.IsZero() {
			pr.Add(f+".from", "required", "生效日期不能为空")
		}
		if seen[v.From.UTC()] {
			pr.Add(f+".from", "unique", "同一生效日期不能有两个取值")
		}
		seen[v.From.UTC()] = true
		if v.Value <= 0 {
			pr.Add(f+".value", "range", "参数值须大于0")
		}
	}
	return pr.Err()
}

// ValueAt returns the value in force at the instant: the one with the latest
// From not after it. ok is false before the first value.
func (p Parameter) ValueAt(at time.Time) (v ParamValue, ok bool) {
	for _, pv := range p.Values {
		if pv.From.After(at) {
			break
		}
		v, ok = pv, true
	}
	return v, ok
}

// ParamChange is one new dated value of a parameter, e.g. a new 低保
// standard from 2027-01-01.
type ParamChange struct {
	Name  string     `json:"name"`
	Value ParamValue `json:"value"`
}

// ParamSet is an immutable set of parameters by name. The zero value is an
// empty set. In JSON it is the list of parameters sorted by name.
type ParamSet struct {
	byName map[string]Parameter
}

// NewParamSet validates the parameters and returns them as a set, each
// parameter's values sorted by date. Field paths are "params[i]…".
func NewParamSet(params ...Parameter) (ParamSet, error) {
	var pr Problems
	byName := make(map[string]Parameter, len(params))
	for i, p := range params {
		f := fieldIndex("params", i)
		pr.Merge(f, p.Validate())
		if _, dup := byName[p.Name]; dup {
			pr.Addf(f+".name", "unique", "参数 %q 重复", p.Name)
		}
		p.Values = slices.Clone(p.Values)
		slices.SortFunc(p.Values, func(a, b ParamValue) int { return a.From.Compare(b.From) })
		byName[p.Name] = p
	}
	if err := pr.Err(); err != nil {
		return ParamSet{}, err
	}
	return ParamSet{byName: byName}, nil
}

// Has reports whether the set holds the parameter.
func (s ParamSet) Has(name string) bool {
	_, ok := s.byName[name]
	return ok
}

// Get returns the parameter (a copy: changing it does not change the set).
func (s ParamSet) Get(name string) (Parameter, bool) {
	p, ok := s.byName[name]
	p.Values = slices.Clone(p.Values)
	return p, ok
}

// ValueAt returns the value of the parameter in force at the instant; ok is
// false for an unknown parameter or before its first value.
func (s ParamSet) ValueAt(name string, at time.Time) (ParamValue, bool) {
	p, ok := s.byName[name]
	if !ok {
		return ParamValue{}, false
	}
	return p.ValueAt(at)
}

// Len is the number of parameters.
func (s ParamSet) Len() int { return len(s.byName) }

// Parameters returns copies of every parameter, sorted by name.
func (s ParamSet) Parameters() []Parameter {
	out := make([]Parameter, 0, len(s.byName))
	for _, name := range slices.Sorted(maps.Keys(s.byName)) {
		p, _ := s.Get(name)
		out = append(out, p)
	}
	return out
}

// WithValue returns a copy of the set in which the parameter also has the
// dated value, replacing a value with the same date. The parameter must
// exist and the value be positive.
func (s ParamSet) WithValue(c ParamChange) (ParamSet, error) {
	p, ok := s.Get(c.Name)
	if !ok {
		return ParamSet{}, Invalid("name", "exists", "参数 "+c.Name+" 不存在")
	}
	p.Values = slices.DeleteFunc(p.Values, func(v ParamValue) bool { return v.From.Equal(c.Value.From) })
	p.Values = append(p.Values, c.Value)
	return s.replace(p)
}

// WithoutValue returns a copy of the set without the parameter's value dated
// from (unchanged if there is none): the set as it was before a change was
// recorded. A parameter keeps at least one value.
func (s ParamSet) WithoutValue(name string, from time.Time) ParamSet {
	p, ok := s.Get(name)
	if !ok {
		return s
	}
	kept := slices.DeleteFunc(p.Values, func(v ParamValue) bool { return v.From.Equal(from) })
	if len(kept) == 0 {
		return s
	}
	p.Values = kept
	out, err := s.replace(p)
	if err != nil {
		return s
	}
	return out
}

// Upcoming returns every value that takes effect after now, by date and
// then name: the changes a re-scan should look at before they apply.
func (s ParamSet) Upcoming(now time.Time) []ParamChange {
	var out []ParamChange
	for _, p := range s.Parameters() {
		for _, v := range p.Values {
			if v.From.After(now) {
				out = append(out, ParamChange{Name: p.Name, Value: v})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b ParamChange) int { return a.Value.From.Compare(b.Value.From) })
	return out
}

func (s ParamSet) replace(p Parameter) (ParamSet, error) {
	list := make([]Parameter, 0, len(s.byName))
	for name, q := range s.byName {
		if name != p.Name {
			list = append(list, q)
		}
	}
	return NewParamSet(append(list, p)...)
}

// MarshalJSON writes the set as its list of parameters.
func (s ParamSet) MarshalJSON() ([]byte, error) { return json.Marshal(s.Parameters()) }

// UnmarshalJSON reads a list of parameters and validates it.
func (s *ParamSet) UnmarshalJSON(b []byte) error {
	var list []Parameter
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	set, err := NewParamSet(list...)
	if err != nil {
		return err
	}
	*s = set
	return nil
}
