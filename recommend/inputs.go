package recommend

import (
	"context"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/ranking"
)

// world is one day's ranking inputs as loaded from the store.
type world struct {
	day       string
	asOf      time.Time
	doctors   map[uint]*models.Doctor
	hospitals map[uint]models.Hospital
	// signals holds every signal in the lookback of the doctors in loaded.
	signals map[uint][]ranking.Signal
	loaded  map[uint]bool
	trends  map[ranking.DeptKey]ranking.Trend
	// trendsLoaded is set once trends are (see loadTrends).
	trendsLoaded bool
	// noted holds the day's nightly notes (without the explanation) of the
	// doctors whose stored heat was scored for the day.
	noted map[uint]models.HeatNote
	// calendar is the series calendar of the consecutive rules' kinds.
	calendar *ranking.Calendar
	// everyDoctor is set when doctors holds every doctor of the store.
	everyDoctor bool
}

// emptyWorld is an empty world of day.
func emptyWorld(day string, asOf time.Time, everyDoctor bool) *world {
	return &world{
		day: day, asOf: asOf, doctors: map[uint]*models.Doctor{}, hospitals: map[uint]models.Hospital{},
		signals: map[uint][]ranking.Signal{}, loaded: map[uint]bool{}, noted: map[uint]models.HeatNote{}, everyDoctor: everyDoctor,
	}
}

// loadWorld loads doctors (nil ids = all) and hospitals: two queries (plus
// one per 500 ids when filtered). hospitals, when not nil, are every
// hospital as already read (a later shard of a run, see shardWorld) and
// are used instead of reading them. Signals and the flow trends they are
// scored with come separately (loadSignals).
func (s *Service) loadWorld(ctx context.Context, day string, doctorIDs []uint, hospitals map[uint]models.Hospital) (*world, error) {
	asOf, err := s.asOf(day)
	if err != nil {
		return nil, err
	}
	w := emptyWorld(day, asOf, doctorIDs == nil)
	var docs []models.Doctor
	err = s.parallel(ctx,
		func() (err error) { docs, err = s.store.Ranking.RankingDoctors(ctx, doctorIDs); return err },
		func() error {
			if hospitals != nil {
				w.hospitals = hospitals
				return nil
			}
			return s.loadHospitals(ctx, w)
		},
	)
	if err != nil {
		return nil, err
	}
	for i := range docs {
		w.doctors[docs[i].ID] = &docs[i]
	}
	return w, nil
}

// loadHospitals loads every hospital into w.
func (s *Service) loadHospitals(ctx context.Context, w *world) error {
	hs, err := s.store.Ranking.RankingHospitals(ctx)
	if err != nil {
		return err
	}
	for _, h := range hs {
		w.hospitals[h.ID] = h
	}
	return nil
}

// loadTrends loads the departments' flow trends of w's day once: only a
// heat computed from signals needs them.
func (s *Service) loadTrends(ctx context.Context, w *world) error {
	if w.trendsLoaded {
		return nil
	}
	dayStart, _ := clock.ParseDay(w.day, s.loc)
	flows, err := s.store.Ranking.FlowByDepartment(ctx, ranking.TrendWindowStart(dayStart))
	if err != nil {
		return err
	}
	points := make([]ranking.FlowPoint, len(flows))
	for i, f := range flows {
		points[i] = ranking.FlowPoint{HospitalID: f.HospitalID, Department: f.Department, ProductID: f.ProductID, Month: f.Month, Quantity: f.Quantity}
	}
	w.trends, w.trendsLoaded = ranking.Trends(points, dayStart), true
	return nil
}

// loadSignals loads the lookback signals of the given doctors and marks them
// loaded; nothing to do for none. When they are most of a world that holds
// every doctor, one unfiltered scan replaces many IN lists.
func (s *Service) loadSignals(ctx context.Context, w *world, doctorIDs []uint) error {
	if len(doctorIDs) == 0 {
		return nil
	}
	if w.everyDoctor && 2*len(doctorIDs) > len(w.doctors) {
		return s.loadAllSignals(ctx, w)
	}
	return s.fillSignals(ctx, w, doctorIDs)
}

// loadAllSignals loads the lookback signals of every doctor (nightly scoring).
func (s *Service) loadAllSignals(ctx context.Context, w *world) error {
	return s.fillSignals(ctx, w, nil)
}

// fillSignals loads signals for doctorIDs (nil = all) into w.
func (s *Service) fillSignals(ctx context.Context, w *world, doctorIDs []uint) error {
	since := w.asOf.AddDate(0, 0, -s.scorer.LookbackDays())
	err := s.parallel(ctx,
		func() error {
			return s.store.Ranking.EachSignal(ctx, doctorIDs, nil, since, w.asOf, func(r models.SignalRow) {
				if w.doctors[r.DoctorID] != nil { // an unfiltered scan also reads doctors outside the world
					w.signals[r.DoctorID] = append(w.signals[r.DoctorID], ranking.Signal{Class: r.Class, Kind: r.Kind, Value: r.Value, At: r.At})
				}
			})
		},
		func() error { return s.loadTrends(ctx, w) },
	)
	if err != nil {
		return err
	}
	if doctorIDs == nil {
		for id := range w.doctors {
			w.loaded[id] = true
		}
	}
	for _, id := range doctorIDs {
		w.loaded[id] = true
	}
	return nil
}

func toSignal(sg models.Signal) ranking.Signal {
	return ranking.Signal{Class: sg.Class, Kind: sg.Kind, Value: sg.Value, At: sg.OccurredAt}
}

// heat computes one doctor's heat index from its loaded signals.
func (s *Service) heat(w *world, d *models.Doctor) ranking.Heat {
	rd := ranking.Doctor{
		ID: d.ID, HospitalID: d.HospitalID, Department: d.Department, Title: d.Title, KOL: d.IsKOL,
		Roles: splitRoles(d.Roles), Signals: w.signals[d.ID], HospitalLevel: w.hospitals[d.HospitalID].Level, Calendar: w.calendar,
	}
	return s.scorer.Heat(rd, w.trends[ranking.DeptKey{HospitalID: d.HospitalID, Department: d.Department}], w.asOf)
}
