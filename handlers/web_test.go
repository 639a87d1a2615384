package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"visitbot/bot"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/handlers"
	"visitbot/internal/botstore"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/web"
)

// TestWebMountedOnlyWhenConfigured: /dashboard exists with Deps.Web, sends
// an anonymous browser to sign in, and the demo sign-in works against the
// real router; without Deps.Web the routes are absent.
func TestWebMountedOnlyWhenConfigured(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		log := slog.New(slog.DiscardHandler)
		b := bot.New(botstore.New(s), s.Clock(), s.Location(), log)
		d := flows.Deps{Store: s, Clock: s.Clock(), Log: log, Config: config.Default()}
		flows.Register(b, d)
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		if err := s.Users.CreateUser(ctx, &models.User{UserID: "mgr01", Name: "王经理", Role: models.RoleManager, Active: true}); err != nil {
			t.Fatal(err)
		}
		deps := handlers.Deps{Store: s, Bot: b, Log: log, Clock: s.Clock(), Registry: prometheus.NewRegistry(), MaxBodyBytes: 1 << 16, Version: "test"}
		off := handlers.New(deps).Handler()
		if rec := do(off, "/dashboard", ""); rec.Code != http.StatusNotFound {
			t.Fatalf("without web: %d", rec.Code)
		}
		p, err := web.New(web.Options{Store: s, Flows: flows.New(d), Clock: s.Clock(), Log: log, PublicURL: "https://visitbot.example",
			Config: config.WebConfig{SessionSecret: strings.Repeat("k", 32), SessionTTL: time.Hour, WeComAuthorizeURL: "https://open.weixin.qq.com/connect/oauth2/authorize"}, Demo: true})
		if err != nil {
			t.Fatal(err)
		}
		deps.Web = p
		deps.Registry = prometheus.NewRegistry()
		on := handlers.New(deps).Handler()
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
