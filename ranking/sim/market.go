// Package sim is the simulated market that evaluates the heat index against
// the static ABC baseline. It is deterministic (seeded PCG) and pure: doctors
// have a hidden true potential that evolves over months (most stay put, some
// rise, some fade), and the observable signals — online lectures, meetings,
// leaflet views, competitor contacts, trial enrolment, committee seats — are
// drawn from that potential with noise. The evaluation then asks each method
// for every rep's daily Top-5 and scores it against the hidden truth.
package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"visitbot/ranking"
)

// Options size the market and the evaluation window.
type Options struct {
	Reps          int
	DoctorsPerRep int
	// Days simulated; the first WarmupDays only build signal history.
	Days, WarmupDays int
	Seed             uint64
	// HighPotential is the hidden potential at or above which a doctor is
	// "truly high-potential" on a day.
	HighPotential float64
}

// DefaultOptions is the market of BENCHMARKS.md: 20 reps × 40 doctors, 180
// days of which the last 120 are evaluated.
func DefaultOptions() Options {
	return Options{Reps: 20, DoctorsPerRep: 40, Days: 180, WarmupDays: 60, Seed: 20261201, HighPotential: 0.65}
}

// Start is the first simulated day.
var Start = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

type trajectory int

const (
	steady trajectory = iota
	rising
	fading
)

// doctor is one simulated HCP: observable master data plus hidden potential.
type doctor struct {
	id         uint
	rep        int
	title      string
	legacyTier string
	loc        ranking.Point
	sessions   []ranking.Session
	product    float64
	// potential: base, and for risers/faders a linear move to target over [from, to).
	kind          trajectory
	base, target  float64
	from, to      int
	formularyFrom int // day the doctor gains a formulary seat (-1 never)
	signals       []ranking.Signal
}

// potential is the hidden truth on day d.
func (d *doctor) potential(day int) float64 {
	switch {
	case d.kind == steady || day < d.from:
		return d.base
	case day >= d.to:
		return d.target
	}
	f := float64(day-d.from) / float64(d.to-d.from)
	return d.base + f*(d.target-d.base)
}

// roles are the filing roles visible on day.
func (d *doctor) roles(day int) []string {
	if d.formularyFrom >= 0 && day >= d.formularyFrom {
		return []string{ranking.RoleFormulary}
	}
	return nil
}

type market struct {
	o       Options
	reps    []ranking.Point
	doctors []*doctor
}

var titles = []struct {
	title string
	share float64
	bias  float64 // how much the title predicts potential: weakly
}{
	{ranking.TitleChief, 0.15, 0.30}, {ranking.TitleAssociate, 0.25, 0.20},
	{ranking.TitleAttending, 0.35, 0.10}, {ranking.TitleResident, 0.25, 0},
}

// legacyTier is the static ABC of the seed article: A = chief (主任), B =
// associate (副主任), C = everybody else.
func legacyTier(title string) string {
	switch title {
	case ranking.TitleChief:
		return "A"
	case ranking.TitleAssociate:
		return "B"
	}
	return "C"
}

func newMarket(o Options) *market {
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	m := &market{o: o}
	for r := 0; r < o.Reps; r++ {
		start := ranking.Point{Lat: 31.0 + 0.4*rng.Float64(), Lng: 121.2 + 0.5*rng.Float64()}
		m.reps = append(m.reps, start)
		for i := 0; i < o.DoctorsPerRep; i++ {
			d := &doctor{id: uint(len(m.doctors) + 1), rep: r, formularyFrom: -1, product: 0.3 + 0.7*rng.Float64()}
			x := rng.Float64()
			for _, t := range titles {
				if x < t.share || t.title == ranking.TitleResident {
					d.title, d.base = t.title, clamp(0.2+t.bias+0.18*rng.NormFloat64())
					break
				}
				x -= t.share
			}
			d.legacyTier = legacyTier(d.title)
			km, angle := 0.5+14*rng.Float64(), 2*math.Pi*rng.Float64()
			d.loc = ranking.Point{Lat: start.Lat + km/111.2*math.Sin(angle), Lng: start.Lng + km/95.0*math.Cos(angle)}
			for n := 2 + rng.IntN(3); len(d.sessions) < n; {
				s := ranking.Session{Weekday: 1 + rng.IntN(5), Period: []string{ranking.PeriodAM, ranking.PeriodPM}[rng.IntN(2)]}
				if !slices.Contains(d.sessions, s) {
					d.sessions = append(d.sessions, s)
				}
			}
			switch y := rng.Float64(); {
			case y < 0.12: // a riser: a young doctor who becomes a formulary advocate
				d.kind, d.base = rising, math.Min(d.base, 0.2+0.15*rng.Float64())
				d.target = 0.75 + 0.2*rng.Float64()
				d.from = o.WarmupDays - 20 + rng.IntN(max(1, o.Days-o.WarmupDays-40))
				d.to = d.from + 15 + rng.IntN(20)
				if rng.Float64() < 0.5 {
					d.formularyFrom = (d.from + d.to) / 2
				}
			case y < 0.20: // a fader
				d.kind, d.base = fading, math.Max(d.base, 0.7+0.2*rng.Float64())
				d.target = 0.1 + 0.2*rng.Float64()
				d.from = o.WarmupDays - 20 + rng.IntN(max(1, o.Days-o.WarmupDays-40))
				d.to = d.from + 20 + rng.IntN(30)
			}
			m.doctors = append(m.doctors, d)
		}
	}
	m.signals(rng)
	return m
}

func clamp(v float64) float64 { return math.Max(0.02, math.Min(0.98, v)) }

// at is a time on day d (hour h, UTC).
func at(day int, hour int) time.Time {
	return Start.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour)
}

// signals draws every doctor's observable history from the hidden potential.
// Lectures are weekly (invited 60%, attend with p), meetings monthly, leaflet
// views daily with rate ∝ p, competitor contacts and background noise
// independent of p, and half the risers become trial investigators.
func (m *market) signals(rng *rand.Rand) {
	poisson := func(lambda float64) int {
		n, l, p := 0, math.Exp(-lambda), rng.Float64()
		for p > l {
			n++
			p *= rng.Float64()
		}
		return n
	}
	for day := 0; day < m.o.Days; day++ {
		for _, d := range m.doctors {
			p := d.potential(day)
			add := func(class, kind string, v float64) {
				d.signals = append(d.signals, ranking.Signal{Class: class, Kind: kind, Value: v, At: at(day, 9+rng.IntN(10))})
			}
			if day%7 == 3 && rng.Float64() < 0.6 {
				if rng.Float64() < p {
					add(ranking.ClassLecture, "lecture_attend", 1)
				} else {
					add(ranking.ClassLecture, "lecture_absent", 0)
				}
			}
			if day%30 == 10 && rng.Float64() < 0.6*p {
				add(ranking.ClassMeeting, "meeting_attend", 1)
			}
			for n := poisson(0.12 * p); n > 0; n-- {
				add(ranking.ClassDigital, "leaflet_view", 1)
			}
			for n := poisson(0.03); n > 0; n-- { // noise: views unrelated to potential
				add(ranking.ClassDigital, "material_open", 1)
			}
			for n := poisson(0.02 + 0.03*p); n > 0; n-- {
				add(ranking.ClassCompetitor, "competitor_event", 1)
			}
			if d.kind == rising && day == d.from+5 && d.id%2 == 0 {
				add(ranking.ClassTrial, "trial_investigator", 1)
			}
		}
	}
}
