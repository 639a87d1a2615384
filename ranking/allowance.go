package ranking

import "math"

// AllowanceDays is how many of a rep's latest planned days the travel
// allowance averages, and AllowanceWindowDays how many calendar days before
// the day those are looked for in: two working weeks, long enough that one
// long trip does not cut the next day short, short enough to follow a
// changed territory (and a small read for the morning run).
const (
	AllowanceDays       = 10
	AllowanceWindowDays = 14
)

// allowanceGain is how hard the allowance pulls a rep back to KMPerDay: a
// rep whose latest days averaged 10 % over it plans today on a budget 30 %
// shorter. A gain of about 1 left the mean of territories whose hospitals lie up
// to 20 km out (12 on the usual simulated markets) at 15.3 km for a target
// of 15; 3 brings it to 14.8.
const allowanceGain = 3

// minAllowance is the shortest day's budget, as a share of
// TravelBudgetMinutes: below it a day reaches only the nearest hospital.
const minAllowance = 0.5

// Allowance is the travel budget (minutes) of a rep's day:
// TravelBudgetMinutes, shortened when the rep's latest planned days (recent:
// the route km of the rep's lists of the AllowanceWindowDays before the
// day, newest first, the first AllowanceDays counted) averaged
// more than KMPerDay road km, by allowanceGain × the relative excess, to no
// less than half. It never lengthens the budget: on the simulated markets a
// budget that also grew for reps under the target gave 0.005 less precision
// at the same km per day (a day's precision grows more slowly with its
// budget than it falls), so a rep's days vary only as their doctors do.
// Without KMPerDay, a speed or any earlier day it is TravelBudgetMinutes.
// Route km count to the metre, as the lists store them, so a replay from
// memory and a morning run from the store plan alike.
func (o RouteOptions) Allowance(recent []float64) float64 {
	b := o.TravelBudgetMinutes
	if o.KMPerDay <= 0 || o.SpeedKMH <= 0 || b <= 0 || len(recent) == 0 {
		return b
	}
	recent = recent[:min(len(recent), AllowanceDays)]
	sum := 0.0
	for _, km := range recent {
		sum += math.Round(max(km, 0)*1000) / 1000
	}
	over := (sum/float64(len(recent)) - o.KMPerDay) / o.KMPerDay
	return b * min(1, max(minAllowance, 1-allowanceGain*over))
}

// WithAllowance is o with the day's travel budget set by Allowance(recent).
func (o PlanOptions) WithAllowance(recent []float64) PlanOptions {
	o.Route.TravelBudgetMinutes = o.Route.Allowance(recent)
	return o
}
