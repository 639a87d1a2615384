package ranking

import "time"

// AttainmentDoctor is one doctor as the call-target attainment sees them:
// their tier and newest met visit ("2006-01-02", "" if none).
type AttainmentDoctor struct {
	Tier, LastMet string
}

// TierAttainment is 目标覆盖达成率 of one tier on a day: of Total doctors of
// the tier, Met were visited within the tier's target (TargetDays).
type TierAttainment struct {
	Tier       string  `json:"tier"`
	TargetDays int     `json:"target_days"`
	Met        int     `json:"met"`
	Total      int     `json:"total"`
	Rate       float64 `json:"rate"`
}

// Attainment is the call-target attainment of each tier with a target
// (S, A, B, C in order; a tier without a target is left out) as of day.
func Attainment(docs []AttainmentDoctor, day time.Time, t CallTargets) []TierAttainment {
	var out []TierAttainment
	for _, tier := range []string{TierS, TierA, TierB, TierC} {
		target := t.Of(tier)
		if target == 0 {
			continue
		}
		a := TierAttainment{Tier: tier, TargetDays: target}
		for _, d := range docs {
			if d.Tier != tier {
				continue
			}
			a.Total++
			if days := daysBefore(d.LastMet, day); days >= 0 && days < target {
				a.Met++
			}
		}
		if a.Total > 0 {
			a.Rate = float64(a.Met) / float64(a.Total)
		}
		out = append(out, a)
	}
	return out
}
