// Package flows holds visitbot's conversations: what each command, card
// action, location and free-text reply does. Each area registers its
// handlers on the bot in Register; the bot package only routes.
package flows

import (
	"log/slog"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
	"visitbot/recommend"
)

// Deps is what the flows need. Config is the whole config for flows only,
// since flows span ranking, visits and alerts.
type Deps struct {
	Store  *models.Store
	Clock  clock.Clock
	Log    *slog.Logger
	Config config.Config
	// Recommend ranks doctors and stores each rep's day (morning push, skip replacement).
	Recommend *recommend.Service
	// Platforms says where users are reached.
	Platforms Platforms
	// Jobs and Push back the admin commands 任务 and 推送 (nil = "not enabled").
	Jobs JobRunner
	Push PushTrigger
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
		Role: models.RoleRep, MaxArgs: 0,
		Run: func(req *bot.Request, _ []string) (bot.Reply, error) {
			return bot.Textf("您是 %s（%s），角色：%s，区域：%s", req.User.Name, req.User.UserID, RoleName(req.User.Role), req.User.Territory), nil
		},
	})
}

// RoleName is the Chinese name of a role.
func RoleName(r models.Role) string {
	switch r {
	case models.RoleAdmin:
		return "管理员"
	case models.RoleManager:
		return "地区经理"
	default:
		return "医药代表"
	}
}
