package recommend

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/ranking"
)

// A national company's calendar (here 600 weekly lecture series over the
// 90-day window, ≈ 100 kB of JSON) is kept by the nightly and read back
// whole by the morning on both databases: the setting was MySQL TEXT
// (65,535 bytes) before migration 0013, and the night's scoring failed.
func TestKeptCalendarOfSixHundredSeries(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 1)
		svc := w.service()
		start := time.Date(2026, 9, 1, 19, 0, 0, 0, modelstest.Shanghai)
		var events []ranking.Event
		for series := range 600 {
			for week := range 13 {
				day := start.AddDate(0, 0, 7*week+series%7).Format("2006-01-02")
				events = append(events, ranking.Event{Kind: "lecture_attend", Series: fmt.Sprintf("心衰新进展%03d", series), Day: day})
			}
		}
		cal := ranking.NewCalendar(events, modelstest.Shanghai)
		b, err := json.Marshal(cal.Series())
		w.must(err)
		if len(b) <= 65535 {
			t.Fatalf("the calendar is %d bytes; the test needs more than MySQL TEXT holds", len(b))
		}
		w.must(svc.keepCalendar(w.ctx, day, cal))
		got, err := svc.storedCalendar(w.ctx, day, start)
		w.must(err)
		back, err := json.Marshal(got.Series())
		w.must(err)
		if string(back) != string(b) {
			t.Errorf("read back %d bytes of %d", len(back), len(b))
		}
	})
}
