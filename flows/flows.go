// Package flows holds visitbot's conversations: what each command, card
// action, location and free-text reply does. Each area registers its
// handlers on the bot in Register; the bot package only routes.
package flows

import (
	"context"
	"log/slog"
	"time"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
	"visitbot/recommend"
)

// Deps is what the flows need: the stores they use (small interfaces,
// stores.go), their own configuration section and the ranker.
type Deps struct {
	Stores
	Clock  clock.Clock
	Log    *slog.Logger
	Config Config
	// Recommend ranks doctors and stores each rep's day (morning push, skip replacement).
	Recommend Ranker
	// Platforms says where users are reached.
	Platforms Platforms
	// Jobs and Push back the admin commands 任务 and 推送 (nil = "not enabled").
	Jobs JobRunner
	Push PushTrigger
}

// Config is the part of the configuration the flows read.
type Config struct {
	// Location is the business time zone (timezone): every day is one there.
	Location *time.Location
	Visits   config.VisitsConfig
	Alerts   config.AlertsConfig
	// Ranking is read for the weights 权重 shows and validates.
	Ranking config.RankingConfig
	// Jobs names the jobs 任务 may run.
	Jobs config.JobsConfig
	// PublicURL is server.public_url, the base of links to the H5 pages.
	PublicURL string
}

// ConfigOf is the flows' section of cfg.
func ConfigOf(cfg config.Config) Config {
	return Config{Location: cfg.Location(), Visits: cfg.Visits, Alerts: cfg.Alerts, Ranking: cfg.Ranking, Jobs: cfg.Jobs, PublicURL: cfg.Server.PublicURL}
}

// Ranker ranks doctors: a day's lists for every rep (morning push) and the
// next best doctor when a rep skips one.
type Ranker interface {
	// TopNOf ranks the day of the reps among userIDs (nil: every rep).
	TopNOf(ctx context.Context, day string, userIDs []string, force bool) (recommend.DayResult, error)
	NextBest(ctx context.Context, repID uint, day string, exclude []uint) (*models.Recommendation, error)
}

// Register installs every flow on b. Call b.Seal afterwards.
func Register(b *bot.Bot, d Deps) {
	registerBasics(b, d)
	registerCommands(b, d)
	if d.Recommend != nil {
		New(d).registerPlan(b)
	}
	New(d).registerVisits(b)
	New(d).registerAlerts(b)
}

// registerBasics installs the commands every deployment has from day one.
func registerBasics(b *bot.Bot, d Deps) {
	b.Command(bot.Command{
		Name: "我是谁", Aliases: []string{"whoami"}, Usage: "我是谁", Summary: "查看我的账号与角色",
		Role: bot.RoleRep, MaxArgs: 0,
		Run: func(req *bot.Request, _ []string) (bot.Reply, error) {
			return bot.Textf("您是 %s（%s），角色：%s，区域：%s", req.User.Name, req.User.UserID, req.User.Role.Label(), req.User.Territory), nil
		},
	})
}

// botUser is the seam's value of a users row.
func botUser(u *models.User) bot.User {
	return bot.User{ID: u.ID, UserID: u.UserID, Name: u.Name, Role: bot.Role(u.Role), Territory: u.Territory}
}
