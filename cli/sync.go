package cli

import (
	"context"
	"errors"
	"fmt"
)

const syncUsage = "sync users [-dry-run]"

// runSync is `visitbot sync users`: each rep's manager (users.manager_id)
// from the WeCom address book's 直属上级 (user/get DirectLeader), so alerts
// reach the right manager without a users import.
func runSync(ctx context.Context, env *cliEnv, args []string) error {
	return subcommands(ctx, env, args, syncUsage, map[string]func(context.Context, *cliEnv, []string) error{"users": runSyncUsers})
}

func runSyncUsers(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "sync users", syncUsage)
	dry := fs.Bool("dry-run", false, "print the changes without writing them")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg, err := env.loadConfig()
	if err != nil {
		return err
	}
	if !cfg.WeCom.Enabled {
		return errors.New("wecom is not enabled (wecom.enabled): the address book is read through the WeCom app")
	}
	a, err := env.newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Flows.SyncManagers(ctx, a.WeCom.Client.DirectLeaders, *dry)
	fmt.Fprintln(env.stdout, res.String())
	return err
}
