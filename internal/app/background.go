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
	sched, err := a.Scheduler()
	if err != nil {
		return err
	}
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

// Scheduler is the app's scheduler, built once: the jobs registered and
// config jobs.* checked against them (an unknown name or a bad schedule is
// the error). StartBackground runs it; the admin commands write their run
// requests through it.
func (a *App) Scheduler() (*jobs.Scheduler, error) {
	a.schedOnce.Do(func() {
		reg, err := a.jobRegistry()
		if err != nil {
			a.schedErr = err
			return
		}
		a.sched, a.schedErr = jobs.NewScheduler(jobs.SchedulerOptions{
			Store: a.Store, Registry: reg, Jobs: a.Config.Jobs, Location: a.Config.Location(), Clock: a.Clock,
			Log: a.Log.With("component", "jobs"), Replica: a.replica,
		})
	})
	return a.sched, a.schedErr
}
