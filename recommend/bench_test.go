package recommend

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/seed"
)

// benchScale is the seed's production scale: 600 reps over 30,000 doctors.
// VISITBOT_BENCH_REPS / VISITBOT_BENCH_DOCTORS shrink it for a quick look.
func benchScale() (reps, doctors int) {
	reps, doctors = 600, 30000
	if v, err := strconv.Atoi(os.Getenv("VISITBOT_BENCH_REPS")); err == nil && v > 0 {
		reps = v
	}
	if v, err := strconv.Atoi(os.Getenv("VISITBOT_BENCH_DOCTORS")); err == nil && v > 0 {
		doctors = v
	}
	return reps, doctors
}

// BenchmarkTopN is the Top-5 of every rep of the seeded world on SQLite.
// end_to_end is Service.TopN with force: bulk load from the store, heat and
// ranking, and the transaction that replaces the day's 3,000 rows, after the
// nightly ScoreAll; it also reports the phases as load-ms, rank-ms and
// save-ms (calendar-ms and cycle-ms: the series-calendar and call-target
// loads inside load, which overlap other loads), and cpu-ms (both cores). rank_only_live_heat is the pure ranking
// step alone, on inputs loaded once, with every candidate's heat computed
// from its signals; end_to_end_without_nightly is the morning run when the
// nightly scoring did not run.
func BenchmarkTopN(b *testing.B) {
	ctx := context.Background()
	reps, doctors := benchScale()
	today := time.Date(2026, 12, 2, 0, 0, 0, 0, modelstest.Shanghai)
	s, _ := modelstest.Open(b, "sqlite", clock.NewFake(today.Add(7*time.Hour+25*time.Minute)))
	start := time.Now()
	if err := seed.World(ctx, s, seed.Options{Reps: reps, Doctors: doctors, Seed: 20261127, Today: today}); err != nil {
		b.Fatalf("seed: %v", err)
	}
	var signals int64
	s.DB(ctx).Model(&models.Signal{}).Count(&signals)
	b.Logf("seeded %d reps, %d doctors, %d signals in %s", reps, doctors, signals, time.Since(start).Round(time.Second))
	start = time.Now()
	cfg := config.Default()
	svc, err := New(s, cfg.Ranking, cfg.Compliance)
	if err != nil {
		b.Fatal(err)
	}
	day := clock.Day(today, modelstest.Shanghai)
	users, err := s.Users.Users(ctx, models.RoleRep)
	if err != nil {
		b.Fatal(err)
	}

	res, err := svc.ScoreAll(ctx, day) // the nightly job that precedes the morning push
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("nightly ScoreAll of %d doctors: %s (%d tier changes)", res.Doctors, time.Since(start).Round(time.Millisecond), res.Changes)

	// VISITBOT_BENCH_HISTORY_DAYS=N stores the day's lists as those of the N
	// days before as well: a morning in production reads weeks of earlier
	// lists (the last day each doctor was listed), which a fresh world lacks.
	if n, _ := strconv.Atoi(os.Getenv("VISITBOT_BENCH_HISTORY_DAYS")); n > 0 {
		if err := copyListsBack(ctx, s, svc, day, n); err != nil {
			b.Fatal(err)
		}
		b.Logf("lists of the %d days before %s stored", n, day)
	}
	b.Run("end_to_end", func(b *testing.B) {
		phases := map[string]time.Duration{}
		svc.onPhase = func(p string, d time.Duration) { phases[p] += d }
		defer func() { svc.onPhase = nil }()
		var res DayResult
		defer profileLoop(b)()
		cpu0 := cpuTime()
		for b.Loop() {
			var err error
			if res, err = svc.TopN(ctx, day, true); err != nil {
				b.Fatal(err)
			}
		}
		n := float64(b.N)
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/n, "cpu-ms")
		for _, p := range []string{"load", "rank", "save", "calendar", "cycle"} {
			b.ReportMetric(float64(phases[p].Microseconds())/1000/n, p+"-ms")
		}
		b.ReportMetric(float64(res.Rows), "rows")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MB")
	})

	b.Run("rank_only_live_heat", func(b *testing.B) {
		in, err := svc.load(ctx, day, users, true)
		if err != nil {
			b.Fatal(err)
		}
		if err := svc.loadAllSignals(ctx, in.w); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := svc.rank(in, nil); err != nil {
				b.Fatal(err)
			}
		}
	})

	// Last, as it clears the nightly heat: the morning run when the nightly
	// job did not run, so every candidate is scored from its signals.
	b.Run("end_to_end_without_nightly", func(b *testing.B) {
		if err := s.DB(ctx).Exec("DELETE FROM heat_notes").Error; err != nil {
			b.Fatal(err)
		}
		if err := s.DB(ctx).Exec("UPDATE doctors SET heat_day = NULL").Error; err != nil {
			b.Fatal(err)
		}
		cpu0 := cpuTime()
		for b.Loop() {
			if _, err := svc.TopN(ctx, day, true); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms")
	})
}

// copyListsBack computes day's lists and saves them as the lists of each
// of the n days before too, through SaveRecommendations as the morning runs
// of those days would have stored them.
func copyListsBack(ctx context.Context, s *models.Store, svc *Service, day string, n int) error {
	if _, err := svc.TopN(ctx, day, true); err != nil {
		return err
	}
	recs, err := s.Ranking.RecommendationsOn(ctx, day)
	if err != nil {
		return err
	}
	byRep := map[uint][]models.Recommendation{}
	for _, r := range recs {
		byRep[r.RepID] = append(byRep[r.RepID], r)
	}
	t, err := clock.ParseDay(day, modelstest.Shanghai)
	if err != nil {
		return err
	}
	for d := 1; d <= n; d++ {
		if _, err := s.Ranking.SaveRecommendations(ctx, clock.Day(t.AddDate(0, 0, -d), modelstest.Shanghai), byRep, true); err != nil {
			return fmt.Errorf("lists %d days before %s: %w", d, day, err)
		}
	}
	// The earlier lists make some of day's doctors wait: list the day anew,
	// so the measured reruns replace it with the same lists, as the first
	// would not.
	_, err = svc.TopN(ctx, day, true)
	return err
}

// cpuTime is the process's user+system CPU time: on a shared machine it shows
// the work of an op apart from the time spent waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// profileLoop writes a CPU profile of the measured loop alone (not of the
// seeding and the nightly scoring before it) to $VISITBOT_BENCH_CPUPROFILE
// when set; call the returned func when the loop ends.
func profileLoop(b *testing.B) func() {
	path := os.Getenv("VISITBOT_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
