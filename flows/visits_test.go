package flows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// acceptedDay pushes and accepts rep01's list and returns the list card.
func (w *planWorld) acceptedDay(t *testing.T) cards.Card {
	t.Helper()
	ctx := context.Background()
	_, err := w.flows.MorningPush(ctx, testDay, []string{"rep01"})
	must(t, err)
	w.drain(t)
	got, _ := w.inbox(t, w.rep)
	for _, c := range got {
		w.click(t, w.rep, c.TaskID, cards.ActionPlanAccept)
		return c
	}
	t.Fatal("no visit-list card")
	return cards.Card{}
}

func sel(q string, ids ...string) bot.Selection { return bot.Selection{QuestionKey: q, OptionIDs: ids} }

func TestCheckInFeedbackAndNoteThroughTheConsole(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newPlanWorld(t, s)
		ctx := context.Background()
		w.acceptedDay(t)

		// 签到 asks for a location and shows the one-time consent note.
		r := w.say(t, w.rep, "签到")
		if len(r.Texts) != 2 || r.Texts[0] != flows.MsgLocationConsent || r.Texts[1] != fmt.Sprintf(flows.MsgShareLocation, flows.HintLocationConsole) {
			t.Fatalf("签到 reply = %q", r.Texts)
		}
		if r := w.say(t, w.rep, "签到"); len(r.Texts) != 1 {
			t.Fatalf("consent shown twice: %q", r.Texts)
		}

		// Outside the fence (≈1.7 km away): recorded, unverified, said plainly.
		r = w.locate(t, w.rep, 30.2591+0.0155, 120.1712)
		if len(r.Texts) != 1 || !strings.Contains(r.Texts[0], "超出") || !strings.Contains(r.Texts[0], "未核验") {
			t.Fatalf("far check-in reply = %q", r.Texts)
		}
		var verified int64
		s.DB(ctx).Model(&models.Visit{}).Where("rep_id = ? AND verified = ?", w.rep.ID, true).Count(&verified)
		if verified != 0 {
			t.Fatal("far check-in verified a visit")
		}
		// No feedback form for an unverified check-in: a card to confirm instead,
		// and 我的名单 marks the visits 未核验.
		if len(r.Cards) != 1 || r.Cards[0].Kind != "checkin_confirm" || r.Cards[0].ActionKeys()[0] != "checkin:confirm" {
			t.Fatalf("far check-in cards = %+v", r.Cards)
		}
		if r := w.say(t, w.rep, "我的名单"); !strings.Contains(r.Texts[0], "已签到·未核验") {
			t.Fatalf("我的名单 after a far check-in = %q", r.Texts)
		}

		// Inside the fence (≈120 m): verified, one form per planned doctor there.
		r = w.locate(t, w.rep, 30.2591+0.001, 120.1712)
		if !strings.Contains(r.Texts[0], "签到成功") || len(r.Cards) != 5 {
			t.Fatalf("near check-in reply = %q, %d cards", r.Texts, len(r.Cards))
		}
		s.DB(ctx).Model(&models.Visit{}).Where("rep_id = ? AND verified = ? AND status = ?", w.rep.ID, true, models.VisitCheckedIn).Count(&verified)
		if verified != 5 {
			t.Fatalf("verified visits = %d", verified)
		}
		step1 := r.Cards[0]
		if _, err := cards.RenderWeCom(step1); err != nil {
			t.Fatalf("step 1 is not a valid WeCom card: %v", err)
		}

		// Step 1 with a missing answer: a clear prompt, nothing stored.
		r = w.click(t, w.rep, step1.TaskID, "fb:step1", sel("concern", "c1"), sel("objection", "j2"))
		if r.Texts[0] != "请完成：张主任（浙大一院）的下次跟进" {
			t.Fatalf("missing answer reply = %q", r.Texts)
		}
		// The prompt leaves the card live, whole, with the answers given so far.
		if u := r.Update; u == nil || u.Card == nil || u.Card.ReplaceText != "" || u.Card.Selects[0].SelectedID != "c1" || u.Card.Selects[2].Disabled {
			t.Fatalf("step 1 after the prompt: %+v", r.Update)
		}
		r = w.click(t, w.rep, step1.TaskID, "fb:step1", sel("concern", "c1"), sel("objection", "j2"), sel("follow_up", "f2"))
		if len(r.Cards) != 1 || r.Cards[0].Layout != cards.VoteInteraction {
			t.Fatalf("step 2 not sent: %+v", r)
		}
		step2 := r.Cards[0]
		if _, err := cards.RenderWeCom(step2); err != nil {
			t.Fatalf("step 2 is not a valid WeCom card: %v", err)
		}
		r = w.click(t, w.rep, step2.TaskID, "fb:step2", sel("commitments", "m6", "m1"))
		if r.Texts[0] != flows.MsgFeedbackNoneMix {
			t.Fatalf("无 mixed reply = %q", r.Texts)
		}
		if u := r.Update; u == nil || u.Card == nil || u.Card.ReplaceText != "" || u.Card.Checkbox.Disabled || !u.Card.Checkbox.Options[0].Checked {
			t.Fatalf("step 2 after the prompt: %+v", r.Update)
		}
		if r := w.click(t, w.rep, step2.TaskID, "fb:step2"); r.Texts[0] != "请完成：张主任（浙大一院）的承诺事项（没有请选「无」）" || r.Update == nil {
			t.Fatalf("empty step 2 = %+v", r)
		}
		r = w.click(t, w.rep, step2.TaskID, "fb:step2", sel("commitments", "m1", "m3"))
		if len(r.Texts) != 1 || !strings.Contains(r.Texts[0], "反馈已保存") || len(r.Cards) != 1 || r.Cards[0].ActionKeys()[0] != "note:add" {
			t.Fatalf("step 2 reply = %q, cards %+v", r.Texts, r.Cards)
		}
		offer := r.Cards[0]
		// Frozen cards show the answers.
		got, _ := w.inbox(t, w.rep)
		if c := got[step1.TaskID]; c.ReplaceText == "" || c.Selects[0].SelectedID != "c1" || !c.Selects[2].Disabled {
			t.Fatalf("step 1 not frozen with answers: %+v", c)
		}
		if c := got[step2.TaskID]; c.ReplaceText != "已提交" || !c.Checkbox.Options[0].Checked || !c.Checkbox.Disabled {
			t.Fatalf("step 2 not frozen with answers: %+v", c)
		}
		// The same submission again stores nothing more.
		if r := w.click(t, w.rep, step2.TaskID, "fb:step2", sel("commitments", "m1", "m3")); r.Texts[0] != flows.MsgFeedbackDone {
			t.Fatalf("double submit = %q", r.Texts)
		}
		feedback := func() models.VisitFeedback {
			var fbs []models.VisitFeedback
			must(t, s.DB(ctx).Find(&fbs).Error)
			if len(fbs) != 1 {
				t.Fatalf("feedback rows = %d", len(fbs))
			}
			return fbs[0]
		}
		// Other text within the window is never saved silently: a question
		// card; 不是备注 keeps the feedback (and its score) as it was.
		before := feedback()
		r = w.say(t, w.rep, "明天几点开会？")
		if len(r.Cards) != 1 || strings.Join(r.Cards[0].ActionKeys(), ",") != "note:save,note:drop" || len(r.Texts) != 0 {
			t.Fatalf("text in the window answered %+v", r)
		}
		if r := w.click(t, w.rep, r.Cards[0].TaskID, "note:drop"); r.Texts[0] != flows.MsgNoteDropped {
			t.Fatalf("不是备注 = %q", r.Texts)
		}
		if fb := feedback(); fb.Note != "" || fb.QualityScore != before.QualityScore || before.QualityScore == 100 {
			t.Fatalf("a question saved a note: %+v (before %+v)", fb, before)
		}
		// 保存为备注 saves the text it asked about.
		r = w.say(t, w.rep, "主任希望下周收到最新的循证资料")
		if r := w.click(t, w.rep, r.Cards[0].TaskID, "note:save"); !strings.HasPrefix(r.Texts[0], "备注已保存到") {
			t.Fatalf("保存为备注 = %q", r.Texts)
		}
		// 添加备注: the next text is the note, appended.
		if r := w.click(t, w.rep, offer.TaskID, "note:add"); !strings.HasPrefix(r.Texts[0], "请直接发送备注内容") {
			t.Fatalf("添加备注 = %q", r.Texts)
		}
		if r := w.say(t, w.rep, "带样品"); len(r.Texts) != 1 || !strings.HasPrefix(r.Texts[0], "备注已保存到") {
			t.Fatalf("note after 添加备注 = %q", r.Texts)
		}
		// 「备注 …」 works any time that day.
		w.clk.Advance(2 * time.Hour)
		if r := w.say(t, w.rep, "备注 下周再约"); len(r.Texts) != 1 || !strings.HasPrefix(r.Texts[0], "备注已保存到") {
			t.Fatalf("备注 command = %q", r.Texts)
		}
		if r := w.say(t, w.rep, "下周再约"); len(r.Cards) != 0 {
			t.Fatalf("text after the window asked about a note: %+v", r)
		}
		fb := feedback()
		if fb.Concerns != "疗效" || fb.Objection != "疗效存疑" || fb.FollowUp != "1周" || fb.Commitments != "试用处方|参加学术会议" ||
			fb.Note != "主任希望下周收到最新的循证资料；带样品；下周再约" || fb.QualityScore != 100 {
			t.Fatalf("feedback row = %+v", fb)
		}
		var v models.Visit
		must(t, s.DB(ctx).First(&v, fb.VisitID).Error)
		if v.Status != models.VisitCompleted {
			t.Fatalf("visit status = %s", v.Status)
		}
		// Plan vs actual for the day.
		rep, err := s.Reports.PlanVsActual(ctx, []uint{w.rep.ID}, testDay, testDay)
		must(t, err)
		if rep.Planned != 5 || rep.Matched != 5 || rep.MatchRate != 1 {
			t.Fatalf("plan vs actual = %+v", rep)
		}
	})
}

func TestFeedbackRefusals(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newPlanWorld(t, s)
		w.acceptedDay(t)
		w.say(t, w.rep, "签到")
		r := w.locate(t, w.rep, 30.2591, 120.1712)
		step1 := r.Cards[0]
		cases := []struct {
			name      string
			who       *models.User
			task, key string
			sel       []bot.Selection
			want      string
		}{
			{"another rep", w.rep2, step1.TaskID, "fb:step1", []bot.Selection{sel("concern", "c1"), sel("objection", "j1"), sel("follow_up", "f1")}, bot.MsgNotYourCard},
			{"unknown task", w.rep, "fb-nope", "fb:step1", nil, bot.MsgCardExpired},
			{"wrong step key", w.rep, step1.TaskID, "fb:step2", nil, bot.MsgCardExpired},
			{"two answers to a single choice", w.rep, step1.TaskID, "fb:step1", []bot.Selection{sel("concern", "c1", "c2"), sel("objection", "j1"), sel("follow_up", "f1")}, "请完成：张主任（浙大一院）的医生关注点"},
			{"option id out of range", w.rep, step1.TaskID, "fb:step1", []bot.Selection{sel("concern", "c99"), sel("objection", "j1"), sel("follow_up", "f1")}, flows.MsgFeedbackStale},
			{"garbage option id", w.rep, step1.TaskID, "fb:step1", []bot.Selection{sel("concern", "../x"), sel("objection", "j1"), sel("follow_up", "f1")}, flows.MsgFeedbackStale},
			{"nothing selected", w.rep, step1.TaskID, "fb:step1", nil, "请完成：张主任（浙大一院）的医生关注点、异议类型、下次跟进"},
		}
		for _, c := range cases {
			r := w.click(t, c.who, c.task, c.key, c.sel...)
			if len(r.Texts) != 1 || r.Texts[0] != c.want {
				t.Errorf("%s: reply %q, want %q", c.name, r.Texts, c.want)
			}
		}
		var n int64
		s.DB(context.Background()).Model(&models.CardTask{}).Where("kind = ?", "feedback_step2").Count(&n)
		if n != 0 {
			t.Fatalf("refused submissions created %d step-2 tasks", n)
		}
		s.DB(context.Background()).Model(&models.VisitFeedback{}).Count(&n)
		if n != 0 {
			t.Fatalf("refused submissions stored %d feedback rows", n)
		}
	})
}

func TestFollowUpComesFirstOnTheDueDay(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newPlanWorld(t, s)
		ctx := context.Background()
		w.acceptedDay(t)
		w.say(t, w.rep, "签到")
		r := w.locate(t, w.rep, 30.2591, 120.1712)
		// Pick the doctor ranked last among the checked-in ones: after a week
		// they would not lead the list on heat alone.
		step1 := r.Cards[len(r.Cards)-1]
		r = w.click(t, w.rep, step1.TaskID, "fb:step1", sel("concern", "c1"), sel("objection", "j1"), sel("follow_up", "f2")) // 1周
		w.click(t, w.rep, r.Cards[0].TaskID, "fb:step2", sel("commitments", "m1"))
		var fb models.VisitFeedback
		must(t, s.DB(ctx).Take(&fb).Error)

		due := "2026-12-08" // one week later, also a Tuesday
		s.Clock().(*clock.Fake).Set(time.Date(2026, 12, 8, 7, 0, 0, 0, modelstest.Shanghai))
		_, err := w.flows.MorningPush(ctx, due, []string{"rep01"})
		must(t, err)
		items, err := s.Plans.PlanItems(ctx, w.rep.ID, due)
		must(t, err)
		if len(items) == 0 {
			t.Fatal("no list on the due day")
		}
		found := false
		for _, it := range items {
			if it.DoctorID == fb.DoctorID {
				found = true
				if it.Kind != models.RecFollowUp {
					t.Fatalf("follow-up doctor has kind %q", it.Kind)
				}
			}
		}
		if !found {
			t.Fatalf("follow-up doctor %d not on the due day's list", fb.DoctorID)
		}
		w.drain(t)
		got, _ := w.inbox(t, w.rep)
		shown := false
		for _, c := range got {
			for _, f := range c.Fields {
				shown = shown || strings.Contains(f.Value, cards.TextFollowUp)
			}
		}
		if !shown {
			t.Fatal("the due day's card does not say 今日跟进")
		}
		// A day before the due day it is not forced onto the list.
		before, err := s.Ranking.OpenMustVisits(ctx, []uint{w.rep.ID}, "2026-12-07")
		must(t, err)
		if len(before) != 0 {
			t.Fatalf("follow-up due early: %+v", before)
		}
	})
}

func TestOffPlanCheckInIsRecordedByLevel(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newPlanWorld(t, s)
		ctx := context.Background()
		community := &models.Hospital{ExternalID: "H2", Name: "翠苑社区卫生服务中心", Level: models.LevelCommunity, City: "杭州", Lat: 30.2890, Lng: 120.1302}
		must(t, s.DB(ctx).Create(community).Error)
		doc := models.Doctor{ExternalID: "D99", Name: "周敏", HospitalID: community.ID, Department: "全科", Title: models.TitleAttending}
		must(t, s.DB(ctx).Create(&doc).Error)
		must(t, s.DB(ctx).Create(&models.Assignment{RepID: w.rep.ID, DoctorID: doc.ID}).Error)
		w.acceptedDay(t)
		w.say(t, w.rep, "签到")
		r := w.locate(t, w.rep, 30.2891, 120.1303)
		if !strings.Contains(r.Texts[0], "计划外签到") || len(r.Cards) != 1 || r.Cards[0].Kind != "checkin_pick" {
			t.Fatalf("off-plan reply = %q, cards %d", r.Texts, len(r.Cards))
		}
		r = w.click(t, w.rep, r.Cards[0].TaskID, "checkin:doctor", sel("doctor", "999999"))
		if r.Texts[0] != "这位医生不在您负责的名单中。" {
			t.Fatalf("foreign doctor = %q", r.Texts)
		}
		got, _ := w.inbox(t, w.rep)
		var pickCard cards.Card
		for _, c := range got {
			if c.Kind == "checkin_pick" {
				pickCard = c
			}
		}
		r = w.click(t, w.rep, pickCard.TaskID, "checkin:doctor", sel("doctor", pickCard.Selection.Options[0].ID))
		if len(r.Cards) != 1 || r.Cards[0].Kind != "feedback_step1" {
			t.Fatalf("pick reply = %+v", r)
		}
		rep, err := s.Reports.PlanVsActual(ctx, []uint{w.rep.ID}, testDay, testDay)
		must(t, err)
		if rep.Planned != 5 || rep.Matched != 0 || rep.OffPlan != 1 || rep.OffPlanByLevel[models.LevelCommunity] != 1 || rep.PlannedByLevel[models.Level3A] != 5 {
			t.Fatalf("plan vs actual = %+v", rep)
		}
		var off models.Visit
		must(t, s.DB(ctx).Where("doctor_id = ?", doc.ID).Take(&off).Error)
		if off.Planned || off.Status != models.VisitCheckedIn || !off.Verified {
			t.Fatalf("off-plan visit = %+v", off)
		}
	})
}

// An unverified check-in opens no feedback form, through 反馈 neither, until
// the rep confirms; the visits stay 未核验 and the forms come once.
func TestUnverifiedCheckInWaitsForConfirm(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newPlanWorld(t, s)
		w.acceptedDay(t)
		w.say(t, w.rep, "签到")
		r := w.locate(t, w.rep, 30.2591+0.0155, 120.1712)
		if len(r.Cards) != 1 || r.Cards[0].Kind != "checkin_confirm" {
			t.Fatalf("far check-in = %+v", r)
		}
		confirm := r.Cards[0]
		if _, err := cards.RenderWeCom(confirm); err != nil {
			t.Fatal(err)
		}
		if r := w.say(t, w.rep, "反馈"); len(r.Cards) != 1 || r.Cards[0].Kind != "checkin_confirm" {
			t.Fatalf("反馈 after a far check-in = %+v", r)
		}
		r = w.click(t, w.rep, confirm.TaskID, "checkin:confirm")
		if len(r.Cards) != 5 || r.Cards[0].Kind != "feedback_step1" {
			t.Fatalf("confirm opened %d cards", len(r.Cards))
		}
		if r := w.click(t, w.rep, confirm.TaskID, "checkin:confirm"); r.Texts[0] != bot.MsgCardExpired {
			t.Fatalf("second confirm = %q", r.Texts)
		}
		var unverified int64
		s.DB(context.Background()).Model(&models.Visit{}).Where("rep_id = ? AND status = ? AND verified = ?", w.rep.ID, models.VisitCheckedIn, false).Count(&unverified)
		if unverified != 5 {
			t.Fatalf("unverified visits = %d", unverified)
		}
		// A verified location later verifies the visits and sends no second set of forms.
		w.say(t, w.rep, "签到")
		r = w.locate(t, w.rep, 30.2591+0.001, 120.1712)
		if !strings.Contains(r.Texts[0], "签到成功") || len(r.Cards) != 0 {
			t.Fatalf("verified check-in after confirm = %q, %d cards", r.Texts, len(r.Cards))
		}
		s.DB(context.Background()).Model(&models.Visit{}).Where("rep_id = ? AND verified = ?", w.rep.ID, false).Count(&unverified)
		if unverified != 0 {
			t.Fatalf("unverified visits after a verified check-in = %d", unverified)
		}
	})
}
