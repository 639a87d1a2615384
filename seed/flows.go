package seed

import (
	"math"

	"visitbot/models"
)

// genFlows builds six months of hospital × department × product flow data
// (流向): a per-series trend with noise, a drop at a few key series, and a
// lift where a rising doctor works.
func (w *world) genFlows() {
	type hd struct {
		h    int
		dept string
	}
	count := map[hd]int{}
	lift := map[hd]int{} // → primary product + 1 of a rising doctor
	for _, d := range w.doctors {
		count[hd{d.Hospital, d.Dept}]++
		if d.Rising {
			lift[hd{d.Hospital, d.Dept}] = d.Primary + 1
		}
	}
	levelFactor := map[string]float64{models.Level3A: 1.5, models.Level3: 1.2, models.Level2: 1, models.LevelCommunity: 0.6}
	for h, hosp := range w.hospitals {
		r := newRand(w.opts.Seed, streamFlow, uint64(h))
		for _, dept := range departments {
			n := count[hd{h, dept}]
			if n == 0 {
				continue
			}
			for p, prod := range products {
				fit := prod.Fit[dept]
				if fit < 0.5 {
					continue
				}
				base := float64(n) * fit * levelFactor[hosp.Level] * (20 + 40*r.Float64())
				growth := 0.012 + 0.02*r.NormFloat64()
				drop := hosp.Level != models.LevelCommunity && r.Float64() < 0.05
				for m, month := range w.months {
					q := base * math.Pow(1+growth, float64(m)) * (1 + 0.06*r.NormFloat64())
					if drop && m >= historyMonths-2 {
						q *= []float64{0.75, 0.6}[m-historyMonths+2]
					}
					if lift[hd{h, dept}] == p+1 && m >= historyMonths-2 {
						q *= []float64{1.12, 1.25}[m-historyMonths+2]
					}
					w.flows = append(w.flows, flow{Hospital: h, Product: p, Dept: dept, Month: month, Quantity: math.Max(0, math.Round(q))})
				}
			}
		}
	}
}
