// Package sim is a simulated territory whose signal model is independent of
// the scorer: each doctor's true value comes from hospital level, title, KOL
// status and a hidden personal factor (never from the heat index weights),
// moves for risers and faders, and the signals a company would record are
// drawn from it with the market's own habits — lecture series on their own
// calendars with attendance lists that only name who came, competitor
// contacts that go with high or with low value (a market parameter), risers
// whose signals lag their true rise, visits that follow the legacy ABC, and
// noise. Different seeds give different markets. The market is exported as
// a company's CSV bundle with its own headers and mapping files (loaded
// through the importer like any company's) plus the answer key (Truth), and
// can be built in memory as a backtest.History.
package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"visitbot/ranking"
)

// Options size the market.
type Options struct {
	Seed          uint64
	Reps          int
	DoctorsPerRep int
	// Days of history from Start; the last EvalDays are the period a
	// backtest is meant for (the earlier ones build signal history).
	Days, EvalDays int
	// CompetitorSign is +1 when competitor contacts go with high value, -1
	// when with low value; 0 lets the seed decide.
	CompetitorSign int
	// SpreadKM is how far a rep's hospitals lie from the start point at
	// most (from 1 km; 1 or less: 12, a city district's reach).
	SpreadKM float64
}

// DefaultOptions is the market of BENCHMARKS.md: 20 reps × 40 doctors, 180
// days, the last 120 evaluated.
func DefaultOptions(seed uint64) Options {
	return Options{Seed: seed, Reps: 20, DoctorsPerRep: 40, Days: 180, EvalDays: 120}
}

// Start is the first simulated day (Asia/Shanghai business days).
var Start = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

// Zone is the market's business time zone.
var Zone = time.FixedZone("CST", 8*3600)

// Level is a hospital level as the company's master data spells it.
type level struct {
	name  string // as exported (the importer's labels)
	store string // models.Level*
	share float64
	prior float64 // contribution to the true value (logit)
	tier  int     // 0 = top (三甲)
}

var levels = []level{
	{"三级甲等", "三级甲等", 0.25, 0.9, 0},
	{"三级乙等", "三级", 0.25, 0.35, 1},
	{"二级甲等", "二级", 0.30, -0.25, 2},
	{"社区卫生服务中心", "社区卫生服务中心", 0.20, -0.9, 3},
}

type titleDef struct {
	key, label string
	share      float64
	prior      float64
}

var titles = []titleDef{
	{ranking.TitleChief, "主任医师", 0.15, 0.7}, {ranking.TitleAssociate, "副主任医师", 0.25, 0.35},
	{ranking.TitleAttending, "主治医师", 0.35, 0}, {ranking.TitleResident, "住院医师", 0.25, -0.45},
}

var departments = []string{"心内科", "内分泌科", "神经内科"}

// Products are the two promoted products of the market's flow data.
var products = []struct{ code, name string }{{"XB-01", "心安片"}, {"XB-02", "糖平缓释片"}}

type trajectory int

const (
	steady trajectory = iota
	rising
	fading
)

type hospital struct {
	id    uint
	code  string
	name  string
	lvl   level
	loc   ranking.Point
	rep   int
	depts []string
}

type rep struct {
	code  string
	start ranking.Point
}

// doctor is one simulated HCP: master data, the hidden value and its signals.
type doctor struct {
	id         uint
	code       string
	name       string
	rep        int
	hosp       *hospital
	dept       string
	title      string
	titleLabel string
	kol        bool
	roles      []string
	legacyTier string
	sessions   []ranking.Session
	cancels    []ranking.Cancellation
	// base is the steady true value; risers and faders move linearly to
	// target over [from, to).
	kind         trajectory
	base, target float64
	from, to     int
	// lag is how many days a riser's signals trail its true value.
	lag int
	// affinity per channel: how much of the value shows in each.
	lecture, digital, meeting float64
	series                    []int // lecture series the doctor is invited to
	signals                   []ranking.Signal
	detail                    []string // per signal: the event's description (series and session)
}

// value is the true value on day.
func (d *doctor) value(day int) float64 {
	switch {
	case d.kind == steady || day < d.from:
		return d.base
	case day >= d.to:
		return d.target
	}
	f := float64(day-d.from) / float64(d.to-d.from)
	return d.base + f*(d.target-d.base)
}

// engagement is what the signals see on day: the true value, lagged for risers.
func (d *doctor) engagement(day int) float64 {
	if d.kind == rising {
		return d.value(day - d.lag)
	}
	return d.value(day)
}

// Market is a generated territory.
type Market struct {
	o         Options
	competSgn int
	reps      []rep
	hospitals []*hospital
	doctors   []*doctor
	highAt    float64
}

// New generates the market of o (deterministic per seed).
func New(o Options) *Market {
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	m := &Market{o: o, competSgn: o.CompetitorSign}
	if m.competSgn == 0 {
		m.competSgn = []int{-1, 1}[rng.IntN(2)]
	}
	// Market habits drawn per seed: how much level and title say, how
	// noisy the personal factor is.
	levelScale := 0.7 + 0.6*rng.Float64()
	personal := 0.6 + 0.3*rng.Float64()
	spread := o.SpreadKM
	if spread <= 1 {
		spread = 12
	}
	for r := 0; r < o.Reps; r++ {
		start := ranking.Point{Lat: 31.0 + 0.3*rng.Float64(), Lng: 121.2 + 0.4*rng.Float64()}
		m.reps = append(m.reps, rep{code: code("E", 1001+r), start: start})
		nh := 5 + rng.IntN(3)
		var hs []*hospital
		for i := 0; i < nh; i++ {
			km, angle := 1+(spread-1)*rng.Float64(), 2*math.Pi*rng.Float64()
			h := &hospital{
				id: uint(len(m.hospitals) + 1), code: code("T", 101+len(m.hospitals)), rep: r, lvl: pick(rng, levels, func(l level) float64 { return l.share }),
				loc: ranking.Point{Lat: start.Lat + km/111.2*math.Sin(angle), Lng: start.Lng + km/95.0*math.Cos(angle)},
			}
			h.name = hospitalName(h)
			h.depts = departments[:1+rng.IntN(len(departments))]
			m.hospitals = append(m.hospitals, h)
			hs = append(hs, h)
		}
		for i := 0; i < o.DoctorsPerRep; i++ {
			m.doctors = append(m.doctors, m.newDoctor(rng, r, hs[rng.IntN(len(hs))], levelScale, personal))
		}
	}
	m.trajectories(rng)
	m.draw(rng)
	return m
}

func (m *Market) newDoctor(rng *rand.Rand, r int, h *hospital, levelScale, personal float64) *doctor {
	d := &doctor{id: uint(len(m.doctors) + 1), rep: r, hosp: h, dept: h.depts[rng.IntN(len(h.depts))]}
	d.code, d.name = code("C", 10001+len(m.doctors)), doctorName(rng)
	t := pick(rng, titles, func(t titleDef) float64 { return t.share })
	d.title, d.titleLabel = t.key, t.label
	d.kol = rng.Float64() < 0.04+0.12*float64(3-h.lvl.tier)/3+0.1*t.prior
	logit := -1.3 + levelScale*h.lvl.prior + t.prior + personal*rng.NormFloat64()
	if d.kol {
		logit += 0.6
	}
	d.base = sigmoid(logit)
	// Filing roles follow the value loosely, and seats are for the big hospitals.
	if h.lvl.tier <= 1 && rng.Float64() < 0.35*d.base {
		d.roles = append(d.roles, ranking.RoleFormulary)
	}
	if rng.Float64() < 0.15*d.base {
		d.roles = append(d.roles, ranking.RoleInsuranceAdvocate)
	}
	d.legacyTier = legacyTier(t.key, h.lvl.tier)
	d.lecture, d.digital, d.meeting = math.Exp(0.5*rng.NormFloat64()), math.Exp(0.6*rng.NormFloat64()), math.Exp(0.4*rng.NormFloat64())
	for s := range lectureSeries {
		if rng.Float64() < 0.55 {
			d.series = append(d.series, s)
		}
	}
	for n := 2 + rng.IntN(3); len(d.sessions) < n; {
		s := ranking.Session{Weekday: 1 + rng.IntN(5), Period: []string{ranking.PeriodAM, ranking.PeriodPM}[rng.IntN(2)]}
		if !slices.Contains(d.sessions, s) {
			d.sessions = append(d.sessions, s)
		}
	}
	for day := 0; day < m.o.Days; day++ {
		if rng.Float64() < 0.015 {
			d.cancels = append(d.cancels, ranking.Cancellation{Day: dayString(day)})
		}
	}
	return d
}

// trajectories makes some doctors rise and some fade inside the evaluated
// period, and sets the high-value line at the value of the top ~12%.
func (m *Market) trajectories(rng *rand.Rand) {
	evalFrom := m.o.Days - m.o.EvalDays
	var bases []float64
	for _, d := range m.doctors {
		bases = append(bases, d.base)
	}
	m.highAt = quantile(bases, 0.88)
	for _, d := range m.doctors {
		switch y := rng.Float64(); {
		case y < 0.045 && d.base < m.highAt:
			d.kind = rising
			d.target = m.highAt + 0.05 + (0.98-m.highAt-0.05)*rng.Float64()
			d.from = evalFrom - 10 + rng.IntN(max(1, m.o.EvalDays-40))
			d.to = d.from + 10 + rng.IntN(20)
			d.lag = 3 + rng.IntN(10)
		case y < 0.09 && d.base >= m.highAt*0.9:
			d.kind = fading
			d.target = 0.1 + 0.3*rng.Float64()*m.highAt
			d.from = evalFrom - 10 + rng.IntN(max(1, m.o.EvalDays-40))
			d.to = d.from + 15 + rng.IntN(30)
		}
	}
}

func legacyTier(title string, levelTier int) string {
	switch {
	case title == ranking.TitleChief && levelTier <= 1, title == ranking.TitleAssociate && levelTier == 0:
		return "A"
	case title == ranking.TitleChief, title == ranking.TitleAssociate, levelTier == 0:
		return "B"
	}
	return "C"
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// pick draws one item by share.
func pick[T any](rng *rand.Rand, items []T, share func(T) float64) T {
	x := rng.Float64()
	for _, it := range items {
		if x < share(it) {
			return it
		}
		x -= share(it)
	}
	return items[len(items)-1]
}

// day d as a time at hour h in the market's zone.
func at(day int, h, minute int) time.Time {
	return time.Date(Start.Year(), Start.Month(), Start.Day()+day, h, minute, 0, 0, Zone)
}

func dayString(day int) string { return Start.AddDate(0, 0, day).Format(time.DateOnly) }
