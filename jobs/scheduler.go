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

// cronParser accepts the same specs as config validation: five fields
// (minute hour day-of-month month day-of-week) or a descriptor (@daily).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// SlotKey is the slot of a firing at t: t's minute in loc. Schedules finer
// than a minute (@every 10s) therefore run at most once per minute.
func SlotKey(t time.Time, loc *time.Location) string {
	return t.In(loc).Truncate(time.Minute).Format(SlotLayout)
}

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

// Scheduler runs registered jobs on their configured schedules. Across
// replicas a slot runs once (the unique (job, slot) insert in job_runs); in
// one process a job never overlaps itself (a firing while the previous run is
// still going is skipped and recorded); a panic is recovered and recorded.
type Scheduler struct {
	store   *models.Store
	reg     *Registry
	loc     *time.Location
	clock   clock.Clock
	log     *slog.Logger
	replica string
	entries []Entry

	mu      sync.Mutex
	running map[string]bool
	// base is Run's context: background runs started by RunJob end with it.
	base     context.Context
	detached sync.WaitGroup
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
	s := &Scheduler{store: o.Store, reg: o.Registry, loc: o.Location, clock: o.Clock, log: o.Log, replica: o.Replica,
		running: map[string]bool{}, base: context.Background()}
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
		sched, err := cronParser.Parse(jc.Schedule)
		if err != nil {
			return nil, fmt.Errorf("config jobs.%s.schedule: invalid cron spec %q: %w", name, jc.Schedule, err)
		}
		s.entries = append(s.entries, Entry{Name: name, Spec: jc.Schedule, Enabled: jc.IsEnabled(), schedule: sched, loc: o.Location})
	}
	return s, nil
}

// Entries lists the configured jobs, by name.
func (s *Scheduler) Entries() []Entry { return append([]Entry(nil), s.entries...) }

// Run schedules the enabled jobs with robfig/cron in the business time zone
// and blocks until ctx ends; then it stops firing, cancels the running jobs'
// context and returns once they have recorded their outcome.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	s.base = ctx
	s.mu.Unlock()
	c := cron.New(cron.WithLocation(s.loc), cron.WithParser(cronParser))
	for _, e := range s.entries {
		if !e.Enabled {
			s.log.Info("job disabled", "job", e.Name)
			continue
		}
		name := e.Name
		c.Schedule(e.schedule, cron.FuncJob(func() { s.Fire(ctx, name, s.clock.Now()) }))
		s.log.Info("job scheduled", "job", name, "schedule", e.Spec, "next", e.Next(s.clock.Now()).In(s.loc).Format(time.RFC3339))
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	s.detached.Wait()
	return nil
}

// RunJob starts job name for day in the background and answers at once, in
// Chinese, for the admin chat command (it satisfies flows.JobRunner, which
// is called inside the command's transaction and so must not wait for the
// job: SQLite has one writer). The run is a manual run, recorded in the
// history; it ends with Run's context.
func (s *Scheduler) RunJob(ctx context.Context, name, day string) (string, error) {
	if _, ok := s.reg.Lookup(name); !ok {
		return "", fmt.Errorf("run job %s: no such job (registered: %s)", name, strings.Join(s.reg.Names(), ", "))
	}
	if day == "" {
		day = clock.Day(s.clock.Now(), s.loc)
	}
	if _, err := clock.ParseDay(day, s.loc); err != nil {
		return "", fmt.Errorf("run job %s: date %q must be YYYY-MM-DD", name, day)
	}
	s.mu.Lock()
	base := s.base
	s.mu.Unlock()
	s.detached.Add(1)
	go func() {
		defer s.detached.Done()
		_, _ = s.RunNow(base, name, day) // outcome logged and recorded by start
	}()
	return fmt.Sprintf("已开始执行任务「%s」（%s），结果可用 visitbot job list 查看。", name, day), nil
}

// Fire runs the slot of job name that fired at t, unless another replica
// claimed it first or this process is still running the job. The result is
// in job_runs either way (a lost claim leaves the winner's row).
func (s *Scheduler) Fire(ctx context.Context, name string, t time.Time) Result {
	slot := SlotKey(t, s.loc)
	at, _ := time.ParseInLocation(SlotLayout, slot, s.loc)
	run := Run{Job: name, Slot: slot, Time: at, Day: clock.Day(at, s.loc)}
	return s.start(ctx, run)
}

// RunNow runs job name immediately for business day day ("" = today), with
// a manual slot so it is always allowed and still recorded in the history.
func (s *Scheduler) RunNow(ctx context.Context, name, day string) (Result, error) {
	now := s.clock.Now()
	if day == "" {
		day = clock.Day(now, s.loc)
	}
	if _, err := clock.ParseDay(day, s.loc); err != nil {
		return Result{}, fmt.Errorf("run job %s: date %q must be YYYY-MM-DD", name, day)
	}
	if _, ok := s.reg.Lookup(name); !ok {
		return Result{}, fmt.Errorf("run job %s: no such job (registered: %s)", name, strings.Join(s.reg.Names(), ", "))
	}
	var res Result
	// Two manual runs in the same millisecond would share a slot: take the next one.
	for i := int64(0); i < 5; i++ {
		run := Run{Job: name, Slot: fmt.Sprintf("manual:%s:%d", day, now.UnixMilli()+i), Time: now, Day: day, Manual: true}
		if res = s.start(ctx, run); res.Outcome != "" {
			break
		}
	}
	if res.Outcome == "" {
		return res, fmt.Errorf("run job %s: %w", name, res.Err)
	}
	return res, nil
}

// start applies the overlap guard and the slot claim, then executes.
func (s *Scheduler) start(ctx context.Context, run Run) Result {
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
		err := s.store.Jobs.RecordJobSkip(context.WithoutCancel(ctx), run.Job, run.Slot, s.replica, reason)
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
	claim, err := s.store.Jobs.ClaimJobRun(ctx, run.Job, run.Slot, s.replica)
	if errors.Is(err, models.ErrConflict) {
		log.Info("job slot already claimed by another replica; skipping")
		res.Err = err
		return res
	}
	if err != nil {
		log.Error("claim job slot", "err", err)
		res.Outcome, res.Err = models.JobFailed, err
		return res
	}
	log.Info("job started", "day", run.Day)
	started := s.clock.Now()
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
