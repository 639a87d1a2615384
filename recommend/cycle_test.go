package recommend

import (
	"math"
	"slices"
	"testing"

	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/ranking"
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

// TestDueCountsContactsBeyondTheCooldown: how due a doctor is counts a
// visit or a list from as far back as twice the longest call target, both
// in the morning run (from the nightly notes) and in a list scored live: a
// doctor visited three weeks ago or listed forty days ago is not "never
// contacted" (ratio 2, overdue), which would send the day out of its travel
// budget to them.
func TestDueCountsContactsBeyondTheCooldown(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 12)
		for i := range w.docs {
			w.heat(i, 1+i%4) // doctors 3, 7 and 11 hottest: tier S
		}
		visited, listed := w.docs[3].ID, w.docs[7].ID
		w.signal(visited, models.ClassVisit, "visit_met", 1, 20) // 2026-11-11, 21 days before day
		_, err := s.Ranking.SaveRecommendations(w.ctx, "2026-10-23", map[uint][]models.Recommendation{w.rep.ID: {{DoctorID: listed, Rank: 1, Kind: "ranked"}}}, false)
		w.must(err)
		cfg := config.Default()
		svc := w.service()
		want := map[uint]float64{visited: 21, listed: 40} // days since the contact on day
		check := func(how, d string, recs []models.Recommendation, shift float64) {
			t.Helper()
			seen := 0
			for _, r := range recs {
				since, ok := want[r.DoctorID]
				if !ok {
					continue
				}
				seen++
				var doc models.Doctor
				w.must(s.DB(w.ctx).First(&doc, r.DoctorID).Error)
				target := float64(ranking.PlanOptionsOf(cfg.Ranking).Targets.Of(doc.Tier))
				if target == 0 {
					t.Fatalf("%s: doctor %d has tier %q without a call target", how, r.DoctorID, doc.Tier)
				}
				// The breakdown keeps 3 decimals.
				if got, exp := breakdownOf(r)["due_ratio"], (since+shift)/target; math.Abs(got-exp) > 5e-4 {
					t.Errorf("%s on %s: doctor %d (tier %s) due_ratio %v, want %v (%v days since the contact)", how, d, r.DoctorID, doc.Tier, got, exp, since+shift)
				}
			}
			if seen != len(want) {
				t.Fatalf("%s on %s: %d of the contacted doctors listed, want both: %v", how, d, seen, doctorIDs(recs))
			}
		}
		_, err = svc.ScoreAll(w.ctx, day)
		w.must(err)
		_, err = svc.TopN(w.ctx, day, false)
		w.must(err)
		recs, err := s.Ranking.Recommendations(w.ctx, w.rep.ID, day)
		w.must(err)
		check("morning run", day, recs, 0)

		// A week later, no nightly run for it: the rep's list is scored live
		// (day's list is newer than those contacts for doctors on it, so
		// clear it first: only the old contacts remain).
		_, err = s.Ranking.SaveRecommendations(w.ctx, day, map[uint][]models.Recommendation{w.rep.ID: nil}, true)
		w.must(err)
		const next = "2026-12-09"
		recs, err = svc.ForRep(w.ctx, w.rep.ID, next, false)
		w.must(err)
		check("live list", next, recs, 7)
	})
}
