package recommend

import (
	"slices"
	"testing"

	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestListedDoctorsWaitAndTiersRotate: with ranking.rest_days 1 a doctor on
// yesterday's list who was not visited waits, so with enough candidates two
// days' lists do not repeat; the day's route totals are in every row.
func TestListedDoctorsWaitAndTiersRotate(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 12)
		for i := range w.docs {
			w.session(w.docs[i].ID, 4, "", models.PeriodAM) // Thursdays too
			w.heat(i, 1+i%4)
		}
		svc := w.service(func(c *config.Config) { c.Ranking.RestDays = 1 })
		const thu = "2026-12-03"
		var lists [][]uint
		for _, d := range []string{day, thu} {
			_, err := svc.ScoreAll(w.ctx, d)
			w.must(err)
			_, err = svc.TopN(w.ctx, d, false)
			w.must(err)
			recs, err := s.Ranking.Recommendations(w.ctx, w.rep.ID, d)
			w.must(err)
			if len(recs) != 5 {
				t.Fatalf("%s: %d picks", d, len(recs))
			}
			for _, r := range recs {
				if b := breakdownOf(r); b["route_km"] <= 0 || b["route_min"] <= 0 || b["value_rank"] < 1 {
					t.Errorf("%s doctor %d: breakdown %v lacks the day's route", d, r.DoctorID, b)
				}
			}
			lists = append(lists, doctorIDs(recs))
		}
		for _, id := range lists[1] {
			if slices.Contains(lists[0], id) {
				t.Errorf("doctor %d listed on %s and again on %s without a visit: %v then %v", id, day, thu, lists[0], lists[1])
			}
		}
	})
}
