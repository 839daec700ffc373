package store_test

import (
	"fmt"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

func serviceProposals(run string, n int, place string) []store.Proposal {
	ps := make([]store.Proposal, n)
	for i := range ps {
		ps[i] = store.Proposal{Item: "meal", TargetTitle: "长者食堂", Proposal: domain.Proposal{RunID: run, Kind: domain.ProposalService,
			NeedID: fmt.Sprintf("need-%s-%d", place, i), MemberID: "m1", HouseholdID: fmt.Sprintf("hh-%d", i), Place: place,
			Target: domain.TargetOffering, TargetID: "o1", ProviderID: "p1", Score: 1500,
			Factors: map[string]float64{"category_fit": 1000, "priority": 500}}}
	}
	return ps
}

// TestProposalsInsertAndList writes more than one batch and pages through
// them with filters.
func TestProposalsInsertAndList(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ps := append(serviceProposals("r1", 1100, "610103002001"), serviceProposals("r1", 10, "610103003001")...)
		n, err := db.InsertProposals(ctx, ps)
		if err != nil || n != len(ps) {
			t.Fatalf("inserted %d of %d: %v", n, len(ps), err)
		}
		if ps[0].ID == "" || ps[0].State != domain.ProposalProposed || ps[0].Version != 1 || ps[0].CreatedAt.IsZero() {
			t.Fatalf("written back: %+v", ps[0])
		}
		seen, cursor := 0, ""
		for {
			page, next, err := db.ListProposals(ctx, store.ProposalFilter{Within: "610103002000", RunID: "r1", After: cursor, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			seen += len(page)
			if next == "" {
				break
			}
			cursor = next
		}
		if seen != 1100 {
			t.Fatalf("paged %d proposals in the street, want 1100", seen)
		}
		one, _, err := db.ListProposals(ctx, store.ProposalFilter{NeedID: ps[3].NeedID, Kind: domain.ProposalService})
		if err != nil || len(one) != 1 || one[0].Factors["category_fit"] != 1000 || one[0].TargetTitle != "长者食堂" ||
			one[0].Item != "meal" || one[0].ProviderID != "p1" || one[0].Target != domain.TargetOffering {
			t.Fatalf("by need: %+v, %v", one, err)
		}
		if got, _, _ := db.ListProposals(ctx, store.ProposalFilter{Within: "610103003000", NeedID: ps[3].NeedID}); len(got) != 0 {
			t.Fatalf("a need of another street leaked: %+v", got)
		}
	})
}

// TestSupersedeServiceProposals: a newer run supersedes the open service
// proposals of older runs in its place, never a decided one, and the run
// after that deletes what was superseded before.
func TestSupersedeServiceProposals(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		const comm, other = "610103002001", "610103003001"
		first := append(serviceProposals("r1", 3, comm), serviceProposals("r1", 1, other)...)
		if _, err := db.InsertProposals(ctx, first); err != nil {
			t.Fatal(err)
		}
		accepted := first[0].Proposal
		if err := accepted.Accept("coordinator", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := db.DecideProposal(ctx, &accepted); err != nil || accepted.State != domain.ProposalAccepted || accepted.Version != 2 {
			t.Fatalf("accept: %+v, %v", accepted, err)
		}
		late := first[0].Proposal
		_ = late.Reject(domain.RejectTooFar, "", "coordinator", time.Now())
		if err := db.DecideProposal(ctx, &late); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("deciding twice: want conflict, got %v", err)
		}
		second := serviceProposals("r2", 3, comm)
		if _, err := db.InsertProposals(ctx, second); err != nil {
			t.Fatal(err)
		}
		sup, pruned, err := db.SupersedeServiceProposals(ctx, comm, "r2")
		if err != nil || sup != 2 || pruned != 0 {
			t.Fatalf("superseded %d, pruned %d, %v", sup, pruned, err)
		}
		state := func(id string) domain.ProposalState {
			p, err := db.Proposal(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return p.State
		}
		if state(first[0].ID) != domain.ProposalAccepted || state(first[1].ID) != domain.ProposalSuperseded ||
			state(first[3].ID) != domain.ProposalProposed || state(second[0].ID) != domain.ProposalProposed {
			t.Fatal("superseding touched the wrong proposals")
		}
		if p, _ := db.Proposal(ctx, first[1].ID); p.SupersededBy != "r2" || p.Version != 2 {
			t.Fatalf("superseded proposal: %+v", p)
		}
		if _, err := db.InsertProposals(ctx, serviceProposals("r3", 1, comm)); err != nil {
			t.Fatal(err)
		}
		sup, pruned, err = db.SupersedeServiceProposals(ctx, comm, "r3")
		if err != nil || sup != 3 || pruned != 2 {
			t.Fatalf("third run: superseded %d, pruned %d, %v", sup, pruned, err)
		}
		if _, err := db.Proposal(ctx, first[1].ID); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("a proposal superseded two runs ago is kept: %v", err)
		}
		if err := db.DeleteRunProposals(ctx, "r3"); err != nil {
			t.Fatal(err)
		}
		if left, _, _ := db.ListProposals(ctx, store.ProposalFilter{RunID: "r3"}); len(left) != 0 {
			t.Fatalf("a failed run's proposals are left: %d", len(left))
		}
	})
}

// TestStandingProposals: leads stand per household and policy until
// superseded; rejected service proposals are what later runs respect.
func TestStandingProposals(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		lead := func(h, policy string) store.Proposal {
			return store.Proposal{TargetTitle: policy, Proposal: domain.Proposal{RunID: "r1", Kind: domain.ProposalPolicy,
				HouseholdID: h, Place: "610103002001", Target: domain.TargetPolicy, TargetID: policy, Score: 1}}
		}
		service := serviceProposals("r1", 2, "610103002001")
		ps := append([]store.Proposal{lead("h1", "mz-dibao"), lead("h1", "mz-visits"), lead("h2", "mz-dibao")}, service...)
		if _, err := db.InsertProposals(ctx, ps); err != nil {
			t.Fatal(err)
		}
		for _, i := range []int{1, 3} {
			p := ps[i].Proposal
			reason := domain.RejectNotEligible
			if p.Kind == domain.ProposalService {
				reason = domain.RejectTooFar
			}
			if err := p.Reject(reason, "", "coordinator", time.Now()); err != nil {
				t.Fatal(err)
			}
			if err := db.DecideProposal(ctx, &p); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SupersedeProposal(ctx, ps[2].ID, "r2"); err != nil {
			t.Fatal(err)
		}
		if err := db.SupersedeProposal(ctx, ps[2].ID, "r2"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("superseding twice: want conflict, got %v", err)
		}
		standing, err := db.StandingProposals(ctx, "610103002000")
		if err != nil || len(standing) != 3 {
			t.Fatalf("standing: %+v, %v", standing, err)
		}
		got := map[string]domain.ProposalState{}
		for _, p := range standing {
			got[p.ID] = p.State
		}
		if got[ps[0].ID] != domain.ProposalProposed || got[ps[1].ID] != domain.ProposalRejected || got[ps[3].ID] != domain.ProposalRejected {
			t.Fatalf("standing states: %v", got)
		}
		if other, _ := db.StandingProposals(ctx, "610103003000"); len(other) != 0 {
			t.Fatalf("another street: %+v", other)
		}
	})
}
