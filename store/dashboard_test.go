package store_test

import (
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/store"
)

// TestDashboardReads reads the needs' facts, counts providers by light
// with a $match/$group aggregation, and finds the latest finished run over
// a place and the needs it proposed help for.
func TestDashboardReads(t *testing.T) {
	forEachTarget(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mk := func(place, item string, state domain.NeedState) domain.Need {
			return domain.Need{HouseholdID: "h", MemberID: "m", Place: place, Item: item, State: state,
				Urgency: domain.UrgencyNormal, Channel: domain.ChannelHomeVisit, CreatedBy: "c"}
		}
		needs := []domain.Need{
			mk("610103002001", "meals", domain.NeedOpen), mk("610103002001", "meals", domain.NeedOpen),
			mk("610103002002", "meals", domain.NeedMatched), mk("610103002001", "bathing", domain.NeedClosed),
			mk("610103003001", "meals", domain.NeedOpen),
		}
		if _, err := db.InsertNeeds(ctx, needs); err != nil {
			t.Fatal(err)
		}
		facts, err := db.NeedFacts(ctx, "610103002000")
		if err != nil {
			t.Fatal(err)
		}
		open := 0
		for _, f := range facts {
			if f.State == domain.NeedOpen && f.Item == "meals" && f.Community == "610103002001" && !f.CreatedAt.IsZero() {
				open++
			}
		}
		if len(facts) != 4 || open != 2 {
			t.Fatalf("need facts: %d, open meals in 001: %d: %+v", len(facts), open, facts)
		}

		for i, l := range []domain.TrafficLight{domain.LightGreen, domain.LightRed, domain.LightRed} {
			p := organisation(domain.ProviderNGO, "机构", uscc(t, "51610103MJ00000"+string(rune('1'+i))+"0"), "610103002000")
			p.TrafficLight = l
			mustCreateProvider(t, db, p)
		}
		lights, err := db.ProviderLightCounts(ctx, "610103002000")
		if err != nil || lights[domain.LightGreen] != 1 || lights[domain.LightRed] != 2 {
			t.Fatalf("light counts: %v %+v", err, lights)
		}

		run := store.Run{Place: "610103002000", CreatedBy: "c"}
		if err := db.CreateRun(ctx, &run); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LatestRunOver(ctx, "610103002001"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("unfinished run found: %v", err)
		}
		p := store.Proposal{Proposal: domain.Proposal{Kind: domain.ProposalService, RunID: run.ID, HouseholdID: "h", NeedID: needs[0].ID,
			Place: "610103002001", Target: domain.TargetOffering, TargetID: "o1", CreatedAt: time.Now().UTC()}}
		if _, err := db.InsertProposals(ctx, []store.Proposal{p}); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishRun(ctx, run.ID, store.RunDone, store.RunSummary{}, ""); err != nil {
			t.Fatal(err)
		}
		latest, err := db.LatestRunOver(ctx, "610103002001")
		if err != nil || latest.ID != run.ID {
			t.Fatalf("latest run over a community of the street: %v %+v", err, latest)
		}
		ids, err := db.RunNeedIDs(ctx, run.ID)
		if err != nil || len(ids) != 1 || !ids[needs[0].ID] {
			t.Fatalf("run need ids: %v %+v", err, ids)
		}
	})
}
