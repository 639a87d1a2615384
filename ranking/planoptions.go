package ranking

import "visitbot/config"

// PlanOptionsOf are the Top-N settings of the ranking configuration: what
// the morning run plans with (package recommend) and what a backtest replays
// with (package ranking/backtest), from one place.
func PlanOptionsOf(c config.RankingConfig) PlanOptions {
	return PlanOptions{
		TopN: c.TopN, CooldownDays: c.CooldownDays, RestDays: c.RestDays, DueBoost: c.DueBoost,
		Targets: CallTargets{S: c.CallTargets.S, A: c.CallTargets.A, B: c.CallTargets.B, C: c.CallTargets.C},
		Route: RouteOptions{
			SpeedKMH: c.Route.SpeedKMH, RoadFactor: c.Route.RoadFactor, TravelBudgetMinutes: c.Route.TravelBudgetMinutes, KMPerDay: c.Route.KMPerDay,
			VisitMinutes: c.Route.VisitMinutes, PeriodMinutes: c.Route.PeriodMinutes,
		},
	}
}
