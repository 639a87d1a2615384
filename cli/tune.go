package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"visitbot/internal/app"
	"visitbot/models"
	"visitbot/ranking/backtest"
	"visitbot/ranking/tune"
	"visitbot/recommend"
	"visitbot/signals"
)

const tuneSynopsis = "tune -from D1 -to D2 [-holdout 0.33] [-signed competitor] [-truth truth.json] [-json] | tune -show | tune -apply -admin USER"

// runTune fits the class weights on a company's history and stores them as
// a pending proposal; -apply (an admin) makes it the weight overrides.
func runTune(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "tune", tuneSynopsis)
	from := fs.String("from", "", "first day of the history to fit on (YYYY-MM-DD)")
	to := fs.String("to", "", "last day (YYYY-MM-DD); the later -holdout share is kept for the report")
	holdout := fs.Float64("holdout", 1.0/3, "share of the period held out for the report")
	signed := fs.String("signed", strings.Join(tune.DefaultSigned, ","), "comma-separated classes whose weight may turn negative (\"\" for none)")
	truthPath := fs.String("truth", "", "answer key of a simulated market: also report against it")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	show := fs.Bool("show", false, "print the pending proposal")
	apply := fs.Bool("apply", false, "apply the pending proposal as the weight overrides (audited; needs -admin)")
	admin := fs.String("admin", "", "user id of the admin who applies")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *show || *apply {
		if fs.NArg() > 0 || *from != "" || *to != "" {
			return errors.New("-show and -apply take no period")
		}
		return tuneProposal(ctx, env, *apply, *admin, *asJSON)
	}
	if err := checkPeriod(fs.NArg(), fs.Arg(0), *from, *to); err != nil {
		return err
	}
	var classes []string
	for _, c := range strings.Split(*signed, ",") {
		if c = strings.TrimSpace(c); c != "" {
			if _, ok := signals.Lookup(c); !ok {
				return fmt.Errorf("-signed: unknown signal class %q (want one of %s)", c, strings.Join(signals.Keys(), ", "))
			}
			classes = append(classes, c)
		}
	}
	if classes == nil {
		classes = []string{}
	}
	truth, err := readTruth(*truthPath)
	if err != nil {
		return err
	}
	return withHistory(ctx, env, *from, *to, func(a *app.App, h *backtest.History, bo backtest.Options) error {
		res, err := tune.Calibrate(h, tune.Options{From: *from, To: *to, Ranking: bo.Ranking, AllowDoctorLevelRx: bo.AllowDoctorLevelRx,
			Holdout: *holdout, Signed: classes, Truth: truth})
		if err != nil {
			return err
		}
		p := recommend.Proposal{Weights: res.Proposed, Current: res.Current, Periods: res.Periods,
			ProposedAt: a.Store.Clock().Now().UTC(), HeldOut: res.Report.Rows}
		if err := recommend.SaveProposal(ctx, a.Store.Settings, p); err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(env.stdout, res)
		}
		w := env.stdout
		fmt.Fprintf(w, "fitted on %s .. %s (%d doctor-days; each day's target looks %d days ahead), held out %s .. %s\n\n",
			res.FitFrom, res.FitTo, res.Samples, backtest.TargetDays, res.TestFrom, res.TestTo)
		writeWeights(env, res.Current, res.Proposed)
		fmt.Fprintln(w)
		if len(res.Report.Rows) > 0 {
			if err := backtest.WriteTable(w, res.Report); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(w, "no held-out day has its whole target horizon yet: no report against the target")
		}
		if res.TruthReport != nil {
			fmt.Fprintln(w)
			if err := backtest.WriteTable(w, *res.TruthReport); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "\nproposed, not applied: an admin applies it with `visitbot tune -apply -admin USER`\n")
		return nil
	})
}

func writeWeights(env *cliEnv, current, proposed map[string]float64) {
	fmt.Fprintln(env.stdout, "| class | current | proposed |\n|---|---|---|")
	for _, k := range signals.Keys() {
		fmt.Fprintf(env.stdout, "| %s (%s) | %.4g | %.4g |\n", k, signals.Name(k), current[k], proposed[k])
	}
}

func tuneProposal(ctx context.Context, env *cliEnv, apply bool, admin string, asJSON bool) error {
	if apply && admin == "" {
		return errors.New("-apply needs -admin USER (an admin's user id): applying weights is audited")
	}
	a, err := env.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if !apply {
		p, err := recommend.PendingProposal(ctx, a.Store.Settings)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(env.stdout, p)
		}
		fmt.Fprintf(env.stdout, "pending proposal of %s (fitted %s .. %s, held out %s .. %s)\n\n", p.ProposedAt.Format("2006-01-02 15:04"), p.FitFrom, p.FitTo, p.TestFrom, p.TestTo)
		writeWeights(env, p.Current, p.Weights)
		return nil
	}
	u, err := a.Store.Users.UserByUserID(ctx, admin)
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Errorf("no user %q", admin)
	}
	if err != nil {
		return err
	}
	p, err := recommend.ApplyProposal(ctx, a.Store, a.Store.Settings, a.Store.Audit, a.Config.Ranking,
		a.Config.Compliance.AllowDoctorLevelRx, u.ID, u.Role == models.RoleAdmin)
	if err != nil {
		return fmt.Errorf("tune -apply: %w", err)
	}
	fmt.Fprintf(env.stdout, "applied by %s: ranking weights %s (audited; the next scoring run uses them)\n", u.UserID, formatWeights(p.Weights))
	return nil
}

func formatWeights(w map[string]float64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(w)) {
		parts = append(parts, fmt.Sprintf("%s=%.4g", k, w[k]))
	}
	return strings.Join(parts, " ")
}
