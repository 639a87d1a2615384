package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"visitbot/models"
)

// browser starts headless Debian chromium, or skips when it is not installed
// (CI installs it: .ci/needs-chromium). It fails the test on any JS
// console error or uncaught exception.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium); CI installs it")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(412, 915),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	var mu sync.Mutex
	var errs []string
	done := make(chan struct{})
	messages := chromedp.Console(ctx)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				mu.Lock()
				errs = append(errs, string(m.Type)+": "+m.Text)
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancelT()
		cancelC()
		cancelA()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if len(errs) > 0 {
			t.Errorf("browser console errors: %s", strings.Join(errs, "; "))
		}
	})
	return ctx
}

func TestBrowserDashboardAndFeedback(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	e := newWorld(t, "sqlite", 4, nil)
	m := managers(t, e.store)[0]
	// The figures the page must show, from the store.
	bg := context.Background()
	team, _ := e.store.Users.TeamOf(bg, m.ID)
	var planned, matched int
	for _, r := range team {
		pr, err := e.store.Reports.PlanVsActual(bg, []uint{r.ID}, "2026-11-23", "2026-11-29")
		if err != nil {
			t.Fatal(err)
		}
		planned, matched = planned+pr.Planned, matched+pr.Matched
	}
	var nfb int64
	e.store.DB(bg).Model(&models.VisitFeedback{}).Where("rep_id IN (?)", e.store.DB(bg).Model(&models.User{}).Select("id").Where("manager_id = ?", m.ID)).Count(&nfb)

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/auth/demo?user="+m.UserID+"&next=/dashboard%3Fweek%3D2026-W48"),
		chromedp.WaitVisible(chromedp.ID("chart-trend")),
	)
	if err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		v, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(v)
	}
	detail, quality, week48 := text("#kpi-match-detail"), text("#kpi-quality-n"), text(`#chart-trend text[data-week="W48"]`)
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg rect.bar").length`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	rate := "—"
	if planned > 0 {
		rate = itoa(int(float64(matched)/float64(planned)*100+0.5)) + "%"
	}
	if detail != itoa(matched)+"/"+itoa(planned) || week48 != rate || quality != itoa(int(nfb))+" 条反馈" || bars == 0 {
		t.Fatalf("page shows match %q week48 %q quality %q bars %d; store: %d/%d (%s), %d feedback", detail, week48, quality, bars, matched, planned, rate, nfb)
	}
	// Kept with go test -artifacts -outputdir DIR; a temporary directory otherwise.
	dir := t.ArtifactDir()
	if err := os.WriteFile(filepath.Join(dir, "dashboard.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", filepath.Join(dir, "dashboard.png"))

	// Another team's page: 403 with a Chinese message.
	if ms := managers(t, e.store); len(ms) > 1 {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(e.srv.URL+"/dashboard?manager="+ms[1].UserID))
		if err != nil {
			t.Fatal(err)
		}
		if msg := text("#error-message"); resp.Status != 403 || !strings.Contains(msg, "自己团队") {
			t.Fatalf("other team page: %d %q", resp.Status, msg)
		}
	}

	// The rep fills the feedback form in the browser; the row appears.
	rep, v := checkedInVisit(t, e)
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/auth/demo?user="+rep.UserID+"&next=/m/feedback/"+itoa(int(v.ID))),
		chromedp.WaitVisible(chromedp.ID("feedback-form")),
		chromedp.Click(chromedp.CSS(`input[name="concern"][value="c1"]`)),
		chromedp.Click(chromedp.CSS(`input[name="objection"][value="j1"]`)),
		chromedp.Click(chromedp.CSS(`input[name="follow_up"][value="f1"]`)),
		chromedp.Click(chromedp.CSS(`input[name="commitments"][value="m1"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="note"]`), "浏览器提交的备注"),
		chromedp.Click(chromedp.ID("feedback-submit")),
		chromedp.WaitVisible(chromedp.ID("feedback-done")),
	)
	if err != nil {
		t.Fatal(err)
	}
	score := text("#feedback-score")
	fb, err := e.store.Visits.FeedbackByVisit(bg, v.ID)
	if err != nil || fb.Note != "浏览器提交的备注" || itoa(int(fb.QualityScore+0.5)) != score {
		t.Fatalf("feedback row %+v (%v), page score %q", fb, err, score)
	}
}

// TestBrowserCheckIn: the check-in page's script reads the browser position
// (emulated at the planned hospital) and the chat's check-in verifies the visit.
func TestBrowserCheckIn(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	e := newWorld(t, "sqlite", 0, nil)
	bg := context.Background()
	rep, v := checkedInVisit(t, e)
	e.store.DB(bg).Model(v).Updates(map[string]any{"status": models.VisitPlanned, "verified": false, "planned": true})
	var h models.Hospital
	e.store.DB(bg).First(&h, v.HospitalID)
	acc := 10.0
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/auth/demo?user="+rep.UserID+"&next=/m/checkin")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: e.srv.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &h.Lat, Longitude: &h.Lng, Accuracy: &acc}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("locate")), chromedp.WaitVisible(chromedp.ID("checkin-result"))); err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.ID("checkin-result")))
	if err != nil || !strings.Contains(msg, "签到成功") {
		t.Fatalf("result %q, %v", msg, err)
	}
	var got models.Visit
	e.store.DB(bg).First(&got, v.ID)
	if got.Status != models.VisitCheckedIn || !got.Verified {
		t.Fatalf("visit after browser check-in = %+v", got)
	}
	// The other pages load without console errors (a CSP violation would be one).
	for _, path := range []string{"/m/route", "/m/doctor/" + itoa(int(v.DoctorID)), "/m/feedback/" + itoa(int(v.ID)), "/auth/login"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}
