package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/models"
)

// WebPlatform marks rows written from the mobile pages (card tasks of the
// feedback forms a page check-in opens).
const WebPlatform bot.Platform = "web"

// Page-only texts.
const (
	MsgVisitNotFound = "找不到这次拜访。"
	MsgNoteTooLong   = "备注最多%d字，请精简后再提交。"
)

// FeedbackAnswers are a visit form's answers as the card's option ids
// ("c1", "j2", "f1", "m3"), so the page and the card validate the same way.
type FeedbackAnswers struct {
	Concern, Objection, FollowUp string
	Commitments                  []string
	// Note is the free text the card cannot carry (≤ 500 runes).
	Note string
}

// FeedbackOption is one choice of the form, id as on the card.
type FeedbackOption struct{ ID, Text string }

// FeedbackChoices are the form's options in card order.
type FeedbackChoices struct {
	Concerns, Objections, FollowUps, Commitments []FeedbackOption
}

// FeedbackChoices lists visits.feedback_options with the card's ids (full
// texts; the card truncates to 16 runes, the page need not).
func (f *Flows) FeedbackChoices() FeedbackChoices {
	o := f.d.Config.Visits.FeedbackOptions
	list := func(prefix string, texts []string) []FeedbackOption {
		out := make([]FeedbackOption, len(texts))
		for i, t := range texts {
			out[i] = FeedbackOption{ID: fmt.Sprintf("%s%d", prefix, i+1), Text: t}
		}
		return out
	}
	return FeedbackChoices{Concerns: list("c", o.Concerns), Objections: list("j", o.Objections),
		FollowUps: list("f", o.FollowUps), Commitments: list("m", o.Commitments)}
}

// webRequest is a bot.Request for a signed-in page user; ctx carries the
// page action's transaction.
func (f *Flows) webRequest(ctx context.Context, u *models.User, ev bot.Event) *bot.Request {
	now := f.d.Clock.Now()
	ev.Platform = WebPlatform
	return &bot.Request{Ctx: ctx, User: botUser(u), Event: ev, Now: now, Today: clock.Day(now, f.d.Config.Location)}
}

// SubmitFeedbackForm stores the feedback of the rep's visit from the mobile
// form: the card's step-2 rules (saveFeedback) plus a note. Refusals are
// *bot.UserError with a Chinese message; nothing is written then.
func (f *Flows) SubmitFeedbackForm(ctx context.Context, u *models.User, visitID uint, a FeedbackAnswers) (*models.VisitFeedback, error) {
	var fb *models.VisitFeedback
	err := f.d.DB.Tx(ctx, func(ctx context.Context) error {
		req := f.webRequest(ctx, u, bot.Event{Kind: bot.EventCardAction})
		v, err := f.d.Visits.VisitRowByID(ctx, visitID)
		if errors.Is(err, models.ErrNotFound) {
			return bot.Refuse(MsgVisitNotFound)
		}
		if err != nil {
			return err
		}
		if v.RepID != u.ID {
			return bot.Refuse(MsgFeedbackNotMine)
		}
		var missing []string
		for _, q := range []struct{ id, name string }{{a.Concern, "医生关注点"}, {a.Objection, "异议类型"}, {a.FollowUp, "下次跟进"}} {
			if q.id == "" {
				missing = append(missing, q.name)
			}
		}
		// Every missing answer in one round, the commitments too.
		if len(a.Commitments) == 0 {
			missing = append(missing, "承诺事项（没有请选「无」）")
		}
		if len(missing) > 0 {
			return bot.Refuse(MsgFeedbackMissing, strings.Join(missing, "、"))
		}
		note := strings.TrimSpace(a.Note)
		if utf8.RuneCountInString(note) > maxNoteRunes {
			return bot.Refuse(MsgNoteTooLong, maxNoteRunes)
		}
		fb, _, err = f.saveFeedback(req, v, step1Answers{Concern: a.Concern, Objection: a.Objection, FollowUp: a.FollowUp}, a.Commitments, note)
		if errors.Is(err, models.ErrFeedbackExists) {
			return bot.Refuse(MsgFeedbackDone)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return fb, nil
}

// saveFeedback checks the answers against visits.feedback_options, scores
// and stores the feedback, and schedules the follow-up must-visit. Shared by
// the card's step 2 and the mobile form. summary is the chat confirmation.
func (f *Flows) saveFeedback(req *bot.Request, v *models.VisitRow, a step1Answers, ids []string, note string) (fb *models.VisitFeedback, summary string, err error) {
	cfg := f.d.Config.Visits
	if len(ids) == 0 {
		return nil, "", bot.Refuse(MsgFeedbackMissing, "承诺事项（没有请选「无」）")
	}
	var commitments []string
	for _, id := range ids {
		t, ok := optionText("m", cfg.FeedbackOptions.Commitments, id)
		if !ok {
			return nil, "", bot.Refuse(MsgFeedbackStale)
		}
		if !slices.Contains(commitments, t) {
			commitments = append(commitments, t)
		}
	}
	if slices.Contains(commitments, noCommitment) && len(commitments) > 1 {
		return nil, "", bot.Refuse(MsgFeedbackNoneMix)
	}
	concern, ok1 := optionText("c", cfg.FeedbackOptions.Concerns, a.Concern)
	objection, ok2 := optionText("j", cfg.FeedbackOptions.Objections, a.Objection)
	follow, ok3 := optionText("f", cfg.FeedbackOptions.FollowUps, a.FollowUp)
	if !ok1 || !ok2 || !ok3 {
		return nil, "", bot.Refuse(MsgFeedbackStale)
	}
	days, hasFollowUp := cfg.FollowUpDays[follow]
	fb = &models.VisitFeedback{
		VisitID: v.ID, RepID: v.RepID, DoctorID: v.DoctorID, Concerns: concern, Objection: objection,
		Commitments: strings.Join(commitments, "|"), FollowUp: follow, Note: note, SubmittedAt: req.Now.UTC(),
	}
	fb.QualityScore = QualityScore(f.qualityOf(v, fb, hasFollowUp), cfg.QualityWeights)
	if err := f.d.Visits.SaveFeedback(req.Ctx, fb); err != nil {
		return nil, "", err
	}
	if hasFollowUp {
		date, err := clock.ParseDay(v.Day, f.d.Config.Location)
		if err != nil {
			return nil, "", err
		}
		due := clock.Day(date.AddDate(0, 0, days), f.d.Config.Location)
		if err := f.d.Visits.AddFollowUp(req.Ctx, v.RepID, v.DoctorID, due, fmt.Sprintf("feedback:%d", fb.ID), follow); err != nil {
			return nil, "", err
		}
	}
	summary = fmt.Sprintf("%s，%s，%s，承诺：%s", concern, objection, follow, strings.Join(commitments, "、"))
	return fb, summary, nil
}

// CheckInResult is what the check-in page shows: the same texts the chat
// would get, and the visits whose feedback is now open.
type CheckInResult struct {
	Texts  []string
	Visits []models.VisitRow
}

// MsgCheckInRepeated answers a check-in form posted twice.
const MsgCheckInRepeated = "这次签到已经提交过了，无需重复提交。"

// CheckInFromPage checks the rep in at a browser-reported position with the
// chat's rules (consent notice once, geofence, planned vs off-plan). once is
// the form's one-time key: like a platform delivery key, a second post of
// the same form is refused and changes nothing.
func (f *Flows) CheckInFromPage(ctx context.Context, u *models.User, lat, lng float64, once string) (CheckInResult, error) {
	var res CheckInResult
	err := f.d.DB.Tx(ctx, func(ctx context.Context) error {
		if once == "" || len(once) > 64 {
			return bot.Refuse(MsgCheckInRepeated)
		}
		if err := f.d.Inbox.RecordDelivery(ctx, string(WebPlatform), fmt.Sprintf("checkin:%d:%s", u.ID, once), string(bot.EventLocation)); errors.Is(err, models.ErrConflict) {
			return bot.Refuse(MsgCheckInRepeated)
		} else if err != nil {
			return err
		}
		loc := &bot.Location{Lat: lat, Lng: lng}
		req := f.webRequest(ctx, u, bot.Event{Kind: bot.EventLocation, Location: loc, From: u.UserID})
		reply, err := f.onLocation(req)
		if err != nil {
			return err
		}
		res.Texts = reply.Texts
		visits, err := f.d.Visits.DayVisits(ctx, u.ID, req.Today)
		if err != nil {
			return err
		}
		for _, v := range visits {
			if v.Status == models.VisitCheckedIn {
				res.Visits = append(res.Visits, v)
			}
		}
		return nil
	})
	return res, err
}

// Alert actions the dashboard offers (the card's keys).
const (
	AlertActionAck    = cards.ActionAlertAck
	AlertActionSnooze = cards.ActionAlertSnooze
)

// AlertActionFromPage performs 已知悉 or 一周后提醒 on one alert from the
// dashboard, with the card's ownership rule (alertOwnedBy) and snooze rule
// (SnoozeDays from today). It returns the chat's confirmation text.
func (f *Flows) AlertActionFromPage(ctx context.Context, u *models.User, alertID uint, action string) (string, error) {
	var msg string
	err := f.d.DB.Tx(ctx, func(ctx context.Context) error {
		req := f.webRequest(ctx, u, bot.Event{Kind: bot.EventCardAction})
		list, err := f.d.Alerts.AlertsByIDs(ctx, []uint{alertID})
		if err != nil {
			return err
		}
		if len(list) != 1 {
			return bot.Refuse(MsgAlertNotYours)
		}
		a := list[0]
		if !alertOwnedBy(a, botUser(u)) {
			f.d.Log.Warn("alert action by another team refused", "user", u.UserID, "alert", a.ID, "via", "web")
			if err := f.d.Audit.Record(ctx, u.ID, "alert_action_refused", fmt.Sprintf("web:%d", a.ID), map[string]any{"alert": a.ID, "key": action}); err != nil {
				return err
			}
			return bot.Refuse(MsgAlertNotYours)
		}
		if a.Status != models.AlertOpen {
			return bot.Refuse(MsgAlertHandled)
		}
		switch action {
		case AlertActionAck:
			msg = fmt.Sprintf(MsgAlertAcked, 1)
			return f.d.Alerts.SetAlertStatus(ctx, []uint{a.ID}, models.AlertAcked, nil, nil)
		case AlertActionSnooze:
			today, err := clock.ParseDay(req.Today, f.d.Config.Location)
			if err != nil {
				return err
			}
			until := today.AddDate(0, 0, SnoozeDays)
			msg = fmt.Sprintf(MsgAlertSnoozed, monthDayOf(until, f.d.Config.Location))
			return f.d.Alerts.SetAlertStatus(ctx, []uint{a.ID}, models.AlertSnoozed, &until, nil)
		}
		return bot.Refuse("不支持的操作。")
	})
	return msg, err
}

// alertOwnedBy is who may act on an alert: its manager, or an admin for an
// alert without one.
func alertOwnedBy(a models.Alert, u bot.User) bool {
	return (a.ManagerID != nil && *a.ManagerID == u.ID) || (a.ManagerID == nil && u.Role == bot.RoleAdmin)
}
