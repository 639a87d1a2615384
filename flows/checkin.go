package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/models"
	"visitbot/ranking"
)

// Check-in texts.
const (
	ConsentKindLocation = "location"
	MsgLocationConsent  = "【个人信息提示】签到时您分享的位置仅用于确认本次拜访是否在医院范围内，只在签到这一刻获取，不会持续追踪。"
	MsgShareLocation    = "请发送您当前的位置完成签到：%s。"
	MsgCheckInVerified  = "签到成功：%s（距离约%s，在%s签到范围内）。"
	MsgCheckInFar       = "已记录签到，但您距离%s约%s，超出%s签到范围，本次签到记为未核验。如确实在医院，请到门诊楼附近重新发送位置；核验后再填写反馈。"
	taskCheckInConfirm  = "checkin_confirm"
	keyCheckInConfirm   = cards.ActionCheckInConfirm
	MsgCheckInOffPlan   = "您当前在%s附近（约%s），不在今日计划的医院中，已记为计划外签到。"
	MsgCheckInNowhere   = "附近%s内没有已登记的医院（最近的是%s，约%s），本次签到未核验。"
	MsgNoPlanToday      = "今天还没有接受拜访计划，已按计划外签到处理。"
	MsgPickDoctor       = "请选择本次拜访的医生"
	awaitCheckInTTL     = 10 * time.Minute
)

// reportedLocation is a periodically reported position kept for a few minutes.
type reportedLocation struct {
	Lat, Lng float64
	At       time.Time
}

func awaitKey(userID uint) string    { return "checkin:await:" + strconv.FormatUint(uint64(userID), 10) }
func reportedKey(userID uint) string { return "checkin:loc:" + strconv.FormatUint(uint64(userID), 10) }

func (f *Flows) registerVisits(b *bot.Bot) {
	b.Command(bot.Command{Name: "签到", Aliases: []string{"checkin"}, Usage: "签到", Summary: "分享位置完成拜访签到", Role: bot.RoleRep, Only: true, MaxArgs: 0, Run: f.onCheckInCommand})
	b.Command(bot.Command{Name: "反馈", Aliases: []string{"feedback"}, Usage: "反馈", Summary: "为今天已签到的拜访填写反馈", Role: bot.RoleRep, Only: true, MaxArgs: 0, Run: f.onFeedbackCommand})
	f.registerNotes(b)
	b.OnLocation(f.onLocation)
	b.Action("fb", f.onFeedbackAction)
	b.Action("checkin", f.onCheckInAction)
}

// onCheckInCommand answers 签到: with a fresh reported location it checks in
// at once, otherwise it asks for a location and waits a few minutes for it.
func (f *Flows) onCheckInCommand(req *bot.Request, _ []string) (bot.Reply, error) {
	var reply bot.Reply
	if err := f.consentOnce(req, &reply); err != nil {
		return bot.Reply{}, err
	}
	if raw, err := f.d.Settings.GetSetting(req.Ctx, reportedKey(req.User.ID)); err == nil {
		var loc reportedLocation
		if json.Unmarshal([]byte(raw), &loc) == nil && req.Now.Sub(loc.At) <= f.d.Config.Visits.LocationMaxAge {
			if err := f.d.Settings.DeleteSetting(req.Ctx, reportedKey(req.User.ID)); err != nil {
				return bot.Reply{}, err
			}
			r, err := f.checkIn(req, loc.Lat, loc.Lng, true)
			return merge(reply, r), err
		}
	} else if !errors.Is(err, models.ErrNotFound) {
		return bot.Reply{}, err
	}
	if err := f.d.Settings.PutSetting(req.Ctx, awaitKey(req.User.ID), "1", awaitCheckInTTL); err != nil {
		return bot.Reply{}, err
	}
	reply.Texts = append(reply.Texts, fmt.Sprintf(MsgShareLocation, f.checkInHint(req.Event.Platform)))
	return reply, nil
}

// Per-platform ways to share a location (checkInHint).
const (
	HintLocationWeCom    = "点击输入框旁的「+」→「位置」，发送当前位置"
	HintLocationConsole  = "点击输入框旁的「发送位置」，选择所在医院"
	HintLocationDingTalk = "打开签到页面分享位置：%s/m/checkin"
)

// checkInHint says how a rep shares a location on platform: WeCom's 「+」→
// 「位置」, the console's 发送位置, DingTalk's check-in page (its robot
// receives no location messages).
func (f *Flows) checkInHint(platform bot.Platform) string {
	switch platform {
	case bot.DingTalk:
		return fmt.Sprintf(HintLocationDingTalk, strings.TrimSuffix(f.d.Config.PublicURL, "/"))
	case bot.Console:
		return HintLocationConsole
	}
	return HintLocationWeCom
}

// onLocation: a shared location checks in; a reported one (WeCom LOCATION
// event) checks in only while a 签到 is waiting, else it is kept for
// visits.location_max_age and then forgotten.
func (f *Flows) onLocation(req *bot.Request) (bot.Reply, error) {
	loc := req.Event.Location
	if loc == nil || math.IsNaN(loc.Lat) || math.IsNaN(loc.Lng) || loc.Lat < -90 || loc.Lat > 90 || loc.Lng < -180 || loc.Lng > 180 {
		return bot.Text("位置信息无效，请重新发送位置。"), nil
	}
	if req.User.Role != bot.RoleRep {
		return bot.Text(bot.MsgLocationUnsupported), nil
	}
	if loc.Reported {
		if _, err := f.d.Settings.GetSetting(req.Ctx, awaitKey(req.User.ID)); errors.Is(err, models.ErrNotFound) {
			b, _ := json.Marshal(reportedLocation{Lat: loc.Lat, Lng: loc.Lng, At: req.Now})
			return bot.Reply{}, f.d.Settings.PutSetting(req.Ctx, reportedKey(req.User.ID), string(b), f.d.Config.Visits.LocationMaxAge)
		} else if err != nil {
			return bot.Reply{}, err
		}
	}
	var reply bot.Reply
	if err := f.consentOnce(req, &reply); err != nil {
		return bot.Reply{}, err
	}
	if err := f.d.Settings.DeleteSetting(req.Ctx, awaitKey(req.User.ID)); err != nil {
		return bot.Reply{}, err
	}
	r, err := f.checkIn(req, loc.Lat, loc.Lng, loc.Reported)
	return merge(reply, r), err
}

// consentOnce adds the one-time location notice the first time.
func (f *Flows) consentOnce(req *bot.Request, reply *bot.Reply) error {
	seen, err := f.d.Users.HasConsent(req.Ctx, req.User.ID, ConsentKindLocation)
	if err != nil || seen {
		return err
	}
	reply.Texts = append(reply.Texts, MsgLocationConsent)
	return f.d.Users.RecordConsent(req.Ctx, req.User.ID, ConsentKindLocation)
}

// checkIn verifies the day's planned visits at the nearest planned hospital
// (inside visits.geofence_m) and opens their feedback forms; a location at
// another hospital is recorded as an off-plan check-in.
func (f *Flows) checkIn(req *bot.Request, lat, lng float64, reported bool) (bot.Reply, error) {
	here := ranking.Point{Lat: lat, Lng: lng}
	fence := f.d.Config.Visits.GeofenceM
	visits, err := f.d.Visits.DayVisits(req.Ctx, req.User.ID, req.Today)
	if err != nil {
		return bot.Reply{}, err
	}
	var open []models.VisitRow
	for _, v := range visits {
		if v.Status == models.VisitPlanned || v.Status == models.VisitCheckedIn {
			open = append(open, v)
		}
	}
	ci := &models.CheckIn{RepID: req.User.ID, Day: req.Today, At: req.Now.UTC(), Lat: lat, Lng: lng, Reported: reported}
	// Nearest planned hospital.
	bestD, best := math.Inf(1), -1
	for i, v := range open {
		if d := ranking.DistanceM(here, ranking.Point{Lat: v.HospitalLat, Lng: v.HospitalLng}); d < bestD {
			bestD, best = d, i
		}
	}
	if best >= 0 && bestD <= fence {
		h := open[best]
		ci.HospitalID, ci.DistanceM, ci.Verified, ci.OnPlan = h.HospitalID, bestD, true, true
		return f.finishCheckIn(req, ci, open, fmt.Sprintf(MsgCheckInVerified, h.HospitalName, cards.Km(bestD), cards.Km(fence)))
	}
	// Not at a planned hospital: where is the rep?
	hospitals, err := f.d.Visits.AllHospitals(req.Ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	nearD, near := math.Inf(1), -1
	for i, h := range hospitals {
		if d := ranking.DistanceM(here, ranking.Point{Lat: h.Lat, Lng: h.Lng}); d < nearD {
			nearD, near = d, i
		}
	}
	if near >= 0 && nearD <= fence {
		h := hospitals[near]
		ci.HospitalID, ci.DistanceM, ci.Verified = h.ID, nearD, true
		if err := f.d.Visits.RecordCheckIn(req.Ctx, ci, nil); err != nil {
			return bot.Reply{}, err
		}
		reply := bot.Text(fmt.Sprintf(MsgCheckInOffPlan, h.Name, cards.Km(nearD)))
		if len(open) == 0 {
			reply.Texts = append(reply.Texts, MsgNoPlanToday)
		}
		card, err := f.pickDoctorCard(req, h, ci)
		if err != nil || card == nil {
			return reply, err
		}
		reply.Cards = append(reply.Cards, *card)
		return reply, nil
	}
	if best >= 0 {
		h := open[best]
		ci.HospitalID, ci.DistanceM, ci.OnPlan = h.HospitalID, bestD, true
		return f.finishCheckIn(req, ci, open, fmt.Sprintf(MsgCheckInFar, h.HospitalName, cards.Km(bestD), cards.Km(fence)))
	}
	if near >= 0 {
		ci.HospitalID, ci.DistanceM = hospitals[near].ID, nearD
	}
	if err := f.d.Visits.RecordCheckIn(req.Ctx, ci, nil); err != nil {
		return bot.Reply{}, err
	}
	name := "无"
	if near >= 0 {
		name = hospitals[near].Name
	}
	return bot.Text(fmt.Sprintf(MsgCheckInNowhere, cards.Km(fence), name, cards.Km(nearD))), nil
}

// finishCheckIn marks the open visits at the check-in's hospital and sends
// a feedback form for each of them.
func (f *Flows) finishCheckIn(req *bot.Request, ci *models.CheckIn, open []models.VisitRow, text string) (bot.Reply, error) {
	var ids []uint
	for _, v := range open {
		if v.HospitalID == ci.HospitalID {
			ids = append(ids, v.ID)
		}
	}
	if err := f.d.Visits.RecordCheckIn(req.Ctx, ci, ids); err != nil {
		return bot.Reply{}, err
	}
	if !ci.Verified {
		return f.withConfirm(req, bot.Text(text), ids)
	}
	// Forms the rep already has open (confirmed before this verified
	// location) are not sent again.
	already, err := f.d.Cards.OpenCardTasks(req.Ctx, []string{taskFeedback1, taskFeedback2}, ids)
	if err != nil {
		return bot.Reply{}, err
	}
	ids = slices.DeleteFunc(ids, func(id uint) bool { return already[id] })
	return f.withForms(req, bot.Text(text), ids...)
}

// withConfirm adds, for unverified check-ins, the card that opens their
// feedback forms only when the rep confirms being there (仍要填写反馈); a
// verified check-in later opens them by itself.
func (f *Flows) withConfirm(req *bot.Request, reply bot.Reply, visitIDs []uint) (bot.Reply, error) {
	if len(visitIDs) == 0 {
		return reply, nil
	}
	v, err := f.d.Visits.VisitRowByID(req.Ctx, visitIDs[0])
	if err != nil {
		return bot.Reply{}, err
	}
	data, err := json.Marshal(visitIDs)
	if err != nil {
		return bot.Reply{}, err
	}
	card := cards.CheckInConfirm(NewTaskID("cc", req.Today, req.User.ID), v.HospitalName)
	reply.Cards = append(reply.Cards, card)
	return reply, f.d.Cards.SaveCardTask(req.Ctx, &models.CardTask{TaskID: card.TaskID, Platform: string(req.Event.Platform),
		UserID: req.User.ID, Kind: taskCheckInConfirm, RefID: v.ID, Day: req.Today, Data: string(data)})
}

// onConfirmVisit opens the forms of the unverified visits the rep confirmed;
// they stay 未核验.
func (f *Flows) onConfirmVisit(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
	if task.Kind != taskCheckInConfirm || task.State == "submitted" {
		return bot.Text(bot.MsgCardExpired), nil
	}
	var ids []uint
	if err := json.Unmarshal([]byte(task.Data), &ids); err != nil {
		return bot.Text(bot.MsgCardExpired), nil
	}
	if err := f.d.Cards.UpdateCardTask(req.Ctx, task.TaskID, "submitted", ""); err != nil {
		return bot.Reply{}, err
	}
	reply, err := f.withForms(req, bot.Reply{Update: &bot.CardUpdate{TaskID: task.TaskID, ReplaceName: cards.TextConfirmed}}, ids...)
	if err == nil && len(reply.Cards) == 0 {
		reply.Texts = append(reply.Texts, MsgFeedbackDone)
	}
	return reply, err
}

// onCheckInAction routes the check-in cards' buttons.
func (f *Flows) onCheckInAction(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
	if req.Event.Action.Key == keyCheckInConfirm {
		return f.onConfirmVisit(req, task)
	}
	return f.onPickDoctor(req, task)
}

// withForms adds the first feedback form of each visit (those without
// feedback yet) to reply.
func (f *Flows) withForms(req *bot.Request, reply bot.Reply, visitIDs ...uint) (bot.Reply, error) {
	for _, id := range visitIDs {
		card, err := f.feedbackStep1(req, id)
		if err != nil {
			return bot.Reply{}, err
		}
		if card != nil {
			reply.Cards = append(reply.Cards, *card)
		}
	}
	return reply, nil
}

// pickDoctorCard asks which assigned doctor an off-plan visit at h was for.
func (f *Flows) pickDoctorCard(req *bot.Request, h models.Hospital, ci *models.CheckIn) (*cards.Card, error) {
	docs, err := f.d.Visits.AssignedDoctorsAt(req.Ctx, req.User.ID, h.ID)
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	sel := &cards.Select{QuestionKey: "doctor", Title: "拜访的医生"}
	for _, d := range docs {
		if len(sel.Options) == 10 {
			break
		}
		sel.Options = append(sel.Options, cards.Option{ID: strconv.FormatUint(uint64(d.ID), 10), Text: cards.Truncate(d.Name+" "+d.Department, 16)})
	}
	sel.SelectedID = sel.Options[0].ID
	card := cards.Card{
		Layout: cards.ButtonInteraction, Kind: "checkin_pick", TaskID: NewTaskID("ck", req.Today, req.User.ID), Source: "拜访助手",
		Title: MsgPickDoctor, Desc: cards.Truncate(h.Name, 44), Selection: sel,
		Buttons: []cards.Button{{Key: "checkin:doctor", Text: "确认并填写反馈", Style: 1}},
	}
	return &card, f.d.Cards.SaveCardTask(req.Ctx, &models.CardTask{TaskID: card.TaskID, Platform: string(req.Event.Platform),
		UserID: req.User.ID, Kind: card.Kind, RefID: ci.ID, Day: req.Today})
}

// onPickDoctor records the off-plan visit chosen on the pick card and opens its form.
func (f *Flows) onPickDoctor(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
	if task.Kind != "checkin_pick" || task.State == "submitted" {
		return bot.Text(bot.MsgCardExpired), nil
	}
	ids := req.Event.Action.Answer("doctor")
	if len(ids) != 1 {
		return bot.Reply{}, bot.Refuse("请先选择拜访的医生。")
	}
	doctorID, err := strconv.ParseUint(ids[0], 10, 64)
	if err != nil {
		return bot.Reply{}, bot.Refuse("请先选择拜访的医生。")
	}
	ci, err := f.d.Visits.CheckInByID(req.Ctx, task.RefID)
	if err != nil {
		return bot.Reply{}, err
	}
	docs, err := f.d.Visits.AssignedDoctorsAt(req.Ctx, req.User.ID, ci.HospitalID)
	if err != nil {
		return bot.Reply{}, err
	}
	known := false
	for _, d := range docs {
		known = known || d.ID == uint(doctorID)
	}
	if !known {
		return bot.Reply{}, bot.Refuse("这位医生不在您负责的名单中。")
	}
	v, err := f.d.Visits.EnsureVisit(req.Ctx, req.User.ID, uint(doctorID), ci.HospitalID, task.Day)
	if err != nil {
		return bot.Reply{}, err
	}
	if err := f.d.Visits.ApplyCheckIn(req.Ctx, ci, []uint{v.ID}); err != nil {
		return bot.Reply{}, err
	}
	if err := f.d.Cards.UpdateCardTask(req.Ctx, task.TaskID, "submitted", ""); err != nil {
		return bot.Reply{}, err
	}
	return f.withForms(req, bot.Reply{Update: &bot.CardUpdate{TaskID: task.TaskID, ReplaceName: "已确认"}}, v.ID)
}

func merge(a, b bot.Reply) bot.Reply {
	a.Texts = append(a.Texts, b.Texts...)
	a.Cards = append(a.Cards, b.Cards...)
	if b.Update != nil {
		a.Update = b.Update
	}
	return a
}
