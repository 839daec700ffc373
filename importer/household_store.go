package importer

// Finding what is on file already and writing the households and needs.

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"lianzhu/domain"
)

// resolve finds, in bulk, which people of the file are on file already:
// a household whose members all belong to one file in scope is that file
// (reused, its needs attach to it); any other overlap is an error on each
// member concerned. A file outside the scope is not named.
func (p *householdParser) resolve(ctx context.Context, sink HouseholdSink, groups []*group) error {
	var ids []string
	for _, g := range groups {
		for _, m := range g.members {
			if m.idNumber != "" && domain.ValidateIDNumber(m.idNumber, p.opts.Now) == nil {
				ids = append(ids, m.idNumber)
			}
		}
	}
	held, err := lookup(ctx, ids, sink.MemberHouseholds)
	if err != nil {
		return fmt.Errorf("importer: look up members: %w", err)
	}
	on := map[string]bool{}
	for _, hid := range held {
		on[hid] = true
	}
	files, err := lookup(ctx, slices.Sorted(maps.Keys(on)), sink.HouseholdsByID)
	if err != nil {
		return fmt.Errorf("importer: read existing households: %w", err)
	}
	for _, g := range groups {
		p.match(g, held, files)
	}
	return nil
}

func (p *householdParser) match(g *group, held map[string]string, files map[string]domain.Household) {
	var found []*person
	on := map[string]bool{}
	for _, m := range g.members {
		// An index entry whose file does not exist is left by a crash; the
		// store takes it over, so the person counts as new.
		if hid, ok := held[m.idNumber]; ok && files[hid].ID != "" {
			found = append(found, m)
			on[hid] = true
		}
	}
	if len(found) == 0 {
		return
	}
	idCol := p.col(mIDNumber).Header
	if len(found) < len(g.members) || len(on) > 1 {
		for _, m := range found {
			e := files[held[m.idNumber]]
			p.errs.add(m.first, idCol, p.elsewhere(e)+"，而本户其他成员不在该档案中：请先在系统中核对该户档案")
		}
		return
	}
	e := files[held[g.members[0].idNumber]]
	if !domain.PlaceWithin(e.Place, p.opts.Scope) {
		p.errs.add(g.first, idCol, p.elsewhere(e))
		return
	}
	for k, m := range g.members {
		id, ok := matchMember(e, m.idNumber)
		if !ok {
			p.errs.add(m.first, idCol, fmt.Sprintf("无法在已有家庭档案（户 ID %s）中确认该成员，请在系统中核对", e.ID))
			continue
		}
		g.h.Members[k].ID = id
	}
	g.existing = &e
}

// elsewhere says that a person belongs to another file, naming it only when
// it lies in the importer's scope (DOMAIN.md: a duplicate outside the
// coordinator's place is reported without naming the other file).
func (p *householdParser) elsewhere(e domain.Household) string {
	if domain.PlaceWithin(e.Place, p.opts.Scope) {
		return fmt.Sprintf("该身份证号已属于另一家庭档案（户 ID %s）", e.ID)
	}
	return "该身份证号已在其他辖区的家庭档案中，请联系该辖区协调员"
}

// matchMember finds the member of a stored file with the ID number. Stored
// files keep numbers sealed, so the masked number with the birth year and
// gender it encodes identifies the member; a plain number, when given,
// decides directly.
func matchMember(e domain.Household, idNumber string) (string, bool) {
	masked := domain.MaskIDNumber(idNumber)
	year, _ := domain.IDBirthYear(idNumber)
	gender, _ := domain.IDGender(idNumber)
	match := ""
	for _, m := range e.Members {
		switch {
		case m.IDNumber != "" && m.IDNumber == idNumber:
			return m.ID, true
		case m.IDNumber == "" && m.IDMasked == masked && m.BirthYear == year && m.Gender == gender:
			if match != "" {
				return "", false // two candidates: refuse to guess
			}
			match = m.ID
		}
	}
	return match, match != ""
}

// write stores the households in batches: new files first (the sink assigns
// their IDs), then the needs of the batch with IDs derived from household,
// member, item and the resident's words.
func (p *householdParser) write(ctx context.Context, sink HouseholdSink, keep []*group, rep *Report) error {
	done := rep.Rejected
	err := chunks(keep, batchSize, func(batch []*group) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var fresh []domain.Household
		var freshGroups []*group
		for _, g := range batch {
			if g.existing == nil {
				fresh = append(fresh, g.h)
				freshGroups = append(freshGroups, g)
			}
		}
		n, err := insert(ctx, "households", fresh, sink.InsertHouseholds)
		if err != nil {
			return err
		}
		rep.Households += n
		rep.Skipped += len(fresh) - n
		for i, h := range fresh {
			if h.ID == "" {
				return fmt.Errorf("importer: the sink assigned no ID to household %q", freshGroups[i].ref)
			}
			freshGroups[i].h.ID = h.ID
		}
		var needs []domain.Need
		for _, g := range batch {
			hid, place := g.h.ID, g.h.Place
			if g.existing != nil {
				hid, place = g.existing.ID, g.existing.Place
				rep.Skipped++
			}
			for _, nr := range g.needs {
				n := nr.need
				n.HouseholdID, n.Place, n.MemberID = hid, place, g.h.Members[nr.member.index].ID
				n.ID = contentID("nd-", hid, n.MemberID, n.Item, n.OwnWords)
				needs = append(needs, n)
			}
			done += len(g.rows)
		}
		if n, err = insert(ctx, "needs", needs, sink.InsertNeeds); err != nil {
			return err
		}
		rep.Needs += n
		rep.Skipped += len(needs) - n
		p.opts.progress(done, rep.Total)
		return nil
	})
	rep.Created = rep.Households + rep.Needs
	return err
}
