package seed

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"visitbot/models"
)

func (w *world) genHospitals() {
	n := min(max(int(math.Round(float64(w.opts.Doctors)/doctorsPerHospital)), 1), maxHospitals)
	for i := 0; i < n && i < len(realHospitals); i++ {
		h := realHospitals[i]
		w.hospitals = append(w.hospitals, hospital{Name: h.Name, Level: h.Level, District: h.District,
			Lat: clamp(h.Lat, minLat, maxLat), Lng: clamp(h.Lng, minLng, maxLng), Profile: h.Profile})
	}
	// The rest round-robin over the districts, each alternating district
	// hospitals and community health centres, then numbered community stations.
	next := make([]int, len(districts))
	for d := 0; len(w.hospitals) < n; d = (d + 1) % len(districts) {
		dist := districts[d]
		j := next[d]
		next[d]++
		r := newRand(w.opts.Seed, streamHospitals, uint64(len(w.hospitals)))
		h := hospital{District: dist.Name, Level: models.LevelCommunity, Profile: profileCommunity}
		cands := districtCandidates(dist)
		switch c := cands[min(j, len(cands)-1)]; {
		case j >= len(cands):
			k := j - len(cands)
			h.Name = fmt.Sprintf("杭州市%s%s第%d社区卫生服务站", dist.Name, dist.Streets[k%len(dist.Streets)], k/len(dist.Streets)+1)
		case c.hospital >= 0:
			h.Name, h.Level, h.Profile = dist.Hospitals[c.hospital], models.Level2, profileGeneral
			if c.hospital == 0 {
				h.Level = models.Level3
			}
		default:
			h.Name = "杭州市" + dist.Name + dist.Streets[c.street] + "社区卫生服务中心"
		}
		// Uniform in a disc of ~3.5 km around the district centre.
		rad, ang := 0.035*math.Sqrt(r.Float64()), 2*math.Pi*r.Float64()
		h.Lat = clamp(dist.Lat+rad*math.Sin(ang), minLat, maxLat)
		h.Lng = clamp(dist.Lng+rad*math.Cos(ang)*1.15, minLng, maxLng)
		w.hospitals = append(w.hospitals, h)
	}
	for i := range w.hospitals {
		w.hospitals[i].ExternalID = fmt.Sprintf("H%04d", i+1)
		w.hospitals[i].Lat = round(w.hospitals[i].Lat, 6)
		w.hospitals[i].Lng = round(w.hospitals[i].Lng, 6)
	}
}

// candidate is a generated hospital of a district: one of its district
// hospitals (hospital ≥ 0) or the community health centre of a street.
type candidate struct{ hospital, street int }

// districtCandidates interleaves a district's hospitals with its community
// health centres: hospital, centre, hospital, centre, …
func districtCandidates(d district) []candidate {
	var out []candidate
	h, s := 0, 0
	for h < len(d.Hospitals) || s < len(d.Streets) {
		if h < len(d.Hospitals) && (len(out)%2 == 0 || s >= len(d.Streets)) {
			out = append(out, candidate{h, -1})
			h++
			continue
		}
		out = append(out, candidate{-1, s})
		s++
	}
	return out
}

// hospitalWeight is the relative number of doctors (in our departments) a hospital has.
func hospitalWeight(h hospital) float64 {
	switch h.Level {
	case models.Level3A:
		return 30
	case models.Level3:
		return 14
	case models.Level2:
		return 8
	}
	return 3
}

// apportion splits total into len(weights) parts ∝ weights, each ≥ 1
// (largest remainder, ties by index, so it is deterministic).
func apportion(total int, weights []float64) []int {
	out := make([]int, len(weights))
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	rest := total - len(weights)
	type frac struct {
		i int
		f float64
	}
	fr := make([]frac, len(weights))
	left := rest
	for i, w := range weights {
		exact := float64(rest) * w / sum
		out[i] = 1 + int(exact)
		left -= int(exact)
		fr[i] = frac{i, exact - math.Floor(exact)}
	}
	slices.SortStableFunc(fr, func(a, b frac) int { return cmp.Compare(b.f, a.f) })
	for k := 0; k < left; k++ {
		out[fr[k%len(fr)].i]++
	}
	return out
}
