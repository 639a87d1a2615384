package clock

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Week is one ISO 8601 week (Monday to Sunday) as the reports and the
// dashboard name it: "2026-W49".
type Week struct {
	// Label is the canonical name, e.g. "2026-W49".
	Label string
	// Monday is midnight of the week's first day in the week's zone.
	Monday time.Time
}

// From is the week's first day ("2006-01-02").
func (w Week) From() string { return w.Monday.Format(DayLayout) }

// To is the week's last day, the Sunday.
func (w Week) To() string { return w.Monday.AddDate(0, 0, 6).Format(DayLayout) }

// Prev is the week n weeks before w (n < 0: after).
func (w Week) Prev(n int) Week { return WeekOf(w.Monday.AddDate(0, 0, -7*n).Add(12 * time.Hour)) }

// WeekOf is the ISO week containing t, in t's zone.
func WeekOf(t time.Time) Week {
	y, n := t.ISOWeek()
	wd := (int(t.Weekday()) + 6) % 7 // Monday 0
	monday := time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, t.Location())
	return Week{Label: fmt.Sprintf("%d-W%02d", y, n), Monday: monday}
}

// ParseWeek reads a canonical ISO week name ("2026-W49") in loc. Weeks that
// do not exist (2026-W53) and other spellings ("2026-W1", "+2026-W49") are
// refused, so every part of visitbot agrees on which week a name means.
func ParseWeek(s string, loc *time.Location) (Week, error) {
	ys, ws, ok := strings.Cut(s, "-W")
	y, err1 := strconv.Atoi(ys)
	n, err2 := strconv.Atoi(ws)
	if !ok || err1 != nil || err2 != nil || y < 2000 || y > 2999 || n < 1 || n > 53 {
		return Week{}, fmt.Errorf("week %q: want YYYY-Www, e.g. 2026-W49", s)
	}
	// 4 January is always in week 1.
	jan4 := time.Date(y, 1, 4, 12, 0, 0, 0, loc)
	w := WeekOf(jan4.AddDate(0, 0, 7*(n-1)))
	if w.Label != s {
		return Week{}, fmt.Errorf("week %q does not exist (want YYYY-Www, e.g. 2026-W49)", s)
	}
	return w, nil
}
