package ranking

import (
	"math"
	"time"
)

// TrendMonths is how many complete months form each side of the trend
// comparison: the last three months against the three before them, which
// smooths the monthly noise of distributor flow data.
const TrendMonths = 3

// trendScale is the growth at which the trend sub-score reaches ~0.88
// (0.5 + 0.5·tanh(1)): a department growing 30% a quarter is clearly hot.
const trendScale = 0.30

// Trend is the prescription trend of one hospital department from flow data.
type Trend struct {
	Recent, Prior float64 // summed quantity of the recent and prior windows
	// Growth is (Recent-Prior)/Prior; 1 when a department starts from zero.
	Growth float64
	// Known is false when the department has no flow data in either window.
	Known bool
}

// Score maps the trend to a sub-score in [0,1]: 0.5 is flat, unknown is 0.
func (t Trend) Score() float64 {
	if !t.Known {
		return 0
	}
	return 0.5 + 0.5*math.Tanh(t.Growth/trendScale)
}

// Trends aggregates flow data into one Trend per hospital department, over all
// products, comparing the TrendMonths complete months before day's month with
// the TrendMonths before those. Points outside both windows are ignored.
func Trends(points []FlowPoint, day time.Time) map[DeptKey]Trend {
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	recent := make(map[string]bool, TrendMonths)
	prior := make(map[string]bool, TrendMonths)
	for i := 1; i <= TrendMonths; i++ {
		recent[first.AddDate(0, -i, 0).Format("2006-01")] = true
		prior[first.AddDate(0, -i-TrendMonths, 0).Format("2006-01")] = true
	}
	out := map[DeptKey]Trend{}
	for _, p := range points {
		k := DeptKey{p.HospitalID, p.Department}
		t := out[k]
		switch {
		case recent[p.Month]:
			t.Recent += p.Quantity
		case prior[p.Month]:
			t.Prior += p.Quantity
		default:
			continue
		}
		t.Known = true
		out[k] = t
	}
	for k, t := range out {
		switch {
		case t.Prior > 0:
			t.Growth = (t.Recent - t.Prior) / t.Prior
		case t.Recent > 0:
			t.Growth = 1
		}
		out[k] = t
	}
	return out
}

// TrendWindowStart is the first month Trends reads for day, so loaders can
// fetch only what is needed.
func TrendWindowStart(day time.Time) string {
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, -2*TrendMonths, 0).Format("2006-01")
}
