package seed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

var testToday = time.Date(2026, 11, 27, 0, 0, 0, 0, modelstest.Shanghai)

func defaultTestOptions() Options {
	o := DefaultOptions()
	o.Today = testToday
	return o
}

func mustSeed(t testing.TB, s *models.Store, o Options) {
	t.Helper()
	if err := World(context.Background(), s, o); err != nil {
		t.Fatalf("World(%s): %v", o, err)
	}
}

func count(t *testing.T, s *models.Store, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := s.DB(context.Background()).Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func TestDefaultWorld(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		mustSeed(t, s, defaultTestOptions())
		db := s.DB(ctx)

		var users []models.User
		if err := db.Order("id").Find(&users).Error; err != nil {
			t.Fatal(err)
		}
		roles := map[models.Role][]string{}
		for _, u := range users {
			roles[u.Role] = append(roles[u.Role], u.UserID)
			if u.WeComUserID == nil || *u.WeComUserID != u.UserID || u.DingTalkUserID == nil || *u.DingTalkUserID != u.UserID {
				t.Errorf("%s: platform ids must equal the user id", u.UserID)
			}
			if !u.Active || u.Name == "" {
				t.Errorf("%s: inactive or unnamed", u.UserID)
			}
			if u.Role == models.RoleRep {
				if u.ManagerID == nil || u.Territory == "" || !inCity(u.StartLat, u.StartLng) {
					t.Errorf("%s: manager %v, territory %q, start (%v,%v)", u.UserID, u.ManagerID, u.Territory, u.StartLat, u.StartLng)
				}
			}
		}
		if got := roles[models.RoleAdmin]; !slices.Equal(got, []string{"admin"}) {
			t.Errorf("admins = %v", got)
		}
		if got := roles[models.RoleManager]; !slices.Equal(got, []string{"mgr01", "mgr02"}) {
			t.Errorf("managers = %v", got)
		}
		wantReps := make([]string, 12)
		for i := range wantReps {
			wantReps[i] = fmt.Sprintf("rep%02d", i+1)
		}
		if got := roles[models.RoleRep]; !slices.Equal(got, wantReps) {
			t.Errorf("reps = %v", got)
		}
		for _, m := range []string{"mgr01", "mgr02"} {
			mgr, err := s.Users.UserByUserID(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			team, err := s.Users.TeamOf(ctx, mgr.ID)
			if err != nil || len(team) != 6 {
				t.Errorf("%s team = %d reps (%v), want 6", m, len(team), err)
			}
		}

		var hospitals []models.Hospital
		if err := db.Find(&hospitals).Error; err != nil {
			t.Fatal(err)
		}
		if len(hospitals) != 40 {
			t.Errorf("hospitals = %d, want 40", len(hospitals))
		}
		levels := map[string]int{}
		for _, h := range hospitals {
			levels[h.Level]++
			if !inCity(h.Lat, h.Lng) || h.City != City {
				t.Errorf("%s %s at (%v,%v) in %q", h.ExternalID, h.Name, h.Lat, h.Lng, h.City)
			}
		}
		for _, l := range []string{models.Level3A, models.Level3, models.Level2, models.LevelCommunity} {
			if levels[l] == 0 {
				t.Errorf("no hospital of level %s: %v", l, levels)
			}
		}

		if n := count(t, s, &models.Doctor{}, ""); n != 600 {
			t.Errorf("doctors = %d", n)
		}
		// Every doctor has exactly one rep; every rep has 40–60 doctors.
		if n := count(t, s, &models.Assignment{}, ""); n != 600 {
			t.Errorf("assignments = %d", n)
		}
		var perRep []struct{ RepID, N int }
		db.Model(&models.Assignment{}).Select("rep_id, COUNT(*) AS n").Group("rep_id").Scan(&perRep)
		for _, r := range perRep {
			if r.N < 40 || r.N > 60 {
				t.Errorf("rep %d covers %d doctors", r.RepID, r.N)
			}
		}
		if len(perRep) != 12 {
			t.Errorf("%d reps have doctors", len(perRep))
		}
		var perDoctor []struct{ DoctorID, N int }
		db.Model(&models.ClinicSession{}).Select("doctor_id, COUNT(*) AS n").Group("doctor_id").Scan(&perDoctor)
		if len(perDoctor) != 600 {
			t.Errorf("%d doctors have clinic sessions", len(perDoctor))
		}
		for _, d := range perDoctor {
			if d.N < 1 || d.N > 4 {
				t.Errorf("doctor %d has %d sessions", d.DoctorID, d.N)
			}
		}
		if n := count(t, s, &models.ClinicCancellation{}, "day >= ?", "2026-11-27"); n == 0 {
			t.Error("no upcoming clinic cancellations")
		}
		if n := count(t, s, &models.Product{}, ""); n != int64(len(products)) {
			t.Errorf("products = %d", n)
		}
		if n := count(t, s, &models.DoctorProduct{}, "`match` <= 0 OR `match` > 1"); n != 0 {
			t.Errorf("%d product matches outside (0,1]", n)
		}

		// Flow data: six months ending with Today's month, no doctor-level rx.
		var months []string
		db.Model(&models.FlowRecord{}).Distinct().Order("month").Pluck("month", &months)
		if want := []string{"2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"}; !slices.Equal(months, want) {
			t.Errorf("flow months = %v, want %v", months, want)
		}
		var kinds []struct{ Class, Kind string }
		db.Model(&models.Signal{}).Distinct("class", "kind").Order("class, kind").Scan(&kinds)
		classes := map[string]bool{}
		for _, k := range kinds {
			classes[k.Class] = true
			if err := models.CheckSignalCompliance(k.Class, k.Kind, false); err != nil {
				t.Errorf("signal %s/%s: %v", k.Class, k.Kind, err)
			}
		}
		for _, c := range []string{models.ClassFiling, models.ClassMeeting, models.ClassLecture, models.ClassCompetitor, models.ClassTrial, models.ClassDigital, models.ClassVisit} {
			if !classes[c] {
				t.Errorf("no %s signals", c)
			}
		}
		for _, k := range []string{"lecture_attend", "trial_investigator", "trial_enrolled", "leaflet_view", "leaflet_search", "material_open", "visit_met", "visit_positive", "visit_no_show"} {
			if !slices.ContainsFunc(kinds, func(x struct{ Class, Kind string }) bool { return x.Kind == k }) {
				t.Errorf("no %s signals", k)
			}
		}
		if classes[models.ClassRxTrend] {
			t.Error("doctor-level rx_trend signals were generated")
		}
		if n := count(t, s, &models.Signal{}, "occurred_at >= ?", testToday.UTC()); n != 0 {
			t.Errorf("%d signals on or after Today", n)
		}
		// Nothing generated was dropped as a duplicate key.
		w, err := generate(defaultTestOptions())
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for i := range w.doctors {
			want += len(w.signals(i, 1))
		}
		if n := count(t, s, &models.Signal{}, ""); n != int64(want) {
			t.Errorf("signals = %d, generated %d", n, want)
		}
		if n := count(t, s, &models.FlowRecord{}, ""); n != int64(len(w.flows)) {
			t.Errorf("flow records = %d, generated %d", n, len(w.flows))
		}
		checkRising(t, s)
		checkSilentKOLs(t, s)
	})
}

func TestApportion(t *testing.T) {
	for _, tc := range []struct {
		total   int
		weights []float64
		want    []int
	}{
		{10, []float64{1, 1}, []int{5, 5}},
		{3, []float64{30, 1, 1}, []int{1, 1, 1}},
		{10, []float64{3, 1}, []int{7, 3}},
		{7, []float64{1, 1, 1}, []int{3, 2, 2}},
	} {
		if got := apportion(tc.total, tc.weights); !slices.Equal(got, tc.want) {
			t.Errorf("apportion(%d, %v) = %v, want %v", tc.total, tc.weights, got, tc.want)
		}
	}
}

func inCity(lat, lng float64) bool {
	return lat >= minLat && lat <= maxLat && lng >= minLng && lng <= maxLng
}

// checkRising: the hidden rising doctors look ordinary on paper (attending,
// no KOL, legacy C) but attended the last lectures in a row, were recently
// appointed to the formulary committee and read the leaflet.
func checkRising(t *testing.T, s *models.Store) {
	t.Helper()
	w, err := generate(defaultTestOptions())
	if err != nil {
		t.Fatal(err)
	}
	db := s.DB(context.Background())
	ramp := testToday.AddDate(0, 0, -rampDays).UTC()
	n := 0
	for _, d := range w.doctors {
		if !d.Rising {
			continue
		}
		n++
		var row models.Doctor
		if err := db.Where("external_id = ?", d.ExternalID).Take(&row).Error; err != nil {
			t.Fatal(err)
		}
		if row.Title != models.TitleAttending || row.IsKOL || row.LegacyTier != "C" || !strings.Contains(row.Roles, roleFormulary) {
			t.Errorf("rising %s: title %s, KOL %v, legacy %s, roles %q", d.ExternalID, row.Title, row.IsKOL, row.LegacyTier, row.Roles)
		}
		recent := func(kind string) int64 {
			return count(t, s, &models.Signal{}, "doctor_id = ? AND kind = ? AND occurred_at >= ?", row.ID, kind, ramp)
		}
		if recent("lecture_attend") < 3 || recent(roleFormulary) != 1 || recent("leaflet_view")+recent("leaflet_search")+recent("material_open") < 2 {
			t.Errorf("rising %s: recent lectures %d, formulary %d", d.ExternalID, recent("lecture_attend"), recent(roleFormulary))
		}
	}
	if n < 3 {
		t.Errorf("%d rising doctors, want a few", n)
	}
}

// checkSilentKOLs: a few KOLs have had no visit for 20+ days; every other
// KOL was visited within the last two weeks.
func checkSilentKOLs(t *testing.T, s *models.Store) {
	t.Helper()
	var rows []struct {
		ID   uint
		Last string
	}
	err := s.DB(context.Background()).Table("doctors").
		Select("doctors.id, COALESCE(MAX(signals.occurred_at), '') AS last").
		Joins("LEFT JOIN signals ON signals.doctor_id = doctors.id AND signals.class = ?", models.ClassVisit).
		Where("doctors.is_kol = ?", true).Group("doctors.id").Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	silent := 0
	cut20 := testToday.AddDate(0, 0, -20).UTC().Format("2006-01-02 15:04:05")
	cut14 := testToday.AddDate(0, 0, -14).UTC().Format("2006-01-02 15:04:05")
	for _, r := range rows {
		switch last := strings.Replace(r.Last, "T", " ", 1); {
		case last < cut20:
			silent++
		case last < cut14:
			t.Errorf("KOL %d last visited %s: neither silent nor recently visited", r.ID, r.Last)
		}
	}
	if silent < 3 || silent > len(rows)/4 {
		t.Errorf("%d of %d KOLs silent, want a few", silent, len(rows))
	}
}

// dump is a canonical text of every row World writes, auto timestamps excluded.
func dump(t *testing.T, s *models.Store) []string {
	t.Helper()
	var out []string
	for _, table := range []string{"users", "hospitals", "products", "doctors", "assignments", "clinic_sessions",
		"clinic_cancellations", "doctor_products", "flow_records", "signals", "settings"} {
		order := "id"
		if table == "settings" {
			order = "`key`"
		}
		rows, err := s.DB(context.Background()).Raw("SELECT * FROM " + table + " ORDER BY " + order).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString(table)
			for i, c := range cols {
				if c == "created_at" || c == "updated_at" {
					continue
				}
				if v, ok := vals[i].([]byte); ok {
					vals[i] = string(v)
				}
				fmt.Fprintf(&b, "|%s=%v", c, vals[i])
			}
			out = append(out, b.String())
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func sameDump(t *testing.T, what string, a, b []string) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: %d rows vs %d rows", what, len(a), len(b))
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			t.Fatalf("%s: first difference at row %d:\n%s\n%s", what, i, a[i], b[i])
		}
	}
}

func TestDeterministic(t *testing.T) {
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		clk := clock.NewFake(time.Date(2026, 11, 27, 7, 0, 0, 0, modelstest.Shanghai))
		a, _ := modelstest.Open(t, driver, clk)
		b, _ := modelstest.Open(t, driver, clk)
		mustSeed(t, a, defaultTestOptions())
		mustSeed(t, b, defaultTestOptions())
		first := dump(t, a)
		if len(first) < 10000 {
			t.Fatalf("dump has only %d rows", len(first))
		}
		sameDump(t, "two fresh databases", first, dump(t, b))
		// Seeding again later (another clock) changes nothing.
		clk.Advance(26 * time.Hour)
		mustSeed(t, a, defaultTestOptions())
		sameDump(t, "seeded twice", first, dump(t, a))
	})
}

func TestOtherWorldRefused(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		small := Options{Reps: 2, Doctors: 40, Seed: 1, Today: testToday}
		mustSeed(t, s, small)
		before := dump(t, s)
		for _, o := range []Options{
			{Reps: 2, Doctors: 40, Seed: 2, Today: testToday},
			{Reps: 3, Doctors: 40, Seed: 1, Today: testToday},
			{Reps: 2, Doctors: 40, Seed: 1, Today: testToday.AddDate(0, 0, 1)},
		} {
			if err := World(context.Background(), s, o); !errors.Is(err, ErrOtherWorld) {
				t.Errorf("World(%s) = %v, want ErrOtherWorld", o, err)
			}
		}
		sameDump(t, "after refused seeds", before, dump(t, s))
	})
}

func TestInvalidOptions(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		for _, o := range []Options{
			{Reps: 0, Doctors: 10, Today: testToday},
			{Reps: 10, Doctors: 5, Today: testToday},
			{Reps: MaxReps + 1, Doctors: MaxDoctors, Today: testToday},
			{Reps: 1, Doctors: MaxDoctors + 1, Today: testToday},
		} {
			if err := World(context.Background(), s, o); err == nil {
				t.Errorf("World(%+v) succeeded", o)
			}
		}
		if n := count(t, s, &models.User{}, ""); n != 0 {
			t.Errorf("refused options wrote %d users", n)
		}
		if _, err := s.Settings.GetSetting(context.Background(), markerKey); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("refused options recorded a world: %v", err)
		}
	})
}

// TestTodayDefaultsToStoreClock: zero Today is the store clock's day.
func TestTodayDefaultsToStoreClock(t *testing.T) {
	s, _ := modelstest.Open(t, "sqlite", clock.NewFake(time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC)))
	mustSeed(t, s, Options{Reps: 1, Doctors: 20, Seed: 3})
	v, err := s.Settings.GetSetting(context.Background(), markerKey)
	if err != nil || !strings.HasSuffix(v, "today=2026-11-27") {
		t.Errorf("marker = %q, %v; want today in Asia/Shanghai", v, err)
	}
}

// TestScaledWorld checks the shape of a bigger world without writing it.
func TestScaledWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 45,000 doctors")
	}
	w, err := generate(Options{Reps: 100, Doctors: 45000, Seed: 9, Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.hospitals) != maxHospitals || len(w.managers) != 10 || len(w.reps) != 100 {
		t.Errorf("%d hospitals, %d managers, %d reps", len(w.hospitals), len(w.managers), len(w.reps))
	}
	names := map[string]bool{}
	for _, h := range w.hospitals {
		if names[h.Name] {
			t.Errorf("duplicate hospital name %s", h.Name)
		}
		names[h.Name] = true
		if !inCity(h.Lat, h.Lng) {
			t.Errorf("%s outside the city", h.Name)
		}
	}
	perRep := make([]int, len(w.reps))
	for _, d := range w.doctors {
		perRep[d.Rep]++
	}
	for k, n := range perRep {
		if n != 450 {
			t.Errorf("rep %d covers %d doctors", k, n)
		}
	}
	for _, r := range w.reps {
		if n := len([]rune(r.Territory)); n == 0 || n > 64 {
			t.Errorf("%s territory %q", r.UserID, r.Territory)
		}
	}
}

// BenchmarkWorld seeds the default world (12 reps, 600 doctors) into a fresh SQLite database.
func BenchmarkWorld(b *testing.B) {
	o := defaultTestOptions()
	for b.Loop() {
		b.StopTimer()
		s, _ := modelstest.Open(b, "sqlite", clock.NewFake(testToday))
		b.StartTimer()
		mustSeed(b, s, o)
	}
}

// BenchmarkGenerate is the in-memory part: the world and every doctor's signals.
func BenchmarkGenerate(b *testing.B) {
	o := defaultTestOptions()
	for b.Loop() {
		w, err := generate(o)
		if err != nil {
			b.Fatal(err)
		}
		for i := range w.doctors {
			_ = w.signals(i, uint(i+1))
		}
	}
}
