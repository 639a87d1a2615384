package models_test

import (
	"context"
	"fmt"
	"testing"

	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/recommend"
)

// TestRepsOfShardMatchesRepShard: the store's shard of reps (id modulo n in
// SQL) is exactly recommend.RepShard's, every rep in one shard, and
// UsersByUserIDs reads named users only.
func TestRepsOfShardMatchesRepShard(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		var ids []string
		for i := range 23 {
			u := &models.User{UserID: fmt.Sprintf("r%02d", i), Name: "代表", Role: models.RoleRep, Active: true}
			if err := s.Users.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.UserID)
		}
		if err := s.Users.CreateUser(ctx, &models.User{UserID: "m01", Name: "经理", Role: models.RoleManager, Active: true}); err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for k := range 4 {
			reps, err := s.Users.RepsOfShard(ctx, k, 4)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range reps {
				seen[r.UserID]++
				if !recommend.RepShard(r.ID, k, 4) || r.Role != models.RoleRep {
					t.Errorf("rep %s (id %d) in shard %d of 4", r.UserID, r.ID, k)
				}
			}
		}
		if len(seen) != 23 {
			t.Errorf("%d reps over the shards, want 23", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("rep %s in %d shards", id, n)
			}
		}
		got, err := s.Users.UsersByUserIDs(ctx, models.RoleRep, []string{"r05", "m01", "r01", "nobody"})
		if err != nil || len(got) != 2 || got[0].UserID != "r01" || got[1].UserID != "r05" {
			t.Errorf("UsersByUserIDs: %+v, %v", got, err)
		}
	})
}
