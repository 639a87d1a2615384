package recommend

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// signalAt adds a signal at an absolute time.
func (w *testWorld) signalAt(doctorID uint, class, kind string, value float64, at time.Time) {
	w.nextS++
	w.must(w.s.DB(w.ctx).Create(&models.Signal{ExternalID: fmt.Sprintf("S%d", w.nextS), DoctorID: doctorID, Class: class, Kind: kind, Value: value, OccurredAt: at}).Error)
}

// listKey is what a rep sees of a stored list: doctors in route order with
// their kind, heat and reasons.
func listKey(t *testing.T, recs []models.Recommendation) []string {
	t.Helper()
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = fmt.Sprintf("%d#%d %s %.2f %q", r.Rank, r.DoctorID, r.Kind, r.Heat, reasonsOf(r))
	}
	return out
}

// TestListOfADayIgnoresLaterData: importing signals dated on or after D and
// scoring a later day leave D's list as it was; heat scored for another day
// is never the heat of D's list.
func TestListOfADayIgnoresLaterData(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 9)
		for i := range w.docs {
			w.heat(i, 1+i%4)
		}
		svc := w.service()
		_, err := svc.ScoreAll(w.ctx, day)
		w.must(err)
		before, err := svc.ForRep(w.ctx, w.rep.ID, day, true)
		w.must(err)
		if v, err := s.Settings.GetSetting(w.ctx, calendarSetting+day); err != nil || !strings.Contains(v, "lecture_attend") {
			t.Errorf("the night's series calendar is not kept for the day's runs: %q, %v", v, err)
		}

		// Days later: the signals of D and after are imported, a later night is scored.
		s.Clock().(*clock.Fake).Set(time.Date(2026, 12, 6, 9, 0, 0, 0, sh))
		dayStart, _ := clock.ParseDay(day, sh)
		cold := w.docs[0].ID // heat(0, 1): the coldest
		for k := 0; k < 8; k++ {
			w.signalAt(cold, models.ClassLecture, "lecture_attend", 1, dayStart.Add(time.Duration(k)*26*time.Hour))
			w.signalAt(cold, models.ClassTrial, "trial_investigator", 1, dayStart.Add(time.Duration(k)*26*time.Hour+time.Hour))
		}
		_, err = svc.ScoreAll(w.ctx, "2026-12-05")
		w.must(err)
		if docs := loadDoctors(t, w); docs[cold].HeatDay != "2026-12-05" || docs[cold].Tier != "S" {
			t.Fatalf("the later night did not score the burst: %+v", docs[cold])
		}
		after, err := svc.ForRep(w.ctx, w.rep.ID, day, true)
		w.must(err)
		if got, want := listKey(t, after), listKey(t, before); !slices.Equal(got, want) {
			t.Errorf("list of %s changed by later data:\n got %q\nwant %q", day, got, want)
		}
		// Rescoring D itself now (a backfill) reproduces D, and keeps the newer snapshot.
		res, err := svc.ScoreAll(w.ctx, day)
		w.must(err)
		if docs := loadDoctors(t, w); docs[cold].HeatDay != "2026-12-05" || res.Changes != 9 {
			t.Errorf("rescoring %s: heat day %s, %d changes (want the later snapshot kept and 9 first tiers)", day, docs[cold].HeatDay, res.Changes)
		}
		again, err := svc.ForRep(w.ctx, w.rep.ID, day, true)
		w.must(err)
		if got, want := listKey(t, again), listKey(t, before); !slices.Equal(got, want) {
			t.Errorf("list after rescoring %s:\n got %q\nwant %q", day, got, want)
		}
	})
}

// TestBackfillEqualsLive: nights scored one by one as the signals arrive
// (the live service) and the same nights replayed after every signal is in
// (a backfill) store the same tiers, tier history and lists.
func TestBackfillEqualsLive(t *testing.T) {
	days := []string{"2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05"}
	build := func(t *testing.T, driver string) *testWorld {
		s, _ := modelstest.Open(t, driver, clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, sh)))
		w := newWorld(t, s, 12)
		for _, d := range w.docs {
			for wd := 1; wd <= 7; wd++ {
				if wd != 3 {
					w.session(d.ID, wd, "", models.PeriodPM)
				}
			}
		}
		for i := range w.docs {
			w.heat(i, i%3)
		}
		return w
	}
	// dayly are the signals dated day k: doctor k*3%12 attends twice, k+5 has a meeting.
	daily := func(w *testWorld, k int) {
		start, _ := clock.ParseDay(days[k], sh)
		w.signalAt(w.docs[k*3%12].ID, models.ClassLecture, "lecture_attend", 1, start.Add(10*time.Hour))
		w.signalAt(w.docs[k*3%12].ID, models.ClassLecture, "lecture_attend", 1, start.Add(20*time.Hour))
		w.signalAt(w.docs[(k+5)%12].ID, models.ClassMeeting, "meeting_attend", 1, start.Add(15*time.Hour))
	}
	snapshot := func(w *testWorld) []string {
		var out []string
		for _, d := range days {
			recs, err := w.s.Ranking.Recommendations(w.ctx, w.rep.ID, d)
			w.must(err)
			out = append(out, d)
			out = append(out, listKey(w.t, recs)...)
			tc, err := w.s.Ranking.TierChangesOn(w.ctx, d)
			w.must(err)
			for _, c := range tc {
				out = append(out, fmt.Sprintf("%d %s→%s %.2f", c.DoctorID, c.FromTier, c.ToTier, c.Heat))
			}
		}
		for _, d := range loadDoctors(w.t, w) {
			out = append(out, fmt.Sprintf("doctor %d %s %.2f %s", d.ID, d.Tier, d.Heat, d.HeatDay))
		}
		slices.Sort(out[len(out)-len(w.docs):])
		return out
	}
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			live, back := build(t, driver), build(t, driver)
			liveSvc, backSvc := live.service(), back.service()
			for k, d := range days {
				if k > 0 {
					daily(live, k-1) // yesterday's signals are in before tonight's run
				}
				start, _ := clock.ParseDay(d, sh)
				live.s.Clock().(*clock.Fake).Set(start.Add(2*time.Hour + 10*time.Minute))
				_, err := liveSvc.ScoreAll(live.ctx, d)
				live.must(err)
				_, err = liveSvc.TopN(live.ctx, d, false)
				live.must(err)
			}
			daily(live, len(days)-1)
			back.s.Clock().(*clock.Fake).Set(time.Date(2026, 12, 20, 9, 0, 0, 0, sh))
			for k := range days {
				daily(back, k)
			}
			for _, d := range days {
				_, err := backSvc.ScoreAll(back.ctx, d)
				back.must(err)
				_, err = backSvc.TopN(back.ctx, d, false)
				back.must(err)
			}
			if got, want := snapshot(back), snapshot(live); !slices.Equal(got, want) {
				t.Errorf("backfill differs from the live run:\nbackfill %q\nlive     %q", got, want)
			}
		})
	}
}
