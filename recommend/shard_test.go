package recommend

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/seed"
)

// seededService is the service on a seeded world of 12 reps, 600 doctors,
// plus one doctor no rep covers (tiered in its hospital's city).
func seededService(t *testing.T) (*Service, *models.Store) {
	t.Helper()
	ctx := context.Background()
	today := time.Date(2026, 12, 2, 0, 0, 0, 0, sh)
	s, _ := modelstest.Open(t, "sqlite", clock.NewFake(today.Add(7*time.Hour)))
	if err := seed.World(ctx, s, seed.Options{Reps: 12, Doctors: 600, Seed: 3, Today: today}); err != nil {
		t.Fatal(err)
	}
	var h models.Hospital
	if err := s.DB(ctx).Order("id").First(&h).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.DB(ctx).Create(&models.Doctor{ExternalID: "UNCOVERED", Name: "无人负责", HospitalID: h.ID, Department: "心内科", LegacyTier: "C"}).Error; err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	svc, err := New(s, cfg.Ranking, cfg.Compliance)
	if err != nil {
		t.Fatal(err)
	}
	return svc, s
}

// scoreSnapshot is every doctor's stored heat, tier and heat day, and the
// day's tier history, as comparable strings.
func scoreSnapshot(t *testing.T, s *models.Store) []string {
	t.Helper()
	ctx := context.Background()
	var docs []models.Doctor
	if err := s.DB(ctx).Order("id").Find(&docs).Error; err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		out = append(out, fmt.Sprintf("doctor %d heat %.2f tier %s day %s", d.ID, d.Heat, d.Tier, d.HeatDay))
	}
	var tcs []models.TierChange
	if err := s.DB(ctx).Where("day = ?", day).Order("doctor_id").Find(&tcs).Error; err != nil {
		t.Fatal(err)
	}
	for _, tc := range tcs {
		out = append(out, fmt.Sprintf("change %d %s→%s %.2f rising=%v", tc.DoctorID, tc.FromTier, tc.ToTier, tc.Heat, tc.Rising))
	}
	return out
}

// The nightly scoring in 5 territory shards stores exactly what one run
// over every doctor stores: heat, tiers (percentiles within a territory)
// and the day's tier history, with no shard clearing another's history.
func TestScoreShardsEqualScoreAll(t *testing.T) {
	svc, s := seededService(t)
	ctx := context.Background()
	const n = 5
	total := 0
	for k := range n {
		res, err := svc.ScoreShard(ctx, day, k, n)
		if err != nil {
			t.Fatal(err)
		}
		total += res.Doctors
	}
	sharded := scoreSnapshot(t, s)
	res, err := svc.ScoreAll(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if total != res.Doctors || total != 601 {
		t.Errorf("shards scored %d doctors, one run %d, want 601", total, res.Doctors)
	}
	whole := scoreSnapshot(t, s)
	if !slices.Equal(sharded, whole) {
		for i := range min(len(sharded), len(whole)) {
			if sharded[i] != whole[i] {
				t.Fatalf("first difference: sharded %q, whole %q (%d vs %d lines)", sharded[i], whole[i], len(sharded), len(whole))
			}
		}
		t.Fatalf("sharded %d lines, whole %d", len(sharded), len(whole))
	}
	if res.Changes == 0 {
		t.Error("no tier changes: the comparison says little")
	}
}

// A morning-push shard ranks its reps exactly as the bulk run does: by the
// nightly heat, with the same picks, ranks and reasons.
func TestTopNOfShardsEqualTopN(t *testing.T) {
	svc, s := seededService(t)
	ctx := context.Background()
	if _, err := svc.ScoreAll(ctx, day); err != nil {
		t.Fatal(err)
	}
	lists := func() []string {
		var recs []models.Recommendation
		if err := s.DB(ctx).Where("day = ?", day).Order("rep_id, `rank`").Find(&recs).Error; err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range recs {
			out = append(out, fmt.Sprintf("%d #%d %d %.2f %s %s", r.RepID, r.Rank, r.DoctorID, r.Score, r.Reasons, r.Breakdown))
		}
		return out
	}
	if _, err := svc.TopN(ctx, day, true); err != nil {
		t.Fatal(err)
	}
	bulk := lists()
	reps, err := s.Users.Users(ctx, models.RoleRep)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	for k := range n {
		var only []string
		for _, r := range reps {
			if RepShard(r.ID, k, n) {
				only = append(only, r.UserID)
			}
		}
		if res, err := svc.TopNOf(ctx, day, only, true); err != nil || res.Reps != len(only) {
			t.Fatalf("shard %d: %+v %v", k, res, err)
		}
	}
	if got := lists(); !slices.Equal(got, bulk) || len(bulk) == 0 {
		t.Fatalf("shard lists differ from the bulk run (%d vs %d rows)", len(got), len(bulk))
	}
}
