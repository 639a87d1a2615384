package sim

import (
	"flag"
	"fmt"
	"testing"

	"visitbot/config"
)

var printTable = flag.Bool("table", false, "print the evaluation table (markdown) for BENCHMARKS.md")

// TestHeatIndexBeatsStaticABC is the acceptance test of the ranking: on the
// simulated market the heat-index Top-5 must beat the static ABC baseline on
// precision@5 and on how fast rising doctors first enter the list.
func TestHeatIndexBeatsStaticABC(t *testing.T) {
	o := DefaultOptions()
	if testing.Short() {
		o.Reps, o.Days = 8, 150
	}
	heat, base, err := Evaluate(config.Default().Ranking, o)
	if err != nil {
		t.Fatal(err)
	}
	table := "| method | precision@5 | mean days to first Top-5 entry of a rising doctor | risers never picked |\n|---|---|---|---|\n"
	for _, r := range []Result{heat, base} {
		table += fmt.Sprintf("| %s | %.3f | %.1f | %d of %d |\n", r.Method, r.PrecisionAt5, r.MeanDaysToEntry, r.NeverEntered, r.Risers)
	}
	t.Logf("%d reps × %d doctors, days %d–%d evaluated (%d rep-days):\n%s", o.Reps, o.DoctorsPerRep, o.WarmupDays, o.Days, heat.RepDays, table)
	if *printTable {
		fmt.Print(table)
	}
	if heat.Risers == 0 || heat.RepDays == 0 {
		t.Fatalf("degenerate market: %+v", heat)
	}
	if heat.PrecisionAt5 <= base.PrecisionAt5 {
		t.Errorf("precision@5: heat %.3f does not beat ABC %.3f", heat.PrecisionAt5, base.PrecisionAt5)
	}
	if heat.MeanDaysToEntry >= base.MeanDaysToEntry {
		t.Errorf("days to entry: heat %.1f does not beat ABC %.1f", heat.MeanDaysToEntry, base.MeanDaysToEntry)
	}
}

func TestMarketIsDeterministic(t *testing.T) {
	o := DefaultOptions()
	o.Reps, o.Days = 3, 90
	a, b := newMarket(o), newMarket(o)
	if len(a.doctors) != len(b.doctors) {
		t.Fatal("different sizes")
	}
	for i := range a.doctors {
		if len(a.doctors[i].signals) != len(b.doctors[i].signals) || a.doctors[i].base != b.doctors[i].base {
			t.Fatalf("doctor %d differs between runs", i)
		}
	}
}
