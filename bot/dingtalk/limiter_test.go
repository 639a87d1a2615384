package dingtalk

import (
	"context"
	"testing"
	"time"

	"visitbot/clock"
)

// With an injected clock (waiting advances it) the limiter admits exactly
// limit calls per window, each API on its own budget.
func TestLimiterWindowWithInjectedClock(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	after := func(d time.Duration) <-chan time.Time {
		clk.Advance(d)
		ch := make(chan time.Time, 1)
		ch <- clk.Now()
		return ch
	}
	l := newAPILimiter(20, time.Second, clk, after)
	var at []time.Time
	call := func(api string, rtt time.Duration) time.Time {
		release, err := l.Acquire(context.Background(), api)
		if err != nil {
			t.Fatal(err)
		}
		started := clk.Now()
		clk.Advance(rtt)
		release()
		return started
	}
	for i := 0; i < 100; i++ {
		at = append(at, call("POST /x", 10*time.Millisecond))
		if i%7 == 0 {
			call("POST /other", 0)
		}
	}
	most := 0
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j].Sub(at[i]) < time.Second; j++ {
			n++
		}
		most = max(most, n)
	}
	if most != 20 {
		t.Fatalf("at most %d calls started per second, want exactly 20", most)
	}
	// 100 calls of 10 ms: five windows of 20, each a second plus 10 ms of answer.
	if total := at[len(at)-1].Sub(at[0]); total > 5*time.Second {
		t.Fatalf("100 calls took %s of clock time", total)
	}
}

func TestLimiterHonoursContext(t *testing.T) {
	l := newAPILimiter(1, time.Hour, clock.System{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	release, err := l.Acquire(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	release()
	cancel()
	if _, err := l.Acquire(ctx, "a"); err == nil {
		t.Fatal("waited past a cancelled context")
	}
}
