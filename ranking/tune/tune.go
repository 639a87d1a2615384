package tune

import (
	"errors"
	"fmt"

	"visitbot/config"
	"visitbot/ranking"
	"visitbot/ranking/backtest"
	"visitbot/signals"
)

// DefaultSigned are the classes whose sign is a fact of the market rather
// than of the domain: competitor contacts are an opportunity in one market
// and a lost cause in another (shared specs/domain.md).
var DefaultSigned = []string{signals.Competitor}

// Options say what to fit on.
type Options struct {
	From, To string
	// Ranking is the current configuration (weights with the admins'
	// overrides applied): the starting point and the "current" row.
	Ranking            config.RankingConfig
	AllowDoctorLevelRx bool
	// Holdout is the later share of the period kept for the report (default 1/3).
	Holdout float64
	// Signed lists classes whose weight may turn negative (default DefaultSigned).
	Signed []string
	// Lambda pulls the fit toward the current weights (default 0.05).
	Lambda float64
	// Every samples one day in Every for the fit (default 2).
	Every int
	// Truth, when known (a simulated market), is measured in the report too.
	Truth *backtest.Truth
}

// Periods are the days a fit read and the held-out days it was measured on.
type Periods struct {
	FitFrom  string `json:"fit_from"`
	FitTo    string `json:"fit_to"`
	TestFrom string `json:"test_from"`
	TestTo   string `json:"test_to"`
}

// Result is a fit and its held-out report.
type Result struct {
	Current  map[string]float64 `json:"current"`
	Proposed map[string]float64 `json:"proposed"`
	Periods
	Samples int `json:"samples"`
	// Report is measured on the held-out days against the self-supervised
	// target; TruthReport against the truth when one was given.
	Report      backtest.Report  `json:"report"`
	TruthReport *backtest.Report `json:"truth_report,omitempty"`
}

// Calibrate fits the weights on the first part of From..To and reports on
// the held-out rest. Fit days need their whole target horizon inside the
// fit part, so the fit never reads a held-out day.
func Calibrate(h *backtest.History, o Options) (Result, error) {
	if o.Holdout <= 0 || o.Holdout >= 1 {
		o.Holdout = 1.0 / 3
	}
	if o.Lambda <= 0 {
		o.Lambda = 0.05
	}
	if o.Every <= 0 {
		o.Every = 2
	}
	if o.Signed == nil {
		o.Signed = DefaultSigned
	}
	days, err := backtest.Days(o.From, o.To)
	if err != nil {
		return Result{}, fmt.Errorf("tune: %w", err)
	}
	split := int(float64(len(days)) * (1 - o.Holdout))
	if split-backtest.TargetDays < 14 || len(days)-split < 7 {
		return Result{}, fmt.Errorf("tune: %s..%s is %d days; want at least %d to fit on and 7 to test (the target looks %d days ahead)",
			o.From, o.To, len(days), 14+backtest.TargetDays, backtest.TargetDays)
	}
	res := Result{Current: o.Ranking.Weights, Periods: Periods{
		FitFrom: days[0], FitTo: days[split-backtest.TargetDays-1], TestFrom: days[split], TestTo: days[len(days)-1],
	}}
	fo := FitOptions{Defaults: backtest.WeightVector(o.Ranking.Weights), Lambda: o.Lambda}
	for i, k := range signals.Keys() {
		for _, s := range o.Signed {
			fo.Signed[i] = fo.Signed[i] || s == k
		}
	}
	for _, s := range o.Signed {
		if _, ok := signals.Lookup(s); !ok {
			return res, fmt.Errorf("tune: unknown signal class %q in signed", s)
		}
	}
	sc, err := ranking.NewScorer(o.Ranking, o.AllowDoctorLevelRx)
	if err != nil {
		return res, fmt.Errorf("tune: %w", err)
	}
	var samples []Sample
	for g, day := range days[:split-backtest.TargetDays] {
		if g%o.Every != 0 {
			continue
		}
		snap := h.Snapshot(sc, day)
		for id, y := range h.Target(day) {
			s := Sample{Group: g, Y: y}
			for c, cs := range snap.Heat[id].Classes {
				s.X[c] = cs.Sub
			}
			samples = append(samples, s)
		}
	}
	res.Samples = len(samples)
	w, err := Fit(samples, fo)
	if err != nil {
		return res, err
	}
	res.Proposed = map[string]float64{}
	for i, k := range signals.Keys() {
		res.Proposed[k] = w[i]
	}
	bo := backtest.Options{
		From: res.TestFrom, To: res.TestTo, Ranking: o.Ranking, AllowDoctorLevelRx: o.AllowDoctorLevelRx,
		Methods: []backtest.Method{backtest.Current(), backtest.Tuned(res.Proposed), backtest.StaticABC(), backtest.Naive()},
	}
	if res.Report, err = backtest.Run(h, bo); err != nil && !errors.Is(err, backtest.ErrNoDays) {
		return res, err
	}
	if o.Truth != nil {
		bo.Truth = o.Truth
		tr, err := backtest.Run(h, bo)
		if err != nil {
			return res, err
		}
		res.TruthReport = &tr
	}
	return res, nil
}
