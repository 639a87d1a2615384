package tune_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"visitbot/config"
	"visitbot/ranking/backtest"
	"visitbot/ranking/sim"
	"visitbot/ranking/tune"
	"visitbot/signals"
)

// TestFitRecoversAKnownWeightVector: targets made from known weights — one of
// them negative on a signed class — come back, up to the common scale.
func TestFitRecoversAKnownWeightVector(t *testing.T) {
	keys := signals.Keys()
	want := backtest.WeightVector(map[string]float64{
		signals.Filing: 0.3, signals.RxTrend: 0.05, signals.Meeting: 0, signals.Lecture: 0.25,
		signals.Competitor: -0.15, signals.Trial: 0.1, signals.Digital: 0.1, signals.Visit: 0.05,
	})
	defaults := backtest.WeightVector(signals.Weights())
	rng := rand.New(rand.NewPCG(1, 2))
	var samples []tune.Sample
	for day := 0; day < 40; day++ {
		shift := rng.Float64() // a day effect the per-day centring removes
		for d := 0; d < 200; d++ {
			s := tune.Sample{Group: day}
			for c := range s.X {
				s.X[c] = rng.Float64()
			}
			for c := range s.X {
				s.Y += want[c] * s.X[c]
			}
			s.Y += shift + 0.02*rng.NormFloat64()
			samples = append(samples, s)
		}
	}
	o := tune.FitOptions{Defaults: defaults, Lambda: 1e-6}
	o.Signed[indexOf(keys, signals.Competitor)] = true
	got, err := tune.Fit(samples, o)
	if err != nil {
		t.Fatal(err)
	}
	// want rescaled to the defaults' Σ|w| (the fit keeps the defaults' scale).
	var sumWant, sumDefaults float64
	for c := range want {
		sumWant += math.Abs(want[c])
		sumDefaults += math.Abs(defaults[c])
	}
	for c := range want {
		want[c] *= sumDefaults / sumWant
	}
	for c, k := range keys {
		if math.Abs(got[c]-want[c]) > 0.01 {
			t.Errorf("%s: fitted %.4f, want %.4f (all: %v)", k, got[c], want[c], got)
		}
	}

	// The same data without the sign allowed: competitor is held at 0.
	o.Signed = [signals.N]bool{}
	got, err = tune.Fit(samples, o)
	if err != nil {
		t.Fatal(err)
	}
	if w := got[indexOf(keys, signals.Competitor)]; w != 0 {
		t.Errorf("unsigned competitor fitted %.4f, want 0", w)
	}
}

func TestFitPullsTowardTheDefaultsAndRefusesFlatTargets(t *testing.T) {
	defaults := backtest.WeightVector(signals.Weights())
	var samples []tune.Sample
	rng := rand.New(rand.NewPCG(3, 4))
	for d := 0; d < 100; d++ {
		s := tune.Sample{Y: rng.NormFloat64()} // pure noise: nothing to learn
		for c := range s.X {
			s.X[c] = rng.Float64()
		}
		samples = append(samples, s)
	}
	if _, err := tune.Fit([]tune.Sample{{Y: 1}, {Y: 1}}, tune.FitOptions{Defaults: defaults}); err != tune.ErrNoSamples {
		t.Errorf("flat target: err %v", err)
	}
	got, err := tune.Fit(samples, tune.FitOptions{Defaults: defaults, Lambda: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	for c := range got {
		if math.Abs(got[c]-defaults[c]) > 0.02 {
			t.Errorf("strong pull: class %d fitted %.3f, default %.3f", c, got[c], defaults[c])
		}
	}
}

// TestCalibrateLearnsTheMarketsCompetitorSign: on a market where competitor
// contacts go with low value the proposal makes them negative, where they go
// with high value positive — and the held-out report has every method.
func TestCalibrateLearnsTheMarketsCompetitorSign(t *testing.T) {
	for _, sign := range []int{-1, 1} {
		o := sim.DefaultOptions(21)
		o.Reps, o.CompetitorSign = 8, sign
		m := sim.New(o)
		res, err := tune.Calibrate(m.History(), tune.Options{From: "2026-05-01", To: m.EvalTo(), Ranking: config.Default().Ranking})
		if err != nil {
			t.Fatal(err)
		}
		if w := res.Proposed[signals.Competitor]; float64(sign)*w <= 0 {
			t.Errorf("market sign %d: proposed competitor weight %.4f (all %v)", sign, w, res.Proposed)
		}
		if len(res.Report.Rows) != 4 || res.Report.Days == 0 || res.FitTo >= res.TestFrom {
			t.Errorf("report %+v", res.Report)
		}
		cur, tuned := res.Report.Rows[0], res.Report.Rows[1]
		if tuned.RankCorr < cur.RankCorr {
			t.Errorf("market sign %d: tuned rank correlation %.3f below current %.3f on held-out days", sign, tuned.RankCorr, cur.RankCorr)
		}
	}
}

func TestCalibrateRefusesAShortPeriod(t *testing.T) {
	m := sim.New(sim.DefaultOptions(1))
	if _, err := tune.Calibrate(m.History(), tune.Options{From: "2026-09-01", To: "2026-10-01", Ranking: config.Default().Ranking}); err == nil {
		t.Error("a 31-day period was fitted")
	}
}

func indexOf(keys []string, k string) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}
