package ranking

import (
	"math"
	"time"
)

// CallTargets are the call-frequency targets in days per dynamic tier
// (config ranking.call_targets): S weekly, A every two weeks, B monthly, C
// when a signal fires (0). A tier without a target (0) is due when the
// doctor has a positive signal newer than the last contact.
type CallTargets struct{ S, A, B, C int }

// Of is the target of a tier (0 for an unknown tier).
func (t CallTargets) Of(tier string) int {
	switch tier {
	case TierS:
		return t.S
	case TierA:
		return t.A
	case TierB:
		return t.B
	case TierC:
		return t.C
	}
	return 0
}

// Due is how a doctor stands against the tier's call target on a day.
type Due struct {
	Tier       string
	TargetDays int
	// SinceDays is the days since the last contact (a visit, or a list the
	// doctor was on); -1 when there was none.
	SinceDays int
	// Ratio is SinceDays/TargetDays (2 when never contacted, 1 for a signal
	// that fired with no target); 0 when not due by a signal.
	Ratio float64
	// Due: the target has passed (or, without a target, a signal fired).
	Due bool
	// Overdue: twice the target has passed — the doctor must not stay off
	// the lists any longer, so the day may reach them beyond the travel budget.
	Overdue bool
}

// DueOn computes a doctor's standing on date. lastContact is the newest day
// ("2006-01-02") the doctor was visited or listed, lastSignal the newest day
// of a positive signal; either may be "".
func DueOn(tier, lastContact, lastSignal string, date time.Time, targets CallTargets) Due {
	d := Due{Tier: tier, TargetDays: targets.Of(tier), SinceDays: -1}
	if t, ok := parseDay(lastContact); ok {
		d.SinceDays = max(0, int(math.Round(date.Sub(t).Hours()/24)))
	}
	if tier == "" {
		return d // not scored yet: no standing
	}
	if d.TargetDays == 0 {
		if lastSignal != "" && lastSignal > lastContact {
			d.Ratio, d.Due = 1, true
		}
		return d
	}
	if d.SinceDays < 0 {
		d.Ratio = 2
	} else {
		d.Ratio = float64(d.SinceDays) / float64(d.TargetDays)
	}
	d.Due, d.Overdue = d.Ratio >= 1, d.Ratio >= 2
	return d
}

// Factor is the value multiplier of the standing with boost b
// (config ranking.due_boost): a doctor not yet due waits (1 - b/2 just after
// a contact, rising to 1), a due one gains (1 + b/2 at the target, up to
// 1 + b at twice the target). Without a standing (no tier, no signal) 1.
func (d Due) Factor(b float64) float64 {
	switch {
	case d.Due:
		return 1 + b*min(d.Ratio, 2)/2
	case d.TargetDays > 0:
		return 1 - b*(1-d.Ratio)/2
	}
	return 1
}
