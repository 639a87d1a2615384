package backtest

import (
	"slices"
	"time"

	"visitbot/ranking"
	"visitbot/signals"
)

// NaiveDays is the window of the naive baseline: positive signals in the
// last NaiveDays.
const NaiveDays = 30

// Method is one way to value a rep's doctors on a day. Every method goes
// through the same planner (ranking.Plan) with its value in place of the
// heat, so the lists differ only by value.
type Method struct {
	Name string
	// Value is the doctor's value as of asOf from the production heat.
	Value func(d *Doctor, heat ranking.Heat, asOf time.Time) float64
}

// Current ranks by the heat index of the configured weights.
func Current() Method {
	return Method{Name: "heat (current weights)", Value: func(_ *Doctor, h ranking.Heat, _ time.Time) float64 { return h.Score }}
}

// Tuned ranks by the heat under other (signed) class weights: the
// production formula (ranking.Weights.Heat) over the same features, so it
// is what the scorer gives once the weights are applied. Weights out of
// range count as 0.
func Tuned(weights map[string]float64) Method {
	w, err := ranking.WeightsOf(weights)
	if err != nil {
		w = ranking.Weights{}
	}
	return Method{Name: "heat (tuned weights)", Value: func(_ *Doctor, h ranking.Heat, _ time.Time) float64 { return w.Heat(h.Features()) }}
}

// StaticABC ranks by the legacy tier, then title: the baseline the seed
// article replaces.
func StaticABC() Method {
	tier := map[string]float64{"S": 4, "A": 3, "B": 2, "C": 1}
	title := map[string]float64{ranking.TitleChief: 3, ranking.TitleAssociate: 2, ranking.TitleAttending: 1}
	return Method{Name: "static ABC", Value: func(d *Doctor, _ ranking.Heat, _ time.Time) float64 {
		return 20*tier[d.LegacyTier] + 5*title[d.Title] + 1
	}}
}

// Naive ranks by the count of positive signals in the last NaiveDays: what
// any signal feed gives without a model.
func Naive() Method {
	return Method{Name: "naive 30-day count", Value: func(d *Doctor, _ ranking.Heat, asOf time.Time) float64 {
		n := 0
		for _, s := range d.between(asOf.AddDate(0, 0, -NaiveDays), asOf) {
			if s.Value > 0 {
				n++
			}
		}
		return float64(n) + 0.01
	}}
}

// WeightVector orders weights by the signal registry (missing = 0).
func WeightVector(weights map[string]float64) [signals.N]float64 {
	var w [signals.N]float64
	for i, k := range signals.Keys() {
		w[i] = weights[k]
	}
	return w
}

// median of xs (-1 for none); xs is sorted in place.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return -1
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
