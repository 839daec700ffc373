package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// FerretDB 1.24 on PostgreSQL turns an equality filter such as
// {household_id: "hh-1"} into `_jsonb -> $1 @> $2`. The indexes it creates
// for createIndexes are btree indexes on `_jsonb -> 'field'`, which cannot
// serve `@>`, so every equality read (findOne by _id included) scans the
// whole table and detoasts every document: ~90 ms for one household of the
// demo district's 3,600, and the reason a page of 50 tasks took seconds.
//
// A GIN index (jsonb_path_ops) on the same expression does serve `@>` once
// the planner sees the field name as a constant, which it does with custom
// plans (plan_cache_mode=force_custom_plan, set on FerretDB's connections by
// StartEmbedded). indexEqualities adds one such index per field we keep a
// MongoDB index on, plus _id, next to FerretDB's own. FerretDB does not know
// them; dropping a collection drops its table and them with it. Against
// MongoDB none of this applies: its indexes serve equality directly.

// equalityIndexTimeout bounds the whole pass (a first start on a large
// district builds every index once).
const equalityIndexTimeout = 10 * time.Minute

// indexEqualities creates the GIN indexes described above for every
// collection of dbName in the PostgreSQL database at pgURL (the one under
// FerretDB). It is idempotent; existing indexes are left as they are.
func indexEqualities(ctx context.Context, pgURL, dbName string, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, equalityIndexTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return fmt.Errorf("store: connect to FerretDB's PostgreSQL: %w", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()

	tables, err := ferretTables(ctx, conn, dbName)
	if err != nil {
		return err
	}
	have, err := existingIndexes(ctx, conn, dbName)
	if err != nil {
		return err
	}
	created := 0
	start := time.Now()
	specs := collectionIndexes()
	cols := make([]string, 0, len(tables))
	for col := range tables {
		cols = append(cols, col)
	}
	sort.Strings(cols)
	for _, col := range cols {
		table := tables[col]
		for _, field := range equalityFields(specs[col]) {
			name := equalityIndexName(table, field)
			if have[name] {
				continue
			}
			stmt := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s.%s USING gin ((%s) jsonb_path_ops)",
				pgx.Identifier{name}.Sanitize(), pgx.Identifier{dbName}.Sanitize(), pgx.Identifier{table}.Sanitize(),
				jsonbPath(field))
			if _, err := conn.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("store: equality index on %s.%s: %w", col, field, err)
			}
			created++
		}
	}
	if created > 0 {
		log.Info("created equality indexes in FerretDB's PostgreSQL", "indexes", created, "took_ms", time.Since(start).Milliseconds())
	}
	return nil
}

// ferretTables maps each collection of dbName to its PostgreSQL table, from
// FerretDB's metadata table in the schema named after the database.
func ferretTables(ctx context.Context, conn *pgx.Conn, dbName string) (map[string]string, error) {
	rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT _jsonb->>'_id', _jsonb->>'table' FROM %s._ferretdb_database_metadata`,
		pgx.Identifier{dbName}.Sanitize()))
	if err != nil {
		return nil, fmt.Errorf("store: read FerretDB's metadata of %s: %w", dbName, err)
	}
	tables := map[string]string{}
	for rows.Next() {
		var col, table string
		if err := rows.Scan(&col, &table); err != nil {
			return nil, fmt.Errorf("store: read FerretDB's metadata: %w", err)
		}
		tables[col] = table
	}
	return tables, rows.Err()
}

func existingIndexes(ctx context.Context, conn *pgx.Conn, schema string) (map[string]bool, error) {
	rows, err := conn.Query(ctx, `SELECT indexname FROM pg_indexes WHERE schemaname = $1`, schema)
	if err != nil {
		return nil, fmt.Errorf("store: list PostgreSQL indexes: %w", err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		have[name] = true
	}
	return have, rows.Err()
}

// equalityFields is _id plus every field named in the collection's indexes.
func equalityFields(specs []indexSpec) []string {
	seen := map[string]bool{"_id": true}
	fields := []string{"_id"}
	for _, s := range specs {
		for _, k := range s.keys {
			if !seen[k.Key] {
				seen[k.Key] = true
				fields = append(fields, k.Key)
			}
		}
	}
	return fields
}

// equalityIndexName is stable per table and field and short enough for
// PostgreSQL's 63-byte names.
func equalityIndexName(table, field string) string {
	sum := sha256.Sum256([]byte(field))
	if len(table) > 40 {
		table = table[:40]
	}
	return table + "_eq_" + hex.EncodeToString(sum[:4])
}

// jsonbPath is the expression FerretDB filters on: `_jsonb -> 'f'` for a
// top-level field, `_jsonb #> '{a,b}'` for a dotted one.
func jsonbPath(field string) string {
	parts := strings.Split(field, ".")
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	if len(parts) == 1 {
		return "_jsonb -> " + quote(field)
	}
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, `\`, `\\`), `"`, `\"`)
		parts[i] = `"` + parts[i] + `"`
	}
	return "_jsonb #> " + quote("{"+strings.Join(parts, ",")+"}")
}
