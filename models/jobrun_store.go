package models

import (
	"context"
	"fmt"
)

// JobSkipped is the outcome of a slot a replica did not run because its
// previous run of the same job was still in progress (overlap guard).
const JobSkipped = "skipped"

// JobRequested is the outcome of a run an admin requested that no
// scheduler has taken yet (jobs.Scheduler.Request).
const JobRequested = "requested"

// maxJobRunText caps stored error/detail text so a runaway message cannot
// bloat the history table.
const maxJobRunText = 16 << 10

// ClaimJobRun inserts the (job, slot) row with outcome running. The unique
// index on (job, slot) makes this the cross-replica lock: exactly one insert
// wins, every other replica gets ErrConflict and must skip the slot.
func (s *JobStore) ClaimJobRun(ctx context.Context, job, slot, replica string) (*JobRun, error) {
	return s.insertJobRun(ctx, job, slot, replica, JobRunning, "")
}

// RecordJobSkip stores a slot this replica skipped (outcome skipped) with
// the reason. It claims the slot like ClaimJobRun: ErrConflict means another
// replica already owns it, which is fine for the caller.
func (s *JobStore) RecordJobSkip(ctx context.Context, job, slot, replica, reason string) error {
	_, err := s.insertJobRun(ctx, job, slot, replica, JobSkipped, reason)
	return err
}

func (s *JobStore) insertJobRun(ctx context.Context, job, slot, replica, outcome, errText string) (*JobRun, error) {
	if job == "" || len(job) > 64 {
		return nil, fmt.Errorf("job name %q: must be 1-64 bytes", job)
	}
	if slot == "" || len(slot) > 32 {
		return nil, fmt.Errorf("job slot %q: must be 1-32 bytes", slot)
	}
	now := s.db.clock.Now().UTC()
	r := &JobRun{Job: job, Slot: slot, Replica: clipText(replica, 64), Outcome: outcome, Error: clipText(errText, maxJobRunText), StartedAt: now}
	if outcome != JobRunning {
		r.FinishedAt = &now
	}
	if err := s.db.create(ctx, r); err != nil {
		return nil, fmt.Errorf("claim job %s slot %s: %w", job, slot, err)
	}
	return r, nil
}

// RequestJobRun inserts a requested run (outcome requested) with its
// arguments (JSON), in the caller's transaction if ctx carries one.
func (s *JobStore) RequestJobRun(ctx context.Context, job, slot, replica, args string) error {
	if job == "" || len(job) > 64 || slot == "" || len(slot) > 32 {
		return fmt.Errorf("request job %q slot %q: name 1-64 and slot 1-32 bytes", job, slot)
	}
	r := &JobRun{Job: job, Slot: slot, Replica: clipText(replica, 64), Outcome: JobRequested, Args: clipText(args, maxJobRunText), StartedAt: s.db.clock.Now().UTC()}
	if err := s.db.create(ctx, r); err != nil {
		return fmt.Errorf("request job %s: %w", job, err)
	}
	return nil
}

// RequestedRuns lists the oldest requests no scheduler has taken, at most limit.
func (s *JobStore) RequestedRuns(ctx context.Context, limit int) ([]JobRun, error) {
	var out []JobRun
	if err := s.db.WithContext(ctx).Where("outcome = ?", JobRequested).Order("id").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list job requests: %w", err)
	}
	return out, nil
}

// ClaimRequest moves a request to running for replica; ok=false when
// another replica took it first (one conditional update decides).
func (s *JobStore) ClaimRequest(ctx context.Context, id uint, replica string) (ok bool, err error) {
	res := s.db.WithContext(ctx).Model(&JobRun{}).Where("id = ? AND outcome = ?", id, JobRequested).
		Updates(map[string]any{"outcome": JobRunning, "replica": clipText(replica, 64), "started_at": s.db.clock.Now().UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("claim job request %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// FinishJobRun records how a claimed run ended: outcome (succeeded, failed,
// panicked), the error text and a short detail for the run history.
func (s *JobStore) FinishJobRun(ctx context.Context, id uint, outcome, errText, detail string) error {
	now := s.db.clock.Now().UTC()
	res := s.db.WithContext(ctx).Model(&JobRun{}).Where("id = ?", id).Updates(map[string]any{
		"outcome": outcome, "error": clipText(errText, maxJobRunText), "detail": clipText(detail, maxJobRunText), "finished_at": now,
	})
	if res.Error != nil {
		return fmt.Errorf("finish job run %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("finish job run %d: %w", id, ErrNotFound)
	}
	return nil
}

// JobRuns lists the newest runs of job (all jobs when job is ""), newest first.
func (s *JobStore) JobRuns(ctx context.Context, job string, limit int) ([]JobRun, error) {
	var out []JobRun
	q := s.db.WithContext(ctx).Order("started_at DESC, id DESC").Limit(limit)
	if job != "" {
		q = q.Where("job = ?", job)
	}
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	return out, nil
}

// clipText cuts s to at most n bytes without splitting a UTF-8 sequence.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
