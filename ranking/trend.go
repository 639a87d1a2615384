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
	// Recent and Prior are the average monthly quantity over the months
	// present in each window (a month missing from the data is unknown, not
	// zero); RecentMonths and PriorMonths count those months.
	Recent, Prior             float64
	RecentMonths, PriorMonths int
	// Growth is (Recent-Prior)/Prior when Known and Prior > 0.
	Growth float64
	// Known is set only when both windows have data: with the earlier window
	// missing (data imported recently) the trend is unknown, not growth.
	Known bool
	// FromZero is a known trend of a department that started from nothing
	// (Prior is 0, Recent is not): a start, with no percentage to tell.
	FromZero bool
}

// Score maps the trend to a sub-score in [0,1]: 0.5 is flat and unknown
// (neutral: a department without data is not a falling one), a start from
// zero counts as strong growth.
func (t Trend) Score() float64 {
	switch {
	case !t.Known:
		return 0.5
	case t.FromZero:
		return 0.5 + 0.5*math.Tanh(1)
	}
	return 0.5 + 0.5*math.Tanh(t.Growth/trendScale)
}

// Trends aggregates flow data into one Trend per hospital department, over all
// products, comparing the average month of the TrendMonths complete months
// before day's month with that of the TrendMonths before those, each over
// the months present. Points outside both windows are ignored.
func Trends(points []FlowPoint, day time.Time) map[DeptKey]Trend {
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	recent := make(map[string]bool, TrendMonths)
	prior := make(map[string]bool, TrendMonths)
	for i := 1; i <= TrendMonths; i++ {
		recent[first.AddDate(0, -i, 0).Format("2006-01")] = true
		prior[first.AddDate(0, -i-TrendMonths, 0).Format("2006-01")] = true
	}
	type acc struct {
		sum    [2]float64
		months [2]map[string]bool
	}
	accs := map[DeptKey]*acc{}
	for _, p := range points {
		side := 0
		switch {
		case recent[p.Month]:
		case prior[p.Month]:
			side = 1
		default:
			continue
		}
		k := DeptKey{p.HospitalID, p.Department}
		a := accs[k]
		if a == nil {
			a = &acc{months: [2]map[string]bool{{}, {}}}
			accs[k] = a
		}
		a.sum[side] += p.Quantity
		a.months[side][p.Month] = true
	}
	out := make(map[DeptKey]Trend, len(accs))
	for k, a := range accs {
		t := Trend{RecentMonths: len(a.months[0]), PriorMonths: len(a.months[1])}
		if t.RecentMonths > 0 {
			t.Recent = a.sum[0] / float64(t.RecentMonths)
		}
		if t.PriorMonths > 0 {
			t.Prior = a.sum[1] / float64(t.PriorMonths)
		}
		t.Known = t.RecentMonths > 0 && t.PriorMonths > 0
		switch {
		case !t.Known:
		case t.Prior > 0:
			t.Growth = (t.Recent - t.Prior) / t.Prior
		case t.Recent > 0:
			t.FromZero = true
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
