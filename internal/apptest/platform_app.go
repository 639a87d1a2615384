package apptest

import (
	"context"
	"net/http"
	"testing"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/internal/app"
	"visitbot/models"
)

// served is what WeCom and DingTalk share: the app wired on a store whose
// clock is a *clock.Fake, with the console off (one platform, as a
// deployment on it), and its HTTP routes.
type served struct {
	*app.App
	t testing.TB
	// Handler is the app's HTTP routes (App.Server, built once).
	Handler http.Handler
	Clock   *clock.Fake
}

// serve wires the app on s with the console off, then enable (which turns
// the platform on, applies the test's edit and points the platform's API
// base at its fake).
func serve(t testing.TB, s *models.Store, enable func(c *config.Config)) served {
	t.Helper()
	a := OnStore(t, s, func(c *config.Config) {
		c.Console.Enabled = false
		enable(c)
	})
	return served{App: a, t: t, Handler: a.Server().Handler(), Clock: s.Clock().(*clock.Fake)}
}

// Register adds test handlers (a probe command, card action or location
// handler standing in for a flow) to the wired app's bot before it serves
// anything, and checks the registrations as startup does: a test sees the
// production routing, dedupe, RBAC and adapters around its probe.
func Register(t testing.TB, a *app.App, add func(b *bot.Bot)) {
	t.Helper()
	add(a.Bot)
	if err := a.Bot.Seal(); err != nil {
		t.Fatalf("register test handlers: %v", err)
	}
}

// Drain delivers every outbox row that is due through the app's own
// dispatcher and messengers, as `visitbot serve` would in the background: a
// test that looks at what a platform received drains first.
func Drain(t testing.TB, a *app.App) {
	t.Helper()
	d, err := a.NewDispatcher(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Drain(context.Background()); err != nil {
		t.Fatalf("drain the outbox: %v", err)
	}
}
