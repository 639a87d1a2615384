package recommend

import "visitbot/models"

// onlyUsers keeps the users whose UserID is in userIDs (nil keeps all) and
// returns their ids for the id-filtered queries (nil when all are kept).
func onlyUsers(users []models.User, userIDs []string) ([]models.User, []uint) {
	if userIDs == nil {
		return users, nil
	}
	want := make(map[string]bool, len(userIDs))
	for _, id := range userIDs {
		want[id] = true
	}
	out := users[:0:0]
	ids := []uint{}
	for _, u := range users {
		if want[u.UserID] {
			out = append(out, u)
			ids = append(ids, u.ID)
		}
	}
	return out, ids
}

// RepShard reports whether rep id belongs to shard k of n of the morning
// push: ids modulo n, stable while reps are added or deactivated, and even
// across shards whatever the territories.
func RepShard(id uint, k, n int) bool { return n <= 1 || int(id%uint(n)) == k }
