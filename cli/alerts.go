package cli

import (
	"context"
	"fmt"

	"visitbot/clock"
)

const alertsUsage = "alerts scan [-date YYYY-MM-DD]"

// runAlerts is `visitbot alerts scan`: the alert_scan job run by hand,
// printing the alerts by kind (detected vs new; a second run on the same
// day prints no new ones).
func runAlerts(ctx context.Context, env *cliEnv, args []string) error {
	return subcommands(ctx, env, args, alertsUsage, map[string]func(context.Context, *cliEnv, []string) error{"scan": runAlertsScan})
}

func runAlertsScan(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "alerts scan", alertsUsage)
	date := fs.String("date", "", "business day to scan for (default: today in the configured time zone)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg, err := env.loadConfig()
	if err != nil {
		return err
	}
	day := *date
	if day == "" {
		day = clock.Day(clock.System{}.Now(), cfg.Location())
	} else if _, err := clock.ParseDay(day, cfg.Location()); err != nil {
		return fmt.Errorf("-date %q: want YYYY-MM-DD", day)
	}
	a, err := env.newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Flows.AlertScan(ctx, day)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, res.String())
	return nil
}
