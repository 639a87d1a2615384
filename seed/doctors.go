package seed

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"visitbot/models"
)

var titleWeights = map[string][]float64{ // chief, associate, attending, resident
	models.Level3A:        {15, 25, 35, 25},
	models.Level3:         {10, 25, 40, 25},
	models.Level2:         {6, 20, 46, 28},
	models.LevelCommunity: {2, 10, 55, 33},
}

var titles = []string{models.TitleChief, models.TitleAssociate, models.TitleAttending, models.TitleResident}

func (w *world) genDoctors() {
	weights := make([]float64, len(w.hospitals))
	for i, h := range w.hospitals {
		weights[i] = hospitalWeight(h)
	}
	counts := apportion(w.opts.Doctors, weights)
	for h, c := range counts {
		hosp := w.hospitals[h]
		for range c {
			i := len(w.doctors)
			r := newRand(w.opts.Seed, streamDoctors, uint64(i))
			w.doctors = append(w.doctors, newDoctor(r, i, h, hosp))
		}
	}
}

func newDoctor(r *rand.Rand, i, h int, hosp hospital) doctor {
	d := doctor{ExternalID: fmt.Sprintf("D%06d", i+1), Hospital: h, Name: chineseName(r)}
	d.Dept = departments[pickWeighted(r, departmentWeights[hosp.Profile])]
	d.Title = titles[pickWeighted(r, titleWeights[hosp.Level])]
	tertiary := hosp.Level == models.Level3A || hosp.Level == models.Level3
	kolP := map[string]float64{models.TitleChief: 0.05, models.TitleAssociate: 0.01}[d.Title]
	if tertiary {
		kolP = map[string]float64{models.TitleChief: 0.45, models.TitleAssociate: 0.12, models.TitleAttending: 0.01}[d.Title]
	}
	d.KOL = r.Float64() < kolP
	roleP := map[string][3]float64{ // formulary, insurance, society
		models.TitleChief:     {0.3, 0.15, 0.2},
		models.TitleAssociate: {0.12, 0.05, 0.05},
		models.TitleAttending: {0.02, 0, 0},
	}[d.Title]
	if d.KOL {
		roleP[2] = 0.7
	}
	for k, role := range []string{roleFormulary, roleInsurance, roleSociety} {
		if r.Float64() < roleP[k] {
			d.Roles = append(d.Roles, role)
		}
	}
	score := map[string]float64{models.TitleChief: 3, models.TitleAssociate: 2, models.TitleAttending: 1}[d.Title] + 2*r.Float64() - 1
	if d.KOL {
		score += 2
	}
	if hosp.Level == models.Level3A {
		score++
	}
	d.LegacyTier = "C"
	if score >= 3.5 {
		d.LegacyTier = "A"
	} else if score >= 1.5 {
		d.LegacyTier = "B"
	}
	e := r.Float64()
	d.Engagement = 0.05 + 0.8*e*e
	if d.KOL {
		d.Engagement = 0.35 + 0.6*e
	}
	if d.Title == models.TitleResident {
		d.Engagement *= 0.7
	}
	d.Sessions = newSessions(r, d.Title, hosp.Level == models.Level3A)
	d.Primary = primaryProduct(d.Dept)
	for p, prod := range products {
		if fit := prod.Fit[d.Dept]; fit > 0 {
			d.Products = append(d.Products, productMatch{p, round(clamp(fit+0.2*(r.Float64()-0.5), 0.05, 1), 2)})
		}
	}
	return d
}

// newSessions draws 1–4 distinct weekly clinic sessions, Monday AM first.
func newSessions(r *rand.Rand, title string, saturday bool) []session {
	span := map[string][2]int{
		models.TitleChief: {1, 2}, models.TitleAssociate: {2, 3}, models.TitleAttending: {2, 4}, models.TitleResident: {1, 2},
	}[title]
	lo, hi := span[0], span[1]
	n := lo + r.IntN(hi-lo+1)
	var out []session
	for len(out) < n {
		s := session{Weekday: 1 + r.IntN(5), Period: models.PeriodAM}
		if saturday && r.Float64() < 0.08 {
			s.Weekday = 6
		}
		if r.Float64() < 0.35 {
			s.Period = models.PeriodPM
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b session) int {
		return cmp.Or(cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(a.Period, b.Period))
	})
	return out
}

// pickSpecials chooses the hidden rising doctors and the silent KOLs, and
// the upcoming clinic cancellations (停诊).
func (w *world) pickSpecials() {
	r := newRand(w.opts.Seed, streamPicks, 0)
	var rising, kols []int
	for i, d := range w.doctors {
		lvl := w.hospitals[d.Hospital].Level
		if d.Title == models.TitleAttending && !d.KOL && d.Primary >= 0 && (lvl == models.Level3A || lvl == models.Level3) {
			rising = append(rising, i)
		}
		if d.KOL {
			kols = append(kols, i)
		}
	}
	r.Shuffle(len(rising), func(i, j int) { rising[i], rising[j] = rising[j], rising[i] })
	for _, i := range rising[:min(len(rising), max(2, w.opts.Doctors/120))] {
		d := &w.doctors[i]
		d.Rising, d.LegacyTier, d.Engagement = true, "C", 0.08
		if !slices.Contains(d.Roles, roleFormulary) {
			d.Roles = append([]string{roleFormulary}, d.Roles...)
		}
	}
	r.Shuffle(len(kols), func(i, j int) { kols[i], kols[j] = kols[j], kols[i] })
	for _, i := range kols[:min(len(kols), max(1, w.opts.Doctors/100))] {
		w.doctors[i].SilentDays = 20 + r.IntN(25)
	}
	for i := range w.doctors {
		d := &w.doctors[i]
		if r.Float64() >= 0.04 {
			continue
		}
		s := d.Sessions[r.IntN(len(d.Sessions))]
		day := w.today
		for int(day.Weekday()) != s.Weekday%7 {
			day = day.AddDate(0, 0, 1)
		}
		day = day.AddDate(0, 0, 7*r.IntN(2))
		c := cancellation{Day: day.Format(time.DateOnly), Period: s.Period, Reason: cancelReasons[r.IntN(len(cancelReasons))]}
		if r.Float64() < 0.25 {
			c.Period = ""
		}
		d.Cancellations = append(d.Cancellations, c)
	}
}
