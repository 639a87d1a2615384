package cli

import (
	"context"
	"fmt"
)

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "serve", "serve [-config PATH]")
	a, err := env.parseAndOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, nil)
}

func runDemo(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "demo", "demo [-addr :8080] [-config PATH]")
	addr := fs.String("addr", "", "listen address (default server.addr)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := env.loadConfig()
	if err != nil {
		return err
	}
	// The demo is always local: SQLite under data/, console on, readable logs.
	cfg.Database.Driver, cfg.Database.DSN = "sqlite", "data/visitbot.db"
	cfg.Console.Enabled = true
	cfg.Log.Format = "text"
	if *addr != "" {
		cfg.Server.Addr = *addr
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	a, err := env.newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, func(ctx context.Context, bound string) error {
		n, err := a.Store.Users.CountUsers(ctx)
		if err != nil {
			return err
		}
		today := a.Store.Today()
		if n == 0 {
			fmt.Fprintln(env.stdout, "empty database: seeding the demo world …")
			if err := a.Seed(ctx, defaultSeedOptions()); err != nil {
				return err
			}
			if _, err := a.Ranking.ScoreAll(ctx, today); err != nil {
				return fmt.Errorf("demo: score: %w", err)
			}
		}
		// Today's cards, so every rep has one in the console right away
		// (queued once per day; the outbox delivers them).
		res, err := a.Flows.MorningPush(ctx, today, nil)
		if err != nil {
			return fmt.Errorf("demo: morning push: %w", err)
		}
		fmt.Fprintf(env.stdout, "today's visit lists: %s\n", res)
		fmt.Fprintf(env.stdout, "visitbot demo is running. Open http://%s/console in your browser (Ctrl+C to stop).\n", bound)
		return nil
	})
}
