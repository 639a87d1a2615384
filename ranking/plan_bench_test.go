package ranking

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkPlanDay is one rep's day on the shipped route settings: 25
// in-clinic candidates over 8 hospitals within 15 km, top 5 (the seeded
// world's 50 doctors a rep, half of them in clinic on a day).
func BenchmarkPlanDay(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var hospitals []Point
	for range 8 {
		hospitals = append(hospitals, Point{Lat: home.Lat + (rng.Float64()-0.5)*0.25, Lng: home.Lng + (rng.Float64()-0.5)*0.3})
	}
	var cs []Candidate
	for i := range 25 {
		c := cand(uint(i+1), 20+80*rng.Float64(), 0, PeriodAM, PeriodPM)
		c.Location = hospitals[rng.IntN(len(hospitals))]
		c.Tier = []string{TierS, TierA, TierB, TierC}[rng.IntN(4)]
		c.LastVisit = "2026-11-1" + string(rune('0'+rng.IntN(9)))
		cs = append(cs, c)
	}
	o := PlanOptions{TopN: 5, CooldownDays: 3, RestDays: 2, Targets: targets, DueBoost: 0.3, Route: dayRoute}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PlanDay(home, wed, cs, o); err != nil {
			b.Fatal(err)
		}
	}
}
