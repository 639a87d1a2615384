package app

import (
	"context"
	"fmt"
	"sync"

	"visitbot/bot"
	"visitbot/jobs"
	"visitbot/outbox"
)

// StartBackground starts the scheduler and the outbox dispatcher. Each
// goroutine registers on wg and returns when ctx ends, finishing in-flight work.
func (a *App) StartBackground(ctx context.Context, wg *sync.WaitGroup) error {
	disp, err := a.NewDispatcher(true)
	if err != nil {
		return err
	}
	sched, err := a.NewScheduler()
	if err != nil {
		return err
	}
	a.sched, a.bgCtx, a.bgWG = sched, ctx, wg
	if a.DingTalk != nil {
		// mode "stream": open the outbound connection (closes when ctx ends); "http": no-op.
		if err := a.DingTalk.Start(ctx); err != nil {
			return err
		}
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := sched.Run(ctx); err != nil {
			a.Log.Error("scheduler stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := disp.Run(ctx); err != nil {
			a.Log.Error("outbox dispatcher stopped", "err", err)
		}
	}()
	return nil
}

// messengers is every platform this process can send to, for the outbox
// dispatcher. HOOK: a platform adapter wired in app.go adds its messenger
// here with one line (e.g. `if a.WeCom != nil { ms[bot.WeCom] = a.WeCom.Messenger() }`).
// Rows of a platform missing here stay queued, never dead-lettered.
func (a *App) messengers() map[bot.Platform]bot.Messenger {
	ms := map[bot.Platform]bot.Messenger{}
	if a.Console != nil {
		ms[bot.Console] = a.Console
	}
	if a.WeCom != nil {
		ms[bot.WeCom] = a.WeCom.Messenger
	}
	if a.DingTalk != nil {
		ms[bot.DingTalk] = a.DingTalk.Messenger()
	}
	return ms
}

// NewDispatcher builds the outbox dispatcher on the app's messengers; with
// metrics it registers its series on the app registry (served at /metrics).
func (a *App) NewDispatcher(metrics bool) (*outbox.Dispatcher, error) {
	o := outbox.DispatcherOptions{
		Store: a.Store, Messengers: a.messengers(), Config: a.Config.Outbox, Clock: a.Clock,
		Log: a.Log.With("component", "outbox"),
	}
	if metrics {
		o.Registerer = a.Registry
	}
	d, err := outbox.NewDispatcher(o)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return d, nil
}

// NewScheduler registers the jobs and checks config jobs.* against them:
// an unknown name or a bad schedule stops startup here.
func (a *App) NewScheduler() (*jobs.Scheduler, error) {
	reg, err := a.jobRegistry()
	if err != nil {
		return nil, err
	}
	return jobs.NewScheduler(jobs.SchedulerOptions{
		Store: a.Store, Registry: reg, Jobs: a.Config.Jobs, Location: a.Config.Location(), Clock: a.Clock,
		Log: a.Log.With("component", "jobs"),
	})
}
