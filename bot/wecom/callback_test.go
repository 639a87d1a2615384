package wecom_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"visitbot/bot"
	"visitbot/bot/wecom"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/internal/botstore"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/outbox"
)

// blockingMessenger holds every send until release is closed.
type blockingMessenger struct {
	started chan struct{}
	release chan struct{}
	mu      sync.Mutex
	sent    []bot.Message
}

func (m *blockingMessenger) Platform() bot.Platform { return bot.WeCom }
func (m *blockingMessenger) Send(ctx context.Context, _ bot.Recipient, msg bot.Message) (bot.SendResult, error) {
	m.started <- struct{}{}
	select {
	case <-m.release:
	case <-ctx.Done():
		return bot.SendResult{}, ctx.Err()
	}
	m.mu.Lock()
	m.sent = append(m.sent, msg)
	m.mu.Unlock()
	return bot.SendResult{}, nil
}
func (m *blockingMessenger) Update(context.Context, bot.Recipient, bot.CardUpdate) error { return nil }

func (m *blockingMessenger) messages() []bot.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]bot.Message(nil), m.sent...)
}

func signed(t *testing.T, c *wecom.Crypto, now int64, plain string) (wecom.Query, []byte) {
	t.Helper()
	enc, err := c.Encrypt([]byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(now, 10)
	return wecom.Query{Signature: c.Sign(ts, "nonce", enc), Timestamp: ts, Nonce: "nonce"},
		[]byte("<xml><ToUserName>" + testCorp + "</ToUserName><Encrypt>" + enc + "</Encrypt></xml>")
}

// A reply with a card cannot be passive: the callback answers with the
// passive text and leaves the card queued in the outbox, so the answer never
// waits on the WeCom API; the dispatcher sends the card afterwards (here it
// is blocked in the Messenger while the answer is already out).
func TestReceiveDoesNotWaitForDeferredSends(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		clk := s.Clock().(*clock.Fake)
		uid := "wangwu"
		if err := s.Users.CreateUser(context.Background(), &models.User{UserID: "rep09", Name: "王五", Role: models.RoleRep, WeComUserID: &uid, Active: true}); err != nil {
			t.Fatal(err)
		}
		b := bot.New(botstore.New(s), clk, modelstest.Shanghai, slog.New(slog.DiscardHandler))
		b.Command(bot.Command{Name: "名单", Usage: "名单", Summary: "test", MaxArgs: 0, Run: func(*bot.Request, []string) (bot.Reply, error) {
			card := cards.Card{Layout: cards.ButtonInteraction, Kind: "visit_list", TaskID: "vl-9", Title: "今日拜访", Buttons: []cards.Button{{Key: "visit:1", Text: "已拜访"}}}
			return bot.Reply{Texts: []string{"这是今天的名单"}, Cards: []cards.Card{card}}, nil
		}})
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		crypto, _ := wecom.NewCrypto("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", testCorp)
		cb, err := wecom.NewCallback(wecom.CallbackOptions{Crypto: crypto, Bot: b, Replies: outbox.NewReplies(s), Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		q, body := signed(t, crypto, clk.Now().Unix(), fmt.Sprintf(
			"<xml><ToUserName>%s</ToUserName><FromUserName>wangwu</FromUserName><CreateTime>%d</CreateTime><MsgType>text</MsgType><Content>名单</Content><MsgId>77</MsgId></xml>", testCorp, clk.Now().Unix()))
		out, err := cb.Receive(context.Background(), q, body)
		if err != nil || out.Body == nil {
			t.Fatalf("receive: %v %+v", err, out)
		}
		m := &blockingMessenger{started: make(chan struct{}, 1), release: make(chan struct{})}
		disp, err := outbox.NewDispatcher(outbox.DispatcherOptions{Store: s, Messengers: map[bot.Platform]bot.Messenger{bot.WeCom: m},
			Config: config.Default().Outbox, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		drained := make(chan error, 1)
		go func() { drained <- disp.Drain(context.Background()) }()
		<-m.started // the card send is in flight, blocked, and Receive has returned
		if _, err := crypto.OpenReply(out.Body); err != nil {
			t.Fatal(err)
		}
		close(m.release)
		if err := <-drained; err != nil {
			t.Fatal(err)
		}
		if sent := m.messages(); len(sent) != 1 || sent[0].Card == nil || sent[0].Card.TaskID != "vl-9" {
			t.Fatalf("deferred %+v", sent)
		}
		// Rejections carry a reason and a status for the HTTP layer.
		_, err = cb.Receive(context.Background(), wecom.Query{Signature: "x", Timestamp: q.Timestamp, Nonce: "n"}, body)
		var re *wecom.RejectError
		if !errors.As(err, &re) || re.Reason != "bad_signature" || re.Status != http.StatusForbidden {
			t.Fatalf("got %v", err)
		}
	})
}

func TestNewCallbackRequiresCryptoAndBot(t *testing.T) {
	if _, err := wecom.NewCallback(wecom.CallbackOptions{}); err == nil {
		t.Fatal("accepted empty options")
	}
}

func TestNewFromConfig(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		b := bot.New(botstore.New(s), s.Clock(), modelstest.Shanghai, slog.New(slog.DiscardHandler))
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		cfg := config.Default().WeCom
		cfg.Enabled, cfg.CorpID, cfg.AgentID, cfg.Secret, cfg.Token = true, testCorp, testAgent, testSecret, "tok"
		cfg.EncodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
		for _, tc := range []string{"database", "memory"} {
			cfg.TokenCache = tc
			p, err := wecom.New(cfg, s, b, outbox.NewReplies(s), s.Clock(), nil)
			if err != nil || p.Endpoint() == nil || p.Messenger.Platform() != bot.WeCom {
				t.Fatalf("%s: %v", tc, err)
			}
		}
		cfg.EncodingAESKey = "short"
		if _, err := wecom.New(cfg, s, b, outbox.NewReplies(s), s.Clock(), nil); err == nil {
			t.Fatal("bad key accepted")
		}
		var none *wecom.Platform
		if none.Endpoint() != nil {
			t.Fatal("nil platform has an endpoint")
		}
	})
}
