package flows

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/models"
)

// A note is taken only when the rep asks for it: 添加备注 on the card sent
// with the saved feedback (the next text becomes the note), or 「备注 …」.
// Other text within visits.note_window gets a one-tap question (保存为备注 /
// 不是备注); nothing is ever saved silently, and the quality score counts a
// note only once it is saved.
const (
	MsgNoteSaved      = "备注已保存到%s的拜访记录。"
	MsgNoteAsk        = "请直接发送备注内容，将保存到%s的拜访记录（%d分钟内有效）。"
	MsgNoteDropped    = "好的，这条消息没有保存为备注。"
	MsgNoteNoFeedback = "今天还没有已提交的拜访反馈，提交反馈后才能添加备注。"
	MsgNoteTooLongFmt = "备注最多%d字，请精简后再提交。"
	keyNoteAdd        = cards.ActionNoteAdd
	keyNoteSave       = cards.ActionNoteSave
	keyNoteDrop       = cards.ActionNoteDrop
	taskNoteOffer     = "note_offer"
	taskNoteQuestion  = "note_question"
)

func noteAwaitKey(userID uint) string { return "note:await:" + strconv.FormatUint(uint64(userID), 10) }

func (f *Flows) registerNotes(b *bot.Bot) {
	b.Command(bot.Command{Name: "备注", Aliases: []string{"note"}, Usage: "备注 <内容>", Summary: "为今天最近提交的拜访反馈补充备注",
		Role: bot.RoleRep, Only: true, MinArgs: 1, MaxArgs: -1, Run: f.onNoteCommand})
	b.OnText(f.onNoteText)
	b.Action("note", f.onNoteAction)
}

// noteOfferCard is the 添加备注 card sent with the saved feedback of v.
func (f *Flows) noteOfferCard(req *bot.Request, v *models.VisitRow, window time.Duration) (cards.Card, error) {
	c := cards.NoteOffer(NewTaskID("nt", v.Day, req.User.ID), cards.Address(v.DoctorName, v.Title), v.HospitalName, int(window.Minutes()))
	return c, f.d.Cards.SaveCardTask(req.Ctx, &models.CardTask{TaskID: c.TaskID, Platform: string(req.Event.Platform),
		UserID: req.User.ID, Kind: c.Kind, RefID: v.ID, Day: v.Day})
}

// noteQuestionCard asks whether text, sent within the note window of v's
// feedback, is a note.
func (f *Flows) noteQuestionCard(req *bot.Request, v *models.VisitRow, text string) (cards.Card, error) {
	c := cards.NoteQuestion(NewTaskID("nq", v.Day, req.User.ID), cards.Address(v.DoctorName, v.Title), v.HospitalName, text)
	return c, f.d.Cards.SaveCardTask(req.Ctx, &models.CardTask{TaskID: c.TaskID, Platform: string(req.Event.Platform),
		UserID: req.User.ID, Kind: c.Kind, RefID: v.ID, Day: v.Day, Data: text})
}

// onNoteText: after 添加备注 the text is the note; other text within the
// note window of the rep's latest feedback gets the question card.
func (f *Flows) onNoteText(req *bot.Request) (bot.Reply, bool, error) {
	if req.User.Role != bot.RoleRep {
		return bot.Reply{}, false, nil
	}
	text := strings.TrimSpace(req.Event.Text)
	if raw, err := f.d.Settings.GetSetting(req.Ctx, noteAwaitKey(req.User.ID)); err == nil {
		if err := f.d.Settings.DeleteSetting(req.Ctx, noteAwaitKey(req.User.ID)); err != nil {
			return bot.Reply{}, false, err
		}
		if visitID, err := strconv.ParseUint(raw, 10, 64); err == nil {
			r, err := f.attachNote(req, uint(visitID), text)
			return r, true, err
		}
	} else if !errors.Is(err, models.ErrNotFound) {
		return bot.Reply{}, false, err
	}
	fb, err := f.d.Visits.LatestFeedbackSince(req.Ctx, req.User.ID, req.Now.Add(-f.d.Config.Visits.NoteWindow))
	if errors.Is(err, models.ErrNotFound) {
		return bot.Reply{}, false, nil
	}
	if err != nil {
		return bot.Reply{}, false, err
	}
	v, err := f.d.Visits.VisitRowByID(req.Ctx, fb.VisitID)
	if err != nil {
		return bot.Reply{}, false, err
	}
	card, err := f.noteQuestionCard(req, v, text)
	if err != nil {
		return bot.Reply{}, false, err
	}
	return bot.Reply{Cards: []cards.Card{card}}, true, nil
}

// onNoteCommand is 「备注 …」: the note goes to the rep's latest feedback of today.
func (f *Flows) onNoteCommand(req *bot.Request, _ []string) (bot.Reply, error) {
	text := strings.TrimSpace(req.Event.Text)
	if name, rest, ok := strings.Cut(text, " "); ok && name != "" {
		text = strings.TrimSpace(rest)
	}
	start, err := clock.ParseDay(req.Today, f.d.Config.Location)
	if err != nil {
		return bot.Reply{}, err
	}
	fb, err := f.d.Visits.LatestFeedbackSince(req.Ctx, req.User.ID, start)
	if errors.Is(err, models.ErrNotFound) {
		return bot.Text(MsgNoteNoFeedback), nil
	}
	if err != nil {
		return bot.Reply{}, err
	}
	return f.attachNote(req, fb.VisitID, text)
}

// onNoteAction handles 添加备注, 保存为备注 and 不是备注.
func (f *Flows) onNoteAction(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
	key := req.Event.Action.Key
	switch {
	case key == keyNoteAdd && task.Kind == taskNoteOffer:
		v, err := f.d.Visits.VisitRowByID(req.Ctx, task.RefID)
		if err != nil {
			return bot.Reply{}, err
		}
		window := f.d.Config.Visits.NoteWindow
		if err := f.d.Settings.PutSetting(req.Ctx, noteAwaitKey(req.User.ID), strconv.FormatUint(uint64(v.ID), 10), window); err != nil {
			return bot.Reply{}, err
		}
		return bot.Textf(MsgNoteAsk, cards.Address(v.DoctorName, v.Title), int(window.Minutes())), nil
	case (key == keyNoteSave || key == keyNoteDrop) && task.Kind == taskNoteQuestion && task.State == "":
		if err := f.d.Cards.UpdateCardTask(req.Ctx, task.TaskID, "submitted", ""); err != nil {
			return bot.Reply{}, err
		}
		if key == keyNoteDrop {
			return bot.Reply{Texts: []string{MsgNoteDropped}, Update: &bot.CardUpdate{TaskID: task.TaskID, ReplaceName: cards.TextNoteDrop}}, nil
		}
		r, err := f.attachNote(req, task.RefID, task.Data)
		if err == nil && r.Update == nil {
			r.Update = &bot.CardUpdate{TaskID: task.TaskID, ReplaceName: cards.TextNoteSaved}
		}
		return r, err
	}
	return bot.Text(bot.MsgCardExpired), nil
}

// attachNote appends text to the note of the visit's feedback and rescores it.
func (f *Flows) attachNote(req *bot.Request, visitID uint, text string) (bot.Reply, error) {
	fb, err := f.d.Visits.FeedbackByVisit(req.Ctx, visitID)
	if errors.Is(err, models.ErrNotFound) {
		return bot.Text(MsgNoteNoFeedback), nil
	}
	if err != nil {
		return bot.Reply{}, err
	}
	if fb.RepID != req.User.ID {
		return bot.Text(MsgFeedbackNotMine), nil
	}
	if fb.Note != "" {
		text = fb.Note + "；" + text
	}
	if utf8.RuneCountInString(text) > maxNoteRunes {
		return bot.Reply{}, bot.Refuse(MsgNoteTooLongFmt, maxNoteRunes)
	}
	v, err := f.d.Visits.VisitRowByID(req.Ctx, fb.VisitID)
	if err != nil {
		return bot.Reply{}, err
	}
	fb.Note = text
	_, hasFollowUp := f.d.Config.Visits.FollowUpDays[fb.FollowUp]
	score := QualityScore(f.qualityOf(v, fb, hasFollowUp), f.d.Config.Visits.QualityWeights)
	if err := f.d.Visits.SetFeedbackNote(req.Ctx, fb.ID, text, score); err != nil {
		return bot.Reply{}, err
	}
	return bot.Textf(MsgNoteSaved, cards.Address(v.DoctorName, v.Title)), nil
}
