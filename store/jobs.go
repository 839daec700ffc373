package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

const colJobs = "jobs"

type jobDoc struct {
	ID           string                 `bson:"_id"`
	EnterpriseID string                 `bson:"enterprise_id"`
	Title        string                 `bson:"title"`
	KindOfWork   string                 `bson:"kind_of_work"`
	Item         string                 `bson:"item"`
	Requirements domain.JobRequirements `bson:"requirements"`
	Training     string                 `bson:"training"`
	WageMinFen   domain.Fen             `bson:"wage_min_fen"`
	WageMaxFen   domain.Fen             `bson:"wage_max_fen"`
	Place        string                 `bson:"place"`
	District     string                 `bson:"district"`
	Street       string                 `bson:"street"`
	Community    string                 `bson:"community"`
	Openings     int                    `bson:"openings"`
	Status       string                 `bson:"status"`
	// Hires are the hired applications filling openings (job_openings.go);
	// jobToDoc never sets them, so an edit leaves them as they are.
	Hires     []jobHire `bson:"hires,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
	Version   int64     `bson:"version"`
	// Indexed is false until Meilisearch holds this version (outbox.go).
	Indexed bool `bson:"indexed"`
}

// jobToDoc builds the document, dirty for search.
func jobToDoc(j domain.JobOpening) jobDoc {
	s := scopeOf(j.Place)
	return jobDoc{ID: j.ID, EnterpriseID: j.EnterpriseID, Title: j.Title, KindOfWork: j.KindOfWork, Item: j.Item,
		Requirements: j.Requirements, Training: j.Training, WageMinFen: j.WageMinFen, WageMaxFen: j.WageMaxFen,
		Place: j.Place, District: s.District, Street: s.Street, Community: s.Community, Openings: j.Openings,
		Status: string(j.Status), CreatedAt: j.CreatedAt.UTC(), UpdatedAt: j.UpdatedAt.UTC(), Version: j.Version}
}

func (d jobDoc) job() domain.JobOpening {
	return domain.JobOpening{ID: d.ID, EnterpriseID: d.EnterpriseID, Title: d.Title, KindOfWork: d.KindOfWork,
		Item: d.Item, Requirements: d.Requirements, Training: d.Training, WageMinFen: d.WageMinFen,
		WageMaxFen: d.WageMaxFen, Place: d.Place, Openings: d.Openings, Hired: len(d.Hires), Status: domain.JobStatus(d.Status),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version}
}

func jobID(d jobDoc) string { return d.ID }

// CreateJob stores a new job opening and sets its ID, version and times.
func (db *DB) CreateJob(ctx context.Context, j *domain.JobOpening) error {
	now := db.now().UTC()
	j.ID, j.Version, j.CreatedAt, j.UpdatedAt = newID(), 1, now, now
	_, err := db.w.Collection(colJobs).InsertOne(ctx, jobToDoc(*j))
	return translate("create job", err)
}

// Job returns one job opening, or ENOTFOUND.
func (db *DB) Job(ctx context.Context, id string) (domain.JobOpening, error) {
	return getOne(ctx, db, colJobs, "get job", id, jobDoc.job)
}

// JobFilter selects job openings for ListJobs.
type JobFilter struct {
	EnterpriseID string
	Item         string // the catalogue item the job serves ("" = all)
	Status       domain.JobStatus
	Within       string // the job's place lies in this place ("" = all)
	After        string
	Limit        int
}

// ListJobs returns a page of job openings sorted by id and the next cursor.
func (db *DB) ListJobs(ctx context.Context, f JobFilter) ([]domain.JobOpening, string, error) {
	filter := withEqual(scopeFilter(f.Within), "enterprise_id", f.EnterpriseID, "item", f.Item, "status", string(f.Status))
	docs, next, err := listPage(ctx, db.r.Collection(colJobs), "list jobs", []bson.D{filter}, f.After, f.Limit, jobID)
	return mapDocs(docs, jobDoc.job), next, err
}

// UpdateJob replaces a job opening if it is still at expectedVersion (else
// ECONFLICT, nothing written; ENOTFOUND when it does not exist), bumps the
// version, sets updated_at and marks it for re-indexing.
func (db *DB) UpdateJob(ctx context.Context, j *domain.JobOpening, expectedVersion int64) error {
	next := *j
	next.Version, next.UpdatedAt = expectedVersion+1, db.now().UTC()
	var old jobDoc
	if err := db.updateVersioned(ctx, colJobs, "job", j.ID, expectedVersion, jobToDoc(next), &old); err != nil {
		return err
	}
	next.CreatedAt = old.CreatedAt.UTC()
	*j = next
	return nil
}
