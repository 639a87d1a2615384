package models

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// execLiteralInserts writes n rows of cols into table on SQLite as INSERTs
// with the values spelled as SQL literals, per rows a statement, tail (an
// upsert clause, or "") after the VALUES; args appends row i's values in
// column order, as for execInserts. The pure-Go
// driver prepares every statement anew and matches every bound variable
// against every argument (quadratic in the statement's variables: a third
// of a 100,000-row import, a fifth of the morning run's save); literals
// skip both. A batch holding a value literalValue cannot spell (a NUL byte,
// a float that is not finite, a type it does not know) goes through bound
// parameters instead, so every value is stored exactly as bound.
func execLiteralInserts(ctx context.Context, pool gorm.ConnPool, table string, cols []string, tail string, n, per int, args func(i int, dst []any) []any) error {
	head := "INSERT INTO `" + table + "` (`" + strings.Join(cols, "`,`") + "`) VALUES "
	var b strings.Builder
	return eachBatch(n, per, len(cols), args, func(vals []any, rows int) error {
		// One allocation per statement, sized by the last one, instead of
		// the builder doubling its way up from nothing every time.
		last := b.Len()
		b.Reset()
		b.Grow(last + last/4)
		b.WriteString(head)
		ok := true
		for i, v := range vals {
			switch {
			case i == 0:
				b.WriteByte('(')
			case i%len(cols) == 0:
				b.WriteString("),(")
			default:
				b.WriteByte(',')
			}
			if !literalValue(&b, v) {
				ok = false
				break
			}
		}
		b.WriteByte(')')
		b.WriteString(tail)
		var err error
		if ok {
			_, err = pool.ExecContext(ctx, b.String())
		} else {
			_, err = pool.ExecContext(ctx, insertSQL(table, cols, rows)+tail, vals...)
		}
		return err
	})
}

// literalValue writes v as the SQLite literal of what the driver would
// store for it bound, and reports false for a value it cannot spell so:
// strings in single quotes, a quote doubled (SQLite has no other escape; a NUL byte would end
// the statement early), integers by strconv, floats always as reals (with a
// point or an exponent, never NaN or ±Inf), times in the driver's own text
// format, booleans as 1 or 0, nil as NULL.
func literalValue(b *strings.Builder, v any) bool {
	switch x := v.(type) {
	case nil:
		b.WriteString("NULL")
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			return false
		}
		b.WriteByte('\'')
		for {
			i := strings.IndexByte(x, '\'')
			if i < 0 {
				break
			}
			b.WriteString(x[:i+1])
			b.WriteByte('\'')
			x = x[i+1:]
		}
		b.WriteString(x)
		b.WriteByte('\'')
	case int:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case uint:
		if uint64(x) > math.MaxInt64 {
			return false
		}
		b.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint64:
		if x > math.MaxInt64 {
			return false
		}
		b.WriteString(strconv.FormatUint(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
		f := strconv.FormatFloat(x, 'g', -1, 64)
		b.WriteString(f)
		if !strings.ContainsAny(f, ".e") {
			b.WriteString(".0")
		}
	case bool:
		if x {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	case time.Time:
		b.WriteString(sqliteTime(x))
	default:
		return false
	}
	return true
}

// sqliteTime is t as the SQLite driver stores a bound time.Time (its
// default write format, in t's own zone; models.Open sets no other).
func sqliteTime(t time.Time) string {
	return "'" + t.Format("2006-01-02 15:04:05.999999999-07:00") + "'"
}
