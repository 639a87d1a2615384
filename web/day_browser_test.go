package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"visitbot/clock"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/seed"
)

// dayWorld is the production app (apptest: the demo's wiring, console on)
// on a seeded world on Tuesday 2026-12-01 at 08:05: every rep has the
// morning card in the console and rep's manager an alert card (a
// clinical-trial signal of one of rep's doctors), served over HTTP.
type dayWorld struct {
	url      string
	store    *models.Store
	rep, mgr *models.User
}

func newDayWorld(t *testing.T) *dayWorld {
	t.Helper()
	ctx := context.Background()
	loc := modelstest.Shanghai
	clk := clock.NewFake(time.Date(2026, 12, 1, 7, 20, 0, 0, loc))
	s, _ := modelstest.Open(t, "sqlite", clk)
	opts := seed.DefaultOptions()
	opts.Reps, opts.Doctors, opts.Today = 3, 120, time.Date(2026, 11, 30, 0, 0, 0, 0, loc)
	if err := seed.World(ctx, s, opts); err != nil {
		t.Fatal(err)
	}
	a := apptest.OnStore(t, s, nil)
	if _, err := a.Ranking.ScoreAll(ctx, "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	clk.Set(time.Date(2026, 12, 1, 7, 25, 0, 0, loc))
	if _, err := a.Flows.MorningPush(ctx, "2026-12-01", nil); err != nil {
		t.Fatal(err)
	}
	apptest.Drain(t, a)
	reps, err := s.Users.Users(ctx, models.RoleRep)
	if err != nil || len(reps) == 0 {
		t.Fatalf("reps: %v", err)
	}
	w := &dayWorld{store: s, rep: &reps[0]}
	if w.mgr, err = s.Users.UserByID(ctx, *w.rep.ManagerID); err != nil {
		t.Fatal(err)
	}
	// After quiet hours: the alert card is delivered at once.
	clk.Set(time.Date(2026, 12, 1, 8, 5, 0, 0, loc))
	var as models.Assignment
	if err := s.DB(ctx).Where("rep_id = ?", w.rep.ID).Order("id").First(&as).Error; err != nil {
		t.Fatal(err)
	}
	_, created, err := s.Import.UpsertSignals(ctx, []*models.Signal{{ExternalID: "trial-browser", DoctorID: as.DoctorID,
		Class: models.ClassTrial, Kind: "trial_investigator", Value: 1, OccurredAt: clk.Now().UTC()}})
	if err != nil {
		t.Fatal(err)
	}
	sigs := make([]models.Signal, len(created))
	for i, c := range created {
		sigs[i] = *c
	}
	if err := a.Flows.OnSignals(ctx, sigs); err != nil {
		t.Fatal(err)
	}
	apptest.Drain(t, a)
	srv := httptest.NewServer(a.Server().Handler())
	t.Cleanup(srv.Close)
	w.url = srv.URL
	return w
}

// viewport is a screen the day is played on.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

// englishWord is Latin text a person would read as English; the allowed
// words are the product's own (KOL, the tier letters, km, user ids).
var englishWord = regexp.MustCompile(`\b[A-Za-z]{2,}\b`)

var allowedLatin = map[string]bool{"KOL": true, "km": true, "GCJ": true}

// TestBrowserRepAndManagerDay plays a rep's and a manager's day in the
// console of the production app, at desktop size and at 390×844, and
// asserts what a person sees: the texts, which buttons are live or greyed,
// no English where Chinese is expected. Screenshots are kept as test
// artifacts: go test ./web -run TestBrowserRepAndManagerDay -artifacts
// -outputdir DIR (a temporary directory otherwise, named in the log).
func TestBrowserRepAndManagerDay(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	for _, vp := range []viewport{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}} {
		t.Run(vp.name, func(t *testing.T) {
			ctx := browser(t)
			w := newDayWorld(t)
			opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
			if vp.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height, opts...)); err != nil {
				t.Fatal(err)
			}
			p := &player{t: t, ctx: ctx, dir: t.ArtifactDir(), vp: vp}
			playRepDay(p, w)
			playManagerDay(p, w)
		})
	}
}

// player drives the browser and asserts on what the page shows.
type player struct {
	t   *testing.T
	ctx context.Context
	dir string
	vp  viewport
}

func (p *player) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		p.t.Fatalf("%s: %v", what, err)
	}
}

// eval runs a script and returns its result.
func eval[T any](p *player, script string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](script))
	if err != nil {
		p.shot("failed-eval")
		p.t.Fatalf("eval %.60s: %v", script, err)
	}
	return v
}

// js runs a script for its effect (it returns true).
func (p *player) js(what, script string) {
	p.t.Helper()
	if !eval[bool](p, script) {
		p.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		p.t.Fatalf("%s: the script did not apply", what)
	}
}

func (p *player) shot(name string) {
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	f := filepath.Join(p.dir, p.vp.name+"-"+name+".png")
	if err := os.WriteFile(f, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", f)
}

// card is the CSS selector of the newest console card of kind.
func card(kind string) string { return fmt.Sprintf(`#log article[data-kind=%q]`, kind) }

// buttonState is "live" or "greyed" for the button with text in the newest
// card of kind ("" when the card has no such button).
func (p *player) buttonState(kind, text string) string {
	return eval[string](p, fmt.Sprintf(`(function(){
		var cs = document.querySelectorAll(%q); if (!cs.length) return '';
		var bs = Array.from(cs[cs.length-1].querySelectorAll('button')).filter(function(b){ return b.textContent.trim() === %q; });
		return bs.length ? (bs[0].disabled ? 'greyed' : 'live') : '';
	})()`, card(kind), text))
}

// click taps the button with text in the newest card of kind.
func (p *player) click(kind, text string) {
	p.t.Helper()
	if st := p.buttonState(kind, text); st != "live" {
		p.shot("not-live")
		p.t.Fatalf("button %q of the %s card is %q, want live", text, kind, st)
	}
	p.js("click "+text, fmt.Sprintf(`(function(){
		var cs = document.querySelectorAll(%q);
		Array.from(cs[cs.length-1].querySelectorAll('button')).filter(function(b){ return b.textContent.trim() === %q; })[0].click();
		return true;
	})()`, card(kind), text))
}

// pickAll chooses the option at index i (after the 请选择 placeholder) in
// every drop-down of the newest card of kind, as taps would.
func (p *player) pickAll(kind string, i int) {
	p.js("pick", fmt.Sprintf(`(function(){
		var cs = document.querySelectorAll(%q);
		cs[cs.length-1].querySelectorAll('select').forEach(function(s){
			var opts = Array.from(s.options).filter(function(o){ return !o.disabled; });
			s.value = opts[Math.min(%d, opts.length-1)].value; s.dispatchEvent(new Event('change'));
		});
		return true;
	})()`, card(kind), i))
}

// waitFor waits until the script is true (the bot's answer is on the page).
func (p *player) waitFor(what, script string) {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if eval[bool](p, script) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.shot("timeout")
	p.t.Fatalf("timed out waiting for %s", what)
}

// logText is what the chat log shows.
func (p *player) logText() string { return eval[string](p, `document.getElementById('log').innerText`) }

// checkChinese fails on English words in the chat log and on a page wider
// than the screen.
func (p *player) checkChinese(where string) {
	p.t.Helper()
	for _, word := range englishWord.FindAllString(p.logText(), -1) {
		if !allowedLatin[word] && !regexp.MustCompile(`^(rep|mgr|admin)\d*$`).MatchString(word) {
			p.t.Errorf("%s: English %q where Chinese is expected", where, word)
		}
	}
	if over := eval[bool](p, `document.documentElement.scrollWidth > window.innerWidth + 1`); over {
		p.t.Errorf("%s: the page is wider than the %d px screen", where, p.vp.width)
	}
}

// expectLive checks that the newest card of kind offers buttons live and
// reads in Chinese, and keeps a screenshot named shot.
func (p *player) expectLive(kind, shot string, buttons ...string) {
	p.t.Helper()
	for _, b := range buttons {
		if st := p.buttonState(kind, b); st != "live" {
			p.t.Fatalf("%s card: %s is %q, want live", kind, b, st)
		}
	}
	p.checkChinese(kind + " card")
	p.shot(shot)
}

func playRepDay(p *player, w *dayWorld) {
	t := p.t
	p.do("open the rep's console", chromedp.Navigate(w.url+"/console#"+w.rep.UserID), chromedp.WaitVisible(chromedp.CSS(card("visit_list"))))
	title := eval[string](p, `document.querySelector('`+card("visit_list")+` .card-title').textContent`)
	if !strings.HasPrefix(title, "今日拜访推荐") {
		t.Fatalf("morning card title %q", title)
	}
	p.expectLive("visit_list", "1-morning-card", "接受今日计划", "跳过某位并说明原因")

	// Skip one doctor with a reason; the morning card stays usable.
	p.click("visit_list", "跳过某位并说明原因")
	p.waitFor("the skip form", `!!document.querySelector('`+card("skip_form")+`')`)
	p.pickAll("skip_form", 1)
	p.click("skip_form", "确认跳过")
	p.waitFor("the skip answered", `(function(){ var f = document.querySelector('`+card("skip_form")+` button.frozen'); return !!f && f.disabled; })()`)
	if st := p.buttonState("visit_list", "接受今日计划"); st != "live" {
		t.Fatalf("after the skip 接受今日计划 is %q, want live", st)
	}
	p.shot("2-skipped")

	// Accept the plan: the card says so and keeps 跳过 (and 查看路线).
	p.click("visit_list", "接受今日计划")
	p.waitFor("the plan accepted", `document.querySelector('`+card("visit_list")+` .card-desc').textContent.indexOf('已接受今日计划') >= 0`)
	if acc, skip := p.buttonState("visit_list", "接受今日计划"), p.buttonState("visit_list", "跳过某位并说明原因"); acc != "" || skip != "live" {
		t.Fatalf("after accept: 接受今日计划 %q (want gone), 跳过某位并说明原因 %q (want live)", acc, skip)
	}

	// Check in at the first hospital of the plan: 签到, then 发送位置.
	p.do("send 签到", chromedp.SendKeys(chromedp.ID("text"), "签到"), chromedp.Click(chromedp.CSS("#composer button[type=submit]")))
	p.waitFor("the location prompt", `Array.from(document.querySelectorAll('#log .msg.out .bubble')).some(function(b){ return b.textContent.indexOf('完成签到') >= 0; })`)
	var hospital string
	ctx := context.Background()
	visits, err := w.store.Visits.DayVisits(ctx, w.rep.ID, "2026-12-01")
	if err != nil || len(visits) == 0 {
		t.Fatalf("no planned visit after accept: %v", err)
	}
	var h models.Hospital
	w.store.DB(ctx).First(&h, visits[0].HospitalID)
	hospital = h.Name
	p.do("open 发送位置", chromedp.Click(chromedp.ID("locBtn")), chromedp.WaitReady(chromedp.CSS("#hospSelect option:nth-child(2)")))
	p.js("pick the hospital", fmt.Sprintf(`(function(){
		var s = document.getElementById('hospSelect');
		var o = Array.from(s.options).filter(function(o){ return o.textContent.indexOf(%q) === 0; })[0];
		s.value = o.value; s.dispatchEvent(new Event('change'));
		return true;
	})()`, hospital))
	placeholder := eval[string](p, `document.getElementById('lat').placeholder`)
	if !regexp.MustCompile(`^30\.\d{4}$`).MatchString(placeholder) {
		t.Errorf("latitude placeholder %q is not in the seed's Hangzhou", placeholder)
	}
	p.do("send the location", chromedp.Click(chromedp.ID("locSend")))
	p.waitFor("the feedback form", `!!document.querySelector('`+card("feedback_step1")+`')`)
	if !strings.Contains(p.logText(), "签到成功") {
		t.Errorf("no 签到成功 in the chat:\n%s", p.logText())
	}
	p.shot("3-checked-in")

	// Feedback by taps: step 1's drop-downs, then step 2's check-boxes.
	p.pickAll("feedback_step1", 0)
	p.js("submit step 1", `(function(){ var cs = document.querySelectorAll('`+card("feedback_step1")+`'); cs[cs.length-1].querySelector('button.primary').click(); return true; })()`)
	p.waitFor("step 2", `!!document.querySelector('`+card("feedback_step2")+`')`)
	p.js("tick a commitment", `(function(){ var cs = document.querySelectorAll('`+card("feedback_step2")+`'); cs[cs.length-1].querySelector('input').click(); return true; })()`)
	p.js("submit step 2", `(function(){ var cs = document.querySelectorAll('`+card("feedback_step2")+`'); cs[cs.length-1].querySelector('button.primary').click(); return true; })()`)
	p.waitFor("the feedback saved", `(function(){ var cs = document.querySelectorAll('`+card("feedback_step2")+` button.frozen'); return cs.length > 0 && cs[cs.length-1].disabled; })()`)
	var n int64
	w.store.DB(ctx).Model(&models.VisitFeedback{}).Where("rep_id = ?", w.rep.ID).Count(&n)
	if n == 0 {
		t.Fatal("the feedback filled in the browser was not stored")
	}
	p.checkChinese("rep's day")
	p.shot("4-feedback")

	// The route page at this size: card words, one line per stop head.
	p.do("open /m/route", chromedp.Navigate(w.url+"/auth/demo?user="+w.rep.UserID+"&next=/m/route"), chromedp.WaitVisible(chromedp.ID("stops")))
	if wrapped := eval[int](p, `Array.from(document.querySelectorAll('.stop-main')).filter(function(e){ return e.getBoundingClientRect().height > 2.2 * parseFloat(getComputedStyle(e).fontSize); }).length`); wrapped > 0 {
		t.Errorf("%d route rows wrap at %d px", wrapped, p.vp.width)
	}
	if txt := eval[string](p, `document.querySelector('main').innerText`); regexp.MustCompile(`\b(AM|PM)\b|计划中`).MatchString(txt) {
		t.Errorf("route says AM/PM or 计划中:\n%s", txt)
	}
	p.shot("5-route")
}

func playManagerDay(p *player, w *dayWorld) {
	t := p.t
	p.do("open the manager's console", chromedp.Navigate(w.url+"/console#"+w.mgr.UserID), chromedp.WaitVisible(chromedp.CSS(card("alert"))))
	p.expectLive("alert", "6-alert", "已知悉", "一周后提醒")
	p.click("alert", "已知悉")
	p.waitFor("the alert acknowledged", `(function(){ var f = document.querySelector('`+card("alert")+` button.frozen'); return !!f && f.disabled && f.textContent.indexOf('已知悉') >= 0; })()`)
	var open int64
	w.store.DB(context.Background()).Model(&models.Alert{}).Where("manager_id = ? AND status = ?", w.mgr.ID, models.AlertOpen).Count(&open)
	if open != 0 {
		t.Fatalf("%d alerts still open after 已知悉", open)
	}

	p.do("open the dashboard", chromedp.Navigate(w.url+"/auth/demo?user="+w.mgr.UserID+"&next=/dashboard"), chromedp.WaitVisible(chromedp.ID("kpi-match")))
	main := eval[string](p, `document.querySelector('main').innerText`)
	if !strings.Contains(main, "暂无待处理提醒") || !strings.Contains(main, "计划执行匹配率") {
		t.Errorf("dashboard after 已知悉:\n%s", main)
	}
	for _, word := range englishWord.FindAllString(main, -1) {
		if !allowedLatin[word] && word != "JSON" && !regexp.MustCompile(`^W\d+$`).MatchString(word) {
			t.Errorf("dashboard: English %q where Chinese is expected", word)
		}
	}
	if over := eval[bool](p, `document.documentElement.scrollWidth > window.innerWidth + 1`); over {
		t.Errorf("dashboard is wider than the %d px screen", p.vp.width)
	}
	p.shot("7-dashboard")
}

// TestBrowserConsoleTodayFirst is the README's history step in the browser:
// after a past fortnight was written behind today's lines (simulate), the
// console opens on today's card and 更早的消息 reaches the earlier days.
func TestBrowserConsoleTodayFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	w := newDayWorld(t)
	bg := context.Background()
	// 150 lines of history, written after today's card, dated two weeks ago.
	old := time.Date(2026, 11, 17, 9, 0, 0, 0, modelstest.Shanghai).UTC()
	for i := range 150 {
		m := models.ConsoleMessage{UserID: w.rep.ID, Direction: "out", Kind: "text", Body: fmt.Sprintf(`{"text":"历史消息%03d"}`, i),
			CreatedAt: old.Add(time.Duration(i) * time.Minute)}
		if err := w.store.DB(bg).Create(&m).Error; err != nil {
			t.Fatal(err)
		}
	}
	p := &player{t: t, ctx: ctx, dir: t.ArtifactDir(), vp: viewport{"phone", 390, 844, true}}
	p.do("open the console", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1), chromedp.EmulateMobile),
		chromedp.Navigate(w.url+"/console#"+w.rep.UserID), chromedp.WaitVisible(chromedp.CSS(card("visit_list"))))
	last := eval[string](p, `(function(){ var ms = document.querySelectorAll('#log .msg'); return ms[ms.length-1].innerText; })()`)
	if !strings.Contains(last, "今日拜访推荐") {
		t.Fatalf("the newest line shown is %q, want today's card", last)
	}
	before := eval[int](p, `document.querySelectorAll('#log .msg').length`)
	if before != 100 {
		t.Fatalf("the first page shows %d lines, want 100", before)
	}
	p.do("load earlier days", chromedp.Click(chromedp.ID("older")))
	p.waitFor("the earlier page", fmt.Sprintf(`document.querySelectorAll('#log .msg').length > %d`, before))
	p.waitFor("the first line", `document.getElementById('log').innerText.indexOf('历史消息000') >= 0`)
	if first := eval[string](p, `document.querySelector('#log .msg').innerText`); !strings.Contains(first, "历史消息000") {
		t.Fatalf("the first line is %q", first)
	}
	p.waitFor("no more pages", `!document.getElementById('older')`)
	p.shot("history")
}
