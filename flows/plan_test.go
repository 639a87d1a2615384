package flows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"visitbot/bot"
	"visitbot/bot/console"
	"visitbot/cards"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/internal/botstore"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/outbox"
	"visitbot/recommend"
)

const testDay = "2026-12-01" // a Tuesday; modelstest's clock is 09:00 that day

// planWorld is a rep with seven doctors who all have a Tuesday clinic, a
// second rep, their manager and an admin, reachable on the console.
type planWorld struct {
	s         *models.Store
	b         *bot.Bot
	flows     *flows.Flows
	console   *console.Console
	disp      *outbox.Dispatcher
	rep, rep2 *models.User
	doctors   []models.Doctor
}

func newPlanWorld(t *testing.T, s *models.Store) *planWorld {
	t.Helper()
	ctx := context.Background()
	w := &planWorld{s: s}
	mgr := &models.User{UserID: "mgr01", Name: "王经理", Role: models.RoleManager, Active: true}
	must(t, s.Users.CreateUser(ctx, mgr))
	must(t, s.Users.CreateUser(ctx, &models.User{UserID: "admin", Name: "管理员", Role: models.RoleAdmin, Active: true}))
	w.rep = &models.User{UserID: "rep01", Name: "张三", Role: models.RoleRep, ManagerID: &mgr.ID, Active: true, StartLat: 30.27, StartLng: 120.15}
	w.rep2 = &models.User{UserID: "rep02", Name: "李四", Role: models.RoleRep, ManagerID: &mgr.ID, Active: true, StartLat: 30.27, StartLng: 120.15}
	must(t, s.Users.CreateUser(ctx, w.rep))
	must(t, s.Users.CreateUser(ctx, w.rep2))
	h := &models.Hospital{ExternalID: "H1", Name: "浙大一院", Level: models.Level3A, City: "杭州", Lat: 30.2591, Lng: 120.1712}
	must(t, s.DB(ctx).Create(h).Error)
	names := []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊"}
	for i, n := range names {
		d := models.Doctor{ExternalID: fmt.Sprintf("D%d", i+1), Name: n, HospitalID: h.ID, Department: "心内科", Title: models.TitleChief, IsKOL: i == 0}
		must(t, s.DB(ctx).Create(&d).Error)
		w.doctors = append(w.doctors, d)
		must(t, s.DB(ctx).Create(&models.Assignment{RepID: w.rep.ID, DoctorID: d.ID}).Error)
		period := models.PeriodAM
		if i%2 == 1 {
			period = models.PeriodPM
		}
		must(t, s.DB(ctx).Create(&models.ClinicSession{DoctorID: d.ID, Weekday: 2, Period: period}).Error)
		for k := 0; k < 7-i; k++ { // earlier doctors are hotter
			sig := models.Signal{ExternalID: fmt.Sprintf("S%d-%d", i, k), DoctorID: d.ID, Class: models.ClassDigital, Kind: "leaflet_view", Value: 1,
				OccurredAt: s.Clock().Now().AddDate(0, 0, -k-1).UTC()}
			must(t, s.DB(ctx).Create(&sig).Error)
		}
	}
	cfg := config.Default()
	rec, err := recommend.New(s, cfg.Ranking, cfg.Compliance)
	must(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w.b = bot.New(botstore.New(s), s.Clock(), modelstest.Shanghai, log)
	deps := flows.Deps{Store: s, Clock: s.Clock(), Log: log, Config: cfg, Recommend: rec, Platforms: flows.Platforms{Console: true}}
	flows.Register(w.b, deps)
	must(t, w.b.Seal())
	w.flows = flows.New(deps)
	w.console = console.New(s, w.b, s.Clock())
	w.disp, err = outbox.NewDispatcher(outbox.DispatcherOptions{Store: s, Messengers: map[bot.Platform]bot.Messenger{bot.Console: w.console},
		Config: cfg.Outbox, Clock: s.Clock(), Log: log})
	must(t, err)
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// cardsOf returns the user's console cards by task id, in their current state.
func (w *planWorld) cardsOf(t *testing.T, u *models.User) (map[string]cards.Card, []string) {
	t.Helper()
	msgs, err := w.s.Console.ConsoleMessages(context.Background(), u.ID, 0, 1000)
	must(t, err)
	out := map[string]cards.Card{}
	var texts []string
	for _, m := range msgs {
		var body console.Body
		must(t, json.Unmarshal([]byte(m.Body), &body))
		if body.Card != nil {
			out[body.Card.TaskID] = *body.Card
		} else if m.Direction == "out" {
			texts = append(texts, body.Text)
		}
	}
	return out, texts
}

func (w *planWorld) click(t *testing.T, who, task, key string, sel ...bot.Selection) bot.Reply {
	t.Helper()
	reply, err := w.console.Post(context.Background(), who, "", bot.Event{Kind: bot.EventCardAction,
		Action: &bot.CardAction{TaskID: task, Key: key, Selected: sel}})
	must(t, err)
	return reply
}

func TestMorningPushQueuesOneCardPerRepAndDay(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newPlanWorld(t, s)
		ctx := context.Background()
		for i := 0; i < 2; i++ {
			res, err := w.flows.MorningPush(ctx, testDay, nil)
			must(t, err)
			if res.Reps != 2 || res.Cards != 1 || res.NoList != 1 {
				t.Fatalf("run %d: %+v", i+1, res)
			}
			if (i == 0 && res.Queued != 2) || (i == 1 && res.Queued != 0) {
				t.Fatalf("run %d queued %d", i+1, res.Queued)
			}
		}
		must(t, w.disp.Drain(ctx))
		got, _ := w.cardsOf(t, w.rep)
		if len(got) != 1 {
			t.Fatalf("rep01 got %d cards, want 1", len(got))
		}
		for _, c := range got {
			if c.Kind != "visit_list" || len(c.Fields) != 5 || !strings.HasPrefix(c.Fields[0].Value, "") {
				t.Fatalf("card = %+v", c)
			}
			if _, err := cards.RenderWeCom(c); err != nil {
				t.Fatalf("pushed card is not a valid WeCom card: %v", err)
			}
		}
		_, texts := w.cardsOf(t, w.rep2)
		if len(texts) != 1 || texts[0] != flows.MsgNoRecommendation {
			t.Fatalf("rep02 texts = %q", texts)
		}
	})
}

func TestAcceptAndSkipThroughTheConsole(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newPlanWorld(t, s)
		ctx := context.Background()
		_, err := w.flows.MorningPush(ctx, testDay, []string{"rep01"})
		must(t, err)
		must(t, w.disp.Drain(ctx))
		got, _ := w.cardsOf(t, w.rep)
		var list cards.Card
		for _, c := range got {
			list = c
		}

		// A click by someone else is refused and changes nothing.
		if r := w.click(t, "rep02", list.TaskID, cards.ActionPlanAccept); len(r.Texts) != 1 || r.Texts[0] != bot.MsgNotYourCard {
			t.Fatalf("foreign click reply = %+v", r)
		}
		if ok, _ := s.Plans.PlanAccepted(ctx, w.rep.ID, testDay); ok {
			t.Fatal("foreign click accepted the plan")
		}

		// Skip: the form comes as a new card.
		w.click(t, "rep01", list.TaskID, cards.ActionPlanSkip)
		got, _ = w.cardsOf(t, w.rep)
		var form cards.Card
		for _, c := range got {
			if c.Kind == "skip_form" {
				form = c
			}
		}
		if form.TaskID == "" || len(form.Selects) != 2 || len(form.Selects[0].Options) != 5 {
			t.Fatalf("skip form = %+v", form)
		}
		// Missing reason: a clear prompt, nothing written.
		r := w.click(t, "rep01", form.TaskID, cards.ActionSkipSubmit, bot.Selection{QuestionKey: cards.QuestionSkipDoctor, OptionIDs: []string{form.Selects[0].Options[0].ID}})
		if len(r.Texts) != 1 || r.Texts[0] != flows.MsgSkipNeedAnswers {
			t.Fatalf("missing reason reply = %+v", r)
		}
		skipID := form.Selects[0].Options[0].ID
		r = w.click(t, "rep01", form.TaskID, cards.ActionSkipSubmit,
			bot.Selection{QuestionKey: cards.QuestionSkipDoctor, OptionIDs: []string{skipID}},
			bot.Selection{QuestionKey: cards.QuestionSkipReason, OptionIDs: []string{"cancelled"}})
		if len(r.Texts) != 1 || !strings.Contains(r.Texts[0], "已跳过") || !strings.Contains(r.Texts[0], "为您补上") {
			t.Fatalf("skip reply = %+v", r)
		}
		items, err := s.Plans.PlanItems(ctx, w.rep.ID, testDay)
		must(t, err)
		if len(items) != 6 {
			t.Fatalf("after skip the day has %d recommendations, want 6 (5 + replacement)", len(items))
		}
		// Submitting the same form again does nothing more.
		if r := w.click(t, "rep01", form.TaskID, cards.ActionSkipSubmit,
			bot.Selection{QuestionKey: cards.QuestionSkipDoctor, OptionIDs: []string{skipID}},
			bot.Selection{QuestionKey: cards.QuestionSkipReason, OptionIDs: []string{"cancelled"}}); r.Texts[0] != bot.MsgCardExpired {
			t.Fatalf("second submit = %+v", r)
		}
		must(t, w.disp.Drain(ctx))
		got, _ = w.cardsOf(t, w.rep)
		if got[form.TaskID].ReplaceText == "" {
			t.Fatal("skip form not frozen")
		}
		updated := got[list.TaskID]
		if len(updated.Fields) != 5 {
			t.Fatalf("visit list after skip has %d rows", len(updated.Fields))
		}
		for _, f := range updated.Fields {
			if strings.HasPrefix(f.Value, cards.Address(w.doctorName(skipID), models.TitleChief)+" ") {
				t.Fatalf("skipped doctor still on the card: %v", updated.Fields)
			}
		}

		// Accept: plan recorded with the five active doctors, card greyed.
		r = w.click(t, "rep01", list.TaskID, cards.ActionPlanAccept)
		if r.Texts[0] != fmt.Sprintf(flows.MsgPlanAccepted, 5) {
			t.Fatalf("accept reply = %+v", r)
		}
		got, _ = w.cardsOf(t, w.rep)
		if got[list.TaskID].ReplaceText != cards.TextAccepted {
			t.Fatalf("card after accept: %+v", got[list.TaskID])
		}
		var planned int64
		s.DB(ctx).Model(&models.Visit{}).Where("rep_id = ? AND day = ? AND planned = ? AND status = ?", w.rep.ID, testDay, true, models.VisitPlanned).Count(&planned)
		if planned != 5 {
			t.Fatalf("planned visits = %d", planned)
		}
		if r := w.click(t, "rep01", list.TaskID, cards.ActionPlanAccept); r.Texts[0] != flows.MsgPlanAlready {
			t.Fatalf("second accept = %+v", r)
		}
	})
}

func (w *planWorld) doctorName(id string) string {
	for _, d := range w.doctors {
		if fmt.Sprint(d.ID) == id {
			return d.Name
		}
	}
	return ""
}
