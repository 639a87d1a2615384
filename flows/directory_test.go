package flows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"
)

func TestSyncManagersFromDirectLeaders(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		wid := func(s string) *string { return &s }
		mk := func(id string, role models.Role, wecomID *string, mgr *models.User) *models.User {
			u := &models.User{UserID: id, Name: id, Role: role, Active: true, WeComUserID: wecomID}
			if mgr != nil {
				u.ManagerID = &mgr.ID
			}
			if err := s.Users.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		a := mk("mgrA", models.RoleManager, wid("wA"), nil)
		b := mk("mgrB", models.RoleManager, wid("wB"), nil)
		moved := mk("rep1", models.RoleRep, wid("r1"), a)
		mk("rep2", models.RoleRep, wid("r2"), a)
		mk("rep3", models.RoleRep, wid("r3"), nil)
		mk("rep4", models.RoleRep, wid("r4"), nil)
		mk("rep5", models.RoleRep, nil, nil)
		mk("rep6", models.RoleRep, wid("r6"), nil)
		fresh := mk("rep7", models.RoleRep, wid("r7"), nil)
		leaders := map[string][]string{"r1": {"wB"}, "r2": {"wA"}, "r4": {"stranger"}, "r7": {"r1", "wA"}}
		src := func(_ context.Context, id string) ([]string, error) {
			if id == "r6" {
				return nil, errors.New("errcode=60111")
			}
			return leaders[id], nil
		}
		fl := newWorld(t, s, nil).flows
		check := func(dry bool) flows.SyncResult {
			res, err := fl.SyncManagers(ctx, src, dry)
			if err == nil || !strings.Contains(err.Error(), "1 lookups failed") {
				t.Fatalf("want the failed lookup reported, got %v", err)
			}
			if res.Checked != 6 || res.Updated != 2 || res.Unchanged != 1 || len(res.NoLeader) != 1 || len(res.UnknownLeader) != 1 || len(res.Failed) != 1 {
				t.Fatalf("dry=%v: %s", dry, res)
			}
			return res
		}
		res := check(true)
		if got, _ := s.Users.UserByID(ctx, moved.ID); *got.ManagerID != a.ID {
			t.Fatal("dry run wrote")
		}
		if !strings.Contains(res.String(), "rep1: manager mgrA → mgrB") || !strings.Contains(res.String(), "would update") {
			t.Fatalf("summary = %s", res)
		}
		check(false)
		if got, _ := s.Users.UserByID(ctx, moved.ID); *got.ManagerID != b.ID {
			t.Fatalf("rep1's manager = %d, want %d", *got.ManagerID, b.ID)
		}
		// A rep listed as a leader is skipped; the next leader who is a manager counts.
		if got, _ := s.Users.UserByID(ctx, fresh.ID); got.ManagerID == nil || *got.ManagerID != a.ID {
			t.Fatalf("rep7's manager = %v", got.ManagerID)
		}
	})
}
