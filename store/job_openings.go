package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

// A job's openings are filled by hires, as an offering's places are held by
// referrals (referral_capacity.go). The job document keeps the hires,
// [{application_id, at}], next to its fields (jobToDoc never sets them, so an
// edit by the enterprise keeps them). A hire first takes an opening — a
// version-guarded rewrite of the hires that refuses when every opening is
// filled — and only then moves its application; so of ten concurrent hires
// for two openings exactly two win. The job becomes filled when its hires
// reach its openings (and open again if a hire that never landed is given
// back). The hire's sync makes the hires agree with the application; the
// sweeper drops hires whose application is not hired (a crash or a lost
// race between the two writes) and adds hired applications the job lacks.

// jobHire is one hired application holding an opening.
type jobHire struct {
	ApplicationID string    `bson:"application_id"`
	At            time.Time `bson:"at"`
}

// openingsDoc is the part of a job document its openings need.
type openingsDoc struct {
	ID       string    `bson:"_id"`
	Openings int       `bson:"openings"`
	Status   string    `bson:"status"`
	Hires    []jobHire `bson:"hires"`
	Version  int64     `bson:"version"`
}

func (d openingsDoc) hired(applicationID string) bool {
	return slices.ContainsFunc(d.Hires, func(h jobHire) bool { return h.ApplicationID == applicationID })
}

var openingsFields = bson.D{{Key: "openings", Value: 1}, {Key: "status", Value: 1}, {Key: "hires", Value: 1}, {Key: "version", Value: 1}}

// jobFilled is the answer when every opening has been filled.
func jobFilled() error {
	return domain.Errorf(domain.ECONFLICT, "岗位已招满 / every opening of this job is filled")
}

// rewriteHires reads the job's hires, lets change rewrite them (false:
// nothing to write) and writes them in one update guarded by the version
// read, retrying a lost race; the status follows: filled when the hires
// reach the openings, open again when hires had filled it and one is given
// back (a job the enterprise marked filled itself stays filled).
func (db *DB) rewriteHires(ctx context.Context, jobID string, change func(d *openingsDoc) (bool, error)) error {
	return rewriteGuarded(ctx, db.w.Collection(colJobs), jobID, openingsFields, "job openings",
		func(d *openingsDoc) int64 { return d.Version },
		func(d *openingsDoc) (bson.D, error) {
			before := len(d.Hires)
			write, err := change(d)
			if err != nil || !write {
				return nil, err
			}
			status := domain.JobStatus(d.Status)
			switch {
			case status == domain.JobOpen && len(d.Hires) >= d.Openings:
				status = domain.JobFilled
			case status == domain.JobFilled && before >= d.Openings && len(d.Hires) < d.Openings:
				status = domain.JobOpen // filled by hires, one of which never landed
			}
			return bson.D{{Key: "hires", Value: d.Hires}, {Key: "status", Value: string(status)},
				{Key: "updated_at", Value: db.now().UTC()}, {Key: "indexed", Value: false}}, nil
		},
		domain.Errorf(domain.ECONFLICT, "岗位正被频繁变动，请重试 / the job is busy, try again"))
}

// takeOpening makes the application a hire of the job: ECONFLICT when every
// opening is filled or the job no longer takes applications (a hire already
// is one: no-op).
func (db *DB) takeOpening(ctx context.Context, jobID, applicationID string) error {
	return db.rewriteHires(ctx, jobID, func(d *openingsDoc) (bool, error) {
		if d.hired(applicationID) {
			return false, nil
		}
		if len(d.Hires) >= d.Openings {
			return false, jobFilled()
		}
		if domain.JobStatus(d.Status) != domain.JobOpen {
			return false, domain.Errorf(domain.ECONFLICT, "岗位已不再招聘 / the job is no longer open")
		}
		d.Hires = append(d.Hires, jobHire{ApplicationID: applicationID, At: db.now().UTC()})
		return true, nil
	})
}

// returnOpeningUnlessHired gives back the opening a lost hire took, unless
// the application is hired after all (a concurrent hire of the same
// application won). Best effort: the sweeper drops what this misses.
func (db *DB) returnOpeningUnlessHired(ctx context.Context, applicationID string) {
	a, err := db.Application(ctx, applicationID)
	if err != nil || a.State == domain.ApplicationHired {
		return
	}
	_ = db.rewriteHires(ctx, a.JobID, func(d *openingsDoc) (bool, error) {
		n := len(d.Hires)
		d.Hires = slices.DeleteFunc(d.Hires, func(h jobHire) bool { return h.ApplicationID == a.ID })
		return len(d.Hires) != n, nil
	})
}

// followOpening counts a hired application among the job's hires (even
// beyond the openings: the hire happened). It never removes one: an
// application not yet hired may be a hire in flight whose opening is
// taken a moment before it moves; the sweeper drops takes that never
// landed, after the grace period. A job that is gone is left alone.
func (db *DB) followOpening(ctx context.Context, a Application) error {
	if a.State != domain.ApplicationHired {
		return nil
	}
	err := db.rewriteHires(ctx, a.JobID, func(d *openingsDoc) (bool, error) {
		if d.hired(a.ID) {
			return false, nil
		}
		d.Hires = append(d.Hires, jobHire{ApplicationID: a.ID, At: a.HiredAt().UTC()})
		return true, nil
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	}
	return err
}

// repairOpenings makes every job's hires equal its hired applications: a
// hire whose application is not hired (its move never landed) is dropped
// once older than the grace period; a hired application the job lacks is
// added. It returns how many jobs it corrected.
func (db *DB) repairOpenings(ctx context.Context) (int, error) {
	hired, err := findDocs[applicationDoc](ctx, db.r.Collection(colApplications), "hired applications",
		bson.D{{Key: "state", Value: string(domain.ApplicationHired)}},
		options.Find().SetProjection(bson.D{{Key: "job_id", Value: 1}, {Key: "history", Value: 1}, {Key: "updated_at", Value: 1}, {Key: "state", Value: 1}}))
	if err != nil {
		return 0, err
	}
	want := map[string]map[string]time.Time{} // job → application → hired at
	for _, d := range hired {
		a := d.application()
		if want[a.JobID] == nil {
			want[a.JobID] = map[string]time.Time{}
		}
		want[a.JobID][a.ID] = a.HiredAt()
	}
	jobs, err := findDocs[openingsDoc](ctx, db.r.Collection(colJobs), "job openings", bson.D{},
		options.Find().SetProjection(openingsFields))
	if err != nil {
		return 0, err
	}
	cutoff := db.now().Add(-capacityGrace)
	fixed := 0
	for _, j := range jobs {
		w := want[j.ID]
		if !hiresDrift(j, w, cutoff) {
			continue
		}
		err := db.rewriteHires(ctx, j.ID, func(d *openingsDoc) (bool, error) {
			d.Hires = repairedHires(d.Hires, w, cutoff)
			return true, nil
		})
		if err != nil {
			return fixed, err
		}
		fixed++
	}
	return fixed, nil
}

// hiresDrift reports whether a job's hires disagree with its hired
// applications beyond the grace period, or its status with its hires.
func hiresDrift(j openingsDoc, want map[string]time.Time, cutoff time.Time) bool {
	repaired := repairedHires(slices.Clone(j.Hires), want, cutoff)
	return len(repaired) != len(j.Hires) ||
		slices.ContainsFunc(repaired, func(h jobHire) bool { return !j.hired(h.ApplicationID) }) ||
		domain.JobStatus(j.Status) == domain.JobOpen && len(j.Hires) >= j.Openings
}

// repairedHires drops hires no hired application justifies (older than
// cutoff: a hire in flight takes its opening a moment before its
// application moves) and adds hired applications that hold none.
func repairedHires(hs []jobHire, want map[string]time.Time, cutoff time.Time) []jobHire {
	out := slices.DeleteFunc(hs, func(h jobHire) bool {
		_, ok := want[h.ApplicationID]
		return !ok && h.At.Before(cutoff)
	})
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !slices.ContainsFunc(out, func(h jobHire) bool { return h.ApplicationID == id }) {
			out = append(out, jobHire{ApplicationID: id, At: want[id].UTC()})
		}
	}
	return out
}
