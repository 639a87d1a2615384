package app

import (
	"context"
	"fmt"
)

// adminJobs backs the admin chat commands 任务 (flows.JobRunner) and 推送
// (flows.PushTrigger). Both are called inside the command's transaction:
// they write a run request there, beside the command's audit row, and any
// replica's scheduler runs it after the commit — a rolled-back or retried
// transaction starts nothing.
type adminJobs struct{ a *App }

// RunJob requests a run of a registered job for day.
func (j adminJobs) RunJob(ctx context.Context, name, day string) (string, error) {
	sched, err := j.a.Scheduler()
	if err != nil {
		return "", err
	}
	day, err = sched.Request(ctx, name, day, nil)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("已开始执行任务「%s」（%s），完成后即生效，无需其他操作。", name, day), nil
}

// PushNow requests today's visit card for one rep ("" = every rep). Reps
// who already got today's card do not get a second one.
func (j adminJobs) PushNow(ctx context.Context, repUserID, day string) (string, error) {
	sched, err := j.a.Scheduler()
	if err != nil {
		return "", err
	}
	var args map[string]string
	who := "全部代表"
	if repUserID != "" {
		args, who = map[string]string{pushArgReps: repUserID}, repUserID
	}
	if _, err := sched.Request(ctx, jobMorningPush, day, args); err != nil {
		return "", err
	}
	return fmt.Sprintf("已开始为%s推送%s的拜访名单；今天已收到名单的代表不会重复收到。", who, day), nil
}
