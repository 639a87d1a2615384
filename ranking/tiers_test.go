package ranking

import (
	"testing"
	"time"

	"visitbot/config"
)

var cuts = config.TierPercentiles{S: 0.90, A: 0.70, B: 0.40}

func TestTrendsCompareQuarters(t *testing.T) {
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	k := DeptKey{1, "心内科"}
	pts := []FlowPoint{
		{1, "心内科", 1, "2026-11", 50}, {1, "心内科", 2, "2026-10", 40}, {1, "心内科", 1, "2026-09", 30}, // recent 40 a month
		{1, "心内科", 1, "2026-08", 30}, {1, "心内科", 1, "2026-07", 35}, {1, "心内科", 1, "2026-06", 35}, // prior 33.3 a month
		{1, "心内科", 1, "2026-12", 999}, {1, "心内科", 1, "2026-05", 999}, // outside both windows
		{2, "肿瘤科", 1, "2026-10", 10},                                                          // no earlier window: unknown, not growth
		{4, "儿科", 1, "2026-11", 60}, {4, "儿科", 1, "2026-10", 60}, {4, "儿科", 1, "2026-08", 40}, // months missing: averages over those present
		{5, "眼科", 1, "2026-11", 8}, {5, "眼科", 1, "2026-07", 0}, // from zero
	}
	tr := Trends(pts, day)
	if got := tr[k]; !got.Known || !near(got.Recent, 40) || !near(got.Prior, 100.0/3) || !near(got.Growth, 0.2) {
		t.Errorf("trend = %+v, want recent 40 prior 33.3 growth 0.2", got)
	}
	if got := tr[DeptKey{2, "肿瘤科"}]; got.Known || got.Growth != 0 || got.Score() != 0.5 {
		t.Errorf("department without the earlier window = %+v, want unknown and neutral", got)
	}
	if got := tr[DeptKey{4, "儿科"}]; !got.Known || got.RecentMonths != 2 || got.PriorMonths != 1 || !near(got.Growth, 0.5) {
		t.Errorf("partial months = %+v, want growth 60/40-1 over the months present", got)
	}
	if got := tr[DeptKey{5, "眼科"}]; !got.Known || !got.FromZero || got.Growth != 0 || got.Score() <= 0.8 {
		t.Errorf("from zero = %+v", got)
	}
	if got := tr[DeptKey{3, "x"}]; got.Known || got.Score() != 0.5 {
		t.Errorf("unknown department = %+v", got)
	}
	if TrendWindowStart(day) != "2026-06" {
		t.Errorf("window start = %s", TrendWindowStart(day))
	}
	if (Trend{Known: true, Growth: -0.5}).Score() >= (Trend{Known: true}).Score() {
		t.Error("a falling trend should score below a flat one")
	}
}

// territory builds n doctors with heat 0..n-1 (percentile i/(n-1)).
func territory(n int, prev func(i int) string) []TierInput {
	in := make([]TierInput, n)
	for i := range in {
		in[i] = TierInput{DoctorID: uint(i + 1), Territory: "north", Heat: float64(i), Prev: prev(i)}
	}
	return in
}

func TestTiersByPercentileWithinTerritory(t *testing.T) {
	in := territory(101, func(int) string { return "" })
	// A second territory where everybody is cold still gets its own S.
	in = append(in, TierInput{DoctorID: 500, Territory: "south", Heat: 1}, TierInput{DoctorID: 501, Territory: "south", Heat: 2})
	out := AssignTiers(in, cuts, 0.03)
	want := map[uint]string{1: TierC, 40: TierC, 41: TierB, 71: TierA, 90: TierA, 91: TierS, 101: TierS, 500: TierC, 501: TierS}
	for _, r := range out {
		if w, ok := want[r.DoctorID]; ok && r.Tier != w {
			t.Errorf("doctor %d (p=%.2f) tier %s, want %s", r.DoctorID, r.Percentile, r.Tier, w)
		}
		if r.Rising {
			t.Errorf("doctor %d: a first assignment is not a rising event", r.DoctorID)
		}
	}
	if out[0].DoctorID != 1 || out[len(out)-1].DoctorID != 501 {
		t.Error("results are not in input order")
	}
}

func TestTierTiesShareAPercentile(t *testing.T) {
	out := AssignTiers([]TierInput{{DoctorID: 1, Heat: 5}, {DoctorID: 2, Heat: 5}, {DoctorID: 3, Heat: 5}}, cuts, 0)
	for _, r := range out {
		if r.Percentile != 0.5 || r.Tier != TierB {
			t.Errorf("tie %d: p=%v tier %s, want 0.5 B", r.DoctorID, r.Percentile, r.Tier)
		}
	}
	if got := AssignTiers([]TierInput{{DoctorID: 1, Heat: 80}}, cuts, 0)[0]; got.Percentile != 0.5 {
		t.Errorf("single doctor p = %v", got.Percentile)
	}
}

func TestTierHysteresis(t *testing.T) {
	cases := []struct {
		name string
		p    float64
		prev string
		want string
	}{
		{"B just above A cut stays B", 0.71, TierB, TierB},
		{"B clearly above A cut moves up", 0.74, TierB, TierA},
		{"A just below A cut stays A", 0.68, TierA, TierA},
		{"A clearly below A cut moves down", 0.66, TierA, TierB},
		{"C jumping to S skips tiers", 0.99, TierC, TierS},
		{"S falling far lands by the lenient cut", 0.38, TierS, TierB},
		{"S falling below every lenient cut", 0.36, TierS, TierC},
		{"S falling to the B band", 0.5, TierS, TierB},
		{"first assignment uses plain cut", 0.71, "", TierA},
	}
	for _, tc := range cases {
		if got := nextTier(tc.p, tc.prev, cuts, 0.03); got != tc.want {
			t.Errorf("%s: nextTier(%v, %s) = %s, want %s", tc.name, tc.p, tc.prev, got, tc.want)
		}
	}
}

// TestNoFlappingAtBoundary moves a doctor's percentile back and forth across
// the A cut-off by less than the hysteresis for many nights: the tier changes
// once at most, never back and forth.
func TestNoFlappingAtBoundary(t *testing.T) {
	tier := TierB
	changes := 0
	for night := 0; night < 60; night++ {
		p := 0.70 + 0.02*float64(1-2*(night%2)) // 0.72, 0.68, 0.72, …
		next := nextTier(p, tier, cuts, 0.03)
		if next != tier {
			changes++
		}
		tier = next
	}
	if changes != 0 || tier != TierB {
		t.Errorf("tier flapped %d times, ends %s", changes, tier)
	}
	// Without hysteresis the same doctor flaps every night.
	tier, changes = TierB, 0
	for night := 0; night < 60; night++ {
		next := nextTier(0.70+0.02*float64(1-2*(night%2)), tier, cuts, 0)
		if next != tier {
			changes++
		}
		tier = next
	}
	if changes < 50 {
		t.Errorf("control without hysteresis changed only %d times", changes)
	}
}

func TestRisingEvents(t *testing.T) {
	in := territory(101, func(i int) string {
		switch i {
		case 95:
			return TierB // now p=0.95: B → S is rising
		case 20:
			return TierA // now p=0.2: A → C is a move down
		}
		return tierOf(float64(i)/100, cuts, 0)
	})
	out := AssignTiers(in, cuts, 0.03)
	var rising, changed []uint
	for _, r := range out {
		if r.Rising {
			rising = append(rising, r.DoctorID)
		}
		if r.Changed {
			changed = append(changed, r.DoctorID)
		}
	}
	if len(rising) != 1 || rising[0] != 96 {
		t.Errorf("rising = %v, want [96]", rising)
	}
	if len(changed) != 2 {
		t.Errorf("changed = %v, want 96 and 21", changed)
	}
	if out[95].Prev != TierB || out[95].Tier != TierS {
		t.Errorf("rising doctor %+v", out[95])
	}
}
