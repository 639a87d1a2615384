package outbox

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"visitbot/clock"
	"visitbot/models"
)

// WeComMemberPerHour is WeCom's hourly per-member limit (specs/wecom.md, doc
// 90312: ≤1000 per hour; the excess is dropped silently, so the dispatcher
// must never exceed it). The per-minute cap is outbox.per_member_per_minute,
// below config.WeComMemberPerMinute (30) to leave a margin.
const WeComMemberPerHour = 1000

// WeComAPIPerMinute is WeCom's per-corp, per-API base limit (10,000 calls a
// minute); the dispatcher paces message/send at 90 % of it.
const WeComAPIPerMinute = 10000

// windowMargin is added to a window's end before a held-back message is
// retried, so the retry never lands exactly on the window's edge.
const windowMargin = time.Second

// window is one sliding-window cap: at most Max sends per recipient in Span.
type window struct {
	Span time.Duration
	Max  int
}

// memberLimiter enforces per-recipient sliding windows. The count of sends
// comes from the database (outbox rows with status sent and sent_at inside
// the window), so every replica sees the same window; sends in flight in
// this process are added, under a per-recipient lock, so this process's
// workers can never jointly overshoot. The only overshoot left is two
// replicas sending to the same member at the same instant, bounded by the
// replica count and covered by the margin between the configured cap and 30.
type memberLimiter struct {
	store   *models.Store
	windows []window

	stripes  [64]sync.Mutex
	mu       sync.Mutex
	inflight map[uint]int
}

func newMemberLimiter(store *models.Store, perMinute int) *memberLimiter {
	return &memberLimiter{
		store:    store,
		windows:  []window{{time.Minute, perMinute}, {time.Hour, WeComMemberPerHour}},
		inflight: map[uint]int{},
	}
}

// acquire reserves a send to recipient at now. When a window is full it
// returns ok=false and the time at which a slot frees up. After a successful
// acquire the caller must call release once the send's outcome is recorded.
func (l *memberLimiter) acquire(ctx context.Context, platform string, recipient uint, now time.Time) (ok bool, retryAt time.Time, err error) {
	stripe := &l.stripes[recipient%uint(len(l.stripes))]
	stripe.Lock()
	defer stripe.Unlock()
	l.mu.Lock()
	busy := l.inflight[recipient]
	l.mu.Unlock()
	for _, w := range l.windows {
		n, oldest, err := l.store.Outbox.OutboxSentSince(ctx, platform, recipient, now.Add(-w.Span))
		if err != nil {
			return false, time.Time{}, fmt.Errorf("member rate window: %w", err)
		}
		if int(n)+busy < w.Max {
			continue
		}
		retry := now.Add(windowMargin)
		if !oldest.IsZero() {
			retry = oldest.Add(w.Span + windowMargin)
		}
		if !retry.After(now) {
			retry = now.Add(windowMargin)
		}
		return false, retry, nil
	}
	l.mu.Lock()
	l.inflight[recipient]++
	l.mu.Unlock()
	return true, time.Time{}, nil
}

// release ends an in-flight reservation (after the send is recorded, so the
// database count already includes it: briefly double-counted, never missed).
func (l *memberLimiter) release(recipient uint) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight[recipient] <= 1 {
		delete(l.inflight, recipient)
		return
	}
	l.inflight[recipient]--
}

// paceLimiter spaces calls to one platform API: a token bucket with burst 1,
// so no one-second window holds more than the configured number of calls.
// Time comes from the injected clock and waiting from the injected sleep, so
// tests drive it without sleeping.
type paceLimiter struct {
	lim *rate.Limiter
	// perSecond is the platform's whole rate, which live dispatchers share
	// (see refreshPace).
	perSecond float64
	clock     clock.Clock
	sleep     func(context.Context, time.Duration) error
}

func newPaceLimiter(perSecond float64, clk clock.Clock, sleep func(context.Context, time.Duration) error) *paceLimiter {
	return &paceLimiter{lim: rate.NewLimiter(rate.Limit(perSecond), 1), perSecond: perSecond, clock: clk, sleep: sleep}
}

// wait blocks until the next call may start, or ctx ends (the reservation is
// then given back).
func (p *paceLimiter) wait(ctx context.Context) error {
	now := p.clock.Now()
	r := p.lim.ReserveN(now, 1)
	if !r.OK() {
		return fmt.Errorf("rate limiter refused a reservation")
	}
	delay := r.DelayFrom(now)
	if delay <= 0 {
		return nil
	}
	if err := p.sleep(ctx, delay); err != nil {
		r.CancelAt(p.clock.Now())
		return err
	}
	return nil
}
