package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"visitbot/clock"
	"visitbot/models"
)

// requestBatch bounds the requests one poll takes.
const requestBatch = 20

// Request asks for a run of job name for business day day ("" = today) with
// args, as a job_runs row written in the transaction ctx carries — the admin
// command's, beside its audit row. Nothing runs before that transaction
// commits: a running scheduler takes the request afterwards (this process's
// at once, another replica's within its RequestPoll), exactly one replica
// runs it, and a rolled-back or retried transaction starts nothing. It
// returns the day the run is for.
func (s *Scheduler) Request(ctx context.Context, name, day string, args map[string]string) (string, error) {
	day, err := s.checkRun(name, day)
	if err != nil {
		return "", err
	}
	var raw []byte
	if len(args) > 0 {
		if raw, err = json.Marshal(args); err != nil {
			return "", fmt.Errorf("request job %s: %w", name, err)
		}
	}
	// A random slot: requests in the same millisecond (a fake clock, two
	// admins) must not collide on (job, slot).
	var id [4]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", fmt.Errorf("request job %s: %w", name, err)
	}
	slot := fmt.Sprintf("req:%s:%s", day, hex.EncodeToString(id[:]))
	if err := s.store.Jobs.RequestJobRun(ctx, name, slot, s.replica, string(raw)); err != nil {
		return "", err
	}
	models.AfterCommit(ctx, func() {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	})
	return day, nil
}

// serveRequests takes run requests until ctx ends, then waits for the runs
// it started.
func (s *Scheduler) serveRequests(ctx context.Context) {
	var runs sync.WaitGroup
	defer runs.Wait()
	tick := time.NewTicker(s.poll)
	defer tick.Stop()
	for {
		s.takeRequests(ctx, &runs)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-tick.C:
		}
	}
}

// takeRequests claims the pending requests it can and runs each in its own
// goroutine (the overlap guard still applies per job).
func (s *Scheduler) takeRequests(ctx context.Context, runs *sync.WaitGroup) {
	reqs, err := s.store.Jobs.RequestedRuns(ctx, requestBatch)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("list job requests", "err", err)
		}
		return
	}
	for i := range reqs {
		r := reqs[i]
		ok, err := s.store.Jobs.ClaimRequest(ctx, r.ID, s.replica)
		if err != nil {
			s.log.Error("claim job request", "job", r.Job, "slot", r.Slot, "err", err)
			continue
		}
		if !ok {
			continue // another replica took it
		}
		run := Run{Job: r.Job, Slot: r.Slot, Time: s.clock.Now(), Day: requestDay(r.Slot, s.clock.Now(), s.loc), Manual: true}
		if r.Args != "" {
			if err := json.Unmarshal([]byte(r.Args), &run.Args); err != nil {
				msg := fmt.Sprintf("bad request arguments: %v", err)
				if ferr := s.store.Jobs.FinishJobRun(context.WithoutCancel(ctx), r.ID, models.JobFailed, msg, ""); ferr != nil {
					s.log.Error("record job outcome", "err", ferr)
				}
				continue
			}
		}
		runs.Go(func() { s.start(ctx, run, &r) })
	}
}

// requestDay is the business day of a request slot "req:<day>:<id>".
func requestDay(slot string, now time.Time, loc *time.Location) string {
	parts := strings.Split(slot, ":")
	if len(parts) == 3 {
		if _, err := clock.ParseDay(parts[1], loc); err == nil {
			return parts[1]
		}
	}
	return clock.Day(now, loc)
}
