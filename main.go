// Command visitbot is the field-force assistant for WeCom and DingTalk.
// main holds the CLI and the wiring only; see README.md for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

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
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Environ()))
}

// run parses global flags, picks the subcommand and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
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
	env := &cliEnv{configPath: *cfgPath, configExplicit: explicit, stdout: stdout, stderr: stderr, environ: environ}
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
	fmt.Fprintln(env.stdout, "visitbot", version)
	return nil
}
