package recommend

import (
	"context"
	"slices"
	"testing"
	"time"

	"visitbot/config"
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

// Two replicas of one nightly run: the one that shards the run infers the
// series calendar (PrepareScoreRun) and the other scores every shard from
// it without a pass of its own over everyone's signals, exactly as one run
// over every doctor scores.
func TestReplicasShareTheRunsCalendar(t *testing.T) {
	first, s := seededService(t)
	ctx := context.Background()
	cfg := config.Default()
	other, err := New(s, cfg.Ranking, cfg.Compliance) // another process: its own caches
	if err != nil {
		t.Fatal(err)
	}
	queries := map[*Service]int{}
	for _, svc := range []*Service{first, other} {
		svc.onPhase = func(phase string, _ time.Duration) {
			if phase == "calendar" {
				queries[svc]++
			}
		}
	}
	const n = 4
	if err := first.PrepareScoreRun(ctx, day, n); err != nil {
		t.Fatal(err)
	}
	for k := range n {
		if _, err := other.ScoreShard(ctx, day, k, n); err != nil {
			t.Fatal(err)
		}
	}
	if queries[first] != 1 || queries[other] != 0 {
		t.Errorf("calendar queries: the preparing replica %d, want 1; the other %d, want 0", queries[first], queries[other])
	}
	sharded := scoreSnapshot(t, s)
	if _, err := first.ScoreAll(ctx, day); err != nil {
		t.Fatal(err)
	}
	if whole := scoreSnapshot(t, s); !slices.Equal(sharded, whole) {
		t.Errorf("scored from the shared calendar, the scores differ from one run's (%d and %d lines)", len(sharded), len(whole))
	}
	if err := first.PrepareScoreRun(ctx, day, 1); err != nil || queries[first] != 2 {
		t.Errorf("a single-shard run prepared (%v): %d calendar queries, want 2 (the ScoreAll)", err, queries[first])
	}
}
