package flows

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"visitbot/models"
)

// LeaderSource returns the WeCom user ids of a member's direct leaders
// (直属上级), e.g. wecom.Client.DirectLeaders.
type LeaderSource func(ctx context.Context, weComUserID string) ([]string, error)

// SyncResult counts what `visitbot sync users` did.
type SyncResult struct {
	Checked, Updated, Unchanged int
	// NoLeader: no direct leader in WeCom; UnknownLeader: the leader is not
	// an active visitbot manager or admin.
	NoLeader, UnknownLeader []string
	Changes                 []string
	Failed                  []string
	DryRun                  bool
}

// String is the CLI summary, one line per change or failure after the counts.
func (r SyncResult) String() string {
	var b strings.Builder
	verb := "updated"
	if r.DryRun {
		verb = "would update"
	}
	fmt.Fprintf(&b, "%d reps checked: %d %s, %d unchanged, %d without a direct leader, %d with a leader unknown to visitbot, %d failed",
		r.Checked, r.Updated, verb, r.Unchanged, len(r.NoLeader), len(r.UnknownLeader), len(r.Failed))
	for _, c := range r.Changes {
		b.WriteString("\n  " + c)
	}
	for _, f := range r.Failed {
		b.WriteString("\n  failed: " + f)
	}
	return b.String()
}

// SyncManagers sets each active rep's manager to their first WeCom direct
// leader who is an active visitbot manager (or admin). Reps without a WeCom
// id are skipped; one failed lookup is reported and the rest go on.
func (f *Flows) SyncManagers(ctx context.Context, leaders LeaderSource, dry bool) (SyncResult, error) {
	res := SyncResult{DryRun: dry}
	users, err := f.d.Users.Users(ctx, "")
	if err != nil {
		return res, fmt.Errorf("sync users: %w", err)
	}
	byWeCom := map[string]*models.User{}
	byID := map[uint]*models.User{}
	for i := range users {
		u := &users[i]
		byID[u.ID] = u
		if u.WeComUserID != nil && *u.WeComUserID != "" {
			byWeCom[*u.WeComUserID] = u
		}
	}
	sort.Slice(users, func(i, j int) bool { return users[i].UserID < users[j].UserID })
	for i := range users {
		rep := &users[i]
		if rep.Role != models.RoleRep || !rep.Active || rep.WeComUserID == nil || *rep.WeComUserID == "" {
			continue
		}
		res.Checked++
		ids, err := leaders(ctx, *rep.WeComUserID)
		if err != nil {
			res.Failed = append(res.Failed, rep.UserID+": "+err.Error())
			continue
		}
		if len(ids) == 0 {
			res.NoLeader = append(res.NoLeader, rep.UserID)
			continue
		}
		var mgr *models.User
		for _, id := range ids {
			if m := byWeCom[id]; m != nil && m.Active && m.Role != models.RoleRep {
				mgr = m
				break
			}
		}
		if mgr == nil {
			res.UnknownLeader = append(res.UnknownLeader, rep.UserID)
			continue
		}
		if rep.ManagerID != nil && *rep.ManagerID == mgr.ID {
			res.Unchanged++
			continue
		}
		from := "（无）"
		if rep.ManagerID != nil && byID[*rep.ManagerID] != nil {
			from = byID[*rep.ManagerID].UserID
		}
		res.Changes = append(res.Changes, fmt.Sprintf("%s: manager %s → %s", rep.UserID, from, mgr.UserID))
		res.Updated++
		if !dry {
			if err := f.d.Import.SetUserManager(ctx, rep.ID, mgr.ID); err != nil {
				return res, fmt.Errorf("sync users: set manager of %s: %w", rep.UserID, err)
			}
		}
	}
	if len(res.Failed) > 0 {
		return res, fmt.Errorf("sync users: %d lookups failed", len(res.Failed))
	}
	return res, nil
}
