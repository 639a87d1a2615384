package ranking

import (
	"fmt"
	"math"
	"time"
)

// Surge detection: a doctor whose own engagement jumps is news whatever
// their level. The heat index is a level (decayed counts over months, with a
// prior from title and hospital), so a doctor of a modest prior whose
// engagement doubles moves up only weeks later; comparing the doctor with
// their own past sees the change within days.
const (
	// SurgeWindowDays is the recent window compared with the baseline.
	SurgeWindowDays = 14
	// SurgeBaselineDays is the window before it that sets the doctor's own
	// rate (a history shorter than this reads as a lower rate: more
	// surges in a company's first months).
	SurgeBaselineDays = 84
	// SurgeMinSignals is the least number of recent engagement signals
	// that can make a surge (one or two are chance for anyone).
	SurgeMinSignals = 3
	// SurgeMaxP is the chance, at the baseline rate, of seeing as many
	// recent signals or more, below which the recent window is a surge.
	SurgeMaxP = 0.01
)

// Surge is how a doctor's recent engagement compares with their own
// baseline: positive signals of the engagement classes (those the doctor
// does: every class of positive weight except filing, rx_trend and visit,
// which are master data, flow data and the rep's own doing).
type Surge struct {
	// Recent counts the engagement signals of the last SurgeWindowDays;
	// Expected is what the baseline rate predicts for such a window.
	Recent   int     `json:"n"`
	Expected float64 `json:"e"`
	// Baseline counts the engagement signals of the SurgeBaselineDays before.
	Baseline int `json:"b"`
	// P is the chance of Recent or more at the baseline rate (Poisson upper
	// tail), 1 when nothing was seen.
	P float64 `json:"p"`
	// Since is the day ("2006-01-02", in now's location) of the earliest
	// recent signal: a contact on or after it has seen the surge.
	Since string `json:"since"`
}

// Rising reports whether the recent window is a surge.
func (s Surge) Rising() bool { return s.Recent >= SurgeMinSignals && s.P <= SurgeMaxP }

// surgeOf compares the engagement signals (sorted by time, none after now)
// of the window before now with the baseline before it.
func (s *Scorer) surgeOf(sigs []Signal, now time.Time) Surge {
	recentFrom := now.AddDate(0, 0, -SurgeWindowDays)
	baseFrom := recentFrom.AddDate(0, 0, -SurgeBaselineDays)
	out := Surge{P: 1}
	base := 0
	for _, sg := range sigs {
		i := classIndex(sg.Class)
		if i < 0 || sg.Value <= 0 || !s.engagement(i) || sg.At.Before(baseFrom) {
			continue
		}
		if sg.At.Before(recentFrom) {
			base++
			continue
		}
		if out.Recent == 0 {
			out.Since = sg.At.In(now.Location()).Format("2006-01-02")
		}
		out.Recent++
	}
	// One pseudo-signal in the baseline: a doctor never seen before is not
	// surging on the first few signals of a new channel alone.
	out.Baseline = base
	out.Expected = float64(base+1) * SurgeWindowDays / SurgeBaselineDays
	if out.Recent > 0 {
		out.P = poissonTail(out.Recent, out.Expected)
	}
	return out
}

// engagement reports whether class i is one of the doctor's own engagement
// classes under the scorer's weights.
func (s *Scorer) engagement(i int) bool {
	switch classes[i] {
	case ClassFiling, ClassRxTrend, ClassVisit:
		return false
	}
	return s.weights[i] > 0
}

// poissonTail is P(X ≥ k) for X ~ Poisson(lambda), k ≥ 1.
func poissonTail(k int, lambda float64) float64 {
	term, below := math.Exp(-lambda), 0.0
	for i := 0; i < k; i++ {
		below += term
		term *= lambda / float64(i+1)
	}
	return math.Max(0, 1-below)
}

// SurgePhrase is the reason of a surging pick: the recent count against
// the doctor's own earlier rate ("近14天互动5次，此前平均每14天0.5次").
func SurgePhrase(s Surge) string {
	before := float64(s.Baseline) * SurgeWindowDays / SurgeBaselineDays
	return fmt.Sprintf("近%d天互动%d次，此前平均每%d天%.1f次", SurgeWindowDays, s.Recent, SurgeWindowDays, before)
}
