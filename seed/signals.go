package seed

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"visitbot/models"
)

// Signal sources, as a connector would label them.
const (
	sourceMaster   = "hcp_master"
	sourceCRM      = "crm"
	sourceAcademic = "academic"
	sourceLearning = "elearning"
	sourceIntel    = "field_intel"
	sourceTrials   = "trials"
	sourceDigital  = "wechat_mp"
)

// signalIDPrefix starts every generated signal's external id, so seeded
// history never collides with ingested signals.
const signalIDPrefix = "seed-"

// visitNoShowBase is the share of visits where even an engaged doctor was not met.
const visitNoShowBase = 0.1

// signalGen accumulates one doctor's signals.
type signalGen struct {
	w   *world
	d   *doctor
	r   *rand.Rand
	id  uint
	out []models.Signal
}

func (g *signalGen) add(key, class, kind string, value float64, at time.Time, source, detail string) {
	at = at.UTC()
	g.out = append(g.out, models.Signal{
		ExternalID: signalIDPrefix + g.d.ExternalID + "-" + key, DoctorID: g.id, Class: class, Kind: kind,
		Value: value, OccurredAt: at, Source: source, Detail: detail, CreatedAt: at,
	})
}

// at returns day at a random time between fromHour and toHour.
func (g *signalGen) at(day time.Time, fromHour, toHour int) time.Time {
	return day.Add(time.Duration(fromHour)*time.Hour + time.Duration(g.r.IntN((toHour-fromHour)*60))*time.Minute)
}

// silentSince is the day from which a silent KOL has had no contact (zero if not silent).
func (g *signalGen) silentSince() time.Time {
	if g.d.SilentDays == 0 {
		return time.Time{}
	}
	return g.w.today.AddDate(0, 0, -g.d.SilentDays)
}

// quiet reports whether contact at t would break a silent KOL's silence.
func (g *signalGen) quiet(t time.Time) bool {
	s := g.silentSince()
	return !s.IsZero() && !t.Before(s)
}

// signals generates doctor i's history; doctorID is its database id. The
// result depends only on the seed, the world and i.
func (w *world) signals(i int, doctorID uint) []models.Signal {
	g := &signalGen{w: w, d: &w.doctors[i], r: newRand(w.opts.Seed, streamSignals, uint64(i)), id: doctorID}
	g.filing()
	g.trials()
	if g.d.Primary >= 0 {
		g.lectures()
		g.meetings()
		g.digital()
	}
	g.competitor()
	g.visits()
	slices.SortFunc(g.out, func(a, b models.Signal) int {
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), strings.Compare(a.ExternalID, b.ExternalID))
	})
	return g.out
}

// filing: the doctor's filing roles (备案信息) as dated filing events. A
// rising doctor was appointed to the formulary committee in the last weeks.
func (g *signalGen) filing() {
	d := g.d
	early := func() time.Time { return g.at(g.w.start.AddDate(0, 0, g.r.IntN(30)), 9, 17) }
	if d.KOL {
		g.add("filing-kol", models.ClassFiling, "kol", 1, early(), sourceMaster, "省级学科带头人（KOL）")
	}
	for _, role := range d.Roles {
		at, detail := early(), roleDetail[role]
		if d.Rising && role == roleFormulary {
			at, detail = g.at(g.w.today.AddDate(0, 0, -7-g.r.IntN(14)), 9, 17), "新任"+detail
		}
		g.add("filing-"+role, models.ClassFiling, role, 1, at, sourceMaster, detail)
	}
}

// trials: clinical-trial investigators among senior doctors of tertiary
// hospitals, some with enrolled patients; about a third started recently.
func (g *signalGen) trials() {
	d, h := g.d, g.w.hospitals[g.d.Hospital]
	if d.Primary < 0 || h.Level != models.Level3A {
		return
	}
	p := map[string]float64{models.TitleChief: 0.12, models.TitleAssociate: 0.06, models.TitleAttending: 0.01}[d.Title]
	if g.r.Float64() >= p {
		return
	}
	prod := products[d.Primary]
	study := fmt.Sprintf("%s-301 %sIII期临床研究", prod.Code, prod.Area)
	back := g.r.IntN(150)
	if g.r.Float64() < 0.35 {
		back = 3 + g.r.IntN(40)
	}
	day := g.w.today.AddDate(0, 0, -back)
	if day.Before(g.w.start) {
		day = g.w.start
	}
	g.add("trial-investigator", models.ClassTrial, "trial_investigator", 1, g.at(day, 9, 17), sourceTrials, "研究者："+study)
	if g.r.Float64() < 0.5 && back > 7 {
		g.add("trial-enrolled", models.ClassTrial, "trial_enrolled", float64(1+g.r.IntN(6)),
			g.at(day.AddDate(0, 0, 3+g.r.IntN(back-3)), 9, 17), sourceTrials, "入组受试者："+study)
	}
}

// lectures: weekly online lectures of the primary product; attendance is a
// Markov chain, so engaged doctors attend streaks ("连续2次参加线上讲座").
// Rising doctors attend every episode of the last four weeks.
func (g *signalGen) lectures() {
	d := g.d
	prod := products[d.Primary]
	first, cont := 0.04+0.3*d.Engagement, 0.3+0.55*d.Engagement
	prev := false
	for _, l := range g.w.lectures[d.Primary] {
		p := first
		if prev {
			p = cont
		}
		attend := g.r.Float64() < p
		if d.Rising && !l.At.Before(g.w.rampStart) {
			attend = true
		}
		if g.quiet(l.At) {
			attend = false
		}
		prev = attend
		if attend {
			g.add(fmt.Sprintf("lecture-%d", l.No), models.ClassLecture, "lecture_attend", 1,
				l.At.Add(time.Duration(g.r.IntN(10))*time.Minute), sourceLearning, fmt.Sprintf("%s第%d期", prod.Lecture, l.No))
		}
	}
}

// meetings: academic meetings of the primary product's area; KOLs of
// tertiary hospitals sometimes speak.
func (g *signalGen) meetings() {
	d := g.d
	p := 0.03 + 0.25*d.Engagement
	if d.KOL {
		p = math.Min(0.8, 2*p)
	}
	lastRamp := -1
	for k, m := range g.w.meetings[d.Primary] {
		if d.Rising && !m.At.Before(g.w.rampStart) {
			lastRamp = k
		}
	}
	for k, m := range g.w.meetings[d.Primary] {
		attend := g.r.Float64() < p || k == lastRamp
		if !attend || g.quiet(m.At) {
			continue
		}
		kind := "meeting_attend"
		if d.KOL && g.r.Float64() < 0.3 {
			kind = "meeting_speaker"
		}
		g.add(fmt.Sprintf("meeting-%d", k), models.ClassMeeting, kind, 1, m.At.Add(time.Duration(g.r.IntN(6*60))*time.Minute), sourceAcademic, m.Title)
	}
}

// digital: leaflet (说明书) views and searches and material opens, a Poisson
// process per kind. Rising doctors read five times as much in the last four
// weeks; half the silent KOLs searched the leaflet twice this week.
func (g *signalGen) digital() {
	d := g.d
	prod := products[d.Primary]
	brand, _, _ := strings.Cut(prod.Name, "（")
	kinds := []struct {
		kind   string
		weekly float64
		detail func() string
	}{
		{"leaflet_view", 0.03 + 0.35*d.Engagement, func() string { return prod.Materials[0] }},
		{"leaflet_search", 0.01 + 0.12*d.Engagement, func() string { return "搜索：" + brand + " 说明书" }},
		{"material_open", 0.02 + 0.2*d.Engagement, func() string { return prod.Materials[1+g.r.IntN(len(prod.Materials)-1)] }},
	}
	n := 0
	for _, k := range kinds {
		t := g.w.start
		for {
			rate := k.weekly / 7 // per day
			if d.Rising && !t.Before(g.w.rampStart) {
				rate = 5 * (0.03 + 0.35*0.7) / 7
			}
			next := t.Add(time.Duration(g.r.ExpFloat64() / rate * 24 * float64(time.Hour)))
			if d.Rising && t.Before(g.w.rampStart) && !next.Before(g.w.rampStart) {
				// The process is memoryless: restart at the ramp with the new rate.
				t = g.w.rampStart
				continue
			}
			t = next
			if !t.Before(g.w.today) {
				break
			}
			n++
			g.add(fmt.Sprintf("digital-%d", n), models.ClassDigital, k.kind, 1, t.Truncate(time.Minute), sourceDigital, k.detail())
		}
	}
	if d.SilentDays > 0 && d.SilentDays%2 == 0 {
		for k := range 2 {
			n++
			day := g.w.today.AddDate(0, 0, -1-2*k-g.r.IntN(2))
			g.add(fmt.Sprintf("digital-%d", n), models.ClassDigital, "leaflet_search", 1, g.at(day, 20, 23), sourceDigital, "搜索："+brand+" 说明书")
		}
	}
}

// competitor: contacts with competitors' reps and events; less engaged
// doctors see more of them.
func (g *signalGen) competitor() {
	d := g.d
	mean := 0.4 + 1.6*(1-d.Engagement)
	if d.KOL {
		mean *= 1.5
	}
	comp := "竞品"
	if d.Primary >= 0 {
		comp = products[d.Primary].Competitor
	}
	span := int(g.w.today.Sub(g.w.start).Hours() / 24)
	for k := range poisson(g.r, mean) {
		day := g.w.start.AddDate(0, 0, g.r.IntN(span))
		if g.r.Float64() < 0.7 {
			g.add(fmt.Sprintf("competitor-%d", k+1), models.ClassCompetitor, "competitor_visit", 1, g.at(day, 9, 17), sourceIntel, "竞品代表拜访："+comp)
		} else {
			g.add(fmt.Sprintf("competitor-%d", k+1), models.ClassCompetitor, "competitor_meeting", 1, g.at(day, 13, 20), sourceIntel, "参加竞品学术活动："+comp)
		}
	}
}

// poisson draws a Poisson-distributed count (Knuth; mean is small).
func poisson(r *rand.Rand, mean float64) int {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// visitIntervals are the days between visits by legacy tier (A, B, C).
var visitIntervals = map[string][2]int{"A": {8, 12}, "B": {15, 22}, "C": {28, 45}}

// visits: the assigned rep's visit history on clinic days, one signal per
// visit (met, positive, or no-show). Every KOL but the silent ones was seen
// in the last 12 days; silent KOLs not for 20+ days.
func (g *signalGen) visits() {
	d := g.d
	iv := visitIntervals[d.LegacyTier]
	repID := g.w.reps[d.Rep].UserID
	var last time.Time
	visit := func(day time.Time) {
		s, ok := g.sessionOn(day)
		if !ok || g.quiet(day) || !day.Before(g.w.today) {
			return
		}
		from := 9
		if s.Period == models.PeriodPM {
			from = 14
		}
		kind := "visit_met"
		switch u := g.r.Float64(); {
		case u < visitNoShowBase+0.1*(1-d.Engagement):
			kind = "visit_no_show"
		case u < 0.3+0.5*d.Engagement || (d.Rising && !day.Before(g.w.rampStart)):
			kind = "visit_positive"
		}
		g.add("visit-"+day.Format("20060102"), models.ClassVisit, kind, 1, g.at(day, from, from+3), sourceCRM, "拜访代表："+repID)
		last = day
	}
	day := g.w.start.AddDate(0, 0, g.r.IntN(iv[1]))
	for day.Before(g.w.today) {
		visit(g.nextSessionDay(day))
		day = day.AddDate(0, 0, iv[0]+g.r.IntN(iv[1]-iv[0]+1))
	}
	recent := g.w.today.AddDate(0, 0, -12)
	if (d.KOL && d.SilentDays == 0 || d.Rising) && last.Before(recent) {
		visit(g.nextSessionDay(g.w.today.AddDate(0, 0, -10)))
	}
}

// sessionOn is the doctor's clinic session on day, if any.
func (g *signalGen) sessionOn(day time.Time) (session, bool) {
	wd := int(day.Weekday())
	if wd == 0 {
		wd = 7
	}
	for _, s := range g.d.Sessions {
		if s.Weekday == wd {
			return s, true
		}
	}
	return session{}, false
}

// nextSessionDay is the first day from day on with a clinic session.
func (g *signalGen) nextSessionDay(day time.Time) time.Time {
	for k := 0; k < 7; k++ {
		if _, ok := g.sessionOn(day); ok {
			return day
		}
		day = day.AddDate(0, 0, 1)
	}
	return day
}
