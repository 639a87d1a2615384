package flows

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/models"
)

func (c *commands) doctor(req *bot.Request, args []string) (bot.Reply, error) {
	name := args[0]
	var scope []uint // nil = every doctor (admin)
	switch req.User.Role {
	case bot.RoleRep:
		scope = []uint{req.User.ID}
	case bot.RoleManager:
		team, err := c.teamOf(req)
		if err != nil {
			return bot.Reply{}, err
		}
		scope = ids(team)
	}
	found, err := c.d.Doctors.DoctorsNamed(req.Ctx, name, scope, maxMatches+1)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(found) == 0 {
		if byID, err := c.d.Import.DoctorIDs(req.Ctx, []string{name}); err == nil && len(byID) == 1 {
			for _, id := range byID {
				if ok, err := c.mayView(req, scope, id); err != nil || ok {
					if err != nil {
						return bot.Reply{}, err
					}
					return c.profile(req, id)
				}
			}
		}
		if scope != nil {
			return bot.Textf(MsgDoctorNotYours, name), nil
		}
		return bot.Textf(MsgDoctorNotFound, name), nil
	}
	if len(found) > 1 {
		var b strings.Builder
		fmt.Fprintf(&b, "找到多位医生，请发送「医生 <医生编码>」查看：")
		for i, d := range found {
			if i == maxMatches {
				b.WriteString("\n…还有更多，请输入更完整的姓名")
				break
			}
			fmt.Fprintf(&b, "\n%d. %s（%s）%s %s · 编码 %s", i+1, d.Name, titleName(d.Title), d.HospitalName, d.Department, d.ExternalID)
		}
		return bot.Text(b.String()), nil
	}
	return c.profile(req, found[0].ID)
}

func (c *commands) mayView(req *bot.Request, scope []uint, doctorID uint) (bool, error) {
	if scope == nil {
		return true, nil
	}
	return c.d.Doctors.IsAssignedToAny(req.Ctx, doctorID, scope)
}

// profile is the doctor's card in text: filing data, tier and its history,
// heat and today's reasons, last visits and commitments.
func (c *commands) profile(req *bot.Request, doctorID uint) (bot.Reply, error) {
	ctx := req.Ctx
	d, err := c.d.Doctors.DoctorCardByID(ctx, doctorID)
	if err != nil {
		return bot.Reply{}, err
	}
	var b strings.Builder
	b.WriteString(d.Name + " · " + titleName(d.Title))
	if d.IsKOL {
		b.WriteString(" · KOL")
	}
	fmt.Fprintf(&b, "\n医院：%s %s", d.HospitalName, d.Department)
	tier := d.Tier
	if tier == "" {
		tier = "未评分"
	}
	fmt.Fprintf(&b, "\n分级：%s", tier)
	if d.LegacyTier != "" {
		fmt.Fprintf(&b, "（原分级 %s）", d.LegacyTier)
	}
	fmt.Fprintf(&b, " · 热度 %s", strconv.FormatFloat(d.Heat, 'f', 1, 64))
	changes, err := c.d.Doctors.DoctorTierHistory(ctx, d.ID, profileTiers)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(changes) > 0 {
		var parts []string
		for _, ch := range changes {
			// A first grading is no move: it had no tier to come from.
			p := fmt.Sprintf("%s %s→%s", dayLabel(ch.Day, ""), ch.FromTier, ch.ToTier)
			if ch.FromTier == "" {
				p = fmt.Sprintf("%s 首次分级%s", dayLabel(ch.Day, ""), ch.ToTier)
			}
			if ch.Rising {
				p += "↑"
			}
			parts = append(parts, p)
		}
		b.WriteString("\n分级变化：" + strings.Join(parts, "；"))
	}
	rec, err := c.d.Doctors.LatestRecommendation(ctx, d.ID, req.Today)
	switch {
	case errors.Is(err, models.ErrNotFound):
	case err != nil:
		return bot.Reply{}, err
	default:
		if rs := reasons(rec.Reasons, 3); rs != "" {
			fmt.Fprintf(&b, "\n热度理由（%s）：%s", dayLabel(rec.Day, req.Today), rs)
		}
	}
	visits, err := c.d.Doctors.DoctorRecentVisits(ctx, d.ID, profileVisits)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(visits) == 0 {
		b.WriteString("\n最近拜访：暂无")
	} else {
		var parts []string
		for _, v := range visits {
			parts = append(parts, fmt.Sprintf("%s %s（%s）", dayLabel(v.Day, req.Today), v.RepName, visitStatusNames[v.Status]))
		}
		b.WriteString("\n最近拜访：" + strings.Join(parts, "；"))
	}
	fbs, err := c.d.Doctors.DoctorFeedbacks(ctx, d.ID, profileVisits)
	if err != nil {
		return bot.Reply{}, err
	}
	for _, fb := range fbs {
		if fb.Commitments == "" || fb.Commitments == "无" {
			continue
		}
		day := clock.Day(fb.SubmittedAt, c.d.Config.Location)
		fmt.Fprintf(&b, "\n承诺事项：%s（%s）", strings.ReplaceAll(fb.Commitments, "|", "、"), dayLabel(day, req.Today))
		if fb.FollowUp != "" {
			b.WriteString(" · 跟进：" + fb.FollowUp)
		}
		break
	}
	return bot.Text(b.String()), nil
}
