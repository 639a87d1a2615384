package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/silenceper/wechat/v2/util"
	"github.com/silenceper/wechat/v2/work/addresslist"
	workcfg "github.com/silenceper/wechat/v2/work/config"
	workctx "github.com/silenceper/wechat/v2/work/context"

	"visitbot/bot/wecom"
	"visitbot/config"
	"visitbot/models"
)

const syncUsage = "sync users [-dry-run]"

// weComDefaultBase is the API base silenceper's URLs are built on.
const weComDefaultBase = "https://qyapi.weixin.qq.com"

// runSync is `visitbot sync users`: each rep's manager (users.manager_id)
// from the WeCom address book's 直属上级 (user/get DirectLeader), so alerts
// reach the right manager without a users import.
func runSync(ctx context.Context, env *cliEnv, args []string) error {
	return subcommands(ctx, env, args, syncUsage, map[string]func(context.Context, *cliEnv, []string) error{"users": runSyncUsers})
}

func runSyncUsers(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "sync users", syncUsage)
	dry := fs.Bool("dry-run", false, "print the changes without writing them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := env.loadConfig()
	if err != nil {
		return err
	}
	if !cfg.WeCom.Enabled {
		return errors.New("wecom is not enabled (wecom.enabled): the address book is read through the WeCom app")
	}
	a, err := newApp(ctx, cfg, env.stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := syncManagers(ctx, a.store, weComLeaders(ctx, cfg.WeCom, a.wecom.Client), *dry)
	fmt.Fprintln(env.stdout, res.String())
	return err
}

// leaderSource returns the WeCom user ids of a member's direct leaders.
type leaderSource func(weComUserID string) ([]string, error)

// tokenHandle gives silenceper's API clients the app's access token from
// visitbot's WeCom client (one shared, database-cached token).
type tokenHandle struct {
	ctx    context.Context
	client *wecom.Client
}

func (t tokenHandle) GetAccessToken() (string, error) { return t.client.Token(t.ctx) }

// weComLeaders reads 直属上级 through silenceper's addresslist.UserGet.
// silenceper's HTTP helpers use package-level settings; this one-shot
// command sets them here, in main: a client with the configured timeout
// (never http.DefaultClient, which has none) and the configured API base.
func weComLeaders(ctx context.Context, cfg config.WeComConfig, client *wecom.Client) leaderSource {
	util.DefaultHTTPClient = &http.Client{Timeout: cfg.HTTPTimeout}
	if base := strings.TrimRight(cfg.APIBase, "/"); base != "" && base != weComDefaultBase {
		util.SetURIModifier(func(uri string) string { return strings.Replace(uri, weComDefaultBase, base, 1) })
	}
	al := addresslist.NewClient(&workctx.Context{
		Config:            &workcfg.Config{CorpID: cfg.CorpID, AgentID: strconv.Itoa(cfg.AgentID)},
		AccessTokenHandle: tokenHandle{ctx: ctx, client: client},
	})
	return func(id string) ([]string, error) {
		res, err := al.UserGet(id)
		if err != nil {
			return nil, errors.New(redactSecrets(err.Error()))
		}
		return res.DirectLeader, nil
	}
}

// secretParams matches token and secret query parameters in silenceper's
// error strings (they carry the full URL).
var secretParams = regexp.MustCompile(`(?i)(access_token|corpsecret)=[^&\s"]*`)

func redactSecrets(s string) string { return secretParams.ReplaceAllString(s, "$1=***") }

// syncResult counts what sync users did.
type syncResult struct {
	Checked, Updated, Unchanged int
	// NoLeader: no direct leader in WeCom; UnknownLeader: the leader is not
	// an active visitbot manager or admin.
	NoLeader, UnknownLeader []string
	Changes                 []string
	Failed                  []string
	DryRun                  bool
}

func (r syncResult) String() string {
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

// syncManagers sets each active rep's manager to their first WeCom direct
// leader who is an active visitbot manager (or admin). Reps without a WeCom
// id are skipped; one failed lookup is reported and the rest go on.
func syncManagers(ctx context.Context, store *models.Store, leaders leaderSource, dry bool) (syncResult, error) {
	res := syncResult{DryRun: dry}
	users, err := store.Users(ctx, "")
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
		ids, err := leaders(*rep.WeComUserID)
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
			if err := store.SetUserManager(ctx, rep.ID, mgr.ID); err != nil {
				return res, fmt.Errorf("sync users: set manager of %s: %w", rep.UserID, err)
			}
		}
	}
	if len(res.Failed) > 0 {
		return res, fmt.Errorf("sync users: %d lookups failed", len(res.Failed))
	}
	return res, nil
}
