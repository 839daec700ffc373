package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

// The consent record, "do not contact" and the assistance-review flag are
// parts of the household file changed on their own, not through a full
// UpdateHousehold: each is one update of the file guarded by the version
// read. A change that does not depend on what a person read (appending a
// consent event, raising a flag) is retried on a lost race.

// fileRetries bounds the retries of a household change lost to a race: each
// round of racing writers has one winner, so this many writers at once all
// get through.
const fileRetries = 20

// changeHouseholdFile reads household id, applies change and writes the file
// in one update guarded by the version read, bumping it. change reports
// whether it changed anything (false: nothing is written). With
// expectedVersion > 0 a file at another version is ECONFLICT; with 0 a lost
// race is retried.
func (db *DB) changeHouseholdFile(ctx context.Context, id string, expectedVersion int64, change func(*domain.Household) (bool, error)) (domain.Household, error) {
	for try := 0; ; try++ {
		var d householdDoc
		if err := db.w.Collection(colHouseholds).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
			return domain.Household{}, translate("change household", err)
		}
		stale := domain.Errorf(domain.ECONFLICT, "档案已被他人修改，请刷新后重试 / the file changed since you read it")
		if expectedVersion > 0 && d.Version != expectedVersion {
			return domain.Household{}, stale
		}
		h := d.household()
		changed, err := change(&h)
		if err != nil || !changed {
			return h, err
		}
		h.Version, h.UpdatedAt = d.Version+1, db.now().UTC()
		res, err := db.w.Collection(colHouseholds).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "file", Value: householdFile{h}}, {Key: "version", Value: h.Version}, {Key: "updated_at", Value: h.UpdatedAt}}}})
		if err != nil {
			return domain.Household{}, translate("change household", err)
		}
		if res.MatchedCount == 1 {
			return h, nil
		}
		if expectedVersion > 0 || try >= fileRetries {
			return domain.Household{}, stale
		}
	}
}

// AppendConsent appends a consent event (grant or withdrawal) to the
// household's consent record, which is never rewritten: the event is checked
// against its member (domain.ConsentEvent.Validate: a guardian for a child
// under 14) and its time and recorder are the caller's. EINVALID naming
// member_id for a member not in the household.
func (db *DB) AppendConsent(ctx context.Context, householdID string, e domain.ConsentEvent) (domain.Household, error) {
	e.At = e.At.UTC()
	return db.changeHouseholdFile(ctx, householdID, 0, func(h *domain.Household) (bool, error) {
		m, ok := h.Member(e.MemberID)
		if !ok {
			return false, domain.Invalid("member_id", "exists", "该家庭没有此成员 / no such member in the household")
		}
		if err := e.Validate(m, db.now()); err != nil {
			return false, err
		}
		h.Consents = append(slices.Clip(h.Consents), e)
		return true, nil
	})
}

// SetDoNotContact sets or clears the household's "do not contact"; setting
// it to what it is writes nothing.
func (db *DB) SetDoNotContact(ctx context.Context, householdID string, value bool) (domain.Household, error) {
	return db.changeHouseholdFile(ctx, householdID, 0, func(h *domain.Household) (bool, error) {
		if h.DoNotContact == value {
			return false, nil
		}
		h.DoNotContact = value
		return true, nil
	})
}

// RaiseReview sets the household's assistance-review flag unless one is
// raised already (the first reason and date stand until a coordinator
// clears it). ENOTFOUND when the household does not exist.
func (db *DB) RaiseReview(ctx context.Context, householdID string, r domain.AssistanceReview) error {
	r.Since = r.Since.UTC()
	_, err := db.changeHouseholdFile(ctx, householdID, 0, func(h *domain.Household) (bool, error) {
		if h.Review != nil {
			return false, nil
		}
		h.Review = &r
		return true, nil
	})
	return err
}

// ClearReview records that a coordinator reviewed the household's assistance:
// a note in the household log (its ID derived from the flag, so a retry
// writes it once) and then the flag cleared, guarded by the version the
// coordinator read (expectedVersion > 0) or by the flag being the one noted.
// ECONFLICT when no review is due.
func (db *DB) ClearReview(ctx context.Context, householdID string, expectedVersion int64, by, note string) (domain.Household, error) {
	h, err := db.Household(ctx, householdID)
	if err != nil {
		return h, err
	}
	if h.Review == nil {
		return h, domain.Errorf(domain.ECONFLICT, "该户没有待复核事项 / no review is due")
	}
	r := *h.Review
	err = db.AppendLog(ctx, domain.LogEntry{ID: "review-" + householdID + "-" + r.Since.UTC().Format(time.RFC3339Nano),
		HouseholdID: householdID, Kind: domain.LogNote, At: db.now().UTC(), Author: by, RefID: r.Source,
		Text: "救助复核已完成 / assistance reviewed（" + r.Reason + "）：" + note})
	if err != nil {
		return h, err
	}
	return db.changeHouseholdFile(ctx, householdID, expectedVersion, func(h *domain.Household) (bool, error) {
		if h.Review == nil || h.Review.Source != r.Source || !h.Review.Since.Equal(r.Since) {
			return false, domain.Errorf(domain.ECONFLICT, "复核事项已变化，请刷新 / the review changed since you read it")
		}
		h.Review = nil
		return true, nil
	})
}

// EmploymentEntry is one line of a household's employment ledger: an
// employment entry of its log, with the hire it records when it comes from
// an application.
type EmploymentEntry struct {
	domain.LogEntry
	// Application is the hire behind the entry (nil for an entry written by
	// hand).
	Application *Application
	Job         *domain.JobOpening
	// EnterpriseName is the employer's name ("" when unknown).
	EnterpriseName string
}

// EmploymentLedger returns the employment entries of a household's log,
// oldest first, joined in bulk with their applications, jobs and employers.
func (db *DB) EmploymentLedger(ctx context.Context, householdID string) ([]EmploymentEntry, error) {
	log, err := db.HouseholdLog(ctx, householdID)
	if err != nil {
		return nil, err
	}
	var out []EmploymentEntry
	var refs []string
	for _, e := range log {
		if e.Kind == domain.LogEmployment {
			out = append(out, EmploymentEntry{LogEntry: e})
			if e.RefID != "" {
				refs = append(refs, e.RefID)
			}
		}
	}
	if len(refs) == 0 {
		return out, nil
	}
	apps, err := readByID(ctx, db, colApplications, "ledger applications", refs, applicationID, applicationDoc.application)
	if err != nil {
		return nil, err
	}
	var jobIDs, provIDs []string
	for _, a := range apps {
		jobIDs, provIDs = append(jobIDs, a.JobID), append(provIDs, a.EnterpriseID)
	}
	jobs, err := readByID(ctx, db, colJobs, "ledger jobs", jobIDs, jobID, jobDoc.job)
	if err != nil {
		return nil, err
	}
	provs, err := db.ProvidersByID(ctx, provIDs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		a, ok := apps[out[i].RefID]
		if !ok {
			continue
		}
		out[i].Application = &a
		if j, ok := jobs[a.JobID]; ok {
			out[i].Job = &j
		}
		out[i].EnterpriseName = provs[a.EnterpriseID].Name
	}
	return out, nil
}
