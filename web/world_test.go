package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/recommend"
	"visitbot/seed"
	"visitbot/simulate"
	"visitbot/web"
)

const testSecret = "0123456789abcdef0123456789abcdef"

// env is a seeded world with a few simulated days and the pages served.
type env struct {
	store *models.Store
	clock *clock.Fake
	flows *flows.Flows
	rec   *recommend.Service
	pages *web.Pages
	srv   *httptest.Server
	// opts serve another replica's pages on the same store.
	opts web.Options
}

// newWorld seeds a small world (3 reps, 120 doctors) on driver, plays
// days working days from 2026-11-23 through the bot, and serves the pages
// with the demo sign-in and extra options.
func newWorld(t testing.TB, driver string, days int, edit func(*web.Options)) *env {
	t.Helper()
	return newSizedWorld(t, driver, 3, 120, days, edit)
}

// newSizedWorld is newWorld with the seed's reps and doctors.
func newSizedWorld(t testing.TB, driver string, reps, doctors, days int, edit func(*web.Options)) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 7, 0, 0, 0, modelstest.Shanghai))
	s, _ := modelstest.Open(t, driver, clk)
	opts := seed.DefaultOptions()
	opts.Reps, opts.Doctors, opts.Today = reps, doctors, time.Date(2026, 11, 22, 0, 0, 0, 0, modelstest.Shanghai)
	if err := seed.World(ctx, s, opts); err != nil {
		t.Fatal(err)
	}
	a := apptest.OnStore(t, s, func(c *config.Config) { *c = simulate.ConsoleConfig(*c) })
	senv, err := a.SimulationEnv(clk)
	if err != nil {
		t.Fatal(err)
	}
	log := a.Log
	rec, fl := senv.Recommend, senv.Flows
	if days > 0 {
		// Nightly scores before and after the simulated days (tiers, heat,
		// tier moves), and the alert scan of the last day.
		if _, err := rec.ScoreAll(ctx, "2026-11-22"); err != nil {
			t.Fatal(err)
		}
		defer func() {
			last := clock.Day(clk.Now(), modelstest.Shanghai)
			if _, err := rec.ScoreAll(ctx, last); err != nil {
				t.Fatal(err)
			}
			if _, err := fl.AlertScan(ctx, last); err != nil {
				t.Fatal(err)
			}
		}()
		o := simulate.DefaultOptions()
		o.From, o.Days = "2026-11-23", days
		if _, err := simulate.Run(ctx, senv, o); err != nil {
			t.Fatal(err)
		}
	}
	wo := web.Options{Store: s, Flows: fl, Clock: clk, Log: log, Config: config.WebConfig{SessionSecret: testSecret, SessionTTL: time.Hour,
		WeComAuthorizeURL: "https://open.weixin.qq.com/connect/oauth2/authorize"}, PublicURL: "http://visitbot.test", Demo: true,
		Importer: a.Importer}
	if edit != nil {
		edit(&wo)
	}
	p, srv := servePages(t, wo)
	return &env{store: s, clock: clk, flows: fl, rec: rec, pages: p, srv: srv, opts: wo}
}

// servePages mounts pages with o on a test server.
func servePages(t testing.TB, o web.Options) (*web.Pages, *httptest.Server) {
	t.Helper()
	p, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	p.Mount(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return p, srv
}

// client is a browser-like client with a cookie jar that does not follow redirects.
func (e *env) client(t testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn signs userID in through the demo route.
func (e *env) signIn(t testing.TB, userID string) *http.Client {
	t.Helper()
	c := e.client(t)
	resp, err := c.Get(e.srv.URL + "/auth/demo?user=" + url.QueryEscape(userID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("demo sign-in %s: %d", userID, resp.StatusCode)
	}
	return c
}

func get(t testing.TB, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func postForm(t testing.TB, c *http.Client, u string, v url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t testing.TB, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf token in page: %.300s", page)
	}
	return m[1]
}

func user(t testing.TB, s *models.Store, id string) *models.User {
	t.Helper()
	u, err := s.Users.UserByUserID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// managers returns two managers with teams.
func managers(t testing.TB, s *models.Store) []models.User {
	t.Helper()
	ms, err := s.Users.Users(context.Background(), models.RoleManager)
	if err != nil || len(ms) == 0 {
		t.Fatalf("managers: %v %v", ms, err)
	}
	return ms
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func fmtInt(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

func init() { gin.SetMode(gin.ReleaseMode) }
