package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

// colHouseholdLog holds the household files' logs, one document per entry.
// Entries are appended and never edited (domain.LogEntry), so they live apart
// from the household document: appending needs no read-modify-write of the
// version-guarded file, cannot lose a race with a coordinator editing it, and
// is idempotent through the entry's ID.
const colHouseholdLog = "household_log"

type logDoc struct {
	ID          string    `bson:"_id"`
	HouseholdID string    `bson:"household_id"`
	MemberID    string    `bson:"member_id"`
	Kind        string    `bson:"kind"`
	At          time.Time `bson:"at"`
	Author      string    `bson:"author"`
	Text        string    `bson:"text"`
	Assistance  string    `bson:"assistance"`
	PolicyID    string    `bson:"policy_id"`
	Outcome     string    `bson:"outcome"`
	RefID       string    `bson:"ref_id"`
}

func (d logDoc) entry() domain.LogEntry {
	return domain.LogEntry{ID: d.ID, HouseholdID: d.HouseholdID, MemberID: d.MemberID, Kind: domain.LogKind(d.Kind),
		At: d.At.UTC(), Author: d.Author, Text: d.Text, Assistance: domain.AssistanceKind(d.Assistance),
		PolicyID: d.PolicyID, Outcome: domain.OfficialOutcome(d.Outcome), RefID: d.RefID}
}

// AppendLog adds an entry to a household's log; an empty ID gets a new one.
// An entry already stored under the same ID is left as it is, so a repair
// that writes an entry derived from its source twice (a service record's
// "svc-…") adds it once.
func (db *DB) AppendLog(ctx context.Context, e domain.LogEntry) error {
	if e.ID == "" {
		e.ID = newID()
	}
	_, err := db.w.Collection(colHouseholdLog).InsertOne(ctx, logDoc{ID: e.ID, HouseholdID: e.HouseholdID,
		MemberID: e.MemberID, Kind: string(e.Kind), At: e.At.UTC(), Author: e.Author, Text: e.Text,
		Assistance: string(e.Assistance), PolicyID: e.PolicyID, Outcome: string(e.Outcome), RefID: e.RefID})
	if isDuplicateKey(err) {
		return nil
	}
	return translate("append household log", err)
}

// HouseholdLog returns a household's log, oldest first.
func (db *DB) HouseholdLog(ctx context.Context, householdID string) ([]domain.LogEntry, error) {
	docs, err := findDocs[logDoc](ctx, db.r.Collection(colHouseholdLog), "household log", bson.D{{Key: "household_id", Value: householdID}})
	if err != nil {
		return nil, err
	}
	out := mapDocs(docs, logDoc.entry)
	slices.SortStableFunc(out, func(a, b domain.LogEntry) int { return a.At.Compare(b.At) })
	return out, nil
}
