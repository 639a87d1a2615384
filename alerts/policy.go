package alerts

import (
	"fmt"
	"time"
)

// Quiet is the daily window in which alerts are held back (config
// alerts.quiet_start / quiet_end, business time zone). It may wrap
// midnight (21:00–08:00). A zero Quiet holds nothing back.
type Quiet struct {
	start, end time.Duration // since midnight
	on         bool
}

// ParseQuiet reads "HH:MM" bounds; empty or equal bounds mean no quiet hours.
func ParseQuiet(start, end string) (Quiet, error) {
	if start == "" || end == "" {
		return Quiet{}, nil
	}
	s, err := time.Parse("15:04", start)
	if err != nil {
		return Quiet{}, fmt.Errorf("quiet hours start %q: %w", start, err)
	}
	e, err := time.Parse("15:04", end)
	if err != nil {
		return Quiet{}, fmt.Errorf("quiet hours end %q: %w", end, err)
	}
	q := Quiet{start: time.Duration(s.Hour())*time.Hour + time.Duration(s.Minute())*time.Minute,
		end: time.Duration(e.Hour())*time.Hour + time.Duration(e.Minute())*time.Minute}
	q.on = q.start != q.end
	return q, nil
}

// Release is when an alert raised at now may be delivered: now outside the
// quiet hours, otherwise the end of the quiet window (the next morning).
func (q Quiet) Release(now time.Time, loc *time.Location) time.Time {
	if !q.on {
		return now
	}
	local := now.In(loc)
	y, m, d := local.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
	since := local.Sub(midnight)
	at := func(dayOffset int, off time.Duration) time.Time {
		base := time.Date(y, m, d+dayOffset, 0, 0, 0, 0, loc)
		return base.Add(off)
	}
	if q.start < q.end { // same-day window, e.g. 12:00–14:00
		if since >= q.start && since < q.end {
			return at(0, q.end)
		}
		return now
	}
	switch { // wraps midnight, e.g. 21:00–08:00
	case since >= q.start:
		return at(1, q.end)
	case since < q.end:
		return at(0, q.end)
	}
	return now
}

// Bucket is the merge slot of an alert due at t: alerts of one manager in
// the same slot (config alerts.merge_window) share one card with a count.
func Bucket(t time.Time, window time.Duration) time.Time {
	if window <= 0 {
		window = time.Minute
	}
	return t.Truncate(window)
}

// Suppressed says whether a candidate is spam given the newest earlier alert
// of the same kind and subject (created at last; found=false when none): an
// event (Once) is raised only once, a state alert once per cooldown.
func Suppressed(c Candidate, last time.Time, found bool, now time.Time, cooldown time.Duration) bool {
	if !found {
		return false
	}
	if c.Once {
		return true
	}
	return now.Sub(last) < cooldown
}
