package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

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
		w := *week
		if w == "" {
			y, n := a.clock.Now().In(a.cfg.Location()).ISOWeek()
			w = fmt.Sprintf("%d-W%02d", y, n)
		}
		first, last, err = isoWeek(w)
		if err != nil {
			return err
		}
	}
	u, err := a.store.UserByUserID(ctx, *rep)
	if err != nil {
		return fmt.Errorf("rep %q: %w", *rep, err)
	}
	r, err := a.store.PlanVsActual(ctx, u.ID, first, last)
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

// isoWeek returns the Monday and Sunday of an ISO week like 2026-W49.
func isoWeek(w string) (string, string, error) {
	var year, week int
	if _, err := fmt.Sscanf(w, "%d-W%d", &year, &week); err != nil || week < 1 || week > 53 {
		return "", "", fmt.Errorf("-week: want YYYY-Www such as 2026-W49, got %q", w)
	}
	// January 4th is always in week 1.
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(week-1)*7)
	if y, n := monday.ISOWeek(); y != year || n != week {
		return "", "", fmt.Errorf("-week: %d has no week %d", year, week)
	}
	return monday.Format(time.DateOnly), monday.AddDate(0, 0, 6).Format(time.DateOnly), nil
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
