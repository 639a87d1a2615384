package ranking

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// Event says that a series of events of one signal kind took place on a day:
// a day on which someone attended it (an online lecture episode). Series is
// the company's name of the series when its export gives one (the signal's
// detail, episode numbers stripped by SeriesName), else "".
type Event struct {
	Kind   string
	Series string
	Day    string // "2006-01-02", business time zone
}

// Calendar is the schedule of each kind's event series, inferred from the
// company's own signals (Events) or imported: what lets a consecutive rule
// know a miss that nobody recorded — a lecture held while the doctor stayed
// away breaks their run. The zero Calendar knows nothing: rules then count
// the doctor's own signals only (a recorded miss still breaks a run).
type Calendar struct {
	loc *time.Location
	// series per kind; each series's days are sorted ascending.
	series map[string][][]string
}

// MinSeriesDays is how many days a named series needs to stand on its own;
// names seen on fewer days (a one-off title per episode) join the kind's
// unnamed series instead of making every run one long.
const MinSeriesDays = 2

// NewCalendar builds the calendar of events; loc is the business time zone
// signal times are read in.
func NewCalendar(events []Event, loc *time.Location) *Calendar {
	byName := map[string]map[string]map[string]bool{} // kind → series → days
	for _, e := range events {
		if byName[e.Kind] == nil {
			byName[e.Kind] = map[string]map[string]bool{}
		}
		if byName[e.Kind][e.Series] == nil {
			byName[e.Kind][e.Series] = map[string]bool{}
		}
		byName[e.Kind][e.Series][e.Day] = true
	}
	c := &Calendar{loc: loc, series: map[string][][]string{}}
	for kind, names := range byName {
		unnamed := map[string]bool{}
		var named []string
		for name, days := range names {
			if name != "" && len(days) >= MinSeriesDays {
				named = append(named, name)
				continue
			}
			for d := range days {
				unnamed[d] = true
			}
		}
		slices.Sort(named)
		for _, name := range named {
			c.series[kind] = append(c.series[kind], sortedDays(names[name]))
		}
		if len(unnamed) > 0 {
			c.series[kind] = append(c.series[kind], sortedDays(unnamed))
		}
	}
	return c
}

// Series is the calendar's schedule: per kind, each series's days in
// order. CalendarOf(c.Series(), loc) is c again (a stored calendar).
func (c *Calendar) Series() map[string][][]string {
	if c == nil {
		return nil
	}
	return c.series
}

// CalendarOf rebuilds a calendar from its Series (days sorted ascending).
func CalendarOf(series map[string][][]string, loc *time.Location) *Calendar {
	c := &Calendar{loc: loc, series: map[string][][]string{}}
	for kind, list := range series {
		for _, days := range list {
			c.series[kind] = append(c.series[kind], slices.Sorted(slices.Values(days)))
		}
	}
	return c
}

func sortedDays(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// knows reports whether the calendar has a schedule for kind.
func (c *Calendar) knows(kind string) bool { return c != nil && len(c.series[kind]) > 0 }

// day is t's business day.
func (c *Calendar) day(t time.Time) string {
	if c.loc != nil {
		t = t.In(c.loc)
	}
	return t.Format("2006-01-02")
}

// run is the doctor's current run in kind's series: how many of the
// series's latest days up to today the doctor attended in a row. The series
// is the one held on the doctor's latest attendance (the one with most of
// their attendances when several were). attended and missed are the
// doctor's days with a positive signal of kind and with a recorded miss.
func (c *Calendar) run(kind string, attended, missed map[string]bool, today string) int {
	latest := ""
	for d := range attended {
		if d <= today && d > latest {
			latest = d
		}
	}
	if latest == "" {
		return 0
	}
	var best []string
	bestN := -1
	for _, days := range c.series[kind] {
		if _, held := slices.BinarySearch(days, latest); !held {
			continue
		}
		n := 0
		for d := range attended {
			if _, ok := slices.BinarySearch(days, d); ok {
				n++
			}
		}
		if n > bestN {
			best, bestN = days, n
		}
	}
	walk := slices.Clone(best)
	for d := range missed {
		walk = append(walk, d)
	}
	slices.Sort(walk)
	walk = slices.Compact(walk)
	n := 0
	for i := len(walk) - 1; i >= 0; i-- {
		d := walk[i]
		switch {
		case d > today:
			continue
		case attended[d] && !missed[d]:
			n++
		default:
			return n
		}
	}
	return n
}

// SeriesName is the series of a signal detail: the text without episode
// numbers and their markers ("心衰新进展第12期" → "心衰新进展"), "" when
// nothing is left.
func SeriesName(detail string) string {
	var b strings.Builder
	for _, r := range detail {
		switch {
		case unicode.IsDigit(r), unicode.IsSpace(r), unicode.IsPunct(r), strings.ContainsRune("第期讲场次回集", r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
