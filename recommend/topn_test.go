package recommend

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
)

func TestForRepStoresTheDayAndIsIdempotent(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 8)
		w.heat(5, 3)
		w.heat(6, 2)
		svc := w.service()
		first, err := svc.ForRep(w.ctx, w.rep.ID, day, false)
		w.must(err)
		if len(first) != 5 {
			t.Fatalf("got %d recommendations, want top_n 5", len(first))
		}
		ids := doctorIDs(first)
		if !slices.Contains(ids, w.docs[5].ID) || !slices.Contains(ids, w.docs[6].ID) {
			t.Errorf("hot doctors missing from %v", ids)
		}
		for i, r := range first {
			if r.Rank != i+1 || r.Day != day || r.RepID != w.rep.ID || r.Kind != models.RecRanked || r.Period != models.PeriodAM {
				t.Errorf("row %d: %+v", i, r)
			}
			if len(reasonsOf(r)) == 0 || breakdownOf(r)["heat"] != r.Heat {
				t.Errorf("row %d: reasons %q breakdown %v", i, reasonsOf(r), breakdownOf(r))
			}
		}
		hot := first[slices.Index(ids, w.docs[5].ID)]
		if rs := reasonsOf(hot); rs[0] != "连续3次参加线上讲座" || !slices.Contains(rs, "周三上午门诊") {
			t.Errorf("hot doctor reasons %q", rs)
		}

		// New signals do not change a stored day unless forced.
		w.heat(0, 4)
		again, err := svc.ForRep(w.ctx, w.rep.ID, day, false)
		w.must(err)
		if !slices.Equal(doctorIDs(again), ids) || again[0].ID != first[0].ID {
			t.Errorf("recompute without force changed the list: %v → %v", ids, doctorIDs(again))
		}
		forced, err := svc.ForRep(w.ctx, w.rep.ID, day, true)
		w.must(err)
		if !slices.Contains(doctorIDs(forced), w.docs[0].ID) || len(forced) != 5 {
			t.Errorf("forced list %v lacks newly hot doctor %d", doctorIDs(forced), w.docs[0].ID)
		}
		stored, err := s.Ranking.Recommendations(w.ctx, w.rep.ID, day)
		w.must(err)
		if len(stored) != 5 {
			t.Errorf("%d rows stored after force, want 5 (old list replaced)", len(stored))
		}
	})
}

func TestForRepExclusionsFromTheStore(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 8)
		for i := range w.docs {
			w.heat(i, 1+i%3)
		}
		d := func(i int) uint { return w.docs[i].ID }
		// 停诊 all day for 0, morning for 1 (its only session), none today for 2.
		w.must(s.DB(w.ctx).Create(&models.ClinicCancellation{DoctorID: d(0), Day: day, Reason: "出差"}).Error)
		w.must(s.DB(w.ctx).Create(&models.ClinicCancellation{DoctorID: d(1), Day: day, Period: models.PeriodAM}).Error)
		w.must(s.DB(w.ctx).Where("doctor_id = ?", d(2)).Delete(&models.ClinicSession{}).Error)
		w.session(d(2), 4, "", models.PeriodAM) // Thursday only
		// 3 visited yesterday (cooldown); 4 visited by signal two days ago.
		w.must(s.DB(w.ctx).Create(&models.Visit{RepID: w.rep.ID, DoctorID: d(3), Day: "2026-12-01", HospitalID: w.docs[3].HospitalID, Status: models.VisitCompleted}).Error)
		w.signal(d(4), models.ClassVisit, "visit_met", 1, 1)
		// 5 has a dated Wednesday PM session instead of its weekly one.
		w.must(s.DB(w.ctx).Where("doctor_id = ?", d(5)).Delete(&models.ClinicSession{}).Error)
		w.session(d(5), 0, day, models.PeriodPM)

		recs, err := w.service().ForRep(w.ctx, w.rep.ID, day, false)
		w.must(err)
		got := doctorIDs(recs)
		for _, i := range []int{0, 1, 2, 3, 4} {
			if slices.Contains(got, d(i)) {
				t.Errorf("doctor %d should be excluded, list %v", i, got)
			}
		}
		if want := []uint{d(6), d(7), d(5)}; !slices.Equal(got, want) {
			t.Errorf("list %v, want AM doctors then the PM dated session: %v", got, want)
		}
		if recs[2].Period != models.PeriodPM {
			t.Errorf("dated session period %s", recs[2].Period)
		}
	})
}

func TestMustVisitsAndFollowUpsFirst(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 8)
		for i := 2; i < 8; i++ {
			w.heat(i, 3)
		}
		d := func(i int) uint { return w.docs[i].ID }
		// Follow-up on 0 (visited yesterday: the cooldown does not apply),
		// manager's must-visit on 1, a done one on 2 and a future one on 3.
		done := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
		w.must(s.DB(w.ctx).Create(&models.Visit{RepID: w.rep.ID, DoctorID: d(0), Day: "2026-12-01", HospitalID: w.docs[0].HospitalID, Status: models.VisitCompleted}).Error)
		for _, m := range []models.MustVisit{
			{RepID: w.rep.ID, DoctorID: d(0), DueDay: day, Source: models.RecFollowUp, RefKey: "fb:1"},
			{RepID: w.rep.ID, DoctorID: d(1), DueDay: "2026-11-30", Source: models.RecMustVisit, RefKey: "alert:1"},
			{RepID: w.rep.ID, DoctorID: d(2), DueDay: "2026-11-30", Source: models.RecMustVisit, RefKey: "alert:2", DoneAt: &done},
			{RepID: w.rep.ID, DoctorID: d(3), DueDay: "2026-12-09", Source: models.RecMustVisit, RefKey: "alert:3"},
		} {
			w.must(s.DB(w.ctx).Create(&m).Error)
		}
		recs, err := w.service().ForRep(w.ctx, w.rep.ID, day, false)
		w.must(err)
		kinds := map[uint]string{}
		for _, r := range recs {
			kinds[r.DoctorID] = r.Kind
		}
		// On the list whatever their value; the list is in route order.
		if kinds[d(0)] != models.RecFollowUp || kinds[d(1)] != models.RecMustVisit {
			t.Errorf("kinds %v", kinds)
		}
		if kinds[d(2)] == models.RecMustVisit || kinds[d(3)] == models.RecMustVisit {
			t.Errorf("done or future must-visit used: %v", kinds)
		}
		for _, r := range recs {
			want := map[string]string{models.RecFollowUp: "今日跟进", models.RecMustVisit: "经理指派"}[r.Kind]
			if want != "" && reasonsOf(r)[0] != want {
				t.Errorf("%s reasons %q", r.Kind, reasonsOf(r))
			}
		}
	})
}

// A manager's 指派 of a doctor the rep is not assigned to reaches a push
// shard's list with the doctor's own sessions: the shard reads its reps'
// doctors by a subquery on the assignments and such doctors by id. A
// doctor another rep of the shard covers is read once, not twice.
func TestMustVisitOfAnUnassignedDoctorInAShard(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 6)
		for i := range 6 {
			w.heat(i, 3)
		}
		other := w.addRep("rep02", 31.25, 121.48)
		nobodys := models.Doctor{ExternalID: "D900", Name: "医生900", HospitalID: w.hosp[0].ID, Department: "心内科", Title: models.TitleAttending, LegacyTier: "C"}
		w.must(s.DB(w.ctx).Create(&nobodys).Error)
		w.session(nobodys.ID, 0, day, models.PeriodPM) // only a dated PM session
		w.assign(other, w.docs[0].ID)
		for _, m := range []models.MustVisit{
			{RepID: w.rep.ID, DoctorID: nobodys.ID, DueDay: day, Source: models.RecMustVisit, RefKey: "alert:9"},
			{RepID: other.ID, DoctorID: w.docs[1].ID, DueDay: day, Source: models.RecMustVisit, RefKey: "alert:10"},
		} {
			w.must(s.DB(w.ctx).Create(&m).Error)
		}
		svc := w.service()
		res, err := svc.TopNOf(w.ctx, day, []string{w.rep.UserID, other.UserID}, false)
		w.must(err)
		if res.Written != 2 {
			t.Fatalf("shard run %+v", res)
		}
		// More reps than one subquery takes go by their doctors' ids: the
		// same lists.
		byID := w.service()
		byID.subqueryReps = 1
		again, err := byID.compute(w.ctx, day, []models.User{*w.rep, *other}, false)
		w.must(err)
		lists := map[uint][]models.Recommendation{}
		for _, rep := range []*models.User{w.rep, other} {
			recs, err := s.Ranking.Recommendations(w.ctx, rep.ID, day)
			w.must(err)
			lists[rep.ID] = recs
		}
		found := false
		for _, r := range lists[w.rep.ID] {
			if r.DoctorID == nobodys.ID {
				found = true
				if r.Kind != models.RecMustVisit || r.Period != models.PeriodPM {
					t.Errorf("the unassigned doctor's row: kind %s, period %s", r.Kind, r.Period)
				}
			}
		}
		if !found {
			t.Errorf("rep01's list %v lacks the 指派 of doctor %d", doctorIDs(lists[w.rep.ID]), nobodys.ID)
		}
		if got := doctorIDs(lists[other.ID]); !slices.Contains(got, w.docs[1].ID) || !slices.Contains(got, w.docs[0].ID) || len(got) != 2 {
			t.Errorf("rep02's list %v, want its doctor %d and its 指派 %d", got, w.docs[0].ID, w.docs[1].ID)
		}
		for id, l := range lists {
			if got, want := doctorIDs(again[id]), doctorIDs(l); !slices.Equal(got, want) {
				t.Errorf("rep %d by doctor ids: %v, by reps %v", id, got, want)
			}
		}
	})
}

func TestTopNForAllReps(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 6)
		other := w.addRep("rep02", 31.25, 121.48)
		for _, d := range w.docs[:3] {
			w.assign(other, d.ID)
		}
		idle := w.addRep("rep03", 31.25, 121.48) // no doctors
		_ = idle
		svc := w.service()
		res, err := svc.TopN(w.ctx, day, false)
		w.must(err)
		if res.Reps != 3 || res.Written != 2 || res.Empty != 1 || res.Rows != 5+3 || res.Kept != 0 {
			t.Errorf("first run %+v", res)
		}
		res, err = svc.TopN(w.ctx, day, false)
		w.must(err)
		if res.Written != 0 || res.Kept != 2 || res.Rows != 0 {
			t.Errorf("second run without force %+v", res)
		}
		res, err = svc.TopN(w.ctx, day, true)
		w.must(err)
		if res.Written != 2 || res.Rows != 8 {
			t.Errorf("forced run %+v", res)
		}
		var n int64
		w.must(s.DB(w.ctx).Model(&models.Recommendation{}).Where("day = ?", day).Count(&n).Error)
		if n != 8 {
			t.Errorf("%d rows stored, want 8", n)
		}
		// The rep02 list is the same as computing for rep02 alone.
		alone, err := svc.ForRep(w.ctx, other.ID, day, true)
		w.must(err)
		if len(alone) != 3 {
			t.Errorf("rep02 alone: %d", len(alone))
		}
	})
}

func TestForRepErrors(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newWorld(t, s, 1)
		svc := w.service()
		if _, err := svc.ForRep(w.ctx, w.rep.ID, "2026-02-30", false); err == nil || !strings.Contains(err.Error(), "bad day") {
			t.Errorf("bad day: %v", err)
		}
		if _, err := svc.ForRep(w.ctx, 9999, day, false); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown rep: %v", err)
		}
		mgr := &models.User{UserID: "mgr01", Name: "经理", Role: models.RoleManager, Active: true}
		w.must(s.Users.CreateUser(w.ctx, mgr))
		if _, err := svc.ForRep(w.ctx, mgr.ID, day, false); err == nil || !strings.Contains(err.Error(), "not a rep") {
			t.Errorf("manager: %v", err)
		}
	})
}

// reasonsOf and breakdownOf decode a stored row for assertions; a
// malformed column panics the test.
func reasonsOf(r models.Recommendation) []string {
	out, err := Reasons(r)
	if err != nil {
		panic(err)
	}
	return out
}

func breakdownOf(r models.Recommendation) map[string]float64 {
	out, err := Breakdown(r)
	if err != nil {
		panic(err)
	}
	return out
}

// TestStoredReasonsThatDoNotDecodeAreErrors: a damaged reasons or
// breakdown column is an error naming the row, not an empty list.
func TestStoredReasonsThatDoNotDecodeAreErrors(t *testing.T) {
	bad := models.Recommendation{ID: 7, Reasons: `["半个`, Breakdown: `{"heat":`}
	if _, err := Reasons(bad); err == nil || !strings.Contains(err.Error(), "recommendation 7") {
		t.Fatalf("reasons: %v", err)
	}
	if _, err := Breakdown(bad); err == nil || !strings.Contains(err.Error(), "recommendation 7") {
		t.Fatalf("breakdown: %v", err)
	}
	if rs, err := Reasons(models.Recommendation{}); err != nil || rs != nil {
		t.Fatalf("empty reasons: %v %v", rs, err)
	}
}
