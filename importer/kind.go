package importer

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"visitbot/models"
)

// kind is one importable entity type.
type kind interface {
	name() string
	summary() string
	fields() []Field
	index() map[string]int
	info() *kindInfo
	// run reads, validates and writes every row of st inside tx.
	run(ctx context.Context, tx *models.Store, env *runEnv, st *rowStream) error
}

// item is one parsed row of kind R with its problems.
type item[R any] struct {
	row  int
	rec  *R
	errs []RowError
}

func (it *item[R]) fail(env *runEnv, field, value, key string, args ...string) {
	it.errs = append(it.errs, newRowError(it.row, env.hdr.column(field), field, value, key, args...))
}

// spec implements kind for record type R: parse each row (on the reader's
// goroutine), reject duplicate natural keys within the input, then per
// chunk resolve references and write, inside the import's transaction.
type spec[R any] struct {
	kindName string
	about    string
	list     []Field
	// keyField names the field reported for a duplicate key.
	keyField string
	// whole resolves the input as one chunk (users: a manager may come after
	// the reps in the same file).
	whole    bool
	parseRow func(r *rowReader) *R
	key      func(*R) string
	// refKey is how other kinds name a row (its external id), to tell them
	// when the row they point at was refused; nil = nothing refers to it.
	refKey func(*R) string
	// resolve looks references up and records per-item errors; it must
	// skip empty references (already reported by parse).
	resolve func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[R]) error
	write   func(ctx context.Context, tx *models.Store, env *runEnv, recs []*R) (models.UpsertCounts, error)

	once sync.Once
	ki   *kindInfo
}

func (s *spec[R]) name() string          { return s.kindName }
func (s *spec[R]) summary() string       { return s.about }
func (s *spec[R]) fields() []Field       { return s.list }
func (s *spec[R]) index() map[string]int { return s.info().index }
func (s *spec[R]) info() *kindInfo {
	s.once.Do(func() { s.ki = newKindInfo(s.list) })
	return s.ki
}

// chunkRows is how many rows are resolved and written at a time: memory
// stays flat in the file's size, and lookups and inserts stay batched.
const chunkRows = 2000

func (s *spec[R]) run(ctx context.Context, tx *models.Store, env *runEnv, st *rowStream) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Three stages, so an XLSX sheet decodes, rows are validated and the
	// previous chunk is written at the same time: reading and validating
	// need no database.
	batches := make(chan []*row, 4)
	chunks := make(chan []*item[R], 2)
	var readErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(batches)
		readErr = readBatches(ctx, st, batches)
	}()
	go func() {
		defer wg.Done()
		defer close(chunks)
		s.produce(ctx, env, batches, chunks)
	}()
	var err error
	for items := range chunks {
		if err == nil {
			if err = s.apply(ctx, tx, env, items); err != nil {
				cancel()
			}
		}
	}
	wg.Wait()
	if err != nil {
		return err
	}
	if readErr != nil && ctx.Err() == nil {
		return fileError{readErr}
	}
	return ctx.Err()
}

// rowBatch is how many rows the reader hands over at a time.
const rowBatch = 256

// readBatches reads st into batches of rows.
func readBatches(ctx context.Context, st *rowStream, out chan<- []*row) error {
	batch := make([]*row, 0, rowBatch)
	send := func() bool {
		select {
		case out <- batch:
			batch = make([]*row, 0, rowBatch)
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		r, err := st.next()
		if err != nil {
			return err
		}
		if r == nil {
			break
		}
		batch = append(batch, r)
		if len(batch) == rowBatch && !send() {
			return nil
		}
	}
	if len(batch) > 0 {
		send()
	}
	return nil
}

// produce parses rows into chunks of items, rejecting duplicate keys.
func (s *spec[R]) produce(ctx context.Context, env *runEnv, in <-chan []*row, out chan<- []*item[R]) {
	size := chunkRows
	if s.whole {
		size = int(^uint(0) >> 1)
	}
	seen := map[uint64]int{}
	var items []*item[R]
	send := func() bool {
		if len(items) == 0 {
			return true
		}
		select {
		case out <- items:
			items = nil
			return true
		case <-ctx.Done():
			return false
		}
	}
	for batch := range in {
		for _, r := range batch {
			env.rows++
			rr := &rowReader{row: r, env: env}
			rec := s.parseRow(rr)
			it := &item[R]{row: r.num, rec: rec, errs: rr.errs}
			if len(it.errs) == 0 && s.key != nil {
				k := s.key(rec)
				h := hashKey(k)
				if prev, dup := seen[h]; dup {
					it.fail(env, s.keyField, clean(rr.cell(s.keyField)), keyDuplicate, fmt.Sprint(prev), k)
				} else {
					seen[h] = r.num
				}
			}
			items = append(items, it)
			if len(items) >= size && !send() {
				return
			}
		}
	}
	send()
}

// hashKey is a 64-bit FNV-1a hash of a natural key (ASCII case folded, as
// models.NaturalKey compares): the duplicate check holds 16 bytes per row
// instead of the key itself.
func hashKey(k string) uint64 {
	k = strings.TrimSpace(k)
	for i := 0; i < len(k); i++ {
		if k[i] >= 0x80 {
			k = models.NaturalKey(k)
			break
		}
	}
	h := uint64(14695981039346656037)
	for i := 0; i < len(k); i++ {
		c := k[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// apply resolves references of one chunk, records every problem and writes
// the good rows; the transaction decides at the end whether they stay.
func (s *spec[R]) apply(ctx context.Context, tx *models.Store, env *runEnv, items []*item[R]) error {
	if s.resolve != nil {
		if err := s.resolve(ctx, tx, env, items); err != nil {
			return err
		}
	}
	good := make([]*R, 0, len(items))
	for _, it := range items {
		if len(it.errs) > 0 {
			env.rep.addRow(it.errs)
			if s.refKey != nil {
				env.refused(s.kindName, s.refKey(it.rec), it.row)
			}
			continue
		}
		good = append(good, it.rec)
	}
	counts, err := s.write(ctx, tx, env, good)
	env.rep.UpsertCounts.Add(counts)
	return err
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

// kindOrder is a kind's position in load order.
func kindOrder(name string) int {
	for i, k := range allKinds() {
		if k.name() == name {
			return i
		}
	}
	return len(allKinds())
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

// collect gathers a reference of every item.
func collect[R any](items []*item[R], ref func(*R) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		if v := ref(it.rec); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// embedded converts records to the model rows they embed.
func embedded[R, M any](recs []*R, get func(*R) *M) []*M {
	out := make([]*M, len(recs))
	for i, r := range recs {
		out[i] = get(r)
	}
	return out
}
