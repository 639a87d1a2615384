package models

import (
	"context"
	"fmt"
	"time"
)

// PurgeCutoffs are the instants before which bookkeeping rows are deleted.
type PurgeCutoffs struct {
	Deliveries, Outbox, JobRuns, RawEvents, Console time.Time
}

// PurgeResult counts the rows deleted per table.
type PurgeResult struct {
	Deliveries, Outbox, JobRuns, RawEvents, Console, Settings int64
}

func (r PurgeResult) String() string {
	return fmt.Sprintf("deleted %d delivery keys, %d sent outbox rows, %d job runs, %d raw events, %d console lines, %d expired settings",
		r.Deliveries, r.Outbox, r.JobRuns, r.RawEvents, r.Console, r.Settings)
}

// purgeBatch bounds one DELETE, so a large backlog never holds a long lock
// (SQLite has one writer; MySQL would lock many rows).
const purgeBatch = 2000

// Purge deletes bookkeeping rows older than the cutoffs, in batches: delivery
// keys, sent outbox rows (pending, sending and dead rows are kept), finished
// job runs, raw events, console lines and expired settings.
func (s *HousekeepingStore) Purge(ctx context.Context, c PurgeCutoffs) (PurgeResult, error) {
	var r PurgeResult
	steps := []struct {
		n     *int64
		model any
		where string
		args  []any
	}{
		{&r.Deliveries, &InboundDelivery{}, "received_at < ?", []any{c.Deliveries.UTC()}},
		{&r.Outbox, &OutboxMessage{}, "status = ? AND updated_at < ?", []any{OutboxSent, c.Outbox.UTC()}},
		{&r.JobRuns, &JobRun{}, "outcome <> ? AND started_at < ?", []any{JobRunning, c.JobRuns.UTC()}},
		{&r.RawEvents, &RawEvent{}, "received_at < ?", []any{c.RawEvents.UTC()}},
		{&r.Console, &ConsoleMessage{}, "created_at < ?", []any{c.Console.UTC()}},
	}
	for _, st := range steps {
		n, err := s.purge(ctx, st.model, st.where, st.args...)
		*st.n = n
		if err != nil {
			return r, fmt.Errorf("purge: %w", err)
		}
	}
	// Expired settings (cached tokens, check-in markers) are few: one statement.
	res := s.db.WithContext(ctx).Where("expires_at IS NOT NULL AND expires_at < ?", s.db.clock.Now().UTC()).Delete(&Setting{})
	r.Settings = res.RowsAffected
	if res.Error != nil {
		return r, fmt.Errorf("purge settings: %w", res.Error)
	}
	return r, nil
}

// purge deletes matching rows of model batch by batch (ids first: MySQL has
// no LIMIT in an IN subquery).
func (s *HousekeepingStore) purge(ctx context.Context, model any, where string, args ...any) (int64, error) {
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		q := s.db.WithContext(ctx).Model(model).Where(where, args...).Order("id").Limit(purgeBatch)
		var nums []uint
		if err := q.Pluck("id", &nums).Error; err != nil {
			return total, err
		}
		if len(nums) == 0 {
			return total, nil
		}
		res := s.db.WithContext(ctx).Where("id IN ?", nums).Delete(model)
		if res.Error != nil {
			return total, res.Error
		}
		total += res.RowsAffected
		if len(nums) < purgeBatch {
			return total, nil
		}
	}
}
