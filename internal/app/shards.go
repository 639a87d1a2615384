package app

import (
	"context"
	"fmt"
	"strings"

	"visitbot/jobs"
	"visitbot/models"
)

// repsPerPushShard sizes the morning push's shards: big enough that a
// shard's bulk loads pay off, small enough that 20,000 reps make 40 shards
// for the replicas to share and a shard retaken after a crash is seconds.
const repsPerPushShard = 500

// doctorsPerScoreShard sizes the nightly scoring's shards: 300,000 doctors
// make 60 shards of about 5,000 doctors (≈100,000 signals) each, so one
// replica holds one shard's signals at a time and two replicas share 60
// units of work evenly. A process's peak RSS follows the shard: at 30,000
// doctors on SQLite 91–105 MB with 5,000, 127–151 MB with 10,000 (over
// the 150 MB goal on a first night), at the same wall time.
const doctorsPerScoreShard = 5000

// scoreShards is the number of territory shards of a nightly scoring run;
// it infers the run's series calendar once for every replica first
// (recommend.Service.PrepareScoreRun).
func (a *App) scoreShards(ctx context.Context, run jobs.Run) (int, error) {
	n, err := a.Store.Ranking.CountDoctors(ctx)
	if err != nil {
		return 0, err
	}
	shards := int(min(max(1, (n+a.scoreShardDoctors-1)/a.scoreShardDoctors), 999))
	return shards, a.Ranking.PrepareScoreRun(ctx, run.Day, shards)
}

// pushShards is the number of shards of a morning push: one for an admin's
// 推送 to named reps, else one per repsPerPushShard active reps.
func (a *App) pushShards(ctx context.Context, run jobs.Run) (int, error) {
	if run.Args[pushArgReps] != "" {
		return 1, nil
	}
	reps, err := a.Store.Users.Users(ctx, models.RoleRep)
	if err != nil {
		return 0, err
	}
	active := 0
	for _, r := range reps {
		if r.Active {
			active++
		}
	}
	return min(max(1, (active+a.pushShardReps-1)/a.pushShardReps), 999), nil
}

// pushShard ranks and queues the cards of shard k of n (recommend.RepShard);
// rerunning it after a crash queues nothing twice (the outbox dedupe key).
func (a *App) pushShard(ctx context.Context, run jobs.Run, k, n int) (string, error) {
	var only []string
	switch {
	case run.Args[pushArgReps] != "":
		only = strings.Split(run.Args[pushArgReps], ",")
	case n > 1:
		reps, err := a.Store.Users.RepsOfShard(ctx, k, n)
		if err != nil {
			return "", err
		}
		only = []string{}
		for _, r := range reps {
			only = append(only, r.UserID)
		}
	}
	push := a.Flows.MorningPush
	if n > 1 {
		push = a.Flows.PushShard
	}
	res, err := push(ctx, run.Day, only)
	if err != nil {
		return res.String(), fmt.Errorf("shard %d of %d: %w", k, n, err)
	}
	return res.String(), nil
}

// finishPush sends the admins the summaries of a sharded push (reps
// without a platform id, reps it failed) once every shard is done; a single
// shard sends its own (MorningPush).
func (a *App) finishPush(ctx context.Context, run jobs.Run, n int) error {
	if n <= 1 {
		return nil
	}
	return a.Flows.ReportPush(ctx, run.Day)
}
