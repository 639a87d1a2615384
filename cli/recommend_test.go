package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"visitbot/models"
)

// recommendWorld writes a rep with three Wednesday-morning doctors into a
// fresh SQLite file and returns the CLI environment pointing at it.
func recommendWorld(t *testing.T) []string {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "vb.db")
	ctx := context.Background()
	s, err := models.Open(models.Options{Driver: "sqlite", DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	rep := &models.User{UserID: "rep01", Name: "李娜", Role: models.RoleRep, Territory: "西湖", StartLat: 30.2741, StartLng: 120.1551, Active: true}
	must(s.Users.CreateUser(ctx, rep))
	must(s.Users.CreateUser(ctx, &models.User{UserID: "mgr01", Name: "王强", Role: models.RoleManager, Active: true}))
	h := &models.Hospital{ExternalID: "H1", Name: "浙江省人民医院", Level: models.Level3A, City: "杭州", Lat: 30.2741 + 1.2/111.195, Lng: 120.1551}
	must(s.DB(ctx).Create(h).Error)
	for i, title := range []string{models.TitleChief, models.TitleAttending, models.TitleResident} {
		d := &models.Doctor{ExternalID: fmt.Sprintf("D%d", i), Name: fmt.Sprintf("张医生%d", i), HospitalID: h.ID, Department: "心内科", Title: title}
		must(s.DB(ctx).Create(d).Error)
		must(s.DB(ctx).Create(&models.Assignment{RepID: rep.ID, DoctorID: d.ID}).Error)
		must(s.DB(ctx).Create(&models.ClinicSession{DoctorID: d.ID, Weekday: 3, Period: models.PeriodAM}).Error)
		if i == 1 { // two consecutive online lectures
			for j, at := range []time.Time{time.Date(2026, 11, 5, 19, 0, 0, 0, time.UTC), time.Date(2026, 11, 12, 19, 0, 0, 0, time.UTC)} {
				must(s.DB(ctx).Create(&models.Signal{ExternalID: fmt.Sprintf("L%d", j), DoctorID: d.ID, Class: models.ClassLecture, Kind: "lecture_attend", Value: 1, OccurredAt: at}).Error)
			}
		}
	}
	return []string{"VISITBOT_DATABASE_DSN=" + dsn, "VISITBOT_LOG_LEVEL=error"}
}

func TestRecommendCLI(t *testing.T) {
	env := recommendWorld(t)
	code, out, stderr := runCLI(t, env, "recommend", "-rep", "rep01", "-date", "2026-12-02")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"rep01 李娜 · 2026-12-02 · Top 3", " 1. 上午 张医生", "浙江省人民医院", "reasons: ", "连续2次参加线上讲座", "周三上午门诊", "距您1.2公里", "breakdown: ", "heat=", "route_km=", "  route: 1.6 km, 3 min driving", "(#1 by value)", "[D"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, js, stderr := runCLI(t, env, "recommend", "-rep", "rep01", "-date", "2026-12-02", "-json")
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, stderr)
	}
	var got struct {
		Rep             string
		Day             string
		Recommendations []struct {
			Rank       int
			ValueRank  int `json:"value_rank"`
			Kind       string
			Doctor     string
			DoctorCode string `json:"doctor_code"`
			HospitalID uint   `json:"hospital_id"`
			Hospital   string
			Lat, Lng   float64
			RouteKM    float64 `json:"route_km"`
			Reasons    []string
			Breakdown  map[string]float64
			Score      float64
		}
	}
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatalf("json: %v\n%s", err, js)
	}
	if got.Rep != "rep01" || got.Day != "2026-12-02" || len(got.Recommendations) != 3 {
		t.Fatalf("json: %+v", got)
	}
	for i, r := range got.Recommendations {
		if r.Rank != i+1 || r.Kind != "ranked" || len(r.Reasons) == 0 || r.Breakdown["heat"] <= 0 || r.Score <= 0 {
			t.Errorf("json row %d: %+v", i, r)
		}
		if r.DoctorCode == "" || r.HospitalID == 0 || r.Hospital != "浙江省人民医院" || r.Lat == 0 || r.Lng == 0 || r.ValueRank < 1 || r.RouteKM <= 0 {
			t.Errorf("json row %d lacks the doctor code, hospital, coordinates, value rank or route: %+v", i, r)
		}
	}

	// -all -json: every active rep's list, with the same rows.
	code, alljs, stderr := runCLI(t, env, "recommend", "-all", "-json", "-date", "2026-12-02")
	if code != 0 {
		t.Fatalf("-all -json: exit %d: %s", code, stderr)
	}
	var all struct {
		Day  string
		Reps []struct {
			Rep             string
			Recommendations []struct {
				DoctorCode string `json:"doctor_code"`
			}
		}
	}
	if err := json.Unmarshal([]byte(alljs), &all); err != nil || all.Day != "2026-12-02" || len(all.Reps) != 1 ||
		all.Reps[0].Rep != "rep01" || len(all.Reps[0].Recommendations) != 3 || all.Reps[0].Recommendations[0].DoctorCode != got.Recommendations[0].DoctorCode {
		t.Errorf("-all -json = %+v, %v\n%s", all, err, alljs)
	}

	// The stored day is reused; -force recomputes the same world to the same list.
	if _, again, _ := runCLI(t, env, "recommend", "-rep", "rep01", "-date", "2026-12-02"); again != out {
		t.Errorf("second run differs:\n%s\nvs\n%s", out, again)
	}
	if code, forced, stderr := runCLI(t, env, "recommend", "-force", "-rep", "rep01", "-date", "2026-12-02"); code != 0 || !strings.Contains(forced, "Top 3") {
		t.Errorf("force: %d %s %s", code, forced, stderr)
	}
	// A day without clinic sessions is an empty list, not an error.
	if code, out, _ := runCLI(t, env, "recommend", "-rep", "rep01", "-date", "2026-12-03"); code != 0 || !strings.Contains(out, "no doctor with a clinic session") {
		t.Errorf("Thursday: %d %s", code, out)
	}
	if code, out, stderr := runCLI(t, env, "recommend", "-all", "-date", "2026-12-02", "-force"); code != 0 || !strings.Contains(out, "1 reps, 1 lists written (3 recommendations)") {
		t.Errorf("-all: %d %q %q", code, out, stderr)
	}
}

// TestRecommendSaysWhenNoNightRanYet: before any nightly scoring doctors have
// no tier and the call targets wait; recommend says so on stderr (the list
// is still made) and stops saying it once a night ran for the day or before.
func TestRecommendSaysWhenNoNightRanYet(t *testing.T) {
	env := recommendWorld(t)
	const note = "no nightly scoring has run for 2026-12-02"
	code, out, stderr := runCLI(t, env, "recommend", "-rep", "rep01", "-date", "2026-12-02")
	if code != 0 || !strings.Contains(out, "Top 3") || !strings.Contains(stderr, note) || !strings.Contains(stderr, "job run nightly_scores -date 2026-12-02") {
		t.Fatalf("before the night: %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr := runCLI(t, env, "job", "run", "nightly_scores", "-date", "2026-12-01"); code != 0 {
		t.Fatalf("night: %d %s", code, stderr)
	}
	for _, args := range [][]string{{"recommend", "-rep", "rep01", "-date", "2026-12-02", "-force"}, {"recommend", "-all", "-date", "2026-12-02"}} {
		if code, _, stderr := runCLI(t, env, args...); code != 0 || strings.Contains(stderr, "nightly scoring") {
			t.Errorf("%v after the night of 12-01: %d %q", args, code, stderr)
		}
	}
	if _, _, stderr := runCLI(t, env, "recommend", "-rep", "rep01", "-date", "2026-11-30"); !strings.Contains(stderr, "no nightly scoring has run for 2026-11-30") {
		t.Errorf("a day before the first night: %q", stderr)
	}
}

func TestRecommendCLIErrors(t *testing.T) {
	env := recommendWorld(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"recommend"}, "give exactly one of -rep REP or -all"},
		{[]string{"recommend", "-rep", "rep01", "-all"}, "give exactly one of -rep REP or -all"},
		{[]string{"recommend", "-rep", "nobody"}, `no user "nobody"`},
		{[]string{"recommend", "-rep", "mgr01", "-date", "2026-12-02"}, "not a rep"},
		{[]string{"recommend", "-rep", "rep01", "-date", "12/02/2026"}, "want YYYY-MM-DD"},
		{[]string{"recommend", "-rep", "rep01", "extra"}, `unexpected argument "extra"`},
	}
	for _, tc := range cases {
		code, _, stderr := runCLI(t, env, tc.args...)
		if code != 1 || !strings.HasPrefix(stderr, "visitbot recommend: ") || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
}
