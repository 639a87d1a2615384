package app

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// adminJobs backs the admin chat commands 任务 (flows.JobRunner) and 推送
// (flows.PushTrigger). Both are called inside the command's transaction, so
// they only start the work in the background and answer at once: SQLite has
// one writer, and the work opens transactions of its own.
type adminJobs struct{ a *App }

// errNotRunning is returned outside `visitbot serve` (no scheduler).
var errNotRunning = errors.New("the scheduler is not running in this process")

// RunJob starts a registered job for day.
func (j adminJobs) RunJob(ctx context.Context, name, day string) (string, error) {
	if j.a.sched == nil {
		return "", errNotRunning
	}
	return j.a.sched.RunJob(ctx, name, day)
}

// pushTimeout bounds a manual push (600 reps rank and queue in seconds).
const pushTimeout = 10 * time.Minute

// PushNow queues today's visit card for one rep ("" = every rep). Reps who
// already got today's card do not get a second one.
func (j adminJobs) PushNow(_ context.Context, repUserID, day string) (string, error) {
	a := j.a
	if a.bgCtx == nil {
		return "", errNotRunning
	}
	var only []string
	who := "全部代表"
	if repUserID != "" {
		only, who = []string{repUserID}, repUserID
	}
	a.bgWG.Add(1)
	go func() {
		defer a.bgWG.Done()
		ctx, cancel := context.WithTimeout(a.bgCtx, pushTimeout)
		defer cancel()
		res, err := a.Flows.MorningPush(ctx, day, only)
		if err != nil {
			a.Log.Error("manual push failed", "target", who, "day", day, "err", err)
			return
		}
		a.Log.Info("manual push", "target", who, "result", res.String())
	}()
	return fmt.Sprintf("已开始为%s推送%s的拜访名单；今天已收到名单的代表不会重复收到。", who, day), nil
}
