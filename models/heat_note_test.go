package models_test

import (
	"context"
	"testing"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestHeatNotesReplaceAndPrune: a shard's rerun replaces its own doctors'
// notes of the day and leaves the other shard's; pruning drops older days.
func TestHeatNotesReplaceAndPrune(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		note := func(id uint, tier string) models.HeatNote {
			return models.HeatNote{DoctorID: id, HospitalID: 7, Tier: tier, Heat: 50, Note: `{"r":["x"]}`, LastVisit: "2026-11-30"}
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.Ranking.ReplaceHeatNotes(ctx, "2026-12-01", nil, []models.HeatNote{note(1, "B")}))
		must(s.Ranking.ReplaceHeatNotes(ctx, "2026-12-02", []uint{1, 2}, []models.HeatNote{note(1, "A"), note(2, "B")}))
		must(s.Ranking.ReplaceHeatNotes(ctx, "2026-12-02", []uint{3}, []models.HeatNote{note(3, "C")}))
		must(s.Ranking.ReplaceHeatNotes(ctx, "2026-12-02", []uint{1, 2}, []models.HeatNote{note(1, "S"), note(2, "B")})) // rerun of shard 0
		got, err := s.Ranking.NotesOn(ctx, "2026-12-02", models.AllDoctors())
		must(err)
		if len(got) != 3 || got[0].DoctorID != 1 || got[0].Tier != "S" || got[2].Tier != "C" || got[0].LastVisit != "2026-11-30" || got[0].HospitalID != 7 {
			t.Fatalf("notes of 12-02 after a shard's rerun: %+v", got)
		}
		only, err := s.Ranking.NotesOn(ctx, "2026-12-02", models.DoctorsByID([]uint{2, 9}))
		must(err)
		if len(only) != 1 || only[0].DoctorID != 2 {
			t.Errorf("notes of doctors 2, 9: %+v", only)
		}
		text, err := s.Ranking.HeatNotes(ctx, "2026-12-02", []uint{3})
		must(err)
		if text[3] != `{"r":["x"]}` {
			t.Errorf("explanation of doctor 3: %q", text[3])
		}
		must(s.Ranking.PruneHeatNotes(ctx, "2026-12-02"))
		if old, err := s.Ranking.NotesOn(ctx, "2026-12-01", models.AllDoctors()); err != nil || len(old) != 0 {
			t.Errorf("notes before 12-02 after pruning: %+v, %v", old, err)
		}
	})
}
