package models

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"visitbot/clock"
)

// literalCols are the columns of the two tables literalPair compares: one
// of each declared type the entities use.
var literalCols = []string{"s", "f", "i", "u", "t", "b", "n"}

// openLiteralPair opens a fresh SQLite store with two identical tables,
// lit_a (written by execLiteralInserts) and lit_b (bound parameters).
func openLiteralPair(t testing.TB) *Store {
	t.Helper()
	st, err := Open(Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "lit.db"), MaxOpenConns: 1, Clock: clock.System{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, tb := range []string{"lit_a", "lit_b"} {
		q := "CREATE TABLE " + tb + " (s text, f real, i integer, u integer, t datetime, b numeric, n text)"
		if err := st.DB(context.Background()).Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// literalRows writes rows into lit_a by literals (per a statement) and into
// lit_b bound, and returns each table's cells as SQLite stored them: the
// storage class and the bytes of every cell.
func literalRows(t testing.TB, st *Store, rows [][]any, per int) (a, b [][]string) {
	t.Helper()
	ctx := context.Background()
	args := func(i int, dst []any) []any { return append(dst, rows[i]...) }
	pool := st.DB(ctx).Statement.ConnPool
	if err := execLiteralInserts(ctx, pool, "lit_a", literalCols, "", len(rows), per, args); err != nil {
		t.Fatalf("literal insert: %v", err)
	}
	if err := execInserts(ctx, pool, "lit_b", literalCols, "", len(rows), 1, args); err != nil {
		t.Fatalf("bound insert: %v", err)
	}
	read := func(tb string) [][]string {
		var sel string
		for i, c := range literalCols {
			if i > 0 {
				sel += ","
			}
			sel += fmt.Sprintf("typeof(%s) || ':' || hex(%s)", c, c)
		}
		r, err := st.DB(ctx).Raw("SELECT " + sel + " FROM " + tb + " ORDER BY rowid").Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var out [][]string
		for r.Next() {
			cells := make([]string, len(literalCols))
			ptrs := make([]any, len(cells))
			for i := range cells {
				ptrs[i] = &cells[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, cells)
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	return read("lit_a"), read("lit_b")
}

// A literal INSERT stores every value exactly as the driver stores it bound
// (storage class and bytes), and a batch holding a value no literal can
// spell falls back to binding without losing or reordering a row.
func TestLiteralInsertsStoreWhatBindingStores(t *testing.T) {
	st := openLiteralPair(t)
	shanghai := time.FixedZone("CST", 8*3600)
	rows := [][]any{
		{"医生 O'Brien ''引号''", 0.1, 42, uint(7), time.Date(2026, 12, 1, 9, 30, 0, 123456789, time.UTC), true, nil},
		{"", 3.0, -5, uint(math.MaxInt64), time.Date(2026, 12, 1, 9, 30, 0, 0, shanghai), false, "x"},
		{"a'b'c'", -0.0, int64(math.MinInt64), uint(0), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), true, `{"k":"v"}`},
		{"\xff\xfe 非 UTF-8", 1e300, 0, uint(1), time.Unix(0, 0).UTC(), false, "\n\t\\"},
		{"tiny", 5e-324, 1, uint(2), time.Date(2026, 6, 30, 23, 59, 59, 1, time.UTC), true, "-- not a comment"},
		// Fall back: a NUL byte, a float no literal spells, a uint beyond int64's bind.
		{"nul\x00inside", 2.5, 3, uint(3), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true, nil},
		{"nan", math.NaN(), 3, uint(3), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true, nil},
		{"inf", math.Inf(-1), 3, uint(3), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true, nil},
		{"after", 1.5, 4, uint(4), time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), false, "last"},
	}
	for _, per := range []int{1, 2, 4, 100} {
		a, b := literalRows(t, st, rows, per)
		if len(a) != len(rows) || !reflect.DeepEqual(a, b) {
			t.Fatalf("per %d: literal rows differ from bound rows:\n%v\n%v", per, a, b)
		}
		for _, tb := range []string{"lit_a", "lit_b"} {
			if err := st.DB(context.Background()).Exec("DELETE FROM " + tb).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A value the driver refuses bound is refused in the literal path too: the
// batch falls back to binding and returns its error, nothing is written.
func TestLiteralInsertsReportWhatBindingRefuses(t *testing.T) {
	st := openLiteralPair(t)
	ctx := context.Background()
	bad := []any{"x", 1.0, 1, uint64(math.MaxUint64), time.Now(), true, nil}
	err := execLiteralInserts(ctx, st.DB(ctx).Statement.ConnPool, "lit_a", literalCols, "", 1, 10, func(_ int, dst []any) []any { return append(dst, bad...) })
	if err == nil {
		t.Fatal("a uint64 above int64 was written")
	}
	var n int64
	if err := st.DB(ctx).Raw("SELECT count(*) FROM lit_a").Scan(&n).Error; err != nil || n != 0 {
		t.Fatalf("rows after a refused insert: %d, %v", n, err)
	}
}

// FuzzLiteralInsert: outside input (an import's strings and numbers) stored
// through literals reads back byte for byte as it would have bound.
func FuzzLiteralInsert(f *testing.F) {
	f.Add("O'Brien", 0.1, int64(7), true, int64(1764550800), 8*3600)
	f.Add("'); DROP TABLE lit_a; --", -1e-9, int64(-1), false, int64(0), 0)
	f.Add("\x00", math.Inf(1), int64(math.MaxInt64), true, int64(-62135596800), -5*3600)
	st := openLiteralPair(f)
	f.Fuzz(func(t *testing.T, s string, fl float64, i int64, b bool, unix int64, offset int) {
		if unix < -62135596800 || unix > 253402300799 || offset < -18*3600 || offset > 18*3600 {
			t.Skip("outside the years 1–9999 or the zone offsets Go formats")
		}
		ts := time.Unix(unix, int64(offset)&0x3fffffff).In(time.FixedZone("z", offset))
		a, bb := literalRows(t, st, [][]any{{s, fl, i, uint(uint32(i)), ts, b, s + "'"}}, 1)
		if !reflect.DeepEqual(a, bb) {
			t.Fatalf("literal %v != bound %v", a, bb)
		}
		for _, tb := range []string{"lit_a", "lit_b"} {
			if err := st.DB(context.Background()).Exec("DELETE FROM " + tb).Error; err != nil {
				t.Fatal(err)
			}
		}
	})
}
