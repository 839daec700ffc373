package store_test

import (
	"reflect"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/seed"
	"lianzhu/store"
)

// TestPolicies seeds the catalogue once (a second seed adds nothing and
// keeps edits), round-trips every seed policy exactly, and guards edits by
// version.
func TestPolicies(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		pols, params := seed.Policies(), seed.PolicyParams()
		np, na, err := db.SeedPolicies(ctx, pols, params)
		if err != nil || np != len(pols) || na != params.Len() {
			t.Fatalf("seed: %v %d/%d policies, %d/%d params", err, np, len(pols), na, params.Len())
		}
		stored, err := db.Policies(ctx)
		if err != nil || len(stored) != len(pols) {
			t.Fatalf("policies: %v %d", err, len(stored))
		}
		for i, s := range stored {
			if s.ID != pols[i].ID || s.Version != 1 || s.UpdatedBy != "seed" {
				t.Fatalf("policy %d: %s v%d by %s", i, s.ID, s.Version, s.UpdatedBy)
			}
			if err := s.Validate(params); err != nil {
				t.Fatalf("stored policy %s no longer valid: %v", s.ID, err)
			}
			if !reflect.DeepEqual(normalizeCriteria(s.Criteria), normalizeCriteria(pols[i].Criteria)) || s.Benefit != pols[i].Benefit {
				t.Fatalf("policy %s changed in the round trip:\n%+v\n%+v", s.ID, s.Policy, pols[i])
			}
		}

		edit := stored[0]
		edit.NameZh = "修改后的名称"
		if err := db.UpdatePolicy(ctx, &edit, 1, "admin"); err != nil || edit.Version != 2 {
			t.Fatalf("update: %v v%d", err, edit.Version)
		}
		if err := db.UpdatePolicy(ctx, &edit, 1, "admin"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale update: %v", err)
		}
		if np, na, err := db.SeedPolicies(ctx, pols, params); err != nil || np != 0 || na != 0 {
			t.Fatalf("second seed: %v %d %d", err, np, na)
		}
		if again, _ := db.Policies(ctx); again[0].NameZh != "修改后的名称" {
			t.Fatalf("seed overwrote an edit: %s", again[0].NameZh)
		}
		dup := store.StoredPolicy{Policy: pols[1]}
		if err := db.CreatePolicy(ctx, &dup, "admin"); conflictField(t, err) != "id" {
			t.Fatalf("duplicate id: %v", err)
		}
		fresh := store.StoredPolicy{Policy: pols[1]}
		fresh.ID = "new-policy"
		if err := db.CreatePolicy(ctx, &fresh, "admin"); err != nil || fresh.Order != len(pols) {
			t.Fatalf("create: %v order %d", err, fresh.Order)
		}

		ps, err := db.PolicyParams(ctx)
		if err != nil || len(ps) != params.Len() {
			t.Fatalf("params: %v %d", err, len(ps))
		}
		p := ps[0]
		p.Values = append(p.Values, domain.ParamValue{From: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Value: 99900})
		if err := db.UpdatePolicyParam(ctx, &p, 1, "admin"); err != nil || p.Version != 2 {
			t.Fatalf("add value: %v", err)
		}
		if err := db.UpdatePolicyParam(ctx, &p, 1, "admin"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale param update: %v", err)
		}
		again, _ := db.PolicyParams(ctx)
		if last := again[0].Values[len(again[0].Values)-1]; last.Value != 99900 {
			t.Fatalf("value not stored: %+v", again[0].Values)
		}
		np2 := store.StoredParameter{Parameter: domain.Parameter{Name: again[0].Name, LabelZh: "x", LabelEn: "x",
			Values: []domain.ParamValue{{From: time.Now(), Value: 1}}}}
		if err := db.CreatePolicyParam(ctx, &np2, "admin"); conflictField(t, err) != "name" {
			t.Fatalf("duplicate parameter: %v", err)
		}
	})
}

// normalizeCriteria makes nil and empty slices equal for comparison.
func normalizeCriteria(cs []domain.Criterion) []domain.Criterion {
	if len(cs) == 0 {
		return nil
	}
	out := make([]domain.Criterion, len(cs))
	for i, c := range cs {
		c.Criteria = normalizeCriteria(c.Criteria)
		if len(c.DisabilityTypes) == 0 {
			c.DisabilityTypes = nil
		}
		if len(c.WorkAbilities) == 0 {
			c.WorkAbilities = nil
		}
		if len(c.Employments) == 0 {
			c.Employments = nil
		}
		if len(c.Statuses) == 0 {
			c.Statuses = nil
		}
		if len(c.Places) == 0 {
			c.Places = nil
		}
		out[i] = c
	}
	return out
}

// TestCatalogueEdits seeds the stored catalogue from the seed, keeps an
// edit across a reload and merges only the editable fields.
func TestCatalogueEdits(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		base := seed.Catalogue()
		items, err := db.CatalogueItems(ctx, base)
		if err != nil || len(items) != base.Len() || items[0].Code != base.All()[0].Code {
			t.Fatalf("seeded catalogue: %v %d", err, len(items))
		}
		it := items[0]
		it.NameZh, it.UnitPriceFen, it.Synonyms = "新名称", 12345, []string{"新说法"}
		it.Tier = domain.TierQuality // not editable: ignored by the merge
		if err := db.UpdateCatalogueItem(ctx, &it, 1, "admin"); err != nil || it.Version != 2 {
			t.Fatalf("update item: %v", err)
		}
		if err := db.UpdateCatalogueItem(ctx, &it, 1, "admin"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("stale item update: %v", err)
		}
		cat, err := db.LoadCatalogue(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := cat.Get(it.Code)
		want, _ := base.Get(it.Code)
		if got.NameZh != "新名称" || got.UnitPriceFen != 12345 || len(got.Synonyms) != 1 || got.Tier != want.Tier {
			t.Fatalf("merged item: %+v", got)
		}
	})
}
