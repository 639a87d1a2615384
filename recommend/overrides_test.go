package recommend

import (
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// An admin's 权重 设置 is read on the next scoring run, without a restart.
func TestWeightOverrideTakesEffectOnNextRun(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 2)
		w.signal(w.docs[0].ID, models.ClassLecture, "lecture_attend", 1, 2)
		w.signal(w.docs[0].ID, models.ClassLecture, "lecture_attend", 1, 9)
		svc := w.service()
		heatOf := func() float64 {
			if _, err := svc.ScoreAll(w.ctx, "2026-12-01"); err != nil {
				t.Fatal(err)
			}
			return loadDoctors(t, w)[w.docs[0].ID].Heat
		}
		before := heatOf()
		w.must(s.Settings.PutSetting(w.ctx, models.WeightSettingPrefix+"lecture", "0", time.Duration(0)))
		after := heatOf()
		if !(before > 0 && after < before) {
			t.Fatalf("heat with lecture weight 0 = %v, before %v: override not applied", after, before)
		}
		w.must(s.Settings.PutSetting(w.ctx, models.WeightSettingPrefix+"lecture", "banana", 0))
		if _, err := svc.ScoreAll(w.ctx, "2026-12-01"); err == nil {
			t.Fatal("a malformed override must fail the run, not be ignored")
		}
	})
}
