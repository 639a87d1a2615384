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

// Factor shapes of the daily score (named so the README and tests can cite them).
const (
	// DistanceHalfKM is the distance at which the distance factor is 0.5:
	// factor = 1 / (1 + km/DistanceHalfKM).
	DistanceHalfKM = 15.0
	// SinglePeriodAvailability is the availability of a doctor with only one
	// clinic period that day (two periods = 1): less room in the route.
	SinglePeriodAvailability = 0.9
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
	LastVisit    string
	Responses    Responses
	ProductMatch float64 // best DoctorProduct.Match, 0..1
	Must         *Must
}

// PlanOptions are the Top-N settings (config ranking.top_n, ranking.cooldown_days).
type PlanOptions struct {
	TopN         int
	CooldownDays int
}

// Pick is one recommended visit.
type Pick struct {
	DoctorID  uint
	Rank      int // 1-based route order
	Kind      string
	Score     float64
	Heat      float64
	Period    string
	DistanceM float64
	Reasons   []string
	Breakdown map[string]float64
}

// Plan picks the rep's Top-N for day ("2006-01-02") and orders it into a route.
//
// A candidate without a clinic session that day, or whose sessions are all
// cancelled (停诊), is never picked. Open must-visits and due follow-ups
// take places first (cooldown does not apply to them: a follow-up is by
// nature soon after a visit); the remaining places go to the best
//
//	score = heat × availability × distance × response × product
//
// among candidates not visited within CooldownDays. The picks are then
// ordered AM before PM; inside each half-day must-visits come first and
// the rest follow nearest-neighbour from the rep's start point.
func Plan(start Point, day string, cands []Candidate, opts PlanOptions) ([]Pick, error) {
	date, err := time.Parse("2006-01-02", day)
	if err != nil {
		return nil, fmt.Errorf("ranking: bad day %q: %w", day, err)
	}
	if opts.TopN < 1 {
		return nil, fmt.Errorf("ranking: top_n must be at least 1, got %d", opts.TopN)
	}
	var must, ranked []*scored
	for i := range cands {
		c := &cands[i]
		periods := openPeriods(c, date, day)
		if len(periods) == 0 {
			continue
		}
		sc := score(start, date, c, periods)
		switch {
		case c.Must != nil:
			must = append(must, sc)
		case !cooling(c.LastVisit, date, opts.CooldownDays):
			ranked = append(ranked, sc)
		}
	}
	slices.SortStableFunc(must, func(a, b *scored) int {
		return cmp.Or(cmp.Compare(kindOrder(a.kind), kindOrder(b.kind)), cmp.Compare(a.c.Must.DueDay, b.c.Must.DueDay),
			cmp.Compare(b.score, a.score), cmp.Compare(a.c.DoctorID, b.c.DoctorID))
	})
	slices.SortStableFunc(ranked, func(a, b *scored) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.c.DoctorID, b.c.DoctorID))
	})
	k := min(len(must), opts.TopN)
	chosen := make([]*scored, 0, opts.TopN)
	chosen = append(chosen, must[:k]...)
	chosen = append(chosen, ranked[:min(len(ranked), opts.TopN-k)]...)
	return route(start, chosen), nil
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
	distM   float64
	factors map[string]float64
	reasons []string
	period  string
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

// cooling reports whether the last visit is within cooldown days before date
// (a visit later than date, e.g. when planning a past day, does not count).
func cooling(last string, date time.Time, cooldown int) bool {
	if last == "" || cooldown <= 0 {
		return false
	}
	t, err := time.Parse("2006-01-02", last)
	if err != nil {
		return false
	}
	days := int(math.Round(date.Sub(t).Hours() / 24))
	return days >= 0 && days <= cooldown
}

func score(start Point, date time.Time, c *Candidate, periods []string) *scored {
	sc := &scored{c: c, kind: KindRanked, periods: periods, factors: map[string]float64{}}
	if c.Must != nil {
		sc.kind = c.Must.Kind
	}
	avail := 1.0
	if len(periods) == 1 {
		avail = SinglePeriodAvailability
	}
	dist := 1.0
	if start.Known() && c.Location.Known() {
		sc.distM = DistanceM(start, c.Location)
		dist = 1 / (1 + sc.distM/1000/DistanceHalfKM)
	}
	rate := float64(c.Responses.Met+1) / float64(c.Responses.Attempts+2)
	resp := ResponseFloor + (1-ResponseFloor)*rate
	prod := ProductFloor + (1-ProductFloor)*math.Max(0, math.Min(1, c.ProductMatch))
	sc.score = c.Heat.Score * avail * dist * resp * prod
	f := sc.factors
	f["heat"], f["availability"], f["distance"], f["response"], f["product"], f["score"] = c.Heat.Score, avail, dist, resp, prod, sc.score
	f["distance_km"] = sc.distM / 1000
	for _, cs := range c.Heat.Classes {
		if cs.Class != "" {
			f["heat_"+cs.Class] = cs.Points
		}
	}
	if c.Heat.Live != 0 {
		f["heat_live"] = c.Heat.Live
	}
	if c.Heat.Bonus != 0 {
		f["heat_rules_bonus"] = c.Heat.Bonus
	}
	for k, v := range f {
		f[k] = math.Round(v*1000) / 1000
	}

	switch sc.kind {
	case KindMustVisit:
		sc.reasons = append(sc.reasons, "经理指派")
	case KindFollowUp:
		sc.reasons = append(sc.reasons, "今日跟进")
	}
	sc.reasons = append(sc.reasons, c.Heat.Phrases[:min(2, len(c.Heat.Phrases))]...)
	sc.reasons = append(sc.reasons, SessionPhrase(date, periods))
	if sc.distM > 0 {
		sc.reasons = append(sc.reasons, DistancePhrase(sc.distM))
	}
	if c.Responses.Attempts >= 3 && rate >= 0.6 {
		sc.reasons = append(sc.reasons, fmt.Sprintf("历史响应率%.0f%%", 100*float64(c.Responses.Met)/float64(c.Responses.Attempts)))
	}
	if c.ProductMatch >= 0.8 {
		sc.reasons = append(sc.reasons, "产品匹配度高")
	}
	sc.reasons = sc.reasons[:min(MaxReasons, len(sc.reasons))]
	return sc
}
