package sim_test

import (
	"slices"
	"testing"

	"visitbot/config"
	"visitbot/ranking/backtest"
	"visitbot/ranking/sim"
)

// BenchmarkPooledBacktest replays the held-out days of several markets
// (the development seeds 1–4 and 6–9, the untouched 5 and 10–14, and the
// development seeds on territories of hospitals up to 20 km from the start
// instead of 12) with the default configuration and reports the heat's
// figures pooled over them:
// with 10–12 risers a market, a median lag per seed is noise. One iteration
// is the whole replay (go test ./ranking/sim -run XXX -bench Pooled
// -benchtime 1x); the metrics are the figures, not timings.
func BenchmarkPooledBacktest(b *testing.B) {
	dev := []uint64{1, 2, 3, 4, 6, 7, 8, 9}
	for _, set := range []struct {
		name   string
		seeds  []uint64
		spread float64
	}{{"dev", dev, 0}, {"untuned", []uint64{5, 10, 11, 12, 13, 14}, 0}, {"wide", dev, 20}} {
		b.Run(set.name, func(b *testing.B) {
			for range b.N {
				var prec, km float64
				var never, high, surfaced, risers, within3 int
				var lags []float64
				for _, seed := range set.seeds {
					o := sim.DefaultOptions(seed)
					o.SpreadKM = set.spread
					m := sim.New(o)
					h := m.History()
					rep, err := backtest.Run(h, backtest.Options{From: "2026-08-29", To: "2026-10-27", Ranking: config.Default().Ranking,
						Methods: []backtest.Method{backtest.Current()}, Truth: m.Truth()})
					if err != nil {
						b.Fatal(err)
					}
					r := rep.Rows[0]
					prec, km = prec+r.PrecisionAt5, km+r.RouteKM
					never, high, surfaced, risers = never+r.HighNeverListed, high+r.HighDoctors, surfaced+r.RisersSurfaced, risers+r.Risers
					lags = append(lags, r.RiserLags...)
				}
				slices.Sort(lags)
				for _, l := range lags {
					if l <= 3 {
						within3++
					}
				}
				n := float64(len(set.seeds))
				b.ReportMetric(prec/n, "precision@5")
				b.ReportMetric(km/n, "km/day")
				b.ReportMetric(float64(never), "never-listed")
				b.ReportMetric(float64(high), "high-value")
				b.ReportMetric(float64(surfaced), "risers-surfaced")
				b.ReportMetric(float64(risers), "risers")
				b.ReportMetric(float64(within3), "risers-within-3d")
				if len(lags) > 0 {
					b.ReportMetric(lags[len(lags)/2], "median-lag-days")
				}
			}
		})
	}
}
