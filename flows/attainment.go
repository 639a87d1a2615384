package flows

import (
	"context"
	"fmt"

	"visitbot/clock"
	"visitbot/ranking"
)

// TierAttainment is one tier's call-target attainment (目标覆盖达成率): the
// doctors of the tier met within the tier's target (ranking.call_targets).
type TierAttainment = ranking.TierAttainment

// TargetAttainment is the attainment by tier of the doctors (id → current
// tier) as of day ("2006-01-02"): one visit-stats query over the longest
// target. The dashboard and the weekly digest show it.
func (f *Flows) TargetAttainment(ctx context.Context, tiers map[uint]string, day string) ([]TierAttainment, error) {
	t := f.d.Config.Ranking.CallTargets
	targets := ranking.CallTargets{S: t.S, A: t.A, B: t.B, C: t.C}
	date, err := clock.ParseDay(day, f.d.Config.Location)
	if err != nil {
		return nil, fmt.Errorf("target attainment: %w", err)
	}
	ids := make([]uint, 0, len(tiers))
	for id := range tiers {
		ids = append(ids, id)
	}
	longest := max(t.S, t.A, t.B, t.C, 1)
	stats, err := f.d.Ranking.VisitStats(ctx, uniqueIDs(ids), clock.Day(date.AddDate(0, 0, -longest), f.d.Config.Location), day)
	if err != nil {
		return nil, fmt.Errorf("target attainment: %w", err)
	}
	docs := make([]ranking.AttainmentDoctor, 0, len(tiers))
	for id, tier := range tiers {
		docs = append(docs, ranking.AttainmentDoctor{Tier: tier, LastMet: stats[id].LastMet})
	}
	return ranking.Attainment(docs, date, targets), nil
}
