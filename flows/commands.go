package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/models"
)

// JobRunner runs a named job now for a day ("2006-01-02") and says what it
// did, in Chinese. It is called inside the command's transaction: start the
// work asynchronously (SQLite has one writer) and return at once.
type JobRunner interface {
	RunJob(ctx context.Context, name, day string) (string, error)
}

// PushTrigger sends today's visit lists now, to one rep (visitbot user id)
// or to every rep (""), and says what it queued, in Chinese. Like JobRunner
// it is called inside the command's transaction and must not block on it.
type PushTrigger interface {
	PushNow(ctx context.Context, repUserID, day string) (string, error)
}

// WeightSettingPrefix prefixes the Setting keys of ranking weight overrides
// ("ranking.weights.lecture"); they take effect on the next scoring run.
const WeightSettingPrefix = models.WeightSettingPrefix

// Chat texts of the commands.
const (
	MsgNoListYet      = "今天还没有为您生成拜访名单，名单通常在早上推送；稍后再试或联系管理员。"
	MsgNoListForRep   = "%s今天还没有拜访名单。"
	MsgNameARep       = "请指定代表：我的名单 <代表姓名或工号>"
	MsgRepNotInTeam   = "没有在您的团队中找到代表「%s」。"
	MsgOnlyOwnList    = "抱歉，您只能查看自己的名单。"
	MsgDoctorNotFound = "没有找到医生「%s」。"
	MsgDoctorNotYours = "在您负责的医生中没有找到「%s」。"
	MsgNoSilentKOLs   = "太好了：最近%d天内，团队负责的KOL都有拜访或互动。"
	MsgNoTeam         = "您的团队中还没有代表。"
	// maxListLines bounds list answers; chat texts stay short.
	maxListLines   = 15
	maxMatches     = 8
	profileVisits  = 3
	profileTiers   = 3
	maxWeightValue = 10
)

var titleNames = map[string]string{
	models.TitleChief: "主任医师", models.TitleAssociate: "副主任医师",
	models.TitleAttending: "主治医师", models.TitleResident: "住院医师",
}

var visitStatusNames = map[string]string{
	models.VisitPlanned: cards.TermPlanned, models.VisitCheckedIn: cards.TermCheckedIn, models.VisitCompleted: cards.TermCompleted, models.VisitSkipped: cards.TermSkipped,
}

// VisitStatusName is the glossary word for a visit's status (已计划 …), the
// one chat and pages show; an unknown status is shown as stored.
func VisitStatusName(status string) string {
	if n, ok := visitStatusNames[status]; ok {
		return n
	}
	return status
}

// VisitStatusLabel is VisitStatusName with 未核验 added to a check-in the
// location did not verify ("已签到·未核验"), as 我的名单 and /m/route show it.
func VisitStatusLabel(status string, verified bool) string {
	if status == models.VisitCheckedIn && !verified {
		return cards.TermCheckedIn + "·" + cards.TermUnverified
	}
	return VisitStatusName(status)
}

// registerCommands installs the list, doctor, team and admin commands.
func registerCommands(b *bot.Bot, d Deps) {
	c := &commands{d: d}
	b.Command(bot.Command{Name: "我的名单", Aliases: []string{"top"}, Usage: "我的名单 [代表姓名或工号]",
		Summary: "查看今天的拜访名单（经理可指定团队中的代表）", Role: bot.RoleRep, MaxArgs: 1, Run: c.top,
		Tip: "改计划：在今日名单卡片上点「跳过某位并说明原因」，会为您补上下一位；接受计划后也可以跳过。卡片找不到时发送「我的名单」。"})
	b.Command(bot.Command{Name: "医生", Aliases: []string{"doctor"}, Usage: "医生 <姓名或医生编码>",
		Summary: "查看医生档案：分级变化、热度、最近拜访、承诺事项", Role: bot.RoleRep, MinArgs: 1, MaxArgs: 1, Run: c.doctor})
	b.Command(bot.Command{Name: "沉默", Aliases: []string{"silent"}, Usage: "沉默",
		Summary: "查看团队中长期没有拜访或互动的KOL", Role: bot.RoleManager, MaxArgs: 0, Run: c.silent})
	b.Command(bot.Command{Name: "统计", Aliases: []string{"stats"}, Usage: "统计",
		Summary: "查看团队本周指标", Role: bot.RoleManager, MaxArgs: 0, Run: c.stats})
	b.Command(bot.Command{Name: "权重", Aliases: []string{"weights"}, Usage: "权重 [设置 <因子> <数值> | 恢复 <因子> | 建议 | 采纳]",
		Summary: "查看评分权重；管理员可调整（下次评分生效）", Role: bot.RoleManager, MaxArgs: 3, Run: c.weights})
	b.Command(bot.Command{Name: "导入", Aliases: []string{"import"}, Usage: "导入",
		Summary: "打开数据导入页面（上传文件或整套导出，试运行后确认导入）", Role: bot.RoleAdmin, MaxArgs: 0,
		Refusal: MsgImportAdminsOnly, Run: c.importPage})
	// 推送 and 任务 exist where something runs their requests (the app's scheduler).
	if d.Push != nil {
		b.Command(bot.Command{Name: "推送", Aliases: []string{"push"}, Usage: "推送 <代表工号|全部>",
			Summary: "立即推送今天的拜访名单", Role: bot.RoleAdmin, MinArgs: 1, MaxArgs: 1, Audited: true, Run: c.push})
	}
	if d.Jobs != nil {
		b.Command(bot.Command{Name: "任务", Aliases: []string{"job"}, Usage: "任务 <任务名> [日期 2026-05-01]",
			Summary: "立即运行一个定时任务", Role: bot.RoleAdmin, MinArgs: 1, MaxArgs: 2, Audited: true, Run: c.job})
	}
}

type commands struct{ d Deps }

// teamOf is who a manager or admin may look at: a manager's own reps, or
// every active rep for an admin.
func (c *commands) teamOf(req *bot.Request) ([]models.User, error) {
	if req.User.Role == bot.RoleAdmin {
		all, err := c.d.Users.Users(req.Ctx, models.RoleRep)
		return slices.DeleteFunc(all, func(u models.User) bool { return !u.Active }), err
	}
	return c.d.Users.TeamOf(req.Ctx, req.User.ID)
}

func ids(us []models.User) []uint {
	out := make([]uint, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

// findRep finds a rep of the team by user id or name.
func findRep(team []models.User, arg string) *models.User {
	for i := range team {
		if strings.EqualFold(team[i].UserID, arg) || team[i].Name == arg {
			return &team[i]
		}
	}
	return nil
}

func (c *commands) top(req *bot.Request, args []string) (bot.Reply, error) {
	rep := req.User
	if len(args) == 1 && !strings.EqualFold(args[0], req.User.UserID) && args[0] != req.User.Name {
		if req.User.Role == bot.RoleRep {
			return bot.Text(MsgOnlyOwnList), nil
		}
		team, err := c.teamOf(req)
		if err != nil {
			return bot.Reply{}, err
		}
		r := findRep(team, args[0])
		if r == nil {
			return bot.Textf(MsgRepNotInTeam, args[0]), nil
		}
		rep = botUser(r)
	} else if req.User.Role != bot.RoleRep {
		return bot.Text(MsgNameARep), nil
	}
	items, err := c.d.Plans.PlanItems(req.Ctx, rep.ID, req.Today)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(items) == 0 {
		if rep.ID == req.User.ID {
			return bot.Text(MsgNoListYet), nil
		}
		return bot.Textf(MsgNoListForRep, rep.Name), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s拜访名单（%d位）", rep.Name, dayLabel(req.Today, req.Today), len(items))
	for i, it := range items {
		if i == maxListLines {
			fmt.Fprintf(&b, "\n…另有%d位", len(items)-i)
			break
		}
		line := fmt.Sprintf("\n%d. %s（%s）%s", it.Rank, it.DoctorName, titleName(it.Title), it.HospitalName)
		if p := cards.PeriodName(it.Period); p != "" {
			line += " · " + p
		}
		if it.DistanceM > 0 {
			line += " · " + cards.Km(it.DistanceM)
		}
		if it.VisitStatus != "" {
			line += " · " + VisitStatusLabel(it.VisitStatus, it.VisitVerified)
		}
		b.WriteString(line)
		if rs := reasons(it.Reasons, 2); rs != "" {
			b.WriteString("\n   理由：" + rs)
		}
	}
	return bot.Text(b.String()), nil
}

func titleName(t string) string {
	if n, ok := titleNames[t]; ok {
		return n
	}
	return "医生"
}

// reasons joins the first n phrases of a Recommendation.Reasons JSON array.
func reasons(raw string, n int) string {
	var rs []string
	if raw == "" || json.Unmarshal([]byte(raw), &rs) != nil {
		return ""
	}
	if len(rs) > n {
		rs = rs[:n]
	}
	return strings.Join(rs, "；")
}

// dayLabel is 今天 for today, else "12月1日".
func dayLabel(day, today string) string {
	if day == today {
		return "今天"
	}
	if t, err := time.Parse(clock.DayLayout, day); err == nil {
		return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
	}
	return day
}

func (c *commands) silent(req *bot.Request, _ []string) (bot.Reply, error) {
	team, err := c.teamOf(req)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(team) == 0 {
		return bot.Text(MsgNoTeam), nil
	}
	n := c.d.Config.Alerts.SilentKOLDays
	kols, err := New(c.d).SilentKOLs(req.Ctx, ids(team), req.Today)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(kols) == 0 {
		return bot.Textf(MsgNoSilentKOLs, n), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "沉默KOL（%d天以上没有拜访或互动，共%d位）：", n, len(kols))
	for i, k := range kols {
		if i == maxListLines {
			fmt.Fprintf(&b, "\n…另有%d位", len(kols)-i)
			break
		}
		fmt.Fprintf(&b, "\n%d. %s · %s · 负责代表 %s · %s", i+1, k.DoctorName, k.HospitalName, k.RepName, k.Silence)
	}
	return bot.Text(b.String()), nil
}

func (c *commands) stats(req *bot.Request, _ []string) (bot.Reply, error) {
	team, err := c.teamOf(req)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(team) == 0 {
		return bot.Text(MsgNoTeam), nil
	}
	loc := c.d.Config.Location
	today, err := clock.ParseDay(req.Today, loc)
	if err != nil {
		return bot.Reply{}, err
	}
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	st, err := c.d.Reports.TeamStatsFor(req.Ctx, ids(team), clock.Day(monday, loc), monday)
	if err != nil {
		return bot.Reply{}, err
	}
	var tiers []string
	for _, t := range []string{"S", "A", "B", "C"} {
		tiers = append(tiers, fmt.Sprintf("%s %d位", t, st.Tiers[t]))
	}
	if n := st.Tiers[""]; n > 0 {
		tiers = append(tiers, fmt.Sprintf("未评分%d位", n))
	}
	scope := "团队"
	if req.User.Role == bot.RoleAdmin {
		scope = "全公司"
	}
	// Spacing: a space only between Latin letters and a number (KOL 3位, S 0位), none after Chinese.
	text := fmt.Sprintf("%s本周指标（%s起）\n代表：%d人\n负责医生：%d位（KOL %d位）\n"+cards.TermTier+"：%s\n本周拜访：%d次（计划%d次）\n拜访反馈：%d份",
		scope, dayLabel(clock.Day(monday, loc), ""), st.Reps, st.AssignedDoctors, st.KOLs, strings.Join(tiers, " · "),
		st.VisitsThisWeek, st.PlannedThisWeek, st.FeedbackThisWeek)
	return bot.Text(text), nil
}
