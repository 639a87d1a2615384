package ranking

import (
	"fmt"
	"math"

	"visitbot/signals"
)

// Weights are the signed class weights of the heat index, indexed like
// signals.Keys(). A negative weight says that, in this company's market, the
// class goes with lower value (competitor contacts may); only that class's
// signals can then lower a doctor's heat. The calibration (visitbot tune)
// fits them on the company's own history; config ranking.weights holds the
// defaults an admin accepted.
type Weights [signals.N]float64

// MaxWeight bounds the magnitude of one class weight (config validation and
// tuned proposals alike): weights are relative, so a larger range adds
// nothing but room for a typo.
const MaxWeight = 10.0

// WeightsOf builds Weights from a class → weight map (config ranking.weights,
// overrides); a class left out weighs 0.
func WeightsOf(m map[string]float64) (Weights, error) {
	var w Weights
	for class, v := range m {
		i := classIndex(class)
		if i < 0 {
			return w, fmt.Errorf("weight for unknown signal class %q", class)
		}
		if math.IsNaN(v) || math.Abs(v) > MaxWeight {
			return w, fmt.Errorf("weight %s must be between -%v and %v, got %v", class, MaxWeight, MaxWeight, v)
		}
		w[i] = v
	}
	return w, nil
}

// Map is the weights by class key, every class included.
func (w Weights) Map() map[string]float64 {
	out := make(map[string]float64, len(w))
	for i, c := range classes {
		out[c] = w[i]
	}
	return out
}

// Of returns the weight of one class (0 for an unknown class).
func (w Weights) Of(class string) float64 {
	if i := classIndex(class); i >= 0 {
		return w[i]
	}
	return 0
}

// norm is the sum of the positive weights: a doctor at the top of every
// positive class scores 100 before rule points.
func (w Weights) norm() float64 {
	n := 0.0
	for _, v := range w {
		n += max(v, 0)
	}
	return n
}

// Points is one class's contribution to the 0–100 heat for sub-score sub.
func (w Weights) Points(i int, sub float64) float64 {
	n := w.norm()
	if n == 0 {
		return 0
	}
	return 100 * w[i] * sub / n
}

// Features are what the heat index knows of a doctor before weighting: each
// class's sub-score in [0,1] (rule multipliers applied) and the rule points.
// Heat is Weights.Heat(Features); the calibration fits Weights to them.
type Features struct {
	Sub   [signals.N]float64
	Bonus float64
}

// Heat is the 0–100 heat index of features under these weights:
//
//	heat = 100 · Σ w_c·sub_c / Σ max(w_c,0) + bonus, clamped to [0,100]
func (w Weights) Heat(f Features) float64 {
	sum := f.Bonus
	for i := range w {
		sum += w.Points(i, f.Sub[i])
	}
	return math.Max(0, math.Min(100, sum))
}

// Features returns the features of h (the sub-scores and rule points Heat computed).
func (h Heat) Features() Features {
	f := Features{Bonus: h.Bonus}
	for i, c := range h.Classes {
		f.Sub[i] = c.Sub
	}
	return f
}
