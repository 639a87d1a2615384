package ranking

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// engaged is a doctor with a digital view every `every` days over the
// baseline and the given days-ago of recent lecture attendances.
func engaged(every float64, recent ...float64) Doctor {
	var d Doctor
	for ago := float64(SurgeWindowDays) + 1; ago < SurgeWindowDays+SurgeBaselineDays; ago += every {
		d.Signals = append(d.Signals, sig(ClassDigital, "leaflet_view", ago))
	}
	for _, ago := range recent {
		d.Signals = append(d.Signals, sig(ClassLecture, "lecture_attend", ago))
	}
	return d
}

// TestSurgeComparesADoctorWithTheirOwnPast: four signals in two weeks are a
// surge for a doctor seen once a month, not for one seen twice a week; the
// master-data, flow and visit classes never make one; Score is untouched.
func TestSurgeComparesADoctorWithTheirOwnPast(t *testing.T) {
	s := scorer(t)
	quiet := s.Heat(engaged(30, 1, 3, 6, 9), Trend{}, now)
	if g := quiet.Surge; !g.Rising() || g.Recent != 4 || g.Baseline != 3 || g.Since != now.AddDate(0, 0, -9).Format("2006-01-02") {
		t.Errorf("monthly doctor with 4 recent signals: %+v, want a surge since 9 days ago", g)
	}
	busy := s.Heat(engaged(3.5, 1, 3, 6, 9), Trend{}, now)
	if busy.Surge.Rising() {
		t.Errorf("twice-weekly doctor with 4 recent signals: %+v, want no surge", busy.Surge)
	}
	if few := s.Heat(engaged(1000, 1, 3), Trend{}, now); few.Surge.Rising() {
		t.Errorf("two recent signals of a new doctor: %+v, want no surge (SurgeMinSignals)", few.Surge)
	}
	var visits Doctor
	for _, ago := range []float64{1, 2, 4, 6, 8} {
		visits.Signals = append(visits.Signals, sig(ClassVisit, "visit_met", ago), sig(ClassFiling, "committee_seat", ago))
	}
	if g := s.Heat(visits, Trend{}, now).Surge; g.Recent != 0 {
		t.Errorf("visits and filing signals counted as engagement: %+v", g)
	}
	// The surge is not part of the heat: the same signals without the
	// surge fields give the same Score.
	plain := s.Heat(engaged(30, 1, 3, 6, 9), Trend{}, now)
	plain.Surge = Surge{}
	if plain.Score != quiet.Score {
		t.Errorf("score %v vs %v", plain.Score, quiet.Score)
	}
}

func TestPoissonTail(t *testing.T) {
	for _, tc := range []struct {
		k      int
		lambda float64
		want   float64
	}{
		{1, 1, 1 - math.Exp(-1)},
		{2, 0.5, 1 - math.Exp(-0.5)*(1+0.5)},
		{4, 0.5, 1 - math.Exp(-0.5)*(1+0.5+0.125+0.125/6)},
	} {
		if got := poissonTail(tc.k, tc.lambda); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("P(X>=%d; %v) = %v, want %v", tc.k, tc.lambda, got, tc.want)
		}
	}
}

// TestPlanListsTheDaysSurgeOnce: a C doctor of low heat whose engagement
// surges takes a place from hotter doctors on the day (with the surge as
// the first reason), one surge a day — the clearest — and not again once
// listed after the surge began.
func TestPlanListsTheDaysSurgeOnce(t *testing.T) {
	date, _ := time.Parse("2006-01-02", wed)
	surge := func(recent, baseline int) Surge {
		g := Surge{Recent: recent, Baseline: baseline, Expected: float64(baseline+1) * SurgeWindowDays / SurgeBaselineDays,
			Since: date.AddDate(0, 0, -6).Format("2006-01-02")}
		g.P = poissonTail(g.Recent, g.Expected)
		return g
	}
	var cs []Candidate
	for i := uint(1); i <= 6; i++ {
		cs = append(cs, cand(i, 70-float64(i), 1, PeriodAM))
	}
	low := cand(7, 20, 1, PeriodAM)
	low.Tier, low.Heat.Surge = TierC, surge(5, 2)
	weaker := cand(8, 25, 1, PeriodAM)
	weaker.Tier, weaker.Heat.Surge = TierC, surge(4, 3)
	cs = append(cs, low, weaker)
	o := PlanOptions{TopN: 5, Targets: targets, DueBoost: 0.3}
	picks := plan(t, cs, o)
	got := ids(picks)
	if !slices.Contains(got, 7) || slices.Contains(got, 8) || len(got) != 5 {
		t.Fatalf("picked %v, want the clearest surge (7) among five and not a second one (8)", got)
	}
	for _, p := range picks {
		if p.DoctorID == 7 && (!strings.HasPrefix(p.Reasons[0], "近14天互动5次") || p.Breakdown["heat"] != 20) {
			t.Errorf("surge pick reasons %q breakdown %v: want the surge first and the heat as it is", p.Reasons, p.Breakdown)
		}
	}
	// Listed two days ago (after the surge began): it waits like anyone.
	cs[6].LastListed = date.AddDate(0, 0, -2).Format("2006-01-02")
	if again := ids(plan(t, cs, o)); slices.Contains(again, 7) || !slices.Contains(again, 8) {
		t.Errorf("picked %v, want 7 not lifted again and the next surge (8) instead", again)
	}
	// Without a surge the low doctor stays off the list.
	cs[6].LastListed, cs[6].Heat.Surge, cs[7].Heat.Surge = "", Surge{}, Surge{}
	if plain := ids(plan(t, cs, o)); slices.Contains(plain, 7) {
		t.Errorf("picked %v without a surge", plain)
	}
}

// TestNoteKeepsASurge: the nightly note carries a surge (and only a real
// one) to the morning run, which ranks by notes.
func TestNoteKeepsASurge(t *testing.T) {
	s := scorer(t)
	h := s.Heat(engaged(30, 1, 3, 6, 9), Trend{}, now)
	enc, err := MarshalNote(h.Note())
	if err != nil {
		t.Fatal(err)
	}
	n, err := UnmarshalNote(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Heat(h.Score).Surge; got != h.Surge || !got.Rising() {
		t.Errorf("surge through the note %+v, want %+v", got, h.Surge)
	}
	quiet := s.Heat(engaged(3.5, 1), Trend{}, now)
	if quiet.Note().Surge != nil {
		t.Errorf("note of a doctor without a surge keeps %+v", quiet.Note().Surge)
	}
}
