package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"visitbot/internal/app"
	"visitbot/ranking/backtest"
	"visitbot/ranking/sim"
	"visitbot/recommend"
)

const backtestSynopsis = "backtest -from D1 -to D2 [-truth truth.json] [-json] | backtest market -out DIR [-seed N] [-reps N] [-doctors N] [-days N]"

// runBacktest replays days as of each day through the production scoring
// and prints how current weights, the pending tuned weights, static ABC and
// the naive count did; `backtest market` writes a simulated company export.
func runBacktest(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) > 0 && args[0] == "market" {
		return runBacktestMarket(env, args[1:])
	}
	fs := newFlags(env, "backtest", backtestSynopsis)
	from := fs.String("from", "", "first day to replay (YYYY-MM-DD)")
	to := fs.String("to", "", "last day to replay (YYYY-MM-DD)")
	truthPath := fs.String("truth", "", "answer key of a simulated market (truth.json); without it the self-supervised target is the answer key")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkPeriod(fs.NArg(), fs.Arg(0), *from, *to); err != nil {
		return err
	}
	truth, err := readTruth(*truthPath)
	if err != nil {
		return err
	}
	return withHistory(ctx, env, *from, *to, func(a *app.App, h *backtest.History, o backtest.Options) error {
		o.Truth = truth
		methods := []backtest.Method{backtest.Current()}
		if p, err := recommend.PendingProposal(ctx, a.Store.Settings); err == nil {
			methods = append(methods, backtest.Tuned(p.Weights))
		} else if !errors.Is(err, recommend.ErrNoProposal) {
			return err
		}
		methods = append(methods, backtest.StaticABC(), backtest.Naive())
		if truth != nil {
			methods = append(methods, backtest.Oracle(h, truth))
		}
		o.Methods = methods
		rep, err := backtest.Run(h, o)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(env.stdout, rep)
		}
		return backtest.WriteTable(env.stdout, rep)
	})
}

// readTruth reads a -truth file (nil for "").
func readTruth(path string) (*backtest.Truth, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-truth: %w", err)
	}
	defer f.Close()
	t, err := backtest.ReadTruth(f)
	if err != nil {
		return nil, fmt.Errorf("-truth %s: %w", path, err)
	}
	return t, nil
}

// checkPeriod validates -from/-to and that no argument is left over.
func checkPeriod(nargs int, arg0, from, to string) error {
	if nargs > 0 {
		return fmt.Errorf("unexpected argument %q", arg0)
	}
	if from == "" || to == "" {
		return errors.New("give -from and -to (YYYY-MM-DD)")
	}
	a, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return fmt.Errorf("-from %q: want YYYY-MM-DD", from)
	}
	b, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return fmt.Errorf("-to %q: want YYYY-MM-DD", to)
	}
	if b.Before(a) {
		return fmt.Errorf("-to %s is before -from %s", to, from)
	}
	return nil
}

// withHistory opens the app, loads the history of from..to and the
// effective ranking configuration, and runs fn.
func withHistory(ctx context.Context, env *cliEnv, from, to string, fn func(*app.App, *backtest.History, backtest.Options) error) error {
	a, err := env.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	cfg := a.Config
	rc, err := recommend.EffectiveRanking(ctx, a.Store.Settings, cfg.Ranking)
	if err != nil {
		return err
	}
	h, err := recommend.LoadHistory(ctx, a.Store, rc, from, to)
	if err != nil {
		return err
	}
	if len(h.Doctors) == 0 || len(h.Reps) == 0 {
		return errors.New("nothing to replay: no doctors or no active reps (import first)")
	}
	return fn(a, h, backtest.Options{From: from, To: to, Ranking: rc, AllowDoctorLevelRx: cfg.Compliance.AllowDoctorLevelRx})
}

func runBacktestMarket(env *cliEnv, args []string) error {
	fs := newFlags(env, "backtest market", "backtest market -out DIR [-seed N] [-reps N] [-doctors N] [-days N] [-competitor -1|1] [-spread KM]")
	out := fs.String("out", "", "directory to write the bundle and truth.json into (new or empty)")
	o := sim.DefaultOptions(1)
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "market seed: each seed is another market")
	fs.IntVar(&o.Reps, "reps", o.Reps, "number of reps")
	fs.IntVar(&o.DoctorsPerRep, "doctors", o.DoctorsPerRep, "doctors per rep")
	fs.IntVar(&o.Days, "days", o.Days, "days of history from "+sim.Start.Format(time.DateOnly))
	fs.IntVar(&o.CompetitorSign, "competitor", 0, "1: competitor contacts go with high value, -1: with low value, 0: the seed decides")
	fs.Float64Var(&o.SpreadKM, "spread", 12, "how far (km) a rep's hospitals lie from the start point at most")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return errors.New("give -out DIR and no other argument")
	}
	if o.Reps < 1 || o.DoctorsPerRep < 1 || o.Days < 60 || o.CompetitorSign < -1 || o.CompetitorSign > 1 || !(o.SpreadKM >= 2 && o.SpreadKM <= 100) {
		return errors.New("want -reps ≥ 1, -doctors ≥ 1, -days ≥ 60, -competitor in -1..1 and -spread between 2 and 100 km")
	}
	o.EvalDays = o.Days * 2 / 3
	m := sim.New(o)
	if err := m.Export(*out); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "market seed %d: %d reps × %d doctors, %d days from %s (competitor contacts go with %s value)\n"+
		"load it:  visitbot import bundle %s\nreplay:   visitbot backtest -from %s -to %s -truth %s\n",
		o.Seed, o.Reps, o.DoctorsPerRep, o.Days, sim.Start.Format(time.DateOnly), map[int]string{-1: "low", 1: "high"}[m.CompetitorSign()],
		*out, m.EvalFrom(), m.EvalTo(), *out+string(os.PathSeparator)+sim.TruthFile)
	return nil
}
