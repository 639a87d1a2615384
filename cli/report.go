package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"visitbot/clock"
	"visitbot/models"
)

func runReport(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "report", "report plan -rep USERID [-week 2026-W49 | -from D -to D] [-json]")
	rep := fs.String("rep", "", "rep user id, e.g. rep01")
	week := fs.String("week", "", "ISO week, e.g. 2026-W49 (default: this week)")
	from := fs.String("from", "", "first day (YYYY-MM-DD), instead of -week")
	to := fs.String("to", "", "last day (YYYY-MM-DD), with -from")
	asJSON := fs.Bool("json", false, "print JSON")
	if len(args) == 0 || args[0] != "plan" {
		fs.Usage()
		return errors.New("expected 'report plan'")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *rep == "" {
		return errors.New("-rep is required")
	}
	a, err := env.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	first, last := *from, *to
	switch {
	case first != "" || last != "":
		if _, err := time.Parse(time.DateOnly, first); err != nil {
			return fmt.Errorf("-from: want YYYY-MM-DD, got %q", first)
		}
		if _, err := time.Parse(time.DateOnly, last); err != nil || last < first {
			return fmt.Errorf("-to: want YYYY-MM-DD not before -from, got %q", last)
		}
	default:
		w := clock.WeekOf(a.Clock.Now().In(a.Config.Location()))
		if *week != "" {
			if w, err = clock.ParseWeek(*week, a.Config.Location()); err != nil {
				return fmt.Errorf("-week: %w", err)
			}
		}
		first, last = w.From(), w.To()
	}
	u, err := a.Store.Users.UserByUserID(ctx, *rep)
	if err != nil {
		return fmt.Errorf("rep %q: %w", *rep, err)
	}
	r, err := a.Store.Reports.PlanVsActual(ctx, []uint{u.ID}, first, last)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	printPlanReport(env.stdout, u, r)
	return nil
}

func printPlanReport(w io.Writer, u *models.User, r models.PlanReport) {
	fmt.Fprintf(w, "plan vs actual for %s (%s), %s … %s\n", u.UserID, u.Name, r.From, r.To)
	fmt.Fprintf(w, "%-10s %7s %7s %7s %7s\n", "day", "planned", "matched", "rate", "offplan")
	for _, d := range r.Days {
		rate := "-"
		if d.Planned > 0 {
			rate = fmt.Sprintf("%.0f%%", 100*float64(d.Matched)/float64(d.Planned))
		}
		fmt.Fprintf(w, "%-10s %7d %7d %7s %7d\n", d.Day, d.Planned, d.Matched, rate, d.OffPlan)
	}
	fmt.Fprintf(w, "%-10s %7d %7d %6.0f%% %7d\n", "total", r.Planned, r.Matched, 100*r.MatchRate, r.OffPlan)
	levels := func(m map[string]int) string {
		var parts []string
		for k, v := range m {
			parts = append(parts, fmt.Sprintf("%s %d", k, v))
		}
		sort.Strings(parts)
		if len(parts) == 0 {
			return "-"
		}
		return strings.Join(parts, ", ")
	}
	fmt.Fprintf(w, "planned by hospital level:  %s\n", levels(r.PlannedByLevel))
	fmt.Fprintf(w, "matched by hospital level:  %s\n", levels(r.MatchedByLevel))
	fmt.Fprintf(w, "off-plan by hospital level: %s\n", levels(r.OffPlanByLevel))
}
