package flows_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/seed"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkMorningPush measures rank + render + enqueue of every rep's
// morning card (the morning_push job without the platform calls) after
// the day's nightly scoring, on SQLite, or MySQL with VISITBOT_BENCH_DRIVER=mysql. World size:
// VISITBOT_BENCH_REPS (600) and VISITBOT_BENCH_DOCTORS (30000). Each
// iteration pushes a new day, so nothing is deduplicated away.
func BenchmarkMorningPush(b *testing.B) {
	reps, doctors := envInt("VISITBOT_BENCH_REPS", 600), envInt("VISITBOT_BENCH_DOCTORS", 30000)
	driver := os.Getenv("VISITBOT_BENCH_DRIVER")
	if driver == "" {
		driver = "sqlite"
	}
	ctx := context.Background()
	start := time.Date(2026, 11, 30, 7, 25, 0, 0, modelstest.Shanghai) // a Monday
	clk := clock.NewFake(start)
	s, _ := modelstest.Open(b, driver, clk)
	if err := seed.World(ctx, s, seed.Options{Reps: reps, Doctors: doctors, Seed: 1, Today: start.AddDate(0, 0, -1)}); err != nil {
		b.Fatal(err)
	}
	a := apptest.OnStore(b, s, func(cfg *config.Config) { enableWeCom(b, clk, cfg) })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		day := start.AddDate(0, 0, i%5) // Monday … Friday
		clk.Set(day)
		b.StopTimer()
		// A fresh day each iteration: clear what the previous one queued.
		if err := s.DB(ctx).Where("1 = 1").Delete(&models.OutboxMessage{}).Error; err != nil {
			b.Fatal(err)
		}
		if err := s.DB(ctx).Where("1 = 1").Delete(&models.Recommendation{}).Error; err != nil {
			b.Fatal(err)
		}
		if err := s.DB(ctx).Where("1 = 1").Delete(&models.LastListing{}).Error; err != nil {
			b.Fatal(err)
		}
		if _, err := a.Ranking.ScoreAll(ctx, clock.Day(day, modelstest.Shanghai)); err != nil { // the day's nightly job
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := a.Flows.MorningPush(ctx, clock.Day(day, modelstest.Shanghai), nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Queued != reps {
			b.Fatalf("queued %d of %d", res.Queued, reps)
		}
	}
	b.ReportMetric(float64(reps), "reps")
}
