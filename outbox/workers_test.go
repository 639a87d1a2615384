package outbox_test

import (
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/config"
	"visitbot/outbox"
)

func TestSizeWorkers(t *testing.T) {
	cfg := config.Default().Outbox
	both := []bot.Platform{bot.DingTalk, bot.WeCom}
	for _, c := range []struct {
		name      string
		workers   int
		latency   time.Duration
		platforms []bot.Platform
		want      int
	}{
		{"configured wins", 7, 0, both, 7},
		{"wecom 100ms", 0, 100 * time.Millisecond, []bot.Platform{bot.WeCom}, 30}, // 150/s × 0.1 s × 2
		{"wecom 50ms", 0, 50 * time.Millisecond, []bot.Platform{bot.WeCom}, 15},
		{"dingtalk 50ms", 0, 50 * time.Millisecond, []bot.Platform{bot.DingTalk}, 4}, // 2, raised to the minimum
		{"both 100ms", 0, 100 * time.Millisecond, both, 34},                          // 30 + 4
		{"slow API capped", 0, 2 * time.Second, both, config.OutboxMaxWorkers},
		{"no platform", 0, 100 * time.Millisecond, nil, 4},
	} {
		cfg.Workers, cfg.SendLatency = c.workers, c.latency
		if c.latency == 0 {
			cfg.SendLatency = 100 * time.Millisecond
		}
		if got := outbox.SizeWorkers(cfg, c.platforms); got != c.want {
			t.Errorf("%s: %d workers, want %d", c.name, got, c.want)
		}
	}
}
