package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
	"visitbot/outbox"
)

// fakeMessenger is the platform API double: it records every call with the
// injected clock's time, can fail calls, can sleep (benchmarks) and can run
// a hook after each recorded send (kill-and-restart).
type fakeMessenger struct {
	platform bot.Platform
	clock    clock.Clock
	latency  time.Duration

	mu      sync.Mutex
	sends   []fakeSend
	updates []bot.CardUpdate
	calls   int
	// fail decides the outcome of call number n (1-based) for msg; nil error = accept.
	fail func(n int, to bot.Recipient, msg bot.Message) error
	// after runs after a send was accepted, with the number of accepted sends.
	after func(accepted int)
	// inflight counts sends under way per recipient; overlap records a
	// recipient that had two at once.
	inflight map[uint]int
	overlap  []uint
}

type fakeSend struct {
	To  bot.Recipient
	Msg bot.Message
	At  time.Time
	// Start is when the call arrived (before the fake's latency): what a
	// platform's QPS limit counts.
	Start time.Time
	Body  string // text or card task id
}

func newFake(p bot.Platform, clk clock.Clock) *fakeMessenger {
	return &fakeMessenger{platform: p, clock: clk}
}

func (f *fakeMessenger) Platform() bot.Platform { return f.platform }

func (f *fakeMessenger) Send(ctx context.Context, to bot.Recipient, msg bot.Message) (bot.SendResult, error) {
	f.mu.Lock()
	if f.inflight == nil {
		f.inflight = map[uint]int{}
	}
	if f.inflight[to.UserID]++; f.inflight[to.UserID] > 1 {
		f.overlap = append(f.overlap, to.UserID)
	}
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inflight[to.UserID]--; f.mu.Unlock() }()
	start := f.clock.Now()
	if f.latency > 0 {
		time.Sleep(f.latency)
	}
	f.mu.Lock()
	f.calls++
	if f.fail != nil {
		if err := f.fail(f.calls, to, msg); err != nil {
			f.mu.Unlock()
			return bot.SendResult{}, err
		}
	}
	body := msg.Text
	if msg.Card != nil {
		body = msg.Card.TaskID
	}
	f.sends = append(f.sends, fakeSend{To: to, Msg: msg, At: f.clock.Now(), Start: start, Body: body})
	n := len(f.sends)
	after := f.after
	f.mu.Unlock()
	if after != nil {
		after(n)
	}
	return bot.SendResult{MsgID: fmt.Sprintf("msg-%d", n), ResponseCode: fmt.Sprintf("rc-%d", n)}, nil
}

func (f *fakeMessenger) Update(ctx context.Context, to bot.Recipient, upd bot.CardUpdate) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.updates = append(f.updates, upd)
	return nil
}

func (f *fakeMessenger) snapshot() []fakeSend {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeSend(nil), f.sends...)
}

// testOutboxConfig is the production default with a short poll and 3 attempts.
func testOutboxConfig() config.OutboxConfig {
	return config.OutboxConfig{
		Workers: 4, SendLatency: 100 * time.Millisecond, MaxAttempts: 3, BaseBackoff: 2 * time.Second, MaxBackoff: time.Minute,
		PollInterval: 5 * time.Millisecond, ClaimTTL: time.Minute, PerMemberPerMinute: 25, DingTalkQPS: 20,
	}
}

type dispatcherOpt func(*outbox.DispatcherOptions)

func newDispatcher(t testing.TB, s *models.Store, cfg config.OutboxConfig, ms []bot.Messenger, opts ...dispatcherOpt) *outbox.Dispatcher {
	t.Helper()
	reg := map[bot.Platform]bot.Messenger{}
	for _, m := range ms {
		reg[m.Platform()] = m
	}
	o := outbox.DispatcherOptions{Store: s, Messengers: reg, Config: cfg, Clock: s.Clock(), Jitter: func() float64 { return 0.5 }}
	for _, f := range opts {
		f(&o)
	}
	d, err := outbox.NewDispatcher(o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// enqueueTexts queues n texts "msg-<i>" on platform; recipient(i) picks the user.
func enqueueTexts(t testing.TB, s *models.Store, p bot.Platform, n int, recipient func(i int) uint) {
	t.Helper()
	for i := 0; i < n; i++ {
		uid := recipient(i)
		env := outbox.Envelope{Platform: p, To: bot.Recipient{UserID: uid, PlatformUserID: fmt.Sprintf("u%d", uid)},
			Purpose: fmt.Sprintf("test-%d", i), Day: "2026-12-01"}
		m, err := outbox.NewMessage(env, bot.Message{Text: fmt.Sprintf("msg-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Outbox.Enqueue(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
}

func each(i int) uint { return uint(i + 1) }

// assertDelivered checks the fake got exactly n distinct messages msg-0…msg-(n-1), each once.
func assertDelivered(t *testing.T, f *fakeMessenger, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, s := range f.snapshot() {
		seen[s.Body]++
	}
	for body, c := range seen {
		if c > 1 {
			t.Errorf("%s delivered %d times", body, c)
		}
	}
	for i := 0; i < n; i++ {
		if seen[fmt.Sprintf("msg-%d", i)] == 0 {
			t.Errorf("msg-%d never delivered", i)
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct messages delivered, want %d", len(seen), n)
	}
}

func countStatus(t *testing.T, s *models.Store) map[string]int64 {
	t.Helper()
	d, err := s.Outbox.OutboxDepth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}
