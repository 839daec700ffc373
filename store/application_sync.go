package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// What an application's change implies elsewhere — its proposal accepted,
// its need moved, a hire's employment entry in the household log and the
// household's review flag — is written after the application's own guarded
// update, never in one transaction (there are none). The application records
// the intent (synced: false in the same update as the change);
// SyncApplication carries it out idempotently and clears the flag;
// SweepApplications runs it for every application a crash left unsynced.

// EmploymentLogID is the ID of the employment entry a hire writes into the
// household log: derived from the application, so writing it twice is
// harmless.
func EmploymentLogID(applicationID string) string { return "emp-" + applicationID }

// SyncApplication brings what lies outside application id up to its state,
// idempotently, then marks it synced (unless it changed meanwhile: the next
// sync takes that). ENOTFOUND when it does not exist.
func (db *DB) SyncApplication(ctx context.Context, id string) error {
	a, err := db.Application(ctx, id)
	if err != nil || a.Synced {
		return err
	}
	if err := db.acceptApplicationProposal(ctx, a); err != nil {
		return err
	}
	if err := db.followApplicationNeed(ctx, a); err != nil {
		return err
	}
	if err := db.followOpening(ctx, a); err != nil {
		return err
	}
	if a.State == domain.ApplicationHired {
		if err := db.recordHire(ctx, a); err != nil {
			return err
		}
	}
	_, err = db.w.Collection(colApplications).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: a.ID}, {Key: "version", Value: a.Version}, {Key: "synced", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "synced", Value: true}}}})
	return translate("mark application synced", err)
}

// acceptApplicationProposal accepts the job proposal the application was
// made from, if it is still proposed. One decided meanwhile (rejected,
// superseded by a run) stays as it is: the application stands on its own.
func (db *DB) acceptApplicationProposal(ctx context.Context, a Application) error {
	if a.ProposalID == "" {
		return nil
	}
	p, err := db.Proposal(ctx, a.ProposalID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	}
	if err != nil || p.State != domain.ProposalProposed {
		return err
	}
	by := a.CreatedBy
	if by == "" {
		by = SystemActor
	}
	if err := p.Accept(by, a.AppliedAt); err != nil {
		return err
	}
	if err := db.DecideProposal(ctx, &p.Proposal); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		return err
	}
	return nil
}

// applicationNeedTarget is the state an application's need should reach:
// matched while it is open, resolved by a hire, open again when it ended
// otherwise.
func applicationNeedTarget(s domain.ApplicationState) domain.NeedState {
	switch s {
	case domain.ApplicationHired:
		return domain.NeedResolved
	case domain.ApplicationRejected, domain.ApplicationWithdrawn:
		return domain.NeedOpen
	}
	return domain.NeedMatched
}

// followApplicationNeed walks the application's employment need towards its
// target (walkNeed, task_sync.go). A
// need goes back to open only from matched, and only when no other live
// application holds it.
func (db *DB) followApplicationNeed(ctx context.Context, a Application) error {
	if a.NeedID == "" {
		return nil
	}
	need, err := db.Need(ctx, a.NeedID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	target := applicationNeedTarget(a.State)
	if target == domain.NeedOpen {
		if need.State != domain.NeedMatched {
			return nil
		}
		others, err := findDocs[applicationDoc](ctx, db.r.Collection(colApplications), "applications of need",
			bson.D{{Key: "need_id", Value: a.NeedID}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "state", Value: 1}}))
		if err != nil {
			return err
		}
		for _, o := range others {
			if o.ID != a.ID && applicationLive(domain.ApplicationState(o.State)) {
				return nil
			}
		}
	}
	return db.walkNeed(ctx, need, target)
}

// recordHire writes a hire's employment entry into the household log (date,
// job title, enterprise, wage; its ID derived from the application) and
// raises the household's review flag. Both are idempotent.
func (db *DB) recordHire(ctx context.Context, a Application) error {
	title, wage := a.JobTitle, ""
	job, err := db.Job(ctx, a.JobID)
	switch {
	case err == nil:
		title, wage = job.Title, job.WageMinFen.String()+"–"+job.WageMaxFen.String()
	case domain.ErrorCode(err) != domain.ENOTFOUND:
		return err
	}
	if a.WageFen > 0 {
		wage = a.WageFen.String()
	}
	enterprise := "用人单位"
	p, err := db.Provider(ctx, a.EnterpriseID)
	switch {
	case err == nil:
		enterprise = p.Name
	case domain.ErrorCode(err) != domain.ENOTFOUND:
		return err
	}
	at, by := a.HiredAt(), SystemActor
	for _, h := range a.History {
		if h.To == domain.ApplicationHired && h.By != "" {
			by = h.By
		}
	}
	if at.IsZero() {
		at = a.UpdatedAt
	}
	err = db.AppendLog(ctx, domain.LogEntry{ID: EmploymentLogID(a.ID), HouseholdID: a.HouseholdID, MemberID: a.MemberID,
		Kind: domain.LogEmployment, At: at, Author: by, RefID: a.ID,
		Text: fmt.Sprintf("受聘：%s，%s，月薪%s / hired: %s at %s, monthly wage %s", title, enterprise, wage, title, enterprise, wage)})
	if err != nil {
		return err
	}
	return db.RaiseReview(ctx, a.HouseholdID, domain.AssistanceReview{Reason: domain.ReviewReasonHire, Since: at,
		Source: "application:" + a.ID})
}

// SweepApplications is the applications' reconciler, run at start and then
// every minute: it syncs every application a crash left unsynced between
// its own update and what follows it, then makes every job's hires agree
// with its hired applications (repairOpenings); it counts the applications
// synced and the jobs corrected. One that cannot be synced does not hold up
// the others.
func (db *DB) SweepApplications(ctx context.Context) (int, error) {
	unsynced, err := findDocs[applicationDoc](ctx, db.r.Collection(colApplications), "unsynced applications",
		bson.D{{Key: "synced", Value: false}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, d := range unsynced {
		if err := db.SyncApplication(ctx, d.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	fixed, err := db.repairOpenings(ctx)
	errs = append(errs, err)
	return n + fixed, errors.Join(errs...)
}

// Candidate is a standing job proposal with what its view needs.
type Candidate struct {
	Proposal  Proposal
	Household domain.Household
	// Availability is the employment need's preferred time ("工作日白天").
	Availability string
}

// JobCandidates returns the standing (proposed) proposals of job jobID
// within a place ("" = all) whose member consents to employers and whose
// household is not do-not-contact (domain.Household.Allows): a withdrawn
// consent hides the candidate at once. Three bulk reads: the proposals,
// their households and their needs.
func (db *DB) JobCandidates(ctx context.Context, jobID, within string) ([]Candidate, error) {
	docs, err := findDocs[proposalDoc](ctx, db.r.Collection(colProposals), "job candidates",
		withEqual(scopeFilter(within), "target_id", jobID, "target", string(domain.TargetJob), "state", string(domain.ProposalProposed)))
	if err != nil {
		return nil, err
	}
	var hhIDs, needIDs []string
	for _, d := range docs {
		hhIDs, needIDs = append(hhIDs, d.HouseholdID), append(needIDs, d.NeedID)
	}
	hhs, err := db.HouseholdsByID(ctx, hhIDs)
	if err != nil {
		return nil, err
	}
	times, err := db.ApplicationAvailability(ctx, needIDs)
	if err != nil {
		return nil, err
	}
	out := make([]Candidate, 0, len(docs))
	for _, d := range docs {
		hh, ok := hhs[d.HouseholdID]
		if !ok || !hh.Allows(d.MemberID, domain.RecipientEmployer) {
			continue
		}
		out = append(out, Candidate{Proposal: d.proposal(), Household: hh, Availability: times[d.NeedID]})
	}
	return out, nil
}

// ApplicationAvailability returns the preferred times of needs by id, in one
// bulk read: a job candidate's availability.
func (db *DB) ApplicationAvailability(ctx context.Context, needIDs []string) (map[string]string, error) {
	var ids []string
	for _, id := range needIDs {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return map[string]string{}, nil
	}
	return readByID(ctx, db, colNeeds, "availability of needs", ids, func(d needDoc) string { return d.ID },
		func(d needDoc) string { return d.PreferredTime })
}
