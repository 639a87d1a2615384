package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/dingtalk/dingtalkfake"
	"visitbot/cards"
)

func newMessenger(t *testing.T, f *dingtalkfake.Fake, c *Client, templates map[string]string) *Messenger {
	t.Helper()
	for _, id := range templates {
		f.AllowTemplate(id)
	}
	m, err := NewMessenger(MessengerOptions{Client: c, Templates: templates, PublicURL: "https://visitbot.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func visitCard(taskID string) cards.Card {
	return cards.Card{Layout: cards.ButtonInteraction, Kind: "visit_list", TaskID: taskID, Source: "拜访助手", Title: "今日拜访推荐",
		Fields:  []cards.Field{{Key: "1", Value: "张主任 | 热度86"}},
		Buttons: []cards.Button{{Key: cards.ActionPlanAccept, Text: "接受今日计划", Style: 1}, {Text: "查看路线", URL: "https://uri.amap.com/x"}}}
}

// 600 cards dispatched at once never exceed DingTalk's 20 calls/s per API at
// the fake, which counts calls on arrival over a sliding window. By default
// the test runs on a 100 ms unit (20 calls per 100 ms at the fake, the
// limiter told the same unit) to stay short; the limiter's guarantee does
// not depend on the unit. VISITBOT_DINGTALK_QPS_REALTIME=1 runs it on real
// seconds (about 31 s).
func TestMessengerStaysUnderQPS(t *testing.T) {
	per := 100 * time.Millisecond
	if os.Getenv("VISITBOT_DINGTALK_QPS_REALTIME") == "1" {
		per = time.Second
	}
	f := newFake(t)
	f.SetQPS(dingtalkfake.QPSLimit, per)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	c := newClient(t, f, nil, func(o *ClientOptions) {
		o.LimiterPer = per
		o.HTTPClient = &http.Client{Transport: tr, Timeout: time.Minute}
	})
	m := newMessenger(t, f, c, map[string]string{"visit_list": "tpl-visit"})
	const n = 600
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			to := bot.Recipient{UserID: uint(i + 1), PlatformUserID: fmt.Sprintf("dt-rep%03d", i)}
			res, err := m.Send(context.Background(), to, bot.Message{Card: new(visitCard(fmt.Sprintf("vl-%03d", i)))})
			if err == nil && res.MsgID != fmt.Sprintf("vl-%03d", i) {
				err = fmt.Errorf("msgid %q", res.MsgID)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	api := "POST " + PathCardCreate
	if got := f.CardCount(); got != n {
		t.Fatalf("cards created = %d, want %d", got, n)
	}
	if r := f.QPSRejections(api); r != 0 {
		t.Fatalf("%d calls rejected by the QPS limit", r)
	}
	if most := f.MaxInWindow(api); most > dingtalkfake.QPSLimit {
		t.Fatalf("%d calls in one window, limit %d", most, dingtalkfake.QPSLimit)
	}
	t.Logf("%d cards in %s (unit %s), at most %d calls per unit at the fake", n, time.Since(start).Round(time.Millisecond), per, f.MaxInWindow(api))
}

func TestMessengerAdvancedCardAndUpdate(t *testing.T) {
	f := newFake(t)
	m := newMessenger(t, f, newClient(t, f, nil, nil), map[string]string{"visit_list": "tpl-visit"})
	ctx := context.Background()
	to := bot.Recipient{UserID: 1, PlatformUserID: "dt-rep01"}
	if _, err := m.Send(ctx, to, bot.Message{Card: new(visitCard("vl-1"))}); err != nil {
		t.Fatal(err)
	}
	card, ok := f.Card("vl-1")
	if !ok || card.TemplateID != "tpl-visit" || card.UserID != "dt-rep01" || card.CallbackType != CallbackHTTP || card.Params["frozen"] != "false" {
		t.Fatalf("card = %+v", card)
	}
	upd := visitCard("vl-1")
	if err := m.Update(ctx, to, bot.CardUpdate{TaskID: "vl-1", ReplaceName: "已接受", Card: nil}); err != nil {
		// No store: the kind is unknown, so a ReplaceName-only update of an
		// advanced card cannot be told apart from a fallback one.
		t.Fatal(err)
	}
	if err := m.Update(ctx, to, bot.CardUpdate{TaskID: "vl-1", Card: &upd}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Updates()); n != 1 {
		t.Fatalf("updates = %d, want 1", n)
	}
}

// TestMessengerResentCardIsDeliveredOnce: the outbox sending a card again
// (its first answer lost to a crash) succeeds without a second card: the
// outTrackId is the card's idempotency key.
func TestMessengerResentCardIsDeliveredOnce(t *testing.T) {
	f := newFake(t)
	m := newMessenger(t, f, newClient(t, f, nil, nil), map[string]string{"visit_list": "tpl-visit"})
	to := bot.Recipient{UserID: 1, PlatformUserID: "dt-rep01"}
	for i := 0; i < 2; i++ {
		if res, err := m.Send(context.Background(), to, bot.Message{Card: new(visitCard("vl-1"))}); err != nil || res.MsgID != "vl-1" {
			t.Fatalf("send %d: %+v, %v", i+1, res, err)
		}
	}
	if n := len(f.Cards()); n != 1 {
		t.Fatalf("%d cards delivered, want 1", n)
	}
}

func TestMessengerFallbackWithoutTemplate(t *testing.T) {
	f := newFake(t)
	m := newMessenger(t, f, newClient(t, f, nil, nil), nil)
	ctx := context.Background()
	to := bot.Recipient{UserID: 1, PlatformUserID: "dt-rep01"}
	if _, err := m.Send(ctx, to, bot.Message{Card: new(visitCard("vl-1"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Send(ctx, to, bot.Message{Text: "第一行\n第二行"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(ctx, to, bot.CardUpdate{TaskID: "vl-1", ReplaceName: "已接受"}); err != nil {
		t.Fatal(err)
	}
	msgs := f.Messages()
	if len(msgs) != 3 || f.CardCount() != 0 {
		t.Fatalf("messages = %+v", msgs)
	}
	ac := msgs[0]
	if ac.MsgKey != "sampleActionCard2" || !strings.HasPrefix(ac.MsgParam["actionURL1"], "dtmd://dingtalkclient/sendMessage?content=") ||
		ac.MsgParam["actionURL2"] != "https://uri.amap.com/x" {
		t.Fatalf("fallback card = %+v", ac)
	}
	if msgs[1].MsgKey != "sampleMarkdown" || msgs[1].MsgParam["text"] != "第一行  \n第二行" {
		t.Fatalf("text = %+v", msgs[1])
	}
	if msgs[2].MsgKey != "sampleMarkdown" || !strings.Contains(msgs[2].MsgParam["text"], "已接受") {
		t.Fatalf("update = %+v", msgs[2])
	}
}

func TestMessengerPermanentAndRetryableFailures(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, func(o *ClientOptions) { o.Sleep = noSleep })
	m := newMessenger(t, f, c, map[string]string{"visit_list": "tpl-visit"})
	ctx := context.Background()
	f.Invalid("gone")
	if _, err := m.Send(ctx, bot.Recipient{PlatformUserID: "gone"}, bot.Message{Text: "x"}); !errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("invalid user: %v", err)
	}
	f.FlowControl("busy", 100)
	var ra *bot.RetryAfterError
	if _, err := m.Send(ctx, bot.Recipient{PlatformUserID: "busy"}, bot.Message{Text: "x"}); !errors.As(err, &ra) {
		t.Fatalf("flow-controlled user: %v", err)
	}
	if _, err := m.Send(ctx, bot.Recipient{}, bot.Message{Text: "x"}); !errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("no platform id: %v", err)
	}
	bad := visitCard("vl-x")
	bad.Title = strings.Repeat("长", cards.DingTalkTitleMax+1)
	if _, err := m.Send(ctx, bot.Recipient{PlatformUserID: "u"}, bot.Message{Card: &bad}); !errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("invalid card: %v", err)
	}
	// A second create with the same outTrackId: TestMessengerResentCardIsDeliveredOnce.
}
