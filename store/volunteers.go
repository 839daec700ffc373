package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"lianzhu/domain"
)

// colVolunteerProfiles keeps what a volunteer tells about themselves at
// sign-up: skills and availability. domain.Provider has no such fields and
// organisations have no use for them, so they live in a collection of their
// own keyed by the volunteer's provider ID, not in every provider document
// (the providers' store rewrites its documents field by field and knows
// nothing of them).
//
// The profile is also the sign-up's intent record: a sign-up writes three
// documents (profile, provider, account) without a transaction, the profile
// first, in state signing_up, and marks it active last. A profile left
// signing_up by a crash is finished or undone by RepairVolunteerSignups.
const colVolunteerProfiles = "volunteer_profiles"

const (
	profileSigningUp = "signing_up"
	profileActive    = "active"
)

// VolunteerProfile is a volunteer's own account of what they can do and when.
type VolunteerProfile struct {
	ProviderID   string
	Username     string
	Skills       []string
	Availability string
	CreatedAt    time.Time
}

type volunteerProfileDoc struct {
	ID           string    `bson:"_id"` // the provider's ID
	Username     string    `bson:"username"`
	Skills       []string  `bson:"skills"`
	Availability string    `bson:"availability"`
	Status       string    `bson:"status"`
	CreatedAt    time.Time `bson:"created_at"`
}

func (d volunteerProfileDoc) profile() VolunteerProfile {
	return VolunteerProfile{ProviderID: d.ID, Username: d.Username, Skills: d.Skills, Availability: d.Availability,
		CreatedAt: d.CreatedAt.UTC()}
}

// SignUpVolunteer stores a new volunteer: their provider entry p (kind
// volunteer; the caller sets it pending), their profile and their account u,
// bound to the provider. It sets the IDs and times. A taken username is
// ECONFLICT naming username, and nothing stays behind.
func (db *DB) SignUpVolunteer(ctx context.Context, p *domain.Provider, u *domain.User, prof *VolunteerProfile) error {
	now := db.now().UTC()
	p.ID, p.Version, p.CreatedAt, p.UpdatedAt = newID(), 1, now, now
	prof.ProviderID, prof.Username, prof.CreatedAt = p.ID, u.Username, now
	profiles := db.w.Collection(colVolunteerProfiles)
	_, err := profiles.InsertOne(ctx, volunteerProfileDoc{ID: p.ID, Username: u.Username, Skills: prof.Skills,
		Availability: prof.Availability, Status: profileSigningUp, CreatedAt: now})
	if err != nil {
		return translate("create volunteer profile", err)
	}
	if _, err := db.w.Collection(colProviders).InsertOne(ctx, providerToDoc(*p)); err != nil {
		return errors.Join(writeErr(colProviders, "create volunteer", err), db.undoSignup(ctx, p.ID))
	}
	u.ProviderID = p.ID
	if err := db.CreateUser(ctx, u); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			err = usernameTaken()
		}
		return errors.Join(err, db.undoSignup(ctx, p.ID))
	}
	_, err = profiles.UpdateOne(ctx, bson.D{{Key: "_id", Value: p.ID}, {Key: "status", Value: profileSigningUp}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: profileActive}}}})
	return translate("activate volunteer profile", err)
}

// usernameTaken is the conflict of a sign-up under a name already in use.
func usernameTaken() *domain.Error {
	return &domain.Error{Code: domain.ECONFLICT, Message: "用户名已被使用 / this username is taken",
		Fields: []domain.FieldError{{Field: "username", Rule: "unique", Message: "用户名已被使用"}}}
}

// undoSignup removes the provider entry and profile of a sign-up that did
// not get its account.
func (db *DB) undoSignup(ctx context.Context, providerID string) error {
	_, err := db.w.Collection(colProviders).DeleteOne(ctx, bson.D{{Key: "_id", Value: providerID},
		{Key: "kind", Value: string(domain.ProviderVolunteer)}})
	if err != nil {
		return translate("undo volunteer sign-up", err)
	}
	_, err = db.w.Collection(colVolunteerProfiles).DeleteOne(ctx, bson.D{{Key: "_id", Value: providerID}})
	return translate("undo volunteer sign-up", err)
}

// VolunteerProfiles returns the profiles of the given volunteers by provider
// ID, in one bulk read (volunteers without one, e.g. registered by an admin,
// are absent).
func (db *DB) VolunteerProfiles(ctx context.Context, providerIDs []string) (map[string]VolunteerProfile, error) {
	return readByID(ctx, db, colVolunteerProfiles, "volunteer profiles", providerIDs,
		func(d volunteerProfileDoc) string { return d.ID }, volunteerProfileDoc.profile)
}

// RepairVolunteerSignups finishes or undoes the sign-ups a crash interrupted:
// profiles still signing_up after grace. When the account exists and is bound
// to the provider, the sign-up completed (the provider was written before
// it) and the profile is marked active; otherwise the provider entry and the
// profile are removed, so the name can sign up again. It returns how many it
// repaired.
func (db *DB) RepairVolunteerSignups(ctx context.Context, grace time.Duration) (int, error) {
	docs, err := findDocs[volunteerProfileDoc](ctx, db.r.Collection(colVolunteerProfiles), "stale sign-ups",
		bson.D{{Key: "status", Value: profileSigningUp}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range docs {
		if db.now().Sub(d.CreatedAt) < grace {
			continue // perhaps still in flight
		}
		u, err := db.UserByUsername(ctx, d.Username)
		switch {
		case err == nil && u.ProviderID == d.ID:
			_, err = db.w.Collection(colVolunteerProfiles).UpdateOne(ctx,
				bson.D{{Key: "_id", Value: d.ID}, {Key: "status", Value: profileSigningUp}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: profileActive}}}})
			err = translate("finish volunteer sign-up", err)
		case err == nil || domain.ErrorCode(err) == domain.ENOTFOUND:
			err = db.undoSignup(ctx, d.ID)
		}
		if err != nil {
			return n, fmt.Errorf("store: repair sign-up of %s: %w", d.Username, err)
		}
		n++
	}
	return n, nil
}
