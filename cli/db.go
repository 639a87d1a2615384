package cli

import (
	"context"
	"fmt"
	"time"

	"visitbot/seed"
)

func runMigrate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "migrate", "migrate [-config PATH]")
	a, err := env.parseAndOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.Store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "schema is up to date (version %s, %s)\n", v, a.Config.Database.Driver)
	return nil
}

func defaultSeedOptions() seed.Options { return seed.DefaultOptions() }

func runSeed(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "seed", "seed [-reps N] [-doctors N] [-seed N] [-today YYYY-MM-DD]")
	opts := seed.DefaultOptions()
	fs.IntVar(&opts.Reps, "reps", opts.Reps, "number of reps (managers scale with it)")
	fs.IntVar(&opts.Doctors, "doctors", opts.Doctors, "number of doctors")
	fs.Int64Var(&opts.Seed, "seed", opts.Seed, "random seed (same seed, same world)")
	today := fs.String("today", "", "day the world's history ends (default: today)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := env.loadConfig()
	if err != nil {
		return err
	}
	if *today != "" {
		t, err := time.ParseInLocation("2006-01-02", *today, cfg.Location())
		if err != nil {
			return fmt.Errorf("-today: %w", err)
		}
		opts.Today = t
	}
	a, err := env.newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	if err := a.Seed(ctx, opts); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "seeded %d reps and %d doctors in %s\n", opts.Reps, opts.Doctors, time.Since(start).Round(time.Millisecond))
	return nil
}
