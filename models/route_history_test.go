package models_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestRecentRouteKMReadsEachListsRoute stores lists whose rows carry the
// day's route km (as recommend stores them) and one list without it (stored
// before migration 0012), and reads the km back per rep, newest first,
// inside the window only.
func TestRecentRouteKMReadsEachListsRoute(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		list := func(km string, ids ...uint) []models.Recommendation {
			out := listOf(ids...)
			for i := range out {
				if v, err := strconv.ParseFloat(km, 64); err == nil {
					out[i].RouteKM = &v
				}
			}
			return out
		}
		days := []struct {
			day   string
			byRep map[uint][]models.Recommendation
		}{
			{"2026-11-02", map[uint][]models.Recommendation{1: list("9.5", 1, 2), 2: list("30.25", 3)}},
			{"2026-11-03", map[uint][]models.Recommendation{1: list("12.125", 2)}},
			{"2026-11-04", map[uint][]models.Recommendation{1: list("", 1), 2: list("0", 4, 5)}},
			{"2026-11-05", map[uint][]models.Recommendation{1: list("14", 1, 2, 6)}},
			{"2026-11-09", map[uint][]models.Recommendation{1: list("50", 1)}},
		}
		for _, d := range days {
			if _, err := s.Ranking.SaveRecommendations(ctx, d.day, d.byRep, false); err != nil {
				t.Fatal(err)
			}
		}
		for _, reps := range [][]uint{nil, {1, 2}} {
			got, err := s.Ranking.RecentRouteKM(ctx, reps, "2026-11-02", "2026-11-08")
			if err != nil {
				t.Fatal(err)
			}
			want := map[uint][]float64{1: {14, 12.125, 9.5}, 2: {0, 30.25}}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("reps %v: got %v, want %v", reps, got, want)
			}
		}
		got, err := s.Ranking.RecentRouteKM(ctx, []uint{2}, "2026-11-03", "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		if want := map[uint][]float64{2: {0}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("rep 2 from 11-03: got %v, want %v", got, want)
		}
	})
}
