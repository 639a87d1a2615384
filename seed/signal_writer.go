package seed

import (
	"context"
	"fmt"
	"sync"

	"gorm.io/gorm"

	"visitbot/models"
)

// signalWriters is how many transactions write signal chunks at once, per
// driver. On MySQL the server's per-row work (clustered and secondary index
// inserts) dominates the seed; several connections let it use every core
// while this process generates the next chunks. SQLite has one writer.
var signalWriters = map[string]int{"mysql": 4}

// signalChunk is what one generated chunk of signals carries to a writer.
type signalChunk struct {
	rows []models.Signal
}

// writeSignals generates every doctor's signals in world order, one chunk of
// signalChunkDoctors doctors at a time, and hands the chunks to the driver's
// writers, each chunk in its own transaction. Every signal gets its id up
// front (the first free id plus its place in world order), so the rows are
// the same whichever writer commits first; an interrupted run repeated later
// skips the signals already written (their external ids exist).
func (w *world) writeSignals(ctx context.Context, db *gorm.DB, doctors []uint) error {
	next, err := nextID(ctx, db, "signals")
	if err != nil {
		return err
	}
	writers := max(1, signalWriters[db.Dialector.Name()])
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	chunks := make(chan signalChunk, writers)
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				if err := upsert(ctx, db, "signals", c.rows); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	genErr := func() error {
		defer close(chunks)
		for lo := 0; lo < len(w.doctors); lo += signalChunkDoctors {
			var rows []models.Signal
			for i := lo; i < min(lo+signalChunkDoctors, len(w.doctors)); i++ {
				rows = append(rows, w.signals(i, doctors[i])...)
			}
			for k := range rows {
				rows[k].ID = next
				next++
			}
			select {
			case chunks <- signalChunk{rows: rows}:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		return nil
	}()
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err // a writer's error, or the caller's cancellation
	}
	return genErr
}

// nextID is the first id above every row of table.
func nextID(ctx context.Context, db *gorm.DB, table string) (uint, error) {
	var top *uint
	if err := db.WithContext(ctx).Table(table).Select("MAX(id)").Scan(&top).Error; err != nil {
		return 0, fmt.Errorf("read %s ids: %w", table, err)
	}
	if top == nil {
		return 1, nil
	}
	return *top + 1, nil
}
