package flows

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/models"
	"visitbot/signals"
)

func (c *commands) weights(req *bot.Request, args []string) (bot.Reply, error) {
	const usage = "用法：权重 设置 <因子> <数值>，或 权重 恢复 <因子>，或 权重 建议 / 权重 采纳。因子：%s；数值 0~10。"
	if len(args) == 0 {
		return c.showWeights(req)
	}
	if len(args) == 1 && (args[0] == "建议" || args[0] == "proposal") {
		return c.tuneProposal(req)
	}
	if req.User.Role != bot.RoleAdmin {
		return bot.Text(bot.MsgNoPermission), nil
	}
	sub, rest := args[0], args[1:]
	factors := strings.Join(signals.Keys(), " / ")
	switch {
	case (sub == "设置" || sub == "set") && len(rest) == 2:
		factor := strings.ToLower(rest[0])
		v, err := strconv.ParseFloat(rest[1], 64)
		if !slices.Contains(signals.Keys(), factor) || err != nil || !(v >= 0 && v <= maxWeightValue) {
			return bot.Textf(usage, factors), nil
		}
		value := strconv.FormatFloat(v, 'f', -1, 64)
		if err := c.d.Settings.PutSetting(req.Ctx, WeightSettingPrefix+factor, value, 0); err != nil {
			return bot.Reply{}, err
		}
		if err := c.audit(req, args, map[string]any{"factor": factor, "value": v, "config": c.d.Config.Ranking.Weights[factor]}); err != nil {
			return bot.Reply{}, err
		}
		return bot.Textf("已将权重 %s 设为 %s（配置值 %s），将在下一次评分时生效。", factor, value, fmtWeight(c.d.Config.Ranking.Weights[factor])), nil
	case (sub == "采纳" || sub == "apply") && len(rest) == 0:
		return c.applyTuneProposal(req)
	case (sub == "恢复" || sub == "reset") && len(rest) == 1:
		factor := strings.ToLower(rest[0])
		if !slices.Contains(signals.Keys(), factor) {
			return bot.Textf(usage, factors), nil
		}
		if err := c.d.Settings.DeleteSetting(req.Ctx, WeightSettingPrefix+factor); err != nil {
			return bot.Reply{}, err
		}
		if err := c.audit(req, args, map[string]any{"factor": factor, "reset": true}); err != nil {
			return bot.Reply{}, err
		}
		return bot.Textf("已恢复权重 %s 为配置值 %s，将在下一次评分时生效。", factor, fmtWeight(c.d.Config.Ranking.Weights[factor])), nil
	}
	return bot.Textf(usage, factors), nil
}

// audit records an admin sub-command under the same action name the bot
// uses for Audited commands.
func (c *commands) audit(req *bot.Request, args []string, detail map[string]any) error {
	detail["args"] = args
	detail["platform"] = req.Event.Platform
	return c.d.Audit.Record(req.Ctx, req.User.ID, "command:权重", strings.Join(args, " "), detail)
}

func fmtWeight(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (c *commands) showWeights(req *bot.Request) (bot.Reply, error) {
	over, err := c.d.Settings.WeightOverrides(req.Ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	var b strings.Builder
	b.WriteString("评分权重（管理员可用「权重 设置 <因子> <数值>」调整）：")
	for _, f := range signals.Keys() {
		base := c.d.Config.Ranking.Weights[f]
		if v, ok := over[f]; ok {
			fmt.Fprintf(&b, "\n• %s（%s）：%s（已调整，配置值 %s）", f, signals.Name(f), fmtWeight(v), fmtWeight(base))
		} else {
			fmt.Fprintf(&b, "\n• %s（%s）：%s", f, signals.Name(f), fmtWeight(base))
		}
	}
	return bot.Text(b.String()), nil
}

func (c *commands) push(req *bot.Request, args []string) (bot.Reply, error) {
	target := args[0]
	if target == "全部" || strings.EqualFold(target, "all") {
		target = ""
	} else {
		u, err := c.d.Users.UserByUserID(req.Ctx, target)
		if errors.Is(err, models.ErrNotFound) || (err == nil && u.Role != models.RoleRep) {
			return bot.Reply{}, bot.Refuse("没有找到代表「%s」。用法：推送 <代表工号|全部>", target)
		}
		if err != nil {
			return bot.Reply{}, err
		}
		target = u.UserID
	}
	msg, err := c.d.Push.PushNow(req.Ctx, target, req.Today)
	if err != nil {
		c.d.Log.Error("push command failed", "target", target, "err", err)
		return bot.Text("推送失败，请稍后重试或查看日志。"), nil
	}
	return bot.Text(msg), nil
}

func (c *commands) job(req *bot.Request, args []string) (bot.Reply, error) {
	day := req.Today
	if len(args) == 2 {
		if _, err := time.Parse(clock.DayLayout, args[1]); err != nil {
			return bot.Reply{}, bot.Refuse("用法：任务 <任务名> [日期 2026-05-01]")
		}
		day = args[1]
	}
	if _, known := c.d.Config.Jobs[args[0]]; !known {
		names := make([]string, 0, len(c.d.Config.Jobs))
		for n := range c.d.Config.Jobs {
			names = append(names, n)
		}
		slices.Sort(names)
		return bot.Reply{}, bot.Refuse("没有名为「%s」的任务。可用任务：%s", args[0], strings.Join(names, "、"))
	}
	msg, err := c.d.Jobs.RunJob(req.Ctx, args[0], day)
	if err != nil {
		c.d.Log.Error("job command failed", "job", args[0], "day", day, "err", err)
		return bot.Textf("任务「%s」运行失败，请查看日志。", args[0]), nil
	}
	return bot.Text(msg), nil
}
