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
// non-demo accounts of the same name are left alone (the insert of that name
// fails on the unique index and is reported). It reads the demo accounts once
// and writes only what differs: new accounts in bulk, changed ones by _id, so
// that ~1,900 provider accounts load in seconds, not one scan each.
func (db *DB) UpsertDemoUsers(ctx context.Context, users []domain.User) error {
	now := db.now().UTC()
	col := db.w.Collection(colUsers)
	cur, err := db.r.Collection(colUsers).Find(ctx, bson.D{{Key: "demo", Value: true}})
	if err != nil {
		return translate("read demo users", err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return translate("read demo users", err)
	}
	existing := make(map[string]userDoc, len(docs))
	for _, d := range docs {
		existing[d.Username] = d
	}
	var fresh []any
	for _, u := range users {
		e, ok := existing[u.Username]
		if !ok {
			u.ID, u.Demo, u.Disabled, u.CreatedAt, u.UpdatedAt = newID(), true, false, now, now
			fresh = append(fresh, userToDoc(u))
			continue
		}
		if e.Role == string(u.Role) && e.Place == u.Place && e.ProviderID == u.ProviderID && e.PasswordHash == u.PasswordHash && !e.Disabled {
			continue
		}
		_, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: e.ID}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "role", Value: string(u.Role)}, {Key: "place", Value: u.Place}, {Key: "provider_id", Value: u.ProviderID},
			{Key: "password_hash", Value: u.PasswordHash}, {Key: "disabled", Value: false}, {Key: "updated_at", Value: now},
		}}})
		if err != nil {
			return translate("update demo user "+u.Username, err)
		}
	}
	for len(fresh) > 0 {
		n := min(len(fresh), 500)
		if _, err := col.InsertMany(ctx, fresh[:n]); err != nil {
			return translate("insert demo users", err)
		}
		fresh = fresh[n:]
	}
	return nil
}

// DemoPasswordHash returns the password hash of one enabled demo account, or
// "" when there is none; all demo accounts share one hash, so the server can
// keep it across restarts instead of rewriting every account.
func (db *DB) DemoPasswordHash(ctx context.Context) (string, error) {
	var d userDoc
	err := db.r.Collection(colUsers).FindOne(ctx, bson.D{{Key: "demo", Value: true}, {Key: "disabled", Value: false}}).Decode(&d)
	if domain.ErrorCode(translate("", err)) == domain.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", translate("demo password hash", err)
	}
	return d.PasswordHash, nil
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

// UpdateUser writes an account's role, place, provider binding and disabled
// flag if it is unchanged since it was read (its updated_at is still
// expectedUpdatedAt: accounts carry no version), else ECONFLICT; ENOTFOUND
// when it does not exist. It sets u.UpdatedAt.
func (db *DB) UpdateUser(ctx context.Context, u *domain.User, expectedUpdatedAt time.Time) error {
	now := db.now().UTC()
	res, err := db.w.Collection(colUsers).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: u.ID}, {Key: "updated_at", Value: expectedUpdatedAt.UTC()}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "role", Value: string(u.Role)}, {Key: "place", Value: u.Place},
			{Key: "provider_id", Value: u.ProviderID}, {Key: "disabled", Value: u.Disabled}, {Key: "updated_at", Value: now}}}})
	if err != nil {
		return translate("update user", err)
	}
	if res.MatchedCount == 0 {
		return db.missingOr(ctx, colUsers, "update user", u.ID,
			domain.Errorf(domain.ECONFLICT, "账号已被他人修改，请刷新后重试 / the account changed since you read it"))
	}
	u.UpdatedAt = now
	return nil
}

// SetPassword replaces an account's password hash; ENOTFOUND for an
// unknown account.
func (db *DB) SetPassword(ctx context.Context, userID, hash string) error {
	res, err := db.w.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "password_hash", Value: hash}, {Key: "updated_at", Value: db.now().UTC()}}}})
	if err != nil {
		return translate("set password", err)
	}
	if res.MatchedCount == 0 {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	return nil
}

// RevokeUserRefreshTokens revokes every refresh token of an account (all its
// sessions) and reports how many were still live.
func (db *DB) RevokeUserRefreshTokens(ctx context.Context, userID string) (int64, error) {
	res, err := db.w.Collection(colRefreshTokens).UpdateMany(ctx,
		bson.D{{Key: "user_id", Value: userID}, {Key: "revoked", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: true}}}})
	if err != nil {
		return 0, translate("revoke user sessions", err)
	}
	return res.ModifiedCount, nil
}
