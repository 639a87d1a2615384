// Package apptest builds the wired app (package app) on a scratch database
// for end-to-end tests, so tests take the production wiring instead of
// assembling their own.
package apptest

import (
	"context"
	"testing"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/internal/app"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/simulate"
)

// New returns the app on a fresh, migrated database of driver ("sqlite" or
// "mysql"), with clk as its clock and config.Default() changed by edit
// (nil: the console on, as in the demo). It is closed at test end.
func New(t testing.TB, driver string, clk clock.Clock, edit func(*config.Config)) *app.App {
	t.Helper()
	s, _ := modelstest.Open(t, driver, clk)
	return OnStore(t, s, edit)
}

// OnStore is New on an open store (e.g. one a test seeded first).
func OnStore(t testing.TB, s *models.Store, edit func(*config.Config)) *app.App {
	t.Helper()
	cfg := config.Default()
	cfg.Console.Enabled = true
	if edit != nil {
		edit(&cfg)
	}
	a, err := app.New(context.Background(), cfg, app.Options{Store: s, Clock: s.Clock(), Version: "test"})
	if err != nil {
		t.Fatalf("wire app: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// Simulate plays days field days from the day from (YYYY-MM-DD) through a's
// bot with the default simulation options, on clk, and returns the summary.
func Simulate(t testing.TB, a *app.App, clk *clock.Fake, from string, days int) simulate.Summary {
	t.Helper()
	env, err := a.SimulationEnv(clk)
	if err != nil {
		t.Fatal(err)
	}
	o := simulate.DefaultOptions()
	o.From, o.Days = from, days
	sum, err := simulate.Run(context.Background(), env, o)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}
