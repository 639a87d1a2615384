package flows_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// planWorld is a rep with seven doctors who all have a Tuesday clinic, a
// second rep, their manager and an admin, reachable on the console.
type planWorld struct {
	*world
	rep, rep2 *models.User
	doctors   []models.Doctor
}

func newPlanWorld(t *testing.T, s *models.Store) *planWorld {
	t.Helper()
	w := &planWorld{world: newWorld(t, s, nil)}
	tm := w.seedTeam(t)
	w.rep, w.rep2 = tm.rep, tm.rep2
	for i, n := range []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊"} {
		period := models.PeriodAM
		if i%2 == 1 {
			period = models.PeriodPM
		}
		d := w.doctor(t, fmt.Sprintf("D%d", i+1), n, tm.hosp, i == 0, w.rep, models.ClinicSession{Weekday: 2, Period: period})
		w.doctors = append(w.doctors, d)
		w.signals(t, d, fmt.Sprintf("S%d", i), models.ClassDigital, "leaflet_view", 7-i) // earlier doctors are hotter
	}
	return w
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
		w.drain(t)
		got, _ := w.inbox(t, w.rep)
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
		_, texts := w.inbox(t, w.rep2)
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
		w.drain(t)
		got, _ := w.inbox(t, w.rep)
		var list cards.Card
		for _, c := range got {
			list = c
		}

		// A click by someone else is refused and changes nothing.
		if r := w.click(t, w.rep2, list.TaskID, cards.ActionPlanAccept); len(r.Texts) != 1 || r.Texts[0] != bot.MsgNotYourCard {
			t.Fatalf("foreign click reply = %+v", r)
		}
		if ok, _ := s.Plans.PlanAccepted(ctx, w.rep.ID, testDay); ok {
			t.Fatal("foreign click accepted the plan")
		}

		// Skip: the form comes as a new card.
		w.click(t, w.rep, list.TaskID, cards.ActionPlanSkip)
		got, _ = w.inbox(t, w.rep)
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
		r := w.click(t, w.rep, form.TaskID, cards.ActionSkipSubmit, bot.Selection{QuestionKey: cards.QuestionSkipDoctor, OptionIDs: []string{form.Selects[0].Options[0].ID}})
		if len(r.Texts) != 1 || r.Texts[0] != flows.MsgSkipNeedAnswers {
			t.Fatalf("missing reason reply = %+v", r)
		}
		skipID := form.Selects[0].Options[0].ID
		r = w.click(t, w.rep, form.TaskID, cards.ActionSkipSubmit,
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
		if r := w.click(t, w.rep, form.TaskID, cards.ActionSkipSubmit,
			bot.Selection{QuestionKey: cards.QuestionSkipDoctor, OptionIDs: []string{skipID}},
			bot.Selection{QuestionKey: cards.QuestionSkipReason, OptionIDs: []string{"cancelled"}}); r.Texts[0] != bot.MsgCardExpired {
			t.Fatalf("second submit = %+v", r)
		}
		w.drain(t)
		got, _ = w.inbox(t, w.rep)
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

		// Accept: plan recorded with the five active doctors; the card stays
		// live with 跳过 and 查看路线 (the plan can still change).
		r = w.click(t, w.rep, list.TaskID, cards.ActionPlanAccept)
		if r.Texts[0] != fmt.Sprintf(flows.MsgPlanAccepted, 5, flows.HintLocationConsole) {
			t.Fatalf("accept reply = %+v", r)
		}
		got, _ = w.inbox(t, w.rep)
		if c := got[list.TaskID]; c.ReplaceText != "" || !slices.Contains(c.ActionKeys(), cards.ActionPlanSkip) || slices.Contains(c.ActionKeys(), cards.ActionPlanAccept) ||
			!strings.Contains(c.Desc, cards.TextAccepted) {
			t.Fatalf("card after accept: %+v", c)
		}
		var planned int64
		s.DB(ctx).Model(&models.Visit{}).Where("rep_id = ? AND day = ? AND planned = ? AND status = ?", w.rep.ID, testDay, true, models.VisitPlanned).Count(&planned)
		if planned != 5 {
			t.Fatalf("planned visits = %d", planned)
		}
		if r := w.click(t, w.rep, list.TaskID, cards.ActionPlanAccept); r.Texts[0] != flows.MsgPlanAlready {
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
