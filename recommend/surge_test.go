package recommend

import (
	"testing"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestMorningRunLiftsTheNightsSurge: the bulk morning run ranks by the
// nightly heat and reads explanations only for its picks, yet it lists the
// day's clearest engagement surge as a list scored live does — the night
// keeps the surge beside the heat (heat_notes.surge_*), where the first pass
// sees it.
func TestMorningRunLiftsTheNightsSurge(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 15)
		for i := range 14 { // senior and attending lectures for weeks: hotter than the surge, and steady
			if i%2 == 0 {
				w.must(s.DB(w.ctx).Model(&w.docs[i]).Update("title", models.TitleChief).Error)
			}
			for j := range 1 + i%3 {
				w.signal(w.docs[i].ID, models.ClassLecture, "lecture_attend", 1, 2+7*j)
			}
		}
		surging := w.docs[14].ID
		for j := range 4 { // four leaflet views this week, none before
			w.signal(surging, models.ClassDigital, "leaflet_view", 1, 1+2*j)
		}
		svc := w.service()
		_, err := svc.ScoreAll(w.ctx, day)
		w.must(err)
		var note models.HeatNote
		w.must(s.DB(w.ctx).Where("day = ? AND doctor_id = ?", day, surging).First(&note).Error)
		if note.SurgeSince == "" || note.SurgeRecent != 4 || note.SurgeP <= 0 || note.SurgeP > 0.01 {
			t.Fatalf("night's note of the surging doctor: since %q, %d signals, p %v", note.SurgeSince, note.SurgeRecent, note.SurgeP)
		}
		if _, err := svc.TopN(w.ctx, day, false); err != nil {
			t.Fatal(err)
		}
		recs, err := s.Ranking.Recommendations(w.ctx, w.rep.ID, day)
		w.must(err)
		for _, r := range recs {
			if r.DoctorID == surging {
				if b := breakdownOf(r); b["surge_recent"] != 4 {
					t.Errorf("surging doctor listed without the surge in the breakdown: %v", b)
				}
				return
			}
		}
		t.Fatalf("the surging doctor %d is not on the morning list %v", surging, doctorIDs(recs))
	})
}
