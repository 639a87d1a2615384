package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/console"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/outbox"
	"visitbot/seed"
	"visitbot/signals"
	"visitbot/simulate"
)

// The README's "to change one thing, touch these" list, held by tests.

// Every callback key a card of a simulated fortnight carries has a handler:
// adding a card action is the key on the card plus one b.Action in flows.
func TestEveryCardActionIsRouted(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates days")
	}
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 7, 0, 0, 0, modelstest.Shanghai))
	s, _ := modelstest.Open(t, "sqlite", clk)
	opts := seed.DefaultOptions()
	opts.Reps, opts.Doctors, opts.Today = 3, 120, time.Date(2026, 11, 22, 0, 0, 0, 0, modelstest.Shanghai)
	if err := seed.World(ctx, s, opts); err != nil {
		t.Fatal(err)
	}
	a := apptest.OnStore(t, s, func(c *config.Config) { *c = simulate.ConsoleConfig(*c) })
	env, err := a.SimulationEnv(clk)
	if err != nil {
		t.Fatal(err)
	}
	o := simulate.DefaultOptions()
	o.From, o.Days = "2026-11-23", 5
	if _, err := simulate.Run(ctx, env, o); err != nil {
		t.Fatal(err)
	}
	// An alert card: a clinical-trial investigator signal of an assigned doctor.
	assigns, err := s.Ranking.RankingAssignments(ctx, nil)
	if err != nil || len(assigns) == 0 {
		t.Fatalf("assignments: %d, %v", len(assigns), err)
	}
	_, created, err := s.Import.UpsertSignals(ctx, []*models.Signal{{ExternalID: "trial-1", DoctorID: assigns[0].DoctorID,
		Class: models.ClassTrial, Kind: "trial_investigator", Value: 1, OccurredAt: clk.Now().UTC()}})
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]models.Signal, len(created))
	for i, c := range created {
		plain[i] = *c
	}
	if err := a.Flows.OnSignals(ctx, plain); err != nil {
		t.Fatal(err)
	}
	var cardsSeen []*cards.Card
	users, err := s.Users.Users(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		lines, err := s.Console.ConsoleMessages(ctx, u.ID, 0, 100000)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			var b console.Body
			if err := json.Unmarshal([]byte(l.Body), &b); err != nil {
				t.Fatal(err)
			}
			if b.Card != nil {
				cardsSeen = append(cardsSeen, b.Card)
			}
		}
	}
	rows, err := s.Outbox.OutboxMessages(ctx, "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		var p outbox.Payload
		if err := json.Unmarshal([]byte(r.Payload), &p); err != nil {
			t.Fatal(err)
		}
		if p.Card != nil {
			cardsSeen = append(cardsSeen, p.Card)
		}
		if p.Update != nil && p.Update.Card != nil {
			cardsSeen = append(cardsSeen, p.Update.Card)
		}
	}
	kinds := map[string]bool{}
	for _, card := range cardsSeen {
		kinds[card.Kind] = true
		for _, k := range card.ActionKeys() {
			if !a.Bot.Routes(k) {
				t.Errorf("card %s carries action %q that no handler routes", card.Kind, k)
			}
		}
	}
	for _, k := range []string{"visit_list", "feedback_step1", "feedback_step2", "alert"} {
		if !kinds[k] {
			t.Errorf("no %s card in the simulated days (saw %v): the test must see every kind", k, kinds)
		}
	}
}

// 帮助 is generated from the registry: every command is in some role's
// 帮助, and only in the 帮助 of the roles that may run it (a manager's lists
// no 签到 or 反馈).
func TestHelpListsEveryCommand(t *testing.T) {
	a := apptest.New(t, "sqlite", clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)), nil)
	helps := map[bot.Role]string{}
	for _, r := range []bot.Role{bot.RoleRep, bot.RoleManager, bot.RoleAdmin} {
		helps[r] = a.Bot.Commands().Help(bot.User{Role: r})
	}
	for _, c := range a.Bot.Commands().All() {
		listed := false
		for r, help := range helps {
			in := strings.Contains(help, "• "+c.Name+" ")
			listed = listed || in
			if allowed := c.Allowed(bot.User{Role: r}); in != allowed {
				t.Errorf("%s's 帮助 lists %s: %v, may run it: %v", r, c.Name, in, allowed)
			}
		}
		if !listed {
			t.Errorf("帮助 does not list %s", c.Name)
		}
	}
	for _, name := range []string{"签到", "反馈", "备注"} {
		if strings.Contains(helps[bot.RoleManager], "• "+name+" ") || strings.Contains(helps[bot.RoleAdmin], "• "+name+" ") {
			t.Errorf("a manager's or admin's 帮助 lists %s", name)
		}
	}
	if !strings.Contains(helps[bot.RoleRep], "改计划") || strings.Contains(helps[bot.RoleManager], "改计划") {
		t.Errorf("only a rep's 帮助 says how to change the plan:\n%s", helps[bot.RoleRep])
	}
}

// A signal class is one registry entry: its default weight is the config
// default, an override of it validates, and 权重 shows it by its Chinese name.
func TestEverySignalClassIsConfigurable(t *testing.T) {
	ctx := context.Background()
	a := apptest.New(t, "sqlite", clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)), nil)
	admin := &models.User{UserID: "admin", Name: "管理员", Role: models.RoleAdmin, Active: true}
	if err := a.Store.Users.CreateUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Console.Text(ctx, console.TextRequest{User: "admin", Text: "权重", ClientID: "w1"}); err != nil {
		t.Fatal(err)
	}
	lines, err := a.Console.Messages(ctx, "admin", 10)
	if err != nil {
		t.Fatal(err)
	}
	var answer string
	for _, l := range lines {
		if l.Direction == "out" {
			answer += l.Text
		}
	}
	for _, c := range signals.All() {
		cfg := config.Default()
		if got := cfg.Ranking.Weights[c.Key]; got != c.Weight {
			t.Errorf("default ranking.weights.%s = %v, registry says %v", c.Key, got, c.Weight)
		}
		cfg.Ranking.Weights[c.Key] = 0.5
		if err := cfg.Validate(); err != nil {
			t.Errorf("ranking.weights.%s: %v", c.Key, err)
		}
		if !strings.Contains(answer, c.Name) {
			t.Errorf("权重 does not show %s (%s): %q", c.Key, c.Name, answer)
		}
	}
}
