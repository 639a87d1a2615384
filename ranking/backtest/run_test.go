package backtest_test

import (
	"reflect"
	"testing"
	"time"

	"visitbot/config"
	"visitbot/ranking"
	"visitbot/ranking/backtest"
	"visitbot/ranking/sim"
)

func smallMarket(t *testing.T) (*sim.Market, *backtest.History) {
	t.Helper()
	o := sim.DefaultOptions(11)
	o.Reps, o.Days, o.EvalDays = 4, 120, 60
	m := sim.New(o)
	return m, m.History()
}

func methods(h *backtest.History, m *sim.Market) []backtest.Method {
	return []backtest.Method{backtest.Current(), backtest.StaticABC(), backtest.Naive(), backtest.Oracle(h, m.Truth())}
}

// TestBacktestUsesNoFutureData: signals dated on or after day D, event days
// of D or later (the series calendar) and flow of D's month or later change
// nothing for D — neither the heat nor the lists
// nor the figures measured on D.
func TestBacktestUsesNoFutureData(t *testing.T) {
	m, h := smallMarket(t)
	day := m.EvalFrom()
	o := backtest.Options{From: day, To: day, Ranking: config.Default().Ranking, Methods: methods(h, m), Truth: m.Truth()}
	before, err := backtest.Run(h, o)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ranking.NewScorer(o.Ranking, false)
	if err != nil {
		t.Fatal(err)
	}
	snapBefore := h.Snapshot(sc, day)

	d0, _ := time.ParseInLocation(time.DateOnly, day, h.Loc)
	for i := range h.Doctors {
		d := &h.Doctors[i]
		for _, at := range []time.Time{d0, d0.Add(9 * time.Hour), d0.AddDate(0, 0, 3)} {
			for _, c := range []string{ranking.ClassTrial, ranking.ClassLecture, ranking.ClassDigital, ranking.ClassVisit} {
				d.Signals = append(d.Signals, ranking.Signal{Class: c, Kind: "x", Value: 5, At: at})
			}
		}
	}
	for _, e := range h.Events[:len(h.Events)/2] {
		e.Day = d0.AddDate(0, 0, 1).Format(time.DateOnly)
		h.Events = append(h.Events, e)
		e.Day = day
		h.Events = append(h.Events, e)
	}
	for _, p := range h.Flow[:len(h.Flow)/2] {
		p.Month = d0.Format("2006-01")
		p.Quantity *= 10
		h.Flow = append(h.Flow, p)
	}
	h.Normalize()
	after, err := backtest.Run(h, o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("later data changed the figures of %s:\nbefore %+v\nafter  %+v", day, before.Rows, after.Rows)
	}
	snapAfter := h.Snapshot(sc, day)
	for id, hb := range snapBefore.Heat {
		if ha := snapAfter.Heat[id]; ha.Score != hb.Score {
			t.Fatalf("doctor %d: heat on %s %.3f became %.3f with later signals", id, day, hb.Score, ha.Score)
		}
	}
	// The same signals dated the day before do count: the cut is real.
	for i := range h.Doctors {
		h.Doctors[i].Signals = append(h.Doctors[i].Signals, ranking.Signal{Class: ranking.ClassTrial, Kind: "x", Value: 5, At: d0.Add(-time.Hour)})
	}
	h.Normalize()
	if got := h.Snapshot(sc, day); reflect.DeepEqual(got.Heat, snapBefore.Heat) {
		t.Error("a signal of the day before changed nothing")
	}
}

func TestBacktestFiguresOnTheSimulatedMarket(t *testing.T) {
	m, h := smallMarket(t)
	rep, err := backtest.Run(h, backtest.Options{From: m.EvalFrom(), To: m.EvalTo(), Ranking: config.Default().Ranking, Methods: methods(h, m), Truth: m.Truth()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Days != 60 || rep.RepDays == 0 || len(rep.Rows) != 4 {
		t.Fatalf("report %+v", rep)
	}
	oracle := rep.Rows[3]
	for _, r := range rep.Rows[:3] {
		if r.PrecisionAt5 > oracle.PrecisionAt5 || r.RankCorr >= oracle.RankCorr {
			t.Errorf("%s beats the oracle: %+v vs %+v", r.Method, r, oracle)
		}
		if r.RouteKM <= 0 || r.HighDoctors == 0 {
			t.Errorf("%s: %+v", r.Method, r)
		}
	}
	if oracle.RankCorr < 0.99 {
		t.Errorf("oracle rank correlation %.3f, want ~1", oracle.RankCorr)
	}
}

func TestBacktestAgainstTargetSkipsDaysWithoutAFullHorizon(t *testing.T) {
	m, h := smallMarket(t)
	_ = m
	last := h.LastSignal().In(h.Loc)
	to := last.Format(time.DateOnly)
	from := last.AddDate(0, 0, -40).Format(time.DateOnly)
	rep, err := backtest.Run(h, backtest.Options{From: from, To: to, Ranking: config.Default().Ranking, Methods: []backtest.Method{backtest.Current()}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Against != "self-supervised target" || rep.Days < 10 || rep.Days > 13 {
		t.Errorf("against %q over %d days, want the ~12 days with 28 days of signals after them", rep.Against, rep.Days)
	}
	if _, err := backtest.Run(h, backtest.Options{From: to, To: to, Ranking: config.Default().Ranking, Methods: []backtest.Method{backtest.Current()}}); err != backtest.ErrNoDays {
		t.Errorf("the last day: err %v, want ErrNoDays", err)
	}
}

func TestSpearman(t *testing.T) {
	for _, c := range []struct {
		xs, ys []float64
		want   float64
	}{
		{[]float64{1, 2, 3}, []float64{10, 20, 30}, 1},
		{[]float64{1, 2, 3}, []float64{3, 2, 1}, -1},
		{[]float64{1, 1, 1}, []float64{3, 2, 1}, 0},
		{[]float64{1, 2, 2, 3}, []float64{1, 2, 2, 3}, 1},
	} {
		if got := backtest.Spearman(c.xs, c.ys); got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("Spearman(%v, %v) = %v, want %v", c.xs, c.ys, got, c.want)
		}
	}
}

// TestHeatBeatsStaticABCOnTheSimulatedMarket is the ranking's acceptance
// check on markets built without the scorer's assumptions: with the default
// configuration the heat index lists more high-value doctors than the static
// ABC, ranks closer to the truth and leaves fewer of them off every list, on
// a market where competitor contacts go with low value and on one where
// they go with high value.
func TestHeatBeatsStaticABCOnTheSimulatedMarket(t *testing.T) {
	for _, sign := range []int{-1, 1} {
		o := sim.DefaultOptions(1)
		o.Reps, o.CompetitorSign = 10, sign
		if testing.Short() {
			o.Reps = 5
		}
		m := sim.New(o)
		rep, err := backtest.Run(m.History(), backtest.Options{From: m.EvalFrom(), To: m.EvalTo(), Ranking: config.Default().Ranking,
			Methods: []backtest.Method{backtest.Current(), backtest.StaticABC()}, Truth: m.Truth()})
		if err != nil {
			t.Fatal(err)
		}
		heat, abc := rep.Rows[0], rep.Rows[1]
		t.Logf("competitor sign %+d: heat %+v\nABC %+v", sign, heat, abc)
		if heat.PrecisionAt5 <= abc.PrecisionAt5 || heat.RankCorr <= abc.RankCorr || heat.HighNeverListed > abc.HighNeverListed {
			t.Errorf("competitor sign %+d: heat does not beat static ABC:\nheat %+v\nABC  %+v", sign, heat, abc)
		}
	}
}

// TestAllowanceHoldsTheRepsMeanRoute replays the small market with a
// target below its usual day: the mean route comes down close to it, and
// with the target off it stays where the fixed budget puts it.
func TestAllowanceHoldsTheRepsMeanRoute(t *testing.T) {
	m, h := smallMarket(t)
	km := func(target float64) float64 {
		cfg := config.Default().Ranking
		cfg.Route.KMPerDay = target
		rep, err := backtest.Run(h, backtest.Options{From: m.EvalFrom(), To: m.EvalTo(), Ranking: cfg, Methods: []backtest.Method{backtest.Current()}, Truth: m.Truth()})
		if err != nil {
			t.Fatal(err)
		}
		return rep.Rows[0].RouteKM
	}
	free, held := km(0), km(10)
	t.Logf("route km/day: %.2f without a target, %.2f with 10", free, held)
	if free < 12 || held > 11 || held >= free {
		t.Errorf("route km/day %.2f without a target, %.2f with a target of 10", free, held)
	}
}
