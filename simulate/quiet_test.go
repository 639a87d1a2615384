package simulate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/console"
	"visitbot/config"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestQuietHoursAlertScanReachesConsole is the demo at night: the admin
// sends 任务 alert_scan at 22:00, the running scheduler raises the alerts
// and holds their cards until quiet hours end; at 08:00 the running
// dispatcher shows them on the manager's console.
func TestQuietHoursAlertScanReachesConsole(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a world")
	}
	ctx := context.Background()
	w := seeded(t, "sqlite", day(2026, 12, 1), day(2026, 12, 1).Add(22*time.Hour), func(c *config.Config) { c.Outbox.PollInterval = 20 * time.Millisecond })
	a, s, clk := w.app, w.store, w.clock
	if _, err := a.Ranking.ScoreAll(ctx, "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	bgCtx, stop := context.WithCancel(ctx)
	defer stop()
	admins, err := s.Users.Users(ctx, models.RoleAdmin)
	if err != nil || len(admins) == 0 {
		t.Fatalf("admins: %v", err)
	}
	admin := admins[0].UserID
	done := make(chan struct{})
	go func() {
		defer close(done)
		sched, _ := a.Scheduler()
		_ = sched.Run(bgCtx)
	}()
	if _, err := a.Console.Post(ctx, admin, "", bot.Event{Kind: bot.EventText, Text: "任务 alert_scan"}); err != nil {
		t.Fatal(err)
	}
	var alertsN int64
	for i := 0; i < 200 && alertsN == 0; i++ {
		time.Sleep(25 * time.Millisecond)
		var run models.JobRun
		if s.DB(ctx).Where("job = ? AND finished_at IS NOT NULL", "alert_scan").Take(&run).Error == nil {
			s.DB(ctx).Model(&models.Alert{}).Count(&alertsN)
			break
		}
	}
	stop()
	<-done
	if alertsN == 0 {
		t.Fatal("任务 alert_scan raised no alert")
	}
	cardsOf := func() map[string]int {
		out := map[string]int{}
		ms, _ := s.Users.Users(ctx, models.RoleManager)
		for _, m := range ms {
			lines, err := a.Console.Messages(ctx, m.UserID, console.MaxMessages)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lines {
				if l.Card != nil && strings.HasPrefix(l.Card.TaskID, "al-") {
					out[m.UserID]++
				}
			}
		}
		return out
	}
	apptest.Drain(t, a)
	if got := cardsOf(); len(got) != 0 {
		t.Fatalf("alert cards shown during quiet hours: %v", got)
	}
	clk.Set(time.Date(2026, 12, 2, 8, 0, 30, 0, modelstest.Shanghai))
	apptest.Drain(t, a)
	if got := cardsOf(); len(got) == 0 {
		var rows []models.OutboxMessage
		s.DB(ctx).Find(&rows)
		for _, r := range rows {
			t.Logf("outbox %d %s %s to %d next %s err %q", r.ID, r.Status, r.Purpose, r.RecipientID, r.NextAttemptAt.In(modelstest.Shanghai), r.LastError)
		}
		t.Fatalf("no alert card on a manager's console after quiet hours (%d alerts)", alertsN)
	}
}
