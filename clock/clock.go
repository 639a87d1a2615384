// Package clock is the injected notion of "now": every today, every "silent
// for N days" and every signature window reads a Clock, so tests can move time.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the real wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Fake is a settable clock for tests; safe for concurrent use.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake returns a Fake clock set to t.
func NewFake(t time.Time) *Fake { return &Fake{t: t} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.t = t
	f.mu.Unlock()
}

// Advance moves the clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// DayLayout is how calendar days are written everywhere ("2006-01-02").
const DayLayout = "2006-01-02"

// Day returns the calendar day of t in loc.
func Day(t time.Time, loc *time.Location) string { return t.In(loc).Format(DayLayout) }

// ParseDay parses a "2006-01-02" day as midnight in loc.
func ParseDay(day string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation(DayLayout, day, loc)
}

// Sleep waits d on the wall clock, or until ctx ends (its error is returned).
// Pacing and backoff use it; tests inject their own sleeper instead.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
