package importer

import (
	"context"
	"fmt"
	"io"

	"lianzhu/domain"
)

// ImportHouseholds reads a households-with-needs file (see Layout
// (Households)): one row per person, rows sharing a 户编号 forming one
// household, and optionally one need per row. It checks every row, looks up
// in bulk which people are on file already, and — when the file is clean or
// AllowPartial is set — stores the new households and all needs in batches.
// Problems of the file are in the report, with a nil error; the error is for
// faults (reading, the sink).
func ImportHouseholds(ctx context.Context, filename string, r io.Reader, sink HouseholdSink, opts Options) (Report, error) {
	if err := opts.defaults(); err != nil {
		return Report{}, err
	}
	var errs errorList
	p := &householdParser{opts: &opts, cellParser: newCellParser(householdColumns, &errs, opts.Catalogue)}
	return run(filename, r, &opts, &errs, householdColumns,
		func(t *table, hm []int) ([]*group, error) {
			groups := p.parse(t, hm)
			for _, g := range groups {
				p.build(g)
			}
			return groups, p.resolve(ctx, sink, groups)
		},
		func(g *group) []int { return g.rows },
		func(keep []*group, rep *Report) error { return p.write(ctx, sink, keep, rep) })
}

// group is one household of the file while it is read.
type group struct {
	ref   string
	first int   // the row the household starts on
	rows  []int // every row of the household
	vals  merged
	// members in order of first appearance, by ID number.
	members []*person
	byID    map[string]*person
	needs   []*needRow
	// consentMember[i] is the member index of h.Consents[i].
	consentMember []int

	h domain.Household
	// existing is the household on file that the file's household is, when
	// all its members are on file already.
	existing *domain.Household
}

// person is one member of a group.
type person struct {
	idNumber string
	first    int
	vals     merged
	index    int
}

// needRow is the need written on one row.
type needRow struct {
	row    int
	member *person
	vals   []string
	need   domain.Need
}

// merged holds the values of a household's or person's columns over its
// rows: the first non-blank value of each column and the row it came from.
type merged struct {
	val []string
	row []int
}

func newMerged(n int) merged { return merged{val: make([]string, n), row: make([]int, n)} }

// take records a row's value of column i; a different non-blank value than
// the one recorded is an error on this row.
func (m merged) take(p cellParser, i int, v string, row int) {
	switch {
	case v == "":
	case m.val[i] == "":
		m.val[i], m.row[i] = v, row
	case m.val[i] != v:
		p.errs.add(row, p.cols[i].Header, fmt.Sprintf("与第%d行不一致（“%s”≠“%s”）：同一%s的该列只需填写一次", m.row[i], v, m.val[i], levelName(p.cols[i].Level)))
	}
}

func levelName(l Level) string {
	if l == LevelHousehold {
		return "户"
	}
	return "成员"
}

// rowOf returns the row a column's value came from, or def.
func (m merged) rowOf(i, def int) int {
	if m.row[i] > 0 {
		return m.row[i]
	}
	return def
}

type householdParser struct {
	cellParser
	opts *Options
	idx  map[string]int
}

func (p *householdParser) col(key string) Column { return p.cols[p.idx[key]] }

// parse groups the rows into households and people, merging the columns of
// each level and reporting duplicates.
func (p *householdParser) parse(t *table, hm []int) []*group {
	p.idx = columnIndex(p.cols)
	byRef := map[string]*group{}
	var groups []*group
	type seenID struct {
		row int
		ref string
	}
	seen := map[string]seenID{}
	for _, rec := range t.rows {
		t.formulaProblems(rec.num, hm, p.cols, p.errs)
		vals := layoutValues(hm, rec.cells, len(p.cols))
		row := rec.num
		ref := vals[p.idx[hRef]]
		if ref == "" {
			p.errs.add(row, p.col(hRef).Header, "户编号不能为空：同一户的成员填写相同的户编号")
			continue
		}
		g := byRef[ref]
		if g == nil {
			g = &group{ref: ref, first: row, vals: newMerged(len(p.cols)), byID: map[string]*person{}}
			byRef[ref] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, row)
		hasNeed := false
		for i, c := range p.cols {
			switch c.Level {
			case LevelHousehold:
				g.vals.take(p.cellParser, i, vals[i], row)
			case LevelNeed:
				hasNeed = hasNeed || vals[i] != ""
			}
		}
		id := domain.NormalizeIDNumber(vals[p.idx[mIDNumber]])
		key := id
		if key == "" {
			key = fmt.Sprintf("row:%d", row) // reported when the member is checked
		}
		m := g.byID[key]
		if prev, dup := seen[id]; id != "" && dup && prev.ref != ref {
			p.errs.add(row, p.col(mIDNumber).Header, fmt.Sprintf("身份证号与第%d行重复（户编号 %s）：同一人只能属于一户", prev.row, prev.ref))
			continue
		}
		switch {
		case m == nil:
			m = &person{idNumber: id, first: row, vals: newMerged(len(p.cols)), index: len(g.members)}
			g.members = append(g.members, m)
			g.byID[key] = m
			seen[id] = seenID{row, ref}
		case !hasNeed:
			p.errs.add(row, p.col(mIDNumber).Header, fmt.Sprintf("身份证号与第%d行重复：同一人再次出现的行须填写另一项需求", m.first))
			continue
		}
		for i, c := range p.cols {
			if c.Level == LevelMember {
				m.vals.take(p.cellParser, i, vals[i], row)
			}
		}
		if hasNeed {
			g.needs = append(g.needs, &needRow{row: row, member: m, vals: vals})
		}
	}
	return groups
}

// layoutValues orders a record's cells by layout column.
func layoutValues(hm []int, cells []string, n int) []string {
	vals := make([]string, n)
	for i, li := range hm {
		if li >= 0 && i < len(cells) {
			vals[li] = cells[i]
		}
	}
	return vals
}
