package outreach

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"

	"lianzhu/domain"
	"lianzhu/store"
)

// VisitNeed is a need found at a home visit.
type VisitNeed struct {
	Item     string `json:"item"`
	MemberID string `json:"member_id"`
	// NeutralNote is what providers may see; OwnWords stay with
	// coordinators.
	NeutralNote   string         `json:"neutral_note"`
	OwnWords      string         `json:"own_words"`
	Urgency       domain.Urgency `json:"urgency"`
	PreferredTime string         `json:"preferred_time"`
}

// Visit is what a coordinator recorded at a warning's home visit.
type Visit struct {
	Note  string
	Needs []VisitNeed
	Facts domain.VisitFacts
	By    string
}

// Verify records the home visit of a warning whose visit was assigned: the
// needs found (channel warning, linked to the warning), the facts
// established (source home_visit), and the warning verified. The visit is
// written on the warning first (store.BeginVisit), so that a crash half-way
// is finished by Resume. It returns ECONFLICT unless the visit is assigned
// (a visit already being recorded is finished, and still ECONFLICT), and
// EINVALID for a bad note, need or fact ("needs[i].item", "facts.…").
func (e *Engine) Verify(ctx context.Context, w store.WarningRecord, v Visit, places *domain.Places) (store.WarningRecord, error) {
	if w.Visit != nil {
		if _, err := e.finishVisit(ctx, w); err != nil {
			return w, err
		}
		return w, domain.Errorf(domain.ECONFLICT, "该预警的入户记录已保存 / the visit of this warning was recorded already")
	}
	if !domain.CanTransitionWarning(w.State, domain.WarningVerified) {
		return w, domain.Errorf(domain.ECONFLICT, "预警须先派单入户，当前状态 %s / the visit must be assigned first", w.State)
	}
	h, err := e.Store.Household(ctx, w.HouseholdID)
	if err != nil {
		return w, err
	}
	at := e.now()
	var p domain.Problems
	p.Merge("", v.Facts.Validate(&h))
	needs := make([]domain.Need, len(v.Needs))
	ids := make([]string, len(v.Needs))
	for i, vn := range v.Needs {
		field := "needs[" + strconv.Itoa(i) + "]"
		n := domain.Need{ID: visitNeedID(w.ID, i), HouseholdID: h.ID, MemberID: vn.MemberID, Place: h.Place, Item: vn.Item,
			OwnWords: vn.OwnWords, NeutralNote: vn.NeutralNote, Urgency: vn.Urgency, PreferredTime: vn.PreferredTime,
			Channel: domain.ChannelWarning, WarningID: w.ID, State: domain.NeedOpen, CreatedBy: v.By,
			CreatedAt: at, UpdatedAt: at, Version: 1}
		if n.Urgency == "" {
			n.Urgency = domain.UrgencyNormal
		}
		if _, ok := h.Member(vn.MemberID); !ok {
			p.Add(field+".member_id", "exists", "该家庭没有此成员 / no such member")
		}
		p.Merge(field, n.Validate(places, e.Catalogue, at))
		needs[i], ids[i] = n, n.ID
	}
	probe := h
	probe.Members = slices.Clone(h.Members)
	visit := domain.WarningVisit{Note: v.Note, NeedIDs: ids, UpdatedFacts: v.Facts.Apply(&probe, at)}
	check := w.Warning
	if err := check.Verify(visit, at); err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return w, err
		}
		p.Merge("", err)
	}
	if err := p.Err(); err != nil {
		return w, err
	}
	intent := store.VisitIntent{Visit: visit, Needs: needs, Facts: v.Facts, By: v.By, At: at}
	if err := e.Store.BeginVisit(ctx, &w.Warning, w.State, intent); err != nil {
		return w, err
	}
	w.Visit = &intent
	return e.finishVisit(ctx, w)
}

// visitNeedID derives the ID of the i-th need of a warning's visit, so that
// finishing the visit twice stores each need once.
func visitNeedID(warningID string, i int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("visit-need/v1\x00%s\x00%d", warningID, i)))
	return hex.EncodeToString(sum[:12])
}

// finishVisit writes what a recorded visit found — its needs (a second run
// adds none), its facts (the same values on the same date change nothing
// the second time) and the visit in the household's log (once) — and
// verifies the warning.
func (e *Engine) finishVisit(ctx context.Context, w store.WarningRecord) (store.WarningRecord, error) {
	v := w.Visit
	if _, err := e.Store.InsertNeeds(ctx, v.Needs); err != nil {
		return w, err
	}
	if !v.Facts.Empty() {
		err := retryConflicts(func() error {
			h, err := e.Store.Household(ctx, w.HouseholdID)
			if err != nil || len(v.Facts.Apply(&h, v.At)) == 0 {
				return err
			}
			return e.Store.UpdateHousehold(ctx, &h, h.Version)
		})
		if err != nil {
			return w, err
		}
	}
	// The visit in the household's log, once (its ID is the warning's).
	if err := e.Store.AppendLog(ctx, domain.LogEntry{ID: "visit-" + w.ID, HouseholdID: w.HouseholdID, Kind: domain.LogVisit,
		At: v.At, Author: v.By, Text: v.Visit.Note, RefID: w.ID}); err != nil {
		return w, err
	}
	from := w.State
	if err := w.Warning.Verify(v.Visit, v.At); err != nil {
		return w, err
	}
	if err := e.Store.FinishVisit(ctx, &w.Warning, from); err != nil {
		return w, err
	}
	w.Visit = nil
	return w, nil
}
