// Package backtest replays a company's history day by day, as of each day
// (no data dated on or after the day is visible), through the production
// scoring path (ranking.Scorer and ranking.Plan), and measures each method's
// lists against a truth: the simulated market's true value, or on real data
// the self-supervised target (Target). Package tune fits weights with the
// same features. Everything here is pure: the store feeds a History
// (recommend.LoadHistory) and the simulated market builds one directly.
package backtest

import (
	"slices"
	"strings"
	"time"

	"visitbot/ranking"
)

// Doctor is one HCP with its whole signal history (ranking.Doctor.Signals
// holds every signal; the replay cuts it at each day).
type Doctor struct {
	ranking.Doctor
	// Code is the company's external id: truth files name doctors by it.
	Code string
	// LegacyTier is the static ABC tier imported from the legacy system.
	LegacyTier    string
	Sessions      []ranking.Session
	Cancellations []ranking.Cancellation
}

// Hospital is where doctors sit: its location routes the day.
type Hospital struct {
	ID    uint
	Code  string
	Level string
	Loc   ranking.Point
}

// Rep is one representative: the start point of the day and the doctors covered.
type Rep struct {
	ID      uint
	Code    string
	Start   ranking.Point
	Doctors []uint
}

// History is everything a replay reads. Doctors are sorted by ID and their
// signals by time (Normalize does both).
type History struct {
	Doctors   []Doctor
	Hospitals map[uint]Hospital
	Reps      []Rep
	Flow      []ranking.FlowPoint
	// Events are the days on which anyone attended an event series (one per
	// kind, series and day; any order): the replay infers each day's series
	// calendar from those before it, as production does.
	Events []ranking.Event
	// Loc is the business time zone: a day starts at midnight there.
	Loc *time.Location
}

// Normalize sorts doctors by ID and each doctor's signals by time, which
// the as-of cuts (binary search) rely on.
func (h *History) Normalize() {
	if h.Loc == nil {
		h.Loc = time.UTC
	}
	slices.SortFunc(h.Doctors, func(a, b Doctor) int { return int(a.ID) - int(b.ID) })
	for i := range h.Doctors {
		slices.SortStableFunc(h.Doctors[i].Signals, func(a, b ranking.Signal) int { return a.At.Compare(b.At) })
	}
	slices.SortStableFunc(h.Events, func(a, b ranking.Event) int { return strings.Compare(a.Day, b.Day) })
}

// calendar is the series calendar of the kinds as production infers it for
// asOf: events on the days in [asOf - days, asOf) (nil without kinds).
func (h *History) calendar(kinds []string, days int, asOf time.Time) *ranking.Calendar {
	if len(kinds) == 0 {
		return nil
	}
	from, to := asOf.AddDate(0, 0, -days).In(h.Loc).Format(time.DateOnly), asOf.In(h.Loc).Format(time.DateOnly)
	i, _ := slices.BinarySearchFunc(h.Events, from, func(e ranking.Event, d string) int { return strings.Compare(e.Day, d) })
	var events []ranking.Event
	for ; i < len(h.Events) && h.Events[i].Day < to; i++ {
		if slices.Contains(kinds, h.Events[i].Kind) {
			events = append(events, h.Events[i])
		}
	}
	return ranking.NewCalendar(events, h.Loc)
}

// doctor finds a doctor by id (nil if unknown).
func (h *History) doctor(id uint) *Doctor {
	i, ok := slices.BinarySearchFunc(h.Doctors, id, func(d Doctor, id uint) int { return int(d.ID) - int(id) })
	if !ok {
		return nil
	}
	return &h.Doctors[i]
}

// before is d's signals dated strictly before t (d's signals are sorted).
func (d *Doctor) before(t time.Time) []ranking.Signal {
	return d.Signals[:firstAtOrAfter(d.Signals, t)]
}

// between is d's signals dated in [from, to).
func (d *Doctor) between(from, to time.Time) []ranking.Signal {
	all := d.before(to)
	return all[firstAtOrAfter(all, from):]
}

// firstAtOrAfter is the index of the first signal dated at or after t.
func firstAtOrAfter(sigs []ranking.Signal, t time.Time) int {
	n, _ := slices.BinarySearchFunc(sigs, t, func(s ranking.Signal, t time.Time) int { return s.At.Compare(t) })
	return n
}

// Days lists the days from..to inclusive ("2006-01-02").
func Days(from, to string) ([]string, error) {
	a, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, err
	}
	b, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, err
	}
	var out []string
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out, nil
}

// dayStart is midnight of day in the history's zone.
func (h *History) dayStart(day string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, day, h.Loc)
	return t
}
