package bot_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"visitbot/bot"
	"visitbot/internal/botstore"
	"visitbot/models"
	"visitbot/models/modelstest"
)

func newBot(t *testing.T, s *models.Store) *bot.Bot {
	t.Helper()
	b := bot.New(botstore.New(s), s.Clock(), modelstest.Shanghai, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return b
}

func addUsers(t *testing.T, s *models.Store) (rep, mgr, admin *models.User) {
	t.Helper()
	ctx := context.Background()
	mgr = &models.User{UserID: "mgr01", Name: "王经理", Role: models.RoleManager, Active: true}
	admin = &models.User{UserID: "admin", Name: "管理员", Role: models.RoleAdmin, Active: true}
	for _, u := range []*models.User{mgr, admin} {
		if err := s.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	wx := "wx-rep01"
	rep = &models.User{UserID: "rep01", Name: "张三", Role: models.RoleRep, ManagerID: &mgr.ID, Active: true, WeComUserID: &wx}
	if err := s.Users.CreateUser(ctx, rep); err != nil {
		t.Fatal(err)
	}
	return rep, mgr, admin
}

func text(from, body, key string) bot.Event {
	return bot.Event{Platform: bot.Console, From: from, Kind: bot.EventText, Text: body, DeliveryKey: key}
}

func TestHandleRunsEachDeliveryOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		addUsers(t, s)
		b := newBot(t, s)
		calls := 0
		b.Command(bot.Command{Name: "计数", Aliases: []string{"count"}, Usage: "计数", Summary: "test", MaxArgs: 0,
			Run: func(req *bot.Request, _ []string) (bot.Reply, error) {
				calls++
				return bot.Text("ok"), s.Audit.Record(req.Ctx, req.User.ID, "count", "", nil)
			}})
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for i := 0; i < 3; i++ {
			reply, err := b.Handle(ctx, text("rep01", "count", "d-1"))
			if i == 0 && (err != nil || reply.Texts[0] != "ok") {
				t.Fatalf("first delivery: %v %v", reply, err)
			}
			if i > 0 && !errors.Is(err, bot.ErrDuplicate) {
				t.Fatalf("retry %d: err = %v", i, err)
			}
		}
		entries, _ := s.Audit.Entries(ctx, 10)
		if calls != 1 || len(entries) != 1 {
			t.Fatalf("calls = %d, audit rows = %d; want 1 and 1", calls, len(entries))
		}
	})
}

func TestFailedHandlerLeavesNoDeliveryKey(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		addUsers(t, s)
		b := newBot(t, s)
		fail := true
		b.Command(bot.Command{Name: "flaky", Usage: "flaky", Summary: "test", MaxArgs: 0,
			Run: func(req *bot.Request, _ []string) (bot.Reply, error) {
				if fail {
					return bot.Reply{}, errors.New("database hiccup")
				}
				return bot.Text("done"), nil
			}})
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := b.Handle(ctx, text("rep01", "flaky", "d-2")); err == nil {
			t.Fatal("want error")
		}
		fail = false
		reply, err := b.Handle(ctx, text("rep01", "flaky", "d-2"))
		if err != nil || reply.Texts[0] != "done" {
			t.Fatalf("platform retry after a failure must run again: %v %v", reply, err)
		}
	})
}

func TestCommandRouting(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		addUsers(t, s)
		b := newBot(t, s)
		b.Command(bot.Command{Name: "权重", Aliases: []string{"weights"}, Usage: "权重 设置 <因子> <数值>", Summary: "调整权重",
			Role: bot.RoleAdmin, MinArgs: 2, MaxArgs: 3, Audited: true,
			Run: func(req *bot.Request, args []string) (bot.Reply, error) {
				return bot.Textf("已设置 %s", args[1]), nil
			}})
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		cases := []struct {
			from, text, want string
		}{
			{"rep01", "help", "帮助"},
			{"rep01", "/HELP", "帮助"},
			{"admin", "帮助", "权重"},
			{"rep01", "weights 设置 lecture 0.3", bot.MsgNoPermission},
			{"admin", "权重", "用法：权重 设置 <因子> <数值>"},
			{"admin", "权重 设置 lecture 0.3", "已设置 lecture"},
			{"rep01", "今天天气怎么样", bot.MsgUnknownCommand},
			{"rep01", "   ", bot.MsgEmptyText},
			{"stranger", "help", bot.MsgUnknownUser},
		}
		for _, c := range cases {
			reply, err := b.Handle(ctx, text(c.from, c.text, ""))
			if err != nil || len(reply.Texts) != 1 || !strings.Contains(reply.Texts[0], c.want) {
				t.Errorf("%s %q: reply %v err %v; want it to contain %q", c.from, c.text, reply.Texts, err, c.want)
			}
		}
		reply, _ := b.Handle(ctx, text("rep01", "help", ""))
		if strings.Contains(reply.Texts[0], "权重") {
			t.Error("help shows an admin command to a rep")
		}
		entries, _ := s.Audit.Entries(ctx, 10)
		if len(entries) != 1 || entries[0].Action != "command:权重" {
			t.Fatalf("audit = %+v", entries)
		}
	})
}

func TestDuplicateRegistrationFailsSeal(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		run := func(*bot.Request, []string) (bot.Reply, error) { return bot.Reply{}, nil }
		b := newBot(t, s)
		b.Command(bot.Command{Name: "名单", Aliases: []string{"top"}, Run: run})
		b.Command(bot.Command{Name: "top", Run: run})
		b.Action("plan", func(*bot.Request, bot.CardTask) (bot.Reply, error) { return bot.Reply{}, nil })
		b.Action("plan", func(*bot.Request, bot.CardTask) (bot.Reply, error) { return bot.Reply{}, nil })
		err := b.Seal()
		if err == nil || !strings.Contains(err.Error(), `"top"`) || !strings.Contains(err.Error(), `"plan"`) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCardActionOwnership(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		rep, mgr, _ := addUsers(t, s)
		ctx := context.Background()
		if err := s.Cards.SaveCardTask(ctx, &models.CardTask{TaskID: "T1", Platform: "console", UserID: rep.ID, Kind: "visit_list"}); err != nil {
			t.Fatal(err)
		}
		b := newBot(t, s)
		var handled []string
		b.Action("plan", func(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
			handled = append(handled, req.User.UserID+" "+req.Event.Action.Key)
			return bot.Reply{Update: &bot.CardUpdate{ReplaceName: "已接受"}}, nil
		})
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		act := func(from, task, key, code string) (bot.Reply, error) {
			return b.Handle(ctx, bot.Event{Platform: bot.Console, From: from, Kind: bot.EventCardAction,
				Action: &bot.CardAction{TaskID: task, Key: key, ResponseCode: code}})
		}
		if r, err := act("mgr01", "T1", "plan:accept", "c0"); err != nil || r.Texts[0] != bot.MsgNotYourCard {
			t.Fatalf("foreign click: %v %v", r, err)
		}
		if r, err := act("rep01", "NOPE", "plan:accept", ""); err != nil || r.Texts[0] != bot.MsgCardExpired {
			t.Fatalf("unknown task: %v %v", r, err)
		}
		if r, err := act("rep01", "T1", "weird:key", ""); err != nil || r.Texts[0] != bot.MsgCardExpired {
			t.Fatalf("unknown key: %v %v", r, err)
		}
		r, err := act("rep01", "T1", "plan:accept", "code-2")
		if err != nil || r.Update == nil || r.Update.ReplaceName != "已接受" {
			t.Fatalf("owner click: %v %v", r, err)
		}
		if len(handled) != 1 || handled[0] != "rep01 plan:accept" {
			t.Fatalf("handled = %v", handled)
		}
		task, _ := s.Cards.CardTaskByTaskID(ctx, "T1")
		if task.ResponseCode != "code-2" {
			t.Fatalf("response code = %q, want the owner's newest", task.ResponseCode)
		}
		entries, _ := s.Audit.Entries(ctx, 10)
		if len(entries) != 1 || entries[0].Action != "card_action_refused" || entries[0].ActorID != mgr.ID {
			t.Fatalf("refusal not audited: %+v", entries)
		}
	})
}

func TestUserErrorRollsBack(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		addUsers(t, s)
		b := newBot(t, s)
		b.Command(bot.Command{Name: "half", Usage: "half", MaxArgs: 0, Run: func(req *bot.Request, _ []string) (bot.Reply, error) {
			if err := s.Audit.Record(req.Ctx, req.User.ID, "half-written", "", nil); err != nil {
				return bot.Reply{}, err
			}
			return bot.Reply{}, bot.Refuse("缺少必填项：%s", "异议类型")
		}})
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		reply, err := b.Handle(ctx, text("rep01", "half", "d-9"))
		if err != nil || reply.Texts[0] != "缺少必填项：异议类型" {
			t.Fatalf("reply %v err %v", reply, err)
		}
		if entries, _ := s.Audit.Entries(ctx, 10); len(entries) != 0 {
			t.Fatalf("a refused action left rows: %+v", entries)
		}
	})
}

func TestUnknownEventIsStoredNotFailed(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		addUsers(t, s)
		b := newBot(t, s)
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		_, err := b.Handle(ctx, bot.Event{Platform: bot.WeCom, From: "wx-rep01", Kind: bot.EventUnknown, RawType: "event/change_contact", Raw: "<xml/>", DeliveryKey: "u1"})
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		s.DB(ctx).Model(&models.RawEvent{}).Count(&n)
		if n != 1 {
			t.Fatalf("raw events = %d", n)
		}
	})
}
