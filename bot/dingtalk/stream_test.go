package dingtalk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/dingtalk"
	"visitbot/config"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// Stream mode feeds robot messages and card callbacks to the same bot path:
// dedupe, ownership and replies work as over HTTP. The app is the production
// wiring with dingtalk.mode "stream" against the fake's Stream gateway; a
// probe command and card action stand in for the flows.
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
		stream := func(c *config.Config) { c.DingTalk.Mode = "stream" }
		d := apptest.NewDingTalk(t, s, stream)
		var pings, clicks atomic.Int32
		apptest.Register(t, d.App, func(b *bot.Bot) {
			b.Command(bot.Command{Name: "ping", Usage: "ping", Summary: "test", MaxArgs: 0, Run: func(*bot.Request, []string) (bot.Reply, error) {
				pings.Add(1)
				return bot.Text("pong"), nil
			}})
			b.Action("st", func(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
				clicks.Add(1)
				return bot.Reply{Update: &bot.CardUpdate{ReplaceName: "已接受"}}, nil
			})
		})
		a, f := d.DingTalk, d.Fake
		if dingtalk.CallbackTypeOf(a.Messenger()) != dingtalk.CallbackStream {
			t.Fatal("stream mode must create cards with callbackType STREAM")
		}
		sctx, cancel := context.WithCancel(ctx)
		if err := a.Start(sctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cancel(); <-dingtalk.StreamDone(a) })
		if err := f.WaitStream(10 * time.Second); err != nil {
			t.Fatal(err)
		}
		msg, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": " ping "}, "msgId": "st-msg-1",
			"senderStaffId": dt, "conversationType": "1", "sessionWebhook": f.SessionWebhook("st"),
			"sessionWebhookExpiredTime": s.Clock().Now().Add(time.Hour).UnixMilli()})
		for i := 0; i < 2; i++ {
			resp, err := f.StreamPush(dingtalk.TopicRobot, msg)
			if err != nil || resp.Code != 200 {
				t.Fatalf("push %d: %+v %v", i, resp, err)
			}
		}
		// The wired adapter queues the reply in the outbox, once (the second push is a duplicate).
		var queued []models.OutboxMessage
		if err := s.DB(ctx).Where("platform = ?", "dingtalk").Find(&queued).Error; err != nil {
			t.Fatal(err)
		}
		if pings.Load() != 1 || len(queued) != 1 || !strings.Contains(queued[0].Payload, `"text":"pong"`) {
			t.Fatalf("pings=%d queued=%+v", pings.Load(), queued)
		}
		content, _ := json.Marshal(map[string]any{"cardPrivateData": map[string]any{"params": map[string]any{"action": "st:accept"}}})
		cb, _ := json.Marshal(map[string]any{"type": "actionCallback", "outTrackId": "st-1", "userId": dt, "content": string(content)})
		resp, err := f.StreamPush(dingtalk.TopicCard, cb)
		if err != nil || resp.Code != 200 || clicks.Load() != 1 {
			t.Fatalf("card push: %+v %v clicks=%d", resp, err, clicks.Load())
		}
		if !strings.Contains(resp.Data, `"response":{"cardUpdateOptions"`) || !strings.Contains(resp.Data, `"status":"已接受"`) {
			t.Fatalf("card answer = %s", resp.Data)
		}
		if resp, _ := f.StreamPush(dingtalk.TopicRobot, []byte(`{"msgtype":"text"}`)); resp.Code != 400 {
			t.Fatalf("malformed message: %+v", resp)
		}
		// A dropped connection is reopened; the same message is still a duplicate.
		f.DropStream()
		if err := f.WaitStream(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		if resp, err := f.StreamPush(dingtalk.TopicRobot, msg); err != nil || resp.Code != 200 {
			t.Fatalf("after reconnect: %+v %v", resp, err)
		}
		if pings.Load() != 1 {
			t.Fatalf("pings = %d after a redelivery over the new connection", pings.Load())
		}
		// The pong reaches the user through the outbox and the robot API, never the sessionWebhook.
		apptest.Drain(t, d.App)
		if sent := f.Messages(); len(sent) != 1 || sent[0].UserID != dt || !strings.Contains(sent[0].MsgParam["text"], "pong") || len(f.Sessions()) != 0 {
			t.Fatalf("sent %+v, sessionWebhook posts %d", sent, len(f.Sessions()))
		}
		// Wrong credentials stop startup instead of running deaf.
		bad := apptest.OnStore(t, s, func(c *config.Config) {
			c.Console.Enabled = false
			c.DingTalk = d.Config.DingTalk
			c.DingTalk.AppSecret = "wrong-secret-value"
		})
		if err := bad.DingTalk.Start(sctx); err == nil || strings.Contains(err.Error(), "wrong-secret-value") {
			t.Fatalf("start with a wrong secret: %v", err)
		}
	})
}

// TestStreamBoundsConcurrentFrames: a burst of robot messages is handled by
// at most dingtalk.StreamWorkers goroutines, and on SQLite one bot
// transaction at a time (as on WeCom); every frame is answered.
func TestStreamBoundsConcurrentFrames(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		dt := "dt-rep01"
		if err := s.Users.CreateUser(ctx, &models.User{UserID: "rep01", Name: "张三", Role: models.RoleRep, DingTalkUserID: &dt, Active: true}); err != nil {
			t.Fatal(err)
		}
		d := apptest.NewDingTalk(t, s, func(c *config.Config) { c.DingTalk.Mode = "stream" })
		var inflight, peak atomic.Int32
		apptest.Register(t, d.App, func(b *bot.Bot) {
			b.Command(bot.Command{Name: "slow", Usage: "slow", Summary: "test", Run: func(*bot.Request, []string) (bot.Reply, error) {
				n := inflight.Add(1)
				defer inflight.Add(-1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(20 * time.Millisecond)
				return bot.Text("ok"), nil
			}})
		})
		sctx, cancel := context.WithCancel(ctx)
		if err := d.DingTalk.Start(sctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cancel(); <-dingtalk.StreamDone(d.DingTalk) })
		if err := d.Fake.WaitStream(10 * time.Second); err != nil {
			t.Fatal(err)
		}
		const n = 3 * dingtalk.StreamWorkers
		frames := make([][]byte, n)
		for i := range frames {
			frames[i], _ = json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": "slow"}, "msgId": fmt.Sprintf("burst-%d", i),
				"senderStaffId": dt, "conversationType": "1", "sessionWebhook": d.Fake.SessionWebhook("b"),
				"sessionWebhookExpiredTime": s.Clock().Now().Add(time.Hour).UnixMilli()})
		}
		resps, err := d.Fake.StreamPushAll(dingtalk.TopicRobot, frames)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range resps {
			if r.Code != 200 {
				t.Fatalf("frame %d: %+v", i, r)
			}
		}
		limit := int32(dingtalk.StreamWorkers)
		if s.Driver() == "sqlite" {
			limit = 1
		}
		if p := peak.Load(); p < 1 || p > limit {
			t.Fatalf("peak concurrent handlers %d, want 1..%d on %s", p, limit, s.Driver())
		}
	})
}
