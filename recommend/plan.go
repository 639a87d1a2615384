package recommend

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
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
	// notes are the nightly explanations of the picks ranked by their
	// stored heat (see explain).
	notes map[uint]ranking.HeatNote
}

// compute ranks the reps' day: load in bulk, rank (pure, without reasons),
// then read the nightly notes of the picked doctors whose heat came from the
// nightly scoring and rank again over the picks only, explaining them, so
// every pick carries its heat reasons. The second pass cannot change the
// picks or their order: it sees the same scores and only the picked doctors.
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
		if err := s.explain(ctx, in, missing); err != nil {
			return nil, err
		}
		lap(&load)
	}
	if picks, err = s.rank(in, picks); err != nil {
		return nil, err
	}
	lap(&rank)
	s.observe("load", load)
	s.observe("rank", rank)
	repIDs := slices.Collect(maps.Keys(picks))
	recs := make([][]models.Recommendation, len(repIDs))
	err = spread(len(repIDs), func(i int) (err error) {
		ps := picks[repIDs[i]]
		recs[i] = make([]models.Recommendation, len(ps))
		for j, p := range ps {
			if recs[i][j], err = toRecommendation(repIDs[i], day, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[uint][]models.Recommendation, len(picks))
	for i, id := range repIDs {
		out[id] = recs[i]
	}
	return out, nil
}

// load reads the reps' inputs for day in a fixed set of statements (id
// lists split at 500). all loads every doctor in clinic that day without id
// filters (the whole field force); otherwise only the reps' doctors. Signals
// are loaded for in-clinic doctors without a fresh nightly heat and note
// only, except for one rep (ForRep), whose in-clinic doctors all get them:
// the bulk run ranks by the nightly heat and reads no signal at all.
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
	in := &dayInputs{
		day: day, reps: reps, byRep: map[uint][]uint{}, mustOf: map[[2]uint]*ranking.Must{},
		cancelOf: map[uint][]ranking.Cancellation{}, lastSignal: map[uint]string{},
	}
	// The whole field force's loads need no filter: they all run at once. A
	// subset of reps first reads its assignments and must-visits; the rest
	// read the doctors of those reps by a subquery on the assignments, plus
	// the must-visit doctors none of the reps is assigned to by id.
	var later []func() error
	doctors := models.AllDoctors()
	if all {
		later = append(later, func() error { _, err := s.loadCoverage(ctx, in, repIDs); return err })
	} else {
		more, err := s.loadCoverage(ctx, in, repIDs)
		if err != nil {
			return nil, err
		}
		if len(repIDs) > s.subqueryReps {
			doctors = models.DoctorsByID(in.doctorIDs())
		} else {
			doctors = models.DoctorsOfReps(repIDs, more)
		}
	}
	later = append(later, func() (err error) { in.cycle, err = s.loadCycle(ctx, in, doctors); return err })
	// The independent loads run side by side: SQLite in WAL mode and MySQL
	// serve concurrent readers, and the driver's row decoding is CPU work.
	// The bulk run reads the day's nightly notes instead of doctor rows; one
	// rep (ForRep) is scored from its doctors' signals.
	one := !all && len(reps) == 1
	in.w = emptyWorld(day, asOf, all)
	var notes []models.HeatNote
	var sessions []models.ClinicSession
	var cancels []models.ClinicCancellation
	var cal *ranking.Calendar
	since := asOf.AddDate(0, 0, -s.scorer.LookbackDays())
	err = s.parallel(ctx, append(later,
		func() (err error) {
			if !one {
				notes, err = s.store.Ranking.NotesOn(ctx, day, doctors)
			}
			return err
		},
		func() error { return s.loadHospitals(ctx, in.w) },
		func() (err error) { cal, err = s.storedCalendar(ctx, day, asOf); return err },
		func() (err error) {
			sessions, cancels, err = s.store.Ranking.SessionsOn(ctx, doctors, day)
			return err
		},
		func() (err error) {
			in.stats, err = s.store.Ranking.VisitStatsOf(ctx, doctors, clock.Day(since, s.loc), clock.Day(asOf, s.loc))
			return err
		},
	)...)
	if err != nil {
		return nil, err
	}
	in.w.calendar = cal
	in.sessOf = sessionsByDoctor(sessions)
	for _, c := range cancels {
		in.cancelOf[c.DoctorID] = append(in.cancelOf[c.DoctorID], ranking.Cancellation{Day: c.Day, Period: c.Period})
	}
	// Nothing is in the world's doctor maps yet: size them for the day's
	// in-clinic doctors (13,000 at 600 reps, 2.4 MB less map growth a run).
	in.w.doctors = make(map[uint]*models.Doctor, len(in.sessOf))
	in.w.noted = make(map[uint]models.HeatNote, len(in.sessOf))
	for _, n := range notes {
		if len(in.sessOf[n.DoctorID]) > 0 {
			in.w.doctors[n.DoctorID] = &models.Doctor{ID: n.DoctorID, HospitalID: n.HospitalID, Tier: n.Tier, Heat: n.Heat, HeatDay: day}
			in.w.noted[n.DoctorID] = n
		}
	}

	// Only doctors in clinic that day can be picked: the loads below are for
	// them alone, by id (the primary keys and the (doctor_id, occurred_at)
	// index serve them directly). Those without a note of the day are read
	// from the doctors and scored from their signals.
	var inClinic, stale []uint
	for id := range in.sessOf {
		if _, ok := in.w.noted[id]; !ok {
			stale = append(stale, id)
		}
	}
	slices.Sort(stale)
	if len(stale) > 0 {
		docs, err := s.store.Ranking.RankingDoctors(ctx, stale)
		if err != nil {
			return nil, err
		}
		stale = stale[:0]
		for i := range docs {
			in.w.doctors[docs[i].ID] = &docs[i]
			stale = append(stale, docs[i].ID)
		}
	}
	for id := range in.sessOf {
		if in.w.doctors[id] != nil {
			inClinic = append(inClinic, id)
		}
	}
	slices.Sort(inClinic)
	if len(inClinic) == 0 {
		return in, nil
	}
	in.products = map[uint]float64{}
	err = s.parallel(ctx,
		func() error { return s.loadTiers(ctx, in, inClinic) },
		// Full signals and product matches: every candidate of one rep; in
		// the bulk run only the doctors without a note of the day.
		func() error { return s.loadSignals(ctx, in.w, stale) },
		func() (err error) {
			if len(stale) > 0 {
				in.products, err = s.store.Ranking.BestProductMatch(ctx, stale)
			}
			return err
		},
	)
	if err != nil {
		return nil, err
	}
	contactFrom, recentFrom := s.contactFrom(dayStart), s.recentFrom(dayStart)
	for _, id := range inClinic {
		var visit, positive string
		if in.w.loaded[id] {
			visit, positive = recentDays(in.w.signals[id], contactFrom, recentFrom, asOf, s.loc)
		} else {
			n := in.w.noted[id]
			visit, positive = n.LastVisit, n.LastPositive
			in.products[id] = n.ProductMatch
		}
		if visit != "" {
			in.lastSignal[id] = visit
		}
		if positive != "" {
			in.cycle.lastSignal[id] = positive
		}
	}
	return in, nil
}

// maxSubqueryReps bounds the reps whose doctors one statement selects by a
// subquery (models.DoctorsOfReps puts their ids in one list): a push shard
// has 500; more (a request naming thousands of reps) go by their doctors'
// ids, in lists of 500, as SQLite binds at most 32,766 variables.
const maxSubqueryReps = 2000

// doctorIDs is the reps' doctors (in.byRep), in id order, once each.
func (in *dayInputs) doctorIDs() []uint {
	ids := []uint{}
	for _, d := range in.byRep {
		ids = append(ids, d...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// loadCoverage reads the reps' assignments and open must-visits (nil
// repIDs: every rep's) into in.byRep and in.mustOf, and returns the
// must-visit doctors that none of the reps is assigned to, in id order.
func (s *Service) loadCoverage(ctx context.Context, in *dayInputs, repIDs []uint) ([]uint, error) {
	var assigns []models.Assignment
	var musts []models.MustVisit
	err := s.parallel(ctx,
		func() (err error) { assigns, err = s.store.Ranking.RankingAssignments(ctx, repIDs); return err },
		func() (err error) { musts, err = s.store.Ranking.OpenMustVisits(ctx, repIDs, in.day); return err },
	)
	if err != nil {
		return nil, err
	}
	for _, a := range assigns {
		in.byRep[a.RepID] = append(in.byRep[a.RepID], a.DoctorID)
	}
	var assigned map[uint]bool
	var unassigned []uint
	for _, m := range musts {
		if assigned == nil {
			assigned = make(map[uint]bool, len(assigns))
			for _, a := range assigns {
				assigned[a.DoctorID] = true
			}
		}
		if !assigned[m.DoctorID] {
			unassigned = append(unassigned, m.DoctorID)
		}
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
	slices.Sort(unassigned)
	return slices.Compact(unassigned), nil
}

// explain makes the picked doctors explainable for the second pass: the
// nightly notes of those ranked by their stored heat, signals for the rest
// (and for a note that cannot be read).
func (s *Service) explain(ctx context.Context, in *dayInputs, ids []uint) error {
	var want, load []uint
	for _, id := range ids {
		if _, ok := in.w.noted[id]; ok {
			want = append(want, id)
		} else {
			load = append(load, id)
		}
	}
	raw, err := s.store.Ranking.HeatNotes(ctx, in.day, want)
	if err != nil {
		return err
	}
	decoded := make([]*ranking.HeatNote, len(want))
	_ = spread(len(want), func(i int) error {
		if text, ok := raw[want[i]]; ok {
			if n, err := ranking.UnmarshalNote(text); err == nil {
				decoded[i] = &n
			}
		}
		return nil
	})
	in.notes = make(map[uint]ranking.HeatNote, len(raw))
	for i, id := range want {
		if decoded[i] == nil {
			load = append(load, id) // deleted meanwhile, or unreadable: explain from the signals
			continue
		}
		in.notes[id] = *decoded[i]
	}
	slices.Sort(load)
	return s.loadSignals(ctx, in.w, load)
}

// fresh reports whether d's stored heat was scored for this very day (the
// nightly run for it): the Top-N then ranks by it instead of recomputing it
// from every signal, which keeps the morning load independent of the signal
// volume. Heat scored for another day, earlier or later, is never used: such
// doctors are scored live as of the day.
func (in *dayInputs) fresh(d *models.Doctor) bool {
	return d.HeatDay == in.day
}

// unexplained lists the picked doctors with neither signals nor a note.
func (in *dayInputs) unexplained(picks map[uint][]ranking.Pick) []uint {
	var out []uint
	for _, ps := range picks {
		for _, p := range ps {
			if !hasNote(in.notes, p.DoctorID) && !in.w.loaded[p.DoctorID] {
				out = append(out, p.DoctorID)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// candidate is doctor id's candidate of the day, nil when not in clinic
// (never a candidate, no need to score). It only reads in: safe to call
// from several goroutines.
func (s *Service) candidate(in *dayInputs, id uint) *ranking.Candidate {
	w := in.w
	d := w.doctors[id]
	if d == nil || len(in.sessOf[id]) == 0 {
		return nil
	}
	c := &ranking.Candidate{DoctorID: id, Sessions: in.sessOf[id], Cancellations: in.cancelOf[id], ProductMatch: in.products[id]}
	switch {
	case w.loaded[id] && in.fresh(d):
		c.Heat = s.heat(w, d)
		c.Heat.Live, c.Heat.Score = c.Heat.Score, d.Heat
	case w.loaded[id]:
		c.Heat = s.heat(w, d)
	case hasNote(in.notes, id):
		c.Heat = in.notes[id].Heat(d.Heat) // a note is of a heat scored for the day
	default: // ranked by the nightly heat; the surge is what the first pass needs of the explanation
		c.Heat = ranking.Heat{Score: d.Heat}
		if n := w.noted[id]; n.SurgeSince != "" {
			c.Heat.Surge = ranking.Surge{Recent: n.SurgeRecent, P: n.SurgeP, Since: n.SurgeSince}
		}
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
	return c
}

// sessionsByDoctor groups the day's sessions by doctor, each doctor's a
// slice of one shared backing array (capacity capped, so an append never
// writes into a neighbour's): one allocation for the field's 26,000
// sessions at 600 reps instead of one or two per doctor.
func sessionsByDoctor(sessions []models.ClinicSession) map[uint][]ranking.Session {
	slices.SortStableFunc(sessions, func(a, b models.ClinicSession) int { return cmp.Compare(a.DoctorID, b.DoctorID) })
	out := make(map[uint][]ranking.Session, len(sessions)/2+1)
	all := make([]ranking.Session, len(sessions))
	for i := 0; i < len(sessions); {
		j := i
		for j < len(sessions) && sessions[j].DoctorID == sessions[i].DoctorID {
			cs := sessions[j]
			all[j] = ranking.Session{Weekday: cs.Weekday, Day: cs.Day, Period: cs.Period}
			j++
		}
		out[sessions[i].DoctorID] = all[i:j:j]
		i = j
	}
	return out
}

// hasNote reports whether notes holds doctor id's.
func hasNote(notes map[uint]ranking.HeatNote, id uint) bool {
	_, ok := notes[id]
	return ok
}

// rank is the pure step: a candidate per doctor in clinic that day (built
// once, shared by all reps covering them), then ranking.Plan per rep. With
// only set, each rep's previous picks are explained again as planned
// (same doctors, periods and route order).
//
// A candidate's heat is the nightly stored heat when fresh (its class points
// and phrases from the nightly note, or from the live signals when loaded,
// the live total then kept in the breakdown as heat_live), else the live
// heat index.
func (s *Service) rank(in *dayInputs, only map[uint][]ranking.Pick) (map[uint][]ranking.Pick, error) {
	// A candidate per doctor in clinic that day, built once (on all cores: a
	// live heat is the costly part) and shared by the reps covering them.
	var ids []uint
	for _, rep := range in.reps {
		if only != nil {
			for _, p := range only[rep.ID] {
				ids = append(ids, p.DoctorID)
			}
			continue
		}
		ids = append(ids, in.byRep[rep.ID]...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	built := make([]*ranking.Candidate, len(ids))
	_ = spread(len(ids), func(i int) error { built[i] = s.candidate(in, ids[i]); return nil })
	cands := make(map[uint]*ranking.Candidate, len(ids))
	for i, id := range ids {
		cands[id] = built[i]
	}
	candidate := func(id uint) *ranking.Candidate { return cands[id] }

	// Each rep's day is planned on its own (ranking.Plan is pure): the reps
	// are split over the cores, each building its rep's list where it plans
	// it in a buffer reused rep after rep (no list outlives its plan: picks
	// copy what they keep), so the field's candidates are not copied into
	// fresh memory a second time.
	opts := s.planOptions()
	picks := make([][]ranking.Pick, len(in.reps))
	var lists sync.Pool
	err := spread(len(in.reps), func(i int) (err error) {
		rep, o := in.reps[i], opts.WithAllowance(in.cycle.routeKM[in.reps[i].ID])
		ids := in.byRep[rep.ID]
		if only != nil {
			ids = make([]uint, len(only[rep.ID]))
			for j, p := range only[rep.ID] {
				ids[j] = p.DoctorID
			}
			o.Keep = only[rep.ID]
		}
		n := 0
		for _, id := range ids {
			if candidate(id) != nil {
				n++
			}
		}
		buf, _ := lists.Get().(*[]ranking.Candidate)
		if buf == nil || cap(*buf) < n {
			b := make([]ranking.Candidate, 0, max(n, 64))
			buf = &b
		}
		defer lists.Put(buf) // the pool dies with this call: nothing outlives the run
		list := (*buf)[:0]
		for _, id := range ids {
			if c := candidate(id); c != nil {
				cc := *c
				cc.Must = in.mustOf[[2]uint{rep.ID, id}]
				list = append(list, cc)
			}
		}
		o.Unexplained = only == nil // the second pass explains
		if picks[i], err = ranking.Plan(ranking.Point{Lat: rep.StartLat, Lng: rep.StartLng}, in.day, list, o); err != nil {
			return fmt.Errorf("rep %s: %w", rep.UserID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[uint][]ranking.Pick, len(in.reps))
	for i, rep := range in.reps {
		out[rep.ID] = picks[i]
	}
	return out, nil
}

// spreadPer is the fewest items worth a goroutine of their own (a rep's
// day plan costs ~0.1 ms).
const spreadPer = 50

// spread runs fn(0…n-1) on up to GOMAXPROCS goroutines, each taking every
// k-th item, and joins the errors: pure per-rep work split over the cores.
func spread(n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/spreadPer))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				errs[i] = fn(i)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
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
