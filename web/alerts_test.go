package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"visitbot/flows"
	"visitbot/models"
)

// openAlert stores an open alert for manager m about one of the team's doctors.
func openAlert(t *testing.T, e *env, m *models.User) *models.Alert {
	t.Helper()
	ctx := context.Background()
	team, _ := e.store.Users.TeamOf(ctx, m.ID)
	var a models.Assignment
	if err := e.store.DB(ctx).Where("rep_id = ?", team[0].ID).First(&a).Error; err != nil {
		t.Fatal(err)
	}
	al := &models.Alert{Kind: "silent_kol", SubjectKey: "doctor:test", DoctorID: &a.DoctorID, RepID: &a.RepID, ManagerID: &m.ID,
		Title: "沉默KOL：测试", Reasons: `["55天没有拜访"]`, Status: models.AlertOpen}
	if err := e.store.Alerts.CreateAlert(ctx, al); err != nil {
		t.Fatal(err)
	}
	return al
}

func TestAlertActionsFromDashboard(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	ctx := context.Background()
	ms := managers(t, e.store)
	m := &ms[0]
	al := openAlert(t, e, m)
	c := e.signIn(t, m.UserID)
	st, page := get(t, c, e.srv.URL+"/dashboard")
	// The tile counts silent KOLs by the one definition (flows.SilentKOLs), not open alert rows.
	team, _ := e.store.Users.TeamOf(ctx, m.ID)
	var reps []uint
	for _, r := range team {
		reps = append(reps, r.ID)
	}
	silent, err := e.flows.SilentKOLs(ctx, reps, e.store.Today())
	if err != nil {
		t.Fatal(err)
	}
	if st != http.StatusOK || !contains(page, `data-alert="`+itoa(int(al.ID))+`"`) || !contains(page, `id="kpi-silent">`+itoa(len(silent))+`<`) {
		t.Fatalf("dashboard = %d, alert not listed or silent tile is not %d", st, len(silent))
	}
	csrf := csrfOf(t, page)
	u := e.srv.URL + "/dashboard/alerts/" + itoa(int(al.ID))
	if st, _ := postForm(t, c, u, url.Values{"csrf": {"x"}, "action": {flows.AlertActionAck}}); st != http.StatusForbidden {
		t.Fatalf("bad csrf = %d", st)
	}
	if len(ms) > 1 {
		oc := e.signIn(t, ms[1].UserID)
		_, op := get(t, oc, e.srv.URL+"/dashboard")
		if st, _ := postForm(t, oc, u, url.Values{"csrf": {csrfOf(t, op)}, "action": {flows.AlertActionAck}}); st != http.StatusForbidden {
			t.Fatalf("other manager ack = %d", st)
		}
	}
	resp, err := c.PostForm(u, url.Values{"csrf": {csrf}, "action": {flows.AlertActionSnooze}, "back": {"/dashboard?week=2026-W49"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard?week=2026-W49" {
		t.Fatalf("snooze = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	got, _ := e.store.Alerts.AlertsByIDs(ctx, []uint{al.ID})
	// The fake clock is 2026-11-23 (Shanghai): a week on is 11-30 00:00.
	if got[0].Status != models.AlertSnoozed || got[0].SnoozeUntil == nil || got[0].SnoozeUntil.In(e.store.Location()).Format("2006-01-02 15:04") != "2026-11-30 00:00" {
		t.Fatalf("alert after snooze = %+v", got[0])
	}
	if st, _ := postForm(t, c, u, url.Values{"csrf": {csrf}, "action": {flows.AlertActionAck}}); st != http.StatusConflict {
		t.Fatalf("second action = %d, want 409", st)
	}
}

func TestCardLinkAndDoctorPage(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	ctx := context.Background()
	rep, v := checkedInVisit(t, e)
	task := &models.CardTask{TaskID: "fb-test-1", Platform: "dingtalk", UserID: rep.ID, Kind: "feedback_step1", RefID: v.ID, Day: v.Day}
	if err := e.store.Cards.SaveCardTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	c := e.signIn(t, rep.UserID)
	resp, err := c.Get(e.srv.URL + "/m/card/fb-test-1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/m/feedback/"+itoa(int(v.ID)) {
		t.Fatalf("card link = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	mc := e.signIn(t, managers(t, e.store)[0].UserID)
	if st, _ := get(t, mc, e.srv.URL+"/m/card/fb-test-1"); st != http.StatusForbidden {
		t.Fatalf("someone else's card = %d", st)
	}
	if st, _ := get(t, c, e.srv.URL+"/m/card/nope"); st != http.StatusNotFound {
		t.Fatalf("unknown card = %d", st)
	}
	st, page := get(t, c, e.srv.URL+"/m/doctor/"+itoa(int(v.DoctorID)))
	if st != http.StatusOK || !contains(page, `id="doctor-heat"`) || !contains(page, "已签到") {
		t.Fatalf("doctor page = %d %.300s", st, page)
	}
	// A rep not assigned to the doctor is refused.
	var other models.User
	e.store.DB(ctx).Where("role = ? AND id NOT IN (?)", models.RoleRep,
		e.store.DB(ctx).Table("assignments").Select("rep_id").Where("doctor_id = ?", v.DoctorID)).First(&other)
	if other.ID != 0 {
		if st, _ := get(t, e.signIn(t, other.UserID), e.srv.URL+"/m/doctor/"+itoa(int(v.DoctorID))); st != http.StatusForbidden {
			t.Fatalf("unassigned rep = %d", st)
		}
	}
}

// TestDamagedAlertReasonsAreShown: reasons that do not decode are said on
// the dashboard (and logged), not dropped.
func TestDamagedAlertReasonsAreShown(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	m := &managers(t, e.store)[0]
	al := openAlert(t, e, m)
	if err := e.store.DB(context.Background()).Model(al).Update("reasons", `["半个`).Error; err != nil {
		t.Fatal(err)
	}
	st, page := get(t, e.signIn(t, m.UserID), e.srv.URL+"/dashboard")
	if st != http.StatusOK || !strings.Contains(page, flows.MsgReasonsUnreadable) {
		t.Fatalf("dashboard %d does not say the reasons are damaged", st)
	}
}

// TestMobileDatabaseErrorsAre500: a failing query is a server error, never
// "not found".
func TestMobileDatabaseErrorsAre500(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	ctx := context.Background()
	m := &managers(t, e.store)[0]
	team, _ := e.store.Users.TeamOf(ctx, m.ID)
	var a models.Assignment
	if err := e.store.DB(ctx).Where("rep_id = ?", team[0].ID).First(&a).Error; err != nil {
		t.Fatal(err)
	}
	c := e.signIn(t, m.UserID)
	for _, table := range []string{"card_tasks", "tier_changes"} {
		if err := e.store.DB(ctx).Exec("DROP TABLE " + table).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/m/card/any", "/m/doctor/" + itoa(int(a.DoctorID))} {
		if st, _ := get(t, c, e.srv.URL+path); st != http.StatusInternalServerError {
			t.Errorf("%s with a failing query = %d, want 500", path, st)
		}
	}
}
