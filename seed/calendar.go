package seed

import (
	"fmt"
	"time"
)

// lecture is one episode of a product's weekly online lecture series.
type lecture struct {
	No int
	At time.Time
}

// meeting is one academic meeting of a product's therapeutic area.
type meeting struct {
	Title string
	At    time.Time
}

// lectureEpoch numbers lecture episodes: episode 1 was the week of this day,
// so an episode keeps its number whatever Today is.
var lectureEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// meetingsPerMonth is how many academic meetings each product area holds a month.
const meetingsPerMonth = 2

// genCalendar lays out the lecture episodes (weekly, 19:30, one weekday per
// product) and academic meetings (two Saturdays a month per product) of the
// history window.
func (w *world) genCalendar() {
	loc := w.today.Location()
	for p, prod := range products {
		var lec []lecture
		day := w.start
		for int(day.Weekday()) != p%5+1 {
			day = day.AddDate(0, 0, 1)
		}
		for ; day.Before(w.today); day = day.AddDate(0, 0, 7) {
			at := time.Date(day.Year(), day.Month(), day.Day(), 19, 30, 0, 0, loc)
			no := int(time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC).Sub(lectureEpoch).Hours()/24/7) + 1
			lec = append(lec, lecture{No: no, At: at})
		}
		w.lectures = append(w.lectures, lec)
		var meet []meeting
		r := newRand(w.opts.Seed, streamCalendar, uint64(p))
		for m := range historyMonths {
			month := w.start.AddDate(0, m, 0)
			sat := month
			for sat.Weekday() != time.Saturday {
				sat = sat.AddDate(0, 0, 1)
			}
			for k := range meetingsPerMonth {
				day := sat.AddDate(0, 0, 7*(2*k+p%2))
				if !day.Before(w.today) {
					continue
				}
				title := prod.Meetings[r.IntN(len(prod.Meetings))]
				meet = append(meet, meeting{Title: fmt.Sprintf("%s（%s）", title, day.Format("2006年1月2日")), At: day.Add(9 * time.Hour)})
			}
		}
		w.meetings = append(w.meetings, meet)
	}
}
