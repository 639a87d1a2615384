// Package app is the one wiring of visitbot: it builds the store, the bot with
// every flow, the platform adapters, the outbox dispatcher, the scheduler with
// its jobs, the pages and the HTTP routes from one config.Config. `serve`,
// `demo`, every CLI command, the simulation and the end-to-end tests build the
// app here, so a new part is wired in one place.
package app

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
	"visitbot/internal/botstore"
	"visitbot/jobs"
	"visitbot/models"
	"visitbot/outbox"
	"visitbot/recommend"
	"visitbot/web"
)

// Options are what a caller may inject besides the configuration.
type Options struct {
	// Clock is every "now" of the app (default the system clock); the
	// simulation and the tests pass a fake one.
	Clock clock.Clock
	// LogOut receives the JSON or text log (default io.Discard).
	LogOut io.Writer
	// Store reuses an open, migrated store instead of opening
	// config.Database (tests on scratch databases); the caller closes it.
	Store *models.Store
	// Version is reported by /healthz and the logs.
	Version string
	// Replica names this process on its claims (default host-pid).
	Replica string
	// PushShardReps is the number of reps per shard of the morning push
	// (default repsPerPushShard); tests make small worlds several shards.
	PushShardReps int
	// ScoreShardDoctors is the number of doctors per shard of the nightly
	// scoring (default doctorsPerScoreShard).
	ScoreShardDoctors int
}

// App is the wired service, one per process.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	Clock    clock.Clock
	Store    *models.Store
	Bot      *bot.Bot
	Registry *prometheus.Registry
	// Console is the local chat platform (nil unless console.enabled).
	Console *console.Console
	// WeCom is the WeCom adapter (nil unless wecom.enabled).
	WeCom *wecom.Platform
	// DingTalk is the DingTalk adapter (nil unless dingtalk.enabled).
	DingTalk *dingtalk.Adapter
	// Importer loads files (visitbot import) and ingest API batches.
	Importer *importer.Importer
	// Ranking ranks doctors and stores each rep's day.
	Ranking *recommend.Service
	// Flows are the conversations and the jobs' domain work.
	Flows *flows.Flows
	// Web is the dashboard and the mobile pages.
	Web *web.Pages

	version string
	replica string
	// pushShardReps: see Options.PushShardReps.
	pushShardReps     int
	scoreShardDoctors int64
	ownsStore         bool

	// sched is built on first use (Scheduler).
	schedOnce sync.Once
	sched     *jobs.Scheduler
	schedErr  error
}

// New wires the app from cfg. The store is opened (unless o.Store) and migrated.
func New(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.LogOut == nil {
		o.LogOut = io.Discard
	}
	if o.PushShardReps <= 0 {
		o.PushShardReps = repsPerPushShard
	}
	if o.ScoreShardDoctors <= 0 {
		o.ScoreShardDoctors = doctorsPerScoreShard
	}
	if o.Replica == "" {
		o.Replica = config.DefaultReplica()
	}
	log, err := newLogger(cfg.Log, o.LogOut)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, Clock: o.Clock, Registry: prometheus.NewRegistry(),
		version: o.Version, replica: o.Replica, pushShardReps: o.PushShardReps, scoreShardDoctors: int64(o.ScoreShardDoctors)}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Store = o.Store
	if a.Store == nil {
		store, err := OpenStore(cfg, a.Clock)
		if err != nil {
			return nil, err
		}
		a.Store, a.ownsStore = store, true
		if err := store.Migrate(ctx); err != nil {
			store.Close()
			return nil, err
		}
	}
	if err := a.wire(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// wire builds everything above the store.
func (a *App) wire() error {
	cfg, store := a.Config, a.Store
	rules := make([]importer.RuleKind, len(cfg.Ranking.Rules))
	for i, r := range cfg.Ranking.Rules {
		rules[i] = importer.RuleKind{Name: r.Name, When: r.When, Class: r.Class}
	}
	a.Importer = importer.New(store, importer.Config{AllowDoctorLevelRx: cfg.Compliance.AllowDoctorLevelRx, Location: cfg.Location(), Log: a.Log,
		SignalKinds: importer.RuleKinds(rules),
		// Real-time alerts (flows.OnSignals) read only recent signals: history
		// is not held in memory until the commit.
		OnSignals: a.onSignals, KeepSignal: func(s models.Signal) bool { return a.Flows.IsNews(s) }})
	var err error
	if a.Ranking, err = recommend.New(store, cfg.Ranking, cfg.Compliance); err != nil {
		return fmt.Errorf("ranking: %w", err)
	}
	a.Bot = bot.New(botstore.New(store), a.Clock, cfg.Location(), a.Log)
	deps := flows.Deps{Stores: flows.StoresOf(store), Clock: a.Clock, Log: a.Log, Config: flows.ConfigOf(cfg), Recommend: a.Ranking,
		Platforms: flows.Platforms{WeCom: cfg.WeCom.Enabled, DingTalk: cfg.DingTalk.Enabled, Console: cfg.Console.Enabled},
		Jobs:      adminJobs{a}, Push: adminJobs{a}}
	flows.Register(a.Bot, deps)
	a.Flows = flows.New(deps)
	if err := a.Bot.Seal(); err != nil {
		return fmt.Errorf("bot registration: %w", err)
	}
	if cfg.Console.Enabled {
		a.Console = console.New(store, a.Bot, a.Clock)
	}
	if cfg.WeCom.Enabled {
		if a.WeCom, err = wecom.New(cfg.WeCom, store, a.Bot, outbox.NewReplies(store), a.Clock, a.Log); err != nil {
			return err
		}
	}
	if cfg.DingTalk.Enabled {
		a.DingTalk, err = dingtalk.New(cfg.DingTalk, dingtalk.Deps{Store: store, Bot: a.Bot, Replies: outbox.NewReplies(store), Clock: a.Clock, Log: a.Log,
			PublicURL: cfg.Server.PublicURL, QPS: cfg.Outbox.DingTalkQPS})
		if err != nil {
			return fmt.Errorf("dingtalk: %w", err)
		}
	}
	if a.Web, err = a.newWeb(); err != nil {
		return fmt.Errorf("web: %w", err)
	}
	return nil
}

// newLogger is the process log, JSON (default) or text, at log.level; a
// level slog does not know is a configuration error, never a silent Info.
func newLogger(cfg config.LogConfig, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(cfg.Level))); err != nil {
		return nil, fmt.Errorf("log.level: must be debug, info, warn or error, got %q", cfg.Level)
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}

// OpenStore opens the configured database with clk (not migrated).
func OpenStore(cfg config.Config, clk clock.Clock) (*models.Store, error) {
	return models.Open(models.Options{
		Driver: cfg.Database.Driver, DSN: cfg.Database.DSN, MaxOpenConns: cfg.Database.MaxOpenConns,
		Clock: clk, Location: cfg.Location(),
	})
}

// Server is the HTTP routes over the wired app.
func (a *App) Server() *handlers.Server {
	return handlers.New(handlers.Deps{
		Store: a.Store, Bot: a.Bot, Log: a.Log, Clock: a.Clock, Registry: a.Registry,
		MaxBodyBytes: a.Config.Server.MaxBodyBytes, Console: a.Console, Version: a.version,
		Ingest: &handlers.Ingest{Importer: a.Importer, Config: a.Config.Ingest},
		WeCom:  a.WeCom.Endpoint(),

		DingTalk: a.DingTalk, // nil unless dingtalk.enabled
		Web:      a.Web,
	})
}

// Close releases the app; the store only when New opened it.
func (a *App) Close() error {
	if a.ownsStore && a.Store != nil {
		return a.Store.Close()
	}
	return nil
}
