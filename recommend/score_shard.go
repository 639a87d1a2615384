package recommend

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"visitbot/models"
	"visitbot/ranking"
)

// territories maps each covered doctor to its territory: that of the
// lowest-id rep covering them (assignments come ordered by rep id).
func (s *Service) territories(ctx context.Context) (map[uint]string, error) {
	reps, err := s.store.Users.Users(ctx, models.RoleRep)
	if err != nil {
		return nil, err
	}
	territoryOfRep := make(map[uint]string, len(reps))
	for _, r := range reps {
		territoryOfRep[r.ID] = r.Territory
	}
	assigns, err := s.store.Ranking.RankingAssignments(ctx, nil)
	if err != nil {
		return nil, err
	}
	territory := make(map[uint]string, len(assigns))
	for _, a := range assigns {
		if _, ok := territory[a.DoctorID]; !ok && territoryOfRep[a.RepID] != "" {
			territory[a.DoctorID] = territoryOfRep[a.RepID]
		}
	}
	return territory, nil
}

// TerritoryShard is the shard (0…n-1) of the nightly scoring that tiers
// territory: a hash, so every replica agrees without coordination and a
// territory is never split.
func TerritoryShard(territory string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(territory))
	return int(h.Sum32() % uint32(n))
}

// planFor is how long a shard plan is reused: the shards of one nightly
// run follow each other within minutes; the next night plans afresh.
const planFor = 30 * time.Minute

// planCache holds the latest shard plan of this process: every shard of a
// run needs the territory of every doctor (300,000 assignments and doctor
// rows at national scale), which is read once per run instead of per shard.
type planCache struct {
	mu   sync.Mutex
	plan *shardPlan
	// calendar is the series calendar of the latest sharded run (see
	// shardCalendar).
	calendar *runCalendar
	// world is the hospitals and flow trends of the latest sharded run
	// (see shardWorld).
	world *runWorld
}

// runWorld is what every shard of one day's run reads alike besides the
// calendar: every hospital and the departments' flow trends as of the day.
// Its maps are only read once kept, so shards share them.
type runWorld struct {
	day       string
	at        time.Time
	hospitals map[uint]models.Hospital
	trends    map[ranking.DeptKey]ranking.Trend
}

// runCalendar is a series calendar inferred for one as-of instant and
// one set of series kinds.
type runCalendar struct {
	key string
	at  time.Time
	cal *ranking.Calendar
}

// shardPlan is the doctors of each territory shard of day's run in n shards.
type shardPlan struct {
	day       string
	n         int
	at        time.Time
	territory map[uint]string
	shards    [][]uint
}

// shardDoctors returns the covered doctors' territories and the doctors of
// the territories of shard k of n, in id order (nil ids for a single shard:
// every doctor, unfiltered). A doctor no rep covers belongs to their
// hospital's city, read from the light (id, hospital) listing rather than
// the doctors' rows.
func (s *Service) shardDoctors(ctx context.Context, day string, k, n int) (map[uint]string, []uint, error) {
	if n <= 1 {
		territory, err := s.territories(ctx)
		return territory, nil, err
	}
	s.plans.mu.Lock()
	defer s.plans.mu.Unlock()
	if p := s.plans.plan; p != nil && p.day == day && p.n == n && s.clock.Now().Sub(p.at) < planFor {
		return p.territory, p.shards[k], nil
	}
	territory, err := s.territories(ctx)
	if err != nil {
		return nil, nil, err
	}
	docs, err := s.store.Ranking.DoctorHospitals(ctx)
	if err != nil {
		return nil, nil, err
	}
	hs, err := s.store.Ranking.RankingHospitals(ctx)
	if err != nil {
		return nil, nil, err
	}
	city := make(map[uint]string, len(hs))
	for _, h := range hs {
		city[h.ID] = h.City
	}
	p := &shardPlan{day: day, n: n, at: s.clock.Now(), territory: territory, shards: make([][]uint, n)}
	for i := range p.shards {
		p.shards[i] = []uint{}
	}
	for _, d := range docs {
		t, ok := territory[d.ID]
		if !ok {
			t = city[d.HospitalID]
		}
		j := TerritoryShard(t, n)
		p.shards[j] = append(p.shards[j], d.ID)
	}
	s.plans.plan = p
	return territory, p.shards[k], nil
}

// tiersBefore is each doctor's tier as of the day before day: of the given
// doctors only (a shard), or of all for nil.
func (s *Service) tiersBefore(ctx context.Context, day string, ids []uint) (map[uint]string, error) {
	if ids == nil {
		return s.store.Ranking.TiersBefore(ctx, day)
	}
	return s.store.Ranking.TiersBeforeOf(ctx, day, ids)
}

// shardCalendar is queryCalendar for shard k of n of a nightly run. The
// calendar is inferred from everyone's signals, so it is the same for every
// shard of the run; at national scale the grouped query over the window's
// attendances is a pass over every signal (5–9 s on MariaDB at first, 1.4 s
// of its CPU with a warm buffer pool). A process's later shards take it
// from the cache for planFor; a process's first shard takes it from the
// setting that the replica which sharded the run wrote (PrepareScoreRun),
// so N replicas do not make N passes. A single shard (n ≤ 1) always
// queries.
func (s *Service) shardCalendar(ctx context.Context, asOf time.Time, n int) (*ranking.Calendar, error) {
	if n <= 1 {
		return s.queryCalendar(ctx, asOf)
	}
	classes, kinds := s.scorer.SeriesKinds()
	key := fmt.Sprintf("%d %d %q %q", asOf.Unix(), s.scorer.CalendarDays(), classes, kinds)
	s.plans.mu.Lock()
	defer s.plans.mu.Unlock()
	if c := s.plans.calendar; c != nil && c.key == key && s.clock.Now().Sub(c.at) < planFor {
		return c.cal, nil
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	setting := fmt.Sprintf("%s%016x", runCalendarSetting, h.Sum64())
	cal, err := s.readCalendar(ctx, setting)
	if err != nil {
		return nil, err
	}
	if cal == nil {
		if cal, err = s.queryCalendar(ctx, asOf); err != nil {
			return nil, err
		}
		if err := s.writeCalendar(ctx, setting, cal, planFor); err != nil {
			return nil, err
		}
	}
	s.plans.calendar = &runCalendar{key: key, at: s.clock.Now(), cal: cal}
	return cal, nil
}

// runCalendarSetting prefixes the setting through which a nightly run's
// series calendar passes from the replica that inferred it to the others,
// for planFor (the setting expires then), keyed by a hash of the as-of
// instant, the window and the series kinds.
const runCalendarSetting = "ranking_calendar_run:"

// PrepareScoreRun infers the series calendar of day's nightly run of n
// shards once, before its shards exist, and keeps it for the run's other
// replicas (shardCalendar): the replica that shards the run calls it, and
// the others, which wait for the shards, start from it. Nothing for n ≤ 1.
func (s *Service) PrepareScoreRun(ctx context.Context, day string, n int) error {
	if n <= 1 {
		return nil
	}
	s, err := s.effective(ctx)
	if err != nil {
		return fmt.Errorf("prepare scoring: %w", err)
	}
	asOf, err := s.asOf(day)
	if err != nil {
		return fmt.Errorf("prepare scoring: %w", err)
	}
	if _, err := s.shardCalendar(ctx, asOf, n); err != nil {
		return fmt.Errorf("prepare scoring: %w", err)
	}
	return nil
}

// shardWorld is loadWorld for the doctors ids of a shard of a run of n
// shards, with the flow trends loaded (n > 1). Every hospital and every
// department's flow are the same for all shards of the run; at national
// scale they took ≈ 1.2 s a shard to read, so a process's first shard of
// the day reads them and its later shards reuse them for planFor, like the
// shard plan and the calendar. A single shard (n ≤ 1) always reads.
func (s *Service) shardWorld(ctx context.Context, day string, ids []uint, n int) (*world, error) {
	if n <= 1 {
		return s.loadWorld(ctx, day, ids, nil) // the signal load reads the trends beside the signals
	}
	s.plans.mu.Lock()
	shared := s.plans.world
	s.plans.mu.Unlock()
	if shared != nil && shared.day == day && s.clock.Now().Sub(shared.at) < planFor {
		w, err := s.loadWorld(ctx, day, ids, shared.hospitals)
		if err != nil {
			return nil, err
		}
		w.trends, w.trendsLoaded = shared.trends, true
		return w, nil
	}
	start := time.Now()
	w, err := s.loadWorld(ctx, day, ids, nil)
	if err != nil {
		return nil, err
	}
	if err := s.loadTrends(ctx, w); err != nil {
		return nil, err
	}
	s.observe("world", time.Since(start))
	s.plans.mu.Lock()
	s.plans.world = &runWorld{day: day, at: s.clock.Now(), hospitals: w.hospitals, trends: w.trends}
	s.plans.mu.Unlock()
	return w, nil
}
