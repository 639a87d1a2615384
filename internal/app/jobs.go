package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"visitbot/clock"
	"visitbot/jobs"
	"visitbot/models"
	"visitbot/seed"
	"visitbot/simulate"
)

// jobMorningPush is the morning push job; a requested run with pushArgReps
// ("rep01,rep02") pushes to those reps only (the admin command 推送).
const (
	jobMorningPush = "morning_push"
	pushArgReps    = "reps"
)

// jobRegistry names every job the scheduler and `visitbot job run` know.
// Jobs that send queue outbox rows through the store, in their own
// transactions; the dispatcher delivers them.
func (a *App) jobRegistry() (*jobs.Registry, error) {
	svc := a.Ranking
	reg := jobs.NewRegistry()
	err := errors.Join(
		reg.RegisterSharded("nightly_scores", jobs.Sharded{Count: a.scoreShards, Shard: func(ctx context.Context, run jobs.Run, k, n int) (string, error) {
			res, err := svc.ScoreShard(ctx, run.Day, k, n)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d doctors scored, %d tier changes (%d rising)", res.Doctors, res.Changes, len(res.Rising)), nil
		}}),
		reg.RegisterSharded(jobMorningPush, jobs.Sharded{Count: a.pushShards, Shard: a.pushShard, Finish: a.finishPush}),
		reg.Register("alert_scan", a.alertScanJob),
		reg.Register("weekly_digest", a.weeklyDigestJob),
		reg.Register("housekeeping", a.housekeepingJob),
	)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return reg, nil
}

// housekeepingJob deletes bookkeeping rows older than retention.*.
func (a *App) housekeepingJob(ctx context.Context, _ jobs.Run) (string, error) {
	now, r := a.Clock.Now(), a.Config.Retention
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	res, err := a.Store.Housekeeping.Purge(ctx, models.PurgeCutoffs{
		Deliveries: ago(r.DeliveryDays), Outbox: ago(r.OutboxDays), JobRuns: ago(r.JobRunDays),
		RawEvents: ago(r.RawEventDays), Console: ago(r.ConsoleDays),
	})
	return res.String(), err
}

func (a *App) onSignals(ctx context.Context, created []models.Signal) {
	if err := a.Flows.OnSignals(ctx, created); err != nil {
		a.Log.Error("real-time alerts", "signals", len(created), "err", err)
	}
}

// alertScanJob is the alert_scan job.
func (a *App) alertScanJob(ctx context.Context, run jobs.Run) (string, error) {
	res, err := a.Flows.AlertScan(ctx, run.Day)
	if err != nil {
		return "", err
	}
	return res.String(), nil
}

// weeklyDigestJob is the weekly_digest job (Monday morning).
func (a *App) weeklyDigestJob(ctx context.Context, run jobs.Run) (string, error) {
	res, err := a.Flows.WeeklyDigest(ctx, run.Day)
	if err != nil {
		return "", err
	}
	return res.String(), nil
}

// Seed writes the deterministic demo world (seed.World) as of opts.Today
// (default: today on the app clock).
func (a *App) Seed(ctx context.Context, opts seed.Options) error {
	if opts.Today.IsZero() {
		opts.Today = a.Clock.Now().In(a.Config.Location())
	}
	return seed.World(ctx, a.Store, opts)
}

// SimulationEnv is the running system a simulation drives (the app must be
// built from simulate.ConsoleConfig with clk as its clock): the flows, the
// console and an outbox dispatcher delivering to it.
func (a *App) SimulationEnv(clk *clock.Fake) (simulate.Env, error) {
	if a.Console == nil {
		return simulate.Env{}, errors.New("simulation: the console platform is not enabled")
	}
	disp, err := a.NewDispatcher(false)
	if err != nil {
		return simulate.Env{}, err
	}
	sched, err := a.Scheduler()
	if err != nil {
		return simulate.Env{}, err
	}
	return simulate.Env{Store: a.Store, Clock: clk, Flows: a.Flows, Recommend: a.Ranking, Console: a.Console,
		Dispatcher: disp, Location: a.Config.Location(), Jobs: simJobs{sched}}, nil
}

// simJobs is the scheduler as simulate.Jobs: the configured schedules and a
// firing through the registered job body.
type simJobs struct{ s *jobs.Scheduler }

// Next is the job's next configured firing after t (zero: disabled or not configured).
func (j simJobs) Next(name string, after time.Time) time.Time {
	for _, e := range j.s.Entries() {
		if e.Name == name {
			return e.Next(after)
		}
	}
	return time.Time{}
}

// Fire runs the slot at t; a failed or panicked run is the error, a slot
// already in job_runs (the same days simulated twice) is skipped.
func (j simJobs) Fire(ctx context.Context, name string, at time.Time) (string, error) {
	res := j.s.Fire(ctx, name, at)
	switch res.Outcome {
	case models.JobSucceeded, models.JobSkipped, "":
		return res.Detail, nil
	}
	return res.Detail, fmt.Errorf("%s %s: %w", name, res.Outcome, res.Err)
}
