package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// checkedInVisit makes a checked-in visit today for the first rep with an
// assigned doctor and returns rep and visit.
func checkedInVisit(t testing.TB, e *env) (*models.User, *models.Visit) {
	t.Helper()
	ctx := context.Background()
	var a models.Assignment
	if err := e.store.DB(ctx).Order("id").First(&a).Error; err != nil {
		t.Fatal(err)
	}
	var d models.Doctor
	e.store.DB(ctx).First(&d, a.DoctorID)
	v, err := e.store.Visits.EnsureVisit(ctx, a.RepID, d.ID, d.HospitalID, e.store.Today())
	if err != nil {
		t.Fatal(err)
	}
	e.store.DB(ctx).Model(v).Updates(map[string]any{"status": models.VisitCheckedIn, "verified": true})
	rep, _ := e.store.Users.UserByID(ctx, a.RepID)
	return rep, v
}

func TestFeedbackFormSubmits(t *testing.T) {
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		e := newWorld(t, driver, 0, nil)
		rep, v := checkedInVisit(t, e)
		c := e.signIn(t, rep.UserID)
		u := e.srv.URL + "/m/feedback/" + itoa(int(v.ID))
		st, page := get(t, c, u)
		if st != http.StatusOK {
			t.Fatalf("form = %d", st)
		}
		csrf := csrfOf(t, page)
		form := url.Values{"csrf": {csrf}, "concern": {"c1"}, "objection": {"j1"}, "follow_up": {"f1"}, "commitments": {"m1"}, "note": {"主任要求下周送文献"}}
		// Without the token: refused, nothing written.
		bad := url.Values{}
		for k, vs := range form {
			bad[k] = vs
		}
		bad.Set("csrf", "nope")
		if st, _ := postForm(t, c, u, bad); st != http.StatusForbidden {
			t.Fatalf("bad csrf = %d", st)
		}
		// "无" with another commitment: the card's rule, 422.
		mix := url.Values{"csrf": {csrf}, "concern": {"c1"}, "objection": {"j1"}, "follow_up": {"f1"}, "commitments": {"m1", noneID(t, e)}}
		if st, body := postForm(t, c, u, mix); st != http.StatusUnprocessableEntity || !contains(body, "不能与其他承诺") {
			t.Fatalf("none mix = %d %.300s", st, body)
		}
		if st, body := postForm(t, c, u, form); st != http.StatusOK || !contains(body, `id="feedback-done"`) {
			t.Fatalf("submit = %d %.300s", st, body)
		}
		fb, err := e.store.Visits.FeedbackByVisit(context.Background(), v.ID)
		if err != nil || fb.Note != "主任要求下周送文献" || fb.RepID != rep.ID || fb.QualityScore <= 0 {
			t.Fatalf("feedback row = %+v, %v", fb, err)
		}
		if st, body := postForm(t, c, u, form); st != http.StatusUnprocessableEntity || !contains(body, `id="feedback-done"`) {
			t.Fatalf("second submit = %d", st)
		}
		// The doctor page lists the visit with its score and commitment.
		if st, body := get(t, c, e.srv.URL+"/m/doctor/"+itoa(int(v.DoctorID))); st != http.StatusOK || !contains(body, `id="commitments"`) {
			t.Fatalf("doctor page after feedback = %d %.400s", st, body)
		}
		// Another rep cannot open it.
		var other models.User
		e.store.DB(context.Background()).Where("role = ? AND id <> ?", models.RoleRep, rep.ID).First(&other)
		if st, _ := get(t, e.signIn(t, other.UserID), u); st != http.StatusForbidden {
			t.Fatalf("other rep = %d", st)
		}
	})
}

func noneID(t testing.TB, e *env) string {
	for _, o := range e.flows.FeedbackChoices().Commitments {
		if o.Text == "无" {
			return o.ID
		}
	}
	t.Fatal("no 无 option")
	return ""
}

var onceRe = regexp.MustCompile(`name="once" value="([^"]+)"`)

func TestCheckInPage(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	rep, v := checkedInVisit(t, e)
	ctx := context.Background()
	e.store.DB(ctx).Model(v).Updates(map[string]any{"status": models.VisitPlanned, "verified": false, "planned": true})
	var h models.Hospital
	e.store.DB(ctx).First(&h, v.HospitalID)
	c := e.signIn(t, rep.UserID)
	st, page := get(t, c, e.srv.URL+"/m/checkin")
	if st != http.StatusOK {
		t.Fatalf("page = %d", st)
	}
	once := onceRe.FindStringSubmatch(page)
	if once == nil {
		t.Fatal("no one-time key on the check-in form")
	}
	form := url.Values{"csrf": {csrfOf(t, page)}, "once": {once[1]}, "lat": {ftoa(h.Lat)}, "lng": {ftoa(h.Lng)}}
	st, body := postForm(t, c, e.srv.URL+"/m/checkin", form)
	if st != http.StatusOK || !contains(body, "签到成功") || !contains(body, "/m/feedback/"+itoa(int(v.ID))) {
		t.Fatalf("check-in = %d %.600s", st, body)
	}
	var got models.Visit
	e.store.DB(ctx).First(&got, v.ID)
	if got.Status != models.VisitCheckedIn || !got.Verified {
		t.Fatalf("visit after check-in = %+v", got)
	}
	// The same form posted again (double tap, back button) changes nothing.
	var before, after int64
	e.store.DB(ctx).Model(&models.CheckIn{}).Count(&before)
	if st, body := postForm(t, c, e.srv.URL+"/m/checkin", form); st != http.StatusOK || !contains(body, "已经提交过") {
		t.Fatalf("repeated check-in = %d %.300s", st, body)
	}
	e.store.DB(ctx).Model(&models.CheckIn{}).Count(&after)
	if before != after || before == 0 {
		t.Fatalf("check-ins %d → %d", before, after)
	}
	mc := e.signIn(t, managers(t, e.store)[0].UserID)
	if st, _ := get(t, mc, e.srv.URL+"/m/checkin"); st != http.StatusForbidden {
		t.Fatalf("manager check-in page = %d", st)
	}
}

func TestRoutePage(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	ctx := context.Background()
	if _, err := e.rec.ScoreAll(ctx, e.store.Today()); err != nil {
		t.Fatal(err)
	}
	var rep models.User
	e.store.DB(ctx).Where("role = ?", models.RoleRep).Order("id").First(&rep)
	recs, err := e.rec.ForRep(ctx, rep.ID, e.store.Today(), true)
	if err != nil || len(recs) == 0 {
		t.Fatalf("recommendations: %d %v", len(recs), err)
	}
	st, page := get(t, e.signIn(t, rep.UserID), e.srv.URL+"/m/route")
	if st != http.StatusOK || !contains(page, `id="route-link" href="https://uri.amap.com/`) || !contains(page, "/m/doctor/"+itoa(int(recs[0].DoctorID))) {
		t.Fatalf("route page = %d %.800s", st, page)
	}
}
