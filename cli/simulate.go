package cli

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"visitbot/clock"
	"visitbot/internal/app"
	"visitbot/models"
	"visitbot/simulate"
)

func runSimulate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "simulate", "simulate [-from YYYY-MM-DD] [-days 14] [-seed 7]")
	opts := simulate.DefaultOptions()
	fs.StringVar(&opts.From, "from", "", "first day to simulate (default: today)")
	fs.IntVar(&opts.Days, "days", opts.Days, "calendar days to simulate (weekends are skipped)")
	fs.Uint64Var(&opts.Seed, "seed", opts.Seed, "random seed (same seed, same behaviour)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := env.loadConfig()
	if err != nil {
		return err
	}
	loc := cfg.Location()
	if opts.From == "" {
		opts.From = clock.Day(time.Now(), loc)
	}
	start, err := clock.ParseDay(opts.From, loc)
	if err != nil {
		return fmt.Errorf("-from: want YYYY-MM-DD, got %q", opts.From)
	}
	// Simulated time: the store, bot and outbox all read this clock.
	clk := clock.NewFake(start)
	// Every user is reached on the console: the simulation never sends to a real platform.
	a, err := app.New(ctx, simulate.ConsoleConfig(cfg), app.Options{Clock: clk, Version: env.version})
	if err != nil {
		return err
	}
	defer a.Close()
	store := a.Store
	senv, err := a.SimulationEnv(clk)
	if err != nil {
		return err
	}
	began := time.Now()
	sum, err := simulate.Run(ctx, senv, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "simulated %d working days in %s: %d cards, %d plans accepted, %d check-ins, %d feedback forms\n",
		sum.Days, time.Since(began).Round(time.Millisecond), sum.Pushes, sum.Accepted, sum.CheckIns, sum.Feedback)
	fmt.Fprintf(env.stdout, "scheduled jobs (%s): %d runs; %d alerts raised, %d alert cards to managers\n",
		strings.Join(simulate.DailyJobs, ", "), sum.JobRuns, sum.Alerts, sum.AlertCards)
	last := clock.Day(start.AddDate(0, 0, opts.Days-1), loc)
	reps, err := store.Users.Users(ctx, models.RoleRep)
	if err != nil {
		return err
	}
	var planned, matched, off int
	levels := map[string]int{}
	fmt.Fprintf(env.stdout, "%-8s %7s %7s %6s %7s\n", "rep", "planned", "matched", "rate", "offplan")
	for _, r := range reps {
		pr, err := store.Reports.PlanVsActual(ctx, []uint{r.ID}, opts.From, last)
		if err != nil {
			return err
		}
		planned, matched, off = planned+pr.Planned, matched+pr.Matched, off+pr.OffPlan
		for k, v := range pr.OffPlanByLevel {
			levels[k] += v
		}
		fmt.Fprintf(env.stdout, "%-8s %7d %7d %5.0f%% %7d\n", r.UserID, pr.Planned, pr.Matched, 100*pr.MatchRate, pr.OffPlan)
	}
	rate := 0.0
	if planned > 0 {
		rate = 100 * float64(matched) / float64(planned)
	}
	fmt.Fprintf(env.stdout, "%-8s %7d %7d %5.0f%% %7d\n", "all", planned, matched, rate, off)
	if len(levels) > 0 {
		fmt.Fprintf(env.stdout, "off-plan check-ins by hospital level: %s\n", countList(levels))
	}
	return nil
}

// countList is "community 12, secondary 3": the counts by key, largest first
// (then by key), for a summary line a person reads.
func countList(m map[string]int) string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
