package backtest

import (
	"math"
	"time"

	"visitbot/ranking"
)

// TargetDays is the horizon of the self-supervised target: a doctor's
// positive engagement over the TargetDays after the day.
const TargetDays = 28

// targetFlowMonths is how many months of department flow after the day's
// month are compared with the TrendMonths before it.
const targetFlowMonths = 2

// Target is the self-supervised truth of a company without one: for each
// doctor, log(1 + positive signals of the engagement classes in the
// TargetDays from day on) plus the growth of their department's flow (the
// months after the day's month against the months before, clamped to ±1,
// 0 when unknown). Competitor contacts and doctor-level prescription data
// are not engagement with us and are left out. It reads the future by
// design: use it only as the answer key, never as a feature.
func (h *History) Target(day string) map[uint]float64 {
	start := h.dayStart(day)
	end := start.AddDate(0, 0, TargetDays)
	growth := h.flowGrowth(start)
	out := make(map[uint]float64, len(h.Doctors))
	for i := range h.Doctors {
		d := &h.Doctors[i]
		n := 0
		for _, s := range d.between(start, end) {
			if s.Value > 0 && engagement(s.Class) {
				n++
			}
		}
		out[d.ID] = math.Log1p(float64(n)) + growth[ranking.DeptKey{HospitalID: d.HospitalID, Department: d.Department}]
	}
	return out
}

// TargetKnown reports whether the target of day is complete: the history
// holds signals at least TargetDays after it.
func (h *History) TargetKnown(day string) bool {
	return !h.dayStart(day).AddDate(0, 0, TargetDays).After(h.LastSignal())
}

// LastSignal is the time of the newest signal (zero without any).
func (h *History) LastSignal() time.Time {
	var last time.Time
	for i := range h.Doctors {
		if s := h.Doctors[i].Signals; len(s) > 0 && s[len(s)-1].At.After(last) {
			last = s[len(s)-1].At
		}
	}
	return last
}

func engagement(class string) bool {
	return class != ranking.ClassCompetitor && class != ranking.ClassRxTrend
}

// flowGrowth is, per department, mean monthly flow over the
// targetFlowMonths after day's month against the TrendMonths before it.
func (h *History) flowGrowth(day time.Time) map[ranking.DeptKey]float64 {
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	side := map[string]int{}
	for i := 1; i <= ranking.TrendMonths; i++ {
		side[first.AddDate(0, -i, 0).Format("2006-01")] = -1
	}
	for i := 1; i <= targetFlowMonths; i++ {
		side[first.AddDate(0, i, 0).Format("2006-01")] = 1
	}
	type sums struct {
		before, after float64
		nb, na        map[string]bool
	}
	acc := map[ranking.DeptKey]*sums{}
	for _, p := range h.Flow {
		s := side[p.Month]
		if s == 0 {
			continue
		}
		k := ranking.DeptKey{HospitalID: p.HospitalID, Department: p.Department}
		a := acc[k]
		if a == nil {
			a = &sums{nb: map[string]bool{}, na: map[string]bool{}}
			acc[k] = a
		}
		if s < 0 {
			a.before += p.Quantity
			a.nb[p.Month] = true
		} else {
			a.after += p.Quantity
			a.na[p.Month] = true
		}
	}
	out := make(map[ranking.DeptKey]float64, len(acc))
	for k, a := range acc {
		if len(a.nb) == 0 || len(a.na) == 0 || a.before <= 0 {
			continue
		}
		g := (a.after/float64(len(a.na)))/(a.before/float64(len(a.nb))) - 1
		out[k] = math.Max(-1, math.Min(1, g))
	}
	return out
}
