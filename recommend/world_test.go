package recommend

import (
	"context"
	"fmt"
	"testing"

	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// The tests plan Wednesday 2026-12-02; the store's fake clock says
// 2026-12-01 09:00 Asia/Shanghai, so signals are all in the past.
const day = "2026-12-02"

var sh = modelstest.Shanghai

// testWorld is a small market built row by row in the test.
type testWorld struct {
	t     *testing.T
	s     *models.Store
	ctx   context.Context
	rep   *models.User
	hosp  []models.Hospital
	docs  []models.Doctor
	nextS int
}

// newWorld creates one rep (start point at hospital 0) and n doctors spread
// over three hospitals 1, 3 and 6 km north, each with a Wednesday AM session.
func newWorld(t *testing.T, s *models.Store, n int) *testWorld {
	t.Helper()
	w := &testWorld{t: t, s: s, ctx: context.Background()}
	w.rep = w.addRep("rep01", 31.2304, 121.4737)
	for i, km := range []float64{1, 3, 6} {
		h := models.Hospital{ExternalID: fmt.Sprintf("H%d", i), Name: fmt.Sprintf("第%d人民医院", i+1), Level: models.Level3A, City: "上海", Lat: 31.2304 + km/111.195, Lng: 121.4737}
		w.must(s.DB(w.ctx).Create(&h).Error)
		w.hosp = append(w.hosp, h)
	}
	for i := 0; i < n; i++ {
		d := models.Doctor{ExternalID: fmt.Sprintf("D%03d", i), Name: fmt.Sprintf("医生%d", i), HospitalID: w.hosp[i%3].ID,
			Department: "心内科", Title: models.TitleAttending, LegacyTier: "C"}
		w.must(s.DB(w.ctx).Create(&d).Error)
		w.docs = append(w.docs, d)
		w.assign(w.rep, d.ID)
		w.session(d.ID, 3, "", models.PeriodAM)
	}
	return w
}

func (w *testWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *testWorld) addRep(id string, lat, lng float64) *models.User {
	u := &models.User{UserID: id, Name: "代表" + id, Role: models.RoleRep, Territory: "浦东", StartLat: lat, StartLng: lng, Active: true}
	w.must(w.s.Users.CreateUser(w.ctx, u))
	return u
}

func (w *testWorld) assign(rep *models.User, doctorID uint) {
	w.must(w.s.DB(w.ctx).Create(&models.Assignment{RepID: rep.ID, DoctorID: doctorID}).Error)
}

func (w *testWorld) session(doctorID uint, weekday int, day, period string) {
	w.must(w.s.DB(w.ctx).Create(&models.ClinicSession{DoctorID: doctorID, Weekday: weekday, Day: day, Period: period}).Error)
}

// signal adds a signal daysAgo days before the store's now.
func (w *testWorld) signal(doctorID uint, class, kind string, value float64, daysAgo int) {
	w.nextS++
	at := w.s.Clock().Now().AddDate(0, 0, -daysAgo)
	w.must(w.s.DB(w.ctx).Create(&models.Signal{ExternalID: fmt.Sprintf("S%d", w.nextS), DoctorID: doctorID, Class: class, Kind: kind, Value: value, OccurredAt: at}).Error)
}

// heat makes doctor i hot with k recent lecture attendances.
func (w *testWorld) heat(i, k int) {
	for j := 0; j < k; j++ {
		w.signal(w.docs[i].ID, models.ClassLecture, "lecture_attend", 1, 2+7*j)
	}
}

func (w *testWorld) service(mut ...func(*config.Config)) *Service {
	w.t.Helper()
	cfg := config.Default()
	for _, m := range mut {
		m(&cfg)
	}
	svc, err := New(w.s, cfg.Ranking, cfg.Compliance)
	w.must(err)
	return svc
}

func doctorIDs(recs []models.Recommendation) []uint {
	out := make([]uint, len(recs))
	for i, r := range recs {
		out[i] = r.DoctorID
	}
	return out
}
