package models_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
)

func TestRankingLoaders(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		db := s.DB(ctx)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		at := time.Date(2026, 11, 30, 7, 5, 9, 0, time.UTC)
		for i, sg := range []models.Signal{
			{DoctorID: 1, Class: models.ClassLecture, Kind: "lecture_attend", Value: 1, OccurredAt: at},
			{DoctorID: 1, Class: models.ClassVisit, Kind: "visit_met", Value: 1, OccurredAt: at.Add(-time.Hour)},
			// -1, not 0: Signal.Value has default:1, so GORM stores a zero Value as 1.
			{DoctorID: 1, Class: models.ClassVisit, Kind: "visit_refused", Value: -1, OccurredAt: at.Add(-2 * time.Hour)},
			{DoctorID: 2, Class: models.ClassVisit, Kind: "visit_met", Value: 1, OccurredAt: at.AddDate(0, -6, 0)},
		} {
			sg.ExternalID = string(rune('a' + i))
			must(db.Create(&sg).Error)
		}
		since := at.AddDate(0, 0, -30)
		got, err := s.Ranking.SignalsSince(ctx, nil, nil, since, at)
		must(err)
		if len(got) != 3 {
			t.Fatalf("%d signals in window, want 3", len(got))
		}
		for _, sg := range got {
			if sg.Kind == "lecture_attend" && !sg.OccurredAt.Equal(at) {
				t.Errorf("occurred_at round trip: %v, want %v", sg.OccurredAt, at)
			}
		}
		visits, err := s.Ranking.SignalsSince(ctx, []uint{1, 2}, []string{models.ClassVisit}, since, at)
		must(err)
		if len(visits) != 2 {
			t.Errorf("visit class filter: %d rows", len(visits))
		}
		stats, err := s.Ranking.SignalStats(ctx, nil, models.ClassVisit, since, at)
		must(err)
		if st := stats[1]; st.Total != 2 || st.Positive != 1 || len(stats) != 1 {
			t.Errorf("signal stats %+v", stats)
		}

		for _, f := range []models.FlowRecord{
			{HospitalID: 1, Department: "心内科", ProductID: 1, Month: "2026-10", Quantity: 10},
			{HospitalID: 1, Department: "心内科", ProductID: 2, Month: "2026-10", Quantity: 5},
			{HospitalID: 1, Department: "心内科", ProductID: 1, Month: "2026-01", Quantity: 99},
		} {
			must(db.Create(&f).Error)
		}
		flows, err := s.Ranking.FlowByDepartment(ctx, "2026-06")
		must(err)
		if len(flows) != 1 || flows[0].Quantity != 15 || flows[0].Month != "2026-10" {
			t.Errorf("flow by department %+v", flows)
		}

		for _, v := range []models.Visit{
			{RepID: 1, DoctorID: 1, Day: "2026-11-20", HospitalID: 1, Status: models.VisitCompleted},
			{RepID: 2, DoctorID: 1, Day: "2026-11-28", HospitalID: 1, Status: models.VisitCheckedIn},
			{RepID: 1, DoctorID: 1, Day: "2026-11-29", HospitalID: 1, Status: models.VisitSkipped},
			{RepID: 1, DoctorID: 1, Day: "2026-11-30", HospitalID: 1, Status: models.VisitPlanned},
		} {
			must(db.Create(&v).Error)
		}
		vs, err := s.Ranking.VisitStats(ctx, []uint{1}, "2026-11-01", "2026-11-30")
		must(err)
		if st := vs[1]; st.LastMet != "2026-11-28" || st.Met != 2 || st.Attempts != 3 {
			t.Errorf("visit stats %+v", st)
		}

		must(db.Create(&models.DoctorProduct{DoctorID: 1, ProductID: 1, Match: 0.4}).Error)
		must(db.Create(&models.DoctorProduct{DoctorID: 1, ProductID: 2, Match: 0.9}).Error)
		best, err := s.Ranking.BestProductMatch(ctx, nil)
		must(err)
		if best[1] != 0.9 {
			t.Errorf("best product match %v", best)
		}

		must(db.Create(&models.ClinicSession{DoctorID: 1, Weekday: 3, Period: models.PeriodAM}).Error)
		must(db.Create(&models.ClinicSession{DoctorID: 1, Weekday: 4, Period: models.PeriodAM}).Error)
		must(db.Create(&models.ClinicSession{DoctorID: 2, Day: "2026-12-02", Period: models.PeriodPM}).Error)
		must(db.Create(&models.ClinicCancellation{DoctorID: 1, Day: "2026-12-02"}).Error)
		sess, cancels, err := s.Ranking.SessionsOn(ctx, models.AllDoctors(), "2026-12-02")
		must(err)
		if len(sess) != 2 || len(cancels) != 1 {
			t.Errorf("sessions on Wednesday: %+v, cancels %+v", sess, cancels)
		}
		if _, _, err := s.Ranking.SessionsOn(ctx, models.AllDoctors(), "soon"); err == nil {
			t.Error("bad day accepted")
		}

		// Hospitals: every ranking field, a missing city and location read as empty.
		must(db.Create(&models.Hospital{ExternalID: "H2", Name: "第二医院", Level: models.Level3A, City: "杭州", Lat: 30.25, Lng: 120.17}).Error)
		must(db.Create(&models.Hospital{ExternalID: "H1", Name: "社区医院", Level: "二级"}).Error)
		must(db.Exec("UPDATE hospitals SET city = NULL, lat = NULL, lng = NULL WHERE external_id = 'H1'").Error)
		hs, err := s.Ranking.RankingHospitals(ctx)
		must(err)
		if len(hs) != 2 || hs[0].ID > hs[1].ID {
			t.Fatalf("hospitals %+v, want two by id", hs)
		}
		if h := hs[0]; h.ExternalID != "H2" || h.Name != "第二医院" || h.Level != models.Level3A || h.City != "杭州" || h.Lat != 30.25 || h.Lng != 120.17 {
			t.Errorf("hospital %+v", h)
		}
		if h := hs[1]; h.ExternalID != "H1" || h.City != "" || h.Lat != 0 || h.Lng != 0 {
			t.Errorf("hospital without city and location %+v", h)
		}
	})
}

func TestSaveRecommendations(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		const day = "2026-12-02"
		written, err := s.Ranking.SaveRecommendations(ctx, day, map[uint][]models.Recommendation{1: listOf(10, 11), 2: listOf(12), 3: nil}, false)
		if err != nil || !slices.Equal(written, []uint{1, 2}) {
			t.Fatalf("first save: %v %v", written, err)
		}
		written, err = s.Ranking.SaveRecommendations(ctx, day, map[uint][]models.Recommendation{1: listOf(13, 14, 15)}, false)
		if err != nil || len(written) != 0 {
			t.Fatalf("save without force: %v %v", written, err)
		}
		recs, err := s.Ranking.Recommendations(ctx, 1, day)
		if err != nil || len(recs) != 2 || recs[0].DoctorID != 10 || recs[0].RepID != 1 || recs[0].Day != day {
			t.Fatalf("kept list %+v %v", recs, err)
		}
		written, err = s.Ranking.SaveRecommendations(ctx, day, map[uint][]models.Recommendation{1: listOf(13, 14, 15), 2: nil}, true)
		if err != nil || !slices.Equal(written, []uint{1, 2}) {
			t.Fatalf("forced save: %v %v", written, err)
		}
		recs, _ = s.Ranking.Recommendations(ctx, 1, day)
		if len(recs) != 3 || recs[2].DoctorID != 15 {
			t.Errorf("forced list %+v", recs)
		}
		if recs, _ := s.Ranking.Recommendations(ctx, 2, day); len(recs) != 0 {
			t.Errorf("forced empty list left %d rows", len(recs))
		}
		// A duplicate doctor in one list breaks the unique key: nothing is written.
		_, err = s.Ranking.SaveRecommendations(ctx, "2026-12-03", map[uint][]models.Recommendation{1: listOf(10, 10), 2: listOf(12)}, false)
		if err == nil {
			t.Fatal("duplicate doctor accepted")
		}
		have, _ := s.Ranking.RecommendedReps(ctx, nil, "2026-12-03")
		if len(have) != 0 {
			t.Errorf("half-written day: %v", have)
		}
	})
}

func TestDoctorScoresAndTierHistory(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		var ids []uint
		for i := 0; i < 3; i++ {
			d := models.Doctor{ExternalID: string(rune('A' + i)), Name: "医生", HospitalID: 1, Department: "心内科", Title: models.TitleAttending}
			if err := s.DB(ctx).Create(&d).Error; err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		at := time.Date(2026, 12, 1, 18, 10, 0, 0, time.UTC)
		scores := []models.DoctorScore{{DoctorID: ids[0], Heat: 88.5, Tier: "S"}, {DoctorID: ids[1], Heat: 12.25, Tier: "C"}}
		if err := s.Ranking.UpdateDoctorScores(ctx, scores, at, "2026-12-02"); err != nil {
			t.Fatal(err)
		}
		docs, err := s.Ranking.RankingDoctors(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if docs[0].Heat != 88.5 || docs[0].Tier != "S" || docs[0].HeatAt == nil || !docs[0].HeatAt.Equal(at) || docs[0].HeatDay != "2026-12-02" || docs[1].Tier != "C" || docs[2].HeatAt != nil {
			t.Errorf("scores not stored: %+v", docs)
		}
		rows := []models.TierChange{{DoctorID: ids[0], FromTier: "B", ToTier: "S", Heat: 88.5, Rising: true}, {DoctorID: ids[1], FromTier: "A", ToTier: "C"}}
		for i := 0; i < 2; i++ { // twice: the day's history is replaced, not stacked
			if err := s.Ranking.ReplaceTierChanges(ctx, "2026-12-02", slices.Clone(rows)); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := s.Ranking.TierChangesOn(ctx, "2026-12-02")
		rising, _ := s.Ranking.RisingDoctors(ctx, "2026-12-01")
		if len(got) != 2 || len(rising) != 1 || rising[0].DoctorID != ids[0] || rising[0].Day != "2026-12-02" {
			t.Errorf("history %+v rising %+v", got, rising)
		}
	})
}

// RisingDoctorsOf reads only the given doctors' moves up, across id lists
// of more than one chunk, newest first and by doctor within a day, as
// RisingDoctors orders all of them.
func TestRisingDoctorsOfFiltersAndOrders(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		var rows []models.TierChange
		for id := uint(1); id <= 1200; id++ {
			day := "2026-12-0" + string(rune('1'+id%3))
			rows = append(rows, models.TierChange{DoctorID: id, Day: day, FromTier: "C", ToTier: "B", Rising: id%5 != 0})
		}
		for _, day := range []string{"2026-12-01", "2026-12-02", "2026-12-03"} {
			var of []models.TierChange
			for _, r := range rows {
				if r.Day == day {
					of = append(of, r)
				}
			}
			if err := s.Ranking.ReplaceTierChanges(ctx, day, of); err != nil {
				t.Fatal(err)
			}
		}
		var ask []uint
		for id := uint(1); id <= 1200; id += 2 {
			ask = append(ask, id)
		}
		got, err := s.Ranking.RisingDoctorsOf(ctx, "2026-12-02", models.DoctorsByID(ask))
		if err != nil {
			t.Fatal(err)
		}
		all, err := s.Ranking.RisingDoctors(ctx, "2026-12-02")
		if err != nil {
			t.Fatal(err)
		}
		var want []models.TierChange
		for _, r := range all {
			if r.DoctorID%2 == 1 {
				want = append(want, r)
			}
		}
		if len(got) == 0 || len(got) != len(want) {
			t.Fatalf("got %d moves, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].DoctorID != want[i].DoctorID || got[i].Day != want[i].Day || !got[i].Rising || got[i].Day < "2026-12-02" {
				t.Fatalf("move %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
		if none, err := s.Ranking.RisingDoctorsOf(ctx, "2026-12-02", models.DoctorsByID([]uint{})); err != nil || len(none) != 0 {
			t.Fatalf("no doctors gave %d moves, %v", len(none), err)
		}
	})
}
