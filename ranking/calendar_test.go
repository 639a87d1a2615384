package ranking

import (
	"testing"
	"time"
)

// TestConsecutiveRuleKnowsUnrecordedMisses: with the series calendar
// inferred from everyone's attendance, a lecture held while the doctor stayed
// away breaks the run although no miss was recorded; two series on other
// weekdays do not break each other's runs.
func TestConsecutiveRuleKnowsUnrecordedMisses(t *testing.T) {
	s := scorer(t)
	wed := func(weeksAgo int) time.Time { return now.AddDate(0, 0, -7*weeksAgo-6).Add(11 * time.Hour) } // Wednesdays
	fri := func(weeksAgo int) time.Time { return now.AddDate(0, 0, -7*weeksAgo-4).Add(11 * time.Hour) }
	var evs []Event
	for w := 0; w < 8; w++ {
		evs = append(evs, Event{Kind: "lecture_attend", Series: "心衰新进展", Day: wed(w).Format("2006-01-02")},
			Event{Kind: "lecture_attend", Series: "糖尿病管理", Day: fri(w).Format("2006-01-02")})
	}
	cal := NewCalendar(evs, time.UTC)
	attend := func(at time.Time) Signal {
		return Signal{Class: ClassLecture, Kind: "lecture_attend", Value: 1, At: at}
	}
	cases := []struct {
		name string
		sigs []Signal
		want int // the run; 0 = the rule does not fire
	}{
		{"three latest episodes", []Signal{attend(wed(0)), attend(wed(1)), attend(wed(2))}, 3},
		{"latest missed, unrecorded", []Signal{attend(wed(1)), attend(wed(2)), attend(wed(3))}, 0},
		{"a gap in the middle", []Signal{attend(wed(0)), attend(wed(2)), attend(wed(3))}, 0},
		{"the other series does not break it", []Signal{attend(wed(0)), attend(wed(1)), attend(fri(3))}, 2},
		{"a recorded miss still breaks it", []Signal{attend(wed(1)), {Class: ClassLecture, Kind: "lecture_absent", Value: 0, At: wed(0)}}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := s.Heat(Doctor{Signals: tc.sigs, Calendar: cal}, Trend{}, now)
			got := 0
			for _, r := range h.Rules {
				if r.Name == "consecutive_lectures" {
					got = r.Count
				}
			}
			if got != tc.want {
				t.Errorf("run = %d, want %d (rules %+v)", got, tc.want, h.Rules)
			}
		})
	}
	// Without a calendar the old rule counts the doctor's own trailing signals.
	h := s.Heat(Doctor{Signals: cases[1].sigs}, Trend{}, now)
	if len(h.Rules) != 1 || h.Rules[0].Count != 3 {
		t.Errorf("without a calendar: rules %+v", h.Rules)
	}
}

func TestSeriesName(t *testing.T) {
	for in, want := range map[string]string{
		"心衰新进展第12期": "心衰新进展", "糖尿病管理 No.3": "糖尿病管理No", "第3讲": "", "": "", "Heart failure #4": "Heartfailure",
	} {
		if got := SeriesName(in); got != want {
			t.Errorf("SeriesName(%q) = %q, want %q", in, got, want)
		}
	}
	// A name seen on one day only joins the kind's unnamed series.
	cal := NewCalendar([]Event{{Kind: "k", Series: "一期一会", Day: "2026-11-01"}, {Kind: "k", Day: "2026-11-08"}}, time.UTC)
	if got := len(cal.series["k"]); got != 1 {
		t.Errorf("series = %v, want the one-off name merged into the unnamed series", cal.series)
	}
}
