// Package jobs schedules visitbot's background work: named cron jobs that run
// exactly once per schedule slot across replicas (Scheduler). It sends
// nothing itself: jobs that message people queue outbox rows (package outbox).
package jobs

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"time"
)

// Run describes one execution of a job.
type Run struct {
	// Job is the registered name.
	Job string
	// Slot is the claimed run key: the scheduled minute in the business zone
	// ("2026-12-01T07:25") or "manual:<day>:<unix ms>" for `visitbot job run`.
	Slot string
	// Time is the scheduled time (manual runs: when the run was started).
	Time time.Time
	// Day is the business day the run is for ("2006-01-02"): the slot's
	// calendar day, or the -date of a manual run.
	Day string
	// Manual is true for runs started from the CLI or requested by an admin.
	Manual bool
	// Args are a requested run's arguments (e.g. "reps" for a push to some reps).
	Args map[string]string
}

// Func is a job body. detail is a one-line summary kept in the run history
// ("600 cards queued"); a non-nil error marks the run failed.
type Func func(ctx context.Context, run Run) (detail string, err error)

// jobName is the shape of a job name: it is a config key (jobs.<name>) and
// part of the job_runs unique key (size 64).
var jobName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Registry maps job names to their functions. main registers every job
// before the Scheduler is built; a name registered twice is an error, like a
// duplicate route, so a wiring mistake stops startup.
type Registry struct {
	funcs   map[string]Func
	sharded map[string]Sharded
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{funcs: map[string]Func{}, sharded: map[string]Sharded{}}
}

// Register adds a job. It fails for an invalid or already registered name
// and for a nil function.
func (r *Registry) Register(name string, fn Func) error {
	if !jobName.MatchString(name) {
		return fmt.Errorf("register job %q: name must match %s", name, jobName)
	}
	if fn == nil {
		return fmt.Errorf("register job %q: nil function", name)
	}
	if _, dup := r.funcs[name]; dup {
		return fmt.Errorf("register job %q: already registered", name)
	}
	r.funcs[name] = fn
	return nil
}

// Lookup returns the function of name.
func (r *Registry) Lookup(name string) (Func, bool) {
	fn, ok := r.funcs[name]
	return fn, ok
}

// Names lists the registered jobs, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.funcs))
	for n := range r.funcs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
