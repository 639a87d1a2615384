package ranking

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"visitbot/config"
	"visitbot/signals"
)

// saturation is, per class, the decayed event count at which the sub-score
// reaches 1-1/e ≈ 0.63 (sub = 1 - exp(-x/saturation)): rare, strong signals
// (a trial, a meeting) saturate fast, frequent weak ones (leaflet views) slowly.
var saturation = map[string]float64{
	ClassFiling: 2, ClassRxTrend: 5, ClassMeeting: 1.5, ClassLecture: 2,
	ClassCompetitor: 3, ClassTrial: 1, ClassDigital: 4, ClassVisit: 2,
}

// Filing sub-score parts, the doctor's prior value: title, hospital level
// (the other half of the static ABC rule, and where a doctor's influence
// reaches), KOL flag and each formulary/committee role, capped at 1;
// filing-class signals (e.g. a new committee seat) add up to filingSignalShare.
var titleScore = map[string]float64{TitleChief: 0.3, TitleAssociate: 0.22, TitleAttending: 0.12, TitleResident: 0.05}

// levelScore is by hospital level (the strings of models.Level*); an
// unknown level scores nothing.
var levelScore = map[string]float64{Level3A: 0.3, Level3: 0.2, Level2: 0.1, LevelCommunity: 0.03}

const (
	kolScore          = 0.2
	roleScore         = 0.1
	filingSignalShare = 0.2
	// ReasonWindowDays is how far back event counts in reasons look ("近3个月…").
	ReasonWindowDays = 90
)

// LookbackDays is how far back signals matter to a Scorer: five half-lives
// (weight < 3%) or the longest rule window, whichever is longer. Loaders
// fetch only this window.
func (s *Scorer) LookbackDays() int {
	d := int(math.Ceil(5 * s.halfLife))
	for _, r := range s.rules {
		d = max(d, r.cfg.WithinDays)
	}
	return d
}

// CalendarDays is how far back the series calendar is read: the longest
// consecutive rule window, else 12 weeks (a run of weekly lectures is told
// within a quarter).
func (s *Scorer) CalendarDays() int {
	d := 0
	for _, r := range s.rules {
		if r.cfg.Consecutive {
			d = max(d, r.cfg.WithinDays)
		}
	}
	if d == 0 {
		d = 84
	}
	return d
}

// SeriesKinds are the classes and signal kinds of the consecutive rules:
// those whose series calendar the loaders infer (NewCalendar).
func (s *Scorer) SeriesKinds() (classes, kinds []string) {
	for _, r := range s.rules {
		if r.cfg.Consecutive && r.cfg.When != "" {
			classes = append(classes, r.cfg.Class)
			kinds = append(kinds, r.cfg.When)
		}
	}
	return classes, kinds
}

// Scorer computes the heat index with one configuration. It is immutable and
// safe for concurrent use.
type Scorer struct {
	weights  Weights
	halfLife float64
	rules    []Rule
	allowRx  bool
}

// NewScorer builds a Scorer from the ranking configuration. allowDoctorLevelRx
// is compliance.allow_doctor_level_rx: unless true, rx_trend signals about a
// single doctor are ignored and the prescription trend comes from department
// flow data only.
func NewScorer(cfg config.RankingConfig, allowDoctorLevelRx bool) (*Scorer, error) {
	s := &Scorer{halfLife: cfg.HalfLifeDays, allowRx: allowDoctorLevelRx}
	if s.halfLife <= 0 {
		return nil, fmt.Errorf("ranking: half_life_days must be positive, got %v", cfg.HalfLifeDays)
	}
	w, err := WeightsOf(cfg.Weights)
	if err != nil {
		return nil, fmt.Errorf("ranking: %w", err)
	}
	s.weights = w
	for _, rc := range cfg.Rules {
		r, err := newRule(rc)
		if err != nil {
			return nil, fmt.Errorf("ranking: %w", err)
		}
		s.rules = append(s.rules, r)
	}
	return s, nil
}

// Weights are the scorer's class weights.
func (s *Scorer) Weights() Weights { return s.weights }

// WithWeights is a copy of s scoring with w (a tuned proposal, an admin's
// override); rules, half-life and compliance stay.
func (s *Scorer) WithWeights(w Weights) *Scorer {
	out := *s
	out.weights = w
	return &out
}

// ClassScore is one class's part of a doctor's heat.
type ClassScore struct {
	Class string
	// Sub is the normalised sub-score in [0,1] after rules.
	Sub float64
	// Points is the class's contribution to the 0–100 heat.
	Points float64
	// Recent counts positive signals of the class in the last ReasonWindowDays.
	Recent int
}

// Heat is a doctor's heat index with everything needed to explain it.
type Heat struct {
	Score   float64 // 0–100
	Classes [signals.N]ClassScore
	Rules   []RuleHit
	// Bonus is the sum of rule Add points (already in Score).
	Bonus float64
	Trend Trend
	// Live is set by callers that rank by a stored (nightly) Score: the heat
	// computed from the current signals, shown beside it in breakdowns.
	Live float64
	// Phrases are the doctor's heat reasons, strongest first ("连续2次参加线上讲座").
	Phrases []string
	// Surge compares the doctor's recent engagement with their own
	// baseline. It is not part of Score (a level); the planner lists the
	// day's clearest surge soon (PlanDay).
	Surge Surge
}

// Class returns the score of one class (zero value for an unknown class).
func (h Heat) Class(class string) ClassScore {
	if i := classIndex(class); i >= 0 {
		return h.Classes[i]
	}
	return ClassScore{}
}

// Heat computes d's heat index at now. trend is d's department trend from
// Trends (zero value when unknown).
//
//	heat = 100 · Σ w_c·sub_c / Σ max(w_c,0) + Σ rule.add, clamped to [0,100]
//	sub_c = 1 - exp(-x_c/saturation_c), x_c = Σ value·0.5^(age/half_life)
//
// with sub_filing from title, hospital level, KOL and roles, sub_rx_trend
// from flow data (0.5, neutral, when unknown), and rule multipliers applied
// to sub_c (capped at 1). See Weights.Heat: a positive signal never lowers
// heat unless its class weight is negative.
func (s *Scorer) Heat(d Doctor, trend Trend, now time.Time) Heat {
	sigs := make([]Signal, 0, len(d.Signals))
	for _, sg := range d.Signals {
		if sg.At.After(now) {
			continue
		}
		if sg.Class == ClassRxTrend && !s.allowRx {
			continue // compliance: doctor-level prescription data never scores
		}
		sigs = append(sigs, sg)
	}
	slices.SortStableFunc(sigs, func(a, b Signal) int { return a.At.Compare(b.At) })

	var x [signals.N]float64
	var recent [signals.N]int
	window := now.AddDate(0, 0, -ReasonWindowDays)
	for _, sg := range sigs {
		i := classIndex(sg.Class)
		if i < 0 || sg.Value <= 0 {
			continue
		}
		age := now.Sub(sg.At).Hours() / 24
		x[i] += sg.Value * math.Exp2(-age/s.halfLife)
		if !sg.At.Before(window) {
			recent[i]++
		}
	}

	var sub [signals.N]float64
	for i, c := range classes {
		sub[i] = 1 - math.Exp(-x[i]/saturation[c])
	}
	sub[0] = min(1, titleScore[d.Title]+levelScore[d.HospitalLevel]+boolScore(d.KOL, kolScore)+
		roleScore*float64(countRoles(d.Roles))+filingSignalShare*sub[0])
	rx := trend.Score()
	if s.allowRx {
		rx = max(rx, sub[1])
	}
	sub[1] = rx

	h := Heat{Trend: trend}
	for _, r := range s.rules {
		n := r.match(sigs, now, d.Calendar)
		if !r.fires(n) {
			continue
		}
		if r.cfg.Multiply > 0 {
			sub[r.class] = min(1, sub[r.class]*r.cfg.Multiply)
		}
		h.Bonus += r.cfg.Add
		h.Rules = append(h.Rules, RuleHit{Name: r.cfg.Name, Class: r.cfg.Class, Count: n, Reason: r.reason(n)})
	}

	for i, c := range classes {
		h.Classes[i] = ClassScore{Class: c, Sub: sub[i], Points: s.weights.Points(i, sub[i]), Recent: recent[i]}
	}
	h.Score = s.weights.Heat(h.Features())
	h.Surge = s.surgeOf(sigs, now)
	h.Phrases = phrases(d, h)
	return h
}

func boolScore(b bool, v float64) float64 {
	if b {
		return v
	}
	return 0
}

func countRoles(roles []string) int {
	n := 0
	for _, r := range roles {
		if strings.TrimSpace(r) != "" {
			n++
		}
	}
	return n
}
