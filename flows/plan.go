package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/models"
	"visitbot/outbox"
)

// Flows are the domain conversations, shared by the bot handlers and the jobs.
type Flows struct{ d Deps }

// New returns the flows over d.
func New(d Deps) *Flows { return &Flows{d: d} }

// Plan-card texts.
const (
	MsgPlanAccepted     = "已记录今日计划（%d位医生）。到达医院后发送「签到」，%s。如需调整，可在卡片上点「跳过某位并说明原因」。"
	MsgPlanAlready      = "今日计划已接受，无需重复操作。"
	MsgSkipNeedAnswers  = "请选择要跳过的医生和原因后再提交。"
	MsgSkipNotOnList    = "这位医生不在您今天的名单上。"
	MsgSkipAlreadyDone  = "这位医生今天已签到，无法跳过。"
	MsgSkipReplacement  = "已跳过%s（%s）。为您补上：%s"
	MsgSkipNoReplace    = "已跳过%s（%s）。今天没有其他可推荐的医生了。"
	MsgListGone         = "今天的名单已不存在，请发送「我的名单」重新获取。"
	purposePlanUpdate   = "plan_update"
	taskKindSkipForm    = "skip_form"
	taskKindVisitList   = "visit_list"
	skipReasonQuestion  = cards.QuestionSkipReason
	skipDoctorQuestion  = cards.QuestionSkipDoctor
	replacementReasonFm = "替补：%s"
)

func (f *Flows) registerPlan(b *bot.Bot) {
	b.Action("plan", f.onPlanAction)
	b.Action("skip", f.onSkipSubmit)
}

// onPlanAction handles the visit-list buttons 接受今日计划 and 跳过某位.
// After accept the list card is sent again whole and live, keeping 跳过 and
// 查看路线; 跳过某位 leaves it untouched and usable (接受今日计划 too).
func (f *Flows) onPlanAction(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
	if task.Kind != taskKindVisitList {
		return bot.Text(bot.MsgCardExpired), nil
	}
	items, err := f.d.Plans.PlanItems(req.Ctx, req.User.ID, task.Day)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(items) == 0 {
		return bot.Text(MsgListGone), nil
	}
	rep, err := f.d.Users.UserByID(req.Ctx, req.User.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	switch req.Event.Action.Key {
	case cards.ActionPlanAccept:
		created, err := f.d.Plans.AcceptPlan(req.Ctx, req.User.ID, task.Day, items)
		if err != nil {
			return bot.Reply{}, err
		}
		card, err := f.visitListCard(rep, task.Day, task.TaskID, items, true)
		if err != nil {
			return bot.Reply{}, err
		}
		reply := bot.Reply{Update: wholeCard(card)}
		if !created {
			reply.Texts = []string{MsgPlanAlready}
			return reply, nil
		}
		reply.Texts = []string{fmt.Sprintf(MsgPlanAccepted, countActive(items), f.checkInHint(req.Event.Platform))}
		body, err := json.Marshal(card)
		if err != nil {
			return bot.Reply{}, err
		}
		return reply, f.d.Cards.UpdateCardTask(req.Ctx, task.TaskID, "accepted", string(body))
	case cards.ActionPlanSkip:
		// The list card is left as it is, live: its newest response_code (this
		// click's, on WeCom) is kept for the whole-card refresh after the skip.
		card := cards.SkipForm(NewTaskID("sk", task.Day, req.User.ID), activeItems(items))
		if err := f.d.Cards.SaveCardTask(req.Ctx, &models.CardTask{
			TaskID: card.TaskID, Platform: string(req.Event.Platform), UserID: req.User.ID, Kind: taskKindSkipForm,
			RefID: task.ID, Day: task.Day,
		}); err != nil {
			return bot.Reply{}, err
		}
		return bot.Reply{Cards: []cards.Card{card}}, nil
	}
	return bot.Text(bot.MsgCardExpired), nil
}

// onSkipSubmit skips one doctor with a reason, adds the next-best doctor to
// the list and refreshes the visit-list card. A refusal keeps the form live;
// after the skip the form shows the choice, frozen.
func (f *Flows) onSkipSubmit(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
	if task.Kind != taskKindSkipForm || task.State == "submitted" {
		return bot.Text(bot.MsgCardExpired), nil
	}
	items, err := f.d.Plans.PlanItems(req.Ctx, req.User.ID, task.Day)
	if err != nil {
		return bot.Reply{}, err
	}
	form := activeItems(items)
	doctorIDs, reasons := req.Event.Action.Answer(skipDoctorQuestion), req.Event.Action.Answer(skipReasonQuestion)
	skipped, reason, err := skipChoice(items, doctorIDs, reasons)
	if err != nil {
		return keepLive(err, cards.SkipForm(task.TaskID, form))
	}
	if err := f.d.Plans.SkipVisit(req.Ctx, req.User.ID, skipped.DoctorID, skipped.HospitalID, task.Day, reason); err != nil {
		return bot.Reply{}, err
	}
	exclude := make([]uint, 0, len(items))
	for _, it := range items {
		exclude = append(exclude, it.DoctorID)
	}
	next, err := f.d.Recommend.NextBest(req.Ctx, req.User.ID, task.Day, exclude)
	if err != nil {
		return bot.Reply{}, fmt.Errorf("replacement for doctor %d: %w", skipped.DoctorID, err)
	}
	skippedName := cards.Address(skipped.DoctorName, skipped.Title)
	text := fmt.Sprintf(MsgSkipNoReplace, skippedName, reason)
	if next != nil {
		if err := f.d.Plans.AddRecommendation(req.Ctx, next); err != nil {
			return bot.Reply{}, err
		}
		if err := f.refreshVisitList(req, task); err != nil {
			return bot.Reply{}, err
		}
		items, err = f.d.Plans.PlanItems(req.Ctx, req.User.ID, task.Day)
		if err != nil {
			return bot.Reply{}, err
		}
		added := items[len(items)-1]
		text = fmt.Sprintf(MsgSkipReplacement, skippedName, reason, cards.RowProse(cards.VisitItem{
			DoctorName: added.DoctorName, Title: added.Title, Hospital: added.HospitalName, Heat: added.Heat, Period: added.Period, DistanceM: added.DistanceM, Kind: added.Kind,
		}))
		if r := topReason(added.Reasons); r != "" {
			text += "，" + r
		}
		if accepted, err := f.d.Plans.PlanAccepted(req.Ctx, req.User.ID, task.Day); err != nil {
			return bot.Reply{}, err
		} else if accepted {
			if _, err := f.d.Plans.AcceptPlanItem(req.Ctx, req.User.ID, task.Day, added); err != nil {
				return bot.Reply{}, err
			}
		}
	} else if err := f.refreshVisitList(req, task); err != nil {
		return bot.Reply{}, err
	}
	if err := f.d.Cards.UpdateCardTask(req.Ctx, task.TaskID, "submitted", ""); err != nil {
		return bot.Reply{}, err
	}
	done := cards.SkipFormDone(task.TaskID, form, doctorIDs[0], reasons[0], cards.TermSkipped+skippedName)
	return bot.Reply{Texts: []string{text}, Update: wholeCard(done)}, nil
}

// skipChoice resolves the skip form's answers against the day's list: the
// doctor to skip and the reason's text, or a refusal saying what is wrong.
func skipChoice(items []models.PlanItem, doctorIDs, reasons []string) (models.PlanItem, string, error) {
	if len(doctorIDs) != 1 || len(reasons) != 1 {
		return models.PlanItem{}, "", bot.Refuse(MsgSkipNeedAnswers)
	}
	reason := ""
	for _, o := range cards.SkipReasons {
		if o.ID == reasons[0] {
			reason = o.Text
		}
	}
	doctorID, err := strconv.ParseUint(doctorIDs[0], 10, 64)
	if err != nil || reason == "" {
		return models.PlanItem{}, "", bot.Refuse(MsgSkipNeedAnswers)
	}
	i := slices.IndexFunc(items, func(it models.PlanItem) bool { return it.DoctorID == uint(doctorID) })
	if i < 0 || items[i].VisitStatus == models.VisitSkipped {
		return models.PlanItem{}, "", bot.Refuse(MsgSkipNotOnList)
	}
	if items[i].VisitStatus == models.VisitCheckedIn || items[i].VisitStatus == models.VisitCompleted {
		return models.PlanItem{}, "", bot.Refuse(MsgSkipAlreadyDone)
	}
	return items[i], reason, nil
}

// refreshVisitList queues a whole-card update of the visit list the skip
// form came from, so the rep sees the new line-up on the original card.
func (f *Flows) refreshVisitList(req *bot.Request, skipTask bot.CardTask) error {
	list, err := f.d.Cards.CardTaskByID(req.Ctx, skipTask.RefID)
	if errors.Is(err, models.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	items, err := f.d.Plans.PlanItems(req.Ctx, req.User.ID, list.Day)
	if err != nil {
		return err
	}
	accepted, err := f.d.Plans.PlanAccepted(req.Ctx, req.User.ID, list.Day)
	if err != nil {
		return err
	}
	rep, err := f.d.Users.UserByID(req.Ctx, req.User.ID)
	if err != nil {
		return err
	}
	card, err := f.visitListCard(rep, list.Day, list.TaskID, items, accepted)
	if err != nil {
		return err
	}
	row, err := outbox.NewUpdate(outbox.Envelope{
		Platform: bot.Platform(list.Platform), To: bot.Recipient{UserID: req.User.ID, PlatformUserID: req.Event.From},
		Purpose: purposePlanUpdate + ":" + strconv.FormatUint(uint64(skipTask.ID), 10), Day: list.Day,
	}, bot.CardUpdate{TaskID: list.TaskID, ResponseCode: list.ResponseCode, Card: &card})
	if err != nil {
		return err
	}
	return f.d.Outbox.Enqueue(req.Ctx, row)
}

func activeItems(items []models.PlanItem) []cards.VisitItem {
	var out []cards.VisitItem
	n := 0
	for _, it := range items {
		if it.VisitStatus == models.VisitSkipped {
			continue
		}
		n++
		out = append(out, cards.VisitItem{Rank: n, DoctorID: it.DoctorID, DoctorName: it.DoctorName, Title: it.Title, Hospital: it.HospitalName, Department: it.Department})
	}
	return out
}

func countActive(items []models.PlanItem) int {
	n := 0
	for _, it := range items {
		if it.VisitStatus != models.VisitSkipped {
			n++
		}
	}
	return n
}
