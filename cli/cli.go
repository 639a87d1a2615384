// Package cli is the visitbot command line: one flag set per subcommand,
// each of which opens the app through the one wiring in internal/app.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"visitbot/config"
	"visitbot/internal/app"
)

// cliCommand is one subcommand of the visitbot binary.
type cliCommand struct {
	name    string
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// cliEnv is what every subcommand gets: the config path and the streams.
type cliEnv struct {
	configPath     string
	configExplicit bool
	stdout         io.Writer
	stderr         io.Writer
	environ        []string
	version        string
}

func commands() []cliCommand {
	return []cliCommand{
		{"serve", "run the HTTP server and the scheduled jobs", runServe},
		{"demo", "run a local demo on SQLite with the chat console (seeds if empty)", runDemo},
		{"migrate", "create or update the database schema (idempotent)", runMigrate},
		{"seed", "fill the database with the deterministic demo world", runSeed},
		{"import", "import hospitals, doctors, users, … or signals from .xlsx/.csv; import template <kind>", runImport},
		{"recommend", "print a rep's ranked Top-N for a day with reasons (computes and stores it if needed)", runRecommend},
		{"job", "job run <name> [-date D]: run a job now; job list: schedules and recent runs", runJob},
		{"alerts", "alerts scan [-date D]: raise the day's manager alerts now and print them by kind", runAlerts},
		{"sync", "sync users [-dry-run]: set reps' managers from the WeCom address book (直属上级)", runSync},
		{"outbox", "outbox list [-status dead]: outbound queue; outbox replay <id|all-dead>", runOutbox},
		{"config", "config print: show the effective configuration, secrets masked", runConfig},
		{"version", "print the version", runVersion},
		{"report", "report plan: plan vs actual of a rep for a week", runReport},
		{"simulate", "play field days through the bot on the console (demo history, figures)", runSimulate},
		{"backtest", "backtest -from D1 -to D2: replay days as of each day and measure the lists; backtest market: a simulated company export", runBacktest},
		{"tune", "tune -from D1 -to D2: fit the ranking weights on the history and propose them; tune -apply -admin USER", runTune},
	}
}

// Main parses the global flags, runs the subcommand and returns the exit
// code (0 ok, 1 the command failed, 2 a usage error). version is what
// `visitbot version` prints and /healthz reports.
func Main(ctx context.Context, version string, args []string, stdout, stderr io.Writer, environ []string) int {
	global := flag.NewFlagSet("visitbot", flag.ContinueOnError)
	global.SetOutput(stderr)
	cfgPath := global.String("config", "config.yaml", "configuration file")
	global.Usage = func() { usage(stderr) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	explicit := false
	global.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	rest := global.Args()
	if len(rest) == 0 {
		usage(stderr)
		return 2
	}
	env := &cliEnv{configPath: *cfgPath, configExplicit: explicit, stdout: stdout, stderr: stderr, environ: environ, version: version}
	for _, c := range commands() {
		if c.name == rest[0] {
			if err := c.run(ctx, env, rest[1:]); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return 0
				}
				fmt.Fprintln(stderr, "visitbot "+c.name+": "+oneLine(err))
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "visitbot: unknown command %q\n", rest[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: visitbot [-config PATH] <command> [flags]\n\ncommands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'visitbot <command> -h' for the flags of a command.")
}

func (e *cliEnv) loadConfig() (config.Config, error) {
	return config.Load(e.configPath, e.configExplicit, e.environ)
}

// openApp loads the configuration and wires the app (commands that work on
// the database); the caller closes it.
func (e *cliEnv) openApp(ctx context.Context) (*app.App, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, err
	}
	return e.newApp(ctx, cfg)
}

// newApp wires the app from cfg, logging to stderr.
func (e *cliEnv) newApp(ctx context.Context, cfg config.Config) (*app.App, error) {
	return app.New(ctx, cfg, app.Options{LogOut: e.stderr, Version: e.version})
}

// oneLine keeps CLI errors to a single line.
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// newFlags returns a subcommand flag set that also accepts -config after the
// subcommand name.
func newFlags(env *cliEnv, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Func("config", "configuration file (default config.yaml)", func(v string) error {
		env.configPath, env.configExplicit = v, true
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "usage: visitbot %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func runVersion(_ context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "version", "version")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "visitbot", env.version)
	return nil
}
