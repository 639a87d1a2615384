package recommend

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/ranking"
)

func loadDoctors(t *testing.T, w *testWorld) map[uint]models.Doctor {
	t.Helper()
	docs, err := w.s.Ranking.RankingDoctors(w.ctx, nil)
	w.must(err)
	out := map[uint]models.Doctor{}
	for _, d := range docs {
		out[d.ID] = d
	}
	return out
}

func TestScoreAllTiersAndRisingEvents(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 20)
		for i := 10; i < 20; i++ { // doctors 10..19 warm, 19 hottest
			w.heat(i, 1+(i-10)/3)
		}
		svc := w.service()
		res, err := svc.ScoreAll(w.ctx, "2026-12-01")
		w.must(err)
		if res.Doctors != 20 || res.Changes != 20 || len(res.Rising) != 0 {
			t.Errorf("first night %+v: every doctor gets a first tier, none is rising", res)
		}
		docs := loadDoctors(t, w)
		hot, cold := docs[w.docs[19].ID], docs[w.docs[0].ID]
		if hot.Tier != ranking.TierS || cold.Tier != ranking.TierC || hot.Heat <= cold.Heat || hot.HeatAt == nil {
			t.Errorf("hot %s %.1f, cold %s %.1f", hot.Tier, hot.Heat, cold.Tier, cold.Heat)
		}

		// Rerunning the same night replaces the night's history.
		res, err = svc.ScoreAll(w.ctx, "2026-12-01")
		w.must(err)
		changes, err := s.Ranking.TierChangesOn(w.ctx, "2026-12-01")
		w.must(err)
		if res.Changes != 20 || len(changes) != 20 {
			t.Errorf("rerun: %d changes reported, %d stored; want 20 and 20", res.Changes, len(changes))
		}

		// Next night a cold doctor becomes a trial investigator and lecture regular: rising.
		w.heat(0, 6)
		w.signal(w.docs[0].ID, models.ClassTrial, "trial_investigator", 1, 1)
		res, err = svc.ScoreAll(w.ctx, "2026-12-02")
		w.must(err)
		if len(res.Rising) != 1 || res.Rising[0].DoctorID != w.docs[0].ID || res.Rising[0].FromTier != ranking.TierC {
			t.Fatalf("rising %+v", res.Rising)
		}
		rising, err := s.Ranking.RisingDoctors(w.ctx, "2026-12-02")
		w.must(err)
		if len(rising) != 1 || rising[0].ToTier != ranking.TierS || !rising[0].Rising {
			t.Errorf("stored rising events %+v", rising)
		}
		// And nothing flaps on a quiet third night.
		res, err = svc.ScoreAll(w.ctx, "2026-12-03")
		w.must(err)
		if res.Changes != 0 {
			t.Errorf("quiet night changed %d tiers", res.Changes)
		}
	})
}

// TestComplianceDoctorLevelRx: doctor-level prescription rows are refused at
// the door with a clear message, and if one is in the store anyway it does
// not move the score unless compliance.allow_doctor_level_rx is set.
func TestComplianceDoctorLevelRx(t *testing.T) {
	err := models.CheckSignalCompliance(models.ClassRxTrend, "monthly_rx", false)
	if !errors.Is(err, models.ErrDoctorLevelRx) || !strings.Contains(err.Error(), "doctor-level prescription data is refused") {
		t.Errorf("rx_trend signal: %v", err)
	}
	if err := models.CheckSignalCompliance(models.ClassDigital, "处方查询", false); !errors.Is(err, models.ErrDoctorLevelRx) {
		t.Errorf("prescription-named kind: %v", err)
	}
	if err := models.CheckSignalCompliance(models.ClassRxTrend, "monthly_rx", true); err != nil {
		t.Errorf("allowed: %v", err)
	}
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 2)
		for i := 0; i < 2; i++ {
			w.heat(i, 2)
		}
		w.signal(w.docs[0].ID, models.ClassRxTrend, "doctor_rx_count", 80, 3)
		heats := func(allow bool) (float64, float64) {
			svc := w.service(func(c *config.Config) { c.Compliance.AllowDoctorLevelRx = allow })
			recs, err := svc.ForRep(w.ctx, w.rep.ID, day, true)
			w.must(err)
			by := map[uint]float64{}
			for _, r := range recs {
				by[r.DoctorID] = r.Heat
			}
			return by[w.docs[0].ID], by[w.docs[1].ID]
		}
		with, without := heats(false)
		if with != without {
			t.Errorf("default: doctor-level rx moved heat %v vs %v", with, without)
		}
		with, without = heats(true)
		if with <= without {
			t.Errorf("allowed: rx signal ignored (%v vs %v)", with, without)
		}
	})
}

func TestScoreAllBadDay(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 1)
		if _, err := w.service().ScoreAll(w.ctx, "tomorrow"); err == nil {
			t.Error("bad day accepted")
		}
	})
}

// TestNightlyHeatRanksTheMorning: after ScoreAll for the day the Top-N ranks
// by the stored heat (live class points kept beside it: a late import dated
// before the day shows there), and the bulk run and the single-rep run agree.
func TestNightlyHeatRanksTheMorning(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 8)
		for i := 0; i < 8; i++ {
			w.heat(i, 1+i%4)
		}
		svc := w.service()
		if _, err := svc.ScoreAll(w.ctx, day); err != nil {
			t.Fatal(err)
		}
		// A burst of signals imported after the nightly run: live heat moves, the stored one not.
		w.heat(0, 6)
		if _, err := svc.TopN(w.ctx, day, false); err != nil {
			t.Fatal(err)
		}
		bulk, err := s.Ranking.Recommendations(w.ctx, w.rep.ID, day)
		w.must(err)
		single, err := svc.ForRep(w.ctx, w.rep.ID, day, true)
		w.must(err)
		if got, want := doctorIDs(single), doctorIDs(bulk); !slices.Equal(got, want) {
			t.Errorf("ForRep %v != TopN %v", got, want)
		}
		docs := loadDoctors(t, w)
		for _, r := range single {
			b := breakdownOf(r)
			if r.Heat != docs[r.DoctorID].Heat {
				t.Errorf("doctor %d ranked by heat %v, nightly heat is %v", r.DoctorID, r.Heat, docs[r.DoctorID].Heat)
			}
			if _, ok := b["heat_live"]; !ok || len(reasonsOf(r)) == 0 {
				t.Errorf("doctor %d: breakdown %v reasons %q", r.DoctorID, b, reasonsOf(r))
			}
			if r.DoctorID == w.docs[0].ID && b["heat_live"] <= r.Heat {
				t.Errorf("burst not visible in heat_live: %v vs nightly %v", b["heat_live"], r.Heat)
			}
		}
	})
}
