package flows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// alertWorld: 王经理 leads 张三 and 李四, 李经理 leads 赵六, 孤儿 has no
// manager; 浙大一院 has a silent KOL for each of 张三, 赵六 and 孤儿, and
// hot non-KOL doctors for 张三. The next day (2026-12-02) is a Wednesday
// on which every doctor has a clinic. The app is config.Default() changed
// by edit (nil: the console).
type alertWorld struct {
	*world
	mgr, mgr2, admin        *models.User
	rep, rep2, rep3, orphan *models.User
	hosp, clinic            *models.Hospital
	kol, kol3, kolOrphan    models.Doctor
	hot                     []models.Doctor
}

func newAlertWorld(t *testing.T, s *models.Store, edit func(*config.Config)) *alertWorld {
	t.Helper()
	w := &alertWorld{world: newWorld(t, s, edit)}
	tm := w.seedTeam(t)
	w.mgr, w.admin, w.rep, w.rep2, w.hosp = tm.mgr, tm.admin, tm.rep, tm.rep2, tm.hosp
	w.mgr2 = w.user(t, "mgr02", "李经理", models.RoleManager, nil)
	w.rep3 = w.user(t, "rep03", "赵六", models.RoleRep, w.mgr2)
	w.orphan = w.user(t, "rep04", "孤儿", models.RoleRep, nil)
	w.clinic = &models.Hospital{ExternalID: "H2", Name: "湖滨社区", Level: models.LevelCommunity, City: "杭州", Lat: 30.26, Lng: 120.16}
	w.create(t, w.clinic)
	doctor := func(ext, name string, kol bool, rep *models.User) models.Doctor {
		return w.doctor(t, ext, name, w.hosp, kol, rep,
			models.ClinicSession{Weekday: 2, Period: models.PeriodAM}, models.ClinicSession{Weekday: 3, Period: models.PeriodAM})
	}
	w.kol = doctor("D1", "张伟", true, w.rep)
	w.kol3 = doctor("D3", "陈静", true, w.rep3)
	w.kolOrphan = doctor("D4", "杨帆", true, w.orphan)
	// 张伟 was last met 21 days ago.
	w.create(t, &models.Signal{ExternalID: "V-D1", DoctorID: w.kol.ID, Class: models.ClassVisit, Kind: "visit_met", Value: 1,
		OccurredAt: w.clk.Now().AddDate(0, 0, -21).UTC()})
	for i, n := range []string{"王芳", "李娜", "刘洋", "赵磊", "孙悦", "周杰"} {
		d := doctor(fmt.Sprintf("HOT%d", i), n, false, w.rep)
		w.hot = append(w.hot, d)
		w.signals(t, d, fmt.Sprintf("S%d", i), models.ClassLecture, "lecture_attend", 8)
	}
	return w
}

func (w *alertWorld) alerts(t *testing.T) []models.Alert {
	t.Helper()
	var out []models.Alert
	must(t, w.s.DB(context.Background()).Order("id").Find(&out).Error)
	return out
}

func (w *alertWorld) outboxCount(t *testing.T) int64 {
	t.Helper()
	var n int64
	must(t, w.s.DB(context.Background()).Model(&models.OutboxMessage{}).Count(&n).Error)
	return n
}

func TestAlertScanRoutesToManagersAndRunsTwiceWithoutDuplicates(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s, nil)
		ctx := context.Background()
		res, err := w.flows.AlertScan(ctx, testDay)
		must(t, err)
		if res.Created["silent_kol"] != 3 || res.Cards != 3 || res.Escalated != 1 {
			t.Fatalf("first scan: %+v", res)
		}
		queued := w.outboxCount(t)
		res, err = w.flows.AlertScan(ctx, testDay)
		must(t, err)
		if res.Detected["silent_kol"] != 3 || len(res.Created) != 0 || res.Cards != 0 || w.outboxCount(t) != queued {
			t.Fatalf("second scan raised again: %+v (outbox %d → %d)", res, queued, w.outboxCount(t))
		}
		if n := len(w.alerts(t)); n != 3 {
			t.Fatalf("%d alert rows, want 3", n)
		}
		w.drain(t)

		card := w.onlyCard(t, w.mgr)
		if _, err := cards.RenderWeCom(card); err != nil {
			t.Fatal(err)
		}
		if card.Emphasis == nil || card.Emphasis.Title != "21天" || card.Emphasis.Desc != "未拜访或互动" || !strings.Contains(card.Title, "张伟（浙大一院）") {
			t.Fatalf("manager card = %+v", card)
		}
		if card.Selection == nil || len(card.Selection.Options) != 2 || card.Selection.SelectedID != fmt.Sprint(w.rep.ID) {
			t.Fatalf("assign select = %+v", card.Selection)
		}
		if c := w.onlyCard(t, w.mgr2); !strings.Contains(c.Title, "陈静") {
			t.Fatalf("other manager card = %+v", c)
		}
		if c := w.onlyCard(t, w.admin); !strings.Contains(c.Title, "杨帆") || !strings.Contains(c.Desc, "管理员") {
			t.Fatalf("escalated card = %+v", c)
		}
		for _, a := range w.alerts(t) {
			if a.DoctorID != nil && *a.DoctorID == w.kolOrphan.ID && a.ManagerID != nil {
				t.Fatalf("orphan's alert routed to manager %d", *a.ManagerID)
			}
		}
		if _, texts := w.inbox(t, w.rep); len(texts) != 0 {
			t.Fatalf("reps get no alert cards: %q", texts)
		}
	})
}

func TestAlertAssignPutsTheDoctorFirstOnTheRepsNextList(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s, nil)
		ctx := context.Background()
		before, err := w.rec.ForRep(ctx, w.rep.ID, testDay, false)
		must(t, err)
		for _, r := range before {
			if r.DoctorID == w.kol.ID && r.Rank == 1 {
				t.Fatal("setup: the silent KOL must not already lead the list")
			}
		}
		_, err = w.flows.AlertScan(ctx, testDay)
		must(t, err)
		w.drain(t)
		card := w.onlyCard(t, w.mgr)

		// No rep chosen, or a rep of another team: refused, nothing written.
		if r := w.click(t, w.mgr, card.TaskID, cards.ActionAlertAssign); r.Texts[0] != flows.MsgAlertPickRep {
			t.Fatalf("no selection: %+v", r)
		}
		if r := w.click(t, w.mgr, card.TaskID, cards.ActionAlertAssign, bot.Selection{QuestionKey: cards.QuestionAlertRep, OptionIDs: []string{fmt.Sprint(w.rep3.ID)}}); r.Texts[0] != flows.MsgAlertRepNotInTeam {
			t.Fatalf("other team's rep: %+v", r)
		}
		var musts int64
		s.DB(ctx).Model(&models.MustVisit{}).Count(&musts)
		if musts != 0 {
			t.Fatalf("a refused assignment wrote %d must-visits", musts)
		}

		r := w.click(t, w.mgr, card.TaskID, cards.ActionAlertAssign, bot.Selection{QuestionKey: cards.QuestionAlertRep, OptionIDs: []string{fmt.Sprint(w.rep.ID)}})
		if len(r.Texts) != 1 || !strings.Contains(r.Texts[0], "已指派给张三") || r.Update == nil || r.Update.ReplaceName != "已指派给张三" {
			t.Fatalf("assign reply = %+v", r)
		}
		if c := w.onlyCard(t, w.mgr); c.ReplaceText != "已指派给张三" {
			t.Fatalf("card after assign: %+v", c)
		}
		// A second click on the handled card changes nothing.
		if r := w.click(t, w.mgr, card.TaskID, cards.ActionAlertAck); r.Texts[0] != flows.MsgAlertHandled {
			t.Fatalf("second click = %+v", r)
		}
		var mv []models.MustVisit
		must(t, s.DB(ctx).Find(&mv).Error)
		if len(mv) != 1 || mv[0].RepID != w.rep.ID || mv[0].DoctorID != w.kol.ID || mv[0].DueDay != "2026-12-02" ||
			mv[0].Source != models.RecMustVisit || !strings.HasPrefix(mv[0].RefKey, "alert:") {
			t.Fatalf("must-visits = %+v", mv)
		}
		for _, a := range w.alerts(t) {
			mine := *a.DoctorID == w.kol.ID
			if mine != (a.Status == models.AlertAssigned) || (mine && *a.RepID != w.rep.ID) {
				t.Fatalf("alert after assign = %+v", a)
			}
		}

		w.drain(t)
		_, texts := w.inbox(t, w.rep)
		if len(texts) != 1 || !strings.HasPrefix(texts[0], "王经理指派您拜访：张主任（浙大一院）") || !strings.Contains(texts[0], "12月2日") {
			t.Fatalf("rep notice = %q", texts)
		}
		next, err := w.rec.ForRep(ctx, w.rep.ID, "2026-12-02", false)
		must(t, err)
		if len(next) == 0 || next[0].DoctorID != w.kol.ID || next[0].Kind != models.RecMustVisit {
			t.Fatalf("next day's list does not start with the assigned doctor: %+v", next)
		}
	})
}

func TestAlertCannotBeActedOnByAnotherTeam(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s, nil)
		ctx := context.Background()
		_, err := w.flows.AlertScan(ctx, testDay)
		must(t, err)
		w.drain(t)
		card := w.onlyCard(t, w.mgr)

		// Another manager clicking 王经理's card: the bot's ownership check.
		if r := w.click(t, w.mgr2, card.TaskID, cards.ActionAlertAck); r.Texts[0] != bot.MsgNotYourCard {
			t.Fatalf("foreign click = %+v", r)
		}
		// A card of 李经理's that carries 王经理's alert (e.g. a forged or
		// stale task): the flow's own check refuses it.
		task, err := s.Cards.CardTaskByTaskID(ctx, card.TaskID)
		must(t, err)
		forged := *task
		forged.ID, forged.TaskID, forged.UserID = 0, "al-forged-1", w.mgr2.ID
		must(t, s.Cards.SaveCardTask(ctx, &forged))
		for _, key := range []string{cards.ActionAlertAck, cards.ActionAlertSnooze} {
			if r := w.click(t, w.mgr2, forged.TaskID, key); r.Texts[0] != flows.MsgAlertNotYours {
				t.Fatalf("%s on another team's alert = %+v", key, r)
			}
		}
		r := w.click(t, w.mgr2, forged.TaskID, cards.ActionAlertAssign, bot.Selection{QuestionKey: cards.QuestionAlertRep, OptionIDs: []string{fmt.Sprint(w.rep3.ID)}})
		if r.Texts[0] != flows.MsgAlertNotYours {
			t.Fatalf("assign on another team's alert = %+v", r)
		}
		for _, a := range w.alerts(t) {
			if a.Status != models.AlertOpen {
				t.Fatalf("alert %d changed to %s", a.ID, a.Status)
			}
		}
		var refused int64
		s.DB(ctx).Model(&models.AuditLog{}).Where("action IN ?", []string{"card_action_refused", "alert_action_refused"}).Count(&refused)
		if refused != 4 {
			t.Fatalf("%d refusals audited, want 4", refused)
		}
	})
}

func TestAlertAckAndSnoozeThatComesBack(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s, nil)
		ctx := context.Background()
		_, err := w.flows.AlertScan(ctx, testDay)
		must(t, err)
		w.drain(t)

		mgrCard := w.onlyCard(t, w.mgr)
		if r := w.click(t, w.mgr, mgrCard.TaskID, cards.ActionAlertSnooze); r.Update == nil || r.Update.ReplaceName != "已设置一周后提醒" || !strings.Contains(r.Texts[0], "12月8日") {
			t.Fatalf("snooze reply = %+v", r)
		}
		mgr2Card := w.onlyCard(t, w.mgr2)
		if r := w.click(t, w.mgr2, mgr2Card.TaskID, cards.ActionAlertAck); r.Update == nil || r.Update.ReplaceName != "已知悉" {
			t.Fatalf("ack reply = %+v", r)
		}
		if c := w.onlyCard(t, w.mgr2); c.ReplaceText != "已知悉" {
			t.Fatalf("acked card = %+v", c)
		}
		status := map[uint]string{}
		for _, a := range w.alerts(t) {
			status[*a.DoctorID] = a.Status
		}
		if status[w.kol.ID] != models.AlertSnoozed || status[w.kol3.ID] != models.AlertAcked {
			t.Fatalf("statuses = %v", status)
		}

		// Six days on: still snoozed. Seven: it comes back on a new card.
		w.clk.Advance(6 * 24 * time.Hour)
		res, err := w.flows.AlertScan(ctx, "2026-12-07")
		must(t, err)
		if res.Resurfaced != 0 {
			t.Fatalf("resurfaced early: %+v", res)
		}
		w.clk.Advance(24 * time.Hour)
		res, err = w.flows.AlertScan(ctx, "2026-12-08")
		must(t, err)
		if res.Resurfaced != 1 || res.Created["silent_kol"] != 2 { // cooldown (7 days) over for the other two
			t.Fatalf("a week later: %+v", res)
		}
		w.drain(t)
		got, _ := w.inbox(t, w.mgr)
		if len(got) != 2 {
			t.Fatalf("manager has %d cards, want the snoozed one again", len(got))
		}
	})
}

// Real-time alerts: merged per manager within the merge window, held back
// in quiet hours, and subject to the cooldown.
func TestOnSignalsMergesWithinAMinuteAndWaitsOutQuietHours(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s, nil)
		ctx := context.Background()
		base := time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)
		trial := func(d models.Doctor, n int) models.Signal {
			sig := models.Signal{ExternalID: fmt.Sprintf("T-%d-%d", d.ID, n), DoctorID: d.ID, Class: models.ClassTrial, Kind: "trial_investigator",
				Value: 1, OccurredAt: w.clk.Now().UTC(), Detail: "研究者：ABC-301"}
			must(t, s.DB(ctx).Create(&sig).Error)
			return sig
		}
		cardsOfMgr := func() int { got, _ := w.inbox(t, w.mgr); return len(got) }

		w.clk.Set(base.Add(10 * time.Second))
		must(t, w.flows.OnSignals(ctx, []models.Signal{trial(w.hot[0], 1)}))
		w.clk.Set(base.Add(40 * time.Second))
		must(t, w.flows.OnSignals(ctx, []models.Signal{trial(w.hot[1], 1)}))
		if n := w.outboxCount(t); n != 1 {
			t.Fatalf("two alerts in one minute made %d outbox rows, want 1 merged card", n)
		}
		w.drain(t)
		merged := w.onlyCard(t, w.mgr)
		if merged.Emphasis == nil || merged.Emphasis.Title != "2条" || len(merged.Fields) != 2 {
			t.Fatalf("merged card = %+v", merged)
		}
		if _, err := cards.RenderWeCom(merged); err != nil {
			t.Fatal(err)
		}

		// The next minute: a card of its own. The same doctor again: cooldown.
		w.clk.Set(base.Add(65 * time.Second))
		must(t, w.flows.OnSignals(ctx, []models.Signal{trial(w.hot[2], 1), trial(w.hot[0], 2)}))
		w.drain(t)
		if n := cardsOfMgr(); n != 2 {
			t.Fatalf("manager has %d cards, want 2", n)
		}
		if n := len(w.alerts(t)); n != 3 {
			t.Fatalf("%d alerts, want 3 (the repeat is inside the cooldown)", n)
		}
		// A card already sent is not rewritten: a later alert in its window gets a new card.
		w.clk.Set(base.Add(80 * time.Second))
		must(t, w.flows.OnSignals(ctx, []models.Signal{trial(w.hot[3], 1)}))
		w.drain(t)
		if n := cardsOfMgr(); n != 3 {
			t.Fatalf("manager has %d cards, want 3", n)
		}

		// 22:30 is quiet: queued for 08:00 tomorrow, not delivered tonight.
		w.clk.Set(time.Date(2026, 12, 1, 22, 30, 0, 0, modelstest.Shanghai))
		must(t, w.flows.OnSignals(ctx, []models.Signal{trial(w.hot[4], 1)}))
		must(t, w.flows.OnSignals(ctx, []models.Signal{trial(w.hot[5], 1)}))
		w.drain(t)
		if n := cardsOfMgr(); n != 3 {
			t.Fatalf("a quiet-hours alert was delivered at night (%d cards)", n)
		}
		var row models.OutboxMessage
		must(t, s.DB(ctx).Where("purpose = ?", "alert:0800").Take(&row).Error)
		if want := time.Date(2026, 12, 2, 8, 0, 0, 0, modelstest.Shanghai); !row.NextAttemptAt.Equal(want) {
			t.Fatalf("quiet alert due at %s, want %s", row.NextAttemptAt.In(modelstest.Shanghai), want)
		}
		w.clk.Set(time.Date(2026, 12, 2, 8, 0, 5, 0, modelstest.Shanghai))
		w.drain(t)
		got, _ := w.inbox(t, w.mgr)
		if len(got) != 4 {
			t.Fatalf("manager has %d cards after quiet hours, want 4", len(got))
		}
		for _, c := range got {
			if strings.HasPrefix(c.TaskID, "al-202612020800-") && (c.Emphasis == nil || c.Emphasis.Title != "2条") {
				t.Fatalf("the night's two alerts should arrive as one morning card: %+v", c)
			}
		}

		// After the cooldown the same doctor raises again.
		w.clk.Set(base.Add(8 * 24 * time.Hour))
		must(t, w.flows.OnSignals(ctx, []models.Signal{trial(w.hot[0], 3)}))
		if n := len(w.alerts(t)); n != 7 {
			t.Fatalf("%d alerts after the cooldown, want 7", n)
		}
	})
}

// A digital signal of a silent KOL raises the louder silent-KOL alert at once.
func TestOnSignalsSilentKOLGetsLouder(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s, nil)
		ctx := context.Background()
		var sigs []models.Signal
		for i := 0; i < 2; i++ {
			sig := models.Signal{ExternalID: fmt.Sprintf("DG-%d", i), DoctorID: w.kol.ID, Class: models.ClassDigital, Kind: "leaflet_search",
				Value: 1, OccurredAt: w.clk.Now().Add(-time.Duration(i+1) * 24 * time.Hour).UTC()}
			must(t, s.DB(ctx).Create(&sig).Error)
			sigs = append(sigs, sig)
		}
		// A non-KOL's digital signal and a lecture change nothing.
		must(t, w.flows.OnSignals(ctx, []models.Signal{{DoctorID: w.hot[0].ID, Class: models.ClassDigital, Kind: "leaflet_view"},
			{DoctorID: w.kol.ID, Class: models.ClassLecture, Kind: "lecture_attend"}}))
		if n := len(w.alerts(t)); n != 0 {
			t.Fatalf("%d alerts from signals that should not raise any", n)
		}
		must(t, w.flows.OnSignals(ctx, sigs))
		w.drain(t)
		card := w.onlyCard(t, w.mgr)
		if card.Emphasis.Title != "21天" || !strings.Contains(card.Subtitle, "本周两次搜索我司产品说明书") {
			t.Fatalf("loud silent-KOL card = %+v", card)
		}
	})
}

// The daily scan's other detectors: rising doctors, flow drops and plan
// drift, merged into one card for the manager.
func TestAlertScanAllDetectors(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s, nil)
		ctx := context.Background()
		must(t, s.DB(ctx).Create(&models.TierChange{DoctorID: w.hot[0].ID, Day: testDay, FromTier: "B", ToTier: "A", Heat: 72, Rising: true}).Error)
		must(t, s.DB(ctx).Create(&models.TierChange{DoctorID: w.hot[1].ID, Day: testDay, FromTier: "A", ToTier: "B", Heat: 50}).Error)
		p := models.Product{Code: "P1", Name: "产品一"}
		must(t, s.DB(ctx).Create(&p).Error)
		for _, fr := range []models.FlowRecord{
			{HospitalID: w.hosp.ID, Department: "心内科", ProductID: p.ID, Month: "2026-10", Quantity: 200},
			{HospitalID: w.hosp.ID, Department: "心内科", ProductID: p.ID, Month: "2026-11", Quantity: 120},
		} {
			must(t, s.DB(ctx).Create(&fr).Error)
		}
		// 李四 planned six tertiary visits last week; one verified, three check-ins at a community clinic.
		for i := 0; i < 6; i++ {
			v := models.Visit{RepID: w.rep2.ID, DoctorID: w.hot[i].ID, Day: fmt.Sprintf("2026-11-%02d", 24+i), HospitalID: w.hosp.ID,
				Status: models.VisitPlanned, Planned: true}
			switch {
			case i == 0:
				v.Status, v.Verified, v.CheckInHospitalID = models.VisitCheckedIn, true, &w.hosp.ID
			case i <= 3:
				v.Status, v.CheckInHospitalID = models.VisitCheckedIn, &w.clinic.ID
			}
			must(t, s.DB(ctx).Create(&v).Error)
		}
		res, err := w.flows.AlertScan(ctx, testDay)
		must(t, err)
		for kind, want := range map[string]int{"silent_kol": 3, "rising_doctor": 1, "flow_drop": 1, "plan_drift": 1} {
			if res.Created[kind] != want {
				t.Errorf("%s: %d new, want %d (%+v)", kind, res.Created[kind], want, res)
			}
		}
		w.drain(t)
		card := w.onlyCard(t, w.mgr)
		if card.Emphasis == nil || card.Emphasis.Title != "4条" || len(card.Fields) != 4 {
			t.Fatalf("manager's merged card = %+v", card)
		}
		if _, err := cards.RenderWeCom(card); err != nil {
			t.Fatal(err)
		}
		res, err = w.flows.AlertScan(ctx, testDay)
		must(t, err)
		if res.Total() != 0 {
			t.Fatalf("second scan: %+v", res)
		}
		if !strings.Contains(res.String(), "flow_drop") {
			t.Fatalf("summary = %s", res)
		}
	})
}

func TestWeeklyDigestOncePerManager(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s, nil)
		ctx := context.Background()
		must(t, s.DB(ctx).Model(&models.Doctor{}).Where("id IN ?", []uint{w.kol.ID, w.hot[0].ID}).Update("tier", "S").Error)
		must(t, s.DB(ctx).Model(&models.Doctor{}).Where("id = ?", w.hot[1].ID).Update("tier", "A").Error)
		must(t, s.DB(ctx).Create(&models.TierChange{DoctorID: w.hot[0].ID, Day: "2026-11-27", FromTier: "A", ToTier: "S", Rising: true}).Error)
		must(t, s.DB(ctx).Create(&models.TierChange{DoctorID: w.hot[2].ID, Day: "2026-11-27", FromTier: "", ToTier: "B"}).Error)
		// Last week 张三 planned four visits, three verified; 王芳 was met.
		for i := 0; i < 4; i++ {
			v := models.Visit{RepID: w.rep.ID, DoctorID: w.hot[i].ID, Day: "2026-11-26", HospitalID: w.hosp.ID, Status: models.VisitPlanned, Planned: true}
			if i < 3 {
				v.Status, v.Verified = models.VisitCompleted, true
			}
			must(t, s.DB(ctx).Create(&v).Error)
			score := []float64{70, 95, 80, 10}[i]
			commit := []string{"试用处方", "提交进院申请|转介同事", "无", "试用处方"}[i]
			must(t, s.DB(ctx).Create(&models.VisitFeedback{VisitID: v.ID, RepID: w.rep.ID, DoctorID: w.hot[i].ID, Concerns: "疗效",
				Commitments: commit, QualityScore: score, SubmittedAt: time.Date(2026, 11, 26, 15, 0, 0, 0, modelstest.Shanghai)}).Error)
		}
		for run := 0; run < 2; run++ {
			res, err := w.flows.WeeklyDigest(ctx, testDay)
			must(t, err)
			if res.Managers != 2 || (run == 0 && res.Queued != 2) || (run == 1 && (res.Queued != 0 || res.Already != 2)) {
				t.Fatalf("run %d: %+v", run+1, res)
			}
		}
		w.drain(t)
		got, _ := w.inbox(t, w.mgr)
		if len(got) != 1 {
			t.Fatalf("manager got %d digests", len(got))
		}
		c := got[""]
		if _, err := cards.RenderWeCom(c); err != nil {
			t.Fatal(err)
		}
		if c.Layout != cards.TextNotice || c.Emphasis.Title != "75%" || !strings.Contains(c.Title, "11月24日–11月30日") {
			t.Fatalf("digest = %+v", c)
		}
		want := map[string]string{"计划执行": "计划4次 · 核实3次", "S/A覆盖": "2/3位（67%）", "沉默KOL": "1位（≥14天未拜访或互动）", "分级变化": "上升1位 · 下降0位"}
		for _, f := range c.Fields {
			if v, ok := want[f.Key]; ok && v != f.Value {
				t.Errorf("%s = %q, want %q", f.Key, f.Value, v)
			}
		}
		lines := strings.Split(c.Subtitle, "\n")
		if len(lines) != 3 || !strings.Contains(lines[1], "李主任") || !strings.Contains(lines[1], "提交进院申请、转介同事") || !strings.Contains(lines[2], "王主任（浙大一院）：试用处方") {
			t.Fatalf("标杆反馈 = %q", c.Subtitle)
		}
	})
}

// Several replicas' import hooks raising the same alert at once: one alert,
// one card (on MySQL the cooldown check alone would let both through).
func TestOnSignalsConcurrentCallsRaiseOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s, nil)
		ctx := context.Background()
		sig := models.Signal{ExternalID: "T-race", DoctorID: w.hot[0].ID, Class: models.ClassTrial, Kind: "trial_investigator", Value: 1, OccurredAt: w.clk.Now().UTC()}
		must(t, s.DB(ctx).Create(&sig).Error)
		errs := make(chan error, 4)
		for range 4 {
			go func() { errs <- w.flows.OnSignals(ctx, []models.Signal{sig}) }()
		}
		for range 4 {
			must(t, <-errs)
		}
		if n := len(w.alerts(t)); n != 1 {
			t.Fatalf("%d alerts from 4 concurrent calls, want 1", n)
		}
		if n := w.outboxCount(t); n != 1 {
			t.Fatalf("%d outbox rows, want 1", n)
		}
	})
}

// 已知悉 on a card whose alert was handled since (on the dashboard) says so
// plainly and freezes the card, instead of acting again or failing.
func TestAlertAckFromAStaleCard(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s, nil)
		ctx := context.Background()
		_, err := w.flows.AlertScan(ctx, testDay)
		must(t, err)
		w.drain(t)
		card := w.onlyCard(t, w.mgr)
		var ids []uint
		for _, a := range w.alerts(t) {
			if a.ManagerID != nil && *a.ManagerID == w.mgr.ID {
				ids = append(ids, a.ID)
			}
		}
		must(t, s.Alerts.SetAlertStatus(ctx, ids, models.AlertAcked, nil, nil))
		r := w.click(t, w.mgr, card.TaskID, cards.ActionAlertAck)
		if len(r.Texts) != 1 || r.Texts[0] != fmt.Sprintf(flows.MsgAlertHandledElsewhere, "已知悉") || r.Update == nil || r.Update.ReplaceName != "已知悉" {
			t.Fatalf("stale 已知悉 = %+v", r)
		}
		if c := w.onlyCard(t, w.mgr); c.ReplaceText != "已知悉" {
			t.Fatalf("stale card not frozen: %+v", c)
		}
	})
}
