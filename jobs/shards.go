package jobs

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"visitbot/models"
)

// DefaultShardLease is how long a replica owns a claimed shard: a shard
// still running after it is taken over by another replica (its owner is
// taken for dead). Shards are sized to take seconds, so two minutes only
// delays the takeover after a crash; a live replica that stalls past it
// merely repeats work (shard functions are idempotent) and cannot record
// over the replica that took over (models.ErrShardLost).
const DefaultShardLease = 2 * time.Minute

// DefaultShardPoll is how often a replica that has no shard left to claim
// looks again while others still run theirs.
const DefaultShardPoll = 250 * time.Millisecond

// ShardFunc does shard `shard` (0-based) of `of` of a run and returns a
// one-line detail. It must be idempotent: a shard whose replica died is run
// again, in full, by another one.
type ShardFunc func(ctx context.Context, run Run, shard, of int) (detail string, err error)

// Sharded is a job whose run splits into shards that every replica firing
// the same slot claims one at a time (job_runs rows with a lease), so N
// replicas finish close to N times faster and a replica dying mid-shard
// leaves the shard to another.
type Sharded struct {
	// Count is the number of shards of run (1-999), decided once by the
	// replica that claims the run; the shard rows record it for the others.
	Count func(ctx context.Context, run Run) (int, error)
	// Shard does one shard's work.
	Shard ShardFunc
	// Finish, when set, runs once every shard is done, on the replica that
	// records the run (the coordinator, or the helper that closes the run of
	// a dead one), with the number of shards: what is said once for the
	// whole run rather than by each shard, such as the admins' summary of
	// the morning push. It must be idempotent, as shards are: a coordinator
	// that dies after it ran leaves the run to a helper that runs it again.
	Finish func(ctx context.Context, run Run, shards int) error
}

// RegisterSharded adds a sharded job: the scheduler's winning replica
// creates the shard rows and works them with every other replica that
// fired the same slot, and records the run once all shards are done.
func (r *Registry) RegisterSharded(name string, sh Sharded) error {
	if sh.Count == nil || sh.Shard == nil {
		return fmt.Errorf("register job %q: a sharded job needs Count and Shard", name)
	}
	err := r.Register(name, func(context.Context, Run) (string, error) {
		return "", fmt.Errorf("sharded job %s runs through a scheduler", name)
	})
	if err != nil {
		return err
	}
	r.sharded[name] = sh
	return nil
}

// JoinSlotPrefix starts the slot of a run joined by name (RunJoined).
const JoinSlotPrefix = "join:"

// RunJoined runs job name for day under the slot "join:<name>": every
// process started with the same name fires the same slot, so the first one
// claims the run and the others share its shards (sharded jobs) or skip
// (other jobs). A helper's Result has no Outcome and Err ErrConflict, with
// the shards it ran in Detail. `visitbot job run -join` uses it to run a
// scale benchmark on several replicas.
func (s *Scheduler) RunJoined(ctx context.Context, name, day, join string) (Result, error) {
	day, err := s.checkRun(name, day)
	if err != nil {
		return Result{}, err
	}
	slot := JoinSlotPrefix + join
	if join == "" || len(slot) > 32 {
		return Result{}, fmt.Errorf("run job %s: join name %q must be 1-%d bytes", name, join, 32-len(JoinSlotPrefix))
	}
	return s.start(ctx, Run{Job: name, Slot: slot, Time: s.clock.Now(), Day: day, Manual: true}, nil), nil
}

// coordinate is the run of a sharded job on the replica that claimed it:
// create the shard rows, work them with the others and sum up.
func (s *Scheduler) coordinate(ctx context.Context, run Run, sh Sharded) (string, error) {
	n, err := sh.Count(ctx, run)
	if err != nil {
		return "", fmt.Errorf("count shards: %w", err)
	}
	if err := s.store.Jobs.CreateShards(ctx, run.Job, run.Slot, n); err != nil {
		return "", err
	}
	mine, err := s.workShards(ctx, run, sh)
	if err != nil {
		return "", err
	}
	detail, _, err := s.shardSummary(ctx, run, mine)
	return detail, errors.Join(err, s.finish(ctx, run, sh, n))
}

// finish runs the job's Finish for a run of n shards, if it has one.
func (s *Scheduler) finish(ctx context.Context, run Run, sh Sharded, n int) error {
	if sh.Finish == nil {
		return nil
	}
	if err := sh.Finish(context.WithoutCancel(ctx), run, n); err != nil {
		return fmt.Errorf("finish the run: %w", err)
	}
	return nil
}

// help works the shards of a run another replica claimed, until none is
// left, and closes the run when its coordinator died or stopped before it
// could.
func (s *Scheduler) help(ctx context.Context, run Run, sh Sharded) (string, error) {
	mine, err := s.workShards(ctx, run, sh)
	if err != nil || mine == 0 {
		return fmt.Sprintf("%d shards run by this replica", mine), err
	}
	detail, shards, err := s.shardSummary(ctx, run, mine)
	main, gerr := s.store.Jobs.JobRunAt(ctx, run.Job, run.Slot)
	// The coordinator died (its run still "running" past a lease), or it
	// was stopped and recorded a failure while the others finished every
	// shard: the run's outcome is the shards' outcome.
	dead := gerr == nil && main.Outcome == models.JobRunning && s.clock.Now().Sub(main.StartedAt) > s.shardLease
	stopped := gerr == nil && main.Outcome == models.JobFailed && err == nil
	if dead || stopped {
		err = errors.Join(err, s.finish(ctx, run, sh, shards))
		outcome, errText := models.JobSucceeded, ""
		if err != nil {
			outcome, errText = models.JobFailed, err.Error()
		}
		if ok, ferr := s.store.Jobs.CloseRun(context.WithoutCancel(ctx), run.Job, run.Slot, main.Outcome, outcome, errText, detail); ferr != nil {
			s.log.Error("close sharded run of a dead coordinator", "job", run.Job, "slot", run.Slot, "err", ferr)
		} else if ok {
			s.log.Warn("closed a sharded run whose coordinator stopped", "job", run.Job, "slot", run.Slot, "coordinator", main.Replica)
		}
	}
	return detail, err
}

// workShards claims and runs shards of run until every shard is done
// (succeeded or failed), waiting while other replicas hold the last ones.
// It returns how many shards this replica ran. A helper that finds no
// shard rows waits for them while the run is in progress.
func (s *Scheduler) workShards(ctx context.Context, run Run, sh Sharded) (int, error) {
	mine := 0
	for {
		if err := ctx.Err(); err != nil {
			return mine, err
		}
		rows, err := s.store.Jobs.Shards(ctx, run.Job, run.Slot)
		if err != nil {
			return mine, err
		}
		if len(rows) == 0 {
			main, err := s.store.Jobs.JobRunAt(ctx, run.Job, run.Slot)
			if err != nil && !errors.Is(err, models.ErrNotFound) {
				return mine, err
			}
			if err == nil && (main.Outcome != models.JobRunning || s.clock.Now().Sub(main.StartedAt) > s.shardLease) {
				return mine, nil // finished, or its coordinator died before sharding it
			}
			if err := s.sleep(ctx, s.shardPoll); err != nil {
				return mine, err
			}
			continue
		}
		claimable, done := s.claimable(rows)
		if done == len(rows) {
			return mine, nil
		}
		if len(claimable) == 0 {
			if err := s.sleep(ctx, s.shardPoll); err != nil {
				return mine, err
			}
			continue
		}
		ran, err := s.claimOne(ctx, run, sh, claimable, len(rows))
		if ran {
			mine++
		}
		if err != nil {
			return mine, err
		}
	}
}

// claimable lists the shards this replica may take now (pending, or held
// under an expired lease), starting at an offset derived from the replica
// name so replicas start on different shards; done counts finished ones.
func (s *Scheduler) claimable(rows []models.JobRun) (out []models.JobRun, done int) {
	expired := s.clock.Now().Add(-s.shardLease)
	for _, r := range rows {
		switch {
		case r.Outcome == models.JobPending, r.Outcome == models.JobRunning && r.StartedAt.Before(expired):
			out = append(out, r)
		case r.Outcome != models.JobRunning:
			done++
		}
	}
	if len(out) > 1 {
		h := fnv.New32a()
		h.Write([]byte(s.replica))
		k := int(h.Sum32() % uint32(len(out)))
		out = append(out[k:], out[:k]...)
	}
	return out, done
}

// claimOne claims the first of candidates it can and runs it; ran is false
// when every candidate was taken by another replica meanwhile.
func (s *Scheduler) claimOne(ctx context.Context, run Run, sh Sharded, candidates []models.JobRun, of int) (ran bool, err error) {
	for _, r := range candidates {
		now := s.clock.Now()
		ok, err := s.store.Jobs.ClaimShard(ctx, r.ID, s.replica, now, now.Add(-s.shardLease))
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		k, err := shardNumber(r.Job)
		if err != nil {
			return false, err
		}
		if r.Outcome == models.JobRunning {
			s.log.Warn("took over a shard whose lease expired", "job", run.Job, "slot", run.Slot, "shard", k, "from", r.Replica)
		}
		outcome, detail, runErr := executeShard(ctx, sh.Shard, run, k, of)
		errText := ""
		if runErr != nil {
			errText = runErr.Error()
		}
		if ctx.Err() != nil && runErr != nil {
			// Stopping: hand the shard straight back rather than failing it.
			outcome, errText = models.JobPending, "handed back: replica stopping"
		}
		if err := s.store.Jobs.FinishShard(context.WithoutCancel(ctx), r.ID, s.replica, outcome, errText, detail); err != nil {
			if errors.Is(err, models.ErrShardLost) {
				s.log.Warn("shard finished after another replica took it over", "job", run.Job, "shard", k)
				return true, nil
			}
			return true, err
		}
		return true, nil
	}
	return false, nil
}

// executeShard runs one shard, recovering a panic like execute.
func executeShard(ctx context.Context, fn ShardFunc, run Run, k, of int) (outcome, detail string, err error) {
	defer func() {
		if p := recover(); p != nil {
			outcome, err = models.JobPanicked, fmt.Errorf("panic: %v", p)
			detail = string(debug.Stack())
		}
	}()
	detail, err = fn(ctx, run, k, of)
	if err != nil {
		return models.JobFailed, detail, err
	}
	return models.JobSucceeded, detail, nil
}

// shardSummary is the run's detail once every shard is done (the count,
// how many ran here, each shard's detail) and its number of shards; an
// error names the failed ones.
func (s *Scheduler) shardSummary(ctx context.Context, run Run, mine int) (string, int, error) {
	rows, err := s.store.Jobs.Shards(context.WithoutCancel(ctx), run.Job, run.Slot)
	if err != nil {
		return "", 0, err
	}
	var parts, failed []string
	for _, r := range rows {
		k, _ := shardNumber(r.Job)
		parts = append(parts, fmt.Sprintf("shard %d (%s): %s", k, r.Replica, r.Detail))
		if r.Outcome != models.JobSucceeded {
			failed = append(failed, fmt.Sprintf("shard %d: %s", k, r.Error))
		}
	}
	detail := fmt.Sprintf("%d shards, %d on this replica; %s", len(rows), mine, strings.Join(parts, "; "))
	if len(failed) > 0 {
		return detail, len(rows), fmt.Errorf("%d of %d shards failed: %s", len(failed), len(rows), strings.Join(failed, "; "))
	}
	return detail, len(rows), nil
}

// shardNumber parses k from a shard row's job column (models.ShardJob).
func shardNumber(job string) (int, error) {
	i := strings.LastIndex(job, models.ShardSep)
	k, err := strconv.Atoi(job[i+1:])
	if i < 0 || err != nil {
		return 0, fmt.Errorf("shard row %q: no shard number", job)
	}
	return k, nil
}
