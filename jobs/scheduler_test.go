package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/jobs"
	"visitbot/models"
	"visitbot/models/modelstest"
)

var shanghai = modelstest.Shanghai

// slot0725 is 2026-12-01 07:25 Asia/Shanghai, a morning_push firing.
var slot0725 = time.Date(2026, 12, 1, 7, 25, 0, 0, shanghai)

func newScheduler(t *testing.T, s *models.Store, reg *jobs.Registry, replica string) *jobs.Scheduler {
	t.Helper()
	sc, err := jobs.NewScheduler(jobs.SchedulerOptions{
		Store: s, Registry: reg, Location: shanghai, Clock: s.Clock(), Replica: replica,
		Jobs: config.JobsConfig{"morning_push": {Schedule: "25 7 * * *"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func mustRegister(t *testing.T, reg *jobs.Registry, name string, fn jobs.Func) {
	t.Helper()
	if err := reg.Register(name, fn); err != nil {
		t.Fatal(err)
	}
}

func runs(t *testing.T, s *models.Store, job string) []models.JobRun {
	t.Helper()
	out, err := s.Jobs.JobRuns(context.Background(), job, 100)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSlotKeyIsTheScheduledMinuteInTheBusinessZone(t *testing.T) {
	at := time.Date(2026, 11, 30, 23, 25, 0, 300e6, time.UTC) // 07:25:00.3 in Shanghai
	if got := jobs.SlotKey(at, shanghai); got != "2026-12-01T07:25" {
		t.Fatalf("SlotKey = %q", got)
	}
}

// Two replicas (two Stores on one database) fire the same slot at the same
// moment: exactly one runs the job, the other records nothing and skips.
func TestTwoSchedulersOnOneDatabaseRunASlotOnce(t *testing.T) {
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		clk := clock.NewFake(slot0725)
		s1, dsn := modelstest.Open(t, driver, clk)
		s2, err := models.Open(models.Options{Driver: driver, DSN: dsn, MaxOpenConns: 4, Clock: clk, Location: shanghai})
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		var calls atomic.Int32
		job := func(ctx context.Context, run jobs.Run) (string, error) {
			calls.Add(1)
			if run.Day != run.Slot[:10] || !strings.HasSuffix(run.Slot, "T07:25") || run.Manual {
				t.Errorf("run = %+v", run)
			}
			return "ok", nil
		}
		var scheds []*jobs.Scheduler
		for i, s := range []*models.Store{s1, s2} {
			reg := jobs.NewRegistry()
			mustRegister(t, reg, "morning_push", job)
			scheds = append(scheds, newScheduler(t, s, reg, []string{"replica-a", "replica-b"}[i]))
		}
		for round := 0; round < 5; round++ { // several rounds to give the race a chance
			slot := slot0725.AddDate(0, 0, round)
			var wg sync.WaitGroup
			results := make([]jobs.Result, 2)
			start := make(chan struct{})
			for i, sc := range scheds {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results[i] = sc.Fire(context.Background(), "morning_push", slot.Add(time.Duration(i)*time.Second))
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for _, r := range results {
				switch {
				case r.Outcome == models.JobSucceeded:
					won++
				case r.Outcome == "" && errors.Is(r.Err, models.ErrConflict):
				default:
					t.Fatalf("round %d: unexpected result %+v", round, r)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d replicas ran the slot, want 1", round, won)
			}
		}
		if got := calls.Load(); got != 5 {
			t.Fatalf("job ran %d times for 5 slots", got)
		}
		rs := runs(t, s1, "morning_push")
		if len(rs) != 5 {
			t.Fatalf("%d job_runs rows, want 5", len(rs))
		}
		for _, r := range rs {
			if r.Outcome != models.JobSucceeded || r.Detail != "ok" || r.FinishedAt == nil {
				t.Fatalf("run row %+v", r)
			}
		}
	})
}

func TestOverlappingFiringIsSkippedAndRecorded(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		reg := jobs.NewRegistry()
		started, release := make(chan struct{}), make(chan struct{})
		var once sync.Once
		mustRegister(t, reg, "morning_push", func(ctx context.Context, run jobs.Run) (string, error) {
			once.Do(func() { close(started) })
			<-release
			return "done", nil
		})
		sc := newScheduler(t, s, reg, "replica-a")
		first := make(chan jobs.Result)
		go func() { first <- sc.Fire(context.Background(), "morning_push", slot0725) }()
		<-started
		second := sc.Fire(context.Background(), "morning_push", slot0725.Add(time.Minute))
		if second.Outcome != models.JobSkipped {
			t.Fatalf("overlapping firing: %+v", second)
		}
		close(release)
		if r := <-first; r.Outcome != models.JobSucceeded {
			t.Fatalf("first run: %+v", r)
		}
		got := map[string]string{}
		for _, r := range runs(t, s, "morning_push") {
			got[r.Slot] = r.Outcome
		}
		want := map[string]string{"2026-12-01T07:25": models.JobSucceeded, "2026-12-01T07:26": models.JobSkipped}
		if len(got) != 2 || got["2026-12-01T07:25"] != want["2026-12-01T07:25"] || got["2026-12-01T07:26"] != want["2026-12-01T07:26"] {
			t.Fatalf("history = %v, want %v", got, want)
		}
		// Once the run is over the job fires normally again.
		if r := sc.Fire(context.Background(), "morning_push", slot0725.Add(2*time.Minute)); r.Outcome != models.JobSucceeded {
			t.Fatalf("after overlap: %+v", r)
		}
	})
}

func TestPanicAndErrorAreRecorded(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		reg := jobs.NewRegistry()
		mode := "panic"
		mustRegister(t, reg, "morning_push", func(ctx context.Context, run jobs.Run) (string, error) {
			if mode == "panic" {
				panic("boom")
			}
			return "3 of 5 done", errors.New("ranking failed")
		})
		sc := newScheduler(t, s, reg, "replica-a")
		r := sc.Fire(context.Background(), "morning_push", slot0725)
		if r.Outcome != models.JobPanicked || r.Err == nil || !strings.Contains(r.Err.Error(), "boom") {
			t.Fatalf("panic result %+v", r)
		}
		mode = "error"
		r = sc.Fire(context.Background(), "morning_push", slot0725.AddDate(0, 0, 1))
		if r.Outcome != models.JobFailed || r.Detail != "3 of 5 done" {
			t.Fatalf("error result %+v", r)
		}
		rs := runs(t, s, "morning_push") // newest first
		if len(rs) != 2 {
			t.Fatalf("%d rows", len(rs))
		}
		if rs[0].Outcome != models.JobFailed || rs[0].Error != "ranking failed" || rs[0].Detail != "3 of 5 done" {
			t.Fatalf("failed row %+v", rs[0])
		}
		if rs[1].Outcome != models.JobPanicked || rs[1].Error != "panic: boom" || !strings.Contains(rs[1].Detail, "goroutine") || rs[1].FinishedAt == nil {
			t.Fatalf("panicked row %+v", rs[1])
		}
	})
}

func TestManualRunsAreAlwaysAllowedAndRecorded(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		reg := jobs.NewRegistry()
		var days []string
		mustRegister(t, reg, "morning_push", func(ctx context.Context, run jobs.Run) (string, error) {
			if !run.Manual {
				t.Errorf("not manual: %+v", run)
			}
			days = append(days, run.Day)
			return "", nil
		})
		sc := newScheduler(t, s, reg, "cli")
		ctx := context.Background()
		// Same fake instant twice: both run (the slot moves on by a millisecond).
		for _, day := range []string{"2026-11-30", "2026-11-30", ""} {
			if r, err := sc.RunNow(ctx, "morning_push", day); err != nil || r.Outcome != models.JobSucceeded {
				t.Fatalf("RunNow(%q) = %+v, %v", day, r, err)
			}
		}
		if strings.Join(days, ",") != "2026-11-30,2026-11-30,2026-12-01" {
			t.Fatalf("days = %v", days)
		}
		rs := runs(t, s, "morning_push")
		if len(rs) != 3 || !strings.HasPrefix(rs[0].Slot, "manual:") {
			t.Fatalf("history = %+v", rs)
		}
		if _, err := sc.RunNow(ctx, "morning_push", "2026-13-01"); err == nil {
			t.Fatal("bad date accepted")
		}
		if _, err := sc.RunNow(ctx, "nightly_scores", ""); err == nil || !strings.Contains(err.Error(), "no such job") {
			t.Fatalf("unregistered job: %v", err)
		}
	})
}

func TestStartupErrors(t *testing.T) {
	s, _ := modelstest.Open(t, "sqlite", clock.NewFake(slot0725))
	noop := func(ctx context.Context, run jobs.Run) (string, error) { return "", nil }
	reg := jobs.NewRegistry()
	mustRegister(t, reg, "morning_push", noop)
	if err := reg.Register("morning_push", noop); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Fatalf("duplicate registration: %v", err)
	}
	for _, bad := range []string{"", "Morning", "morning-push", strings.Repeat("a", 65)} {
		if err := reg.Register(bad, noop); err == nil {
			t.Fatalf("name %q accepted", bad)
		}
	}
	if err := reg.Register("nil_job", nil); err == nil {
		t.Fatal("nil function accepted")
	}
	cases := []struct {
		name string
		jobs config.JobsConfig
		want string
	}{
		{"unregistered job", config.JobsConfig{"nightly_scores": {Schedule: "10 2 * * *"}}, `config jobs.nightly_scores: no job named "nightly_scores" is registered`},
		{"invalid spec", config.JobsConfig{"morning_push": {Schedule: "61 7 * * *"}}, `config jobs.morning_push.schedule: invalid cron spec "61 7 * * *"`},
		{"seconds field", config.JobsConfig{"morning_push": {Schedule: "0 25 7 * * *"}}, "invalid cron spec"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := jobs.NewScheduler(jobs.SchedulerOptions{Store: s, Registry: reg, Jobs: c.jobs, Location: shanghai})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	off := false
	sc, err := jobs.NewScheduler(jobs.SchedulerOptions{Store: s, Registry: reg, Location: shanghai,
		Jobs: config.JobsConfig{"morning_push": {Schedule: "25 7 * * *", Enabled: &off}}})
	if err != nil {
		t.Fatal(err)
	}
	if e := sc.Entries(); len(e) != 1 || e[0].Enabled || !e[0].Next(slot0725).IsZero() {
		t.Fatalf("disabled entry = %+v", e)
	}
}

func TestEntryNextFollowsTheBusinessZone(t *testing.T) {
	s, _ := modelstest.Open(t, "sqlite", clock.NewFake(slot0725))
	reg := jobs.NewRegistry()
	mustRegister(t, reg, "morning_push", func(ctx context.Context, run jobs.Run) (string, error) { return "", nil })
	sc := newScheduler(t, s, reg, "a")
	next := sc.Entries()[0].Next(slot0725.UTC()) // whatever zone the caller's time is in
	if want := slot0725.AddDate(0, 0, 1); !next.Equal(want) || next.Location() != shanghai {
		t.Fatalf("next = %s, want %s", next, want)
	}
}

// Run stops firing and returns when its context ends.
func TestRunReturnsOnCancel(t *testing.T) {
	s, _ := modelstest.Open(t, "sqlite", clock.NewFake(slot0725))
	reg := jobs.NewRegistry()
	mustRegister(t, reg, "morning_push", func(ctx context.Context, run jobs.Run) (string, error) { return "", nil })
	sc := newScheduler(t, s, reg, "a")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sc.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Request (the admin chat commands 任务 and 推送) writes a run request; a
// running scheduler takes it after commit and Run waits for it before
// returning.
func TestRequestRunsInTheBackground(t *testing.T) {
	s, _ := modelstest.Open(t, "sqlite", clock.NewFake(slot0725))
	reg := jobs.NewRegistry()
	started, release := make(chan struct{}), make(chan struct{})
	mustRegister(t, reg, "morning_push", func(ctx context.Context, run jobs.Run) (string, error) {
		close(started)
		<-release
		return "queued " + run.Day + " for " + run.Args["reps"], nil
	})
	sc := newScheduler(t, s, reg, "a")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sc.Run(ctx) }()
	day, err := sc.Request(context.Background(), "morning_push", "2026-11-30", map[string]string{"reps": "rep01"})
	if err != nil || day != "2026-11-30" {
		t.Fatalf("Request = %q, %v", day, err)
	}
	if _, err := sc.Request(context.Background(), "nope", "", nil); err == nil {
		t.Fatal("unknown job accepted")
	}
	if _, err := sc.Request(context.Background(), "morning_push", "30/11/2026", nil); err == nil {
		t.Fatal("bad date accepted")
	}
	<-started // claimed and running: Run must now wait for it to be recorded
	cancel()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	rs := runs(t, s, "morning_push")
	if len(rs) != 1 || rs[0].Outcome != models.JobSucceeded || rs[0].Detail != "queued 2026-11-30 for rep01" {
		t.Fatalf("history = %+v", rs)
	}
}

// A request written in a transaction that rolls back starts nothing; one
// that commits runs once, on one of two replicas.
func TestRequestRunsAfterCommitOnOneReplica(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		var ran atomic.Int32
		reg := jobs.NewRegistry()
		mustRegister(t, reg, "morning_push", func(ctx context.Context, run jobs.Run) (string, error) {
			ran.Add(1)
			return "", nil
		})
		a, b := newScheduler(t, s, reg, "a"), newScheduler(t, s, reg, "b")
		bg := context.Background()
		boom := errors.New("command failed after the request")
		err := s.Tx(bg, func(ctx context.Context) error {
			if _, err := a.Request(ctx, "morning_push", "", nil); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if err := s.Tx(bg, func(ctx context.Context) error {
			_, err := a.Request(ctx, "morning_push", "", nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(bg)
		var wg sync.WaitGroup
		for _, sc := range []*jobs.Scheduler{a, b} {
			wg.Go(func() { _ = sc.Run(ctx) })
		}
		deadline := time.Now().Add(10 * time.Second)
		for ran.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond) // time for a second (wrong) run
		cancel()
		wg.Wait()
		rs := runs(t, s, "morning_push")
		if ran.Load() != 1 || len(rs) != 1 || rs[0].Outcome != models.JobSucceeded {
			t.Fatalf("ran %d times, history %+v", ran.Load(), rs)
		}
	})
}

// The slot is the scheduled minute, not the time a replica woke up: a
// replica whose timer fires 61 s late (past the minute boundary) claims the
// same slot as the punctual one, so the job runs once.
func TestALateReplicaClaimsTheScheduledSlot(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		start := slot0725.Add(-30 * time.Second)
		var ran atomic.Int32
		reg := jobs.NewRegistry()
		mustRegister(t, reg, "morning_push", func(ctx context.Context, run jobs.Run) (string, error) {
			ran.Add(1)
			return run.Slot, nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var wg sync.WaitGroup
		fired := make(chan string, 2)
		for _, late := range []time.Duration{0, 61 * time.Second} {
			clk := clock.NewFake(start)
			slept := false
			sc, err := jobs.NewScheduler(jobs.SchedulerOptions{
				Store: s, Registry: reg, Location: shanghai, Clock: clk, Replica: fmt.Sprintf("late-%s", late),
				Jobs: config.JobsConfig{"morning_push": {Schedule: "25 7 * * *"}},
				Sleep: func(ctx context.Context, d time.Duration) error {
					if slept { // after the one firing under test: stop
						fired <- clock.Day(clk.Now(), shanghai)
						<-ctx.Done()
						return ctx.Err()
					}
					slept = true
					clk.Advance(d + late)
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() { _ = sc.Run(ctx) })
		}
		<-fired
		<-fired
		cancel()
		wg.Wait()
		rs := runs(t, s, "morning_push")
		if ran.Load() != 1 || len(rs) != 1 || rs[0].Slot != "2026-12-01T07:25" {
			t.Fatalf("ran %d times, history %+v", ran.Load(), rs)
		}
	})
}
