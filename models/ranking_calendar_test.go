package models_test

import (
	"context"
	"fmt"
	"maps"
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

// TestTiersBeforeTakeTheLastChangeBeforeTheDay: with several changes per
// doctor, a doctor's tier before day is their newest change dated before it
// (one on the day itself is not known yet), for every doctor and for a few.
func TestTiersBeforeTakeTheLastChangeBeforeTheDay(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		for _, tc := range []models.TierChange{
			{DoctorID: 1, Day: "2026-11-02", ToTier: "C"}, {DoctorID: 1, Day: "2026-11-09", FromTier: "C", ToTier: "B"},
			{DoctorID: 1, Day: "2026-11-20", FromTier: "B", ToTier: "A"}, {DoctorID: 1, Day: "2026-11-27", FromTier: "A", ToTier: "S"},
			{DoctorID: 2, Day: "2026-11-13", ToTier: "B"}, {DoctorID: 2, Day: "2026-11-03", ToTier: "A"},
			{DoctorID: 3, Day: "2026-11-27", ToTier: "C"}, {DoctorID: 4, Day: "2026-10-01", ToTier: "S"},
		} {
			if err := s.DB(ctx).Create(&tc).Error; err != nil {
				t.Fatal(err)
			}
		}
		want := map[uint]string{1: "A", 2: "B", 4: "S"}
		if got, err := s.Ranking.TiersBefore(ctx, "2026-11-27"); err != nil || !maps.Equal(got, want) {
			t.Errorf("tiers before 11-27 = %v, %v; want %v", got, err, want)
		}
		if got, err := s.Ranking.TiersBeforeOf(ctx, "2026-11-27", []uint{1, 3}); err != nil || !maps.Equal(got, map[uint]string{1: "A"}) {
			t.Errorf("tiers before 11-27 of doctors 1 and 3 = %v, %v; want 1 in A", got, err)
		}
		if got, err := s.Ranking.TiersBeforeOf(ctx, "2026-11-10", []uint{1, 2, 4}); err != nil || !maps.Equal(got, map[uint]string{1: "B", 2: "A", 4: "S"}) {
			t.Errorf("tiers before 11-10 = %v, %v", got, err)
		}
		if got, err := s.Ranking.TiersBeforeOf(ctx, "2026-11-27", []uint{}); err != nil || len(got) != 0 {
			t.Errorf("tiers of no doctors = %v, %v", got, err)
		}
	})
}
