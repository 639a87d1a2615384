package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"visitbot/bot"
	"visitbot/jobs"
	"visitbot/models"
	"visitbot/outbox"
)

// startBackground starts the scheduler and the outbox dispatcher. Each
// goroutine registers on wg and returns when ctx ends, finishing in-flight work.
func (a *app) startBackground(ctx context.Context, wg *sync.WaitGroup) error {
	disp, err := a.newDispatcher(true)
	if err != nil {
		return err
	}
	sched, err := a.newScheduler()
	if err != nil {
		return err
	}
	a.sched, a.bgCtx, a.bgWG = sched, ctx, wg
	if a.dingtalk != nil {
		// mode "stream": open the outbound connection (closes when ctx ends); "http": no-op.
		if err := a.dingtalk.Start(ctx); err != nil {
			return err
		}
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := sched.Run(ctx); err != nil {
			a.log.Error("scheduler stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := disp.Run(ctx); err != nil {
			a.log.Error("outbox dispatcher stopped", "err", err)
		}
	}()
	return nil
}

// messengers is every platform this process can send to, for the outbox
// dispatcher. HOOK: a platform adapter wired in app.go adds its messenger
// here with one line (e.g. `if a.wecom != nil { ms[bot.WeCom] = a.wecom.Messenger() }`).
// Rows of a platform missing here stay queued, never dead-lettered.
func (a *app) messengers() map[bot.Platform]bot.Messenger {
	ms := map[bot.Platform]bot.Messenger{}
	if a.console != nil {
		ms[bot.Console] = a.console
	}
	if a.wecom != nil {
		ms[bot.WeCom] = a.wecom.Messenger
	}
	if a.dingtalk != nil {
		ms[bot.DingTalk] = a.dingtalk.Messenger()
	}
	return ms
}

// newDispatcher builds the outbox dispatcher on the app's messengers; with
// metrics it registers its series on the app registry (served at /metrics).
func (a *app) newDispatcher(metrics bool) (*outbox.Dispatcher, error) {
	o := outbox.DispatcherOptions{
		Store: a.store, Messengers: a.messengers(), Config: a.cfg.Outbox, Clock: a.clock,
		Log: a.log.With("component", "outbox"),
	}
	if metrics {
		o.Registerer = a.registry
	}
	d, err := outbox.NewDispatcher(o)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return d, nil
}

// newScheduler registers the jobs and checks config jobs.* against them:
// an unknown name or a bad schedule stops startup here.
func (a *app) newScheduler() (*jobs.Scheduler, error) {
	reg, err := a.jobRegistry()
	if err != nil {
		return nil, err
	}
	return jobs.NewScheduler(jobs.SchedulerOptions{
		Store: a.store, Registry: reg, Jobs: a.cfg.Jobs, Location: a.cfg.Location(), Clock: a.clock,
		Log: a.log.With("component", "jobs"),
	})
}

// jobRegistry names every job the scheduler and `visitbot job run` know.
// Jobs that send queue outbox rows through the store, in their own
// transactions; the dispatcher delivers them.
func (a *app) jobRegistry() (*jobs.Registry, error) {
	svc := a.rec
	reg := jobs.NewRegistry()
	err := errors.Join(
		reg.Register("nightly_scores", func(ctx context.Context, run jobs.Run) (string, error) {
			res, err := svc.ScoreAll(ctx, run.Day)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d doctors scored, %d tier changes (%d rising)", res.Doctors, res.Changes, len(res.Rising)), nil
		}),
		reg.Register("morning_push", func(ctx context.Context, run jobs.Run) (string, error) {
			res, err := a.flows.MorningPush(ctx, run.Day, nil)
			return res.String(), err
		}),
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
func (a *app) housekeepingJob(ctx context.Context, _ jobs.Run) (string, error) {
	now, r := a.clock.Now(), a.cfg.Retention
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	res, err := a.store.Purge(ctx, models.PurgeCutoffs{
		Deliveries: ago(r.DeliveryDays), Outbox: ago(r.OutboxDays), JobRuns: ago(r.JobRunDays),
		RawEvents: ago(r.RawEventDays), Console: ago(r.ConsoleDays),
	})
	return res.String(), err
}
