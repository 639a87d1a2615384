package cli

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"visitbot/config"
	"visitbot/models"
	"visitbot/ranking"
	"visitbot/ranking/backtest"
	"visitbot/ranking/sim"
	"visitbot/recommend"
)

// TestBacktestAndTuneOnAnExportedMarket runs what a company does: the
// simulated market's export is imported through its mapping files, the
// backtest replays it from the store with the same figures as the market in
// memory, tune proposes weights, and only an admin applies them.
func TestBacktestAndTuneOnAnExportedMarket(t *testing.T) {
	dir := t.TempDir()
	env := []string{"VISITBOT_DATABASE_DSN=" + filepath.Join(dir, "vb.db"), "VISITBOT_LOG_LEVEL=error"}
	market := filepath.Join(dir, "market")
	code, out, stderr := runCLI(t, env, "backtest", "market", "-seed", "3", "-reps", "3", "-doctors", "20", "-days", "150", "-out", market)
	if code != 0 || !strings.Contains(out, "visitbot import bundle") {
		t.Fatalf("market: %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr = runCLI(t, env, "import", "bundle", market); code != 0 || strings.Contains(out, "有问题") {
		t.Fatalf("import: %d\n%s\n%s", code, out, stderr)
	}

	o := sim.DefaultOptions(3)
	o.Reps, o.DoctorsPerRep, o.Days, o.EvalDays = 3, 20, 150, 100
	m := sim.New(o)
	code, out, stderr = runCLI(t, env, "backtest", "-from", m.EvalFrom(), "-to", m.EvalTo(), "-truth", filepath.Join(market, sim.TruthFile), "-json")
	if code != 0 {
		t.Fatalf("backtest: %d\n%s\n%s", code, out, stderr)
	}
	var got backtest.Report
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	h := m.History()
	want, err := backtest.Run(h, backtest.Options{From: m.EvalFrom(), To: m.EvalTo(), Ranking: config.Default().Ranking, Truth: m.Truth(),
		Methods: []backtest.Method{backtest.Current(), backtest.StaticABC(), backtest.Naive(), backtest.Oracle(h, m.Truth())}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(roundRows(got.Rows), roundRows(want.Rows)) || got.RepDays != want.RepDays {
		t.Errorf("from the store:\n%+v\nin memory:\n%+v", got, want)
	}

	code, out, stderr = runCLI(t, env, "tune", "-from", "2026-05-01", "-to", m.EvalTo())
	if code != 0 || !strings.Contains(out, "heat (tuned weights)") || !strings.Contains(out, "proposed, not applied") {
		t.Fatalf("tune: %d\n%s\n%s", code, out, stderr)
	}
	if code, out, _ = runCLI(t, env, "backtest", "-from", m.EvalFrom(), "-to", m.EvalTo()); code != 0 || !strings.Contains(out, "heat (tuned weights)") ||
		!strings.Contains(out, "self-supervised target") {
		t.Errorf("backtest with a pending proposal: %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tune", "-apply"}, "-admin"},
		{[]string{"tune", "-apply", "-admin", "E1001"}, "only an admin"},
		{[]string{"tune", "-apply", "-admin", "nobody"}, `no user "nobody"`},
		{[]string{"tune", "-from", "2026-09-01", "-to", "2026-08-01"}, "before"},
		{[]string{"tune", "-from", "2026-05-01", "-to", "2026-09-01", "-signed", "charisma"}, "unknown signal class"},
	} {
		if code, _, stderr := runCLI(t, env, c.args...); code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q (want %q)", c.args, code, stderr, c.want)
		}
	}
	if code, out, _ = runCLI(t, env, "tune", "-show"); code != 0 || !strings.Contains(out, "pending proposal") {
		t.Errorf("show: %d\n%s", code, out)
	}
	// Fitted without a sign, the proposal can be stored and applied.
	if code, _, stderr = runCLI(t, env, "tune", "-from", "2026-05-01", "-to", m.EvalTo(), "-signed", ""); code != 0 {
		t.Fatalf("tune -signed '': %d %s", code, stderr)
	}
	if code, out, stderr = runCLI(t, env, "tune", "-apply", "-admin", "A0001"); code != 0 || !strings.Contains(out, "applied by A0001") {
		t.Fatalf("apply: %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr = runCLI(t, env, "tune", "-apply", "-admin", "A0001"); code == 0 || !strings.Contains(stderr, "no pending weight proposal") {
		t.Errorf("second apply: %d %s", code, stderr)
	}
}

// roundRows drops the digits a JSON round trip and the export's 6-decimal
// coordinates may change (route km to 10 m).
func roundRows(rows []backtest.Row) []backtest.Row {
	out := make([]backtest.Row, len(rows))
	for i, r := range rows {
		b, _ := json.Marshal(r)
		_ = json.Unmarshal(b, &out[i])
		out[i].RouteKM = math.Round(out[i].RouteKM*100) / 100
	}
	return out
}

// TestMorningRunPlansAsTheBacktestReplays: a company that runs the nightly
// scoring and the morning lists day after day gets the lists the backtest
// replays — the same doctors in the same order, the same route km — so the
// backtest's figures are the product's, not a model of it. (The morning run
// once saw visits and lists only within the cooldown window, made doctors
// visited weeks ago overdue and drove 2 km a day more than the replay; and
// its first pass, ranking by the nightly heat alone, never saw a surge.)
func TestMorningRunPlansAsTheBacktestReplays(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "vb.db")
	env := []string{"VISITBOT_DATABASE_DSN=" + dsn, "VISITBOT_LOG_LEVEL=error"}
	market := filepath.Join(dir, "market")
	if code, out, stderr := runCLI(t, env, "backtest", "market", "-seed", "5", "-reps", "4", "-doctors", "30", "-days", "150", "-out", market); code != 0 {
		t.Fatalf("market: %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, env, "import", "bundle", market); code != 0 || strings.Contains(out, "有问题") {
		t.Fatalf("import: %d\n%s\n%s", code, out, stderr)
	}
	const from, to = "2026-08-03", "2026-08-30" // four weeks: the S and A targets come round twice
	days, err := backtest.Days(from, to)
	if err != nil {
		t.Fatal(err)
	}
	type list struct {
		ids []uint
		km  float64
	}
	morning := map[string]list{} // day + rep
	for _, d := range days {
		if code, _, stderr := runCLI(t, env, "job", "run", "nightly_scores", "-date", d); code != 0 {
			t.Fatalf("nightly %s: %d %s", d, code, stderr)
		}
		code, out, stderr := runCLI(t, env, "recommend", "-all", "-date", d, "-json")
		if code != 0 {
			t.Fatalf("recommend %s: %d %s", d, code, stderr)
		}
		var all struct {
			Reps []struct {
				Rep             string `json:"rep"`
				Recommendations []struct {
					DoctorID uint    `json:"doctor_id"`
					RouteKM  float64 `json:"route_km"`
				} `json:"recommendations"`
			} `json:"reps"`
		}
		if err := json.Unmarshal([]byte(out), &all); err != nil {
			t.Fatalf("recommend %s: %v", d, err)
		}
		for _, r := range all.Reps {
			var l list
			for _, x := range r.Recommendations {
				l.ids, l.km = append(l.ids, x.DoctorID), x.RouteKM
			}
			if len(l.ids) > 0 {
				morning[d+" "+r.Rep] = l
			}
		}
	}

	cfg := config.Default()
	s, err := models.Open(models.Options{Driver: "sqlite", DSN: dsn, Location: cfg.Location()}) // days in the CLI's zone
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	h, err := recommend.LoadHistory(ctx, s, cfg.Ranking, from, to)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := readTruth(filepath.Join(market, sim.TruthFile))
	if err != nil {
		t.Fatal(err)
	}
	replay := map[string]list{}
	_, err = backtest.Run(h, backtest.Options{From: from, To: to, Ranking: cfg.Ranking, Methods: []backtest.Method{backtest.Current()}, Truth: truth,
		Plans: func(day, rep string, plan ranking.DayPlan) {
			var l list
			for _, p := range plan.Picks {
				l.ids = append(l.ids, p.DoctorID)
			}
			l.km = plan.RouteKM
			if len(l.ids) > 0 {
				replay[day+" "+rep] = l
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(morning) < 60 || len(replay) != len(morning) {
		t.Fatalf("%d rep-days with a morning list, %d replayed", len(morning), len(replay))
	}
	bad := 0
	for _, k := range slices.Sorted(maps.Keys(morning)) {
		m, r := morning[k], replay[k]
		if !slices.Equal(m.ids, r.ids) || math.Abs(m.km-r.km) > 0.01 {
			if bad++; bad <= 5 {
				t.Errorf("%s: morning run %v (%.2f km), backtest %v (%.2f km)", k, m.ids, m.km, r.ids, r.km)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rep-days differ", bad, len(morning))
	}
	// The allowance must have shortened some days, or the replay of it was
	// not put to the test.
	opts := ranking.PlanOptionsOf(cfg.Ranking).Route
	short := 0
	for _, k := range slices.Sorted(maps.Keys(morning)) {
		day, rep, _ := strings.Cut(k, " ")
		d, _ := time.Parse(time.DateOnly, day)
		var recent []float64 // the rep's lists of the window before the day, newest first
		for i := 1; i <= ranking.AllowanceWindowDays; i++ {
			if l, ok := morning[d.AddDate(0, 0, -i).Format(time.DateOnly)+" "+rep]; ok {
				recent = append(recent, l.km)
			}
		}
		if opts.Allowance(recent) < opts.TravelBudgetMinutes {
			short++
		}
	}
	t.Logf("%d of %d rep-days planned on a shortened budget", short, len(morning))
	if short == 0 {
		t.Error("no rep-day was planned on a shortened budget")
	}
}

func TestBacktestMarketRefusesABadSpread(t *testing.T) {
	dir := t.TempDir()
	env := []string{"VISITBOT_DATABASE_DSN=" + filepath.Join(dir, "vb.db"), "VISITBOT_LOG_LEVEL=error"}
	for _, spread := range []string{"1", "500", "NaN"} {
		code, _, stderr := runCLI(t, env, "backtest", "market", "-spread", spread, "-out", filepath.Join(dir, "m"+spread))
		if code == 0 || !strings.Contains(stderr, "-spread") {
			t.Errorf("-spread %s: exit %d, %q", spread, code, stderr)
		}
	}
	if code, out, stderr := runCLI(t, env, "backtest", "market", "-spread", "20", "-reps", "2", "-doctors", "10", "-days", "90", "-out", filepath.Join(dir, "wide")); code != 0 {
		t.Fatalf("-spread 20: %d\n%s\n%s", code, out, stderr)
	}
}
