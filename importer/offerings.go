package importer

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"lianzhu/domain"
)

// ImportOfferings reads an offerings file (see Layout(Offerings)): one row
// per offering of a provider already registered, named by its credit code.
// It checks every row, resolves the providers in bulk and — when the file is
// clean or AllowPartial is set — stores the offerings in batches, with IDs
// derived from provider, item and title so that a second import adds
// nothing. Problems of the file are in the report, with a nil error.
func ImportOfferings(ctx context.Context, filename string, r io.Reader, sink OfferingSink, opts Options) (Report, error) {
	if err := opts.defaults(); err != nil {
		return Report{}, err
	}
	var errs errorList
	p := &offeringParser{opts: &opts, cellParser: newCellParser(offeringColumns, &errs, opts.Catalogue), idx: columnIndex(offeringColumns)}
	return run(filename, r, &opts, &errs, offeringColumns,
		func(t *table, hm []int) ([]*offerRow, error) {
			rows := make([]*offerRow, 0, len(t.rows))
			for _, rec := range t.rows {
				t.formulaProblems(rec.num, hm, p.cols, &errs)
				rows = append(rows, p.parse(rec.num, layoutValues(hm, rec.cells, len(p.cols))))
			}
			return rows, p.resolve(ctx, sink, rows)
		},
		func(or *offerRow) []int { return []int{or.row} },
		func(keep []*offerRow, rep *Report) error { return p.write(ctx, sink, keep, rep) })
}

// write stores the offerings in batches.
func (p *offeringParser) write(ctx context.Context, sink OfferingSink, keep []*offerRow, rep *Report) error {
	done := rep.Rejected
	err := chunks(keep, batchSize, func(batch []*offerRow) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		os := make([]domain.Offering, len(batch))
		for i, or := range batch {
			os[i] = or.o
		}
		n, err := insert(ctx, "offerings", os, sink.InsertOfferings)
		if err != nil {
			return err
		}
		rep.Offerings += n
		rep.Skipped += len(os) - n
		done += len(batch)
		p.opts.progress(done, rep.Total)
		return nil
	})
	rep.Created = rep.Offerings
	return err
}

// offerRow is one row of an offerings file while it is read.
type offerRow struct {
	row  int
	vals []string
	// code is the provider's credit code when it is well-formed.
	code string
	// inheritArea: the row left 服务范围 blank, so the provider's area
	// applies.
	inheritArea bool
	o           domain.Offering
}

type offeringParser struct {
	cellParser
	opts *Options
	idx  map[string]int
}

// v returns the value of a column of the row and the column's index.
func (p *offeringParser) v(or *offerRow, key string) (string, int) {
	i := p.idx[key]
	return or.vals[i], i
}

// parse reads one row into an offering; the provider is resolved later.
func (p *offeringParser) parse(row int, vals []string) *offerRow {
	or := &offerRow{row: row, vals: vals}
	o := &or.o
	if v, i := p.v(or, oCreditCode); v != "" {
		code := domain.NormalizeUSCC(v)
		switch err := domain.ValidateUSCC(code); {
		case looksNumeric(v):
			p.errs.add(row, p.cols[i].Header, "统一社会信用代码"+numericHint)
		case err != nil:
			p.errs.add(row, p.cols[i].Header, problemText(err))
		default:
			or.code = code
		}
	} else {
		p.errs.add(row, p.cols[i].Header, "服务方统一社会信用代码不能为空")
	}
	item, _ := p.v(or, oItem)
	o.Item = p.item(item)
	o.Title, _ = p.v(or, oTitle)
	o.Description, _ = p.v(or, oDescription)
	o.Schedule, _ = p.v(or, oSchedule)
	p.audience(or)
	v, i := p.v(or, oCapacity)
	o.Capacity = p.intCell(row, i, v)
	o.Left = o.Capacity
	if v, i := p.v(or, oPeriod); v != "" {
		o.Period = domain.CapacityPeriod(p.pickCell(row, i, v, periodChoices))
	}
	if v, i := p.v(or, oPrice); v != "" {
		if f := p.yuanCell(row, i, v); f != nil {
			o.PriceFen = *f
		}
	}
	if v, i := p.v(or, oVoucher); v != "" {
		if f := p.yuanCell(row, i, v); f != nil {
			o.VoucherFen = *f
		}
	}
	v, i = p.v(or, oArea)
	o.Area.Places = p.places(row, i, v)
	or.inheritArea = v == ""
	o.Status = domain.OfferingActive
	if v, i := p.v(or, oStatus); v != "" {
		o.Status = domain.OfferingStatus(p.pickCell(row, i, v, statusChoices))
	}
	y, m, d := p.opts.Now.In(chinaTime).Date()
	o.ValidFrom = time.Date(y, m, d, 0, 0, 0, 0, chinaTime)
	if v, i := p.v(or, oValidFrom); v != "" {
		o.ValidFrom = p.dateCell(row, i, v)
	}
	v, i = p.v(or, oValidTo)
	o.ValidTo = p.dateCell(row, i, v)
	return or
}

// audience reads who the offering is for.
func (p *offeringParser) audience(or *offerRow) {
	a := &or.o.Audience
	v, i := p.v(or, oAudience)
	for _, w := range splitList(v) {
		switch code := p.pickCell(or.row, i, w, audienceChoices); code {
		case "":
		case audienceJustOutside:
			a.JustOutside = true
		case audienceAnyone:
			a.Anyone = true
		default:
			if k := domain.AssistanceKind(code); !slices.Contains(a.Tiers, k) {
				a.Tiers = append(a.Tiers, k)
			}
		}
	}
	v, i = p.v(or, oMinAge)
	a.MinAge = p.intCell(or.row, i, v)
	v, i = p.v(or, oMaxAge)
	a.MaxAge = p.intCell(or.row, i, v)
	if v, i := p.v(or, oDisabilityOnly); v != "" {
		if b := p.boolCell(or.row, i, v); b != nil {
			a.DisabilityOnly = *b
		}
	}
	v, i = p.v(or, oDisabilityType)
	for _, w := range splitList(v) {
		if code := p.pickCell(or.row, i, w, disabilityChoices); code != "" {
			a.DisabilityTypes = append(a.DisabilityTypes, domain.DisabilityType(code))
		}
	}
	v, i = p.v(or, oAudiencePlaces)
	a.Places = p.places(or.row, i, v)
}

// places reads a list of place codes, each within the scope.
func (p *offeringParser) places(row, col int, v string) []string {
	codes := splitList(v)
	for _, c := range codes {
		if _, ok := p.opts.Places.Get(c); ok && !domain.PlaceWithin(c, p.opts.Scope) {
			p.errs.add(row, p.cols[col].Header, fmt.Sprintf("区划 %s 不在本人管辖范围内 / outside your place", c))
		}
	}
	return codes
}

// resolve finds the providers in bulk, completes each offering and
// validates it.
func (p *offeringParser) resolve(ctx context.Context, sink OfferingSink, rows []*offerRow) error {
	codes := map[string]bool{}
	for _, or := range rows {
		if or.code != "" {
			codes[or.code] = true
		}
	}
	provs, err := lookup(ctx, slices.Sorted(maps.Keys(codes)), sink.ProvidersByCreditCode)
	if err != nil {
		return fmt.Errorf("importer: look up providers: %w", err)
	}
	seen := map[string]int{}
	for _, or := range rows {
		p.complete(or, provs)
		if or.o.ProviderID == "" {
			continue
		}
		key := or.o.ProviderID + "\x1f" + or.o.Item + "\x1f" + or.o.Title
		if first, dup := seen[key]; dup {
			p.errs.add(or.row, p.cols[p.idx[oTitle]].Header, fmt.Sprintf("与第%d行重复：同一服务方、服务项目的服务名称不能相同", first))
		} else {
			seen[key] = or.row
		}
	}
	return nil
}

// complete attaches the provider and validates the offering.
func (p *offeringParser) complete(or *offerRow, provs map[string]domain.Provider) {
	o := &or.o
	codeCol := p.cols[p.idx[oCreditCode]].Header
	if or.code != "" {
		pr, ok := provs[or.code]
		switch {
		case !ok:
			p.errs.add(or.row, codeCol, fmt.Sprintf("未找到统一社会信用代码为 %s 的服务方：请先在系统中登记该服务方", or.code))
		case p.opts.ProviderID != "" && pr.ID != p.opts.ProviderID:
			p.errs.add(or.row, codeCol, "只能导入本机构的服务：该代码不是本机构的统一社会信用代码")
		case pr.Verification == domain.VerificationSuspended:
			p.errs.add(or.row, codeCol, "该服务方已被暂停，不能发布服务")
		default:
			o.ProviderID = pr.ID
			o.ID = contentID("of-", pr.ID, o.Item, o.Title)
			if or.inheritArea {
				o.Area = domain.ServiceArea{Places: slices.Clone(pr.Area.Places), Center: pr.Area.Center, RadiusM: pr.Area.RadiusM}
				p.inheritedScope(or)
			}
		}
	}
	for _, fe := range fieldErrors(o.Validate(p.opts.Places, p.opts.Catalogue, p.opts.Now)) {
		key, ok := fieldKey(fe.Field, offeringFields)
		col := ""
		if ok {
			col = p.cols[p.idx[key]].Header
		}
		p.errs.add(or.row, col, fe.Message)
	}
}

// inheritedScope checks a provider's own area against the scope: a
// coordinator may publish supply only within their place, and a centre and
// radius cannot be checked against it.
func (p *offeringParser) inheritedScope(or *offerRow) {
	if p.opts.Scope == "" {
		return
	}
	a := or.o.Area
	inside := a.Center == nil && !slices.ContainsFunc(a.Places, func(c string) bool {
		return !domain.PlaceWithin(c, p.opts.Scope)
	})
	if !inside {
		p.errs.add(or.row, p.cols[p.idx[oArea]].Header, "服务方登记的服务范围超出本人管辖范围，请填写本辖区内的服务范围")
	}
}

// offeringFields map offering fields to columns.
var offeringFields = []fieldRule{
	{"provider_id", oCreditCode}, {"item", oItem}, {"title", oTitle}, {"description", oDescription},
	{"audience.tiers", oAudience}, {"audience.min_age", oMinAge}, {"audience.max_age", oMaxAge},
	{"audience.disability_only", oDisabilityOnly}, {"audience.disability_types", oDisabilityType},
	{"audience.places", oAudiencePlaces}, {"period", oPeriod}, {"capacity", oCapacity}, {"left", oCapacity},
	{"price_fen", oPrice}, {"voucher_fen", oVoucher}, {"schedule", oSchedule}, {"area", oArea},
	{"status", oStatus}, {"valid_from", oValidFrom}, {"valid_to", oValidTo},
}
