package simulate_test

import (
	"context"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/internal/app"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/seed"
	"visitbot/simulate"
)

// TestSimulatedDaysProducePlanAndFeedback seeds a small world and plays two
// working days through the bot; the outcome must be the same on a second
// database with the same seeds.
func TestSimulatedDaysProducePlanAndFeedback(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a world")
	}
	run := func(t *testing.T, driver string) simulate.Summary {
		ctx := context.Background()
		w := seeded(t, driver, day(2026, 11, 29), day(2026, 11, 30).Add(7*time.Hour), func(c *config.Config) { *c = simulate.ConsoleConfig(*c) })
		a, s, clk := w.app, w.store, w.clock
		env, err := a.SimulationEnv(clk)
		if err != nil {
			t.Fatal(err)
		}
		o := simulate.DefaultOptions()
		o.From, o.Days = "2026-11-30", 2
		sum, err := simulate.Run(ctx, env, o)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Days != 2 || sum.Pushes == 0 || sum.Accepted == 0 || sum.CheckIns == 0 || sum.Feedback == 0 {
			t.Fatalf("summary = %+v", sum)
		}
		var fb, planned int64
		s.DB(ctx).Model(&models.VisitFeedback{}).Count(&fb)
		s.DB(ctx).Model(&models.Visit{}).Where("planned = ?", true).Count(&planned)
		if int(fb) != sum.Feedback || planned == 0 {
			t.Fatalf("feedback rows %d (summary %d), planned %d", fb, sum.Feedback, planned)
		}
		return sum
	}
	var first simulate.Summary
	for i, driver := range modelstest.Drivers() {
		sum := run(t, driver)
		if i == 0 {
			first = sum
		} else if sum != first {
			t.Fatalf("%s simulated %+v, sqlite %+v", driver, sum, first)
		}
	}
}

// world is the production app on a seeded small world (3 reps, 120
// doctors) with its store and fake clock.
type world struct {
	app   *app.App
	store *models.Store
	clock *clock.Fake
}

// seeded seeds the world whose history ends on today, on driver, with the
// clock at now and config.Default() changed by edit.
func seeded(t *testing.T, driver string, today, now time.Time, edit func(*config.Config)) world {
	t.Helper()
	clk := clock.NewFake(now)
	s, _ := modelstest.Open(t, driver, clk)
	opts := seed.DefaultOptions()
	opts.Reps, opts.Doctors, opts.Today = 3, 120, today
	if err := seed.World(context.Background(), s, opts); err != nil {
		t.Fatal(err)
	}
	return world{app: apptest.OnStore(t, s, edit), store: s, clock: clk}
}

// day is midnight of a day in the business zone.
func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, modelstest.Shanghai)
}
