package recommend

import (
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/ranking"
)

// recentFrom is the start of the window whose positive signals say a doctor
// engaged lately (what makes a doctor of a tier without a call target due):
// the cooldown days before the day, and one more.
func (s *Service) recentFrom(dayStart time.Time) time.Time {
	return dayStart.AddDate(0, 0, -s.cfg.CooldownDays-1)
}

// contactDays is how far back a visit or a list still tells how due a
// doctor is: twice the longest call target (from twice its target on, a
// doctor is overdue whether the last contact is further back or missing),
// and at least the rest and cooldown days. A shorter window makes a B doctor
// (monthly) visited five weeks ago look never contacted, hence overdue, and
// the day drives out of its budget to them.
func (s *Service) contactDays() int {
	t := s.cfg.CallTargets
	return max(2*max(t.S, t.A, t.B, t.C, s.cfg.RestDays), s.cfg.CooldownDays+1, 1)
}

// contactFrom is the start of the contactDays window before dayStart.
func (s *Service) contactFrom(dayStart time.Time) time.Time {
	return dayStart.AddDate(0, 0, -s.contactDays())
}

// recentDays is the newest day of a visit-class signal in [visitFrom,
// until] and the newest day of a positive signal in [positiveFrom, until]
// among sigs ("" for none). The nightly scoring keeps both in the doctor's
// note; the morning run computes them the same way for a doctor it scores
// from signals. Visits older than the signals loaded (the heat's lookback,
// 150 days at the default half-life) are not seen.
func recentDays(sigs []ranking.Signal, visitFrom, positiveFrom, until time.Time, loc *time.Location) (visit, positive string) {
	for _, sg := range sigs {
		isVisit := sg.Class == models.ClassVisit && !sg.At.Before(visitFrom)
		isPositive := sg.Value > 0 && !sg.At.Before(positiveFrom)
		if sg.At.After(until) || !isVisit && !isPositive {
			continue
		}
		day := clock.Day(sg.At, loc)
		if isVisit {
			visit = max(visit, day)
		}
		if isPositive {
			positive = max(positive, day)
		}
	}
	return visit, positive
}
