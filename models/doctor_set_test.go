package models_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// A push shard's loads read the doctors of its reps by a subquery on the
// assignments: each of the four loads returns exactly what it returns for
// the same doctors by id. A doctor two of the reps share comes once, a
// doctor added by id comes once, and doctors of other reps do not come.
func TestDoctorsOfRepsReadAsTheSameDoctorsByID(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		db := s.DB(ctx)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		const day = "2026-12-02" // a Wednesday
		// Rep 1 covers doctors 1–3, rep 2 doctors 3–4 (3 is shared), rep 3
		// doctors 5–6; doctor 7 has no rep.
		for _, a := range [][2]uint{{1, 1}, {1, 2}, {1, 3}, {2, 3}, {2, 4}, {3, 5}, {3, 6}} {
			must(db.Create(&models.Assignment{RepID: a[0], DoctorID: a[1]}).Error)
		}
		var notes []models.HeatNote
		var rises []models.TierChange
		for id := uint(1); id <= 7; id++ {
			notes = append(notes, models.HeatNote{DoctorID: id, HospitalID: 10 + id, Tier: "B", Heat: float64(id), Note: "{}"})
			rises = append(rises, models.TierChange{DoctorID: id, Day: day, FromTier: "C", ToTier: "B", Rising: true})
			must(db.Create(&models.ClinicSession{DoctorID: id, Weekday: 3, Period: models.PeriodAM}).Error)
			must(db.Create(&models.ClinicSession{DoctorID: id, Day: day, Period: models.PeriodPM}).Error)
			must(db.Create(&models.ClinicCancellation{DoctorID: id, Day: day, Period: models.PeriodPM}).Error)
			must(db.Create(&models.Visit{RepID: 9, DoctorID: id, Day: "2026-11-30", HospitalID: 10 + id, Status: models.VisitCompleted}).Error)
		}
		must(s.Ranking.ReplaceHeatNotes(ctx, day, nil, notes))
		must(s.Ranking.ReplaceTierChanges(ctx, day, rises))

		// read is every load's doctors, in id order (sessions and
		// cancellations once per row).
		read := func(set models.DoctorSet) map[string][]uint {
			t.Helper()
			out := map[string][]uint{}
			ns, err := s.Ranking.NotesOn(ctx, day, set)
			must(err)
			for _, n := range ns {
				out["notes"] = append(out["notes"], n.DoctorID)
			}
			ss, cs, err := s.Ranking.SessionsOn(ctx, set, day)
			must(err)
			for _, x := range ss {
				out["sessions"] = append(out["sessions"], x.DoctorID)
			}
			for _, c := range cs {
				out["cancellations"] = append(out["cancellations"], c.DoctorID)
			}
			stats, err := s.Ranking.VisitStatsOf(ctx, set, "2026-11-01", day)
			must(err)
			for id, st := range stats {
				if st.Met != 1 {
					t.Errorf("visit stats of doctor %d: %+v", id, st)
				}
				out["visits"] = append(out["visits"], id)
			}
			rs, err := s.Ranking.RisingDoctorsOf(ctx, "2026-11-25", set)
			must(err)
			for _, r := range rs {
				out["rising"] = append(out["rising"], r.DoctorID)
			}
			for k := range out {
				slices.Sort(out[k])
			}
			return out
		}
		twice := func(ids ...uint) []uint { // two sessions a doctor fall on the day
			var out []uint
			for _, id := range ids {
				out = append(out, id, id)
			}
			return out
		}
		for _, c := range []struct {
			name string
			set  models.DoctorSet
			want []uint
		}{
			{"reps 1 and 2", models.DoctorsOfReps([]uint{1, 2}, nil), []uint{1, 2, 3, 4}},
			{"rep 2 and doctor 7 by id", models.DoctorsOfReps([]uint{2}, []uint{7}), []uint{3, 4, 7}},
			{"no reps, doctor 5 by id", models.DoctorsOfReps(nil, []uint{5}), []uint{5}},
			{"no reps", models.DoctorsOfReps([]uint{}, nil), nil},
			{"a rep without doctors", models.DoctorsOfReps([]uint{42}, nil), nil},
		} {
			got := read(c.set)
			byID := read(models.DoctorsByID(append([]uint{}, c.want...)))
			if fmt.Sprint(got) != fmt.Sprint(byID) {
				t.Errorf("%s: %v, by id %v", c.name, got, byID)
			}
			for _, load := range []string{"notes", "cancellations", "visits", "rising"} {
				if !slices.Equal(got[load], c.want) {
					t.Errorf("%s: %s of doctors %v, want %v", c.name, load, got[load], c.want)
				}
			}
			if !slices.Equal(got["sessions"], twice(c.want...)) {
				t.Errorf("%s: sessions of doctors %v, want two each of %v", c.name, got["sessions"], c.want)
			}
		}
		if all := read(models.AllDoctors()); len(all["notes"]) != 7 || len(all["sessions"]) != 14 {
			t.Errorf("every doctor: %v", all)
		}
	})
}
