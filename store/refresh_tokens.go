package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const colRefreshTokens = "refresh_tokens"

// RefreshToken is one member of a rotation family, stored by the hash of the
// token (the token itself is never stored).
type RefreshToken struct {
	Hash      string
	Family    string
	UserID    string
	ExpiresAt time.Time
	Used      bool
	Revoked   bool
}

type refreshTokenDoc struct {
	Hash      string     `bson:"_id"`
	Family    string     `bson:"family"`
	UserID    string     `bson:"user_id"`
	CreatedAt time.Time  `bson:"created_at"`
	ExpiresAt time.Time  `bson:"expires_at"`
	Used      bool       `bson:"used"`
	UsedAt    *time.Time `bson:"used_at"`
	Revoked   bool       `bson:"revoked"`
}

func (d refreshTokenDoc) token() RefreshToken {
	return RefreshToken{Hash: d.Hash, Family: d.Family, UserID: d.UserID, ExpiresAt: d.ExpiresAt.UTC(), Used: d.Used, Revoked: d.Revoked}
}

// CreateRefreshToken stores a new, unused token.
func (db *DB) CreateRefreshToken(ctx context.Context, t RefreshToken) error {
	_, err := db.w.Collection(colRefreshTokens).InsertOne(ctx, refreshTokenDoc{
		Hash: t.Hash, Family: t.Family, UserID: t.UserID, CreatedAt: db.now().UTC(), ExpiresAt: t.ExpiresAt.UTC(),
	})
	return translate("create refresh token", err)
}

// UseRefreshToken marks an unused, unrevoked token used, in one guarded
// update, and returns it. Presenting a token a second time is a sign it was
// stolen: the whole family is revoked and the answer is EUNAUTHORIZED. An
// unknown, revoked or expired token is EUNAUTHORIZED too.
func (db *DB) UseRefreshToken(ctx context.Context, hash string) (RefreshToken, error) {
	now := db.now().UTC()
	col := db.w.Collection(colRefreshTokens)
	var d refreshTokenDoc
	err := col.FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: hash}, {Key: "used", Value: false}, {Key: "revoked", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "used", Value: true}, {Key: "used_at", Value: now}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err == nil {
		if !now.Before(d.ExpiresAt) {
			return RefreshToken{}, domain.Errorf(domain.EUNAUTHORIZED, "登录已过期，请重新登录 / refresh token expired")
		}
		return d.token(), nil
	}
	if domain.ErrorCode(translate("use refresh token", err)) != domain.ENOTFOUND {
		return RefreshToken{}, translate("use refresh token", err)
	}
	// Not usable: either unknown, or already used / revoked (reuse).
	var old refreshTokenDoc
	if err := db.r.Collection(colRefreshTokens).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&old); err == nil {
		if err := db.RevokeRefreshFamily(ctx, old.Family); err != nil {
			return RefreshToken{}, err
		}
	}
	return RefreshToken{}, domain.Errorf(domain.EUNAUTHORIZED, "登录已失效，请重新登录 / refresh token is not valid")
}

// RefreshTokenByHash returns a stored token, or ENOTFOUND.
func (db *DB) RefreshTokenByHash(ctx context.Context, hash string) (RefreshToken, error) {
	var d refreshTokenDoc
	if err := db.r.Collection(colRefreshTokens).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d); err != nil {
		return RefreshToken{}, translate("refresh token by hash", err)
	}
	return d.token(), nil
}

// RevokeRefreshFamily revokes every token of a family (logout, reuse).
func (db *DB) RevokeRefreshFamily(ctx context.Context, family string) error {
	_, err := db.w.Collection(colRefreshTokens).UpdateMany(ctx,
		bson.D{{Key: "family", Value: family}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: true}}}})
	return translate("revoke refresh family", err)
}

// DeleteExpiredRefreshTokens removes tokens expired before the cutoff (TTL
// indexes are not available on FerretDB, so the server sweeps).
func (db *DB) DeleteExpiredRefreshTokens(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.w.Collection(colRefreshTokens).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}})
	if err != nil {
		return 0, translate("delete expired refresh tokens", err)
	}
	return res.DeletedCount, nil
}
