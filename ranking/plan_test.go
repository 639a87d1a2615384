package ranking

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// dayRoute is the shipped route settings: 30 km/h, road factor 1.3, 35
// minutes of driving (13.5 straight-line km), 20-minute visits, 210-minute half-days.
var dayRoute = RouteOptions{SpeedKMH: 30, RoadFactor: 1.3, TravelBudgetMinutes: 35, VisitMinutes: 20, PeriodMinutes: 210}

var targets = CallTargets{S: 7, A: 14, B: 30, C: 0}

func planDay(t *testing.T, cands []Candidate, o PlanOptions) DayPlan {
	t.Helper()
	d, err := PlanDay(home, wed, cands, o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// east returns the point km kilometres east of home.
func east(km float64) Point {
	return Point{Lat: home.Lat, Lng: home.Lng + km/(111.195*math.Cos(home.Lat*math.Pi/180))}
}

// TestPlanFitsTheTravelBudget: the day takes the most valuable set whose
// route fits, instead of discounting the far doctor: fewer km than a
// distance-blind ranking, and the far doctor is not pushed down the list
// but left for a day that fits.
func TestPlanFitsTheTravelBudget(t *testing.T) {
	cs := []Candidate{cand(1, 95, 20, PeriodAM)} // most valuable, 20 km north
	for i := 2; i <= 7; i++ {
		c := cand(uint(i), float64(90-i), 0, PeriodAM, PeriodPM)
		c.Location = east(float64(i%3) + 1)
		cs = append(cs, c)
	}
	blind := planDay(t, cs, PlanOptions{TopN: 5})
	if !slices.Contains(ids(blind.Picks), 1) {
		t.Fatalf("without a budget the most valuable doctor leads: %v", ids(blind.Picks))
	}
	day := planDay(t, cs, PlanOptions{TopN: 5, Route: dayRoute})
	if len(day.Picks) != 5 || slices.Contains(ids(day.Picks), 1) {
		t.Errorf("with the budget: %v, want five near doctors and not the one 20 km away", ids(day.Picks))
	}
	if day.RouteMinutes > dayRoute.TravelBudgetMinutes+1e-9 || day.RouteKM >= blind.RouteKM {
		t.Errorf("route %.1f km / %.1f min, distance-blind %.1f km: want within budget and shorter", day.RouteKM, day.RouteMinutes, blind.RouteKM)
	}
	for _, p := range day.Picks {
		if p.Breakdown["route_km"] != math.Round(day.RouteKM*1000)/1000 || p.Breakdown["route_min"] == 0 || p.ValueRank < 1 {
			t.Errorf("pick %d breakdown %v value rank %d: the day's route belongs in every row", p.DoctorID, p.Breakdown, p.ValueRank)
		}
	}
	// Value order is kept apart from the route order.
	byValue := slices.Clone(day.Picks)
	slices.SortFunc(byValue, func(a, b Pick) int { return a.ValueRank - b.ValueRank })
	for i := 1; i < len(byValue); i++ {
		if byValue[i].Score > byValue[i-1].Score {
			t.Errorf("value ranks %v do not follow scores", byValue)
		}
	}
}

// TestDoctorsOfOneHospitalShareATrip: three doctors at a hospital 10 km away
// cost one trip, so they fit where three separate 10 km trips would not.
func TestDoctorsOfOneHospitalShareATrip(t *testing.T) {
	var cs []Candidate
	for i := 1; i <= 3; i++ {
		cs = append(cs, cand(uint(i), 80, 10, PeriodAM))
	}
	day := planDay(t, cs, PlanOptions{TopN: 5, Route: dayRoute})
	if len(day.Picks) != 3 || math.Abs(day.RouteKM-13) > 0.05 {
		t.Errorf("one hospital 10 km away: %v, %.2f road km; want all three for one 13 km trip", ids(day.Picks), day.RouteKM)
	}
	spread := []Candidate{cand(1, 80, 10, PeriodAM), cand(2, 80, 0, PeriodAM), cand(3, 80, 0, PeriodAM)}
	spread[1].Location, spread[2].Location = east(10), Point{Lat: home.Lat - 10/111.195, Lng: home.Lng}
	if got := planDay(t, spread, PlanOptions{TopN: 5, Route: dayRoute}); len(got.Picks) != 1 {
		t.Errorf("three hospitals 10 km apart in three directions: %v fit, want one", ids(got.Picks))
	}
}

// TestHalfDayTime: a half-day holds its visits and the driving to them;
// flexible doctors go to the afternoon when the morning is full.
func TestHalfDayTime(t *testing.T) {
	o := PlanOptions{TopN: 8, Route: dayRoute}
	o.Route.PeriodMinutes = 60
	var cs []Candidate
	for i := 1; i <= 5; i++ {
		cs = append(cs, cand(uint(i), float64(100-i), 0, PeriodAM))
	}
	cs = append(cs, cand(9, 10, 0, PeriodAM, PeriodPM))
	day := planDay(t, cs, o)
	am, pm := 0, 0
	for _, p := range day.Picks {
		if p.Period == PeriodAM {
			am++
		} else {
			pm++
		}
	}
	if am != 3 || pm != 1 {
		t.Errorf("AM %d PM %d (%v), want 3 morning visits of 20 minutes in 60 and the flexible doctor in the afternoon", am, pm, ids(day.Picks))
	}
}

// TestOverdueDoctorIsReachedBeyondTheBudget: an S doctor unlisted for twice
// the target is planned even 20 km away (the way there is not counted),
// with the doctors near them.
func TestOverdueDoctorIsReachedBeyondTheBudget(t *testing.T) {
	far := cand(1, 70, 20, PeriodAM)
	far.Tier, far.LastVisit = TierS, "2026-11-10"
	cs := []Candidate{far, cand(2, 60, 20.5, PeriodAM)}
	for i := 3; i <= 7; i++ {
		c := cand(uint(i), 60, 1, PeriodAM, PeriodPM)
		c.Tier, c.LastVisit = TierB, "2026-11-25"
		cs = append(cs, c)
	}
	o := PlanOptions{TopN: 5, Targets: targets, DueBoost: 0.3, Route: dayRoute}
	day := planDay(t, cs, o)
	if got := ids(day.Picks); !slices.Contains(got, 1) || !slices.Contains(got, 2) {
		t.Errorf("picks %v, want the overdue S doctor 1 and their neighbour 2", got)
	}
	// Visited last week, the same doctor is not worth the drive.
	cs[0].LastVisit = "2026-11-27"
	if got := ids(planDay(t, cs, o).Picks); slices.Contains(got, 1) {
		t.Errorf("picks %v: a doctor not overdue is not reached beyond the budget", got)
	}
}

// TestDueDoctorOutranksUndue: of two S doctors of equal heat, the one past
// the weekly target is recommended before the one visited five days ago.
func TestDueDoctorOutranksUndue(t *testing.T) {
	due, undue := cand(1, 70, 1, PeriodAM), cand(2, 70, 1, PeriodAM)
	due.Tier, due.LastVisit = TierS, "2026-11-24"     // 8 days: due
	undue.Tier, undue.LastVisit = TierS, "2026-11-27" // 5 days: waits
	o := PlanOptions{TopN: 1, CooldownDays: 3, Targets: targets, DueBoost: 0.3}
	for _, order := range [][]Candidate{{due, undue}, {undue, due}} {
		picks := plan(t, order, o)
		if len(picks) != 1 || picks[0].DoctorID != 1 {
			t.Fatalf("picked %v, want the due doctor 1", ids(picks))
		}
		if got := picks[0].Reasons[0]; got != "S级客户，已8天未拜访（目标每7天）" {
			t.Errorf("first reason %q, want the due-by-target reason", got)
		}
	}
	// Listed yesterday without a visit: the doctor waits (rest_days).
	due.LastListed = "2026-12-01"
	o.RestDays = 2
	if picks := plan(t, []Candidate{due, undue}, o); len(picks) != 1 || picks[0].DoctorID != 2 {
		t.Errorf("picked %v, want the doctor listed yesterday to wait", ids(picks))
	}
}

func TestDueOn(t *testing.T) {
	date, _ := time.Parse("2006-01-02", wed)
	cases := []struct {
		tier, contact, signal string
		due, overdue          bool
		factor                float64
	}{
		{TierS, "2026-11-25", "", true, false, 1.15},   // 7 days: at the target
		{TierS, "2026-11-18", "", true, true, 1.3},     // 14 days: twice
		{TierS, "2026-12-01", "", false, false, 0.871}, // 1 day: waits
		{TierA, "", "", true, true, 1.3},               // never contacted
		{TierC, "2026-11-01", "2026-11-30", true, false, 1.15},
		{TierC, "2026-11-30", "2026-11-01", false, false, 1},
		{"", "", "", false, false, 1},
	}
	for _, tc := range cases {
		d := DueOn(tc.tier, tc.contact, tc.signal, date, targets)
		if d.Due != tc.due || d.Overdue != tc.overdue || math.Abs(d.Factor(0.3)-tc.factor) > 1e-3 {
			t.Errorf("%s %q %q: %+v factor %.3f, want due %v overdue %v factor %v", tc.tier, tc.contact, tc.signal, d, d.Factor(0.3), tc.due, tc.overdue, tc.factor)
		}
	}
}

// TestFirstReasonTellsTheDoctorApart: a rising tier and a trial come before
// generic phrases; no reason speaks of a trend or a run the data lacks.
func TestFirstReasonTellsTheDoctorApart(t *testing.T) {
	c := cand(1, 60, 1, PeriodAM)
	c.Tier, c.RoseFrom, c.LastVisit = TierA, TierB, "2026-11-30"
	c.Heat.Phrases = []string{"参与我司临床试验", "KOL专家"}
	p := plan(t, []Candidate{c}, PlanOptions{TopN: 5, Targets: targets, DueBoost: 0.3})[0]
	if want := []string{"层级由B升至A", "参与我司临床试验", "KOL专家"}; !slices.Equal(p.Reasons[:3], want) {
		t.Errorf("reasons %q, want %q first", p.Reasons, want)
	}
	s := scorer(t)
	h := s.Heat(Doctor{Signals: []Signal{sig(ClassLecture, "lecture_attend", 3)}}, Trend{RecentMonths: 3, Recent: 90}, now)
	for _, ph := range h.Phrases {
		if strings.Contains(ph, "上升") || strings.Contains(ph, "连续") {
			t.Errorf("phrase %q without a known trend or a run", ph)
		}
	}
}

// Keep explains a planned day again as planned: same doctors, periods and order.
func TestKeepReexplainsThePlannedDay(t *testing.T) {
	var cs []Candidate
	for i := 1; i <= 9; i++ {
		c := cand(uint(i), float64(50+i), float64(i%4), PeriodAM, PeriodPM)
		c.Location = east(float64(i % 5))
		cs = append(cs, c)
	}
	o := PlanOptions{TopN: 5, Route: dayRoute}
	first := planDay(t, cs, o)
	o.Keep = first.Picks
	again := planDay(t, cs, o)
	if len(again.Picks) != len(first.Picks) || again.RouteKM != first.RouteKM {
		t.Fatalf("kept day %+v, planned %+v", again, first)
	}
	for i := range first.Picks {
		if a, b := again.Picks[i], first.Picks[i]; a.DoctorID != b.DoctorID || a.Period != b.Period || a.Rank != b.Rank || a.ValueRank != b.ValueRank {
			t.Errorf("stop %d: kept %+v, planned %+v", i+1, a, b)
		}
	}
}

func TestAttainment(t *testing.T) {
	date, _ := time.Parse("2006-01-02", wed)
	docs := []AttainmentDoctor{
		{TierS, "2026-11-26"}, {TierS, "2026-11-25"}, {TierS, ""}, // 6 days: met; 7 days: missed the weekly target
		{TierA, "2026-11-20"}, {TierB, "2026-12-05"}, {TierC, "2026-12-01"}, // a visit after the day does not count
	}
	got := Attainment(docs, date, targets)
	want := []TierAttainment{{TierS, 7, 1, 3, 1.0 / 3}, {TierA, 14, 1, 1, 1}, {TierB, 30, 0, 1, 0}}
	if !slices.Equal(got, want) {
		t.Errorf("attainment %+v, want %+v", got, want)
	}
}

// TestPlanTakesTheMoreValuableCluster: two hospitals 10 km apart on either
// side of home each fit the day alone, not together; the day goes to the
// one whose doctors are worth more (with the near doctors on the way), not
// to the nearer or the first-ranked one alone.
func TestPlanTakesTheMoreValuableCluster(t *testing.T) {
	var cs []Candidate
	add := func(id uint, heat float64, at Point) {
		c := cand(id, heat, 0, PeriodAM, PeriodPM)
		c.Location = at
		cs = append(cs, c)
	}
	add(1, 90, east(-9)) // the single most valuable doctor, west
	add(2, 40, east(-9))
	for id := uint(3); id <= 5; id++ {
		add(id, 75, east(10)) // three valuable doctors, east
	}
	add(6, 30, east(0.5))
	add(7, 30, east(0.5))
	day := planDay(t, cs, PlanOptions{TopN: 5, Route: dayRoute})
	got := ids(day.Picks)
	slices.Sort(got)
	if want := []uint{3, 4, 5, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("picked %v (%.1f km), want the east cluster and the near doctors %v (value 285 against 190)", got, day.RouteKM, want)
	}
	if day.RouteMinutes > dayRoute.TravelBudgetMinutes+1e-9 {
		t.Errorf("route %.1f min over the budget", day.RouteMinutes)
	}
}

// TestUnexplainedThenKeepEqualsExplained: a first pass without reasons
// picks the same doctors in the same order and periods, and re-explaining
// its picks with Keep gives exactly the explained plan.
func TestUnexplainedThenKeepEqualsExplained(t *testing.T) {
	var cs []Candidate
	for i := 1; i <= 9; i++ {
		c := cand(uint(i), float64(50+5*i), 0, PeriodAM, PeriodPM)
		c.Location = east(float64(i%4) + 0.5)
		c.Heat.Phrases = []string{"近3月参加线上讲座2次"}
		cs = append(cs, c)
	}
	o := PlanOptions{TopN: 5, Route: dayRoute, Targets: targets, DueBoost: 0.3}
	full := planDay(t, cs, o)
	q := o
	q.Unexplained = true
	quiet := planDay(t, cs, q)
	if len(quiet.Picks) != len(full.Picks) {
		t.Fatalf("unexplained %v, explained %v", ids(quiet.Picks), ids(full.Picks))
	}
	for i, p := range quiet.Picks {
		f := full.Picks[i]
		if p.DoctorID != f.DoctorID || p.Period != f.Period || p.Score != f.Score || p.Reasons != nil || p.Breakdown != nil {
			t.Errorf("pick %d: %+v, explained %+v", i, p, f)
		}
	}
	q.Keep = quiet.Picks
	again := planDay(t, cs, q)
	for i, p := range again.Picks {
		if f := full.Picks[i]; p.DoctorID != f.DoctorID || !slices.Equal(p.Reasons, f.Reasons) || len(p.Breakdown) != len(f.Breakdown) || p.Breakdown["score"] != f.Breakdown["score"] {
			t.Errorf("kept pick %d: %+v, explained %+v", i, p, f)
		}
	}
}
