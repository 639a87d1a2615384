package clock

import "time"

// Backoff is the one retry delay of visitbot (outbox sends, WeCom API
// retries, the DingTalk stream's reconnects, MySQL lock-conflict retries):
// the delay before retry number attempt (1 = after the first failure) is
// base·2^(attempt-1) capped at max, with "equal jitter" — a random point in
// the upper half, jitter in [0, 1) — so a burst of failures does not retry in
// lockstep. floor raises it to at least that (a platform's retry-after).
func Backoff(attempt int, base, max, floor time.Duration, jitter float64) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	d = d/2 + time.Duration(jitter*float64(d/2))
	if floor > d {
		d = floor
	}
	return d
}
