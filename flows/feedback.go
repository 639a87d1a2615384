package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/models"
)

// Feedback form keys and texts.
const (
	taskFeedback1 = "feedback_step1"
	taskFeedback2 = "feedback_step2"
	qConcern      = "concern"
	qObjection    = "objection"
	qFollowUp     = "follow_up"
	qCommitments  = "commitments"
	keyStep1      = "fb:step1"
	keyStep2      = "fb:step2"
	noCommitment  = "无"
	// MsgFeedbackMissing names what is missing, with the doctor in chat
	// ("请完成：冯医生（市一医院）的医生关注点").
	MsgFeedbackMissing = "请完成：%s"
	MsgFeedbackNotMine = "只能为自己的拜访填写反馈。"
	MsgFeedbackDone    = "这次拜访的反馈已提交过，无需重复提交。"
	MsgFeedbackNoneMix = "「无」不能与其他承诺事项同时选择。"
	MsgFeedbackStale   = "选项已更新，请发送「反馈」重新填写。"
	MsgFeedbackSaved   = "反馈已保存：%s（拜访质量分 %.0f）。如需补充备注，点「添加备注」或发送「备注 内容」。"
	MsgNoFeedbackOpen  = "今天没有待填写反馈的拜访。到达医院后先发送「签到」。"
	maxNoteRunes       = 500
)

// step1Answers are the first step's answers, carried to the second step.
type step1Answers struct {
	Concern   string `json:"concern"`
	Objection string `json:"objection"`
	FollowUp  string `json:"follow_up"`
}

func optionIDs(prefix string, texts []string) []cards.Option {
	out := make([]cards.Option, len(texts))
	for i, t := range texts {
		out[i] = cards.Option{ID: prefix + strconv.Itoa(i+1), Text: cards.Truncate(t, 16)}
	}
	return out
}

// optionText resolves an option id ("c3") against the configured list.
func optionText(prefix string, texts []string, id string) (string, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, prefix))
	if !strings.HasPrefix(id, prefix) || err != nil || n < 1 || n > len(texts) {
		return "", false
	}
	return texts[n-1], true
}

// feedbackStep1 builds and stores the first form card for a visit, or nil
// when the visit is not the rep's or already has feedback.
func (f *Flows) feedbackStep1(req *bot.Request, visitID uint) (*cards.Card, error) {
	v, err := f.d.Visits.VisitRowByID(req.Ctx, visitID)
	if err != nil {
		return nil, err
	}
	if v.RepID != req.User.ID {
		return nil, nil
	}
	if _, err := f.d.Visits.FeedbackByVisit(req.Ctx, visitID); err == nil {
		return nil, nil
	} else if !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	card := f.step1Card(NewTaskID("fb", v.Day, req.User.ID), v, step1Answers{}, false)
	if last, err := f.d.Visits.LastCommitments(req.Ctx, v.DoctorID); err != nil {
		return nil, err
	} else if last != "" {
		card.Desc = cards.Truncate("上次承诺："+strings.ReplaceAll(last, "|", "、"), 44)
	}
	return &card, f.d.Cards.SaveCardTask(req.Ctx, &models.CardTask{TaskID: card.TaskID, Platform: string(req.Event.Platform),
		UserID: req.User.ID, Kind: taskFeedback1, RefID: v.ID, Day: v.Day})
}

func (f *Flows) step1Card(taskID string, v *models.VisitRow, a step1Answers, frozen bool) cards.Card {
	o := f.d.Config.Visits.FeedbackOptions
	c := cards.Card{
		Layout: cards.MultipleInteraction, Kind: taskFeedback1, TaskID: taskID, Source: "拜访反馈 1/2",
		Title: cards.Truncate("拜访反馈 · "+cards.Address(v.DoctorName, v.Title), 36),
		Desc:  cards.Truncate(v.HospitalName, 44),
		Selects: []cards.Select{
			{QuestionKey: qConcern, Title: "医生关注点", Options: optionIDs("c", o.Concerns), SelectedID: a.Concern, Disabled: frozen},
			{QuestionKey: qObjection, Title: "异议类型", Options: optionIDs("j", o.Objections), SelectedID: a.Objection, Disabled: frozen},
			{QuestionKey: qFollowUp, Title: "下次跟进", Options: optionIDs("f", o.FollowUps), SelectedID: a.FollowUp, Disabled: frozen},
		},
		Submit: &cards.Button{Key: keyStep1, Text: "下一步"},
	}
	if frozen {
		c.ReplaceText = "已填写"
	}
	return c
}

func (f *Flows) step2Card(taskID string, v *models.VisitRow, checked []string, frozen bool) cards.Card {
	opts := optionIDs("m", f.d.Config.Visits.FeedbackOptions.Commitments)
	for i := range opts {
		opts[i].Checked = slices.Contains(checked, opts[i].ID)
	}
	c := cards.Card{
		Layout: cards.VoteInteraction, Kind: taskFeedback2, TaskID: taskID, Source: "拜访反馈 2/2",
		Title:    cards.Truncate("承诺事项 · "+cards.Address(v.DoctorName, v.Title), 36),
		Desc:     "可多选；没有承诺请选「无」",
		Checkbox: &cards.Checkbox{QuestionKey: qCommitments, Options: opts, Multi: true, Disabled: frozen},
		Submit:   &cards.Button{Key: keyStep2, Text: "提交"},
	}
	if frozen {
		c.ReplaceText = "已提交"
	}
	return c
}

// onFeedbackAction handles both steps' submit buttons.
func (f *Flows) onFeedbackAction(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
	want := map[string]string{keyStep1: taskFeedback1, keyStep2: taskFeedback2}[req.Event.Action.Key]
	if want == "" || task.Kind != want {
		return bot.Text(bot.MsgCardExpired), nil
	}
	v, err := f.d.Visits.VisitRowByID(req.Ctx, task.RefID)
	if errors.Is(err, models.ErrNotFound) {
		return bot.Text(bot.MsgCardExpired), nil
	}
	if err != nil {
		return bot.Reply{}, err
	}
	if v.RepID != req.User.ID {
		return bot.Text(MsgFeedbackNotMine), nil
	}
	if _, err := f.d.Visits.FeedbackByVisit(req.Ctx, v.ID); err == nil || task.State == "submitted" {
		return bot.Text(MsgFeedbackDone), nil
	} else if !errors.Is(err, models.ErrNotFound) {
		return bot.Reply{}, err
	}
	if task.Kind == taskFeedback1 {
		return f.submitStep1(req, task, v)
	}
	return f.submitStep2(req, task, v)
}

func single(a *bot.CardAction, q string) string {
	ids := a.Answer(q)
	if len(ids) != 1 {
		return ""
	}
	return ids[0]
}

func (f *Flows) submitStep1(req *bot.Request, task bot.CardTask, v *models.VisitRow) (bot.Reply, error) {
	o := f.d.Config.Visits.FeedbackOptions
	a := step1Answers{Concern: single(req.Event.Action, qConcern), Objection: single(req.Event.Action, qObjection), FollowUp: single(req.Event.Action, qFollowUp)}
	var missing []string
	for _, q := range []struct {
		id, prefix, name string
		opts             []string
	}{
		{a.Concern, "c", "医生关注点", o.Concerns}, {a.Objection, "j", "异议类型", o.Objections}, {a.FollowUp, "f", "下次跟进", o.FollowUps},
	} {
		if q.id == "" {
			missing = append(missing, q.name)
		} else if _, ok := optionText(q.prefix, q.opts, q.id); !ok {
			return keepLive(bot.Refuse(MsgFeedbackStale), f.step1Card(task.TaskID, v, step1Answers{}, false))
		}
	}
	if len(missing) > 0 {
		return keepLive(bot.Refuse(MsgFeedbackMissing, whose(v)+strings.Join(missing, "、")), f.step1Card(task.TaskID, v, a, false))
	}
	data, _ := json.Marshal(a)
	next := f.step2Card(NewTaskID("fb", v.Day, req.User.ID), v, nil, false)
	if err := f.d.Cards.SaveCardTask(req.Ctx, &models.CardTask{TaskID: next.TaskID, Platform: string(req.Event.Platform),
		UserID: req.User.ID, Kind: taskFeedback2, RefID: v.ID, Day: v.Day, Data: string(data)}); err != nil {
		return bot.Reply{}, err
	}
	frozen := f.step1Card(task.TaskID, v, a, true)
	if err := f.d.Cards.UpdateCardTask(req.Ctx, task.TaskID, "submitted", ""); err != nil {
		return bot.Reply{}, err
	}
	return bot.Reply{Cards: []cards.Card{next}, Update: &bot.CardUpdate{TaskID: task.TaskID, Card: &frozen}}, nil
}

func (f *Flows) submitStep2(req *bot.Request, task bot.CardTask, v *models.VisitRow) (bot.Reply, error) {
	cfg := f.d.Config.Visits
	var a step1Answers
	if err := json.Unmarshal([]byte(task.Data), &a); err != nil {
		return bot.Text(bot.MsgCardExpired), nil
	}
	ids := req.Event.Action.Answer(qCommitments)
	if len(ids) == 0 {
		return keepLive(bot.Refuse(MsgFeedbackMissing, whose(v)+"承诺事项（没有请选「无」）"), f.step2Card(task.TaskID, v, nil, false))
	}
	fb, summary, err := f.saveFeedback(req, v, a, ids, "")
	if errors.Is(err, models.ErrFeedbackExists) {
		return bot.Text(MsgFeedbackDone), nil
	} else if err != nil {
		return keepLive(err, f.step2Card(task.TaskID, v, ids, false))
	}
	if err := f.d.Cards.UpdateCardTask(req.Ctx, task.TaskID, "submitted", ""); err != nil {
		return bot.Reply{}, err
	}
	frozen := f.step2Card(task.TaskID, v, ids, true)
	offer, err := f.noteOfferCard(req, v, cfg.NoteWindow)
	if err != nil {
		return bot.Reply{}, err
	}
	return bot.Reply{
		Texts:  []string{fmt.Sprintf(MsgFeedbackSaved, summary, fb.QualityScore)},
		Cards:  []cards.Card{offer},
		Update: &bot.CardUpdate{TaskID: task.TaskID, Card: &frozen},
	}, nil
}

// whose names the visit a prompt is about, "冯医生（市一医院）的", since
// several forms can be open at once.
func whose(v *models.VisitRow) string {
	return cards.Address(v.DoctorName, v.Title) + "（" + v.HospitalName + "）的"
}

// qualityOf derives the quality inputs of a feedback record.
func (f *Flows) qualityOf(v *models.VisitRow, fb *models.VisitFeedback, hasFollowUp bool) QualityInput {
	answered := 0
	for _, s := range []string{fb.Concerns, fb.Objection, fb.FollowUp, fb.Commitments, fb.Note} {
		if s != "" {
			answered++
		}
	}
	return QualityInput{
		Answered: answered, Parts: 5,
		Commitment:  fb.Commitments != "" && fb.Commitments != noCommitment,
		FollowUp:    hasFollowUp,
		OnPlan:      v.Planned,
		Verified:    v.Verified,
		KeyCustomer: v.IsKOL || v.Tier == "S" || v.Tier == "A",
	}
}

// onFeedbackCommand re-sends the form for today's checked-in visits without feedback.
func (f *Flows) onFeedbackCommand(req *bot.Request, _ []string) (bot.Reply, error) {
	visits, err := f.d.Visits.DayVisits(req.Ctx, req.User.ID, req.Today)
	if err != nil {
		return bot.Reply{}, err
	}
	var ids, unverified []uint
	for _, v := range visits {
		if v.Status == models.VisitCheckedIn && v.Verified {
			ids = append(ids, v.ID)
		} else if v.Status == models.VisitCheckedIn {
			unverified = append(unverified, v.ID)
		}
	}
	reply, err := f.withForms(req, bot.Reply{}, ids...)
	if err != nil {
		return bot.Reply{}, err
	}
	if reply, err = f.withConfirm(req, reply, unverified); err != nil {
		return bot.Reply{}, err
	}
	if len(reply.Cards) == 0 {
		return bot.Text(MsgNoFeedbackOpen), nil
	}
	return reply, nil
}
