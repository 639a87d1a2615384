package outbox_test

import (
	"context"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/wecom"
	"visitbot/bot/wecom/wecomfake"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/outbox"
)

// wecomMessenger is the real WeCom messenger against the fake WeCom API,
// both on the store's fake clock; the client does not retry on its own, so
// every retry seen here is the outbox's.
func wecomMessenger(t *testing.T, s *models.Store) (*wecom.Messenger, *wecomfake.Server) {
	t.Helper()
	fake := wecomfake.New(t, s.Clock(), "wwcorp", "secret", 1000002)
	client, err := wecom.NewClient(wecom.ClientOptions{
		APIBase: fake.URL, CorpID: fake.CorpID, Secret: fake.Secret, AgentID: fake.AgentID,
		Cache: wecom.NewMemoryCache(s.Clock()), HTTPTimeout: 10 * time.Second, Retries: -1, // no client-side retries
	})
	if err != nil {
		t.Fatal(err)
	}
	return wecom.NewMessenger(client, s, nil, 0), fake
}

// The rate-limit check at the fake WeCom API: a burst of 100
// messages to one member is delivered in full, never more than 25 in a
// minute, and the fake (which, like WeCom, silently drops a member's 31st
// message in a minute) drops nothing.
func TestWeComBurstAtTheFakeAPI(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ms, api := wecomMessenger(t, s)
		const n = 100
		enqueueTexts(t, s, bot.WeCom, n, func(int) uint { return 42 })
		cfg := testOutboxConfig()
		d := newDispatcher(t, s, cfg, []bot.Messenger{ms}, func(o *outbox.DispatcherOptions) {
			o.Sleep = func(ctx context.Context, d time.Duration) error { fakeClock(s).Advance(d); return nil }
		})
		for i := 0; i < 200 && len(api.Sent()) < n; i++ {
			if err := d.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			fakeClock(s).Advance(5 * time.Second)
		}
		sent := api.Sent()
		if len(sent) != n || len(api.Dropped()) != 0 {
			t.Fatalf("fake API: %d delivered, %d dropped; want %d, 0", len(sent), len(api.Dropped()), n)
		}
		seen := map[string]bool{}
		for i, x := range sent {
			if seen[x.Text] {
				t.Fatalf("%s delivered twice", x.Text)
			}
			seen[x.Text] = true
			inMinute := 0
			for _, y := range sent {
				if dt := y.At.Sub(x.At); dt >= 0 && dt < time.Minute {
					inMinute++
				}
			}
			if inMinute > cfg.PerMemberPerMinute {
				t.Fatalf("%d messages within a minute of #%d", inMinute, i)
			}
		}
	})
}

// 45009 (API frequency) waits at least WeCom's minute; a 502 is retried
// with backoff; both end sent, once.
func TestWeComTransientErrorsAtTheFakeAPI(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		ms, api := wecomMessenger(t, s)
		enqueueTexts(t, s, bot.WeCom, 1, each)
		cfg := testOutboxConfig()
		d := newDispatcher(t, s, cfg, []bot.Messenger{ms})
		api.RateLimitNext(1)
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		rows, _ := s.Outbox.OutboxMessages(ctx, models.OutboxPending, 1)
		if len(rows) != 1 || rows[0].NextAttemptAt.Sub(s.Clock().Now()) < wecom.RateLimitWait {
			t.Fatalf("after 45009: %+v", rows)
		}
		fakeClock(s).Advance(wecom.RateLimitWait)
		api.FailNext(1)
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		fakeClock(s).Advance(cfg.MaxBackoff)
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if sent := api.Sent(); len(sent) != 1 || sent[0].Text != "msg-0" {
			t.Fatalf("sent = %+v", sent)
		}
		row, _ := s.Outbox.OutboxMessageByID(ctx, rows[0].ID)
		if row.Status != models.OutboxSent || row.Attempts != 3 || row.MsgID == "" {
			t.Fatalf("row = %+v", row)
		}
	})
}
