package recommend

import "visitbot/models"

// repIDsOf is the ids of users for the id-filtered queries, nil when the
// run is over every rep (unfiltered loads).
func repIDsOf(users []models.User, filtered bool) []uint {
	if !filtered {
		return nil
	}
	ids := make([]uint, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

// RepShard reports whether rep id belongs to shard k of n of the morning
// push: ids modulo n, stable while reps are added or deactivated, and even
// across shards whatever the territories.
func RepShard(id uint, k, n int) bool { return n <= 1 || int(id%uint(n)) == k }
