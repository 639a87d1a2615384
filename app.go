package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"visitbot/bot"
	"visitbot/bot/console"
	"visitbot/bot/dingtalk"
	"visitbot/bot/wecom"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/handlers"
	"visitbot/importer"
	"visitbot/jobs"
	"visitbot/models"
	"visitbot/recommend"
	"visitbot/web"
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
	// wecom is the WeCom adapter (nil unless wecom.enabled).
	wecom *wecom.Platform
	// dingtalk is the DingTalk adapter (nil unless dingtalk.enabled); its
	// Messenger() is the outbound side for the outbox.
	dingtalk *dingtalk.Adapter
	// importer loads files (visitbot import) and ingest API batches.
	importer *importer.Importer
	// rec ranks doctors; flows are the conversations and the jobs' domain work.
	rec   *recommend.Service
	flows *flows.Flows
	// sched, bgCtx and bgWG exist once serve started the background work;
	// admin chat commands (任务, 推送) run their work there.
	sched *jobs.Scheduler
	bgCtx context.Context
	bgWG  *sync.WaitGroup
	// web is the dashboard and mobile pages (web_app.go).
	web *web.Pages
}

func (e *cliEnv) loadConfig() (config.Config, error) {
	return config.Load(e.configPath, e.configExplicit, e.environ)
}

// openApp loads the configuration and wires the app (commands that work on
// the database); the caller closes it.
func (e *cliEnv) openApp(ctx context.Context) (*app, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, err
	}
	return newApp(ctx, cfg, e.stderr)
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
	a.importer = importer.New(store, importer.Config{AllowDoctorLevelRx: cfg.Compliance.AllowDoctorLevelRx, Location: cfg.Location(), Log: a.log,
		OnSignals: a.onSignals}) // real-time manager alerts (cmd_alerts.go)
	if a.rec, err = recommend.New(store, cfg.Ranking, cfg.Compliance); err != nil {
		store.Close()
		return nil, fmt.Errorf("ranking: %w", err)
	}
	a.bot = bot.New(store, a.clock, cfg.Location(), a.log)
	deps := flows.Deps{Store: store, Clock: a.clock, Log: a.log, Config: cfg, Recommend: a.rec,
		Platforms: flows.Platforms{WeCom: cfg.WeCom.Enabled, DingTalk: cfg.DingTalk.Enabled, Console: cfg.Console.Enabled},
		Jobs:      adminJobs{a}, Push: adminJobs{a}}
	flows.Register(a.bot, deps)
	a.flows = flows.New(deps)
	if err := a.bot.Seal(); err != nil {
		store.Close()
		return nil, fmt.Errorf("bot registration: %w", err)
	}
	if cfg.Console.Enabled {
		a.console = console.New(store, a.bot, a.clock)
	}
	if cfg.WeCom.Enabled {
		if a.wecom, err = wecom.New(cfg.WeCom, store, a.bot, a.clock, a.log); err != nil {
			store.Close()
			return nil, err
		}
	}
	if cfg.DingTalk.Enabled {
		a.dingtalk, err = dingtalk.New(cfg.DingTalk, dingtalk.Deps{Store: store, Bot: a.bot, Clock: a.clock, Log: a.log,
			PublicURL: cfg.Server.PublicURL, QPS: cfg.Outbox.DingTalkQPS})
		if err != nil {
			store.Close()
			return nil, fmt.Errorf("dingtalk: %w", err)
		}
	}
	if a.web, err = a.newWeb(); err != nil {
		store.Close()
		return nil, fmt.Errorf("web: %w", err)
	}
	return a, nil
}

func (a *app) server() *handlers.Server {
	return handlers.New(handlers.Deps{
		Store: a.store, Bot: a.bot, Log: a.log, Clock: a.clock, Registry: a.registry,
		MaxBodyBytes: a.cfg.Server.MaxBodyBytes, Console: a.console, Version: version,
		Ingest: &handlers.Ingest{Importer: a.importer, Config: a.cfg.Ingest},
		WeCom:  a.wecom.Endpoint(),

		DingTalk: a.dingtalk, // nil unless dingtalk.enabled
		Web:      a.web,
	})
}

func (a *app) Close() error {
	a.wecom.Close() // deferred WeCom replies still use the store
	if a.dingtalk != nil {
		a.dingtalk.Flush() // background DingTalk replies still use the store
	}
	return a.store.Close()
}
