package recommend

import (
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// recordReads keeps the SQL of every read the store runs from now on.
func recordReads(t *testing.T, s *models.Store) func() []string {
	t.Helper()
	var mu sync.Mutex
	var sqls []string
	keep := func(db *gorm.DB) {
		mu.Lock()
		defer mu.Unlock()
		sqls = append(sqls, db.Statement.SQL.String())
	}
	cb := s.DB(t.Context()).Callback()
	name := fmt.Sprintf("test:reads:%p", &sqls)
	for _, err := range []error{
		cb.Query().After("gorm:query").Register(name, keep),
		cb.Row().After("gorm:row").Register(name, keep),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(sqls)
	}
}

// notedWorld is a market of two reps sharing twelve doctors with signals of
// several classes, scored by the nightly run for day.
func notedWorld(t *testing.T, s *models.Store) (*testWorld, *Service) {
	w := newWorld(t, s, 12)
	other := w.addRep("rep02", 31.25, 121.47)
	for i, d := range w.docs {
		w.heat(i, 1+i%4)
		if i%3 == 0 {
			w.signal(d.ID, models.ClassTrial, "trial_investigator", 1, 3)
		}
		if i%4 == 1 {
			w.signal(d.ID, models.ClassVisit, "visit_rep", 1, 1) // inside the cooldown: waits
		}
		if i%2 == 0 {
			w.assign(other, d.ID)
		}
		w.must(s.DB(w.ctx).Create(&models.DoctorProduct{DoctorID: d.ID, ProductID: 1, Match: 0.2 + 0.06*float64(i)}).Error)
	}
	svc := w.service()
	if _, err := svc.ScoreAll(w.ctx, day); err != nil {
		t.Fatal(err)
	}
	return w, svc
}

// TestMorningRunReadsOnlyNotes: after the nightly scoring, the bulk Top-N
// reads no signal and no doctor row (issue 18: the morning run reads only
// what ranking needs), and its lists (doctors, order, reasons, breakdown but
// the live heat) equal those of a run that scores every candidate from its
// signals instead.
func TestMorningRunReadsOnlyNotes(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w, svc := notedWorld(t, s)
		reads := recordReads(t, s)
		if _, err := svc.TopN(w.ctx, day, true); err != nil {
			t.Fatal(err)
		}
		forbidden := regexp.MustCompile("(?i)FROM [`\"]?(signals|doctors|doctor_products)[`\"]?")
		for _, q := range reads() {
			if forbidden.MatchString(q) {
				t.Errorf("the morning run after the night read %s", q)
			}
		}
		noted := storedLists(t, w)

		// Without the notes the same run reads doctors and signals.
		w.must(s.DB(w.ctx).Where("1 = 1").Delete(&models.HeatNote{}).Error)
		n := len(reads())
		if _, err := svc.TopN(w.ctx, day, true); err != nil {
			t.Fatal(err)
		}
		var hits int
		for _, q := range reads()[n:] {
			if forbidden.MatchString(q) {
				hits++
			}
		}
		if hits < 3 {
			t.Errorf("without notes the run read doctors, products and signals %d times, want 3 or more", hits)
		}
		live := storedLists(t, w)
		if !slices.Equal(noted, live) {
			t.Errorf("lists by the notes differ from lists by the signals:\nnotes:   %q\nsignals: %q", noted, live)
		}
	})
}

// storedLists is every stored list of day, rep by rep, with each row's
// breakdown but the live heat (only a run that loads signals has it).
func storedLists(t *testing.T, w *testWorld) []string {
	t.Helper()
	var recs []models.Recommendation
	w.must(w.s.DB(w.ctx).Where("day = ?", day).Order("rep_id, `rank`").Find(&recs).Error)
	var out []string
	for _, r := range recs {
		b, err := Breakdown(r)
		w.must(err)
		delete(b, "heat_live")
		out = append(out, fmt.Sprintf("rep %d %s %v", r.RepID, listKey(t, []models.Recommendation{r})[0], b))
	}
	if len(out) == 0 {
		t.Fatal("no list stored")
	}
	return out
}

// TestNotesOfInClinicDoctorsOnly: the night writes a note for each doctor
// in clinic on the day and none for the others; a rerun replaces them.
func TestNotesOfInClinicDoctorsOnly(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 4)
		off := models.Doctor{ExternalID: "D-off", Name: "周五医生", HospitalID: w.hosp[0].ID, Department: "心内科", Title: models.TitleChief}
		w.must(s.DB(w.ctx).Create(&off).Error)
		w.session(off.ID, 5, "", models.PeriodAM) // Friday only
		svc := w.service()
		for range 2 {
			if _, err := svc.ScoreAll(w.ctx, day); err != nil {
				t.Fatal(err)
			}
		}
		notes, err := s.Ranking.NotesOn(w.ctx, day, models.AllDoctors())
		w.must(err)
		var ids []uint
		for _, n := range notes {
			ids = append(ids, n.DoctorID)
			if n.HospitalID == 0 || n.Tier == "" {
				t.Errorf("note %+v lacks the hospital or the tier", n)
			}
		}
		want := []uint{w.docs[0].ID, w.docs[1].ID, w.docs[2].ID, w.docs[3].ID}
		if !slices.Equal(ids, want) {
			t.Errorf("notes of %v, want the Wednesday doctors %v once each", ids, want)
		}
	})
}

// TestUnreadableNoteFallsBackToSignals: a pick whose note cannot be read is
// explained from its signals, never shown without reasons.
func TestUnreadableNoteFallsBackToSignals(t *testing.T) {
	s, _ := modelstest.Open(t, "sqlite", nil)
	w, svc := notedWorld(t, s)
	w.must(s.DB(w.ctx).Model(&models.HeatNote{}).Where("day = ?", day).Update("note", "{not json").Error)
	if _, err := svc.TopN(w.ctx, day, true); err != nil {
		t.Fatal(err)
	}
	var recs []models.Recommendation
	w.must(s.DB(w.ctx).Where("day = ?", day).Find(&recs).Error)
	for _, r := range recs {
		b, err := Breakdown(r)
		w.must(err)
		if _, ok := b["heat_live"]; !ok || len(reasonsOf(r)) < 2 {
			t.Errorf("doctor %d: not explained from its signals: %v %q", r.DoctorID, b, reasonsOf(r))
		}
	}
}
