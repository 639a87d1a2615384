package ranking

import (
	"cmp"
	"slices"

	"visitbot/config"
)

// Dynamic tiers, highest first.
const (
	TierS = "S"
	TierA = "A"
	TierB = "B"
	TierC = "C"
)

// tierRank orders tiers: C=1 < B=2 < A=3 < S=4; unknown ("") is 0.
func tierRank(t string) int {
	switch t {
	case TierS:
		return 4
	case TierA:
		return 3
	case TierB:
		return 2
	case TierC:
		return 1
	}
	return 0
}

// TierInput is one doctor's heat and current tier ("" before the first scoring).
type TierInput struct {
	DoctorID  uint
	Territory string
	Heat      float64
	Prev      string
}

// TierResult is a doctor's new tier. Rising is a move up from a known tier
// (not the first assignment): the "rising doctor" event kept for alerts.
type TierResult struct {
	DoctorID   uint
	Territory  string
	Heat       float64
	Percentile float64
	Prev, Tier string
	Changed    bool
	Rising     bool
}

// AssignTiers ranks doctors by heat within each territory and maps the heat
// percentile to S/A/B/C with the configured cut-offs. Hysteresis h stops
// flapping: a doctor moves up only when the percentile clears the higher
// cut-off by h, and down only when it falls h below the cut-off of its
// current tier. Results are in input order.
//
// The percentile is the mid-rank: (below + ties/2) / (n-1), so the hottest
// doctor of a territory is 1 and the coldest 0; a territory of one doctor is 0.5.
func AssignTiers(in []TierInput, cuts config.TierPercentiles, h float64) []TierResult {
	byTerritory := map[string][]int{}
	for i, d := range in {
		byTerritory[d.Territory] = append(byTerritory[d.Territory], i)
	}
	out := make([]TierResult, len(in))
	for _, idx := range byTerritory {
		heats := make([]float64, len(idx))
		for j, i := range idx {
			heats[j] = in[i].Heat
		}
		slices.Sort(heats)
		n := len(heats)
		for _, i := range idx {
			d := in[i]
			p := 0.5
			if n > 1 {
				below, _ := slices.BinarySearch(heats, d.Heat)
				upto, _ := slices.BinarySearchFunc(heats, d.Heat, func(e, t float64) int {
					if e <= t {
						return -1
					}
					return 1
				})
				ties := upto - below - 1
				p = (float64(below) + float64(ties)/2) / float64(n-1)
			}
			t := nextTier(p, d.Prev, cuts, h)
			out[i] = TierResult{
				DoctorID: d.DoctorID, Territory: d.Territory, Heat: d.Heat, Percentile: p,
				Prev: d.Prev, Tier: t, Changed: t != d.Prev,
				Rising: d.Prev != "" && tierRank(t) > tierRank(d.Prev),
			}
		}
	}
	return out
}

// nextTier applies the cut-offs with hysteresis around the previous tier.
func nextTier(p float64, prev string, cuts config.TierPercentiles, h float64) string {
	raw := tierOf(p, cuts, 0)
	if tierRank(prev) == 0 {
		return raw
	}
	if up := tierOf(p, cuts, h); tierRank(up) > tierRank(prev) {
		return up
	}
	if down := tierOf(p, cuts, -h); tierRank(down) < tierRank(prev) {
		return down
	}
	return prev
}

// tierOf maps a percentile to a tier with every cut-off shifted by shift.
func tierOf(p float64, c config.TierPercentiles, shift float64) string {
	switch {
	case p >= c.S+shift:
		return TierS
	case p >= c.A+shift:
		return TierA
	case p >= c.B+shift:
		return TierB
	}
	return TierC
}

// CompareTiers orders tiers for sorting (S first when used descending).
func CompareTiers(a, b string) int { return cmp.Compare(tierRank(a), tierRank(b)) }
