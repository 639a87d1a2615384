package flows

import (
	"math"

	"visitbot/config"
)

// QualityInput is what the visit quality score looks at.
type QualityInput struct {
	// Answered is how many of the form's parts were answered (of Parts).
	Answered, Parts int
	Commitment      bool // a commitment other than 无
	FollowUp        bool // a next follow-up was set
	OnPlan          bool // the visit was on the accepted plan
	Verified        bool // check-in inside the geofence
	KeyCustomer     bool // KOL, or dynamic tier S/A
}

// QualityScore is the visit quality score, 0–100:
//
//	completeness × Answered/Parts + commitment + follow_up + on_plan + verified + kol
//
// with the points from visits.quality_weights (default 25/25/15/15/10/10).
// It rewards a useful visit, never the number of check-ins.
func QualityScore(in QualityInput, w config.QualityWeights) float64 {
	score := 0.0
	if in.Parts > 0 {
		score += w.Completeness * float64(min(in.Answered, in.Parts)) / float64(in.Parts)
	}
	for _, part := range []struct {
		on bool
		w  float64
	}{{in.Commitment, w.Commitment}, {in.FollowUp, w.FollowUp}, {in.OnPlan, w.OnPlan}, {in.Verified, w.Verified}, {in.KeyCustomer, w.KOL}} {
		if part.on {
			score += part.w
		}
	}
	return math.Round(math.Min(100, score)*10) / 10
}
