package dingtalk

import (
	"context"
	"fmt"
	"sync"
	"time"

	"visitbot/clock"
)

// DefaultQPS is DingTalk's per-app, per-API limit on the standard edition;
// beyond it an API answers 403 Forbidden.AccessDenied.QpsLimitForApi.
const DefaultQPS = 20

// apiLimiter keeps every API (method + path) under limit calls per window
// as DingTalk counts them: on arrival. A client cannot see arrival times,
// only that a call arrives between its start and its answer, so a call
// may start only while fewer than limit calls of that API are in flight
// or were answered within the last window. Then no window at the server
// can hold more than limit arrivals, whatever the network delays: for the
// latest-started call of any window, every other call of that window was
// in flight or answered less than a window before it started.
// Throughput is limit/(window + round trip): 19/s at 20 QPS and 50 ms.
type apiLimiter struct {
	limit  int
	window time.Duration
	clk    clock.Clock
	after  func(time.Duration) <-chan time.Time

	mu   sync.Mutex
	apis map[string]*apiWindow
}

type apiWindow struct {
	inflight int
	// done holds answer times within the last window, oldest first.
	done []time.Time
	// wake is closed (and replaced) whenever a call ends.
	wake chan struct{}
}

func newAPILimiter(qps int, window time.Duration, clk clock.Clock, after func(time.Duration) <-chan time.Time) *apiLimiter {
	if qps <= 0 {
		qps = DefaultQPS
	}
	if window <= 0 {
		window = time.Second
	}
	if after == nil {
		after = time.After
	}
	return &apiLimiter{limit: qps, window: window, clk: clk, after: after, apis: map[string]*apiWindow{}}
}

// Acquire blocks until a call to api may start, or ctx ends. The caller
// must call release once the answer has arrived (or the call failed).
func (l *apiLimiter) Acquire(ctx context.Context, api string) (release func(), err error) {
	for {
		l.mu.Lock()
		w, ok := l.apis[api]
		if !ok {
			w = &apiWindow{wake: make(chan struct{})}
			l.apis[api] = w
		}
		now := l.clk.Now()
		n := 0
		for n < len(w.done) && !w.done[n].After(now.Add(-l.window)) {
			n++
		}
		w.done = w.done[n:]
		if w.inflight+len(w.done) < l.limit {
			w.inflight++
			l.mu.Unlock()
			return func() { l.release(w) }, nil
		}
		var timer <-chan time.Time
		if len(w.done) > 0 {
			timer = l.after(w.done[0].Add(l.window).Sub(now))
		}
		wake := w.wake
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("dingtalk limiter: waiting for %s: %w", api, ctx.Err())
		case <-timer:
		case <-wake:
		}
	}
}

func (l *apiLimiter) release(w *apiWindow) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w.inflight--
	w.done = append(w.done, l.clk.Now())
	close(w.wake)
	w.wake = make(chan struct{})
}
