package recommend

import (
	"context"
	"testing"
	"time"
)

// The shards of one nightly run infer the series calendar once per process
// (a grouped pass over everyone's signals) and read every hospital and the
// flow trends once, and they store the calendar the single-shard run
// infers; a later night queries afresh. TestScoreShardsEqualScoreAll shows
// the shards that reuse them score as one run does.
func TestScoreShardsReadRunInputsOnce(t *testing.T) {
	svc, s := seededService(t)
	ctx := context.Background()
	queries, worlds := 0, 0
	svc.onPhase = func(phase string, _ time.Duration) {
		switch phase {
		case "calendar":
			queries++
		case "world":
			worlds++
		}
	}
	const n = 4
	for k := range n {
		if _, err := svc.ScoreShard(ctx, day, k, n); err != nil {
			t.Fatal(err)
		}
	}
	if queries != 1 || worlds != 1 {
		t.Errorf("%d shards queried the calendar %d times and read hospitals and flows %d times, want once each", n, queries, worlds)
	}
	kept, err := s.Settings.GetSetting(ctx, calendarSetting+day)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ScoreAll(ctx, day); err != nil {
		t.Fatal(err)
	}
	whole, err := s.Settings.GetSetting(ctx, calendarSetting+day)
	if err != nil {
		t.Fatal(err)
	}
	if kept != whole || len(kept) < 10 {
		t.Errorf("shards kept calendar %.80q, one run %.80q", kept, whole)
	}
	next, _ := time.Parse(time.DateOnly, day)
	if _, err := svc.ScoreShard(ctx, next.AddDate(0, 0, 1).Format(time.DateOnly), 0, n); err != nil {
		t.Fatal(err)
	}
	if queries != 3 || worlds != 2 {
		t.Errorf("after the next night's shard: %d calendar queries, want 3; %d reads of hospitals and flows, want 2", queries, worlds)
	}
}
