package simulate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"visitbot/bot/console"
	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/simulate"
)

// TestSimulatedDaysRaiseAlerts is the README's history step: two weeks
// played through the bot run the scheduled jobs at their configured times
// in simulated time, so the managers find alert cards in their consoles.
// Quiet hours are moved over the 08:40 alert scan: every alert card must
// then arrive at or after their end (09:00 simulated), never at 08:40.
func TestSimulatedDaysRaiseAlerts(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a world")
	}
	ctx := context.Background()
	loc := modelstest.Shanghai
	w := seeded(t, "sqlite", day(2026, 11, 8), day(2026, 11, 8).Add(12*time.Hour), func(c *config.Config) {
		*c = simulate.ConsoleConfig(*c)
		c.Alerts.QuietStart, c.Alerts.QuietEnd = "08:00", "09:00"
	})
	a, s, clk := w.app, w.store, w.clock
	env, err := a.SimulationEnv(clk)
	if err != nil {
		t.Fatal(err)
	}
	o := simulate.DefaultOptions()
	o.From, o.Days = "2026-11-09", 14
	sum, err := simulate.Run(ctx, env, o)
	if err != nil {
		t.Fatal(err)
	}
	var alertRows, scans int64
	s.DB(ctx).Model(&models.Alert{}).Count(&alertRows)
	s.DB(ctx).Model(&models.JobRun{}).Where("job = ? AND outcome = ?", "alert_scan", models.JobSucceeded).Count(&scans)
	if sum.Alerts == 0 || int64(sum.Alerts) != alertRows || sum.AlertCards == 0 || scans != 14 {
		t.Fatalf("summary %+v; %d alert rows, %d alert scans recorded", sum, alertRows, scans)
	}
	shown := 0
	managers, err := s.Users.Users(ctx, models.RoleManager)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range managers {
		lines, err := a.Console.Messages(ctx, m.UserID, console.MaxMessages)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if l.Card == nil || !strings.HasPrefix(l.Card.TaskID, "al-") {
				continue
			}
			shown++
			if at := l.At.In(loc); at.Hour() < 9 || at.Hour() >= 21 {
				t.Errorf("%s: alert card %s shown at %s, inside quiet hours", m.UserID, l.Card.TaskID, at.Format(time.DateTime))
			}
		}
	}
	if shown != sum.AlertCards {
		t.Fatalf("%d alert cards on the managers' consoles, summary says %d", shown, sum.AlertCards)
	}
	t.Logf("summary %+v", sum)
}
