package ranking

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// Session periods, the same strings as models.PeriodAM/PM.
const (
	PeriodAM = "AM"
	PeriodPM = "PM"
)

// Recommendation kinds, the same strings as models.Rec*.
const (
	KindMustVisit = "must_visit"
	KindFollowUp  = "follow_up"
	KindRanked    = "ranked"
)

// Factor shapes of a doctor's value (named so the README and tests can cite them).
const (
	// ResponseFloor is the response factor of a doctor who never responds;
	// factor = floor + (1-floor)·(met+1)/(attempts+2), a Laplace-smoothed rate.
	ResponseFloor = 0.6
	// ProductFloor is the product factor with no matching product;
	// factor = floor + (1-floor)·best DoctorProduct.Match.
	ProductFloor = 0.5
)

// Session is a clinic slot: weekly (Weekday 1=Mon … 7=Sun) or dated (Day set).
type Session struct {
	Weekday int
	Day     string
	Period  string
}

// Cancellation is a 停诊 on Day; an empty Period cancels the whole day.
type Cancellation struct {
	Day    string
	Period string
}

// Must is an open must-visit: a manager's 指派 (KindMustVisit) or a follow-up
// chosen in visit feedback (KindFollowUp), due on or before the day.
type Must struct {
	Kind   string
	DueDay string
}

// Responses are the doctor's visit outcomes in the lookback window.
type Responses struct {
	Met, Attempts int
}

// Candidate is one doctor a rep may visit on the day.
type Candidate struct {
	DoctorID uint
	Location Point
	Heat     Heat
	Sessions []Session
	// Cancellations of the doctor (only those on the day matter).
	Cancellations []Cancellation
	// LastVisit is the newest day ("2006-01-02") the doctor was visited by anyone, "" if none.
	LastVisit string
	// LastListed is the newest day before this one the doctor was on a
	// list (a recommendation), "" if none.
	LastListed string
	// LastSignal is the newest day of a recent positive signal, "" if none:
	// what makes a doctor of a tier without a call target due.
	LastSignal string
	// Tier is the dynamic tier as of the day; RoseFrom is the tier it rose
	// from in the last days ("" when it did not rise).
	Tier, RoseFrom string
	Responses      Responses
	ProductMatch   float64 // best DoctorProduct.Match, 0..1
	Must           *Must
}

// PlanOptions are the Top-N settings (config ranking.*). The zero Route and
// Targets plan by value alone (no travel bound, no call targets).
type PlanOptions struct {
	TopN         int
	CooldownDays int
	// RestDays: a doctor listed within this many days and not visited since waits.
	RestDays int
	Targets  CallTargets
	DueBoost float64
	Route    RouteOptions
	// Keep re-explains a day already planned: these picks, in this order
	// and these periods, scored and explained from the candidates (the
	// second pass that adds heat reasons once the picks' signals are loaded).
	Keep []Pick
	// Unexplained plans without reasons and breakdowns (Pick.Reasons and
	// Pick.Breakdown nil): a first pass whose picks a second pass with Keep
	// explains, so nothing is explained twice.
	Unexplained bool
}

// Pick is one recommended visit.
type Pick struct {
	DoctorID uint
	Rank     int // 1-based route order
	// ValueRank is the 1-based order by value among the day's picks (the
	// score order, apart from the route position).
	ValueRank int
	Kind      string
	Score     float64
	Heat      float64
	Period    string
	DistanceM float64 // from the rep's start point
	Reasons   []string
	Breakdown map[string]float64
}

// DayPlan is a rep's day: the picks in route order and the route's totals.
type DayPlan struct {
	Picks []Pick
	// RouteKM and RouteMinutes are the day's driving from the start point
	// through every stop (road km, at the configured speed).
	RouteKM, RouteMinutes float64
}

// Plan is PlanDay's picks.
func Plan(start Point, day string, cands []Candidate, opts PlanOptions) ([]Pick, error) {
	p, err := PlanDay(start, day, cands, opts)
	return p.Picks, err
}

// PlanDay picks the rep's Top-N for day ("2006-01-02") and orders it into a route.
//
// A candidate without a clinic session that day, or whose sessions are all
// cancelled (停诊), is never picked. Open must-visits and due follow-ups
// take places first (cooldown and rest do not apply to them: a follow-up is
// by nature soon after a visit). The remaining places go to candidates not
// visited within CooldownDays nor listed within RestDays, by their value
//
//	value = heat × response × product × due
//
// (due: Due.Factor against the tier's call target), choosing the set of
// highest total value whose route fits the day (Route: the travel budget and
// each half-day's time) — distance decides which set fits, it does not
// discount a doctor. Doctors of one hospital share one trip.
func PlanDay(start Point, day string, cands []Candidate, opts PlanOptions) (DayPlan, error) {
	date, err := time.Parse("2006-01-02", day)
	if err != nil {
		return DayPlan{}, fmt.Errorf("ranking: bad day %q: %w", day, err)
	}
	if opts.TopN < 1 {
		return DayPlan{}, fmt.Errorf("ranking: top_n must be at least 1, got %d", opts.TopN)
	}
	var must, ranked []*scored
	for i := range cands {
		c := &cands[i]
		periods := openPeriods(c, date, day)
		if len(periods) == 0 {
			continue
		}
		sc := score(start, date, c, periods, opts)
		switch {
		case c.Must != nil:
			must = append(must, sc)
		case opts.Keep == nil && (cooling(c.LastVisit, date, opts.CooldownDays) || resting(c, date, opts.RestDays)):
		default:
			ranked = append(ranked, sc)
		}
	}
	slices.SortStableFunc(must, func(a, b *scored) int {
		return cmp.Or(cmp.Compare(kindOrder(a.kind), kindOrder(b.kind)), cmp.Compare(a.c.Must.DueDay, b.c.Must.DueDay),
			cmp.Compare(b.score, a.score), cmp.Compare(a.c.DoctorID, b.c.DoctorID))
	})
	sortRanked(ranked)
	if liftSurge(ranked) {
		sortRanked(ranked)
	}
	r := planner{start: start, opts: opts.Route, topN: opts.TopN, quiet: opts.Unexplained && opts.Keep == nil}
	if opts.Keep != nil {
		return r.keep(opts.Keep, append(must, ranked...)), nil
	}
	return r.plan(must[:min(len(must), opts.TopN)], ranked), nil
}

// sortRanked orders candidates by planning value, most valuable first.
func sortRanked(ranked []*scored) {
	slices.SortStableFunc(ranked, func(a, b *scored) int {
		return cmp.Or(cmp.Compare(b.plan, a.plan), cmp.Compare(a.c.DoctorID, b.c.DoctorID))
	})
}

// liftSurge gives the day's clearest surge not yet seen — Surge.Rising, no
// visit or list since its first recent signal, the smallest P — the
// planning value of the day's most valuable candidate, so the planner lists
// it wherever the route allows: one place a day at most, and once per surge
// (the list is a contact). Its shown score stays its own value. ranked is
// sorted by planning value; it reports whether one changed.
func liftSurge(ranked []*scored) bool {
	var best *scored
	for _, s := range ranked {
		g := s.c.Heat.Surge
		if !g.Rising() || max(s.c.LastVisit, s.c.LastListed) >= g.Since {
			continue
		}
		if best == nil || g.P < best.c.Heat.Surge.P {
			best = s
		}
	}
	if best == nil {
		return false
	}
	best.surging = true
	if lead := ranked[0].plan; best.plan < lead {
		best.plan = lead
		return true
	}
	return false
}

func kindOrder(k string) int {
	if k == KindMustVisit {
		return 0
	}
	return 1
}

// scored is a candidate with its factors for the day.
type scored struct {
	c       *Candidate
	kind    string
	periods []string
	score   float64
	// plan is the value the planner maximises: score, or the day's lead
	// value for the lifted surge (liftSurge); picks show score.
	plan  float64
	distM float64
	due   Due
	// resp, prod and dueF are the value's factors.
	resp, prod, dueF float64
	date             time.Time
	idx              int // the planner's leg-cache index
	// surging: the day's surge, lifted to the lead value (liftSurge).
	surging bool
	// factors and reasons are filled for picks only (explain).
	factors map[string]float64
	reasons []string
}

// openPeriods lists the periods (AM first) the doctor sits in clinic on day, minus 停诊.
func openPeriods(c *Candidate, date time.Time, day string) []string {
	wd := int(date.Weekday())
	if wd == 0 {
		wd = 7
	}
	var am, pm bool
	for _, s := range c.Sessions {
		if (s.Day == "" && s.Weekday == wd) || s.Day == day {
			am = am || s.Period == PeriodAM
			pm = pm || s.Period == PeriodPM
		}
	}
	for _, x := range c.Cancellations {
		if x.Day != day {
			continue
		}
		am = am && x.Period != "" && x.Period != PeriodAM
		pm = pm && x.Period != "" && x.Period != PeriodPM
	}
	var out []string
	if am {
		out = append(out, PeriodAM)
	}
	if pm {
		out = append(out, PeriodPM)
	}
	return out
}

// daysBefore is how many days last ("2006-01-02") is before date; -1 when
// last is empty, malformed or after date (planning a past day).
func daysBefore(last string, date time.Time) int {
	t, ok := parseDay(last)
	if !ok {
		return -1
	}
	return int(math.Round(date.Sub(t).Hours() / 24))
}

// parseDay parses a "2006-01-02" day of a candidate's history. Most are ""
// (never visited, listed or signalled): they are refused without calling
// time.Parse, which builds an error value each time.
func parseDay(day string) (time.Time, bool) {
	if day == "" {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", day)
	return t, err == nil
}

// cooling reports whether the last visit is within cooldown days before date
// (a visit later than date, e.g. when planning a past day, does not count).
func cooling(last string, date time.Time, cooldown int) bool {
	days := daysBefore(last, date)
	return cooldown > 0 && days >= 0 && days <= cooldown
}

// resting reports whether the doctor was listed within rest days before date
// and not visited since: the rep had them yesterday; let them wait.
func resting(c *Candidate, date time.Time, rest int) bool {
	days := daysBefore(c.LastListed, date)
	return rest > 0 && days > 0 && days <= rest && c.LastVisit < c.LastListed
}

func score(start Point, date time.Time, c *Candidate, periods []string, opts PlanOptions) *scored {
	sc := &scored{c: c, kind: KindRanked, periods: periods, date: date}
	if c.Must != nil {
		sc.kind = c.Must.Kind
	}
	if start.Known() && c.Location.Known() {
		sc.distM = DistanceM(start, c.Location)
	}
	rate := float64(c.Responses.Met+1) / float64(c.Responses.Attempts+2)
	sc.resp = ResponseFloor + (1-ResponseFloor)*rate
	sc.prod = ProductFloor + (1-ProductFloor)*math.Max(0, math.Min(1, c.ProductMatch))
	sc.due = DueOn(c.Tier, max(c.LastVisit, c.LastListed), c.LastSignal, date, opts.Targets)
	sc.dueF = sc.due.Factor(opts.DueBoost)
	sc.score = c.Heat.Score * sc.resp * sc.prod * sc.dueF
	sc.plan = sc.score
	return sc
}

// explain fills a pick's breakdown (every factor, rounded to 3 decimals)
// and reasons: only the day's picks need them.
func (sc *scored) explain() {
	c := sc.c
	f := make(map[string]float64, 24) // every factor, each class and the route's three: no growth
	f["heat"], f["response"], f["product"], f["due"], f["score"] = c.Heat.Score, sc.resp, sc.prod, sc.dueF, sc.score
	f["distance_km"] = sc.distM / 1000
	for _, cs := range c.Heat.Classes {
		if cs.Class != "" {
			f[heatKey(cs.Class)] = cs.Points
		}
	}
	if c.Heat.Live != 0 {
		f["heat_live"] = c.Heat.Live
	}
	if c.Heat.Bonus != 0 {
		f["heat_rules_bonus"] = c.Heat.Bonus
	}
	if sc.due.TargetDays > 0 {
		f["due_ratio"] = sc.due.Ratio
	}
	if sc.surging {
		f["surge_recent"], f["surge_expected"] = float64(c.Heat.Surge.Recent), c.Heat.Surge.Expected
	}
	for k, v := range f {
		f[k] = round3(v)
	}
	sc.factors = f
	sc.reasons = reasonsFor(sc, sc.date)
}
