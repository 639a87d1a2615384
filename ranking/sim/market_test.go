package sim

import (
	"math"
	"slices"
	"testing"

	"visitbot/ranking"
)

func small(seed uint64) Options {
	o := DefaultOptions(seed)
	o.Reps, o.Days, o.EvalDays = 6, 150, 90
	return o
}

func TestMarketIsDeterministicAndSeedsDiffer(t *testing.T) {
	a, b, c := New(small(7)), New(small(7)), New(small(8))
	if len(a.doctors) != len(b.doctors) {
		t.Fatal("different sizes for one seed")
	}
	for i := range a.doctors {
		if !slices.Equal(a.doctors[i].signals, b.doctors[i].signals) || a.doctors[i].base != b.doctors[i].base {
			t.Fatalf("doctor %d differs between runs of one seed", i)
		}
	}
	same := 0
	for i := range a.doctors {
		if a.doctors[i].base == c.doctors[i].base {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d doctors have the same value under two seeds", same)
	}
}

// corr is the Pearson correlation of competitor contacts with the true value.
func competitorCorr(m *Market) float64 {
	var xs, ys []float64
	for _, d := range m.doctors {
		n := 0
		for _, s := range d.signals {
			if s.Class == ranking.ClassCompetitor {
				n++
			}
		}
		xs, ys = append(xs, float64(n)), append(ys, d.base)
	}
	var mx, my float64
	for i := range xs {
		mx, my = mx+xs[i], my+ys[i]
	}
	mx, my = mx/float64(len(xs)), my/float64(len(ys))
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestCompetitorContactsGoEitherWay(t *testing.T) {
	for _, sign := range []int{-1, 1} {
		o := small(3)
		o.CompetitorSign = sign
		m := New(o)
		if r := competitorCorr(m); float64(sign)*r < 0.2 {
			t.Errorf("sign %d: correlation of competitor contacts with value %.2f", sign, r)
		}
	}
}

func TestPotentialDependsOnHospitalLevel(t *testing.T) {
	m := New(DefaultOptions(5))
	sum, n := map[int]float64{}, map[int]int{}
	for _, d := range m.doctors {
		sum[d.hosp.lvl.tier] += d.base
		n[d.hosp.lvl.tier]++
	}
	if sum[0]/float64(n[0]) <= sum[3]/float64(n[3])+0.1 {
		t.Errorf("三甲 mean value %.2f is not clearly above 社区 %.2f", sum[0]/float64(n[0]), sum[3]/float64(n[3]))
	}
}

func TestAttendanceListsNameOnlyAttendeesOnTheSeriesCalendar(t *testing.T) {
	m := New(small(4))
	misses := 0
	for _, d := range m.doctors {
		attended := map[string]bool{}
		for i, s := range d.signals {
			if s.Class != ranking.ClassLecture {
				continue
			}
			if s.Value <= 0 {
				t.Fatalf("doctor %s: an absence is recorded; attendance lists only name who came", d.code)
			}
			attended[d.detail[i]] = true
		}
		for _, sr := range d.series {
			for day := 0; day < m.o.Days; day++ {
				if n, ok := lectureSession(sr, day); ok && !attended[lectureDetail(sr, n)] {
					misses++
				}
			}
		}
	}
	if misses == 0 {
		t.Error("no doctor ever missed a session of an invited series")
	}
}

func TestRisersSignalsLagTheirRise(t *testing.T) {
	m := New(DefaultOptions(1))
	tr := m.Truth()
	if len(tr.Risers) < 15 {
		t.Fatalf("only %d risers", len(tr.Risers))
	}
	for _, d := range m.doctors {
		if d.kind != rising {
			continue
		}
		if d.lag < 1 || d.engagement(d.from+d.lag) != d.value(d.from) {
			t.Fatalf("riser %s: engagement does not trail the value by %d days", d.code, d.lag)
		}
	}
	if len(tr.SteadyHigh) < 40 {
		t.Errorf("only %d steadily high-value doctors", len(tr.SteadyHigh))
	}
}

func TestSpreadBoundsHowFarTheHospitalsLie(t *testing.T) {
	for _, tc := range []struct{ spread, want float64 }{{0, 12}, {20, 20}, {4, 4}} {
		o := small(3)
		o.SpreadKM = tc.spread
		m := New(o)
		far := 0.0
		for _, h := range m.hospitals {
			km := ranking.DistanceM(m.reps[h.rep].start, h.loc) / 1000
			if km < 0.9 || km > tc.want*1.05 {
				t.Errorf("spread %v: hospital %s is %.1f km from its rep's start", tc.spread, h.code, km)
			}
			far = max(far, km)
		}
		if far < tc.want*0.7 {
			t.Errorf("spread %v: the farthest hospital is %.1f km out", tc.spread, far)
		}
	}
}
