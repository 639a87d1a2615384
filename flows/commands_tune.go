package flows

import (
	"errors"
	"fmt"
	"strings"

	"visitbot/bot"
	"visitbot/recommend"
	"visitbot/signals"
)

// tuneProposal answers 权重 建议: the pending proposal of `visitbot tune`
// beside the weights in use, and how it did on the held-out days.
func (c *commands) tuneProposal(req *bot.Request) (bot.Reply, error) {
	p, err := recommend.PendingProposal(req.Ctx, c.d.Settings)
	if errors.Is(err, recommend.ErrNoProposal) {
		return bot.Text(MsgNoWeightProposal), nil
	}
	if err != nil {
		return bot.Reply{}, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "待采纳的权重建议（按 %s 至 %s 的历史拟合，%s 至 %s 检验）：", p.FitFrom, p.FitTo, p.TestFrom, p.TestTo)
	for _, k := range signals.Keys() {
		fmt.Fprintf(&b, "\n• %s（%s）：%s → %s", signals.Name(k), k, fmtWeight(p.Current[k]), fmtWeight(p.Weights[k]))
	}
	for _, r := range p.HeldOut {
		fmt.Fprintf(&b, "\n%s：前5命中率 %.2f，排序相关 %.2f", heldOutName(r.Method), r.PrecisionAt5, r.RankCorr)
	}
	b.WriteString("\n管理员发送「权重 采纳」后生效（记入审计）。")
	return bot.Text(b.String()), nil
}

// applyTuneProposal answers 权重 采纳 (admins only, checked by the caller).
func (c *commands) applyTuneProposal(req *bot.Request) (bot.Reply, error) {
	p, err := recommend.ApplyProposal(req.Ctx, c.d.DB, c.d.Settings, c.d.Audit, c.d.Config.Ranking, false, req.User.ID, req.User.Role == bot.RoleAdmin)
	switch {
	case errors.Is(err, recommend.ErrNoProposal):
		return bot.Text(MsgNoWeightProposal), nil
	case errors.Is(err, recommend.ErrNotAdmin):
		return bot.Text(bot.MsgNoPermission), nil
	case err != nil:
		c.d.Log.Warn("weight proposal refused", "err", err)
		return bot.Text("这份权重建议无法采纳（含当前评分不支持的权重），未做任何修改。请重新运行 visitbot tune -signed \"\"。"), nil
	}
	return bot.Textf("已采纳权重建议（按 %s 至 %s 的历史拟合），将在下一次评分时生效。", p.FitFrom, p.FitTo), nil
}

// MsgNoWeightProposal is said when 权重 建议/采纳 finds no pending proposal.
const MsgNoWeightProposal = "暂无待采纳的权重建议（管理员先在服务器上运行 visitbot tune）。"

func heldOutName(method string) string {
	switch {
	case strings.Contains(method, "current"):
		return "当前权重"
	case strings.Contains(method, "tuned"):
		return "建议权重"
	case strings.Contains(method, "ABC"):
		return "静态ABC"
	}
	return "近30天信号数"
}
