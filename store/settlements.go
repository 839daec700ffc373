package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/domain"
)

const colSettlements = "settlements"

// statementDoc is a monthly settlement statement (核销). Its _id is
// domain.StatementID, so there is at most one per provider and month.
type statementDoc struct {
	ID             string                 `bson:"_id"`
	ProviderID     string                 `bson:"provider_id"`
	Month          string                 `bson:"month"`
	Lines          []domain.StatementLine `bson:"lines"`
	ByItem         []domain.ItemTotal     `bson:"by_item"`
	VoucherFen     domain.Fen             `bson:"voucher_fen"`
	OtherFen       domain.Fen             `bson:"other_fen"`
	TotalFen       domain.Fen             `bson:"total_fen"`
	PendingRecords int                    `bson:"pending_records"`
	PendingFen     domain.Fen             `bson:"pending_fen"`
	CreatedAt      time.Time              `bson:"created_at"`
}

func statementToDoc(s domain.Statement) statementDoc {
	lines := make([]domain.StatementLine, len(s.Lines))
	for i, l := range s.Lines {
		l.Date = l.Date.UTC()
		lines[i] = l
	}
	return statementDoc{ID: s.ID, ProviderID: s.ProviderID, Month: s.Month, Lines: lines, ByItem: s.ByItem,
		VoucherFen: s.VoucherFen, OtherFen: s.OtherFen, TotalFen: s.TotalFen, PendingRecords: s.PendingRecords,
		PendingFen: s.PendingFen, CreatedAt: s.CreatedAt.UTC()}
}

func (d statementDoc) statement() domain.Statement {
	lines := make([]domain.StatementLine, len(d.Lines))
	for i, l := range d.Lines {
		l.Date = l.Date.UTC()
		lines[i] = l
	}
	byItem := d.ByItem
	if byItem == nil {
		byItem = []domain.ItemTotal{}
	}
	return domain.Statement{ID: d.ID, ProviderID: d.ProviderID, Month: d.Month, Lines: lines, ByItem: byItem,
		VoucherFen: d.VoucherFen, OtherFen: d.OtherFen, TotalFen: d.TotalFen, PendingRecords: d.PendingRecords,
		PendingFen: d.PendingFen, CreatedAt: d.CreatedAt.UTC()}
}

// InsertStatement stores a built statement. One that exists already (built
// concurrently, or before) is ECONFLICT and left as it was.
func (db *DB) InsertStatement(ctx context.Context, s domain.Statement) error {
	_, err := db.w.Collection(colSettlements).InsertOne(ctx, statementToDoc(s))
	return translate("insert statement", err)
}

// Statement returns one statement, or ENOTFOUND.
func (db *DB) Statement(ctx context.Context, id string) (domain.Statement, error) {
	return getOne(ctx, db, colSettlements, "get statement", id, statementDoc.statement)
}

// ProviderStatements returns every statement of a provider, oldest month
// first: what it has been settled so far.
func (db *DB) ProviderStatements(ctx context.Context, providerID string) ([]domain.Statement, error) {
	docs, err := findDocs[statementDoc](ctx, db.r.Collection(colSettlements), "provider statements",
		bson.D{{Key: "provider_id", Value: providerID}}, options.Find().SetSort(bson.D{{Key: "month", Value: 1}}))
	return mapDocs(docs, statementDoc.statement), err
}

// MonthStatements returns the statements of a month, by provider.
func (db *DB) MonthStatements(ctx context.Context, month string) ([]domain.Statement, error) {
	docs, err := findDocs[statementDoc](ctx, db.r.Collection(colSettlements), "month statements",
		bson.D{{Key: "month", Value: month}}, options.Find().SetSort(bson.D{{Key: "provider_id", Value: 1}}))
	return mapDocs(docs, statementDoc.statement), err
}

// AnyStatement reports whether any statement has been built (the demo's
// closed loop ends by building last month's).
func (db *DB) AnyStatement(ctx context.Context) (bool, error) {
	n, err := db.r.Collection(colSettlements).CountDocuments(ctx, bson.D{}, options.Count().SetLimit(1))
	return n > 0, translate("count statements", err)
}
