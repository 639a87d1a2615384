package seed

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// genPeople splits the doctors into contiguous rep territories (districts in
// ring order, hospitals by bearing from the district centre, departments in
// catalogue order) and the reps into manager teams.
func (w *world) genPeople() {
	order := make([]int, len(w.doctors))
	for i := range order {
		order[i] = i
	}
	bearing := func(h hospital) float64 {
		c := districts[districtIndex(h.District)]
		return math.Atan2(h.Lat-c.Lat, h.Lng-c.Lng)
	}
	deptIdx := func(d string) int { return slices.Index(departments, d) }
	slices.SortStableFunc(order, func(a, b int) int {
		da, db := w.doctors[a], w.doctors[b]
		ha, hb := w.hospitals[da.Hospital], w.hospitals[db.Hospital]
		return cmp.Or(
			cmp.Compare(districtIndex(ha.District), districtIndex(hb.District)),
			cmp.Compare(bearing(ha), bearing(hb)),
			cmp.Compare(da.Hospital, db.Hospital),
			cmp.Compare(deptIdx(da.Dept), deptIdx(db.Dept)),
			cmp.Compare(a, b))
	})
	nr, nd := w.opts.Reps, len(order)
	nm := (nr + repsPerManager - 1) / repsPerManager
	pr := newRand(w.opts.Seed, streamPeople, 0)
	w.admin = person{UserID: "admin", Name: chineseName(pr), Territory: City, Phone: fmt.Sprintf("1380571%04d", pr.IntN(10000))}
	for m := range nm {
		w.managers = append(w.managers, person{UserID: fmt.Sprintf("mgr%02d", m+1), Name: chineseName(pr)})
	}
	repDistricts := make([][]string, nr)
	for k := range nr {
		var lat, lng float64
		seen := map[int]bool{}
		for _, i := range order[k*nd/nr : (k+1)*nd/nr] {
			d := &w.doctors[i]
			d.Rep = k
			h := w.hospitals[d.Hospital]
			lat += h.Lat
			lng += h.Lng
			if di := districtIndex(h.District); !seen[di] {
				seen[di] = true
				repDistricts[k] = append(repDistricts[k], h.District)
			}
		}
		cnt := float64((k+1)*nd/nr - k*nd/nr)
		r := newRand(w.opts.Seed, streamPeople, uint64(k+1))
		rp := rep{person: person{UserID: fmt.Sprintf("rep%02d", k+1), Name: chineseName(r)}, Manager: k * nm / nr}
		// Start from home or the office, within ~800 m of the territory's centre.
		rp.StartLat = round(clamp(lat/cnt+0.014*(r.Float64()-0.5), minLat, maxLat), 6)
		rp.StartLng = round(clamp(lng/cnt+0.016*(r.Float64()-0.5), minLng, maxLng), 6)
		w.reps = append(w.reps, rp)
	}
	// Territory names: a district covered by several reps is split into 片区.
	share := map[string]int{}
	for _, ds := range repDistricts {
		if len(ds) == 1 {
			share[ds[0]]++
		}
	}
	seq := map[string]int{}
	for k, ds := range repDistricts {
		switch {
		case len(ds) == 1 && share[ds[0]] > 1:
			seq[ds[0]]++
			w.reps[k].Territory = fmt.Sprintf("%s%d片", ds[0], seq[ds[0]])
		default:
			w.reps[k].Territory = joinDistricts(ds)
		}
	}
	for m := range w.managers {
		var ds []string
		for k, rp := range w.reps {
			if rp.Manager != m {
				continue
			}
			for _, d := range repDistricts[k] {
				if !slices.Contains(ds, d) {
					ds = append(ds, d)
				}
			}
		}
		w.managers[m].Territory = joinDistricts(ds)
	}
}

// joinDistricts names a territory of several districts; long lists are cut
// to stay inside User.Territory's 64 characters.
func joinDistricts(ds []string) string {
	if len(ds) > 4 {
		return fmt.Sprintf("%s等%d个区", strings.Join(ds[:3], "、"), len(ds))
	}
	return strings.Join(ds, "、")
}
