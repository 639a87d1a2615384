package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/jobs"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/recommend"
	"visitbot/seed"
)

// TestPushReplicaKilledMidShard: replica a claims the morning push, shards
// it and dies in the middle of shard 1, after queueing one of its reps'
// cards (its rows stay as a crash leaves them: the run and the shard
// "running" under a's lease). Replica b fires the same slot after the lease:
// it runs the other shards, takes shard 1 over and closes the run. Every rep
// ends with exactly one queued morning message and one visit-list card task.
func TestPushReplicaKilledMidShard(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a world")
	}
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			slot := time.Date(2026, 12, 1, 7, 25, 0, 0, modelstest.Shanghai) // a Tuesday: every rep has clinics
			clk := clock.NewFake(slot)
			s1, dsn := modelstest.Open(t, driver, clk)
			s2, err := models.Open(models.Options{Driver: driver, DSN: dsn, MaxOpenConns: 4, Clock: clk, Location: modelstest.Shanghai})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s2.Close() })
			cfg := config.Default()
			cfg.Console.Enabled = true
			if err := seed.World(ctx, s1, seed.Options{Reps: 12, Doctors: 240, Seed: 5, Today: slot}); err != nil {
				t.Fatal(err)
			}
			var apps []*App
			for i, s := range []*models.Store{s1, s2} {
				a, err := New(ctx, cfg, Options{Store: s, Clock: clk, Replica: []string{"a", "b"}[i], PushShardReps: 3})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				apps = append(apps, a)
			}
			reps, err := s1.Users.Users(ctx, models.RoleRep)
			if err != nil {
				t.Fatal(err)
			}

			// Replica a: what the scheduler does up to the crash.
			key := jobs.SlotKey(slot, modelstest.Shanghai)
			day := clock.Day(slot, modelstest.Shanghai)
			if _, err := s1.Jobs.ClaimJobRun(ctx, jobMorningPush, key, "a"); err != nil {
				t.Fatal(err)
			}
			n, err := apps[0].pushShards(ctx, jobs.Run{Job: jobMorningPush, Slot: key, Day: day})
			if err != nil || n != 4 {
				t.Fatalf("%d shards (%v), want 4 of 3 reps", n, err)
			}
			if err := s1.Jobs.CreateShards(ctx, jobMorningPush, key, n); err != nil {
				t.Fatal(err)
			}
			shards, err := s1.Jobs.Shards(ctx, jobMorningPush, key)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := s1.Jobs.ClaimShard(ctx, shards[1].ID, "a", clk.Now(), clk.Now().Add(-time.Minute)); !ok || err != nil {
				t.Fatalf("claim shard 1: %v %v", ok, err)
			}
			var first string
			for _, r := range reps {
				if recommend.RepShard(r.ID, 1, n) {
					first = r.UserID
					break
				}
			}
			if _, err := apps[0].Flows.MorningPush(ctx, day, []string{first}); err != nil {
				t.Fatal(err)
			}
			// a is dead. After its lease, b fires the same slot.
			clk.Advance(jobs.DefaultShardLease + time.Second)
			sched, err := apps[1].Scheduler()
			if err != nil {
				t.Fatal(err)
			}
			res := sched.Fire(ctx, jobMorningPush, slot)
			if !errors.Is(res.Err, models.ErrConflict) || !strings.HasPrefix(res.Detail, "4 shards, 4 on this replica") {
				t.Fatalf("b: %+v", res)
			}
			run, err := s1.Jobs.JobRunAt(ctx, jobMorningPush, key)
			if err != nil || run.Outcome != models.JobSucceeded {
				t.Fatalf("run not closed: %+v %v", run, err)
			}

			type count struct {
				RecipientID uint
				N           int
			}
			var rows []count
			err = s1.DB(ctx).Table("outbox_messages").Select("recipient_id, COUNT(*) AS n").
				Where("purpose = ? AND dedupe_key LIKE ?", "morning_push", "%:"+day).Group("recipient_id").Scan(&rows).Error
			if err != nil {
				t.Fatal(err)
			}
			got := map[uint]int{}
			for _, r := range rows {
				got[r.RecipientID] = r.N
			}
			var tasks int64
			if err := s1.DB(ctx).Model(&models.CardTask{}).Where("day = ? AND kind = ?", day, "visit_list").Count(&tasks).Error; err != nil {
				t.Fatal(err)
			}
			for _, r := range reps {
				if got[r.ID] != 1 {
					t.Errorf("%s has %d morning messages, want exactly 1", r.UserID, got[r.ID])
				}
			}
			if len(got) != len(reps) || int(tasks) != len(reps) {
				t.Errorf("%d reps with a message and %d card tasks for %d reps", len(got), tasks, len(reps))
			}
		})
	}
}

// TestShardedPushSummarisesEveryShardsRepsWithoutAnID: with four shards,
// reps without a platform id in three of them reach the admins in one
// summary naming all three, and reps the push failed in two shards in one
// more, sent once the run's shards are done (before, each shard sent its own
// under the day's one purpose, and only the first was queued).
func TestShardedPushSummarisesEveryShardsRepsWithoutAnID(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a world")
	}
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		cfg, _ := weComConfig(t, driver, "summary")
		a, err := New(ctx, cfg, Options{PushShardReps: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		slot := time.Date(2026, 12, 1, 7, 25, 0, 0, cfg.Location()) // a Tuesday
		if err := seed.World(ctx, a.Store, seed.Options{Reps: 12, Doctors: 240, Seed: 5, Today: slot}); err != nil {
			t.Fatal(err)
		}
		reps, err := a.Store.Users.Users(ctx, models.RoleRep)
		if err != nil {
			t.Fatal(err)
		}
		var unreachable []string
		taken := map[uint]bool{}
		for _, r := range reps {
			if k := r.ID % 4; k < 3 && !taken[k] { // one rep in each of shards 0, 1 and 2
				taken[k] = true
				unreachable = append(unreachable, r.UserID)
				if err := a.Store.DB(ctx).Model(&models.User{}).Where("id = ?", r.ID).Update("wecom_user_id", nil).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		var failing []string // one reachable rep in each of shards 0 and 3, whose messages the database refuses
		fails := map[uint]bool{}
		for _, r := range reps {
			if k := r.ID % 4; (k == 0 || k == 3) && !fails[k] && !slices.Contains(unreachable, r.UserID) {
				fails[k] = true
				failing = append(failing, r.UserID)
				modelstest.RejectOutboxFor(t, a.Store, r.ID)
			}
		}
		if len(failing) != 2 {
			t.Fatalf("failing reps %v", failing)
		}
		sched, err := a.Scheduler()
		if err != nil {
			t.Fatal(err)
		}
		res := sched.Fire(ctx, jobMorningPush, slot)
		if res.Outcome != models.JobFailed || !strings.HasPrefix(res.Detail, "4 shards") || res.Err == nil || !strings.Contains(res.Err.Error(), "2 of 4 shards failed") {
			t.Fatalf("push: %+v", res)
		}
		admins, err := a.Store.Users.Users(ctx, models.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		for purpose, want := range map[string][]string{"push_summary": unreachable, "push_failed": failing} {
			var rows []models.OutboxMessage
			if err := a.Store.DB(ctx).Where("purpose LIKE ?", purpose+"%").Find(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(admins) || len(rows) == 0 {
				t.Fatalf("%d %s messages for %d admins, want one each", len(rows), purpose, len(admins))
			}
			for _, row := range rows {
				if row.Purpose != purpose || !strings.Contains(row.Payload, fmt.Sprintf("%d位代表", len(want))) {
					t.Errorf("%s message %s does not count %d reps", row.Purpose, row.Payload, len(want))
				}
				for _, id := range want {
					if !strings.Contains(row.Payload, id) {
						t.Errorf("%s message %s does not name %s", purpose, row.Payload, id)
					}
				}
			}
		}
	})
}
