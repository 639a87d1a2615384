package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Rows per INSERT of insertRows. The pure-Go SQLite driver binds each
// variable by scanning every argument (O(variables²) per statement) and
// parses every statement anew (no prepared statement survives an Exec), so
// on SQLite the values are spelled as literals (execLiteralInserts), a
// hundred rows a statement; MySQL takes a round trip per statement, so
// there a statement holds many (under the 65,535 placeholders of a prepared
// statement).
const (
	sqliteInsertRows = 100
	mysqlInsertRows  = 500
)

// insertRows writes n rows of cols into table inside the caller's
// transaction (ctx), in multi-row INSERTs; args appends row i's values in
// column order. Nothing reads ids back: the callers do not need them.
func insertRows(ctx context.Context, h *Handle, table string, cols []string, n int, args func(i int, dst []any) []any) error {
	return insertRowsThen(ctx, h, table, cols, nil, n, args)
}

// insertRowsThen is insertRows with tail[driver] after each statement's
// VALUES: the dialect's upsert clause (ON CONFLICT … DO UPDATE on SQLite,
// ON DUPLICATE KEY UPDATE on MySQL and TiDB).
func insertRowsThen(ctx context.Context, h *Handle, table string, cols []string, tail map[string]string, n int, args func(i int, dst []any) []any) error {
	pool := h.WithContext(ctx).Statement.ConnPool
	var err error
	if h.driver == "sqlite" {
		err = execLiteralInserts(ctx, pool, table, cols, tail[h.driver], n, sqliteInsertRows, args)
	} else {
		err = execInserts(ctx, pool, table, cols, tail[h.driver], n, min(mysqlInsertRows, max(1, 60000/len(cols))), args)
	}
	if err != nil {
		return fmt.Errorf("insert into %s: %w", table, translate(err))
	}
	return nil
}

// execInserts runs the INSERTs of insertRows on pool, per rows a statement
// with tail after the VALUES (the statement text of a full batch built once), and returns the
// driver's error as is.
func execInserts(ctx context.Context, pool gorm.ConnPool, table string, cols []string, tail string, n, per int, args func(i int, dst []any) []any) error {
	full := ""
	return eachBatch(n, per, len(cols), args, func(vals []any, rows int) error {
		q := full
		if rows != per || q == "" {
			q = insertSQL(table, cols, rows) + tail
			if rows == per {
				full = q
			}
		}
		_, err := pool.ExecContext(ctx, q, vals...)
		return err
	})
}

// eachBatch hands exec the values of rows 0…n-1, per rows at a time, in one
// slice reused from batch to batch (args appends row i's width values),
// with the batch's row count: the batching of execInserts and
// execLiteralInserts alike.
func eachBatch(n, per, width int, args func(i int, dst []any) []any, exec func(vals []any, rows int) error) error {
	vals := make([]any, 0, min(n, per)*width)
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		vals = vals[:0]
		for i := start; i < end; i++ {
			vals = args(i, vals)
		}
		if err := exec(vals, end-start); err != nil {
			return err
		}
	}
	return nil
}
