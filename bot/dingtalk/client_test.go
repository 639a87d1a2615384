package dingtalk

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/dingtalk/dingtalkfake"
	"visitbot/cards"
	"visitbot/models"
	"visitbot/models/modelstest"
)

const (
	testAppKey    = "dingappkey0001"
	testAppSecret = "app-secret-do-not-leak-0123456789"
	testRobotCode = "dingrobot0001"
)

func newFake(t *testing.T) *dingtalkfake.Fake {
	t.Helper()
	f := dingtalkfake.New(testAppKey, testAppSecret, testRobotCode)
	t.Cleanup(f.Close)
	return f
}

// noSleep lets retries and backoffs run instantly; the limiter is not
// involved (its spacing is tested with real time).
func noSleep(context.Context, time.Duration) error { return nil }

func newClient(t *testing.T, f *dingtalkfake.Fake, s *models.Store, mod func(*ClientOptions)) *Client {
	t.Helper()
	o := ClientOptions{AppKey: testAppKey, AppSecret: testAppSecret, RobotCode: testRobotCode, APIBase: f.URL(), QPS: 20, Store: s}
	if s != nil {
		o.Clock = s.Clock()
	}
	if mod != nil {
		mod(&o)
	}
	c, err := NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func hello() cards.DingTalkMessage { return cards.DingTalkMarkdown("提醒", "您好") }

func TestTokenExpiryRefreshesOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		f := newFake(t)
		c := newClient(t, f, s, nil)
		ctx := context.Background()
		if _, err := c.BatchSend(ctx, []string{"u1"}, hello()); err != nil {
			t.Fatal(err)
		}
		if _, err := c.BatchSend(ctx, []string{"u1"}, hello()); err != nil {
			t.Fatal(err)
		}
		if n := f.TokenCalls(); n != 1 {
			t.Fatalf("token calls = %d, want 1 (cached)", n)
		}
		f.ExpireTokens()
		if _, err := c.BatchSend(ctx, []string{"u1"}, hello()); err != nil {
			t.Fatalf("after expiry: %v", err)
		}
		if n := f.TokenCalls(); n != 2 {
			t.Fatalf("token calls = %d, want 2 (one refresh)", n)
		}
		if n := len(f.Messages()); n != 3 {
			t.Fatalf("delivered %d, want 3", n)
		}
		// The database holds the new token, so a second replica does not ask again.
		replica := newClient(t, f, s, nil)
		if _, err := replica.BatchSend(ctx, []string{"u2"}, hello()); err != nil {
			t.Fatal(err)
		}
		if n := f.TokenCalls(); n != 2 {
			t.Fatalf("second replica fetched its own token: %d calls", n)
		}
		// The cached token expires with the injected clock.
		s.Clock().(interface{ Advance(time.Duration) }).Advance(2 * time.Hour)
		if _, err := replica.BatchSend(ctx, []string{"u2"}, hello()); err != nil {
			t.Fatal(err)
		}
		if n := f.TokenCalls(); n != 3 {
			t.Fatalf("token calls after 2 h = %d, want 3", n)
		}
	})
}

func TestConcurrentCallsShareOneToken(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, nil)
	errs := make(chan error, 30)
	for i := 0; i < 30; i++ {
		go func() {
			_, err := c.BatchSend(context.Background(), []string{"u1"}, hello())
			errs <- err
		}()
	}
	for i := 0; i < 30; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := f.TokenCalls(); n != 1 {
		t.Fatalf("token calls = %d, want 1", n)
	}
}

func TestWrongSecretErrorHidesSecret(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, func(o *ClientOptions) { o.AppSecret = "wrong-secret-value-xyz" })
	_, err := c.BatchSend(context.Background(), []string{"u1"}, hello())
	if err == nil {
		t.Fatal("sent with a wrong secret")
	}
	if !errors.Is(err, bot.ErrPermanent) || strings.Contains(err.Error(), "wrong-secret-value-xyz") {
		t.Fatalf("err = %v", err)
	}
}

func TestErrorsNeverCarryToken(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, nil)
	ctx := context.Background()
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = c.UpdateCard(ctx, "no-such-card", map[string]string{"a": "b"})
	if !errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("unknown card: %v", err)
	}
	if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), testAppSecret) {
		t.Fatalf("error leaks a credential: %v", err)
	}
}

func TestQPSRejectionAsksToRetry(t *testing.T) {
	f := newFake(t)
	f.SetQPS(1, time.Hour)
	c := newClient(t, f, nil, func(o *ClientOptions) { o.QPS = 20 })
	ctx := context.Background()
	if _, err := c.BatchSend(ctx, []string{"u1"}, hello()); err != nil {
		t.Fatal(err)
	}
	_, err := c.BatchSend(ctx, []string{"u1"}, hello())
	var ra *bot.RetryAfterError
	if !errors.As(err, &ra) || ra.After <= 0 {
		t.Fatalf("err = %v, want *bot.RetryAfterError", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != CodeQPSLimit || ae.Status != http.StatusForbidden {
		t.Fatalf("err = %v", err)
	}
}

func TestFlowControlledUsersAreRetried(t *testing.T) {
	f := newFake(t)
	var slept []time.Duration
	c := newClient(t, f, nil, func(o *ClientOptions) {
		o.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	})
	f.FlowControl("u2", 1)
	f.FlowControl("u3", 10)
	f.Invalid("u4")
	users := []string{"u1", "u2", "u3", "u4"}
	for i := 0; i < 30; i++ { // more than one chunk of 20
		users = append(users, "x"+string(rune('a'+i)))
	}
	res, err := c.BatchSend(context.Background(), users, hello())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.FlowControlled) != 1 || res.FlowControlled[0] != "u3" || len(res.Invalid) != 1 || res.Invalid[0] != "u4" {
		t.Fatalf("result = %+v", res)
	}
	got := map[string]int{}
	for _, m := range f.Messages() {
		got[m.UserID]++
	}
	if got["u1"] != 1 || got["u2"] != 1 || got["u3"] != 0 || len(got) != len(users)-2 {
		t.Fatalf("deliveries = %v", got)
	}
	if len(slept) != flowControlRetries {
		t.Fatalf("backoffs = %v", slept)
	}
}
