package simulate_test

import (
	"context"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/config"
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
		clk := clock.NewFake(time.Date(2026, 11, 30, 7, 0, 0, 0, modelstest.Shanghai))
		s, _ := modelstest.Open(t, driver, clk)
		opts := seed.DefaultOptions()
		opts.Reps, opts.Doctors, opts.Today = 3, 120, time.Date(2026, 11, 29, 0, 0, 0, 0, modelstest.Shanghai)
		if err := seed.World(ctx, s, opts); err != nil {
			t.Fatal(err)
		}
		a := apptest.OnStore(t, s, func(c *config.Config) { *c = simulate.ConsoleConfig(*c) })
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
