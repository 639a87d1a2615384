package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/recommend"
)

func runRecommend(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "recommend", "recommend -rep REP [-date YYYY-MM-DD] [-json] [-force] | recommend -all [-date D] [-json] [-force]")
	rep := fs.String("rep", "", "rep user id, e.g. rep01")
	date := fs.String("date", "", "day to plan (default: today in the configured time zone)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	force := fs.Bool("force", false, "recompute and replace a stored list")
	all := fs.Bool("all", false, "compute the lists of every active rep (what morning_push does) and print a summary (with -json: every list)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if (*rep == "") == !*all {
		return errors.New("give exactly one of -rep REP or -all")
	}
	a, err := env.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	store, svc := a.Store, a.Ranking
	day := *date
	if day == "" {
		day = store.Today()
	} else if _, err := time.Parse(clock.DayLayout, day); err != nil {
		return fmt.Errorf("-date %q: want YYYY-MM-DD", day)
	}
	if *all {
		start := time.Now()
		res, err := svc.TopN(ctx, day, *force)
		if err != nil {
			return err
		}
		if err := noteUntiered(ctx, env, store, day); err != nil {
			return err
		}
		if *asJSON {
			return printAllJSON(ctx, env, a.Store, svc, day)
		}
		fmt.Fprintf(env.stdout, "%s: %d reps, %d lists written (%d recommendations), %d kept, %d empty, in %s\n",
			day, res.Reps, res.Written, res.Rows, res.Kept, res.Empty, time.Since(start).Round(time.Millisecond))
		return nil
	}
	u, err := store.Users.UserByUserID(ctx, *rep)
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Errorf("no user %q", *rep)
	}
	if err != nil {
		return err
	}
	recs, err := svc.ForRep(ctx, u.ID, day, *force)
	if err != nil {
		return err
	}
	if err := noteUntiered(ctx, env, store, day); err != nil {
		return err
	}
	views, err := svc.Views(ctx, recs)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, repList{Rep: u.UserID, Name: u.Name, Day: day, Recommendations: nonNil(views)})
	}
	printViews(env.stdout, u, day, views)
	return nil
}

// noteUntiered tells on stderr when no nightly scoring has run for day or a
// day before it: the list has no tiers and the call targets wait, which a
// company replaying its history day by day should know.
func noteUntiered(ctx context.Context, env *cliEnv, store *models.Store, day string) error {
	tiered, err := store.Ranking.TieredBy(ctx, day)
	if err != nil || tiered {
		return err
	}
	fmt.Fprintf(env.stderr, "note: no nightly scoring has run for %s or a day before it: doctors have no tier yet, so the call targets "+
		"(ranking.call_targets) wait; run `visitbot job run nightly_scores -date %s` first to plan the day as the morning push after a night does\n", day, day)
	return nil
}

// repList is one rep's day in `recommend -json`.
type repList struct {
	Rep             string           `json:"rep"`
	Name            string           `json:"name,omitempty"`
	Day             string           `json:"day"`
	Recommendations []recommend.View `json:"recommendations"`
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printAllJSON writes every active rep's stored list of day (an empty list
// for a rep without one): what an evaluation of the whole field force reads.
func printAllJSON(ctx context.Context, env *cliEnv, store *models.Store, svc *recommend.Service, day string) error {
	users, err := store.Users.Users(ctx, models.RoleRep)
	if err != nil {
		return err
	}
	recs, err := store.Ranking.RecommendationsOn(ctx, day)
	if err != nil {
		return err
	}
	views, err := svc.Views(ctx, recs)
	if err != nil {
		return err
	}
	byRep := map[uint][]recommend.View{}
	for i, r := range recs {
		byRep[r.RepID] = append(byRep[r.RepID], views[i])
	}
	out := struct {
		Day  string    `json:"day"`
		Reps []repList `json:"reps"`
	}{Day: day, Reps: []repList{}}
	for _, u := range users {
		if u.Active {
			out.Reps = append(out.Reps, repList{Rep: u.UserID, Name: u.Name, Day: day, Recommendations: nonNil(byRep[u.ID])})
		}
	}
	return writeJSON(env.stdout, out)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func nonNil(v []recommend.View) []recommend.View {
	if v == nil {
		return []recommend.View{}
	}
	return v
}

var kindLabels = map[string]string{models.RecMustVisit: "经理指派", models.RecFollowUp: "今日跟进"}

var periodLabels = map[string]string{models.PeriodAM: "上午", models.PeriodPM: "下午"}

// printViews writes the ranked list for people: one block per visit.
func printViews(w io.Writer, u *models.User, day string, views []recommend.View) {
	fmt.Fprintf(w, "%s %s · %s · Top %d\n", u.UserID, u.Name, day, len(views))
	if len(views) == 0 {
		fmt.Fprintln(w, "  (no doctor with a clinic session that day)")
		return
	}
	fmt.Fprintf(w, "  route: %.1f km, %.0f min driving\n", views[0].RouteKM, views[0].RouteMin)
	for _, v := range views {
		label := ""
		if l := kindLabels[v.Kind]; l != "" {
			label = " [" + l + "]"
		}
		fmt.Fprintf(w, "%2d. %s %s %s · %s · %s%s\n", v.Rank, periodLabels[v.Period], v.Doctor, v.Title, v.Department, v.Hospital, label)
		fmt.Fprintf(w, "    score %.2f (#%d by value)  heat %.1f  tier %s  distance %.1f km  [%s]\n", v.Score, v.ValueRank, v.Heat, orDash(v.Tier), v.DistanceM/1000, v.DoctorCode)
		fmt.Fprintf(w, "    reasons: %s\n", strings.Join(v.Reasons, "；"))
		keys := slices.Sorted(maps.Keys(v.Breakdown))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s=%g", k, v.Breakdown[k])
		}
		fmt.Fprintf(w, "    breakdown: %s\n", strings.Join(parts, " "))
	}
}
