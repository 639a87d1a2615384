package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestRoughEdgesOfTheDay replays the rough items a rep and a manager met on
// the pages (issue: the rep's and the manager's day), one subtest each.
func TestRoughEdgesOfTheDay(t *testing.T) {
	e := newWorld(t, "sqlite", 3, nil)
	ctx := context.Background()
	ms := managers(t, e.store)
	m := &ms[0]
	mc := e.signIn(t, m.UserID)
	team, err := e.store.Users.TeamOf(ctx, m.ID)
	if err != nil || len(team) == 0 {
		t.Fatalf("team: %v", err)
	}
	rep := &team[0]
	rc := e.signIn(t, rep.UserID)

	t.Run("error pages are titled in Chinese and lead a signed-in user home", func(t *testing.T) {
		var other models.Doctor
		mine := e.store.DB(ctx).Model(&models.Assignment{}).Select("doctor_id").Where("rep_id = ?", rep.ID)
		if err := e.store.DB(ctx).Where("id NOT IN (?)", mine).First(&other).Error; err != nil {
			t.Fatal(err)
		}
		st, page := get(t, rc, e.srv.URL+"/m/doctor/"+itoa(int(other.ID)))
		if st != http.StatusForbidden || !contains(page, "<title>禁止访问 · 拜访助手</title>") || contains(page, "Forbidden") ||
			!contains(page, `<a id="error-link" href="/m/route">返回首页</a>`) || contains(page, "返回登录") {
			t.Fatalf("403 page (%d):\n%s", st, page)
		}
		st, page = get(t, rc, e.srv.URL+"/m/feedback/999999")
		if st != http.StatusNotFound || !contains(page, "找不到页面") || !contains(page, `href="/m/route">返回首页`) {
			t.Fatalf("404 page (%d):\n%s", st, page)
		}
	})

	t.Run("已知悉 from a stale tab says the alert was handled", func(t *testing.T) {
		al := openAlert(t, e, m)
		_, page := get(t, mc, e.srv.URL+"/dashboard?week=2026-W48")
		csrf := csrfOf(t, page)
		u := e.srv.URL + "/dashboard/alerts/" + itoa(int(al.ID))
		if st, _ := postForm(t, mc, u, url.Values{"csrf": {csrf}, "action": {flows.AlertActionAck}}); st != http.StatusSeeOther {
			t.Fatalf("first ack = %d", st)
		}
		st, page := postForm(t, mc, u, url.Values{"csrf": {csrf}, "action": {flows.AlertActionAck}})
		if st != http.StatusConflict || !contains(page, flows.MsgAlertHandled) || !contains(page, "状态已变化") ||
			!contains(page, `href="/dashboard">返回看板`) || contains(page, "Conflict") {
			t.Fatalf("stale ack (%d):\n%s", st, page)
		}
	})

	t.Run("an empty week shows dashes, not 0% (0/0) and 0.0", func(t *testing.T) {
		st, page := get(t, mc, e.srv.URL+"/dashboard?week=2026-W30")
		if st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		for _, want := range []string{`id="kpi-match">—<`, `id="kpi-quality">—<`, `id="kpi-match-detail">本周无计划拜访<`} {
			if !contains(page, want) {
				t.Errorf("missing %s", want)
			}
		}
		if contains(page, "0/0") || contains(page, `id="kpi-quality">0.0<`) || contains(page, `id="kpi-match">0%<`) {
			t.Errorf("empty week shows zeros")
		}
	})

	t.Run("tier history: a first grading is no move", func(t *testing.T) {
		_, page := get(t, mc, e.srv.URL+"/dashboard?week=2026-W47")
		var first int64
		e.store.DB(ctx).Model(&models.TierChange{}).Where("day = ? AND from_tier = ''", "2026-11-22").Count(&first)
		if first == 0 || !regexp.MustCompile(`id="first-tiers">本周 \d+ 位医生首次分级`).MatchString(page) {
			t.Fatalf("%d first gradings; dashboard W47 says nothing of them", first)
		}
		var tc models.TierChange
		e.store.DB(ctx).Where("from_tier = ''").First(&tc)
		_, page = get(t, mc, e.srv.URL+"/m/doctor/"+itoa(int(tc.DoctorID)))
		if !contains(page, "首次分级 "+tc.ToTier) || contains(page, "— →") || contains(page, "—→") {
			t.Fatalf("doctor page tier history:\n%s", page)
		}
	})

	t.Run("the doctor page: distance like the card to the rep, none to the manager", func(t *testing.T) {
		var rec models.Recommendation
		if err := e.store.DB(ctx).Where("rep_id = ? AND day = ? AND distance_m > 0", rep.ID, e.store.Today()).First(&rec).Error; err != nil {
			t.Fatal(err)
		}
		path := "/m/doctor/" + itoa(int(rec.DoctorID))
		_, repPage := get(t, rc, e.srv.URL+path)
		if !regexp.MustCompile(`<li>距您\d+(\.\d)?(m|km)</li>`).MatchString(repPage) || contains(repPage, "米<") || contains(repPage, "公里<") {
			t.Fatalf("rep's doctor page distance:\n%s", repPage)
		}
		_, mgrPage := get(t, mc, e.srv.URL+path)
		if contains(mgrPage, "距您") {
			t.Fatalf("the manager sees a rep's distance:\n%s", mgrPage)
		}
	})

	t.Run("the route says 上午/下午门诊 and names doctors as the card", func(t *testing.T) {
		st, page := get(t, rc, e.srv.URL+"/m/route")
		if st != http.StatusOK || !regexp.MustCompile(`[上下]午门诊`).MatchString(page) || regexp.MustCompile(`>\s*(AM|PM)\s*<| · (AM|PM)`).MatchString(page) {
			t.Fatalf("route (%d):\n%s", st, page)
		}
		if !regexp.MustCompile(`class="stop-name" href="/m/doctor/\d+">\p{Han}{1,2}(主任|副主任|医生)</a>`).MatchString(page) {
			t.Fatalf("route does not name doctors as the card does:\n%s", page)
		}
	})

	t.Run("the feedback form lists every missing answer at once", func(t *testing.T) {
		r, v := checkedInVisit(t, e)
		c := e.signIn(t, r.UserID)
		u := e.srv.URL + "/m/feedback/" + itoa(int(v.ID))
		_, page := get(t, c, u)
		st, page := postForm(t, c, u, url.Values{"csrf": {csrfOf(t, page)}, "concern": {"c1"}})
		if st != http.StatusUnprocessableEntity || !contains(page, "异议类型、下次跟进、承诺事项") {
			t.Fatalf("missing answers (%d): %s", st, page)
		}
	})

	t.Run("the dashboard opens on the latest week with data", func(t *testing.T) {
		was := e.clock.Now()
		e.clock.Set(time.Date(2026, 12, 16, 10, 0, 0, 0, modelstest.Shanghai))
		defer e.clock.Set(was)
		mc := e.signIn(t, m.UserID)
		_, page := get(t, mc, e.srv.URL+"/dashboard")
		if !contains(page, `name="week" value="2026-W48"`) || !contains(page, `id="week-fallback"`) {
			t.Fatalf("dashboard without ?week= on 12-16:\n%s", page[:min(len(page), 1500)])
		}
		_, page = get(t, mc, e.srv.URL+"/dashboard?week=2026-W51")
		if !contains(page, `name="week" value="2026-W51"`) || contains(page, `id="week-fallback"`) {
			t.Fatal("an asked-for week was replaced")
		}
	})
}
