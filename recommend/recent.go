package recommend

import (
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/ranking"
)

// recentFrom is the start of the window whose signals say when a doctor
// was last contacted (cooldown) and last engaged (call targets of tiers
// without a target): the cooldown days before the day, and one more.
func (s *Service) recentFrom(dayStart time.Time) time.Time {
	return dayStart.AddDate(0, 0, -s.cfg.CooldownDays-1)
}

// recentDays is the newest day of a visit-class signal and the newest day
// of a positive signal among sigs in [from, until] ("" for none). The
// nightly scoring keeps both in the doctor's note; the morning run computes
// them the same way for a doctor it scores from signals, which start earlier
// (the lookback is longer than the cooldown).
func recentDays(sigs []ranking.Signal, from, until time.Time, loc *time.Location) (visit, positive string) {
	for _, sg := range sigs {
		if sg.At.Before(from) || sg.At.After(until) {
			continue
		}
		day := clock.Day(sg.At, loc)
		if sg.Class == models.ClassVisit && day > visit {
			visit = day
		}
		if sg.Value > 0 && day > positive {
			positive = day
		}
	}
	return visit, positive
}
