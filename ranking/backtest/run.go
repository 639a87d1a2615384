package backtest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"visitbot/config"
	"visitbot/ranking"
)

// Options say what to replay and against what.
type Options struct {
	From, To string
	Ranking  config.RankingConfig
	// AllowDoctorLevelRx is compliance.allow_doctor_level_rx.
	AllowDoctorLevelRx bool
	Methods            []Method
	// Truth is the answer key; nil measures against the self-supervised
	// target (Target), and then only days whose target is complete count.
	Truth *Truth
	// Plans, when set, receives every rep-day's plan of the first method:
	// what a test holds against the morning run's stored lists.
	Plans func(day, rep string, plan ranking.DayPlan)
}

// Row is one method's figures over the replayed days.
type Row struct {
	Method string `json:"method"`
	// PrecisionAt5 is the mean share of high-value doctors among a rep's
	// daily list (rep-days with a list).
	PrecisionAt5 float64 `json:"precision_at_5"`
	// RankCorr is the mean over days of the Spearman correlation between
	// the method's value and the answer key over every doctor.
	RankCorr float64 `json:"rank_correlation"`
	// RouteKM is the mean route length of a day as the planner reports it
	// (road km from the start point through every stop).
	RouteKM float64 `json:"route_km_per_day"`
	// HighNeverListed counts the steadily high-value doctors on no list of
	// the period, of HighDoctors.
	HighNeverListed int `json:"high_value_never_listed"`
	HighDoctors     int `json:"high_value_doctors"`
	// RisersSurfaced counts the risers listed on or after the day they
	// became high-value, of Risers; MedianLagDays is the median of those
	// delays (-1 for none).
	RisersSurfaced int     `json:"risers_surfaced"`
	Risers         int     `json:"risers"`
	MedianLagDays  float64 `json:"median_lag_days"`
	// RiserLags are the surfaced risers' delays in days, sorted (to pool
	// several markets: a median over 10 risers is noisy).
	RiserLags []float64 `json:"riser_lags,omitempty"`
	// WeeklyRepetition is the mean share of a list's doctors that were on the
	// same rep's list seven days before.
	WeeklyRepetition float64 `json:"weekly_repetition"`
}

// Report is a replay's result.
type Report struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Against string `json:"against"`
	Days    int    `json:"days"`
	RepDays int    `json:"rep_days"`
	Rows    []Row  `json:"rows"`
}

// ErrNoDays is returned when no day of the period can be measured.
var ErrNoDays = errors.New("backtest: no day of the period can be measured (the target needs 28 days of later signals)")

// Snapshot is every doctor's production heat for one day, computed as of
// the start of that day: only signals dated before the day, flow months
// before the day's month and the series calendar of the days before are
// visible (the nightly run for the day sees the same).
type Snapshot struct {
	Day  string
	AsOf time.Time
	Heat map[uint]ranking.Heat
}

// Snapshot scores every doctor as of day with sc.
func (h *History) Snapshot(sc *ranking.Scorer, day string) Snapshot {
	asOf := h.dayStart(day)
	month := asOf.Format("2006-01")
	var points []ranking.FlowPoint
	for _, p := range h.Flow {
		if p.Month < month {
			points = append(points, p)
		}
	}
	trends := ranking.Trends(points, asOf)
	since := asOf.AddDate(0, 0, -sc.LookbackDays())
	_, kinds := sc.SeriesKinds()
	cal := h.calendar(kinds, sc.CalendarDays(), asOf)
	out := Snapshot{Day: day, AsOf: asOf, Heat: make(map[uint]ranking.Heat, len(h.Doctors))}
	for i := range h.Doctors {
		d := h.Doctors[i].Doctor
		d.Signals = h.Doctors[i].between(since, asOf)
		d.HospitalLevel, d.Calendar = h.Hospitals[d.HospitalID].Level, cal
		out.Heat[d.ID] = sc.Heat(d, trends[ranking.DeptKey{HospitalID: d.HospitalID, Department: d.Department}], asOf)
	}
	return out
}

// Run replays From..To day by day and measures every method.
func Run(h *History, o Options) (Report, error) {
	rep := Report{From: o.From, To: o.To}
	days, err := Days(o.From, o.To)
	if err != nil {
		return rep, fmt.Errorf("backtest: %w", err)
	}
	if len(o.Methods) == 0 {
		return rep, errors.New("backtest: no method to measure")
	}
	sc, err := ranking.NewScorer(o.Ranking, o.AllowDoctorLevelRx)
	if err != nil {
		return rep, fmt.Errorf("backtest: %w", err)
	}
	ans := targetAnswer(h)
	if o.Truth != nil {
		ans = truthAnswer(h, o.Truth)
	} else {
		days = slices.DeleteFunc(days, func(d string) bool { return !h.TargetKnown(d) })
	}
	if len(days) == 0 {
		return rep, ErrNoDays
	}
	rep.Against, rep.Days = ans.name, len(days)
	acc := make([]*tally, len(o.Methods))
	for i := range acc {
		acc[i] = newTally()
	}
	highDays := map[uint]int{}
	for _, day := range days {
		snap := h.Snapshot(sc, day)
		values := ans.values(day)
		high := ans.high(day, values)
		for id := range high {
			highDays[id]++
		}
		for i, m := range o.Methods {
			var plans func(day, rep string, plan ranking.DayPlan)
			if i == 0 {
				plans = o.Plans
			}
			if err := acc[i].day(h, o.Ranking, m, snap, values, high, plans); err != nil {
				return rep, err
			}
		}
	}
	rep.RepDays = acc[0].repDays
	steady := ans.steady
	if steady == nil {
		for id, n := range highDays {
			if float64(n) >= 0.8*float64(len(days)) {
				steady = append(steady, id)
			}
		}
	}
	for i, m := range o.Methods {
		rep.Rows = append(rep.Rows, acc[i].row(m.Name, steady, ans.risers, o.From, o.To))
	}
	return rep, nil
}

// RisingWindowDays is how recent a move up a tier must be for the planner to
// see it (the morning run's window).
const RisingWindowDays = 7

// tally accumulates one method's figures and carries the state the
// production cycle keeps between days: each doctor's dynamic tier (assigned
// nightly with hysteresis from the method's own values), its latest move up,
// and the last day it was listed.
type tally struct {
	prec, km, corr, rep float64
	repDays, days, reps int
	listed              map[uint]bool
	first               map[uint][]string // doctor → days listed
	last                map[uint]map[string][]uint

	tier       map[uint]string
	rose       map[uint][2]string // doctor → {day, from tier}
	lastListed map[uint]string
	// routes are each rep's planned days, newest first: the travel
	// allowance's history (ranking.AllowanceDays kept).
	routes map[uint][]route
}

// route is one planned day's route km.
type route struct {
	day string
	km  float64
}

// recentKM is what the morning run reads for the allowance: the route km of
// the rep's lists of the ranking.AllowanceWindowDays before day, newest first.
func (t *tally) recentKM(rep uint, day string) []float64 {
	d, _ := time.Parse(time.DateOnly, day)
	from := d.AddDate(0, 0, -ranking.AllowanceWindowDays).Format(time.DateOnly)
	var out []float64
	for _, r := range t.routes[rep] {
		if r.day < from {
			break
		}
		if r.day < day {
			out = append(out, r.km)
		}
	}
	return out
}

func newTally() *tally {
	return &tally{listed: map[uint]bool{}, first: map[uint][]string{}, last: map[uint]map[string][]uint{},
		tier: map[uint]string{}, rose: map[uint][2]string{}, lastListed: map[uint]string{},
		routes: map[uint][]route{}}
}

// retier is the nightly scoring of the day: tiers per rep territory from the
// method's values, with hysteresis from yesterday's.
func (t *tally) retier(h *History, cfg config.RankingConfig, day string, value map[uint]float64) {
	var in []ranking.TierInput
	for _, r := range h.Reps {
		for _, id := range r.Doctors {
			in = append(in, ranking.TierInput{DoctorID: id, Territory: r.Code, Heat: value[id], Prev: t.tier[id]})
		}
	}
	for _, x := range ranking.AssignTiers(in, cfg.TierPercentiles, cfg.TierHysteresis) {
		if x.Rising {
			t.rose[x.DoctorID] = [2]string{day, x.Prev}
		}
		t.tier[x.DoctorID] = x.Tier
	}
}

// roseFrom is the tier d rose from within RisingWindowDays before day ("" none).
func (t *tally) roseFrom(id uint, day string) string {
	r, ok := t.rose[id]
	if !ok {
		return ""
	}
	a, _ := time.Parse(time.DateOnly, r[0])
	b, _ := time.Parse(time.DateOnly, day)
	if b.Sub(a) > RisingWindowDays*24*time.Hour {
		return ""
	}
	return r[1]
}

// day plans every rep's list with m and scores it.
func (t *tally) day(h *History, cfg config.RankingConfig, m Method, snap Snapshot, values map[uint]float64, high map[uint]bool, plans func(day, rep string, plan ranking.DayPlan)) error {
	value := make(map[uint]float64, len(h.Doctors))
	var xs, ys []float64
	for i := range h.Doctors {
		d := &h.Doctors[i]
		v := m.Value(d, snap.Heat[d.ID], snap.AsOf)
		value[d.ID] = v
		if y, ok := values[d.ID]; ok {
			xs, ys = append(xs, v), append(ys, y)
		}
	}
	t.corr += Spearman(xs, ys)
	t.days++
	t.retier(h, cfg, snap.Day, value)
	week := prevWeek(snap.Day)
	opts := ranking.PlanOptionsOf(cfg)
	recentFrom := snap.AsOf.AddDate(0, 0, -cfg.CooldownDays-1)
	lookFrom := snap.AsOf.AddDate(0, 0, -max(cfg.CooldownDays+1, NaiveDays, 180))
	var listedToday []uint
	for _, r := range h.Reps {
		cands := make([]ranking.Candidate, 0, len(r.Doctors))
		for _, id := range r.Doctors {
			d := h.doctor(id)
			if d == nil {
				continue
			}
			heat := snap.Heat[id]
			heat.Score = value[id]
			visit, signal := lastContacts(d.between(lookFrom, snap.AsOf), recentFrom, h.Loc)
			cands = append(cands, ranking.Candidate{
				DoctorID: id, Location: h.Hospitals[d.HospitalID].Loc, Heat: heat, Sessions: d.Sessions,
				Cancellations: d.Cancellations, LastVisit: visit, LastSignal: signal,
				LastListed: t.lastListed[id], Tier: t.tier[id], RoseFrom: t.roseFrom(id, snap.Day),
			})
		}
		plan, err := ranking.PlanDay(r.Start, snap.Day, cands, opts.WithAllowance(t.recentKM(r.ID, snap.Day)))
		if err != nil {
			return fmt.Errorf("backtest %s rep %s: %w", snap.Day, r.Code, err)
		}
		if plans != nil {
			plans(snap.Day, r.Code, plan)
		}
		picks := plan.Picks
		if len(picks) == 0 {
			continue
		}
		t.repDays++
		t.km += plan.RouteKM
		rs := t.routes[r.ID]
		t.routes[r.ID] = append([]route{{snap.Day, plan.RouteKM}}, rs[:min(len(rs), ranking.AllowanceDays-1)]...)
		hits := 0
		ids := make([]uint, len(picks))
		for i, p := range picks {
			ids[i] = p.DoctorID
			listedToday = append(listedToday, p.DoctorID)
			if high[p.DoctorID] {
				hits++
			}
			t.listed[p.DoctorID] = true
			t.first[p.DoctorID] = append(t.first[p.DoctorID], snap.Day)
		}
		t.prec += float64(hits) / float64(len(picks))
		if t.last[r.ID] == nil {
			t.last[r.ID] = map[string][]uint{}
		}
		if before, ok := t.last[r.ID][week]; ok {
			same := 0
			for _, id := range ids {
				if slices.Contains(before, id) {
					same++
				}
			}
			t.rep += float64(same) / float64(len(ids))
			t.reps++
		}
		t.last[r.ID][snap.Day] = ids
	}
	for _, id := range listedToday {
		t.lastListed[id] = snap.Day
	}
	return nil
}

func (t *tally) row(name string, steady []uint, risers map[uint]string, from, to string) Row {
	r := Row{Method: name, HighDoctors: len(steady), MedianLagDays: -1}
	if t.repDays > 0 {
		r.PrecisionAt5 = t.prec / float64(t.repDays)
		r.RouteKM = t.km / float64(t.repDays)
	}
	if t.days > 0 {
		r.RankCorr = t.corr / float64(t.days)
	}
	if t.reps > 0 {
		r.WeeklyRepetition = t.rep / float64(t.reps)
	}
	for _, id := range steady {
		if !t.listed[id] {
			r.HighNeverListed++
		}
	}
	var lags []float64
	for id, cross := range risers {
		if cross < from || cross > to {
			continue
		}
		r.Risers++
		for _, day := range t.first[id] {
			if day >= cross {
				a, _ := time.Parse(time.DateOnly, cross)
				b, _ := time.Parse(time.DateOnly, day)
				lags = append(lags, math.Round(b.Sub(a).Hours()/24))
				r.RisersSurfaced++
				break
			}
		}
	}
	r.MedianLagDays = median(lags)
	r.RiserLags = lags
	return r
}

// lastContacts reads a doctor's signals before the day (sorted) as the
// morning run does: the newest day of a visit-class signal (the last visit;
// a company's visit records count the same way) and the newest day of a
// positive signal since recentFrom (what makes a doctor without a call
// target due).
func lastContacts(sigs []ranking.Signal, recentFrom time.Time, loc *time.Location) (visit, signal string) {
	for i := len(sigs) - 1; i >= 0 && (visit == "" || signal == ""); i-- {
		s := sigs[i]
		if visit == "" && s.Class == ranking.ClassVisit {
			visit = s.At.In(loc).Format(time.DateOnly)
		}
		if signal == "" && s.Value > 0 && !s.At.Before(recentFrom) {
			signal = s.At.In(loc).Format(time.DateOnly)
		}
	}
	return visit, signal
}

func prevWeek(day string) string {
	t, _ := time.Parse(time.DateOnly, day)
	return t.AddDate(0, 0, -7).Format(time.DateOnly)
}
