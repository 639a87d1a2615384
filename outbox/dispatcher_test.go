package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/outbox"
)

func fakeClock(s *models.Store) *clock.Fake { return s.Clock().(*clock.Fake) }

func TestEnqueueIsIdempotentPerDedupeKey(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		env := outbox.Envelope{Platform: bot.WeCom, To: bot.Recipient{UserID: 7, PlatformUserID: "zhangsan"}, Purpose: "morning_push", Day: "2026-12-01"}
		m1, err := outbox.NewMessage(env, bot.Message{Text: "今日无推荐"})
		if err != nil {
			t.Fatal(err)
		}
		if m1.DedupeKey != "wecom:7:morning_push:2026-12-01" {
			t.Fatalf("dedupe key %q", m1.DedupeKey)
		}
		if err := s.Outbox.Enqueue(ctx, m1); err != nil || m1.ID == 0 {
			t.Fatalf("first enqueue: id %d, %v", m1.ID, err)
		}
		m2, _ := outbox.NewMessage(env, bot.Message{Text: "另一条"})
		if err := s.Outbox.Enqueue(ctx, m2); err != nil || m2.ID != 0 {
			t.Fatalf("second enqueue: id %d, %v", m2.ID, err)
		}
		// Inside a caller's transaction: the duplicate does not poison the
		// transaction, and a rolled-back enqueue leaves nothing.
		err = s.Tx(ctx, func(ctx context.Context) error {
			dup, _ := outbox.NewMessage(env, bot.Message{Text: "again"})
			if err := s.Outbox.Enqueue(ctx, dup); err != nil {
				return err
			}
			other := env
			other.Day = "2026-12-02"
			m, _ := outbox.NewMessage(other, bot.Message{Text: "明天"})
			return s.Outbox.Enqueue(ctx, m)
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Tx(ctx, func(ctx context.Context) error {
			other := env
			other.Day = "2026-12-03"
			m, _ := outbox.NewMessage(other, bot.Message{Text: "rolled back"})
			if err := s.Outbox.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
			return errors.New("roll back")
		})
		rows, err := s.Outbox.OutboxMessages(ctx, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d rows, want 2", len(rows))
		}
		first, _ := s.Outbox.OutboxMessageByID(ctx, m1.ID)
		if !strings.Contains(first.Payload, "今日无推荐") || first.Status != models.OutboxPending {
			t.Fatalf("first row changed: %+v", first)
		}
	})
}

func TestEnvelopeAndPayloadValidation(t *testing.T) {
	ok := outbox.Envelope{Platform: bot.WeCom, To: bot.Recipient{UserID: 1, PlatformUserID: "u1"}, Purpose: "p", Day: "2026-12-01"}
	bad := []struct {
		name string
		env  outbox.Envelope
		msg  bot.Message
	}{
		{"no platform id", outbox.Envelope{Platform: bot.WeCom, To: bot.Recipient{UserID: 1}, Purpose: "p", Day: "d"}, bot.Message{Text: "x"}},
		{"long purpose", outbox.Envelope{Platform: bot.WeCom, To: ok.To, Purpose: strings.Repeat("p", 33), Day: "d"}, bot.Message{Text: "x"}},
		{"no day", outbox.Envelope{Platform: bot.WeCom, To: ok.To, Purpose: "p"}, bot.Message{Text: "x"}},
		{"empty message", ok, bot.Message{}},
		{"text and card", ok, bot.Message{Text: "x", Card: &cards.Card{Title: "t"}}},
	}
	for _, c := range bad {
		if _, err := outbox.NewMessage(c.env, c.msg); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	if _, err := outbox.NewUpdate(ok, bot.CardUpdate{TaskID: "t1"}); err == nil {
		t.Error("update without change accepted")
	}
}

func TestDrainSendsAndRecordsMsgIDs(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if err := s.Cards.SaveCardTask(ctx, &models.CardTask{TaskID: "vl-7-20261201", Platform: "console", UserID: 7, Kind: "visit_list", Day: "2026-12-01"}); err != nil {
			t.Fatal(err)
		}
		env := outbox.Envelope{Platform: bot.Console, To: bot.Recipient{UserID: 7, PlatformUserID: "rep07"}, Purpose: "morning_push", Day: "2026-12-01"}
		card := &cards.Card{Layout: cards.ButtonInteraction, Kind: "visit_list", TaskID: "vl-7-20261201", Title: "今日拜访"}
		m, _ := outbox.NewMessage(env, bot.Message{Card: card})
		if err := s.Outbox.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		env.Purpose = "card_update"
		u, _ := outbox.NewUpdate(env, bot.CardUpdate{TaskID: "vl-7-20261201", ResponseCode: "rc-1", ReplaceName: "已接受"})
		if err := s.Outbox.Enqueue(ctx, u); err != nil {
			t.Fatal(err)
		}
		fake := newFake(bot.Console, s.Clock())
		if err := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake}).Drain(ctx); err != nil {
			t.Fatal(err)
		}
		sends := fake.snapshot()
		if len(sends) != 1 || sends[0].To.PlatformUserID != "rep07" || sends[0].To.UserID != 7 || sends[0].Msg.Card.Title != "今日拜访" {
			t.Fatalf("sends = %+v", sends)
		}
		if len(fake.updates) != 1 || fake.updates[0].ReplaceName != "已接受" || fake.updates[0].ResponseCode != "rc-1" {
			t.Fatalf("updates = %+v", fake.updates)
		}
		row, _ := s.Outbox.OutboxMessageByID(ctx, m.ID)
		if row.Status != models.OutboxSent || row.MsgID != "msg-1" || row.SentAt == nil || row.Attempts != 1 || row.ClaimedUntil != nil {
			t.Fatalf("row = %+v", row)
		}
		task, _ := s.Cards.CardTaskByTaskID(ctx, "vl-7-20261201")
		if task.MsgID != "msg-1" || task.ResponseCode != "rc-1" {
			t.Fatalf("card task = %+v", task)
		}
	})
}

// A dispatcher stopped (context cancelled) after k of n sends finishes its
// in-flight sends, records them, and a restarted one sends the rest: n in
// total, none twice.
func TestKillAndRestartDeliversEachMessageOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		const n, k = 40, 13
		enqueueTexts(t, s, bot.Console, n, each)
		fake := newFake(bot.Console, s.Clock())
		ctx, cancel := context.WithCancel(context.Background())
		fake.after = func(accepted int) {
			if accepted == k {
				cancel()
			}
		}
		if err := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake}).Run(ctx); err != nil {
			t.Fatal(err)
		}
		firstRun := len(fake.snapshot())
		if firstRun < k || firstRun >= n {
			t.Fatalf("first run sent %d, want %d ≤ sent < %d", firstRun, k, n)
		}
		// Everything the first process sent is recorded: nothing is left "sending".
		st := countStatus(t, s)
		if st[models.OutboxSent] != int64(firstRun) || st[models.OutboxSending] != 0 {
			t.Fatalf("after stop: %v, fake got %d", st, firstRun)
		}
		fake.after = nil
		if err := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake}).Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		assertDelivered(t, fake, n)
		if st := countStatus(t, s); st[models.OutboxSent] != n {
			t.Fatalf("after restart: %v", st)
		}
	})
}

// A process that died holding claims (killed between claim and send) does
// not lose those messages: the claims expire and another dispatcher sends them.
func TestExpiredClaimsOfADeadProcessAreTakenOver(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		const n = 10
		enqueueTexts(t, s, bot.Console, n, each)
		claimed, err := s.Outbox.ClaimOutbox(ctx, "dead-replica", []string{"console"}, 3, time.Minute)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claim: %d rows, %v", len(claimed), err)
		}
		fake := newFake(bot.Console, s.Clock())
		d := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake})
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if got := len(fake.snapshot()); got != n-3 {
			t.Fatalf("sent %d while claims held, want %d", got, n-3)
		}
		fakeClock(s).Advance(time.Minute + time.Second)
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		assertDelivered(t, fake, n)
		row, _ := s.Outbox.OutboxMessageByID(ctx, claimed[0].ID)
		if row.Attempts != 2 || row.Status != models.OutboxSent {
			t.Fatalf("taken-over row = %+v", row)
		}
	})
}

// Two dispatchers on two Stores (two replicas) drain one queue concurrently:
// every message is sent exactly once.
func TestConcurrentDispatchersNeverSendTwice(t *testing.T) {
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			s1, s2, clk := twoReplicas(t, driver)
			const n = 120
			enqueueTexts(t, s1, bot.Console, n, each)
			fake := newFake(bot.Console, clk)
			var wg sync.WaitGroup
			for _, s := range []*models.Store{s1, s2} {
				d := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake})
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := d.Drain(context.Background()); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			assertDelivered(t, fake, n)
			if st := countStatus(t, s1); st[models.OutboxSent] != n {
				t.Fatalf("status = %v", st)
			}
		})
	}
}

func TestTransientFailureIsRetriedWithBackoff(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		enqueueTexts(t, s, bot.Console, 1, each)
		fake := newFake(bot.Console, s.Clock())
		fake.fail = func(n int, _ bot.Recipient, _ bot.Message) error {
			if n == 1 {
				return errors.New("connection reset")
			}
			return nil
		}
		cfg := testOutboxConfig()
		d := newDispatcher(t, s, cfg, []bot.Messenger{fake})
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		rows, _ := s.Outbox.OutboxMessages(ctx, models.OutboxPending, 10)
		if len(rows) != 1 {
			t.Fatalf("pending rows = %d", len(rows))
		}
		now := s.Clock().Now()
		wait := rows[0].NextAttemptAt.Sub(now)
		if wait < cfg.BaseBackoff/2 || wait > cfg.BaseBackoff || rows[0].Attempts != 1 || !strings.Contains(rows[0].LastError, "connection reset") {
			t.Fatalf("after failure: wait %s, row %+v", wait, rows[0])
		}
		if err := d.Drain(ctx); err != nil { // not due yet
			t.Fatal(err)
		}
		if len(fake.snapshot()) != 0 {
			t.Fatal("retried before the backoff elapsed")
		}
		fakeClock(s).Advance(cfg.BaseBackoff)
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		assertDelivered(t, fake, 1)
		row, _ := s.Outbox.OutboxMessageByID(ctx, rows[0].ID)
		if row.Status != models.OutboxSent || row.Attempts != 2 || row.LastError != "" {
			t.Fatalf("row = %+v", row)
		}
	})
}

func TestRetryAfterIsRespected(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		enqueueTexts(t, s, bot.Console, 1, each)
		fake := newFake(bot.Console, s.Clock())
		fake.fail = func(n int, _ bot.Recipient, _ bot.Message) error {
			return &bot.RetryAfterError{After: 10 * time.Minute, Err: errors.New("45009 api freq out of limit")}
		}
		if err := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake}).Drain(ctx); err != nil {
			t.Fatal(err)
		}
		rows, _ := s.Outbox.OutboxMessages(ctx, models.OutboxPending, 10)
		if len(rows) != 1 || rows[0].NextAttemptAt.Sub(s.Clock().Now()) < 10*time.Minute {
			t.Fatalf("rows = %+v", rows)
		}
	})
}

func TestPermanentFailureIsDeadAtOnceAndCanBeReplayed(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		enqueueTexts(t, s, bot.Console, 2, each)
		fake := newFake(bot.Console, s.Clock())
		broken := true
		fake.fail = func(n int, to bot.Recipient, _ bot.Message) error {
			if broken && to.UserID == 1 {
				return bot.Permanent(errors.New("81013 user not found"))
			}
			return nil
		}
		reg := prometheus.NewRegistry()
		d := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake}, func(o *outbox.DispatcherOptions) { o.Registerer = reg })
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		dead, _ := s.Outbox.OutboxMessages(ctx, models.OutboxDead, 10)
		if len(dead) != 1 || dead[0].Attempts != 1 || !strings.Contains(dead[0].LastError, "81013") {
			t.Fatalf("dead = %+v", dead)
		}
		if got := metricSum(t, reg, "visitbot_outbox_dead_total"); got != 1 {
			t.Fatalf("dead counter = %v", got)
		}
		// Replay: only dead rows; a sent row is refused, a missing one is not found.
		sent, _ := s.Outbox.OutboxMessages(ctx, models.OutboxSent, 10)
		if err := s.Outbox.ReplayOutbox(ctx, sent[0].ID); err == nil || !strings.Contains(err.Error(), "only dead") {
			t.Fatalf("replay of a sent row: %v", err)
		}
		if err := s.Outbox.ReplayOutbox(ctx, 9999); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("replay of a missing row: %v", err)
		}
		broken = false
		if err := s.Outbox.ReplayOutbox(ctx, dead[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		assertDelivered(t, fake, 2)
		row, _ := s.Outbox.OutboxMessageByID(ctx, dead[0].ID)
		if row.Status != models.OutboxSent || row.Attempts != 1 {
			t.Fatalf("replayed row = %+v", row)
		}
	})
}

func TestMaxAttemptsThenDeadThenReplayAll(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		enqueueTexts(t, s, bot.Console, 2, each)
		fake := newFake(bot.Console, s.Clock())
		down := true
		fake.fail = func(int, bot.Recipient, bot.Message) error {
			if down {
				return errors.New("503 service unavailable")
			}
			return nil
		}
		cfg := testOutboxConfig()
		d := newDispatcher(t, s, cfg, []bot.Messenger{fake})
		for i := 0; i < cfg.MaxAttempts; i++ {
			if err := d.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			fakeClock(s).Advance(cfg.MaxBackoff)
		}
		if fake.calls != 2*cfg.MaxAttempts {
			t.Fatalf("%d calls, want %d", fake.calls, 2*cfg.MaxAttempts)
		}
		dead, _ := s.Outbox.OutboxMessages(ctx, models.OutboxDead, 10)
		if len(dead) != 2 || !strings.Contains(dead[0].LastError, "gave up after 3 attempts") {
			t.Fatalf("dead = %+v", dead)
		}
		down = false
		if n, err := s.Outbox.ReplayDeadOutbox(ctx); err != nil || n != 2 {
			t.Fatalf("replay all: %d, %v", n, err)
		}
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		assertDelivered(t, fake, 2)
	})
}

func TestUndecodablePayloadIsDead(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		m := &models.OutboxMessage{DedupeKey: "console:1:x:2026-12-01", Platform: "console", RecipientID: 1, Purpose: "x", Kind: models.OutboxCard, Payload: `{"to":"u1","text":"not a card"}`}
		if err := s.Outbox.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		fake := newFake(bot.Console, s.Clock())
		if err := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake}).Drain(ctx); err != nil {
			t.Fatal(err)
		}
		row, _ := s.Outbox.OutboxMessageByID(ctx, m.ID)
		if row.Status != models.OutboxDead || fake.calls != 0 {
			t.Fatalf("row = %+v, calls %d", row, fake.calls)
		}
	})
}

func TestRowsOfAPlatformWithoutMessengerStayQueued(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		enqueueTexts(t, s, bot.DingTalk, 3, each)
		fake := newFake(bot.Console, s.Clock())
		if err := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake}).Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		if st := countStatus(t, s); st[models.OutboxPending] != 3 || fake.calls != 0 {
			t.Fatalf("status %v, calls %d", st, fake.calls)
		}
	})
}

// A burst of 100 messages to one WeCom member: within any minute the fake
// API never sees more than outbox.per_member_per_minute of them, and all
// arrive. Time is the fake clock; nothing sleeps.
func TestWeComPerMemberLimitHoldsForABurst(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		const n = 100
		enqueueTexts(t, s, bot.WeCom, n, func(int) uint { return 42 })
		enqueueTexts2 := func() { // another member is not held back by member 42's window
			env := outbox.Envelope{Platform: bot.WeCom, To: bot.Recipient{UserID: 43, PlatformUserID: "u43"}, Purpose: "other", Day: "2026-12-01"}
			m, _ := outbox.NewMessage(env, bot.Message{Text: "other-member"})
			if err := s.Outbox.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		enqueueTexts2()
		cfg := testOutboxConfig()
		fake := newFake(bot.WeCom, s.Clock())
		d := newDispatcher(t, s, cfg, []bot.Messenger{fake}, func(o *outbox.DispatcherOptions) {
			o.Sleep = func(ctx context.Context, d time.Duration) error { fakeClock(s).Advance(d); return nil }
		})
		start := s.Clock().Now()
		for i := 0; i < 100 && len(fake.snapshot()) < n+1; i++ {
			if err := d.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			fakeClock(s).Advance(7 * time.Second)
		}
		sends := fake.snapshot()
		var member []time.Time
		for _, x := range sends {
			if x.To.UserID == 42 {
				member = append(member, x.At)
			}
		}
		if len(member) != n || len(sends) != n+1 {
			t.Fatalf("delivered %d to the member (+%d others), want %d", len(member), len(sends)-len(member), n)
		}
		for i, at := range member {
			inWindow := 0
			for _, b := range member {
				if !b.Before(at) && b.Sub(at) <= time.Minute {
					inWindow++
				}
			}
			if inWindow > cfg.PerMemberPerMinute {
				t.Fatalf("%d sends within a minute of send #%d (limit %d)", inWindow, i, cfg.PerMemberPerMinute)
			}
		}
		if took := member[n-1].Sub(start); took < 3*time.Minute {
			t.Fatalf("100 messages at ≤25/min took only %s", took)
		}
		hourly := 0
		for _, at := range member {
			if at.Sub(start) < time.Hour {
				hourly++
			}
		}
		if hourly > outbox.WeComMemberPerHour {
			t.Fatalf("%d in an hour", hourly)
		}
	})
}

// DingTalk calls are paced at outbox.dingtalk_qps: no one-second window at
// the fake API holds more. The limiter waits on the injected clock.
func TestDingTalkQPSLimit(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		const n = 70
		enqueueTexts(t, s, bot.DingTalk, n, each)
		cfg := testOutboxConfig()
		cfg.Workers = 1
		fake := newFake(bot.DingTalk, s.Clock())
		slept := time.Duration(0)
		d := newDispatcher(t, s, cfg, []bot.Messenger{fake}, func(o *outbox.DispatcherOptions) {
			o.Sleep = func(ctx context.Context, d time.Duration) error { slept += d; fakeClock(s).Advance(d); return nil }
		})
		if err := d.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		assertDelivered(t, fake, n)
		sends := fake.snapshot()
		for i := range sends {
			inSecond := 0
			for j := range sends {
				if dt := sends[j].At.Sub(sends[i].At); dt >= 0 && dt < time.Second {
					inSecond++
				}
			}
			if inSecond > cfg.DingTalkQPS {
				t.Fatalf("%d calls within one second from call #%d (limit %d)", inSecond, i, cfg.DingTalkQPS)
			}
		}
		if want := time.Duration(n-1) * time.Second / time.Duration(cfg.DingTalkQPS); slept < want {
			t.Fatalf("limiter waited %s for %d calls, want ≥ %s", slept, n, want)
		}
	})
}

func TestMetricsRegisterOnTheGivenRegistry(t *testing.T) {
	s, _ := modelstest.Open(t, "sqlite", clock.NewFake(time.Date(2026, 12, 1, 7, 25, 0, 0, modelstest.Shanghai)))
	reg := prometheus.NewRegistry()
	fake := newFake(bot.Console, s.Clock())
	d := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake}, func(o *outbox.DispatcherOptions) { o.Registerer = reg })
	ctx := context.Background()
	for i := 0; i < 2; i++ { // the second is a duplicate: not counted
		env := outbox.Envelope{Platform: bot.Console, To: bot.Recipient{UserID: 1, PlatformUserID: "u1"}, Purpose: "p", Day: "2026-12-01"}
		m, _ := outbox.NewMessage(env, bot.Message{Text: "msg-0"})
		if err := d.Enqueue(ctx, s, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"visitbot_outbox_enqueued_total": 1, "visitbot_outbox_sent_total": 1} {
		if got := metricSum(t, reg, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if n := seriesCount(t, reg, "visitbot_outbox_send_seconds", "visitbot_outbox_messages"); n < 2 {
		t.Errorf("latency/depth series: %d", n)
	}
	_, err := outbox.NewDispatcher(outbox.DispatcherOptions{Store: s, Config: testOutboxConfig(), Registerer: reg})
	if err == nil || !strings.Contains(err.Error(), "register outbox metrics") {
		t.Fatalf("second registration: %v", err)
	}
}

func TestDispatcherRejectsBadConfig(t *testing.T) {
	s, _ := modelstest.Open(t, "sqlite", clock.NewFake(time.Date(2026, 12, 1, 7, 25, 0, 0, modelstest.Shanghai)))
	for _, mutate := range []func(c *config.OutboxConfig){
		func(c *config.OutboxConfig) { c.Workers = -1 },
		func(c *config.OutboxConfig) { c.Workers = 65 },
		func(c *config.OutboxConfig) { c.SendLatency = 0 },
		func(c *config.OutboxConfig) { c.ClaimTTL = 0 },
		func(c *config.OutboxConfig) { c.PerMemberPerMinute = 31 },
		func(c *config.OutboxConfig) { c.MaxBackoff = time.Millisecond },
	} {
		cfg := testOutboxConfig()
		mutate(&cfg)
		if _, err := outbox.NewDispatcher(outbox.DispatcherOptions{Store: s, Config: cfg}); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

// metricSum sums a counter family of reg over its labels.
func metricSum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range fams {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// seriesCount counts the series of the named families in reg.
func seriesCount(t *testing.T, reg *prometheus.Registry, names ...string) int {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fams {
		for _, name := range names {
			if f.GetName() == name {
				n += len(f.GetMetric())
			}
		}
	}
	return n
}

// Two replicas dispatch one push concurrently and are both stopped after k
// sends, then both restart: n messages in total, none twice.
func TestKillAndRestartWithTwoDispatchers(t *testing.T) {
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			s1, s2, clk := twoReplicas(t, driver)
			const n, k = 80, 25
			enqueueTexts(t, s1, bot.Console, n, each)
			fake := newFake(bot.Console, clk)
			ctx, cancel := context.WithCancel(context.Background())
			fake.after = func(accepted int) {
				if accepted == k {
					cancel()
				}
			}
			var wg sync.WaitGroup
			for _, s := range []*models.Store{s1, s2} {
				d := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake})
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := d.Run(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			sent := len(fake.snapshot())
			if sent < k || sent >= n {
				t.Fatalf("first run sent %d", sent)
			}
			if st := countStatus(t, s1); st[models.OutboxSent] != int64(sent) || st[models.OutboxSending] != 0 {
				t.Fatalf("after stop: %v, fake got %d", st, sent)
			}
			fake.after = nil
			for _, s := range []*models.Store{s1, s2} {
				d := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake})
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := d.Drain(context.Background()); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			assertDelivered(t, fake, n)
		})
	}
}

// Two replicas with four workers each drain messages to five recipients:
// no recipient ever has two sends in flight, and each gets its messages in
// the order they were queued.
func TestPerRecipientOrderAcrossWorkers(t *testing.T) {
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			s1, s2, clk := twoReplicas(t, driver)
			const n, recipients = 60, 5
			enqueueTexts(t, s1, bot.Console, n, func(i int) uint { return uint(i%recipients + 1) })
			fake := newFake(bot.Console, clk)
			fake.latency = 3 * time.Millisecond
			var wg sync.WaitGroup
			for _, s := range []*models.Store{s1, s2} {
				d := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fake})
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 50 {
						if err := d.Drain(context.Background()); err != nil {
							t.Error(err)
							return
						}
						if len(fake.snapshot()) == n {
							return
						}
					}
				}()
			}
			wg.Wait()
			assertDelivered(t, fake, n)
			if len(fake.overlap) > 0 {
				t.Fatalf("recipients with two sends in flight: %v", fake.overlap)
			}
			last := map[uint]int{}
			for _, x := range fake.snapshot() {
				var i int
				if _, err := fmt.Sscanf(x.Body, "msg-%d", &i); err != nil {
					t.Fatal(err)
				}
				if prev, ok := last[x.To.UserID]; ok && i < prev {
					t.Fatalf("recipient %d got msg-%d after msg-%d", x.To.UserID, i, prev)
				}
				last[x.To.UserID] = i
			}
		})
	}
}

// twoReplicas is one fresh database on driver opened twice, as by two
// replicas, on one fake clock at 07:25 of the test day.
func twoReplicas(t *testing.T, driver string) (s1, s2 *models.Store, clk *clock.Fake) {
	t.Helper()
	clk = clock.NewFake(time.Date(2026, 12, 1, 7, 25, 0, 0, modelstest.Shanghai))
	s1, dsn := modelstest.Open(t, driver, clk)
	s2, err := models.Open(models.Options{Driver: driver, DSN: dsn, MaxOpenConns: 8, Clock: clk, Location: modelstest.Shanghai})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	return s1, s2, clk
}
