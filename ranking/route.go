package ranking

import (
	"math"
	"slices"
)

// RouteOptions turn coordinates into travel time and bound the day (config
// ranking.route). SpeedKMH 0 plans without a travel bound.
type RouteOptions struct {
	SpeedKMH            float64
	RoadFactor          float64
	TravelBudgetMinutes float64
	// KMPerDay is the mean road km the days keep to (Allowance; 0: off).
	KMPerDay      float64
	VisitMinutes  float64
	PeriodMinutes float64
}

// nominalSpeedKMH orders the stops of a plan without a travel bound
// (SpeedKMH 0): the route is still the shortest, nothing is left out.
const nominalSpeedKMH = 30

// Minutes is the driving time between two points (0 when either is unknown:
// nothing to bound).
func (o RouteOptions) Minutes(a, b Point) float64 {
	if !a.Known() || !b.Known() {
		return 0
	}
	speed := o.SpeedKMH
	if speed <= 0 {
		speed = nominalSpeedKMH
	}
	return o.km(a, b) / speed * 60
}

// km is the road distance between two known points.
func (o RouteOptions) km(a, b Point) float64 {
	return DistanceM(a, b) / 1000 * max(1, o.RoadFactor)
}

// maxSeeds is how many of the most valuable candidates each start a plan of
// their own (a multi-start greedy): enough to find a cluster worth the day
// away from the single best doctor, small enough for 600 reps a morning.
const maxSeeds = 4

// poolPerPlace bounds the candidates a day is chosen from: the most
// valuable poolPerPlace × top_n (at least minPool); a doctor further down
// would not make a fuller day worth more.
const (
	poolPerPlace = 4
	minPool      = 20
)

// stop is a chosen visit in a half-day.
type stop struct {
	s      *scored
	period string
}

// route is a day under construction: AM stops then PM stops, in order.
type route struct {
	am, pm []stop
	// free is the stop whose way there does not count against the budget
	// (an overdue doctor the day is built around), nil if none.
	free  *scored
	value float64
}

func (r *route) len() int { return len(r.am) + len(r.pm) }

func (r *route) clone() *route {
	c := *r
	c.am, c.pm = slices.Clone(r.am), slices.Clone(r.pm)
	return &c
}

func (r *route) has(s *scored) bool {
	for _, st := range r.am {
		if st.s == s {
			return true
		}
	}
	for _, st := range r.pm {
		if st.s == s {
			return true
		}
	}
	return false
}

// planner chooses and orders a rep's day.
type planner struct {
	start Point
	opts  RouteOptions
	topN  int
	buf   []stop // scratch for trial insertions
	// legs caches driving minutes between candidates (index idx+1; 0 is the
	// start point), NaN until computed: a rep's day asks for the same legs
	// thousands of times.
	legs []float64
	n    int
	// quiet skips the picks' reasons and breakdowns (PlanOptions.Unexplained).
	quiet bool
}

// index numbers the candidates for the leg cache.
func (p *planner) index(all ...[]*scored) {
	p.n = 1
	for _, l := range all {
		for _, s := range l {
			s.idx = p.n
			p.n++
		}
	}
	p.legs = make([]float64, p.n*p.n)
	for i := range p.legs {
		p.legs[i] = math.NaN()
	}
}

// leg is the driving minutes from stop a (nil = the start point) to b.
func (p *planner) leg(a, b *scored) float64 {
	from, i := p.start, 0
	if a != nil {
		from, i = a.c.Location, a.idx
	}
	k := i*p.n + b.idx
	if p.legs == nil || b.idx == 0 {
		return p.opts.Minutes(from, b.c.Location)
	}
	if v := p.legs[k]; !math.IsNaN(v) {
		return v
	}
	v := p.opts.Minutes(from, b.c.Location)
	p.legs[k] = v
	return v
}

// dayCost is a route's driving: total minutes, the minutes counted against
// the budget, and each half-day's time (visits + driving into its stops).
// Doctors of one hospital share its coordinates, so a second doctor there
// adds a visit and no driving: one trip.
type dayCost struct{ total, budgeted, am, pm float64 }

func (p *planner) cost(am, pm []stop, free *scored) dayCost {
	var c dayCost
	var at *scored // the last stop with a known location; nil = the start point
	for i, half := range [2][]stop{am, pm} {
		for _, st := range half {
			m := p.leg(at, st.s)
			if st.s.c.Location.Known() {
				at = st.s
			}
			c.total += m
			if st.s != free {
				c.budgeted += m
			}
			if i == 0 {
				c.am += m + p.opts.VisitMinutes
			} else {
				c.pm += m + p.opts.VisitMinutes
			}
		}
	}
	return c
}

func (p *planner) routeCost(r *route) dayCost { return p.cost(r.am, r.pm, r.free) }

// fits reports whether a day of cost c fits: the driving counted against
// the budget, and each half-day's visits and driving.
func (p *planner) fits(c dayCost) bool {
	if p.opts.SpeedKMH <= 0 {
		return true
	}
	const eps = 1e-9
	if c.budgeted > p.opts.TravelBudgetMinutes+eps {
		return false
	}
	return p.opts.PeriodMinutes <= 0 || (c.am <= p.opts.PeriodMinutes+eps && c.pm <= p.opts.PeriodMinutes+eps)
}

// insert puts s into a copy of r at the position (and in the period) that
// adds the least driving; force ignores the day's bounds (must-visits). It
// reports whether s fits.
func (p *planner) insert(r *route, s *scored, force bool) (*route, bool) {
	bestPeriod, bestAt, bestCost := "", -1, math.Inf(1)
	for _, period := range s.periods {
		list := r.am
		if period == PeriodPM {
			list = r.pm
		}
		for i := 0; i <= len(list); i++ {
			p.buf = append(append(append(p.buf[:0], list[:i]...), stop{s: s, period: period}), list[i:]...)
			var c dayCost
			if period == PeriodPM {
				c = p.cost(r.am, p.buf, r.free)
			} else {
				c = p.cost(p.buf, r.pm, r.free)
			}
			// Ties: the earlier half-day, and the later place within it (which
			// keeps value order among doctors of one hospital).
			tie := math.Abs(c.total-bestCost) <= 1e-9 && period == bestPeriod
			if (force || p.fits(c)) && (c.total < bestCost-1e-9 || tie) {
				bestPeriod, bestAt, bestCost = period, i, c.total
			}
		}
	}
	if bestAt < 0 {
		return r, false
	}
	out := r.clone()
	if bestPeriod == PeriodPM {
		out.pm = slices.Insert(out.pm, bestAt, stop{s: s, period: bestPeriod})
	} else {
		out.am = slices.Insert(out.am, bestAt, stop{s: s, period: bestPeriod})
	}
	out.value += s.plan
	return out, true
}

// fill adds the ranked candidates, most valuable first, wherever they fit.
func (p *planner) fill(r *route, ranked []*scored) *route {
	for _, s := range ranked {
		if r.len() >= p.topN {
			break
		}
		if r.has(s) {
			continue
		}
		r, _ = p.insert(r, s, false)
	}
	return r
}

// plan chooses the day: must-visits first (whatever the bounds), then the
// ranked candidates of highest total value that fit — a greedy fill from
// several seeds (none, or one of the most valuable candidates placed first;
// an overdue seed's way there is not counted against the budget), improved
// by swapping a pick for a more valuable candidate that fits in its place.
func (p *planner) plan(must, ranked []*scored) DayPlan {
	ranked = ranked[:min(len(ranked), max(minPool, poolPerPlace*p.topN))]
	p.index(must, ranked)
	base := &route{}
	for _, s := range must {
		base, _ = p.insert(base, s, true)
	}
	best := p.fill(base.clone(), ranked)
	for i, s := range ranked[:min(maxSeeds, len(ranked))] {
		if base.len() >= p.topN {
			break
		}
		r := base.clone()
		if s.due.Overdue {
			r.free = s
		}
		r, ok := p.insert(r, s, false)
		if !ok {
			continue
		}
		r = p.fill(r, ranked[:i:i])
		r = p.fill(r, ranked[i+1:])
		if better(p, r, best) {
			best = r
		}
	}
	best = p.improve(best, ranked)
	return p.finish(best)
}

// better prefers more value, then less driving.
func better(p *planner, a, b *route) bool {
	if math.Abs(a.value-b.value) > 1e-9 {
		return a.value > b.value
	}
	return p.routeCost(a).total < p.routeCost(b).total-1e-9
}

// improve swaps a ranked pick for a more valuable candidate left out when
// the route still fits, until no swap helps (bounded: N ≤ 10 places).
func (p *planner) improve(r *route, ranked []*scored) *route {
	for round := 0; round < 2*p.topN; round++ {
		changed := false
		for _, s := range ranked {
			if r.has(s) {
				continue
			}
			for _, st := range append(slices.Clone(r.am), r.pm...) {
				if st.s.kind != KindRanked || st.s.plan >= s.plan {
					continue
				}
				without := p.remove(r, st.s)
				if c, ok := p.insert(without, s, false); ok && better(p, c, r) {
					r, changed = c, true
					break
				}
			}
		}
		if !changed {
			break
		}
	}
	return r
}

// remove is r without s (its value taken off).
func (p *planner) remove(r *route, s *scored) *route {
	c := r.clone()
	del := func(l []stop) []stop {
		return slices.DeleteFunc(l, func(st stop) bool { return st.s == s })
	}
	c.am, c.pm = del(c.am), del(c.pm)
	c.value -= s.plan
	if c.free == s {
		c.free = nil
	}
	return c
}

// keep rebuilds a planned day from its picks (in route order) and finishes
// it without reordering; picks whose candidate is gone are left out.
func (p *planner) keep(picks []Pick, cands []*scored) DayPlan {
	byID := map[uint]*scored{}
	for _, s := range cands {
		byID[s.c.DoctorID] = s
	}
	r := &route{}
	for _, pk := range picks {
		s := byID[pk.DoctorID]
		if s == nil {
			continue
		}
		if pk.Period == PeriodPM {
			r.pm = append(r.pm, stop{s: s, period: PeriodPM})
		} else {
			r.am = append(r.am, stop{s: s, period: PeriodAM})
		}
		r.value += s.plan
	}
	return p.done(r)
}

// finish reorders each half-day for the least driving (every order of up to
// 6 stops, else as built) and turns the route into picks.
func (p *planner) finish(r *route) DayPlan {
	r.am = p.bestOrder(r, r.am, true)
	r.pm = p.bestOrder(r, r.pm, false)
	return p.done(r)
}

// done turns a route into the day's picks and totals.
func (p *planner) done(r *route) DayPlan {
	out := DayPlan{RouteMinutes: p.routeCost(r).total}
	at := p.start
	for _, st := range append(slices.Clone(r.am), r.pm...) {
		if loc := st.s.c.Location; loc.Known() {
			if at.Known() {
				out.RouteKM += p.opts.km(at, loc)
			}
			at = loc
		}
	}
	stops := append(slices.Clone(r.am), r.pm...)
	byValue := slices.Clone(stops)
	slices.SortStableFunc(byValue, func(a, b stop) int {
		switch {
		case a.s.score > b.s.score:
			return -1
		case a.s.score < b.s.score:
			return 1
		}
		return int(a.s.c.DoctorID) - int(b.s.c.DoctorID)
	})
	valueRank := map[*scored]int{}
	for i, st := range byValue {
		valueRank[st.s] = i + 1
	}
	for i, st := range stops {
		s := st.s
		if p.quiet {
			out.Picks = append(out.Picks, Pick{DoctorID: s.c.DoctorID, Rank: i + 1, ValueRank: valueRank[s], Kind: s.kind,
				Score: round3(s.score), Heat: round3(s.c.Heat.Score), Period: st.period, DistanceM: s.distM})
			continue
		}
		s.explain()
		f := s.factors
		f["route_km"], f["route_min"] = round3(out.RouteKM), round3(out.RouteMinutes)
		f["value_rank"] = float64(valueRank[s])
		out.Picks = append(out.Picks, Pick{
			DoctorID: s.c.DoctorID, Rank: i + 1, ValueRank: valueRank[s], Kind: s.kind, Score: f["score"],
			Heat: f["heat"], Period: st.period, DistanceM: s.distM, Reasons: s.reasons, Breakdown: f,
		})
	}
	return out
}

// bestOrder is the order of one half-day's stops with the least driving
// (the other half-day fixed), trying every permutation of up to 6 stops.
func (p *planner) bestOrder(r *route, stops []stop, am bool) []stop {
	if len(stops) < 2 || len(stops) > 6 || p.opts.SpeedKMH <= 0 {
		return stops
	}
	best := slices.Clone(stops)
	perm := slices.Clone(stops)
	costOf := func(l []stop) dayCost {
		if am {
			return p.cost(l, r.pm, r.free)
		}
		return p.cost(r.am, l, r.free)
	}
	bestCost := costOf(stops).total
	var walk func(k int)
	walk = func(k int) {
		if k == len(perm) {
			if c := costOf(perm); c.total < bestCost-1e-9 && p.fits(c) {
				bestCost = c.total
				copy(best, perm)
			}
			return
		}
		for i := k; i < len(perm); i++ {
			perm[k], perm[i] = perm[i], perm[k]
			walk(k + 1)
			perm[k], perm[i] = perm[i], perm[k]
		}
	}
	walk(0)
	return best
}
