package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"visitbot/config"
	"visitbot/handlers"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestWebMountedOnlyWhenConfigured: the wired app serves /dashboard, sends
// an anonymous browser to sign in, and the demo sign-in works against the
// real router; without Deps.Web the routes are absent.
func TestWebMountedOnlyWhenConfigured(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		a := apptest.OnStore(t, s, func(c *config.Config) {
			c.Server.PublicURL = "https://visitbot.example"
			c.Web.SessionSecret, c.Web.SessionTTL = strings.Repeat("k", 32), time.Hour
		})
		if err := s.Users.CreateUser(ctx, &models.User{UserID: "mgr01", Name: "王经理", Role: models.RoleManager, Active: true}); err != nil {
			t.Fatal(err)
		}
		off := handlers.New(handlers.Deps{Store: a.Store, Bot: a.Bot, Log: a.Log, Clock: a.Clock, Registry: prometheus.NewRegistry(),
			MaxBodyBytes: 1 << 16, Version: "test"}).Handler()
		if rec := do(off, "/dashboard", ""); rec.Code != http.StatusNotFound {
			t.Fatalf("without web: %d", rec.Code)
		}
		on := a.Server().Handler()
		if rec := do(on, "/dashboard", ""); rec.Code != http.StatusFound || !strings.HasPrefix(rec.Header().Get("Location"), "/auth/login") {
			t.Fatalf("anonymous dashboard: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		rec := do(on, "/auth/demo?user=mgr01", "")
		cookie := rec.Header().Get("Set-Cookie")
		if rec.Code != http.StatusFound || !strings.Contains(cookie, "Secure") || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
			t.Fatalf("demo sign-in: %d %q", rec.Code, cookie)
		}
		if rec := do(on, "/dashboard", strings.Split(cookie, ";")[0]); rec.Code != http.StatusOK || rec.Header().Get("Content-Security-Policy") == "" {
			t.Fatalf("signed-in dashboard: %d", rec.Code)
		}
	})
}

func do(h http.Handler, path, cookie string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
