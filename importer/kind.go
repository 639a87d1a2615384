package importer

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"visitbot/models"
)

// kind is one importable entity type.
type kind interface {
	name() string
	summary() string
	fields() []Field
	// parse validates every row on its own (no database), outside any transaction.
	parse(env *runEnv, rows []Row) parsed
}

// parsed is a kind's validated rows, ready to be applied in a transaction.
type parsed interface {
	// apply resolves references and writes the good rows (all rows when none
	// is bad, or the good ones when partial). It returns every row error.
	apply(ctx context.Context, tx *models.Store, partial bool) (models.UpsertCounts, []RowError, error)
}

// item is one parsed row of kind R with its problems.
type item[R any] struct {
	row  int
	rec  *R
	errs []RowError
}

func (it *item[R]) fail(env *runEnv, field, value, format string, args ...any) {
	it.errs = append(it.errs, RowError{Row: it.row, Column: env.column(field), Field: field, Value: value,
		Reason: fmt.Sprintf(format, args...)})
}

// spec implements kind for record type R: parse each row, reject duplicate
// natural keys within the input, resolve references, write.
type spec[R any] struct {
	kindName string
	about    string
	list     []Field
	// keyField names the field reported for a duplicate key.
	keyField string
	parseRow func(r *rowReader) *R
	key      func(*R) string
	// resolve looks references up and records per-item errors; it must
	// skip empty references (already reported by parse).
	resolve func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[R]) error
	write   func(ctx context.Context, tx *models.Store, env *runEnv, recs []*R) (models.UpsertCounts, error)
}

func (s *spec[R]) name() string    { return s.kindName }
func (s *spec[R]) summary() string { return s.about }
func (s *spec[R]) fields() []Field { return s.list }

// specBatch is the parsed rows of a spec.
type specBatch[R any] struct {
	s     *spec[R]
	env   *runEnv
	items []*item[R]
}

func (s *spec[R]) parse(env *runEnv, rows []Row) parsed {
	items := make([]*item[R], 0, len(rows))
	firstRow := map[string]int{}
	for _, row := range rows {
		rr := &rowReader{row: row, env: env}
		rec := s.parseRow(rr)
		it := &item[R]{row: row.Num, rec: rec, errs: rr.errs}
		if len(it.errs) == 0 && s.key != nil {
			k := models.NaturalKey(s.key(rec))
			if prev, dup := firstRow[k]; dup {
				it.fail(env, s.keyField, strings.TrimSpace(row.Values[s.keyField]), "duplicate of row %d (same key %s)", prev, s.key(rec))
			} else {
				firstRow[k] = row.Num
			}
		}
		items = append(items, it)
	}
	return &specBatch[R]{s: s, env: env, items: items}
}

func (b *specBatch[R]) apply(ctx context.Context, tx *models.Store, partial bool) (models.UpsertCounts, []RowError, error) {
	s, env, items := b.s, b.env, b.items
	if s.resolve != nil {
		// Every row is resolved, so a row reports a bad reference together
		// with its other problems; references that did not parse are empty.
		if err := s.resolve(ctx, tx, env, items); err != nil {
			return models.UpsertCounts{}, nil, err
		}
	}
	var errs []RowError
	good := make([]*R, 0, len(items))
	for _, it := range items {
		if len(it.errs) > 0 {
			errs = append(errs, it.errs...)
			continue
		}
		good = append(good, it.rec)
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
	if len(errs) > 0 && !partial {
		return models.UpsertCounts{}, errs, nil
	}
	counts, err := s.write(ctx, tx, env, good)
	return counts, errs, err
}

func lookupKind(name string) (kind, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, k := range allKinds() {
		if k.name() == n {
			return k, nil
		}
	}
	return nil, fmt.Errorf("unknown import kind %q (one of: %s)", name, strings.Join(Kinds(), ", "))
}

// Kinds lists the importable kinds in load order (hospitals before doctors …).
func Kinds() []string {
	var out []string
	for _, k := range allKinds() {
		out = append(out, k.name())
	}
	return out
}

// KindSummary is the one-line description of a kind ("" if unknown).
func KindSummary(name string) string {
	if k, err := lookupKind(name); err == nil {
		return k.summary()
	}
	return ""
}

// Fields lists the fields of a kind, in template column order.
func Fields(kind string) ([]Field, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return nil, err
	}
	return append([]Field(nil), k.fields()...), nil
}
