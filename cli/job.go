package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"visitbot/clock"
	"visitbot/jobs"
	"visitbot/models"
)

const jobUsage = "job run <name> [-date YYYY-MM-DD] [-join NAME] | job list [-runs N]"

// runJob is `visitbot job run|list`.
func runJob(ctx context.Context, env *cliEnv, args []string) error {
	return subcommands(ctx, env, args, jobUsage, map[string]func(context.Context, *cliEnv, []string) error{"run": runJobRun, "list": runJobList})
}

func runJobRun(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "job run", "job run <name> [-date YYYY-MM-DD] [-join NAME]")
	date := fs.String("date", "", "business day to run for (default: today in the configured time zone)")
	join := fs.String("join", "", "run name shared with other `job run` processes: they split a sharded job (nightly_scores, morning_push)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("give exactly one job name")
	}
	cfg, err := env.loadConfig()
	if err != nil {
		return err
	}
	if *date != "" {
		if _, err := clock.ParseDay(*date, cfg.Location()); err != nil {
			return fmt.Errorf("-date %q: want YYYY-MM-DD", *date)
		}
	}
	a, err := env.newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	sched, err := a.Scheduler()
	if err != nil {
		return err
	}
	var res jobs.Result
	if *join != "" {
		res, err = sched.RunJoined(ctx, pos[0], *date, *join)
	} else {
		res, err = sched.RunNow(ctx, pos[0], *date)
	}
	if err != nil {
		return err
	}
	if res.Outcome == "" && errors.Is(res.Err, models.ErrConflict) {
		fmt.Fprintf(env.stdout, "job %s for %s (slot %s): run by another process, helped: %s\n", res.Run.Job, res.Run.Day, res.Run.Slot, res.Detail)
		return nil
	}
	fmt.Fprintf(env.stdout, "job %s for %s (slot %s): %s\n", res.Run.Job, res.Run.Day, res.Run.Slot, res.Outcome)
	if res.Detail != "" && res.Outcome != models.JobPanicked {
		fmt.Fprintln(env.stdout, "  "+res.Detail)
	}
	if res.Outcome != models.JobSucceeded {
		return fmt.Errorf("job %s %s: %w", res.Run.Job, res.Outcome, res.Err)
	}
	return nil
}

func runJobList(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "job list", "job list [-runs N]")
	n := fs.Int("runs", 5, "recent runs to show per job")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *n < 0 || *n > 1000 {
		return fmt.Errorf("-runs must be 0-1000, got %d", *n)
	}
	a, err := env.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	sched, err := a.Scheduler()
	if err != nil {
		return err
	}
	loc := a.Config.Location()
	now := a.Clock.Now()
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "JOB\tSCHEDULE (%s)\tENABLED\tNEXT\n", a.Config.Timezone)
	for _, e := range sched.Entries() {
		next := "-"
		if e.Enabled {
			next = e.Next(now).In(loc).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\n", e.Name, e.Spec, e.Enabled, next)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if *n == 0 {
		return nil
	}
	for _, e := range sched.Entries() {
		runs, err := a.Store.Jobs.JobRuns(ctx, e.Name, *n)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "\nrecent runs of %s:\n", e.Name)
		printRuns(env.stdout, runs, loc)
	}
	return nil
}

func printRuns(w io.Writer, runs []models.JobRun, loc *time.Location) {
	if len(runs) == 0 {
		fmt.Fprintln(w, "  (none)")
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  SLOT\tOUTCOME\tSTARTED\tTOOK\tREPLICA\tERROR / DETAIL")
	for _, r := range runs {
		took := "-"
		if r.FinishedAt != nil {
			took = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
		}
		note := r.Error
		if note == "" || r.Outcome == models.JobSucceeded {
			note = r.Detail
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", r.Slot, r.Outcome, r.StartedAt.In(loc).Format("2006-01-02 15:04:05"), took, r.Replica, firstLine(note, 100))
	}
	_ = tw.Flush()
}

// firstLine is s's first line, cut to n runes.
func firstLine(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
