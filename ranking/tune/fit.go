// Package tune calibrates the heat index on a company's own history: it fits
// the class weights (and, for signed classes, their sign) against the
// self-supervised target of package backtest on the earlier part of a
// period and reports on the held-out later part. It proposes; applying is an
// admin's audited act (visitbot tune -apply), never automatic.
package tune

import (
	"errors"
	"math"

	"visitbot/signals"
)

// Sample is one doctor-day: the class sub-scores of the heat (features) and
// the target, both already centred and scaled within the day by the caller
// or not — Fit centres them per Group.
type Sample struct {
	Group int // the day: features and target are centred per group
	X     [signals.N]float64
	Y     float64
}

// FitOptions shape the fit.
type FitOptions struct {
	// Defaults are the current weights: the fit is pulled toward them and
	// a class that does not vary keeps its default.
	Defaults [signals.N]float64
	// Signed marks classes whose weight may be negative; every other weight
	// stays ≥ 0.
	Signed [signals.N]bool
	// Lambda is the ridge strength toward the defaults (0 = plain least
	// squares), relative to the number of samples.
	Lambda float64
}

// ErrNoSamples is returned when nothing varies enough to fit.
var ErrNoSamples = errors.New("tune: no samples with a varying target")

// Fit returns weights w minimising, over samples centred per group,
//
//	Σ (y − Σ_c w_c·x_c)² + λ·n·Σ_c s_c²·(w_c − α·d_c)²
//
// with s_c the spread of class c and α the least-squares scale of the
// defaults d, by cyclic coordinate descent with w_c ≥ 0 unless signed. The
// result is rescaled so that Σ|w| = Σ d (the heat's scale does not change).
func Fit(samples []Sample, o FitOptions) ([signals.N]float64, error) {
	const n = signals.N
	var w [n]float64
	xs, ys := centre(samples)
	if len(ys) == 0 {
		return w, ErrNoSamples
	}
	var sd [n]float64
	for _, x := range xs {
		for c := range n {
			sd[c] += x[c] * x[c]
		}
	}
	var yy float64
	for _, y := range ys {
		yy += y * y
	}
	if yy == 0 {
		return w, ErrNoSamples
	}
	for c := range n {
		sd[c] = math.Sqrt(sd[c] / float64(len(xs)))
	}
	// α: the scale at which the default score best fits y, but at least a
	// quarter of the scale at which its spread matches y's — when the
	// defaults explain nothing the pull still keeps their proportions.
	var dy, dd float64
	for i, x := range xs {
		s := dot(o.Defaults, x)
		dy += s * ys[i]
		dd += s * s
	}
	alpha := 0.0
	if dd > 0 {
		alpha = math.Max(dy/dd, 0.25*math.Sqrt(yy/dd))
	}
	var prior [n]float64
	for c := range n {
		prior[c] = alpha * o.Defaults[c]
	}
	w = prior
	// Gram matrix and x·y once: coordinate descent then costs O(n²) a sweep.
	var g [n][n]float64
	var xy [n]float64
	for i, x := range xs {
		for a := range n {
			xy[a] += x[a] * ys[i]
			for b := range n {
				g[a][b] += x[a] * x[b]
			}
		}
	}
	lam := o.Lambda * float64(len(xs))
	for sweep := 0; sweep < 500; sweep++ {
		moved := 0.0
		for c := range n {
			if sd[c] < 1e-9 {
				continue // nothing to learn: keep the prior
			}
			r := xy[c] - (dot(g[c], w) - g[c][c]*w[c])
			reg := lam * sd[c] * sd[c]
			v := (r + reg*prior[c]) / (g[c][c] + reg)
			if !o.Signed[c] {
				v = math.Max(0, v)
			}
			moved = math.Max(moved, math.Abs(v-w[c]))
			w[c] = v
		}
		if moved < 1e-10 {
			break
		}
	}
	// Classes that never vary keep their default weight (in the fitted scale).
	for c := range n {
		if sd[c] < 1e-9 {
			w[c] = prior[c]
		}
	}
	return rescale(w, o.Defaults), nil
}

// centre subtracts each group's mean from features and target, and drops
// groups whose target does not vary.
func centre(samples []Sample) ([][signals.N]float64, []float64) {
	type acc struct {
		x    [signals.N]float64
		y    float64
		n    int
		ymin float64
		ymax float64
	}
	groups := map[int]*acc{}
	for _, s := range samples {
		a := groups[s.Group]
		if a == nil {
			a = &acc{ymin: s.Y, ymax: s.Y}
			groups[s.Group] = a
		}
		for c := range s.X {
			a.x[c] += s.X[c]
		}
		a.y += s.Y
		a.n++
		a.ymin, a.ymax = math.Min(a.ymin, s.Y), math.Max(a.ymax, s.Y)
	}
	var xs [][signals.N]float64
	var ys []float64
	for _, s := range samples {
		a := groups[s.Group]
		if a.ymax == a.ymin {
			continue
		}
		var x [signals.N]float64
		for c := range x {
			x[c] = s.X[c] - a.x[c]/float64(a.n)
		}
		xs = append(xs, x)
		ys = append(ys, s.Y-a.y/float64(a.n))
	}
	return xs, ys
}

func dot(a, b [signals.N]float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// rescale makes Σ|w| equal Σ|d| (all zero: the defaults).
func rescale(w, d [signals.N]float64) [signals.N]float64 {
	var sw, sd float64
	for i := range w {
		sw += math.Abs(w[i])
		sd += math.Abs(d[i])
	}
	if sw == 0 {
		return d
	}
	for i := range w {
		w[i] = math.Round(w[i]*sd/sw*1e4) / 1e4
	}
	return w
}
