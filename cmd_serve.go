package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"visitbot/config"
)

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "serve", "serve [-config PATH]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := env.loadConfig()
	if err != nil {
		return err
	}
	return serve(ctx, env, cfg, nil)
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
	return serve(ctx, env, cfg, func(ctx context.Context, a *app, bound string) error {
		n, err := a.store.CountUsers(ctx)
		if err != nil {
			return err
		}
		today := a.store.Today()
		if n == 0 {
			fmt.Fprintln(env.stdout, "empty database: seeding the demo world …")
			if err := seedWorld(ctx, a, defaultSeedOptions()); err != nil {
				return err
			}
			if _, err := a.rec.ScoreAll(ctx, today); err != nil {
				return fmt.Errorf("demo: score: %w", err)
			}
		}
		// Today's cards, so every rep has one in the console right away
		// (queued once per day; the outbox delivers them).
		res, err := a.flows.MorningPush(ctx, today, nil)
		if err != nil {
			return fmt.Errorf("demo: morning push: %w", err)
		}
		fmt.Fprintf(env.stdout, "today's visit lists: %s\n", res)
		fmt.Fprintf(env.stdout, "visitbot demo is running. Open http://%s/console in your browser (Ctrl+C to stop).\n", bound)
		return nil
	})
}

// serve runs HTTP and background work until ctx ends, then shuts down
// gracefully within server.shutdown_timeout.
func serve(ctx context.Context, env *cliEnv, cfg config.Config, ready func(context.Context, *app, string) error) error {
	a, err := newApp(ctx, cfg, env.stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (server.addr): %w", cfg.Server.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.server().Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	bgCtx, stopBg := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBg()
	var bg sync.WaitGroup
	if err := a.startBackground(bgCtx, &bg); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	bound := displayAddr(ln.Addr().String())
	a.log.Info("visitbot listening", "addr", ln.Addr().String(), "version", version, "database", cfg.Database.Driver)
	if ready != nil {
		if err := ready(ctx, a, bound); err != nil {
			srv.Close()
			return err
		}
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "timeout", cfg.Server.ShutdownTimeout.String())
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		a.log.Warn("http shutdown incomplete", "err", err)
	}
	stopBg()
	done := make(chan struct{})
	go func() { bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutCtx.Done():
		a.log.Warn("background work did not finish before the shutdown timeout")
	}
	a.log.Info("stopped")
	return nil
}

func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
