package outbox

import (
	"math"
	"time"

	"visitbot/bot"
	"visitbot/config"
)

// WeComPacePerSecond is the rate the dispatcher paces WeCom's message/send
// at: 90 % of WeComAPIPerMinute, per process.
const WeComPacePerSecond = WeComAPIPerMinute * 0.9 / 60

// workerHeadroom multiplies rate × latency when the pool is sized: the
// database work around each call (claim, per-member window, sent update)
// and latency jitter on a busy machine (1.5 left MariaDB at 1.5× the floor
// under load 9) must not leave the pacing limiter waiting for a free
// worker (issue 18: 600 cards within 1.1× the pacing floor).
const workerHeadroom = 2

// minWorkers keeps a slow send from blocking every other row when the
// computed size is tiny (one platform, low latency).
const minWorkers = 4

// pacePerSecond is the calls per second the dispatcher allows platform p.
func pacePerSecond(c config.OutboxConfig, p bot.Platform) float64 {
	switch p {
	case bot.WeCom:
		return WeComPacePerSecond
	case bot.DingTalk:
		return float64(c.DingTalkQPS)
	}
	return 0
}

// SizeWorkers is the number of concurrent sends the dispatcher runs for the
// given platforms: outbox.workers when set, else by Little's law the calls
// in flight at each platform's pacing limit with outbox.send_latency per
// call (rate × latency × headroom, rounded up), summed over the platforms
// and bounded to [minWorkers, config.OutboxMaxWorkers]. Fewer workers than
// that leave the pacing limit unused: 4 workers at 50 ms deliver 80 calls/s
// of WeCom's 150.
func SizeWorkers(c config.OutboxConfig, platforms []bot.Platform) int {
	if c.Workers > 0 {
		return c.Workers
	}
	latency := c.SendLatency
	if latency <= 0 {
		latency = 100 * time.Millisecond
	}
	n := 0
	for _, p := range platforms {
		n += int(math.Ceil(pacePerSecond(c, p) * latency.Seconds() * workerHeadroom))
	}
	return min(max(n, minWorkers), config.OutboxMaxWorkers)
}
