package wecom_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/wecom"
	"visitbot/bot/wecom/wecomfake"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

const (
	testCorp   = "wwcorp0001"
	testSecret = "s3cr3t-app-secret-value"
	testAgent  = 1000002
)

type rig struct {
	fake   *wecomfake.Server
	client *wecom.Client
	msgr   *wecom.Messenger
	store  *models.Store
	clock  *clock.Fake
}

func newRig(t *testing.T, s *models.Store, mod func(o *wecom.ClientOptions)) *rig {
	t.Helper()
	clk := s.Clock().(*clock.Fake)
	fake := wecomfake.New(t, clk, testCorp, testSecret, testAgent)
	o := wecom.ClientOptions{APIBase: fake.URL, CorpID: testCorp, Secret: testSecret, AgentID: testAgent,
		Cache: wecom.NewStoreCache(s), Backoff: time.Millisecond}
	if mod != nil {
		mod(&o)
	}
	c, err := wecom.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{fake: fake, client: c, msgr: wecom.NewMessenger(c, s, nil, 0), store: s, clock: clk}
}

var rep = bot.Recipient{UserID: 1, PlatformUserID: "zhangsan"}

func TestTokenExpiresMidRunRefreshesOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		r := newRig(t, s, nil)
		ctx := context.Background()
		if _, err := r.msgr.Send(ctx, rep, bot.Message{Text: "早上好"}); err != nil {
			t.Fatal(err)
		}
		r.fake.ExpireTokens() // the next call with the cached token gets 42001
		if _, err := r.msgr.Send(ctx, rep, bot.Message{Text: "今日名单已更新"}); err != nil {
			t.Fatalf("send after expiry: %v", err)
		}
		if got := r.fake.TokenCalls(); got != 2 {
			t.Fatalf("gettoken calls = %d, want 2 (initial + exactly one refresh)", got)
		}
		if got := r.fake.Calls("/cgi-bin/message/send"); got != 3 {
			t.Fatalf("send calls = %d, want 3 (ok, 42001, retry)", got)
		}
		if sent := r.fake.Sent(); len(sent) != 2 || sent[1].Text != "今日名单已更新" || sent[1].AgentID != testAgent {
			t.Fatalf("sent %+v", sent)
		}
	})
}

func TestTokenSharedAcrossReplicasAndGoroutines(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		r := newRig(t, s, nil)
		// A second replica: its own client, same database.
		other, err := wecom.NewClient(wecom.ClientOptions{APIBase: r.fake.URL, CorpID: testCorp, Secret: testSecret, AgentID: testAgent, Cache: wecom.NewStoreCache(s)})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := r.client
				if i%2 == 1 {
					c = other
				}
				if _, err := wecom.NewMessenger(c, nil, nil, 0).Send(context.Background(), rep, bot.Message{Text: fmt.Sprint("消息", i)}); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// Two processes may both miss the cache once; WeCom then hands out the same token.
		if n := r.fake.TokenCalls(); n < 1 || n > 2 {
			t.Fatalf("gettoken calls = %d, want 1 or 2", n)
		}
	})
}

// TestSendIsNeverRetriedBelowTheOutbox: a rate limit, a 5xx or a timeout
// goes back to the outbox after one call (a 5xx or a timeout may come after
// WeCom delivered; the outbox's retry carries the duplicate check). Only a
// refused token is refreshed and the send tried again.
func TestSendIsNeverRetriedBelowTheOutbox(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		r := newRig(t, s, nil)
		ctx := context.Background()
		calls := func() int { return r.fake.Calls("/cgi-bin/message/send") }
		r.fake.RateLimitNext(1)
		before := calls()
		_, err := r.msgr.Send(ctx, rep, bot.Message{Text: "a"})
		var ra *bot.RetryAfterError
		if !errors.As(err, &ra) || ra.After <= 0 || calls() != before+1 {
			t.Fatalf("45009: got %v after %d calls, want RetryAfterError after 1", err, calls()-before)
		}
		r.fake.FailNext(1)
		before = calls()
		_, err = r.msgr.Send(ctx, rep, bot.Message{Text: "b"})
		if err == nil || errors.Is(err, bot.ErrPermanent) || errors.As(err, &ra) || calls() != before+1 {
			t.Fatalf("502: got %v after %d calls, want one transient error", err, calls()-before)
		}
		if up := r.msgr.Update(ctx, rep, bot.CardUpdate{TaskID: "t1", ResponseCode: r.fake.IssueResponseCode(), ReplaceName: "已处理"}); up != nil {
			t.Fatalf("update: %v", up)
		}
		r.fake.FailNext(1)
		before = r.fake.Calls("/cgi-bin/message/update_template_card")
		if up := r.msgr.Update(ctx, rep, bot.CardUpdate{TaskID: "t1", ResponseCode: r.fake.IssueResponseCode(), ReplaceName: "已处理"}); up == nil ||
			r.fake.Calls("/cgi-bin/message/update_template_card") != before+1 {
			t.Fatalf("update after a 502: %v, want one transient error", up)
		}
		r.fake.ExpireTokens()
		before = calls()
		if _, err := r.msgr.Send(ctx, rep, bot.Message{Text: "c"}); err != nil || calls() != before+2 {
			t.Fatalf("expired token: %v after %d calls, want success after a refresh", err, calls()-before)
		}
		if got := r.fake.Sent(); len(got) != 1 || got[0].Text != "c" || !got[0].DuplicateCheck {
			t.Fatalf("delivered %+v, want only c, with the duplicate check", got)
		}
	})
}

func TestInvalidCardsArePermanent(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		r := newRig(t, s, nil)
		ctx := context.Background()
		// Caught before sending: a notice card without card_action (WeCom 42045).
		_, err := r.msgr.Send(ctx, rep, bot.Message{Card: &cards.Card{Layout: cards.TextNotice, Title: "提醒"}})
		if !errors.Is(err, bot.ErrPermanent) || !strings.Contains(err.Error(), "card_action") {
			t.Fatalf("got %v", err)
		}
		if n := r.fake.Calls("/cgi-bin/message/send"); n != 0 {
			t.Fatalf("invalid card reached the API %d times", n)
		}
		// Refused by the API (stale response_code → 40058): permanent too.
		err = r.msgr.Update(ctx, rep, bot.CardUpdate{TaskID: "t1", ResponseCode: "never-issued", ReplaceName: "已处理"})
		if !errors.Is(err, bot.ErrPermanent) || !strings.Contains(err.Error(), "40058") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestSendCardRecordsTaskAndUpdates(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		r := newRig(t, s, nil)
		ctx := context.Background()
		if err := s.Cards.SaveCardTask(ctx, &models.CardTask{TaskID: "vl-1", Platform: "wecom", UserID: 1, Kind: "visit_list"}); err != nil {
			t.Fatal(err)
		}
		card := cards.Card{Layout: cards.ButtonInteraction, Kind: "visit_list", TaskID: "vl-1", Title: "今日拜访",
			Buttons: []cards.Button{{Key: "visit:1", Text: "已拜访"}}}
		res, err := r.msgr.Send(ctx, rep, bot.Message{Card: &card})
		if err != nil {
			t.Fatal(err)
		}
		task, err := s.Cards.CardTaskByTaskID(ctx, "vl-1")
		if err != nil {
			t.Fatal(err)
		}
		if res.MsgID == "" || task.MsgID != res.MsgID || task.ResponseCode != res.ResponseCode || res.ResponseCode == "" {
			t.Fatalf("result %+v, task %+v", res, task)
		}
		if got := r.fake.Sent()[0].Card; got == nil || got.TaskID != "vl-1" || got.ButtonList[0].Key != "visit:1" {
			t.Fatalf("card on the wire %+v", got)
		}
		// Button replace with the stored response_code.
		if err := r.msgr.Update(ctx, rep, bot.CardUpdate{TaskID: "vl-1", ReplaceName: "已拜访"}); err != nil {
			t.Fatal(err)
		}
		// A click hands out a new code; replace the whole card with it.
		code := r.fake.IssueResponseCode()
		frozen := card
		frozen.ReplaceText = "已完成"
		if err := r.msgr.Update(ctx, rep, bot.CardUpdate{TaskID: "vl-1", ResponseCode: code, Card: &frozen}); err != nil {
			t.Fatal(err)
		}
		ups := r.fake.Updates()
		if len(ups) != 2 || ups[0].ReplaceName != "已拜访" || ups[1].Card == nil || ups[1].Card.ReplaceText != "已完成" || ups[1].UserIDs[0] != "zhangsan" {
			t.Fatalf("updates %+v", ups)
		}
		// The stored code was used once: reusing it is refused.
		if err := r.msgr.Update(ctx, rep, bot.CardUpdate{TaskID: "vl-1", ReplaceName: "x"}); !errors.Is(err, bot.ErrPermanent) {
			t.Fatalf("reused response_code: %v", err)
		}
	})
}

func TestFakeDropsBeyond30PerMinute(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		r := newRig(t, s, nil)
		ctx := context.Background()
		for i := range 35 {
			if _, err := r.msgr.Send(ctx, rep, bot.Message{Text: fmt.Sprint("第", i, "条")}); err != nil {
				t.Fatalf("WeCom answers ok even when it drops: %v", err)
			}
		}
		if s, d := len(r.fake.Sent()), len(r.fake.Dropped()); s != wecomfake.PerMemberPerMinute || d != 5 {
			t.Fatalf("delivered %d, dropped %d; want 30 and 5", s, d)
		}
		r.clock.Advance(time.Minute)
		if _, err := r.msgr.Send(ctx, rep, bot.Message{Text: "一分钟后"}); err != nil {
			t.Fatal(err)
		}
		if n := len(r.fake.Sent()); n != 31 {
			t.Fatalf("after a minute: delivered %d, want 31", n)
		}
	})
}

// failingTransport fails every message/send with an error that, like
// net/http's, quotes the full URL (access_token included).
type failingTransport struct{ base http.RoundTripper }

func (f failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.URL.Path, "message/send") {
		return nil, fmt.Errorf("dial failed for %s", req.URL.String())
	}
	return f.base.RoundTrip(req)
}

func TestErrorsNeverCarrySecrets(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		r := newRig(t, s, func(o *wecom.ClientOptions) {
			o.HTTPClient = &http.Client{Timeout: time.Second, Transport: failingTransport{http.DefaultTransport}}
			o.Retries = -1
		})
		ctx := context.Background()
		_, err := r.msgr.Send(ctx, rep, bot.Message{Text: "x"})
		tok, terr := r.client.Token(ctx)
		if err == nil || terr != nil || tok == "" {
			t.Fatalf("send err %v, token err %v", err, terr)
		}
		if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), testSecret) || !strings.Contains(err.Error(), "message/send") {
			t.Fatalf("error leaks a credential or lost its path: %v", err)
		}
		// gettoken against a dead server: the URL carries corpsecret.
		dead, _ := wecom.NewClient(wecom.ClientOptions{APIBase: "http://127.0.0.1:1", CorpID: testCorp, Secret: testSecret, AgentID: testAgent, Cache: wecom.NewMemoryCache(nil), Retries: -1})
		_, err = dead.Token(ctx)
		if err == nil || strings.Contains(err.Error(), testSecret) {
			t.Fatalf("gettoken error: %v", err)
		}
		bad, _ := wecom.NewClient(wecom.ClientOptions{APIBase: r.fake.URL, CorpID: testCorp, Secret: "wrong-secret-value", AgentID: testAgent, Cache: wecom.NewMemoryCache(nil)})
		_, err = bad.Token(ctx)
		var ae *wecom.APIError
		if !errors.As(err, &ae) || ae.Code != wecom.CodeInvalidCredential || strings.Contains(err.Error(), "wrong-secret-value") {
			t.Fatalf("wrong secret: %v", err)
		}
	})
}

func TestNewClientRejectsBadOptions(t *testing.T) {
	for _, o := range []wecom.ClientOptions{
		{CorpID: testCorp, Secret: testSecret},
		{CorpID: testCorp, Cache: wecom.NewMemoryCache(nil)},
		{CorpID: testCorp, Secret: testSecret, Cache: wecom.NewMemoryCache(nil), APIBase: "not a url"},
	} {
		if _, err := wecom.NewClient(o); err == nil {
			t.Errorf("accepted %+v", o)
		}
	}
}
