package recommend

import (
	"context"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/ranking"
)

// risingWindowDays is how recent a move up a tier must be to be the reason
// "层级由B升至A" on a list.
const risingWindowDays = 7

// cycle is what the call-frequency targets and the travel allowance need
// of a day, loaded in bulk: tiers as of the day, recent moves up, the last
// day each doctor was listed, their newest recent positive signal and each
// rep's route km of the latest lists.
type cycle struct {
	// tierOf holds the history's tier for doctors whose stored tier was not
	// scored for the day (nil when every candidate's is).
	tierOf     map[uint]string
	roseFrom   map[uint]string
	lastListed map[uint]string
	lastSignal map[uint]string
	// routeKM is each rep's route km of the lists of the
	// ranking.AllowanceWindowDays before the day, newest first
	// (ranking.RouteOptions.Allowance).
	routeKM map[uint][]float64
}

// loadCycle reads the cycle inputs of the reps' day: recent moves up a
// tier of the doctors, the last day each doctor was listed and the reps'
// recent route km (three small queries).
func (s *Service) loadCycle(ctx context.Context, in *dayInputs, doctors models.DoctorSet) (*cycle, error) {
	cy := &cycle{roseFrom: map[uint]string{}, lastSignal: map[uint]string{}}
	dayStart, _ := clock.ParseDay(in.day, s.loc)
	prev := clock.Day(dayStart.Add(-time.Hour), s.loc)
	repIDs := make([]uint, len(in.reps))
	for i, r := range in.reps {
		repIDs[i] = r.ID
	}
	var rising []models.TierChange
	start := time.Now()
	defer func() { s.observe("cycle", time.Since(start)) }()
	err := s.parallel(ctx,
		func() (err error) {
			rising, err = s.store.Ranking.RisingDoctorsOf(ctx, clock.Day(dayStart.AddDate(0, 0, -risingWindowDays), s.loc), doctors)
			return err
		},
		func() (err error) {
			cy.lastListed, err = s.store.Ranking.LastListed(ctx, repIDs, clock.Day(s.contactFrom(dayStart), s.loc), prev)
			return err
		},
		func() (err error) {
			cy.routeKM, err = s.store.Ranking.RecentRouteKM(ctx, repIDs, clock.Day(dayStart.AddDate(0, 0, -ranking.AllowanceWindowDays), s.loc), prev)
			return err
		},
	)
	if err != nil {
		return nil, err
	}
	for _, tc := range rising { // newest first: keep the latest move up dated up to the day
		if _, seen := cy.roseFrom[tc.DoctorID]; !seen && tc.Day <= in.day && tc.FromTier != "" {
			cy.roseFrom[tc.DoctorID] = tc.FromTier
		}
	}
	return cy, nil
}

// loadTiers reads the tier history as of the day when some in-clinic
// doctor's stored tier was not scored for the day (none in the morning run
// after the night).
func (s *Service) loadTiers(ctx context.Context, in *dayInputs, inClinic []uint) error {
	for _, id := range inClinic {
		if d := in.w.doctors[id]; d != nil && !in.fresh(d) {
			dayStart, _ := clock.ParseDay(in.day, s.loc)
			var err error
			in.cycle.tierOf, err = s.store.Ranking.TiersBefore(ctx, clock.Day(dayStart.AddDate(0, 0, 1), s.loc))
			return err
		}
	}
	return nil
}

// fill sets a candidate's cycle fields.
func (cy *cycle) fill(c *ranking.Candidate, d *models.Doctor, fresh bool) {
	c.Tier = d.Tier
	if !fresh {
		c.Tier = cy.tierOf[d.ID]
	}
	c.RoseFrom, c.LastListed, c.LastSignal = cy.roseFrom[d.ID], cy.lastListed[d.ID], cy.lastSignal[d.ID]
}

// planOptions are the Top-N settings of the configuration.
func (s *Service) planOptions() ranking.PlanOptions { return ranking.PlanOptionsOf(s.cfg) }
