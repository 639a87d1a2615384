package cards

import (
	"fmt"
	"strings"
	"time"
)

// Exemplar is one 标杆反馈 of the weekly digest: a visit whose feedback
// obtained commitments, shared with the team as a talk-track example.
type Exemplar struct {
	Rep         string
	Doctor      string // how a rep addresses the doctor: 张主任
	Hospital    string
	Commitments []string
	Concerns    []string
}

// DigestInput is the weekly manager digest's data.
type DigestInput struct {
	// From and To are the first and last day of the week, in the business zone.
	From, To time.Time
	Manager  string
	Reps     int
	// Planned visits and the verified ones among them (plan vs actual).
	Planned, Verified int
	// SACovered of SATotal tier S/A doctors were met in the week.
	SACovered, SATotal int
	SilentKOLs         int
	SilentDays         int
	TierUp, TierDown   int
	NewAlerts          int
	Exemplars          []Exemplar
	// URL opens the dashboard (text_notice needs a card_action).
	URL string
	// Attainment is the call-target attainment by tier (目标覆盖达成率).
	Attainment []TierRate
}

// TierRate is Met of Total doctors of a tier.
type TierRate struct {
	Tier       string
	Met, Total int
}

// WeeklyDigest builds the manager's Monday text_notice: plan-vs-actual as
// the key figure, S/A coverage, silent KOLs, tier movements and new alerts
// as rows, and up to two 标杆反馈 as reason lines.
func WeeklyDigest(in DigestInput) Card {
	c := Card{
		Layout: TextNotice, Kind: "weekly_digest", Source: "拜访助手·团队周报", URL: in.URL,
		Title: Truncate(fmt.Sprintf("团队周报 %d月%d日–%d月%d日", int(in.From.Month()), in.From.Day(), int(in.To.Month()), in.To.Day()), WeComMainTitleMax),
		Desc:  Truncate(fmt.Sprintf("%s团队 · %d位代表", in.Manager, in.Reps), WeComMainDescMax),
	}
	if in.Planned > 0 {
		c.Emphasis = &Emphasis{Title: fmt.Sprintf("%d%%", pct(in.Verified, in.Planned)), Desc: "计划匹配率（核实/计划）"}
	} else {
		c.Emphasis = &Emphasis{Title: TermNone, Desc: "本周没有计划拜访"}
	}
	sa := "无S/A级医生"
	if in.SATotal > 0 {
		sa = fmt.Sprintf("%d/%d位（%d%%）", in.SACovered, in.SATotal, pct(in.SACovered, in.SATotal))
	}
	c.Fields = []Field{
		{Key: "计划执行", Value: Truncate(fmt.Sprintf("计划%d次 · 核实%d次", in.Planned, in.Verified), WeComHorizontalValueMax)},
		{Key: "S/A覆盖", Value: Truncate(sa, WeComHorizontalValueMax)},
		{Key: "沉默KOL", Value: Truncate(fmt.Sprintf("%d位（≥%d天未拜访或互动）", in.SilentKOLs, in.SilentDays), WeComHorizontalValueMax)},
		{Key: "分级变化", Value: Truncate(fmt.Sprintf("上升%d位 · 下降%d位", in.TierUp, in.TierDown), WeComHorizontalValueMax)},
		{Key: "新提醒", Value: fmt.Sprintf("%d条", in.NewAlerts)},
	}
	if len(in.Attainment) > 0 {
		var parts []string
		for _, a := range in.Attainment {
			parts = append(parts, fmt.Sprintf("%s%d%%", a.Tier, pct(a.Met, a.Total)))
		}
		c.Fields = append(c.Fields, Field{Key: "目标覆盖", Value: Truncate(strings.Join(parts, "·"), WeComHorizontalValueMax)})
	}
	lines := []string{"标杆反馈"}
	for i, e := range in.Exemplars {
		if i == 2 {
			break
		}
		line := fmt.Sprintf("%d. %s·%s（%s）：%s", i+1, e.Rep, e.Doctor, e.Hospital, strings.Join(e.Commitments, "、"))
		if len(e.Concerns) > 0 {
			line += "；关注" + strings.Join(e.Concerns, "、")
		}
		lines = append(lines, line)
	}
	if len(lines) == 1 {
		lines = append(lines, "本周暂无取得承诺事项的反馈")
	} else {
		c.Quote = "建议在周会标杆话术复盘中分享以上沟通要点"
	}
	c.Subtitle = Truncate(strings.Join(lines, "\n"), WeComSubTitleMax)
	return c
}

func pct(a, b int) int {
	if b == 0 {
		return 0
	}
	return (a*100 + b/2) / b
}
