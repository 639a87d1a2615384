package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"
)

// JobPending is the outcome of a shard row no replica has claimed yet (see
// CreateShards).
const JobPending = "pending"

// ShardSep separates a sharded job's name from the shard number in the job
// column of its shard rows ("morning_push#03"); job names never contain it.
const ShardSep = "#"

// ShardJob is the job column of shard k of job: the shard rows of a run
// share the run's slot, so (job, slot) stays the unique key of every row.
func ShardJob(job string, k int) string { return fmt.Sprintf("%s%s%03d", job, ShardSep, k) }

// CreateShards inserts the n pending shard rows of the run (job, slot) in
// one statement, so another replica sees all of them or none; rows that
// exist already are left alone (a second coordinator of the same run).
func (s *JobStore) CreateShards(ctx context.Context, job, slot string, n int) error {
	if n < 1 || n > 999 {
		return fmt.Errorf("shards of job %s: %d must be 1-999", job, n)
	}
	now := s.db.clock.Now().UTC()
	rows := make([]JobRun, n)
	for k := range rows {
		rows[k] = JobRun{Job: ShardJob(job, k), Slot: slot, Outcome: JobPending, StartedAt: now}
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
	if err != nil {
		return fmt.Errorf("create %d shards of job %s slot %s: %w", n, job, slot, translate(err))
	}
	return nil
}

// Shards lists the shard rows of the run (job, slot), by shard number.
// The job column's prefix is matched in Go: "_" in a job name is a LIKE
// wildcard, so LIKE only narrows the rows the (job, slot) index returns.
func (s *JobStore) Shards(ctx context.Context, job, slot string) ([]JobRun, error) {
	var rows []JobRun
	err := s.db.WithContext(ctx).Where("slot = ? AND job LIKE ?", slot, job+ShardSep+"%").Order("job").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list shards of job %s slot %s: %w", job, slot, err)
	}
	out := rows[:0]
	for _, r := range rows {
		if strings.HasPrefix(r.Job, job+ShardSep) {
			out = append(out, r)
		}
	}
	return out, nil
}

// ClaimShard takes shard row id for replica when it is pending, or running
// under a lease that started before expired (its replica died or stalled):
// one conditional UPDATE decides between replicas, as on TiDB (no row
// locks held, no SKIP LOCKED). The lease starts at now.
func (s *JobStore) ClaimShard(ctx context.Context, id uint, replica string, now, expired time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Model(&JobRun{}).
		Where("id = ? AND (outcome = ? OR (outcome = ? AND started_at < ?))", id, JobPending, JobRunning, expired.UTC()).
		Updates(map[string]any{"outcome": JobRunning, "replica": clipText(replica, 64), "started_at": now.UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("claim shard %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ErrShardLost means a shard's lease passed to another replica before its
// result was recorded: the other replica's run counts.
var ErrShardLost = errors.New("shard was taken over by another replica")

// FinishShard records the outcome of shard row id if replica still holds it
// (ErrShardLost otherwise), so a replica that stalled past its lease cannot
// overwrite the run of the replica that took the shard over.
func (s *JobStore) FinishShard(ctx context.Context, id uint, replica, outcome, errText, detail string) error {
	now := s.db.clock.Now().UTC()
	res := s.db.WithContext(ctx).Model(&JobRun{}).
		Where("id = ? AND outcome = ? AND replica = ?", id, JobRunning, clipText(replica, 64)).
		Updates(map[string]any{"outcome": outcome, "error": clipText(errText, maxJobRunText), "detail": clipText(detail, maxJobRunText), "finished_at": now})
	if res.Error != nil {
		return fmt.Errorf("finish shard %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("finish shard %d: %w", id, ErrShardLost)
	}
	return nil
}

// FinishRunIfRunning records the outcome of the run (job, slot) unless it
// was recorded already: the last replica working a sharded run closes it
// when its coordinator died. ok reports whether this call recorded it.
func (s *JobStore) FinishRunIfRunning(ctx context.Context, job, slot, outcome, errText, detail string) (ok bool, err error) {
	now := s.db.clock.Now().UTC()
	res := s.db.WithContext(ctx).Model(&JobRun{}).Where("job = ? AND slot = ? AND outcome = ?", job, slot, JobRunning).
		Updates(map[string]any{"outcome": outcome, "error": clipText(errText, maxJobRunText), "detail": clipText(detail, maxJobRunText), "finished_at": now})
	if res.Error != nil {
		return false, fmt.Errorf("finish job %s slot %s: %w", job, slot, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// JobRunAt is the run (job, slot), or ErrNotFound.
func (s *JobStore) JobRunAt(ctx context.Context, job, slot string) (*JobRun, error) {
	r, err := first[JobRun](ctx, s.db, "job = ? AND slot = ?", job, slot)
	if err != nil {
		return nil, fmt.Errorf("job %s slot %s: %w", job, slot, err)
	}
	return r, nil
}
