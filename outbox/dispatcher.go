// Package outbox owns every outbound message: the envelope and its dedupe
// key, idempotent enqueue inside the caller's transaction, the dispatcher
// that claims and sends rows with retries and backoff, the platforms' rate
// limits and the metrics. Adapters and flows queue here; nothing is sent
// from a callback or a job directly.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
)

// DefaultSendTimeout bounds one platform call; a send that hangs longer is
// a transient failure and is retried.
const DefaultSendTimeout = 30 * time.Second

// DispatcherOptions configure NewDispatcher.
type DispatcherOptions struct {
	Store *models.Store
	// Messengers sends per platform; rows of other platforms stay queued
	// (another replica, or a later start with that platform enabled, sends them).
	Messengers map[bot.Platform]bot.Messenger
	Config     config.OutboxConfig
	Clock      clock.Clock
	Log        *slog.Logger
	// Registerer receives the outbox metrics (nil: not registered).
	Registerer prometheus.Registerer
	// Replica names this process in claimed_by (default host-pid).
	Replica string
	// Sleep waits d or until ctx ends (rate pacing). Tests inject one that
	// advances a fake clock; default: a wall-clock timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1) for backoff jitter (default math/rand/v2).
	Jitter func() float64
	// SendTimeout bounds one platform call (default DefaultSendTimeout, at
	// most half of outbox.claim_ttl).
	SendTimeout time.Duration
}

// Dispatcher delivers outbox rows. Any number of dispatchers (goroutines or
// replicas) may run on one database: each row is claimed by exactly one of
// them at a time (see models.Store.ClaimOutbox), and a claim that outlives
// its ClaimTTL, because its owner died, is taken over.
//
// Delivery guarantee: a row is marked sent in the same statement that
// records its msgid, right after the platform answered. The only window for
// a duplicate is a process dying between the platform accepting a message
// and that update (milliseconds): the claim then expires and the row is sent
// again. WeCom's enable_duplicate_check (with duplicate_check_interval
// covering ClaimTTL), which the WeCom messenger sets on every send, and
// DingTalk's outTrackId for advanced cards close that window on the
// platform side (TestSIGKILLDuringDispatch measures it).
type Dispatcher struct {
	store      *models.Store
	messengers map[bot.Platform]bot.Messenger
	platforms  []string
	cfg        config.OutboxConfig
	clock      clock.Clock
	log        *slog.Logger
	replica    string
	jitter     func() float64
	sleep      func(context.Context, time.Duration) error
	timeout    time.Duration
	workers    int
	metrics    *outboxMetrics
	members    *memberLimiter
	pacers     map[bot.Platform]*paceLimiter
	share      *paceShare
	shareMu    sync.Mutex // guards share.n for Dispatchers

	depthMu   sync.Mutex
	depthTime time.Time
}

// NewDispatcher checks the options and registers the metrics.
func NewDispatcher(o DispatcherOptions) (*Dispatcher, error) {
	if o.Store == nil {
		return nil, errors.New("outbox dispatcher: no store")
	}
	c := o.Config
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("outbox dispatcher: %w", err)
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
	if o.Jitter == nil {
		o.Jitter = rand.Float64
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = DefaultSendTimeout
	}
	if o.SendTimeout > c.ClaimTTL/2 {
		// A send must end well inside its claim, or another dispatcher
		// could take the row over while the first call is still running.
		o.SendTimeout = c.ClaimTTL / 2
	}
	m, err := newOutboxMetrics(o.Registerer)
	if err != nil {
		return nil, err
	}
	d := &Dispatcher{
		store: o.Store, messengers: map[bot.Platform]bot.Messenger{}, cfg: c, clock: o.Clock, log: o.Log,
		replica: o.Replica, jitter: o.Jitter, sleep: o.Sleep, timeout: o.SendTimeout, metrics: m,
		members: newMemberLimiter(o.Store, c.PerMemberPerMinute),
		pacers: map[bot.Platform]*paceLimiter{
			bot.DingTalk: newPaceLimiter(float64(c.DingTalkQPS), o.Clock, o.Sleep),
			bot.WeCom:    newPaceLimiter(WeComPacePerSecond, o.Clock, o.Sleep),
		},
	}
	d.share = newPaceShare(o.Replica)
	d.metrics.dispatchers.Set(1)
	for p, ms := range o.Messengers {
		if ms == nil {
			return nil, fmt.Errorf("outbox dispatcher: nil messenger for %s", p)
		}
		d.messengers[p] = ms
		d.platforms = append(d.platforms, string(p))
	}
	sort.Strings(d.platforms)
	ps := make([]bot.Platform, len(d.platforms))
	for i, p := range d.platforms {
		ps[i] = bot.Platform(p)
	}
	d.workers = SizeWorkers(c, ps)
	return d, nil
}

// Enqueue queues m through st (the app store or a transaction's store) and
// counts it in visitbot_outbox_enqueued_total. Like Store.Enqueue, a
// duplicate DedupeKey is a silent no-op.
func (d *Dispatcher) Enqueue(ctx context.Context, st *models.Store, m *models.OutboxMessage) error {
	if err := st.Outbox.Enqueue(ctx, m); err != nil {
		return err
	}
	if m.ID != 0 {
		d.metrics.enqueued.WithLabelValues(m.Platform).Inc()
	}
	return nil
}

// Workers is the number of concurrent sends of this dispatcher (SizeWorkers
// of its config and platforms).
func (d *Dispatcher) Workers() int { return d.workers }

// Run delivers due messages with Workers concurrent sends until ctx
// ends, polling every cfg.PollInterval when the queue is idle. On
// cancellation it stops claiming and returns after the in-flight sends have
// finished and been recorded.
func (d *Dispatcher) Run(ctx context.Context) error {
	if len(d.platforms) == 0 {
		d.log.Warn("outbox dispatcher has no messenger; nothing will be sent")
	}
	d.log.Info("outbox dispatcher started", "workers", d.workers, "platforms", d.platforms)
	err := d.loop(ctx, false)
	d.log.Info("outbox dispatcher stopped")
	return err
}

// Drain delivers every message that is due now and returns when none is
// due and none is in flight (messages retried or held back for later stay
// queued), or with the first claim error. Tests and one-shot CLI runs use
// it; services use Run.
func (d *Dispatcher) Drain(ctx context.Context) error { return d.loop(ctx, true) }

func (d *Dispatcher) loop(ctx context.Context, drain bool) error {
	workers := d.workers
	done := make(chan struct{}, workers)
	var wg sync.WaitGroup
	defer d.leavePace(ctx)
	defer wg.Wait()
	inflight := 0
	for ctx.Err() == nil {
		if err := d.refreshPace(ctx); err != nil {
			d.log.Error("share outbox pacing", "err", err)
		}
		for reaped := false; !reaped; {
			select {
			case <-done:
				inflight--
			default:
				reaped = true
			}
		}
		var batch []models.OutboxMessage
		if free := workers - inflight; free > 0 && len(d.platforms) > 0 {
			var err error
			// Not cancellable: a claim interrupted between its UPDATE and
			// the read-back would strand rows until their claim expires.
			batch, err = d.store.Outbox.ClaimOutbox(context.WithoutCancel(ctx), d.replica, d.platforms, free, d.cfg.ClaimTTL)
			if err != nil {
				if drain {
					return err // after the in-flight sends (deferred Wait)
				}
				d.log.Error("claim outbox rows", "err", err)
			}
		}
		d.refreshDepth(ctx)
		for i := range batch {
			m := batch[i]
			inflight++
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.process(ctx, &m)
				done <- struct{}{}
			}()
		}
		if len(batch) > 0 && inflight < workers {
			continue // the queue may hold more due rows
		}
		if drain && len(batch) == 0 && inflight == 0 {
			return nil
		}
		var timer *time.Timer
		var tick <-chan time.Time
		if !drain && inflight < workers {
			timer = time.NewTimer(d.cfg.PollInterval)
			tick = timer.C
		}
		select {
		case <-ctx.Done():
		case <-done:
			inflight--
		case <-tick:
		}
		if timer != nil {
			timer.Stop()
		}
	}
	return nil
}

// depthRefresh is how often the queue-depth gauge is recounted (a GROUP BY
// over outbox_messages); Prometheus scrapes every 15-60 s.
const depthRefresh = 10 * time.Second

// refreshDepth updates the queue-depth gauge at most once per depthRefresh.
func (d *Dispatcher) refreshDepth(ctx context.Context) {
	d.depthMu.Lock()
	now := d.clock.Now()
	if !d.depthTime.IsZero() && now.Sub(d.depthTime) < depthRefresh {
		d.depthMu.Unlock()
		return
	}
	d.depthTime = now
	d.depthMu.Unlock()
	depth, err := d.store.Outbox.OutboxDepth(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("outbox depth", "err", err)
		}
		return
	}
	for status, n := range depth {
		d.metrics.depth.WithLabelValues(status).Set(float64(n))
	}
}
