package apptest

import (
	"context"
	"testing"

	"visitbot/bot"
	"visitbot/internal/app"
)

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
