package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
)

// SlotLayout is how a scheduled slot is written in job_runs.slot: the
// scheduled minute in the business time zone. Every replica derives the same
// key for the same firing, which is what makes the claim exactly-once.
const SlotLayout = "2006-01-02T15:04"

// SlotKey is the slot of a firing scheduled at t: t's minute in loc.
// Schedules finer than a minute (@every 10s) therefore run at most once per
// minute.
func SlotKey(t time.Time, loc *time.Location) string {
	return t.In(loc).Truncate(time.Minute).Format(SlotLayout)
}

// DefaultRequestPoll is how often a running scheduler looks for run
// requests written by other processes (its own are taken at once).
const DefaultRequestPoll = 2 * time.Second

// SchedulerOptions configure NewScheduler.
type SchedulerOptions struct {
	Store    *models.Store
	Registry *Registry
	// Jobs is config jobs.*: which registered jobs run on which schedule.
	Jobs     config.JobsConfig
	Location *time.Location
	Clock    clock.Clock
	Log      *slog.Logger
	// Replica names this process in job_runs (default host-pid).
	Replica string
	// Sleep waits d or until ctx ends: the wait until the next scheduled
	// time (default clock.Sleep on the wall clock). Tests inject one that
	// moves a fake clock, late if they like.
	Sleep func(ctx context.Context, d time.Duration) error
	// RequestPoll is how often Run looks for run requests (default DefaultRequestPoll).
	RequestPoll time.Duration
	// ShardLease and ShardPoll drive sharded jobs (defaults DefaultShardLease, DefaultShardPoll).
	ShardLease, ShardPoll time.Duration
}

// Entry is one configured job as the scheduler sees it.
type Entry struct {
	Name     string
	Spec     string
	Enabled  bool
	schedule cron.Schedule
	loc      *time.Location
}

// Next is the entry's next firing after t, in the business time zone (zero
// when disabled). The spec's hours are business-zone hours, as in Run.
func (e Entry) Next(t time.Time) time.Time {
	if !e.Enabled {
		return time.Time{}
	}
	return e.schedule.Next(t.In(e.loc))
}

// Result is what happened to one firing.
type Result struct {
	Run Run
	// Outcome is a models.Job* value; "" when the slot was claimed by another replica.
	Outcome string
	Detail  string
	Err     error
}

// Scheduler runs registered jobs on their configured schedules and the runs
// requested by admins. Across replicas a slot runs once (the unique (job,
// slot) insert in job_runs) and the slot is the scheduled minute, so a
// replica that wakes up late claims the same slot as the others; a request is
// taken by exactly one replica; in one process a job never overlaps itself (a
// firing while the previous run is still going is skipped and recorded); a
// panic is recovered and recorded.
type Scheduler struct {
	store   *models.Store
	reg     *Registry
	loc     *time.Location
	clock   clock.Clock
	log     *slog.Logger
	replica string
	sleep   func(context.Context, time.Duration) error
	poll    time.Duration
	// shardLease and shardPoll: see SchedulerOptions.
	shardLease, shardPoll time.Duration
	entries               []Entry

	mu      sync.Mutex
	running map[string]bool
	// wake is signalled after a request of this process commits.
	wake chan struct{}
}

// NewScheduler checks the configuration against the registry: a configured
// name that is not registered, or an invalid cron spec, is a startup error.
func NewScheduler(o SchedulerOptions) (*Scheduler, error) {
	if o.Store == nil || o.Registry == nil {
		return nil, errors.New("jobs: scheduler needs a store and a registry")
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Replica == "" {
		o.Replica = config.DefaultReplica()
	}
	if o.Sleep == nil {
		o.Sleep = clock.Sleep
	}
	if o.RequestPoll <= 0 {
		o.RequestPoll = DefaultRequestPoll
	}
	if o.ShardLease <= 0 {
		o.ShardLease = DefaultShardLease
	}
	if o.ShardPoll <= 0 {
		o.ShardPoll = DefaultShardPoll
	}
	s := &Scheduler{store: o.Store, reg: o.Registry, loc: o.Location, clock: o.Clock, log: o.Log, replica: o.Replica,
		sleep: o.Sleep, poll: o.RequestPoll, shardLease: o.ShardLease, shardPoll: o.ShardPoll, running: map[string]bool{}, wake: make(chan struct{}, 1)}
	names := make([]string, 0, len(o.Jobs))
	for n := range o.Jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		jc := o.Jobs[name]
		if _, ok := o.Registry.Lookup(name); !ok {
			return nil, fmt.Errorf("config jobs.%s: no job named %q is registered (registered: %s)", name, name, strings.Join(o.Registry.Names(), ", "))
		}
		sched, err := clock.ParseSchedule(jc.Schedule)
		if err != nil {
			return nil, fmt.Errorf("config jobs.%s.schedule: %w", name, err)
		}
		s.entries = append(s.entries, Entry{Name: name, Spec: jc.Schedule, Enabled: jc.IsEnabled(), schedule: sched, loc: o.Location})
	}
	return s, nil
}

// Entries lists the configured jobs, by name.
func (s *Scheduler) Entries() []Entry { return append([]Entry(nil), s.entries...) }

// Run fires the enabled jobs at their scheduled times in the business time
// zone and takes run requests, until ctx ends; then it stops firing, cancels
// the running jobs' context and returns once they have recorded their
// outcome.
func (s *Scheduler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, e := range s.entries {
		if !e.Enabled {
			s.log.Info("job disabled", "job", e.Name)
			continue
		}
		s.log.Info("job scheduled", "job", e.Name, "schedule", e.Spec, "next", e.Next(s.clock.Now()).In(s.loc).Format(time.RFC3339))
		wg.Go(func() { s.loop(ctx, e) })
	}
	wg.Go(func() { s.serveRequests(ctx) })
	wg.Wait()
	return nil
}

// loop fires one entry at each scheduled time. The firing's slot is the
// scheduled time, not the time this process woke up: a replica delayed past
// the minute still claims the slot every replica claims.
func (s *Scheduler) loop(ctx context.Context, e Entry) {
	next := e.Next(s.clock.Now())
	for !next.IsZero() {
		if wait := next.Sub(s.clock.Now()); wait > 0 {
			if s.sleep(ctx, wait) != nil {
				return
			}
			if now := s.clock.Now(); now.Before(next) {
				continue // woke early (a clock step back): wait again
			}
		}
		if ctx.Err() != nil {
			return
		}
		s.Fire(ctx, e.Name, next)
		// After a run longer than the interval the slots it covered are not
		// run late: the overlap guard would have skipped them anyway.
		after := s.clock.Now()
		if after.Before(next) {
			after = next
		}
		next = e.Next(after)
	}
}

// Fire runs the slot of job name scheduled at t, unless another replica
// claimed it first or this process is still running the job. The result is
// in job_runs either way (a lost claim leaves the winner's row).
func (s *Scheduler) Fire(ctx context.Context, name string, t time.Time) Result {
	slot := SlotKey(t, s.loc)
	at, _ := time.ParseInLocation(SlotLayout, slot, s.loc)
	run := Run{Job: name, Slot: slot, Time: at, Day: clock.Day(at, s.loc)}
	return s.start(ctx, run, nil)
}

// RunNow runs job name immediately for business day day ("" = today), with
// a manual slot so it is always allowed and still recorded in the history
// (`visitbot job run`).
func (s *Scheduler) RunNow(ctx context.Context, name, day string) (Result, error) {
	now := s.clock.Now()
	day, err := s.checkRun(name, day)
	if err != nil {
		return Result{}, err
	}
	var res Result
	// Two manual runs in the same millisecond would share a slot: take the next one.
	for i := int64(0); i < 5; i++ {
		run := Run{Job: name, Slot: fmt.Sprintf("manual:%s:%d", day, now.UnixMilli()+i), Time: now, Day: day, Manual: true}
		if res = s.start(ctx, run, nil); res.Outcome != "" {
			break
		}
	}
	if res.Outcome == "" {
		return res, fmt.Errorf("run job %s: %w", name, res.Err)
	}
	return res, nil
}

// checkRun validates a job name and a day ("" = today) for a manual run.
func (s *Scheduler) checkRun(name, day string) (string, error) {
	if _, ok := s.reg.Lookup(name); !ok {
		return "", fmt.Errorf("run job %s: no such job (registered: %s)", name, strings.Join(s.reg.Names(), ", "))
	}
	if day == "" {
		day = clock.Day(s.clock.Now(), s.loc)
	}
	if _, err := clock.ParseDay(day, s.loc); err != nil {
		return "", fmt.Errorf("run job %s: date %q must be YYYY-MM-DD", name, day)
	}
	return day, nil
}

// start applies the overlap guard and the slot claim (claimed: a request
// this replica already took), then executes.
func (s *Scheduler) start(ctx context.Context, run Run, claimed *models.JobRun) Result {
	res := Result{Run: run}
	fn, ok := s.reg.Lookup(run.Job)
	if !ok {
		res.Outcome, res.Err = models.JobFailed, fmt.Errorf("job %q is not registered", run.Job)
		return res
	}
	log := s.log.With("job", run.Job, "slot", run.Slot)
	s.mu.Lock()
	busy := s.running[run.Job]
	if !busy {
		s.running[run.Job] = true
	}
	s.mu.Unlock()
	if busy {
		reason := "skipped: the previous run of this job is still in progress on replica " + s.replica
		var err error
		if claimed != nil {
			err = s.store.Jobs.FinishJobRun(context.WithoutCancel(ctx), claimed.ID, models.JobSkipped, reason, "")
		} else {
			err = s.store.Jobs.RecordJobSkip(context.WithoutCancel(ctx), run.Job, run.Slot, s.replica, reason)
		}
		switch {
		case errors.Is(err, models.ErrConflict):
			log.Info("job slot claimed by another replica while this one is busy")
		case err != nil:
			log.Error("record job skip", "err", err)
		default:
			log.Warn("job run skipped: previous run still in progress")
		}
		res.Outcome, res.Err = models.JobSkipped, errors.New(reason)
		return res
	}
	defer func() {
		s.mu.Lock()
		delete(s.running, run.Job)
		s.mu.Unlock()
	}()
	claim := claimed
	if claim == nil {
		var err error
		claim, err = s.store.Jobs.ClaimJobRun(ctx, run.Job, run.Slot, s.replica)
		if errors.Is(err, models.ErrConflict) {
			if sh, ok := s.reg.sharded[run.Job]; ok {
				log.Info("job slot claimed by another replica; helping with its shards")
				detail, herr := s.help(ctx, run, sh)
				if herr != nil {
					log.Error("sharded job: helping failed", "err", herr)
				}
				res.Detail, res.Err = detail, err
				return res
			}
			log.Info("job slot already claimed by another replica; skipping")
			res.Err = err
			return res
		}
		if err != nil {
			log.Error("claim job slot", "err", err)
			res.Outcome, res.Err = models.JobFailed, err
			return res
		}
	}
	log.Info("job started", "day", run.Day)
	started := s.clock.Now()
	if sh, ok := s.reg.sharded[run.Job]; ok {
		fn = func(ctx context.Context, run Run) (string, error) { return s.coordinate(ctx, run, sh) }
	}
	res.Outcome, res.Detail, res.Err = execute(ctx, fn, run)
	errText := ""
	if res.Err != nil {
		errText = res.Err.Error()
	}
	if err := s.store.Jobs.FinishJobRun(context.WithoutCancel(ctx), claim.ID, res.Outcome, errText, res.Detail); err != nil {
		log.Error("record job outcome", "err", err, "outcome", res.Outcome)
	}
	attrs := []any{"outcome", res.Outcome, "detail", res.Detail, "took", s.clock.Now().Sub(started).String()}
	if res.Err != nil {
		log.Error("job finished", append(attrs, "err", res.Err)...)
	} else {
		log.Info("job finished", attrs...)
	}
	return res
}

// execute calls fn, turning a panic into outcome panicked with the stack in detail.
func execute(ctx context.Context, fn Func, run Run) (outcome, detail string, err error) {
	defer func() {
		if p := recover(); p != nil {
			outcome, err = models.JobPanicked, fmt.Errorf("panic: %v", p)
			detail = string(debug.Stack())
		}
	}()
	detail, err = fn(ctx, run)
	if err != nil {
		return models.JobFailed, detail, err
	}
	return models.JobSucceeded, detail, nil
}
