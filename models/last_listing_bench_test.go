package models_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// BenchmarkListsOfAMorning is the store's part of a morning at 600 reps
// with weeks of earlier lists ($VISITBOT_BENCH_HISTORY_DAYS, default 60) on
// SQLite: save_new_day stores a new day's 3,000 rows (every listed pair's
// last listing moves), last_listed reads the last day each doctor was listed
// over the 60-day contact window. Each rep's five doctors of a day rotate
// through fifty, so a doctor is listed every tenth day.
func BenchmarkListsOfAMorning(b *testing.B) {
	ctx := context.Background()
	const reps, perRep, pool = 600, 5, 50
	history := 60
	if n, err := strconv.Atoi(os.Getenv("VISITBOT_BENCH_HISTORY_DAYS")); err == nil && n >= 0 {
		history = n
	}
	s, _ := modelstest.Open(b, "sqlite", clock.System{})
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, modelstest.Shanghai)
	dayOf := func(i int) string { return clock.Day(start.AddDate(0, 0, i), modelstest.Shanghai) }
	lists := func(i int) map[uint][]models.Recommendation {
		out := make(map[uint][]models.Recommendation, reps)
		for r := uint(1); r <= reps; r++ {
			for k := range perRep {
				doc := (r-1)*pool + uint((i*perRep+k)%pool) + 1
				km := float64(10 + (int(r)+i)%9)
				out[r] = append(out[r], models.Recommendation{DoctorID: doc, Rank: k + 1, Kind: models.RecRanked, RouteKM: &km, Reasons: `["周三上午门诊"]`, Breakdown: `{"heat":0.8}`})
			}
		}
		return out
	}
	for i := range history {
		if _, err := s.Ranking.SaveRecommendations(ctx, dayOf(i), lists(i), false); err != nil {
			b.Fatal(err)
		}
	}
	repIDs := make([]uint, reps)
	for i := range repIDs {
		repIDs[i] = uint(i + 1)
	}
	b.Run("last_listed", func(b *testing.B) {
		var got map[uint]string
		for b.Loop() {
			var err error
			if got, err = s.Ranking.LastListed(ctx, repIDs, dayOf(0), dayOf(history-1)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(got)), "doctors")
	})
	b.Run("recent_route_km", func(b *testing.B) {
		var got map[uint][]float64
		for b.Loop() {
			var err error
			if got, err = s.Ranking.RecentRouteKM(ctx, repIDs, dayOf(history-28), dayOf(history-1)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(got)), "reps")
	})
	next := history // the next new day, across -count runs
	b.Run("save_new_day", func(b *testing.B) {
		for b.Loop() {
			i := next
			if _, err := s.Ranking.SaveRecommendations(ctx, dayOf(i), lists(i), false); err != nil {
				b.Fatal(fmt.Errorf("day %d: %w", i, err))
			}
			next++
		}
	})
}
