package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"visitbot/bot"
	"visitbot/bot/console"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/handlers"
	"visitbot/models"
)

// app is the wired service: one per process.
type app struct {
	cfg      config.Config
	log      *slog.Logger
	clock    clock.Clock
	store    *models.Store
	bot      *bot.Bot
	registry *prometheus.Registry
	console  *console.Console
}

func (e *cliEnv) loadConfig() (config.Config, error) {
	return config.Load(e.configPath, e.configExplicit, e.environ)
}

func newLogger(cfg config.LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(cfg.Level)))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// openStore opens the configured database with the system clock.
func openStore(cfg config.Config, clk clock.Clock) (*models.Store, error) {
	return models.Open(models.Options{
		Driver: cfg.Database.Driver, DSN: cfg.Database.DSN, MaxOpenConns: cfg.Database.MaxOpenConns,
		Clock: clk, Location: cfg.Location(),
	})
}

// newApp wires store, bot and platforms. The store is migrated.
func newApp(ctx context.Context, cfg config.Config, logOut io.Writer) (*app, error) {
	a := &app{cfg: cfg, log: newLogger(cfg.Log, logOut), clock: clock.System{}, registry: prometheus.NewRegistry()}
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	store, err := openStore(cfg, a.clock)
	if err != nil {
		return nil, err
	}
	a.store = store
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, err
	}
	a.bot = bot.New(store, a.clock, cfg.Location(), a.log)
	flows.Register(a.bot, flows.Deps{Store: store, Clock: a.clock, Log: a.log, Config: cfg})
	if err := a.bot.Seal(); err != nil {
		store.Close()
		return nil, fmt.Errorf("bot registration: %w", err)
	}
	if cfg.Console.Enabled {
		a.console = console.New(store, a.bot, a.clock)
	}
	return a, nil
}

func (a *app) server() *handlers.Server {
	return handlers.New(handlers.Deps{
		Store: a.store, Bot: a.bot, Log: a.log, Clock: a.clock, Registry: a.registry,
		MaxBodyBytes: a.cfg.Server.MaxBodyBytes, Console: a.console, Version: version,
	})
}

func (a *app) Close() error { return a.store.Close() }
