package ranking

// route orders the chosen visits: AM before PM, must-visits first inside each
// half-day, the rest nearest-neighbour from where the rep is (the start
// point, then the previous stop). A doctor seen in both periods goes to the
// half-day with fewer stops so far, in choice order. Without a known start
// the first stop is the first choice of the half-day.
func route(start Point, chosen []*scored) []Pick {
	var am, pm []*scored
	for _, s := range chosen {
		switch {
		case len(s.periods) == 2:
			continue
		case s.periods[0] == PeriodAM:
			am = append(am, s)
		default:
			pm = append(pm, s)
		}
	}
	for _, s := range chosen {
		if len(s.periods) == 2 {
			if len(am) <= len(pm) {
				am = append(am, s)
			} else {
				pm = append(pm, s)
			}
		}
	}
	out := make([]Pick, 0, len(chosen))
	at := start
	for _, half := range []struct {
		period string
		stops  []*scored
	}{{PeriodAM, am}, {PeriodPM, pm}} {
		var must, rest []*scored
		for _, s := range half.stops {
			if s.kind == KindRanked {
				rest = append(rest, s)
			} else {
				must = append(must, s)
			}
		}
		for _, group := range [][]*scored{must, rest} {
			for len(group) > 0 {
				i := nearest(at, group)
				s := group[i]
				group = append(group[:i], group[i+1:]...)
				if s.c.Location.Known() {
					at = s.c.Location
				}
				out = append(out, Pick{
					DoctorID: s.c.DoctorID, Rank: len(out) + 1, Kind: s.kind, Score: s.factors["score"],
					Heat: s.factors["heat"], Period: half.period, DistanceM: s.distM,
					Reasons: s.reasons, Breakdown: s.factors,
				})
			}
		}
	}
	return out
}

// nearest is the index of the stop closest to at; the first stop when at or
// the stops have no known location (keeps choice order).
func nearest(at Point, stops []*scored) int {
	if !at.Known() {
		return 0
	}
	best, bestD := 0, -1.0
	for i, s := range stops {
		if !s.c.Location.Known() {
			continue
		}
		if d := DistanceM(at, s.c.Location); bestD < 0 || d < bestD {
			best, bestD = i, d
		}
	}
	return best
}
