package recommend

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/ranking"
)

// dayInputs is everything the Top-N of some reps needs, loaded in bulk.
type dayInputs struct {
	day      string
	reps     []models.User
	w        *world
	byRep    map[uint][]uint
	mustOf   map[[2]uint]*ranking.Must
	sessOf   map[uint][]ranking.Session
	cancelOf map[uint][]ranking.Cancellation
	stats    map[uint]models.VisitStat
	// lastSignal is the newest day of a visit-class signal within the
	// cooldown window.
	lastSignal map[uint]string
	products   map[uint]float64
	cycle      *cycle
}

// compute ranks the reps' day: load in bulk, rank (pure), then load the
// signals of the picked doctors whose heat came from the nightly scoring and
// rank again over the picks only, so every pick carries its heat reasons.
// The second pass cannot change the picks or their order: it sees the same
// scores and only the picked doctors.
func (s *Service) compute(ctx context.Context, day string, reps []models.User, all bool) (map[uint][]models.Recommendation, error) {
	s, err := s.effective(ctx)
	if err != nil {
		return nil, err
	}
	var load, rank time.Duration
	mark := time.Now()
	lap := func(d *time.Duration) {
		now := time.Now()
		*d += now.Sub(mark)
		mark = now
	}
	in, err := s.load(ctx, day, reps, all)
	if err != nil {
		return nil, err
	}
	lap(&load)
	picks, err := s.rank(in, nil)
	if err != nil {
		return nil, err
	}
	lap(&rank)
	if missing := in.unexplained(picks); len(missing) > 0 {
		if err := s.loadSignals(ctx, in.w, missing); err != nil {
			return nil, err
		}
		lap(&load)
		if picks, err = s.rank(in, picks); err != nil {
			return nil, err
		}
		lap(&rank)
	}
	s.observe("load", load)
	s.observe("rank", rank)
	out := make(map[uint][]models.Recommendation, len(picks))
	for repID, ps := range picks {
		recs := make([]models.Recommendation, len(ps))
		for i, p := range ps {
			if recs[i], err = toRecommendation(repID, day, p); err != nil {
				return nil, err
			}
		}
		out[repID] = recs
	}
	return out, nil
}

// load reads the reps' inputs for day in a fixed set of statements (id
// lists split at 500). all loads every doctor without id filters (the whole
// field force); otherwise only the reps' doctors. Full signals are loaded
// for in-clinic doctors without a fresh nightly heat only, except for one
// rep (ForRep), whose in-clinic doctors all get them.
func (s *Service) load(ctx context.Context, day string, reps []models.User, all bool) (*dayInputs, error) {
	var repIDs []uint
	if !all {
		for _, r := range reps {
			repIDs = append(repIDs, r.ID)
		}
	}
	asOf, err := s.asOf(day)
	if err != nil {
		return nil, err
	}
	dayStart, _ := clock.ParseDay(day, s.loc)
	var assigns []models.Assignment
	var musts []models.MustVisit
	err = s.parallel(ctx,
		func() (err error) { assigns, err = s.store.Ranking.RankingAssignments(ctx, repIDs); return err },
		func() (err error) { musts, err = s.store.Ranking.OpenMustVisits(ctx, repIDs, day); return err },
	)
	if err != nil {
		return nil, err
	}
	in := &dayInputs{
		day: day, reps: reps, byRep: map[uint][]uint{}, mustOf: map[[2]uint]*ranking.Must{},
		sessOf: map[uint][]ranking.Session{}, cancelOf: map[uint][]ranking.Cancellation{}, lastSignal: map[uint]string{},
	}
	for _, a := range assigns {
		in.byRep[a.RepID] = append(in.byRep[a.RepID], a.DoctorID)
	}
	for _, m := range musts {
		k := [2]uint{m.RepID, m.DoctorID}
		kind := ranking.KindFollowUp
		if m.Source == models.RecMustVisit {
			kind = ranking.KindMustVisit
		}
		if old := in.mustOf[k]; old != nil && (old.Kind == ranking.KindMustVisit || kind != ranking.KindMustVisit) {
			continue // keep the manager's 指派 over a follow-up, and the oldest due
		}
		in.mustOf[k] = &ranking.Must{Kind: kind, DueDay: m.DueDay}
		if !slices.Contains(in.byRep[m.RepID], m.DoctorID) {
			in.byRep[m.RepID] = append(in.byRep[m.RepID], m.DoctorID)
		}
	}
	var doctorIDs []uint
	if !all {
		doctorIDs = []uint{}
		for _, ids := range in.byRep {
			doctorIDs = append(doctorIDs, ids...)
		}
		slices.Sort(doctorIDs)
		doctorIDs = slices.Compact(doctorIDs)
	}
	// The independent loads run side by side: SQLite in WAL mode and MySQL
	// serve concurrent readers, and the driver's row decoding is CPU work.
	var sessions []models.ClinicSession
	var cancels []models.ClinicCancellation
	var cal *ranking.Calendar
	since := asOf.AddDate(0, 0, -s.scorer.LookbackDays())
	err = s.parallel(ctx,
		func() (err error) { in.w, err = s.loadWorld(ctx, day, doctorIDs); return err },
		func() (err error) { cal, err = s.storedCalendar(ctx, day, asOf); return err },
		func() (err error) {
			sessions, cancels, err = s.store.Ranking.SessionsOn(ctx, doctorIDs, day)
			return err
		},
		func() (err error) {
			in.stats, err = s.store.Ranking.VisitStats(ctx, doctorIDs, clock.Day(since, s.loc), clock.Day(asOf, s.loc))
			return err
		},
		func() (err error) { in.products, err = s.store.Ranking.BestProductMatch(ctx, doctorIDs); return err },
	)
	if err != nil {
		return nil, err
	}
	in.w.calendar = cal
	for _, cs := range sessions {
		in.sessOf[cs.DoctorID] = append(in.sessOf[cs.DoctorID], ranking.Session{Weekday: cs.Weekday, Day: cs.Day, Period: cs.Period})
	}
	for _, c := range cancels {
		in.cancelOf[c.DoctorID] = append(in.cancelOf[c.DoctorID], ranking.Cancellation{Day: c.Day, Period: c.Period})
	}

	// Only doctors in clinic that day can be picked: the signal loads below
	// are for them alone, by id, which the (doctor_id, occurred_at) index
	// serves directly.
	var inClinic, stale []uint
	for id := range in.sessOf {
		if d := in.w.doctors[id]; d != nil {
			inClinic = append(inClinic, id)
			if (!all && len(reps) == 1) || !in.fresh(d) {
				stale = append(stale, id)
			}
		}
	}
	slices.Sort(inClinic)
	slices.Sort(stale)
	if len(inClinic) == 0 {
		return in, nil
	}
	var recent []models.Signal
	err = s.parallel(ctx,
		func() (err error) { in.cycle, err = s.loadCycle(ctx, in, inClinic); return err },
		// The cooldown window's signals of every class (a class filter would
		// steer the planner to the class index), for the last visit signal.
		func() (err error) {
			recent, err = s.store.Ranking.SignalsSince(ctx, inClinic, nil, dayStart.AddDate(0, 0, -s.cfg.CooldownDays-1), asOf)
			return err
		},
		// Full signals: every candidate of one rep; in the bulk run only
		// the doctors without a fresh nightly heat.
		func() error { return s.loadSignals(ctx, in.w, stale) },
	)
	if err != nil {
		return nil, err
	}
	for _, sg := range recent {
		in.cycle.noteSignal(sg, s.loc)
		if sg.Class != models.ClassVisit {
			continue
		}
		if seen := clock.Day(sg.OccurredAt, s.loc); seen > in.lastSignal[sg.DoctorID] {
			in.lastSignal[sg.DoctorID] = seen
		}
	}
	return in, nil
}

// fresh reports whether d's stored heat was scored for this very day (the
// nightly run for it): the Top-N then ranks by it instead of recomputing it
// from every signal, which keeps the morning load independent of the signal
// volume. Heat scored for another day, earlier or later, is never used: such
// doctors are scored live as of the day.
func (in *dayInputs) fresh(d *models.Doctor) bool {
	return d.HeatDay == in.day
}

// unexplained lists the picked doctors whose signals are not loaded yet.
func (in *dayInputs) unexplained(picks map[uint][]ranking.Pick) []uint {
	var out []uint
	for _, ps := range picks {
		for _, p := range ps {
			if !in.w.loaded[p.DoctorID] {
				out = append(out, p.DoctorID)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// rank is the pure step: a candidate per doctor in clinic that day (built
// once, shared by all reps covering them), then ranking.Plan per rep. With
// only set, each rep's previous picks are explained again as planned
// (same doctors, periods and route order).
//
// A candidate's heat is the nightly stored heat when fresh (its class points
// and phrases from the live signals once loaded, the live total kept in the
// breakdown as heat_live), else the live heat index.
func (s *Service) rank(in *dayInputs, only map[uint][]ranking.Pick) (map[uint][]ranking.Pick, error) {
	w := in.w
	cands := map[uint]*ranking.Candidate{}
	candidate := func(id uint) *ranking.Candidate {
		if c, ok := cands[id]; ok {
			return c
		}
		d := w.doctors[id]
		if d == nil || len(in.sessOf[id]) == 0 {
			cands[id] = nil // no clinic today: never a candidate, no need to score
			return nil
		}
		c := &ranking.Candidate{DoctorID: id, Sessions: in.sessOf[id], Cancellations: in.cancelOf[id], ProductMatch: in.products[id]}
		switch {
		case w.loaded[id] && in.fresh(d):
			c.Heat = s.heat(w, d)
			c.Heat.Live, c.Heat.Score = c.Heat.Score, d.Heat
		case w.loaded[id]:
			c.Heat = s.heat(w, d)
		default:
			c.Heat = ranking.Heat{Score: d.Heat}
		}
		if h, ok := w.hospitals[d.HospitalID]; ok {
			c.Location = ranking.Point{Lat: h.Lat, Lng: h.Lng}
		}
		st := in.stats[id]
		c.LastVisit, c.Responses = st.LastMet, ranking.Responses{Met: st.Met, Attempts: st.Attempts}
		if seen := in.lastSignal[id]; seen > c.LastVisit {
			c.LastVisit = seen
		}
		if in.cycle != nil {
			in.cycle.fill(c, d, in.fresh(d))
		}
		cands[id] = c
		return c
	}

	opts := s.planOptions()
	out := make(map[uint][]ranking.Pick, len(in.reps))
	for _, rep := range in.reps {
		ids := in.byRep[rep.ID]
		if only != nil {
			ids = ids[:0:0]
			for _, p := range only[rep.ID] {
				ids = append(ids, p.DoctorID)
			}
		}
		var list []ranking.Candidate
		for _, id := range ids {
			if c := candidate(id); c != nil {
				cc := *c
				cc.Must = in.mustOf[[2]uint{rep.ID, id}]
				list = append(list, cc)
			}
		}
		o := opts
		if only != nil {
			o.Keep = only[rep.ID]
		}
		picks, err := ranking.Plan(ranking.Point{Lat: rep.StartLat, Lng: rep.StartLng}, in.day, list, o)
		if err != nil {
			return nil, fmt.Errorf("rep %s: %w", rep.UserID, err)
		}
		out[rep.ID] = picks
	}
	return out, nil
}

// parallel runs the loaders concurrently and joins their errors. Inside a
// transaction (a skip's replacement runs in the delivery's) they run one
// after another: a transaction is one connection, which two statements
// cannot share, and a second connection from the pool must not be waited
// for while the transaction holds one.
func (s *Service) parallel(ctx context.Context, fns ...func() error) error {
	if s.store.InTx(ctx) {
		var errs []error
		for _, fn := range fns {
			errs = append(errs, fn())
		}
		return errors.Join(errs...)
	}
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errors.Join(errs...)
}
