package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/jobs"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// shardLog records which replica ran which shard.
type shardLog struct {
	mu  sync.Mutex
	ran map[int][]string
}

func (l *shardLog) add(k int, replica string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ran[k] = append(l.ran[k], replica)
}

// replicaPair opens a second Store on the first one's database: two replicas.
func replicaPair(t *testing.T, driver string, clk clock.Clock) (*models.Store, *models.Store) {
	t.Helper()
	s1, dsn := modelstest.Open(t, driver, clk)
	s2, err := models.Open(models.Options{Driver: driver, DSN: dsn, MaxOpenConns: 4, Clock: clk, Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	return s1, s2
}

func shardedScheduler(t *testing.T, s *models.Store, replica string, sh jobs.Sharded, sleep func(context.Context, time.Duration) error) *jobs.Scheduler {
	t.Helper()
	reg := jobs.NewRegistry()
	if err := reg.RegisterSharded("morning_push", sh); err != nil {
		t.Fatal(err)
	}
	sc, err := jobs.NewScheduler(jobs.SchedulerOptions{
		Store: s, Registry: reg, Location: shanghai, Clock: s.Clock(), Replica: replica, Sleep: sleep,
		Jobs: config.JobsConfig{"morning_push": {Schedule: "25 7 * * *"}}, ShardPoll: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// Two replicas fire the same slot of a sharded job: every shard runs once,
// both replicas take part, and the run is recorded once with all shards.
func TestShardedRunIsSharedByTwoReplicas(t *testing.T) {
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			s1, s2 := replicaPair(t, driver, clock.System{})
			log := &shardLog{ran: map[int][]string{}}
			const n = 12
			finished := &shardLog{ran: map[int][]string{}} // by shard count: the replicas that finished the run
			sharded := func(replica string) jobs.Sharded {
				return jobs.Sharded{
					Count: func(context.Context, jobs.Run) (int, error) { return n, nil },
					Finish: func(_ context.Context, run jobs.Run, of int) error {
						log.mu.Lock()
						done := len(log.ran)
						log.mu.Unlock()
						if done != n {
							t.Errorf("finished after %d of %d shards", done, n)
						}
						finished.add(of, replica)
						return nil
					},
					Shard: func(ctx context.Context, run jobs.Run, k, of int) (string, error) {
						if of != n || run.Job != "morning_push" {
							t.Errorf("shard %d of %d of %+v", k, of, run)
						}
						time.Sleep(30 * time.Millisecond)
						log.add(k, replica)
						return "done", nil
					},
				}
			}
			var wg sync.WaitGroup
			results := make([]jobs.Result, 2)
			for i, s := range []*models.Store{s1, s2} {
				replica := []string{"a", "b"}[i]
				sc := shardedScheduler(t, s, replica, sharded(replica), nil)
				wg.Go(func() { results[i] = sc.Fire(context.Background(), "morning_push", slot0725) })
			}
			wg.Wait()
			by := map[string]int{}
			for k := range n {
				if len(log.ran[k]) != 1 {
					t.Errorf("shard %d ran on %v, want once", k, log.ran[k])
				}
				for _, r := range log.ran[k] {
					by[r]++
				}
			}
			if by["a"] == 0 || by["b"] == 0 {
				t.Errorf("shards per replica %v: both should take part", by)
			}
			won := 0
			for _, r := range results {
				switch {
				case r.Outcome == models.JobSucceeded:
					won++
					if !strings.HasPrefix(r.Detail, "12 shards") {
						t.Errorf("detail %q", r.Detail)
					}
				case !errors.Is(r.Err, models.ErrConflict):
					t.Errorf("helper result %+v", r)
				}
			}
			if won != 1 {
				t.Errorf("%d replicas recorded the run, want 1: %+v", won, results)
			}
			if len(finished.ran) != 1 || len(finished.ran[n]) != 1 {
				t.Errorf("the run was finished %v (by shard count), want once with %d shards", finished.ran, n)
			}
			main := runs(t, s1, "morning_push")
			if len(main) != 1 || main[0].Outcome != models.JobSucceeded {
				t.Errorf("run rows %+v", main)
			}
		})
	}
}

// The coordinator dies in the middle of a shard (its shard function never
// returns and nothing more is recorded for it): the other replica takes the
// shard over once its lease expires, finishes every shard and closes the
// run; the dead replica's late result does not overwrite the takeover.
func TestShardOfADeadReplicaIsTakenOver(t *testing.T) {
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			clk := clock.NewFake(slot0725)
			s1, s2 := replicaPair(t, driver, clk)
			log := &shardLog{ran: map[int][]string{}}
			const n = 4
			dead, died := make(chan struct{}), make(chan int, 1)
			count := func(context.Context, jobs.Run) (int, error) { return n, nil }
			a := shardedScheduler(t, s1, "a", jobs.Sharded{Count: count, Shard: func(ctx context.Context, run jobs.Run, k, of int) (string, error) {
				died <- k
				<-dead // killed mid-shard: never returns while the test runs
				return "late", nil
			}}, nil)
			advance := func(ctx context.Context, _ time.Duration) error {
				clk.Advance(10 * time.Second) // the waits of a few polls at once
				time.Sleep(time.Millisecond)
				return ctx.Err()
			}
			finished := 0
			b := shardedScheduler(t, s2, "b", jobs.Sharded{Count: count, Shard: func(ctx context.Context, run jobs.Run, k, of int) (string, error) {
				log.add(k, "b")
				return "done", nil
			}, Finish: func(_ context.Context, _ jobs.Run, of int) error {
				if of != n {
					t.Errorf("finished a run of %d shards, want %d", of, n)
				}
				finished++
				return nil
			}}, advance)
			ctx := context.Background()
			var wg sync.WaitGroup
			wg.Go(func() { a.Fire(ctx, "morning_push", slot0725) })
			stuck := <-died
			res := b.Fire(ctx, "morning_push", slot0725)
			if !errors.Is(res.Err, models.ErrConflict) {
				t.Fatalf("helper result %+v", res)
			}
			for k := range n {
				if got := log.ran[k]; len(got) != 1 {
					t.Errorf("shard %d ran on b %d times, want once (a died in shard %d)", k, len(got), stuck)
				}
			}
			main := runs(t, s1, "morning_push")
			if len(main) != 1 || main[0].Outcome != models.JobSucceeded {
				t.Fatalf("run not closed by the surviving replica: %+v", main)
			}
			if finished != 1 {
				t.Errorf("the surviving replica finished the run %d times, want once", finished)
			}
			close(dead) // the dead replica comes back: its result is refused
			wg.Wait()
			shards, err := s1.Jobs.Shards(ctx, "morning_push", main[0].Slot)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range shards {
				if r.Replica != "b" || r.Outcome != models.JobSucceeded || r.Detail != "done" {
					t.Errorf("shard row %s: replica %s outcome %s detail %q", r.Job, r.Replica, r.Outcome, r.Detail)
				}
			}
		})
	}
}

// The coordinator is stopped (SIGTERM: its context ends) in the middle of a
// shard: it hands the shard back and records the run failed; the other
// replica then runs every shard and the run ends succeeded.
func TestStoppedCoordinatorHandsItsShardBack(t *testing.T) {
	clk := clock.NewFake(slot0725)
	s1, s2 := replicaPair(t, "sqlite", clk)
	log := &shardLog{ran: map[int][]string{}}
	const n = 3
	count := func(context.Context, jobs.Run) (int, error) { return n, nil }
	started := make(chan struct{}, 1)
	a := shardedScheduler(t, s1, "a", jobs.Sharded{Count: count, Shard: func(ctx context.Context, run jobs.Run, k, of int) (string, error) {
		started <- struct{}{}
		<-ctx.Done()
		return "", ctx.Err()
	}}, nil)
	b := shardedScheduler(t, s2, "b", jobs.Sharded{Count: count, Shard: func(ctx context.Context, run jobs.Run, k, of int) (string, error) {
		log.add(k, "b")
		return "done", nil
	}}, nil)
	ctxA, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { a.Fire(ctxA, "morning_push", slot0725) })
	<-started
	stop()
	wg.Wait()
	if main := runs(t, s1, "morning_push"); len(main) != 1 || main[0].Outcome != models.JobFailed {
		t.Fatalf("stopped coordinator recorded %+v", main)
	}
	if res := b.Fire(context.Background(), "morning_push", slot0725); !errors.Is(res.Err, models.ErrConflict) {
		t.Fatalf("helper result %+v", res)
	}
	for k := range n {
		if len(log.ran[k]) != 1 {
			t.Errorf("shard %d ran %d times on b", k, len(log.ran[k]))
		}
	}
	if main := runs(t, s1, "morning_push"); main[0].Outcome != models.JobSucceeded || !strings.HasPrefix(main[0].Detail, "3 shards, 3 on this replica") {
		t.Fatalf("run after the helper: %+v", main[0])
	}
}

// A run whose Finish fails is recorded failed with Finish's error, after
// every shard ran: what the whole run had to say did not go out.
func TestShardedRunFailsWhenFinishFails(t *testing.T) {
	s1, _ := replicaPair(t, "sqlite", clock.System{})
	log := &shardLog{ran: map[int][]string{}}
	sc := shardedScheduler(t, s1, "a", jobs.Sharded{
		Count: func(context.Context, jobs.Run) (int, error) { return 3, nil },
		Shard: func(_ context.Context, _ jobs.Run, k, _ int) (string, error) {
			log.add(k, "a")
			return "done", nil
		},
		Finish: func(context.Context, jobs.Run, int) error { return errors.New("no admin reachable") },
	}, nil)
	res := sc.Fire(context.Background(), "morning_push", slot0725)
	if res.Outcome != models.JobFailed || res.Err == nil || !strings.Contains(res.Err.Error(), "finish the run: no admin reachable") {
		t.Fatalf("result %+v", res)
	}
	if len(log.ran) != 3 {
		t.Errorf("%d of 3 shards ran", len(log.ran))
	}
	if main := runs(t, s1, "morning_push"); len(main) != 1 || main[0].Outcome != models.JobFailed || !strings.Contains(main[0].Error, "no admin reachable") {
		t.Errorf("run rows %+v", main)
	}
}
