package cli

import (
	"encoding/json"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"visitbot/config"
	"visitbot/ranking/backtest"
	"visitbot/ranking/sim"
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
