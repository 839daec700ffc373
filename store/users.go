package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const colUsers = "users"

type userDoc struct {
	ID           string    `bson:"_id"`
	Username     string    `bson:"username"`
	Role         string    `bson:"role"`
	Place        string    `bson:"place"`
	ProviderID   string    `bson:"provider_id"`
	PasswordHash string    `bson:"password_hash"`
	Disabled     bool      `bson:"disabled"`
	Demo         bool      `bson:"demo"`
	CreatedAt    time.Time `bson:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at"`
}

func userToDoc(u domain.User) userDoc {
	return userDoc{ID: u.ID, Username: u.Username, Role: string(u.Role), Place: u.Place, ProviderID: u.ProviderID,
		PasswordHash: u.PasswordHash, Disabled: u.Disabled, Demo: u.Demo, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (d userDoc) user() domain.User {
	return domain.User{ID: d.ID, Username: d.Username, Role: domain.Role(d.Role), Place: d.Place, ProviderID: d.ProviderID,
		PasswordHash: d.PasswordHash, Disabled: d.Disabled, Demo: d.Demo, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

// CreateUser stores a new account and sets its ID and times. A taken
// username is ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, u *domain.User) error {
	now := db.now().UTC()
	u.ID, u.CreatedAt, u.UpdatedAt = newID(), now, now
	_, err := db.w.Collection(colUsers).InsertOne(ctx, userToDoc(*u))
	return translate("create user", err)
}

// UserByUsername returns the account with the username, or ENOTFOUND.
func (db *DB) UserByUsername(ctx context.Context, username string) (domain.User, error) {
	var d userDoc
	err := db.r.Collection(colUsers).FindOne(ctx, bson.D{{Key: "username", Value: username}}).Decode(&d)
	if err != nil {
		return domain.User{}, translate("user by username", err)
	}
	return d.user(), nil
}

// UserByID returns the account with the ID, or ENOTFOUND.
func (db *DB) UserByID(ctx context.Context, id string) (domain.User, error) {
	var d userDoc
	err := db.r.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if err != nil {
		return domain.User{}, translate("user by id", err)
	}
	return d.user(), nil
}

// UpsertDemoUsers creates or refreshes demo accounts by username, enabling
// them and setting their password hash, role, place and provider. Existing
// non-demo accounts of the same name are left alone.
func (db *DB) UpsertDemoUsers(ctx context.Context, users []domain.User) error {
	now := db.now().UTC()
	col := db.w.Collection(colUsers)
	for _, u := range users {
		filter := bson.D{{Key: "username", Value: u.Username}, {Key: "demo", Value: true}}
		update := bson.D{
			{Key: "$set", Value: bson.D{
				{Key: "role", Value: string(u.Role)}, {Key: "place", Value: u.Place}, {Key: "provider_id", Value: u.ProviderID},
				{Key: "password_hash", Value: u.PasswordHash}, {Key: "disabled", Value: false}, {Key: "updated_at", Value: now},
			}},
			{Key: "$setOnInsert", Value: bson.D{{Key: "_id", Value: newID()}, {Key: "created_at", Value: now}}},
		}
		_, err := col.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		if err != nil {
			return translate("upsert demo user "+u.Username, err)
		}
	}
	return nil
}

// DisableDemoUsers disables every demo account (demo mode switched off) and
// reports how many were still enabled.
func (db *DB) DisableDemoUsers(ctx context.Context) (int64, error) {
	res, err := db.w.Collection(colUsers).UpdateMany(ctx,
		bson.D{{Key: "demo", Value: true}, {Key: "disabled", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "disabled", Value: true}, {Key: "updated_at", Value: db.now().UTC()}}}})
	if err != nil {
		return 0, translate("disable demo users", err)
	}
	return res.ModifiedCount, nil
}

// CountActiveUsers counts enabled accounts with the role.
func (db *DB) CountActiveUsers(ctx context.Context, role domain.Role) (int64, error) {
	filter := bson.D{{Key: "role", Value: string(role)}, {Key: "disabled", Value: false}}
	n, err := db.r.Collection(colUsers).CountDocuments(ctx, filter)
	return n, translate("count users", err)
}

// UserFilter selects accounts for ListUsers.
type UserFilter struct {
	Role domain.Role // "" for every role
	// Within keeps only accounts bound to a place within this one ("" for all).
	Within string
}

// ListUsers returns accounts matching the filter, sorted by username. The
// role is filtered in the database (FerretDB pushes equality down); the place
// prefix in Go, since prefix matches are scans on FerretDB anyway.
func (db *DB) ListUsers(ctx context.Context, f UserFilter) ([]domain.User, error) {
	filter := bson.D{}
	if f.Role != "" {
		filter = append(filter, bson.E{Key: "role", Value: string(f.Role)})
	}
	cur, err := db.r.Collection(colUsers).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "username", Value: 1}}))
	if err != nil {
		return nil, translate("list users", err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list users", err)
	}
	out := make([]domain.User, 0, len(docs))
	for _, d := range docs {
		if f.Within != "" && !domain.PlaceWithin(d.Place, f.Within) {
			continue
		}
		out = append(out, d.user())
	}
	return out, nil
}
