package sim

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"visitbot/config"
	"visitbot/ranking"
)

// Result is one method's scores on the simulated market.
type Result struct {
	Method string
	// PrecisionAt5 is the mean share of truly high-potential doctors among a
	// rep's daily picks (rep-days with at least one pick).
	PrecisionAt5 float64
	// MeanDaysToEntry is the mean number of days from a rising doctor
	// becoming high-potential to first appearing in the rep's Top-5; riser
	// never picked count the days left to the end (censored) and are also
	// counted in NeverEntered.
	MeanDaysToEntry float64
	Risers          int
	NeverEntered    int
	RepDays         int
}

// Evaluate runs the heat-index Top-N (ranking.Plan with cfg) and the static
// ABC baseline (legacy tier, then title, then distance) over the same market.
func Evaluate(cfg config.RankingConfig, o Options) (heat, baseline Result, err error) {
	scorer, err := ranking.NewScorer(cfg, false)
	if err != nil {
		return heat, baseline, err
	}
	m := newMarket(o)
	heat, baseline = Result{Method: "heat index"}, Result{Method: "static ABC"}
	var precHeat, precBase float64
	firstHeat, firstBase := map[uint]int{}, map[uint]int{}
	byRep := make([][]*doctor, o.Reps)
	for _, d := range m.doctors {
		byRep[d.rep] = append(byRep[d.rep], d)
	}
	opts := ranking.PlanOptions{TopN: 5, CooldownDays: 0}
	for day := o.WarmupDays; day < o.Days; day++ {
		date := at(day, 0)
		dayStr := date.Format("2006-01-02")
		now := at(day, 7) // the morning push
		for r, docs := range byRep {
			var cands []ranking.Candidate
			var avail []*doctor
			for _, d := range docs {
				c := ranking.Candidate{DoctorID: d.id, Location: d.loc, Sessions: d.sessions, ProductMatch: d.product}
				wd := int(date.Weekday())
				if !slices.ContainsFunc(d.sessions, func(s ranking.Session) bool { return s.Weekday == wd }) {
					continue
				}
				n := sort.Search(len(d.signals), func(i int) bool { return d.signals[i].At.After(now) })
				c.Heat = scorer.Heat(ranking.Doctor{ID: d.id, Title: d.title, Roles: d.roles(day), Signals: d.signals[:n]}, ranking.Trend{}, now)
				cands = append(cands, c)
				avail = append(avail, d)
			}
			if len(avail) == 0 {
				continue
			}
			picks, err := ranking.Plan(m.reps[r], dayStr, cands, opts)
			if err != nil {
				return heat, baseline, fmt.Errorf("sim day %s: %w", dayStr, err)
			}
			chosen := make([]*doctor, 0, len(picks))
			for _, p := range picks {
				chosen = append(chosen, m.doctors[p.DoctorID-1])
			}
			base := baselineTop(m.reps[r], avail, 5)
			precHeat += precision(chosen, day, o.HighPotential)
			precBase += precision(base, day, o.HighPotential)
			heat.RepDays++
			note(firstHeat, chosen, day, o.HighPotential)
			note(firstBase, base, day, o.HighPotential)
		}
	}
	baseline.RepDays = heat.RepDays
	if heat.RepDays > 0 {
		heat.PrecisionAt5 = precHeat / float64(heat.RepDays)
		baseline.PrecisionAt5 = precBase / float64(heat.RepDays)
	}
	entry(&heat, m, firstHeat)
	entry(&baseline, m, firstBase)
	return heat, baseline, nil
}

func precision(chosen []*doctor, day int, high float64) float64 {
	if len(chosen) == 0 {
		return 0
	}
	hits := 0
	for _, d := range chosen {
		if d.potential(day) >= high {
			hits++
		}
	}
	return float64(hits) / float64(len(chosen))
}

// note records the first day each riser is picked on or after its crossing.
func note(first map[uint]int, chosen []*doctor, day int, high float64) {
	for _, d := range chosen {
		if _, done := first[d.id]; !done && d.kind == rising && day >= d.crossing(high) {
			first[d.id] = day
		}
	}
}

// crossing is the first day a riser's potential reaches high.
func (d *doctor) crossing(high float64) int {
	for day := d.from; day <= d.to; day++ {
		if d.potential(day) >= high {
			return day
		}
	}
	return d.to
}

// entry fills the days-to-first-entry figures over risers that cross inside
// the evaluation window.
func entry(r *Result, m *market, first map[uint]int) {
	total := 0
	for _, d := range m.doctors {
		c := d.crossing(m.o.HighPotential)
		if d.kind != rising || c < m.o.WarmupDays || c >= m.o.Days {
			continue
		}
		r.Risers++
		if day, ok := first[d.id]; ok && day >= c {
			total += day - c
		} else {
			r.NeverEntered++
			total += m.o.Days - c
		}
	}
	if r.Risers > 0 {
		r.MeanDaysToEntry = float64(total) / float64(r.Risers)
	}
}

// baselineTop is the static ABC list: legacy tier, then title, then the
// nearest, then id.
func baselineTop(start ranking.Point, avail []*doctor, n int) []*doctor {
	titleRank := map[string]int{ranking.TitleChief: 0, ranking.TitleAssociate: 1, ranking.TitleAttending: 2, ranking.TitleResident: 3}
	out := slices.Clone(avail)
	slices.SortStableFunc(out, func(a, b *doctor) int {
		return cmp.Or(cmp.Compare(a.legacyTier, b.legacyTier), cmp.Compare(titleRank[a.title], titleRank[b.title]),
			cmp.Compare(ranking.DistanceM(start, a.loc), ranking.DistanceM(start, b.loc)), cmp.Compare(a.id, b.id))
	})
	return out[:min(n, len(out))]
}
