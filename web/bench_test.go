package web_test

import (
	"io"
	"net/http"
	"testing"

	"visitbot/seed"
)

// BenchmarkDashboard serves /dashboard to a manager on the default demo
// world (seed.DefaultOptions: 12 reps, 600 doctors) after 10 simulated
// working days, on SQLite. It reports the page weight: the HTML plus the
// only asset the page loads (app.css; charts are inline SVG, no script).
//
//	go test -run '^$' -bench Dashboard -benchtime 50x ./web/
func BenchmarkDashboard(b *testing.B) {
	o := seed.DefaultOptions()
	e := newSizedWorld(b, "sqlite", o.Reps, o.Doctors, 14, nil)
	m := managers(b, e.store)[0]
	c := e.signIn(b, m.UserID)
	cssResp, err := c.Get(e.srv.URL + "/static/web/app.css")
	if err != nil {
		b.Fatal(err)
	}
	css, _ := io.ReadAll(cssResp.Body)
	cssResp.Body.Close()
	if cssResp.StatusCode != http.StatusOK {
		b.Fatalf("app.css: status %d", cssResp.StatusCode)
	}
	url := e.srv.URL + "/dashboard?week=2026-W49"
	var size int
	b.ResetTimer()
	for b.Loop() {
		resp, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		size = int(n)
	}
	b.ReportMetric(float64(size), "html-bytes")
	b.ReportMetric(float64(size+len(css)), "page-bytes")
}
