package recommend

import (
	"context"
	"hash/fnv"

	"visitbot/models"
)

// territories maps each covered doctor to its territory: that of the
// lowest-id rep covering them (assignments come ordered by rep id).
func (s *Service) territories(ctx context.Context) (map[uint]string, error) {
	reps, err := s.store.Users.Users(ctx, models.RoleRep)
	if err != nil {
		return nil, err
	}
	territoryOfRep := make(map[uint]string, len(reps))
	for _, r := range reps {
		territoryOfRep[r.ID] = r.Territory
	}
	assigns, err := s.store.Ranking.RankingAssignments(ctx, nil)
	if err != nil {
		return nil, err
	}
	territory := make(map[uint]string, len(assigns))
	for _, a := range assigns {
		if _, ok := territory[a.DoctorID]; !ok && territoryOfRep[a.RepID] != "" {
			territory[a.DoctorID] = territoryOfRep[a.RepID]
		}
	}
	return territory, nil
}

// TerritoryShard is the shard (0…n-1) of the nightly scoring that tiers
// territory: a hash, so every replica agrees without coordination and a
// territory is never split.
func TerritoryShard(territory string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(territory))
	return int(h.Sum32() % uint32(n))
}

// shardDoctors lists the doctors of the territories of shard k of n, in id
// order (nil for a single shard: every doctor, unfiltered). A doctor no rep
// covers belongs to their hospital's city, read from the light (id,
// hospital) listing rather than the doctors' rows.
func (s *Service) shardDoctors(ctx context.Context, territory map[uint]string, k, n int) ([]uint, error) {
	if n <= 1 {
		return nil, nil
	}
	docs, err := s.store.Ranking.DoctorHospitals(ctx)
	if err != nil {
		return nil, err
	}
	hs, err := s.store.Ranking.RankingHospitals(ctx)
	if err != nil {
		return nil, err
	}
	city := make(map[uint]string, len(hs))
	for _, h := range hs {
		city[h.ID] = h.City
	}
	ids := []uint{}
	for _, d := range docs {
		t, ok := territory[d.ID]
		if !ok {
			t = city[d.HospitalID]
		}
		if TerritoryShard(t, n) == k {
			ids = append(ids, d.ID)
		}
	}
	return ids, nil
}
