package ranking

import (
	"math"
	"slices"
	"strings"
	"testing"
)

const wed = "2026-12-02" // a Wednesday (weekday 3)

var home = Point{Lat: 31.2304, Lng: 121.4737}

// north returns the point km kilometres north of home.
func north(km float64) Point { return Point{Lat: home.Lat + km/111.195, Lng: home.Lng} }

// cand is a doctor with a weekly Wednesday session in each period given.
func cand(id uint, heat, km float64, periods ...string) Candidate {
	c := Candidate{DoctorID: id, Location: north(km), Heat: Heat{Score: heat, Phrases: []string{"热度理由"}}}
	for _, p := range periods {
		c.Sessions = append(c.Sessions, Session{Weekday: 3, Period: p})
	}
	return c
}

func ids(picks []Pick) []uint {
	out := make([]uint, len(picks))
	for i, p := range picks {
		out[i] = p.DoctorID
	}
	return out
}

func plan(t *testing.T, cands []Candidate, opts ...PlanOptions) []Pick {
	t.Helper()
	o := PlanOptions{TopN: 5, CooldownDays: 3}
	if len(opts) > 0 {
		o = opts[0]
	}
	picks, err := Plan(home, wed, cands, o)
	if err != nil {
		t.Fatal(err)
	}
	return picks
}

func TestAvailability(t *testing.T) {
	dated := cand(4, 50, 1)
	dated.Sessions = []Session{{Day: wed, Period: PeriodPM}}
	otherDay := cand(5, 90, 1)
	otherDay.Sessions = []Session{{Weekday: 4, Period: PeriodAM}, {Day: "2026-12-03", Period: PeriodAM}}
	cancelled := cand(6, 90, 1, PeriodAM)
	cancelled.Cancellations = []Cancellation{{Day: wed}}
	halfCancelled := cand(7, 60, 1, PeriodAM, PeriodPM)
	halfCancelled.Cancellations = []Cancellation{{Day: wed, Period: PeriodAM}, {Day: "2026-12-09"}}
	cancelledOtherDay := cand(8, 40, 1, PeriodAM)
	cancelledOtherDay.Cancellations = []Cancellation{{Day: "2026-12-09"}}

	cases := []struct {
		name        string
		c           Candidate
		picked      bool
		period      string
		sessionText string
	}{
		{"weekly AM session", cand(1, 50, 1, PeriodAM), true, PeriodAM, "周三上午门诊"},
		{"AM and PM sessions", cand(2, 50, 1, PeriodAM, PeriodPM), true, PeriodAM, "周三上午、下午门诊"},
		{"no session today is excluded", cand(3, 99, 1), false, "", ""},
		{"dated session today", dated, true, PeriodPM, "周三下午门诊"},
		{"sessions on other days only", otherDay, false, "", ""},
		{"停诊 all day is excluded", cancelled, false, "", ""},
		{"停诊 in the morning leaves the afternoon", halfCancelled, true, PeriodPM, "周三下午门诊"},
		{"停诊 on another day does not matter", cancelledOtherDay, true, PeriodAM, "周三上午门诊"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			picks := plan(t, []Candidate{tc.c})
			if !tc.picked {
				if len(picks) != 0 {
					t.Fatalf("picked %+v", picks)
				}
				return
			}
			if len(picks) != 1 {
				t.Fatalf("not picked")
			}
			p := picks[0]
			if p.Period != tc.period || !slices.Contains(p.Reasons, tc.sessionText) {
				t.Errorf("period %s reasons %q; want %s %q", p.Period, p.Reasons, tc.period, tc.sessionText)
			}
		})
	}
}

func TestCooldown(t *testing.T) {
	cases := []struct {
		last   string
		days   int
		picked bool
	}{
		{"", 3, true},
		{"2026-12-02", 3, false}, // visited today already
		{"2026-12-01", 3, false},
		{"2026-11-29", 3, false}, // 3 days ago: still cooling
		{"2026-11-28", 3, true},  // 4 days ago
		{"2026-12-05", 3, true},  // a later visit (planning a past day) does not count
		{"2026-12-01", 0, true},  // cooldown off
	}
	for _, tc := range cases {
		c := cand(1, 50, 1, PeriodAM)
		c.LastVisit = tc.last
		picks := plan(t, []Candidate{c}, PlanOptions{TopN: 5, CooldownDays: tc.days})
		if got := len(picks) == 1; got != tc.picked {
			t.Errorf("last visit %q cooldown %d: picked=%v, want %v", tc.last, tc.days, got, tc.picked)
		}
	}
	// A follow-up is due right after a visit: cooldown does not apply to it.
	c := cand(1, 50, 1, PeriodAM)
	c.LastVisit, c.Must = "2026-12-01", &Must{Kind: KindFollowUp, DueDay: wed}
	if picks := plan(t, []Candidate{c}); len(picks) != 1 {
		t.Error("follow-up skipped by the cooldown")
	}
}

func TestScoreFactors(t *testing.T) {
	base := cand(1, 80, 0, PeriodAM, PeriodPM)
	base.Location = home
	cases := []struct {
		name   string
		mut    func(c *Candidate)
		factor string
		want   float64
		reason string
	}{
		{"distance does not discount value", func(c *Candidate) { c.Location = north(15) }, "distance_km", 15, "距您15.0公里"},
		{"distance phrase in km", func(c *Candidate) { c.Location = north(1.2) }, "distance_km", 1.2, "距您1.2公里"},
		{"distance phrase in metres", func(c *Candidate) { c.Location = north(0.8) }, "distance_km", 0.8, "距您800米"},
		{"unknown location", func(c *Candidate) { c.Location = Point{} }, "distance_km", 0, ""},
		{"no tier: no due factor", func(c *Candidate) {}, "due", 1, ""},
		{"no history: smoothed 50%", func(c *Candidate) {}, "response", ResponseFloor + (1-ResponseFloor)*0.5, ""},
		{"always met", func(c *Candidate) { c.Responses = Responses{Met: 8, Attempts: 8} }, "response", ResponseFloor + (1-ResponseFloor)*0.9, "历史响应率100%"},
		{"never met", func(c *Candidate) { c.Responses = Responses{Met: 0, Attempts: 8} }, "response", ResponseFloor + (1-ResponseFloor)*0.1, ""},
		{"no product", func(c *Candidate) {}, "product", ProductFloor, ""},
		{"good product match", func(c *Candidate) { c.ProductMatch = 0.9 }, "product", ProductFloor + (1-ProductFloor)*0.9, "产品匹配度高"},
		{"product match clamped", func(c *Candidate) { c.ProductMatch = 7 }, "product", 1, "产品匹配度高"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.mut(&c)
			p := plan(t, []Candidate{c})[0]
			if got := p.Breakdown[tc.factor]; math.Abs(got-tc.want) > 1e-3 {
				t.Errorf("%s = %v, want %v", tc.factor, got, tc.want)
			}
			b := p.Breakdown
			if want := b["heat"] * b["response"] * b["product"] * b["due"]; math.Abs(p.Score-want) > 2e-3*want {
				t.Errorf("score %v != product of factors %v", p.Score, want)
			}
			if tc.reason != "" && !slices.Contains(p.Reasons, tc.reason) {
				t.Errorf("reasons %q lack %q", p.Reasons, tc.reason)
			}
		})
	}
}

func TestTopNPicksBestScores(t *testing.T) {
	var cs []Candidate
	for i := 1; i <= 12; i++ {
		cs = append(cs, cand(uint(i), float64(i*5), 2, PeriodAM))
	}
	cs = append(cs, cand(50, 500, 2)) // hottest, but no session
	picks := plan(t, cs)
	got := ids(picks)
	slices.Sort(got)
	if !slices.Equal(got, []uint{8, 9, 10, 11, 12}) {
		t.Errorf("picked %v, want the five hottest available", got)
	}
	for i, p := range picks {
		if p.Rank != i+1 || p.Kind != KindRanked {
			t.Errorf("pick %d: rank %d kind %s", i, p.Rank, p.Kind)
		}
	}
	if n := len(plan(t, cs, PlanOptions{TopN: 3})); n != 3 {
		t.Errorf("top_n 3 gave %d", n)
	}
}

func TestMustVisitsFirst(t *testing.T) {
	hot := []Candidate{cand(1, 90, 1, PeriodAM), cand(2, 85, 1, PeriodAM), cand(3, 80, 1, PeriodAM), cand(4, 75, 1, PeriodAM), cand(5, 70, 1, PeriodAM)}
	must := cand(10, 5, 9, PeriodAM)
	must.Must = &Must{Kind: KindMustVisit, DueDay: "2026-11-30"}
	follow := cand(11, 3, 8, PeriodAM)
	follow.Must = &Must{Kind: KindFollowUp, DueDay: wed}
	follow.LastVisit = "2026-11-30"
	unavailable := cand(12, 3, 1)
	unavailable.Must = &Must{Kind: KindMustVisit, DueDay: wed}

	picks := plan(t, append(slices.Clone(hot), must, follow, unavailable))
	// Both are on the list whatever their value; the route runs outwards:
	// the ranked 1 2 3 (1 km), follow-up 11 (8 km), must-visit 10 (9 km).
	if got := ids(picks); !slices.Equal(got, []uint{1, 2, 3, 11, 10}) {
		t.Fatalf("route %v, want ranked 1 2 3 then follow-up 11 and must-visit 10", got)
	}
	if picks[4].Kind != KindMustVisit || picks[4].Reasons[0] != "经理指派" {
		t.Errorf("must-visit %+v", picks[4])
	}
	if picks[3].Kind != KindFollowUp || picks[3].Reasons[0] != "今日跟进" {
		t.Errorf("follow-up %+v", picks[3])
	}

	// More must-visits than places: the list is capped at top_n, managers' first.
	var many []Candidate
	for i := 1; i <= 7; i++ {
		c := cand(uint(i), 10, float64(i), PeriodAM)
		c.Must = &Must{Kind: KindFollowUp, DueDay: wed}
		if i == 7 {
			c.Must.Kind = KindMustVisit
		}
		many = append(many, c)
	}
	picks = plan(t, append(many, hot...))
	if len(picks) != 5 || !slices.Contains(ids(picks), 7) {
		t.Errorf("capped list %v should hold 5 and the manager's must-visit 7", ids(picks))
	}
	for _, p := range picks {
		if p.Kind == KindRanked {
			t.Errorf("ranked %d displaced a must-visit", p.DoctorID)
		}
	}
}

func TestRouteAMBeforePMNearestNeighbour(t *testing.T) {
	cs := []Candidate{
		cand(1, 90, 10, PeriodPM),
		cand(2, 90, 1, PeriodPM),
		cand(3, 90, 6, PeriodAM),
		cand(4, 90, 2, PeriodAM),
		cand(5, 90, 4, PeriodAM),
	}
	picks := plan(t, cs)
	if got := ids(picks); !slices.Equal(got, []uint{4, 5, 3, 1, 2}) {
		t.Errorf("route %v, want AM 4→5→3 (outwards), then PM 1 (nearest to 3) → 2", got)
	}
	for i, p := range picks {
		if want := []string{"AM", "AM", "AM", "PM", "PM"}[i]; p.Period != want {
			t.Errorf("stop %d period %s, want %s", i+1, p.Period, want)
		}
	}
	// Flexible doctors at one hospital share one trip, whatever the half-day.
	both := []Candidate{cand(1, 90, 3, PeriodAM, PeriodPM), cand(2, 80, 3, PeriodAM, PeriodPM), cand(3, 70, 3, PeriodAM, PeriodPM)}
	day, err := PlanDay(home, wed, both, PlanOptions{TopN: 5})
	if err != nil || len(day.Picks) != 3 || math.Abs(day.RouteKM-3) > 0.01 {
		t.Errorf("one hospital: %+v, %v; want 3 picks and a 3 km route", day, err)
	}
}

func TestReasonsAreShortAndCapped(t *testing.T) {
	c := cand(1, 80, 1.2, PeriodAM)
	c.Heat.Phrases = []string{"连续2次参加线上讲座", "参与我司临床试验", "KOL专家"}
	c.Heat.Classes[3] = ClassScore{Class: ClassLecture, Points: 12}
	c.Must = &Must{Kind: KindMustVisit, DueDay: wed}
	c.Responses = Responses{Met: 5, Attempts: 5}
	c.ProductMatch = 1
	p := plan(t, []Candidate{c})[0]
	want := []string{"经理指派", "连续2次参加线上讲座", "参与我司临床试验", "周三上午门诊", "距您1.2公里"}
	if !slices.Equal(p.Reasons, want) {
		t.Errorf("reasons %q, want %q", p.Reasons, want)
	}
	for _, r := range p.Reasons {
		if n := len([]rune(r)); n > 12 {
			t.Errorf("reason %q has %d runes", r, n)
		}
	}
	if _, ok := p.Breakdown["heat_lecture"]; !ok {
		t.Errorf("breakdown lacks class points: %v", p.Breakdown)
	}
}

func TestPlanRejectsBadInput(t *testing.T) {
	if _, err := Plan(home, "2026-13-01", nil, PlanOptions{TopN: 5}); err == nil || !strings.Contains(err.Error(), "bad day") {
		t.Errorf("bad day: %v", err)
	}
	if _, err := Plan(home, wed, nil, PlanOptions{TopN: 0}); err == nil {
		t.Error("top_n 0 accepted")
	}
	if picks, err := Plan(home, wed, nil, PlanOptions{TopN: 5}); err != nil || len(picks) != 0 {
		t.Errorf("no candidates: %v %v", picks, err)
	}
}

func TestDistance(t *testing.T) {
	// Beijing Tiananmen → Shanghai People's Square is about 1,067 km.
	d := DistanceM(Point{39.9087, 116.3975}, Point{31.2304, 121.4737})
	if d < 1.06e6 || d > 1.075e6 {
		t.Errorf("Beijing–Shanghai = %.0f m", d)
	}
	if d := DistanceM(home, north(1)); math.Abs(d-1000) > 1 {
		t.Errorf("1 km north = %.1f m", d)
	}
}
