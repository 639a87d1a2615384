package web_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"testing"

	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/web"
)

// TestDashboardFiguresMatchDatabase: the JSON summary a manager gets equals
// what the store says (plan vs actual per rep, coverage, quality), and the
// HTML page shows the same figures.
func TestDashboardFiguresMatchDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a world")
	}
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		e := newWorld(t, driver, 4, nil)
		m := managers(t, e.store)[0]
		c := e.signIn(t, m.UserID)
		status, body := get(t, c, e.srv.URL+"/dashboard/api/summary?week=2026-W48")
		if status != http.StatusOK {
			t.Fatalf("summary: %d %s", status, body)
		}
		var s web.Summary
		if err := json.Unmarshal([]byte(body), &s); err != nil {
			t.Fatal(err)
		}
		team, _ := e.store.Users.TeamOf(ctx, m.ID)
		if s.Reps != len(team) || len(team) == 0 {
			t.Fatalf("reps = %d, team %d", s.Reps, len(team))
		}
		var planned, matched int
		for _, r := range team {
			pr, err := e.store.Reports.PlanVsActual(ctx, []uint{r.ID}, "2026-11-23", "2026-11-29")
			if err != nil {
				t.Fatal(err)
			}
			planned += pr.Planned
			matched += pr.Matched
		}
		if planned == 0 || s.MatchRate.Planned != planned || s.MatchRate.Matched != matched {
			t.Fatalf("match rate %+v, store planned %d matched %d", s.MatchRate, planned, matched)
		}
		if len(s.Trend) != web.TrendWeeks || s.Trend[web.TrendWeeks-1].Week != "2026-W48" || s.Trend[0].Planned != 0 {
			t.Fatalf("trend = %+v", s.Trend)
		}
		var fb []models.VisitFeedback
		ids := make([]uint, len(team))
		for i, r := range team {
			ids[i] = r.ID
		}
		e.store.DB(ctx).Where("rep_id IN ?", ids).Find(&fb)
		if s.Quality.N != len(fb) || len(fb) == 0 {
			t.Fatalf("quality n = %d, rows %d", s.Quality.N, len(fb))
		}
		sum, n := 0.0, 0
		for _, f := range fb {
			sum += f.QualityScore
		}
		for _, b := range s.Quality.Buckets {
			n += b.N
		}
		if n != len(fb) || math.Abs(s.Quality.Avg-math.Round(sum/float64(len(fb))*10)/10) > 1e-9 {
			t.Fatalf("quality = %+v, want avg of %d rows = %.1f", s.Quality, len(fb), sum/float64(len(fb)))
		}
		// S/A coverage counted independently.
		var key, visited int64
		e.store.DB(ctx).Table("doctors").Where("tier IN ? AND id IN (?)", []string{"S", "A"},
			e.store.DB(ctx).Table("assignments").Select("doctor_id").Where("rep_id IN ?", ids)).Count(&key)
		e.store.DB(ctx).Table("visits AS v").Joins("JOIN doctors d ON d.id = v.doctor_id").
			Where("v.rep_id IN ? AND v.verified = ? AND v.day BETWEEN ? AND ? AND d.tier IN ?", ids, true, "2026-11-23", "2026-11-29", []string{"S", "A"}).
			Distinct("v.doctor_id").Count(&visited)
		if s.Coverage.KeyDoctors != int(key) || s.Coverage.Visited != int(visited) {
			t.Fatalf("coverage = %+v, want %d/%d", s.Coverage, visited, key)
		}
		status, page := get(t, c, e.srv.URL+"/dashboard?week=2026-W48")
		if status != http.StatusOK || !contains(page, `id="kpi-match-detail">`+itoa(matched)+"/"+itoa(planned)+"<") || !contains(page, `<svg id="chart-trend"`) {
			t.Fatalf("dashboard page: %d %.500s", status, page)
		}
	})
}

// TestRolesAreEnforced: a manager sees only the own team, a rep no
// dashboard, an admin any team; unsigned requests are sent to sign in.
func TestRolesAreEnforced(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	ctx := context.Background()
	ms := managers(t, e.store)
	m := ms[0]
	mc := e.signIn(t, m.UserID)
	if len(ms) > 1 {
		if st, _ := get(t, mc, e.srv.URL+"/dashboard?manager="+ms[1].UserID); st != http.StatusForbidden {
			t.Fatalf("other team page = %d, want 403", st)
		}
		if st, body := get(t, mc, e.srv.URL+"/dashboard/api/summary?manager="+ms[1].UserID); st != http.StatusForbidden || !contains(body, "error") {
			t.Fatalf("other team json = %d %s", st, body)
		}
	}
	if st, _ := get(t, mc, e.srv.URL+"/dashboard?manager="+m.UserID); st != http.StatusOK {
		t.Fatalf("own team = %d", st)
	}
	// A doctor of no team rep of m is refused.
	var other models.Assignment
	team, _ := e.store.Users.TeamOf(ctx, m.ID)
	ids := []uint{}
	for _, r := range team {
		ids = append(ids, r.ID)
	}
	if err := e.store.DB(ctx).Where("rep_id NOT IN ? AND doctor_id NOT IN (?)", ids,
		e.store.DB(ctx).Table("assignments").Select("doctor_id").Where("rep_id IN ?", ids)).First(&other).Error; err == nil {
		if st, _ := get(t, mc, e.srv.URL+"/m/doctor/"+itoa(int(other.DoctorID))); st != http.StatusForbidden {
			t.Fatalf("other team's doctor = %d, want 403", st)
		}
	}
	rc := e.signIn(t, team[0].UserID)
	if st, _ := get(t, rc, e.srv.URL+"/dashboard/api/summary"); st != http.StatusForbidden {
		t.Fatalf("rep summary = %d, want 403", st)
	}
	if st, _ := get(t, rc, e.srv.URL+"/m/route"); st != http.StatusOK {
		t.Fatalf("rep route = %d", st)
	}
	admins, _ := e.store.Users.Users(ctx, models.RoleAdmin)
	if len(admins) > 0 {
		ac := e.signIn(t, admins[0].UserID)
		if st, _ := get(t, ac, e.srv.URL+"/dashboard?manager="+m.UserID); st != http.StatusOK {
			t.Fatalf("admin team page = %d", st)
		}
		if st, _ := get(t, ac, e.srv.URL+"/dashboard?manager=nobody"); st != http.StatusForbidden {
			t.Fatalf("admin unknown manager = %d", st)
		}
	}
	anon := e.client(t)
	resp, err := anon.Get(e.srv.URL + "/dashboard")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/auth/login?next="+url.QueryEscape("/dashboard") {
		t.Fatalf("anonymous = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if st, _ := get(t, anon, e.srv.URL+"/dashboard/api/summary"); st != http.StatusUnauthorized {
		t.Fatalf("anonymous json = %d", st)
	}
	if st, _ := get(t, mc, e.srv.URL+"/dashboard?week=2026-W99"); st != http.StatusBadRequest {
		t.Fatalf("bad week = %d", st)
	}
}

func itoa(n int) string { return fmtInt(n) }
