package outbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/models/modelstest"
	"visitbot/outbox"
)

// BenchmarkDispatch600 dispatches a morning push of 600 WeCom messages (one
// per rep) against a fake API that takes 50 ms per call, with the default
// outbox config (outbox.workers). Goal (issue 5): < 60 s. Run with
//
//	go test -run '^$' -bench Dispatch600 -benchtime 1x ./jobs/
//
// (set VISITBOT_TEST_MYSQL_DSN for the MySQL figure too).
func BenchmarkDispatch600(b *testing.B) {
	const n = 600
	for _, driver := range modelstest.Drivers() {
		for _, workers := range []int{config.Default().Outbox.Workers, 16} {
			b.Run(fmt.Sprintf("%s/workers=%d", driver, workers), func(b *testing.B) {
				s, _ := modelstest.Open(b, driver, clock.System{})
				cfg := config.Default().Outbox
				cfg.Workers = workers
				fake := newFake(bot.WeCom, clock.System{})
				fake.latency = 50 * time.Millisecond
				d := newDispatcher(b, s, cfg, []bot.Messenger{fake})
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("2006-01-02")
					for r := 0; r < n; r++ {
						env := outbox.Envelope{Platform: bot.WeCom, To: bot.Recipient{UserID: uint(r + 1), PlatformUserID: fmt.Sprintf("rep%03d", r)}, Purpose: "morning_push", Day: day}
						m, err := outbox.NewMessage(env, bot.Message{Text: "今日拜访名单"})
						if err != nil {
							b.Fatal(err)
						}
						if err := s.Outbox.Enqueue(context.Background(), m); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
					start := time.Now()
					if err := d.Drain(context.Background()); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(time.Since(start).Seconds(), "s/push")
				}
				if got := len(fake.snapshot()); got != n*b.N {
					b.Fatalf("sent %d, want %d", got, n*b.N)
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}
