package clock

import (
	"testing"
	"time"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

func TestParseWeek(t *testing.T) {
	cases := map[string][2]string{
		"2026-W49": {"2026-11-30", "2026-12-06"},
		"2026-W01": {"2025-12-29", "2026-01-04"},
		"2026-W53": {"2026-12-28", "2027-01-03"},
		"2020-W53": {"2020-12-28", "2021-01-03"},
	}
	for in, want := range cases {
		w, err := ParseWeek(in, shanghai)
		if err != nil || w.From() != want[0] || w.To() != want[1] || w.Label != in {
			t.Errorf("ParseWeek(%s) = %+v %s..%s, %v; want %v", in, w, w.From(), w.To(), err, want)
		}
	}
	for _, bad := range []string{"", "week", "x-Wy", "2026-49", "2026-W54", "2026-W00", "2025-W53", "2026-W1", "+2026-W49", "2026-W-1"} {
		if _, err := ParseWeek(bad, shanghai); err == nil {
			t.Errorf("ParseWeek(%q) accepted", bad)
		}
	}
}

func TestWeekOfAndPrev(t *testing.T) {
	w := WeekOf(time.Date(2026, 12, 6, 23, 0, 0, 0, shanghai)) // a Sunday
	if w.Label != "2026-W49" || w.From() != "2026-11-30" {
		t.Fatalf("WeekOf = %+v", w)
	}
	if p := w.Prev(49); p.Label != "2025-W52" {
		t.Fatalf("49 weeks before 2026-W49 = %s", p.Label)
	}
	if n := w.Prev(-4); n.Label != "2026-W53" {
		t.Fatalf("4 weeks after 2026-W49 = %s", n.Label)
	}
}

// FuzzParseWeek: a week name is outside input (?week=, -week); a parsed week
// is a Monday..Sunday whose label prints back to the input.
func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"2026-W49", "2026-W01", "2026-W53", "2025-W53", "x", "-W", "2026-W-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWeek(s, shanghai)
		if err != nil {
			return
		}
		from, err1 := time.Parse(DayLayout, w.From())
		to, err2 := time.Parse(DayLayout, w.To())
		if err1 != nil || err2 != nil || from.Weekday() != time.Monday || to.Sub(from) != 6*24*time.Hour || w.Label != s {
			t.Fatalf("ParseWeek(%q) = %+v", s, w)
		}
	})
}
