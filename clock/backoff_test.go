package clock

import (
	"testing"
	"time"
)

func TestBackoffGrowsCapsAndHonoursRetryAfter(t *testing.T) {
	base, max := 2*time.Second, time.Minute
	cases := []struct {
		attempt    int
		retryAfter time.Duration
		jitter     float64
		want       time.Duration
	}{
		{1, 0, 0, time.Second},
		{1, 0, 0.999999999, 2 * time.Second},
		{2, 0, 0, 2 * time.Second},
		{3, 0, 1, 8 * time.Second},
		{10, 0, 1, time.Minute},
		{10, 0, 0, 30 * time.Second},
		{1, 5 * time.Minute, 0, 5 * time.Minute},
		{100, 0, 1, time.Minute},
	}
	for _, c := range cases {
		got := Backoff(c.attempt, base, max, c.retryAfter, c.jitter)
		if got.Round(time.Millisecond) != c.want {
			t.Errorf("Backoff(%d, ra=%s, j=%v) = %s, want %s", c.attempt, c.retryAfter, c.jitter, got, c.want)
		}
	}
}
