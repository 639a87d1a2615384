package dingtalk

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/config"
	"visitbot/internal/botstore"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// Stream mode feeds robot messages and card callbacks to the same bot path:
// dedupe, ownership and replies work as over HTTP.
func TestStreamFeedsTheBot(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		dt := "dt-rep01"
		rep := &models.User{UserID: "rep01", Name: "张三", Role: models.RoleRep, DingTalkUserID: &dt, Active: true}
		if err := s.Users.CreateUser(ctx, rep); err != nil {
			t.Fatal(err)
		}
		if err := s.Cards.SaveCardTask(ctx, &models.CardTask{TaskID: "st-1", Platform: "dingtalk", UserID: rep.ID, Kind: "visit_list"}); err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.DiscardHandler)
		b := bot.New(botstore.New(s), s.Clock(), modelstest.Shanghai, log)
		pings, clicks := 0, 0
		b.Command(bot.Command{Name: "ping", Usage: "ping", Summary: "test", MaxArgs: 0, Run: func(*bot.Request, []string) (bot.Reply, error) {
			pings++
			return bot.Text("pong"), nil
		}})
		b.Action("st", func(req *bot.Request, task *models.CardTask) (bot.Reply, error) {
			clicks++
			return bot.Reply{Update: &bot.CardUpdate{ReplaceName: "已接受"}}, nil
		})
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		f := newFake(t)
		cfg := config.Default().DingTalk
		cfg.Enabled, cfg.Mode, cfg.AppKey, cfg.AppSecret, cfg.RobotCode = true, "stream", testAppKey, testAppSecret, testRobotCode
		cfg.APIBase, cfg.OAPIBase = f.URL(), f.URL()
		a, err := New(cfg, Deps{Store: s, Bot: b, Clock: s.Clock(), Log: log, QPS: 20})
		if err != nil {
			t.Fatal(err)
		}
		if a.Messenger().opt.CallbackType != CallbackStream {
			t.Fatal("stream mode must create cards with callbackType STREAM")
		}
		sctx, cancel := context.WithCancel(ctx)
		if err := a.Start(sctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cancel(); <-a.stream.Done(); a.Flush() })
		if err := f.WaitStream(10 * time.Second); err != nil {
			t.Fatal(err)
		}
		msg, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": " ping "}, "msgId": "st-msg-1",
			"senderStaffId": dt, "conversationType": "1", "sessionWebhook": f.SessionWebhook("st"),
			"sessionWebhookExpiredTime": s.Clock().Now().Add(time.Hour).UnixMilli()})
		for i := 0; i < 2; i++ {
			resp, err := f.StreamPush(TopicRobot, msg)
			if err != nil || resp.Code != 200 {
				t.Fatalf("push %d: %+v %v", i, resp, err)
			}
		}
		a.Flush()
		// The wired adapter queues the reply in the outbox, once (the second push is a duplicate).
		var queued []models.OutboxMessage
		if err := s.DB(ctx).Where("platform = ?", "dingtalk").Find(&queued).Error; err != nil {
			t.Fatal(err)
		}
		if pings != 1 || len(queued) != 1 || !strings.Contains(queued[0].Payload, `"text":"pong"`) {
			t.Fatalf("pings=%d queued=%+v", pings, queued)
		}
		content, _ := json.Marshal(map[string]any{"cardPrivateData": map[string]any{"params": map[string]any{"action": "st:accept"}}})
		cb, _ := json.Marshal(map[string]any{"type": "actionCallback", "outTrackId": "st-1", "userId": dt, "content": string(content)})
		resp, err := f.StreamPush(TopicCard, cb)
		if err != nil || resp.Code != 200 || clicks != 1 {
			t.Fatalf("card push: %+v %v clicks=%d", resp, err, clicks)
		}
		if !strings.Contains(resp.Data, `"response":{"cardUpdateOptions"`) || !strings.Contains(resp.Data, `"status":"已接受"`) {
			t.Fatalf("card answer = %s", resp.Data)
		}
		if resp, _ := f.StreamPush(TopicRobot, []byte(`{"msgtype":"text"}`)); resp.Code != 400 {
			t.Fatalf("malformed message: %+v", resp)
		}
		// A dropped connection is reopened; the same message is still a duplicate.
		f.DropStream()
		if err := f.WaitStream(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		if resp, err := f.StreamPush(TopicRobot, msg); err != nil || resp.Code != 200 {
			t.Fatalf("after reconnect: %+v %v", resp, err)
		}
		a.Flush()
		if pings != 1 {
			t.Fatalf("pings = %d after a redelivery over the new connection", pings)
		}
		// Wrong credentials stop startup instead of running deaf.
		bad := cfg
		bad.AppSecret = "wrong-secret-value"
		a2, err := New(bad, Deps{Store: s, Bot: b, Clock: s.Clock(), Log: log})
		if err != nil {
			t.Fatal(err)
		}
		if err := a2.Start(sctx); err == nil || strings.Contains(err.Error(), "wrong-secret-value") {
			t.Fatalf("start with a wrong secret: %v", err)
		}
	})
}
