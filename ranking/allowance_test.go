package ranking

import (
	"math"
	"testing"
)

func TestAllowanceShortensTheDayOfARepOverTheTarget(t *testing.T) {
	o := RouteOptions{SpeedKMH: 30, TravelBudgetMinutes: 40, KMPerDay: 15}
	ten := func(km float64) []float64 {
		out := make([]float64, AllowanceDays)
		for i := range out {
			out[i] = km
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		o      RouteOptions
		recent []float64
		want   float64
	}{
		{"no earlier day", o, nil, 40},
		{"at the target", o, ten(15), 40},
		{"under the target: never longer", o, ten(5), 40},
		{"10% over: 30% shorter", o, ten(16.5), 28},
		{"far over: half at least", o, ten(60), 20},
		{"only the latest days count", o, append(ten(16.5), 500, 500), 28},
		{"fewer days than the window", o, []float64{18, 12}, 40},
		{"one day over", o, []float64{17}, 24},
		{"metres, as the lists store them", o, []float64{16.5004}, 28},
		{"off", RouteOptions{SpeedKMH: 30, TravelBudgetMinutes: 40}, ten(60), 40},
		{"no speed: no bound to shorten", RouteOptions{TravelBudgetMinutes: 40, KMPerDay: 15}, ten(60), 40},
	} {
		if got := tc.o.Allowance(tc.recent); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: allowance %v, want %v", tc.name, got, tc.want)
		}
	}
	p := PlanOptions{Route: o}.WithAllowance(ten(16.5))
	if p.Route.TravelBudgetMinutes != 28 || p.Route.KMPerDay != 15 {
		t.Errorf("WithAllowance: %+v", p.Route)
	}
}
