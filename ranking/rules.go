package ranking

import (
	"fmt"
	"strings"
	"time"

	"visitbot/config"
)

// Rule is a configured signal rule (config ranking.rules): when a doctor has
// Count signals of kind When in Class (consecutively, or within WithinDays),
// the class sub-score is multiplied by Multiply (capped at 1) and/or Add heat
// points are added. Rules only boost when Multiply >= 1 and Add >= 0, which
// keeps the heat index monotonic in positive signals.
type Rule struct {
	cfg   config.RuleConfig
	class int
}

// RuleHit is a rule that fired for a doctor, with its Chinese reason.
type RuleHit struct {
	Name   string
	Class  string
	Count  int
	Reason string
}

func newRule(c config.RuleConfig) (Rule, error) {
	i := classIndex(c.Class)
	if i < 0 {
		return Rule{}, fmt.Errorf("rule %q: unknown signal class %q", c.Name, c.Class)
	}
	if c.Multiply < 0 {
		return Rule{}, fmt.Errorf("rule %q: multiply must not be negative", c.Name)
	}
	return Rule{cfg: c, class: i}, nil
}

// match counts the qualifying signals. sigs are the doctor's signals sorted by
// time, none after now. For a consecutive rule the count is the trailing
// streak of When signals: with a calendar of When's series, the latest days
// of the doctor's series that the doctor attended in a row (a day held
// without them is a miss, recorded or not); without one, the doctor's own
// trailing When signals, which a signal of the same class with Value <= 0 (a
// recorded miss) ends and a positive signal of another kind does not.
func (r Rule) match(sigs []Signal, now time.Time, cal *Calendar) int {
	var since time.Time
	if r.cfg.WithinDays > 0 {
		since = now.AddDate(0, 0, -r.cfg.WithinDays)
	}
	if r.cfg.Consecutive && r.cfg.When != "" && cal.knows(r.cfg.When) {
		attended, missed := map[string]bool{}, map[string]bool{}
		for _, s := range sigs {
			if s.Class != r.cfg.Class || s.At.Before(since) {
				continue
			}
			switch {
			case s.Value > 0 && s.Kind == r.cfg.When:
				attended[cal.day(s.At)] = true
			case s.Value <= 0:
				missed[cal.day(s.At)] = true
			}
		}
		return cal.run(r.cfg.When, attended, missed, cal.day(now))
	}
	n := 0
	for i := len(sigs) - 1; i >= 0; i-- {
		s := sigs[i]
		if s.Class != r.cfg.Class {
			continue
		}
		if s.At.Before(since) {
			break
		}
		hit := s.Value > 0 && (r.cfg.When == "" || s.Kind == r.cfg.When)
		switch {
		case hit:
			n++
		case r.cfg.Consecutive && s.Value <= 0:
			return n
		}
	}
	return n
}

// fires reports whether n qualifying signals trigger the rule.
func (r Rule) fires(n int) bool { return n > 0 && n >= max(r.cfg.Count, 1) }

func (r Rule) reason(n int) string {
	switch {
	case r.cfg.Reason == "":
		return ""
	case strings.Contains(r.cfg.Reason, "%d"):
		return fmt.Sprintf(r.cfg.Reason, n)
	}
	return r.cfg.Reason
}
