package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"visitbot/ranking"
)

// lectureSeries are the market's online lecture series, each on its own
// calendar: a weekday, every N weeks. The attendance list of a session names
// only who came; a miss is a session of the series the doctor was invited
// to and did not attend.
var lectureSeries = []struct {
	name    string
	weekday time.Weekday
	every   int
}{
	{"心血管前沿", time.Tuesday, 1},
	{"糖尿病管理新进展", time.Thursday, 2},
	{"神经科学沙龙", time.Wednesday, 4},
}

// lectureSession reports whether series s holds a session on day, and its number.
func lectureSession(s, day int) (int, bool) {
	t := Start.AddDate(0, 0, day)
	if t.Weekday() != lectureSeries[s].weekday {
		return 0, false
	}
	week := day / 7
	return week/lectureSeries[s].every + 1, week%lectureSeries[s].every == 0
}

// lectureDetail names session n of series s as the attendance list does.
func lectureDetail(s, n int) string { return fmt.Sprintf("%s 第%d期", lectureSeries[s].name, n) }

func poisson(rng *rand.Rand, lambda float64) int {
	n, l, p := 0, math.Exp(-lambda), rng.Float64()
	for p > l {
		n++
		p *= rng.Float64()
	}
	return n
}

func clamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

// draw records every doctor's observable history from its engagement.
func (m *Market) draw(rng *rand.Rand) {
	for _, d := range m.doctors {
		trialDay := rng.IntN(m.o.Days)
		for day := 0; day < m.o.Days; day++ {
			e := d.engagement(day)
			add := func(class, kind string, v float64, detail string) {
				d.signals = append(d.signals, ranking.Signal{Class: class, Kind: kind, Value: v, At: at(day, 8+rng.IntN(12), rng.IntN(60))})
				d.detail = append(d.detail, detail)
			}
			for _, s := range d.series {
				if n, ok := lectureSession(s, day); ok && rng.Float64() < clamp01(0.05+0.75*e*d.lecture) {
					add(ranking.ClassLecture, "lecture_attend", 1, lectureDetail(s, n))
				}
			}
			if day%30 == 12 && rng.Float64() < clamp01(0.03+0.45*e*d.meeting) {
				kind := "meeting_attend"
				if d.kol && rng.Float64() < 0.3 {
					kind = "meeting_speaker"
				}
				add(ranking.ClassMeeting, kind, 1, "区域学术会议")
			}
			for n := poisson(rng, 0.01+0.12*e*d.digital); n > 0; n-- {
				add(ranking.ClassDigital, "leaflet_view", 1, "")
			}
			for n := poisson(rng, 0.02*e*d.digital); n > 0; n-- {
				add(ranking.ClassDigital, "leaflet_search", 1, "")
			}
			for n := poisson(rng, 0.03); n > 0; n-- { // noise: opens unrelated to value
				add(ranking.ClassDigital, "material_open", 1, "")
			}
			c := e
			if m.competSgn < 0 {
				c = 1 - e
			}
			for n := poisson(rng, 0.01+0.07*c); n > 0; n-- {
				add(ranking.ClassCompetitor, []string{"competitor_event", "competitor_meeting", "competitor_visit"}[rng.IntN(3)], 1, "")
			}
			if day == trialDay {
				switch {
				case e >= m.highAt && d.hosp.lvl.tier <= 1 && rng.Float64() < 0.3:
					add(ranking.ClassTrial, "trial_investigator", 1, "III期临床研究")
				case rng.Float64() < 0.1*e:
					add(ranking.ClassTrial, "trial_enrolled", 1, "真实世界研究入组")
				}
			}
			m.visit(rng, d, day, e, add)
		}
	}
}

// visit is the rep's habit: the legacy ABC decides how often a doctor is
// called on (A often, C seldom), the doctor's engagement whether it goes well.
func (m *Market) visit(rng *rand.Rand, d *doctor, day int, e float64, add func(class, kind string, v float64, detail string)) {
	wd := int(Start.AddDate(0, 0, day).Weekday())
	inClinic := false
	for _, s := range d.sessions {
		inClinic = inClinic || s.Weekday == wd
	}
	rate := map[string]float64{"A": 0.22, "B": 0.1, "C": 0.04}[d.legacyTier]
	if !inClinic || rng.Float64() >= rate {
		return
	}
	if rng.Float64() >= 0.5+0.4*e {
		add(ranking.ClassVisit, "visit_no_show", 0, "")
		return
	}
	add(ranking.ClassVisit, "visit_met", 1, "")
	if rng.Float64() < e {
		add(ranking.ClassVisit, "visit_positive", 1, "")
	}
}
