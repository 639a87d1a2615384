// Package recommend runs the ranking for real: it loads a day's inputs from
// the Store in bulk (a handful of queries whatever the number of reps, never
// one per doctor), hands plain structs to package ranking, and persists the
// results: each rep's daily Top-N (recommendations) and the nightly heat
// index, dynamic tiers and tier history of every doctor.
//
// The jobs call Service.ScoreAll (nightly_scores) and Service.TopN
// (morning_push); the CLI and the bot call Service.ForRep.
package recommend

import (
	"fmt"
	"strings"
	"time"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
	"visitbot/ranking"
)

// Service computes and stores heat, tiers and daily recommendations. It is
// safe for concurrent use; the store's unique keys settle races.
type Service struct {
	store  *models.Store
	cfg    config.RankingConfig
	scorer *ranking.Scorer
	// allowRx is compliance.allow_doctor_level_rx, kept to rebuild the scorer
	// when an admin overrides weights.
	allowRx bool
	clock   clock.Clock
	loc     *time.Location
	// plans caches the nightly scoring's shard plan (score_shard.go),
	// shared by the copies effective makes.
	plans *planCache
	// onPhase, when set (benchmarks), receives the duration of each phase
	// of a Top-N run: load, rank (the pure step) and save.
	onPhase func(phase string, d time.Duration)
	// subqueryReps is maxSubqueryReps, lowered by tests to take the id
	// lists' path with a few reps.
	subqueryReps int
}

func (s *Service) observe(phase string, d time.Duration) {
	if s.onPhase != nil {
		s.onPhase(phase, d)
	}
}

// New builds a Service from the ranking and compliance sub-configs. The
// store's clock and business time zone are used for "now" and days.
func New(store *models.Store, cfg config.RankingConfig, compliance config.ComplianceConfig) (*Service, error) {
	sc, err := ranking.NewScorer(cfg, compliance.AllowDoctorLevelRx)
	if err != nil {
		return nil, err
	}
	return &Service{store: store, cfg: cfg, scorer: sc, allowRx: compliance.AllowDoctorLevelRx, clock: store.Clock(), loc: store.Location(), plans: &planCache{}, subqueryReps: maxSubqueryReps}, nil
}

// asOf is the instant heat, tiers and the Top-N of day are computed at: the
// end of the day before (data dated up to D-1 in the business time zone),
// whatever the wall clock says. The 02:10 nightly run for D, a morning run,
// a rerun at noon and a backfill months later therefore see the same data,
// and signals imported later but dated D or after never reach D's list.
func (s *Service) asOf(day string) (time.Time, error) {
	start, err := clock.ParseDay(day, s.loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad day %q (want YYYY-MM-DD): %w", day, err)
	}
	return start.Add(-time.Millisecond), nil
}

// splitRoles parses models.Doctor.Roles ("formulary,insurance_advocate").
func splitRoles(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
