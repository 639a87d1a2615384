package flows

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/models"
	"visitbot/outbox"
)

// Alert-card texts.
const (
	MsgAlertNotYours = "这条提醒属于其他团队，您无法处理。"
	MsgAlertHandled  = "这条提醒已经处理过了。"
	// MsgAlertHandledElsewhere answers a click on a card whose alerts were
	// handled since it was sent (on the dashboard or another card).
	MsgAlertHandledElsewhere = "这条提醒已在别处处理（%s），无需再操作。"
	MsgAlertPickRep          = "请先在卡片上选择要指派的代表，再点「指派给代表」。"
	MsgAlertRepNotInTeam     = "只能指派给您团队中的代表。"
	MsgAlertNoDoctor         = "这条提醒没有可指派拜访的医生。"
	MsgAlertAcked            = "已知悉%d条提醒。"
	MsgAlertSnoozed          = "好的，%s会再次提醒您。"
	MsgAlertAssigned         = "已指派给%s：%s。%s的拜访名单会把他们排在首位，并已通知代表。"
	// MsgAlertAssignNotice is the rep's notice: "王经理指派您拜访：张主任（浙大一院）。…"
	MsgAlertAssignNotice = "%s指派您拜访：%s。已加入您%s的拜访名单首位。"
	purposeAssign        = "assign"
	// SnoozeDays is how long 一周后提醒 waits: the alert comes back with the
	// first alert_scan on the day a week after the click.
	SnoozeDays = 7
)

func (f *Flows) registerAlerts(b *bot.Bot) {
	b.Action("alert", f.onAlertAction)
}

// onAlertAction handles 已知悉 / 指派给代表 / 一周后提醒 on an alert card. The
// bot already refused clicks by anyone but the card's owner; the alerts are
// checked again against the clicking manager, so a card can never act on
// another team's alert.
func (f *Flows) onAlertAction(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
	if task.Kind != taskKindAlert {
		return bot.Text(bot.MsgCardExpired), nil
	}
	var data alertCardData
	if err := json.Unmarshal([]byte(task.Data), &data); err != nil || len(data.Alerts) == 0 {
		return bot.Reply{}, fmt.Errorf("alert card %s has no alerts: %v", task.TaskID, err)
	}
	list, err := f.d.Alerts.AlertsByIDs(req.Ctx, data.Alerts)
	if err != nil {
		return bot.Reply{}, err
	}
	for _, a := range list {
		if !alertOwnedBy(a, req.User) {
			f.d.Log.Warn("alert action by another team refused", "task_id", task.TaskID, "user", req.User.UserID, "alert", a.ID)
			if err := f.d.Audit.Record(req.Ctx, req.User.ID, "alert_action_refused", task.TaskID, map[string]any{"alert": a.ID, "key": req.Event.Action.Key}); err != nil {
				return bot.Reply{}, err
			}
			return bot.Text(MsgAlertNotYours), nil
		}
	}
	if task.State != "" {
		return bot.Text(MsgAlertHandled), nil
	}
	if done := handledElsewhere(list); done != "" {
		// Handled on the dashboard or another card since this one was sent:
		// say so and freeze this copy instead of acting twice.
		return bot.Reply{Texts: []string{fmt.Sprintf(MsgAlertHandledElsewhere, done)}, Update: &bot.CardUpdate{TaskID: task.TaskID, ReplaceName: done}},
			f.d.Cards.UpdateCardTask(req.Ctx, task.TaskID, "stale", "")
	}
	var reply bot.Reply
	switch req.Event.Action.Key {
	case cards.ActionAlertAck:
		if err := f.d.Alerts.SetAlertStatus(req.Ctx, data.Alerts, models.AlertAcked, nil, nil); err != nil {
			return bot.Reply{}, err
		}
		reply = bot.Reply{Texts: []string{fmt.Sprintf(MsgAlertAcked, len(list))}, Update: &bot.CardUpdate{TaskID: task.TaskID, ReplaceName: cards.TextAlertAcked}}
	case cards.ActionAlertSnooze:
		// From the start of the day a week on, so that morning's scan brings it back.
		today, err := clock.ParseDay(req.Today, f.d.Config.Location)
		if err != nil {
			return bot.Reply{}, err
		}
		until := today.AddDate(0, 0, SnoozeDays)
		if err := f.d.Alerts.SetAlertStatus(req.Ctx, data.Alerts, models.AlertSnoozed, &until, nil); err != nil {
			return bot.Reply{}, err
		}
		reply = bot.Reply{Texts: []string{fmt.Sprintf(MsgAlertSnoozed, monthDayOf(until, f.d.Config.Location))},
			Update: &bot.CardUpdate{TaskID: task.TaskID, ReplaceName: cards.TextAlertSnoozed}}
	case cards.ActionAlertAssign:
		reply, err = f.assignAlerts(req, task, list)
		if err != nil {
			return bot.Reply{}, err
		}
	default:
		return bot.Text(bot.MsgCardExpired), nil
	}
	card, err := f.alertCard(req.Ctx, task.TaskID, req.User, data.Alerts, reply.Update.ReplaceName)
	if err != nil {
		return bot.Reply{}, err
	}
	body, _ := json.Marshal(card)
	if err := f.d.Cards.UpdateCardTask(req.Ctx, task.TaskID, req.Event.Action.Key, string(body)); err != nil {
		return bot.Reply{}, err
	}
	return reply, nil
}

// handledElsewhere is the state of the card's alerts when none is open any
// more ("已知悉", "已指派", "已设置一周后提醒"), else "".
func handledElsewhere(list []models.Alert) string {
	names := map[string]string{models.AlertAcked: cards.TextAlertAcked, models.AlertAssigned: "已指派", models.AlertSnoozed: cards.TextAlertSnoozed}
	done := ""
	for _, a := range list {
		n, ok := names[a.Status]
		if !ok {
			return ""
		}
		done = n
	}
	return done
}

// assignAlerts makes every doctor of the card a must-visit on the chosen
// rep's next list (idempotent per alert: RefKey "alert:<id>") and queues a
// notice to the rep, in the click's transaction.
func (f *Flows) assignAlerts(req *bot.Request, task bot.CardTask, list []models.Alert) (bot.Reply, error) {
	picked := req.Event.Action.Answer(cards.QuestionAlertRep)
	if len(picked) != 1 {
		return bot.Reply{}, bot.Refuse(MsgAlertPickRep)
	}
	repID, err := strconv.ParseUint(picked[0], 10, 64)
	if err != nil {
		return bot.Reply{}, bot.Refuse(MsgAlertPickRep)
	}
	alertReps := map[uint]bool{}
	var doctorIDs, ids []uint
	for _, a := range list {
		ids = append(ids, a.ID)
		if a.RepID != nil {
			alertReps[*a.RepID] = true
		}
		if a.DoctorID != nil {
			doctorIDs = append(doctorIDs, *a.DoctorID)
		}
	}
	allowed, err := f.assignableReps(req.Ctx, req.User, alertReps)
	if err != nil {
		return bot.Reply{}, err
	}
	var rep *models.User
	for i := range allowed {
		if allowed[i].ID == uint(repID) {
			rep = &allowed[i]
		}
	}
	if rep == nil {
		return bot.Reply{}, bot.Refuse(MsgAlertRepNotInTeam)
	}
	if len(doctorIDs) == 0 {
		return bot.Reply{}, bot.Refuse(MsgAlertNoDoctor)
	}
	docs, err := f.d.Alerts.AlertDoctors(req.Ctx, uniqueIDs(doctorIDs))
	if err != nil {
		return bot.Reply{}, err
	}
	loc := f.d.Config.Location
	today, err := clock.ParseDay(req.Today, loc)
	if err != nil {
		return bot.Reply{}, err
	}
	due := clock.Day(today.AddDate(0, 0, 1), loc)
	names := make(map[uint]string, len(docs))
	for _, d := range docs {
		names[d.ID] = cards.Address(d.Name, d.Title) + "（" + d.HospitalName + "）"
	}
	var named []string
	for _, a := range list {
		if a.DoctorID == nil {
			continue
		}
		if _, err := f.d.Alerts.AddMustVisit(req.Ctx, &models.MustVisit{RepID: rep.ID, DoctorID: *a.DoctorID, DueDay: due,
			Source: models.RecMustVisit, Note: clipBytes("经理指派："+a.Title, 255), RefKey: fmt.Sprintf("alert:%d", a.ID)}); err != nil {
			return bot.Reply{}, err
		}
		if n := names[*a.DoctorID]; n != "" && !containsString(named, n) {
			named = append(named, n)
		}
	}
	if err := f.d.Alerts.SetAlertStatus(req.Ctx, ids, models.AlertAssigned, nil, &rep.ID); err != nil {
		return bot.Reply{}, err
	}
	when := "明天（" + monthDayOf(today.AddDate(0, 0, 1), loc) + "）"
	who := strings.Join(named, "、")
	if platform, to, ok := f.d.Platforms.RecipientFor(rep); ok {
		row, err := outbox.NewMessage(outbox.Envelope{Platform: platform, To: to, Purpose: fmt.Sprintf("%s:%d", purposeAssign, task.ID), Day: req.Today},
			bot.Message{Text: fmt.Sprintf(MsgAlertAssignNotice, managerAddress(req.User), who, when)})
		if err != nil {
			return bot.Reply{}, err
		}
		if err := f.d.Outbox.Enqueue(req.Ctx, row); err != nil {
			return bot.Reply{}, err
		}
	} else {
		f.d.Log.Warn("assigned rep unreachable: no notice sent", "rep", rep.UserID, "reason", f.d.Platforms.Unreachable(rep))
	}
	return bot.Reply{
		Texts:  []string{fmt.Sprintf(MsgAlertAssigned, rep.Name, who, when)},
		Update: &bot.CardUpdate{TaskID: task.TaskID, ReplaceName: cards.TextAlertAssigned(rep.Name)},
	}, nil
}

// managerAddress is how a rep's notice names the manager: "王经理" for a
// manager named 王强 (names already ending in 经理 are kept), an admin's name as is.
func managerAddress(u bot.User) string {
	if u.Role != bot.RoleManager || strings.HasSuffix(u.Name, "经理") {
		return u.Name
	}
	r := []rune(u.Name)
	if len(r) == 0 {
		return "经理"
	}
	return string(r[:1]) + "经理"
}

func monthDayOf(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return fmt.Sprintf("%d月%d日", int(t.Month()), t.Day())
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
