package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Random streams: every part of the world draws from its own PCG stream,
// keyed by the seed, the stream and an index (hospital, doctor, …), so one
// doctor's data never depends on how many doctors came before it or on how
// the writer chunks them.
const (
	streamHospitals = iota + 1
	streamDoctors
	streamPicks
	streamPeople
	streamFlow
	streamSignals
	streamCalendar
)

func newRand(seed int64, stream, idx uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed)^(stream*0x9E3779B97F4A7C15), idx*0xBF58476D1CE4E5B9+stream))
}

// hospital is a generated hospital; its position in world.hospitals is its index.
type hospital struct {
	ExternalID, Name, Level, District string
	Lat, Lng                          float64
	Profile                           int
}

// person is a manager or the admin.
type person struct {
	UserID, Name, Territory string
	Phone                   string
}

// rep is a field rep: Manager indexes world.managers.
type rep struct {
	person
	StartLat, StartLng float64
	Manager            int
}

type session struct {
	Weekday int
	Period  string
}

type cancellation struct {
	Day, Period, Reason string
}

type productMatch struct {
	Product int
	Match   float64
}

// doctor is a generated HCP with the hidden truths behind its signals.
type doctor struct {
	ExternalID, Name, Dept, Title, LegacyTier string
	Hospital, Rep                             int
	KOL                                       bool
	Roles                                     []string
	Sessions                                  []session
	Cancellations                             []cancellation
	Products                                  []productMatch
	// Primary is the product that fits the department best (-1: none).
	Primary int
	// Engagement 0..1 drives how often the doctor shows up in signals.
	Engagement float64
	// Rising doctors are young attending physicians, legacy tier C, whose
	// signals ramp up over the last four weeks.
	Rising bool
	// SilentDays > 0 marks a KOL with no visit, lecture or meeting for that many days.
	SilentDays int
}

// flow is one month of one hospital × department × product series of flow data.
type flow struct {
	Hospital, Product int
	Dept, Month       string
	Quantity          float64
}

// world is a generated world before it is written: plain values with
// indexes in place of database ids.
type world struct {
	opts      Options
	today     time.Time // midnight, business time zone
	start     time.Time // first day of the history window
	rampStart time.Time // rising doctors ramp up from here
	months    []string  // the six flow months, oldest first
	hospitals []hospital
	doctors   []doctor
	admin     person
	managers  []person
	reps      []rep
	flows     []flow
	lectures  [][]lecture // per product, oldest first
	meetings  [][]meeting // per product, oldest first
}

// Limits of Options: beyond them a world no longer fits the point of a demo
// or benchmark (and SQLite files grow past a few GB).
const (
	MaxReps      = 30000
	MaxDoctors   = 500000
	maxHospitals = 3000
	// doctorsPerHospital sizes the hospital list: ~40 hospitals for 600 doctors.
	doctorsPerHospital = 15
	// repsPerManager sizes the manager list: 2 managers for 12 reps.
	repsPerManager = 10
	historyMonths  = 6
	rampDays       = 28
)

func (o Options) validate() error {
	switch {
	case o.Reps < 1 || o.Reps > MaxReps:
		return fmt.Errorf("reps must be between 1 and %d, got %d", MaxReps, o.Reps)
	case o.Doctors < o.Reps || o.Doctors > MaxDoctors:
		return fmt.Errorf("doctors must be between the number of reps (%d) and %d, got %d", o.Reps, MaxDoctors, o.Doctors)
	case o.Today.IsZero():
		return fmt.Errorf("today is required")
	}
	return nil
}

// generate builds the world for o; o.Today must be midnight in the business zone.
func generate(o Options) (*world, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	w := &world{opts: o, today: o.Today}
	y, m, _ := o.Today.Date()
	first := time.Date(y, m-historyMonths+1, 1, 0, 0, 0, 0, o.Today.Location())
	w.start = first
	w.rampStart = o.Today.AddDate(0, 0, -rampDays)
	for i := range historyMonths {
		w.months = append(w.months, first.AddDate(0, i, 0).Format("2006-01"))
	}
	w.genHospitals()
	w.genDoctors()
	w.pickSpecials()
	w.genPeople()
	w.genFlows()
	w.genCalendar()
	return w, nil
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// pickWeighted returns an index drawn with probability ∝ weights.
func pickWeighted(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	u := r.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}
