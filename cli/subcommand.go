package cli

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
)

// subcommands dispatches `visitbot <cmd> <sub> …` to subs[sub]. A missing or
// help argument prints usage; an unknown one names the valid choices.
func subcommands(ctx context.Context, env *cliEnv, args []string, usage string, subs map[string]func(context.Context, *cliEnv, []string) error) error {
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	want := strings.Join(names, " or ")
	if len(args) == 0 {
		fmt.Fprintln(env.stderr, "usage: visitbot "+usage)
		return fmt.Errorf("missing subcommand: %s", want)
	}
	if run, ok := subs[args[0]]; ok {
		return run(ctx, env, args[1:])
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(env.stderr, "usage: visitbot "+usage)
		return flag.ErrHelp
	}
	return fmt.Errorf("unknown subcommand %q (want %s)", args[0], want)
}
