package cli

import (
	"context"
	"errors"
	"fmt"
)

func runConfig(_ context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "config", "config print [-config PATH]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "print" {
		fs.Usage()
		return errors.New("expected 'config print'")
	}
	cfg, err := env.loadConfig()
	if err != nil {
		return err
	}
	out, err := cfg.YAML()
	if err != nil {
		return err
	}
	fmt.Fprint(env.stdout, out)
	return nil
}
