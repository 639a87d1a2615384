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
	const usage = "用法：权重 设置 <因子> <数值>，或 权重 恢复 <因子>，或 权重 建议 / 权重 采纳。因子：%s。"
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
	var names []string
	for _, k := range signals.Keys() {
		names = append(names, signals.Name(k))
	}
	factors := strings.Join(names, " / ")
	switch {
	case (sub == "设置" || sub == "set") && len(rest) == 2:
		factor, ok := weightFactor(rest[0])
		if !ok {
			return bot.Textf(MsgWeightUnknown, rest[0], factors), nil
		}
		base := c.d.Config.Ranking.Weights[factor]
		v, err := strconv.ParseFloat(rest[1], 64)
		if high := weightMax(base); err != nil || !(v >= 0 && v <= high) {
			return bot.Textf(MsgWeightRange, signals.Name(factor), fmtWeight(high), fmtWeight(base), rest[1]), nil
		}
		value := strconv.FormatFloat(v, 'f', -1, 64)
		if err := c.d.Settings.PutSetting(req.Ctx, WeightSettingPrefix+factor, value, 0); err != nil {
			return bot.Reply{}, err
		}
		if err := c.audit(req, args, map[string]any{"factor": factor, "value": v, "config": base}); err != nil {
			return bot.Reply{}, err
		}
		return bot.Textf("已将「%s」的权重设为 %s（配置值 %s），将在下一次评分时生效。", signals.Name(factor), value, fmtWeight(base)), nil
	case (sub == "采纳" || sub == "apply") && len(rest) == 0:
		return c.applyTuneProposal(req)
	case (sub == "恢复" || sub == "reset") && len(rest) == 1:
		factor, ok := weightFactor(rest[0])
		if !ok {
			return bot.Textf(MsgWeightUnknown, rest[0], factors), nil
		}
		if err := c.d.Settings.DeleteSetting(req.Ctx, WeightSettingPrefix+factor); err != nil {
			return bot.Reply{}, err
		}
		if err := c.audit(req, args, map[string]any{"factor": factor, "reset": true}); err != nil {
			return bot.Reply{}, err
		}
		return bot.Textf("已恢复「%s」的权重为配置值 %s，将在下一次评分时生效。", signals.Name(factor), fmtWeight(c.d.Config.Ranking.Weights[factor])), nil
	}
	return bot.Textf(usage, factors), nil
}

// 权重 answers.
const (
	MsgWeightUnknown = "没有名为「%s」的因子。可用因子：%s。"
	MsgWeightRange   = "「%s」的权重应在 0～%s 之间（配置值 %s），「%s」不在范围内。"
	// weightMaxFactor bounds a chat override around the configured weight:
	// at most that many times the configured value (and at least up to 1),
	// so one factor cannot silently swamp the others (weights are shares).
	weightMaxFactor = 20
)

// weightMax is the largest value 权重 设置 accepts for a factor configured at base.
func weightMax(base float64) float64 { return min(max(base*weightMaxFactor, 1), maxWeightValue) }

// weightFactor resolves a factor by its Chinese name (线上讲座) or key (lecture).
func weightFactor(s string) (string, bool) {
	for _, k := range signals.Keys() {
		if strings.EqualFold(s, k) || s == signals.Name(k) {
			return k, true
		}
	}
	return "", false
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
	b.WriteString("评分权重（管理员可用「权重 设置 <因子> <数值>」调整，如「权重 设置 线上讲座 0.2」）：")
	for _, f := range signals.Keys() {
		base := c.d.Config.Ranking.Weights[f]
		if v, ok := over[f]; ok {
			fmt.Fprintf(&b, "\n• %s（%s）：%s（已调整，配置值 %s）", signals.Name(f), f, fmtWeight(v), fmtWeight(base))
		} else {
			fmt.Fprintf(&b, "\n• %s（%s）：%s", signals.Name(f), f, fmtWeight(base))
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
