package models_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// EventHours groups attendances by kind, detail and hour on both databases;
// misses, other kinds and signals outside the window are left out. Tier
// history as of a day reads the last change before it.
func TestEventHoursAndTiersBefore(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		at := time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)
		n := 0
		add := func(doctor uint, kind, detail string, value float64, t0 time.Time) {
			n++
			sg := models.Signal{ExternalID: fmt.Sprintf("E%d", n), DoctorID: doctor, Class: models.ClassLecture, Kind: kind, Value: value, OccurredAt: t0, Detail: detail}
			if err := s.DB(ctx).Create(&sg).Error; err != nil {
				t.Fatal(err)
			}
		}
		add(1, "lecture_attend", "心衰第1期", 1, at)
		add(2, "lecture_attend", "心衰第1期", 1, at.Add(9*time.Minute))
		add(3, "lecture_attend", "心衰第1期", 1, at.Add(70*time.Minute))
		add(4, "lecture_absent", "心衰第1期", 0, at)
		add(5, "lecture_attend", "", 1, at.AddDate(0, 0, 7))
		add(6, "lecture_attend", "心衰第0期", 1, at.AddDate(0, 0, -100))
		got, err := s.Ranking.EventHours(ctx, []string{models.ClassLecture}, []string{"lecture_attend"}, at.AddDate(0, 0, -30), at.AddDate(0, 0, 8))
		if err != nil {
			t.Fatal(err)
		}
		h := at.Unix() / 3600
		want := []models.EventHour{{"lecture_attend", "", h + 7*24}, {"lecture_attend", "心衰第1期", h}, {"lecture_attend", "心衰第1期", h + 1}}
		slices.SortFunc(got, func(a, b models.EventHour) int { return int(a.Hour - b.Hour) })
		slices.SortFunc(want, func(a, b models.EventHour) int { return int(a.Hour - b.Hour) })
		if !slices.Equal(got, want) {
			t.Errorf("event hours = %+v, want %+v", got, want)
		}
		for _, tc := range []models.TierChange{{DoctorID: 1, Day: "2026-11-20", ToTier: "B"}, {DoctorID: 1, Day: "2026-11-27", FromTier: "B", ToTier: "S"}, {DoctorID: 2, Day: "2026-11-30", ToTier: "C"}} {
			if err := s.DB(ctx).Create(&tc).Error; err != nil {
				t.Fatal(err)
			}
		}
		tiers, err := s.Ranking.TiersBefore(ctx, "2026-11-27")
		if err != nil || len(tiers) != 1 || tiers[1] != "B" {
			t.Errorf("tiers before 11-27 = %v, %v; want doctor 1 in B only", tiers, err)
		}
	})
}
