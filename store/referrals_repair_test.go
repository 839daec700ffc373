package store_test

import (
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/seed"
	"lianzhu/store"
)

// inService dispatches a bathing referral for the fixture's need and takes
// it through acceptance into service.
func (fx *refFx) inService(t *testing.T) domain.Referral {
	t.Helper()
	r := fx.referralFor(fx.need.ID)
	fx.create(t, &r, true)
	fx.move(t, r.ID, domain.ReferralMove{To: domain.ReferralAccepted})
	return fx.move(t, r.ID, domain.ReferralMove{To: domain.ReferralInService})
}

// bath is a service record of one bath on r using voucher of the given
// amount.
func (fx *refFx) bath(r domain.Referral, voucher domain.Fen, worker string) domain.ServiceRecord {
	return domain.ServiceRecord{ReferralID: r.ID, HouseholdID: r.HouseholdID, MemberID: "m1", ProviderID: fx.provider.ID,
		OfferingID: fx.offering.ID, Item: "bathing", Date: fx.clk.Now(), Minutes: 60, Units: 1, WhatWasDone: "上门助浴",
		Worker: worker, VoucherFen: voucher, RecordedBy: "ngo"}
}

// sweep runs the referral sweeper and fails the test on an error.
func (fx *refFx) sweep(t *testing.T) store.ReferralSweep {
	t.Helper()
	s, err := fx.db.SweepReferrals(t.Context(), seed.Catalogue())
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	return s
}

// TestRepairUncountedServiceRecords: AddServiceRecord writes the record
// (uncounted), then counts it on the referral, then marks it counted. A
// crash after the first write leaves a record the referral never took: the
// sweeper deletes it once past the grace period, and its voucher stays in
// the reservation. A crash after the second leaves a record the referral
// counted: the sweeper marks it counted. Readers see neither meanwhile; a
// second sweep does nothing.
func TestRepairUncountedServiceRecords(t *testing.T) {
	forEachReferralTarget(t, func(t *testing.T, fx *refFx) {
		ctx := t.Context()
		r := fx.inService(t)

		// Crash 1: the record is stored, the referral never counted it.
		lost := fx.bath(r, domain.Yuan(50), "李护工")
		lost.ID = "lost-record"
		if _, err := fx.db.InsertServiceRecords(ctx, []domain.ServiceRecord{lost}); err != nil {
			t.Fatal(err)
		}
		if err := fx.db.SetRaw(ctx, "service_records", lost.ID, "counted", false); err != nil {
			t.Fatal(err)
		}
		// A record of a referral that does not exist goes the same way.
		stray := fx.bath(domain.Referral{ID: "no-such-referral", HouseholdID: r.HouseholdID}, 0, "赵护工")
		stray.ID = "stray-record"
		if _, err := fx.db.InsertServiceRecords(ctx, []domain.ServiceRecord{stray}); err != nil {
			t.Fatal(err)
		}
		if err := fx.db.SetRaw(ctx, "service_records", stray.ID, "counted", false); err != nil {
			t.Fatal(err)
		}
		// Crash 2: the referral counted the record, the record's flag was not set.
		kept := fx.bath(r, domain.Yuan(60), "王护工")
		if _, err := fx.db.AddServiceRecord(ctx, &kept); err != nil {
			t.Fatal(err)
		}
		if err := fx.db.SetRaw(ctx, "service_records", kept.ID, "counted", false); err != nil {
			t.Fatal(err)
		}

		if recs, err := fx.db.ReferralServiceRecords(ctx, r.ID); err != nil || len(recs) != 0 {
			t.Fatalf("uncounted records are visible: %+v, %v", recs, err)
		}
		if s := fx.sweep(t); s.Records != 0 {
			t.Fatalf("records repaired within the grace period: %+v", s)
		}
		for _, id := range []string{lost.ID, stray.ID, kept.ID} {
			if _, err := fx.db.RawDocument(ctx, "service_records", id); err != nil {
				t.Fatalf("record %s gone within the grace period: %v", id, err)
			}
		}

		fx.clk.Add(10 * time.Minute)
		if s := fx.sweep(t); s.Records != 3 {
			t.Fatalf("sweep %+v, want 3 records repaired", s)
		}
		for _, id := range []string{lost.ID, stray.ID} {
			if _, err := fx.db.RawDocument(ctx, "service_records", id); err == nil {
				t.Fatalf("record %s the referral never counted survived the repair", id)
			}
		}
		recs, err := fx.db.ReferralServiceRecords(ctx, r.ID)
		if err != nil || len(recs) != 1 || recs[0].ID != kept.ID || recs[0].Worker != "王护工" {
			t.Fatalf("records after repair %+v, %v", recs, err)
		}
		got, _ := fx.db.Referral(ctx, r.ID)
		if got.Services != 1 || got.UsedVoucherFen != domain.Yuan(60) {
			t.Fatalf("referral after repair: %d services, %s used", got.Services, got.UsedVoucherFen)
		}
		if s := fx.sweep(t); s.Records != 0 || s.Synced != 0 {
			t.Fatalf("a second sweep repaired again: %+v", s)
		}

		// The lost record's voucher is still the referral's: ¥20 more fits, ¥21 does not.
		over := fx.bath(r, domain.Yuan(21), "王护工")
		if _, err := fx.db.AddServiceRecord(ctx, &over); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("a record beyond the reservation: %v", err)
		}
		rest := fx.bath(r, domain.Yuan(20), "王护工")
		if _, err := fx.db.AddServiceRecord(ctx, &rest); err != nil {
			t.Fatal(err)
		}
		fx.move(t, r.ID, domain.ReferralMove{To: domain.ReferralCompleted,
			Proof: &domain.Proof{Method: domain.ProofBySignature, At: fx.clk.Now(), RecordedBy: "ngo", RecorderRole: domain.RoleNGO, SignatureRef: "sig-1"}})
		if b := fx.balance(t); b.SpentFen != domain.Yuan(80) || b.ReservedFen != 0 || b.LeftFen != domain.Yuan(720) {
			t.Fatalf("balance after completion %+v", b)
		}
	})
}

// TestReleaseOrphanReservations: CreateReferral reserves the voucher, then
// inserts the referral. A crash in between leaves a reservation no referral
// holds: the sweeper gives it back once past the grace period (once), and
// leaves the reservations of stored referrals alone.
func TestReleaseOrphanReservations(t *testing.T) {
	forEachReferralTarget(t, func(t *testing.T, fx *refFx) {
		ctx := t.Context()
		orphan := fx.referralFor(fx.need.ID)
		fx.create(t, &orphan, false)
		if err := fx.db.DeleteRaw(ctx, "referrals", orphan.ID); err != nil {
			t.Fatal(err)
		}
		other := fx.newNeed(t)
		live := fx.referralFor(other.ID)
		fx.create(t, &live, true)
		if b := fx.balance(t); b.ReservedFen != domain.Yuan(160) || b.LeftFen != domain.Yuan(640) {
			t.Fatalf("balance before the sweep %+v", b)
		}
		if s := fx.sweep(t); s.Released != 0 || fx.balance(t).ReservedFen != domain.Yuan(160) {
			t.Fatalf("released within the grace period: %+v, %+v", s, fx.balance(t))
		}

		fx.clk.Add(10 * time.Minute)
		if s := fx.sweep(t); s.Released != 1 {
			t.Fatalf("sweep %+v, want one reservation released", s)
		}
		if b := fx.balance(t); b.ReservedFen != domain.Yuan(80) || b.LeftFen != domain.Yuan(720) {
			t.Fatalf("balance after the release %+v", b)
		}
		l, _, err := fx.db.VoucherLedger(ctx, fx.household.ID, 2025)
		if err != nil {
			t.Fatal(err)
		}
		released := 0
		for _, e := range l.Entries {
			if e.ReferralID == orphan.ID && e.Kind == domain.VoucherRelease {
				released++
				if e.AmountFen != domain.Yuan(80) {
					t.Fatalf("release entry %+v", e)
				}
			}
			if e.ReferralID == live.ID && e.Kind != domain.VoucherReserve {
				t.Fatalf("the live referral's reservation was touched: %+v", e)
			}
		}
		if released != 1 {
			t.Fatalf("%d release entries for the orphan: %+v", released, l.Entries)
		}
		if s := fx.sweep(t); s.Released != 0 || fx.balance(t).ReservedFen != domain.Yuan(80) {
			t.Fatalf("a second sweep released again: %+v, %+v", s, fx.balance(t))
		}
		// The freed amount can be reserved again: the need is still open for a new dispatch.
		again := fx.referralFor(fx.need.ID)
		fx.create(t, &again, true)
		if b := fx.balance(t); b.ReservedFen != domain.Yuan(160) {
			t.Fatalf("balance after a new dispatch %+v", b)
		}
	})
}
