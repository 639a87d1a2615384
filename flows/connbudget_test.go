package flows_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// budgetConns is the pool size of TestSkipsAtMaxOpenConns: as many reps
// skip at once as the pool has connections.
const budgetConns = 4

// TestSkipsAtMaxOpenConns: max_open_conns reps submit a skip at the same
// moment on MariaDB. Each delivery holds its transaction's connection while
// the replacement doctor is ranked (NextBest); if any of them reached for a
// second connection, all would wait for one that no transaction frees.
func TestSkipsAtMaxOpenConns(t *testing.T) {
	if !slices.Contains(modelstest.Drivers(), "mysql") {
		t.Skip("needs MariaDB (" + modelstest.MySQLEnv + ")")
	}
	base, dsn := modelstest.Open(t, "mysql", clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)))
	s, err := models.Open(models.Options{Driver: "mysql", DSN: dsn, MaxOpenConns: budgetConns, Clock: base.Clock(), Location: modelstest.Shanghai})
	must(t, err)
	t.Cleanup(func() { s.Close() })
	w := newWorld(t, s, nil)
	tm := w.seedTeam(t)
	reps := []*models.User{tm.rep, tm.rep2}
	for i := len(reps); i < budgetConns; i++ {
		reps = append(reps, w.user(t, fmt.Sprintf("rep%02d", i+1), "代表", models.RoleRep, tm.mgr))
	}
	for r, rep := range reps {
		for i := range 7 {
			d := w.doctor(t, fmt.Sprintf("D%d-%d", r, i), "医生", tm.hosp, false, rep, models.ClinicSession{Weekday: 2, Period: models.PeriodAM})
			w.signals(t, d, fmt.Sprintf("S%d-%d", r, i), models.ClassDigital, "leaflet_view", 7-i)
		}
	}
	ctx := context.Background()
	_, err = w.flows.MorningPush(ctx, testDay, nil)
	must(t, err)
	w.drain(t)
	forms := make([]cards.Card, len(reps))
	for i, rep := range reps {
		list := w.onlyCard(t, rep)
		w.click(t, rep, list.TaskID, cards.ActionPlanSkip)
		got, _ := w.inbox(t, rep)
		for _, c := range got {
			if c.Kind == "skip_form" {
				forms[i] = c
			}
		}
		if forms[i].TaskID == "" {
			t.Fatalf("%s got no skip form", rep.UserID)
		}
	}
	budget, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	replies := make([]bot.Reply, len(reps))
	errs := make([]error, len(reps))
	var wg sync.WaitGroup
	start := time.Now()
	for i, rep := range reps {
		wg.Go(func() {
			f := forms[i]
			replies[i], errs[i] = w.console.Post(budget, rep.UserID, "", bot.Event{Kind: bot.EventCardAction, Action: &bot.CardAction{
				TaskID: f.TaskID, Key: cards.ActionSkipSubmit, Selected: []bot.Selection{
					{QuestionKey: cards.QuestionSkipDoctor, OptionIDs: []string{f.Selects[0].Options[0].ID}},
					{QuestionKey: cards.QuestionSkipReason, OptionIDs: []string{"cancelled"}}}}})
		})
	}
	wg.Wait()
	for i := range reps {
		if errs[i] != nil || len(replies[i].Texts) == 0 || !strings.Contains(replies[i].Texts[0], "为您补上") {
			t.Fatalf("%s: %+v, %v (after %s)", reps[i].UserID, replies[i], errs[i], time.Since(start))
		}
	}
	t.Logf("%d concurrent skips on a pool of %d took %s", len(reps), budgetConns, time.Since(start))
}
