package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/outbox"

	"visitbot/bot/wecom/wecomfake"
)

// The child process of TestSIGKILLDuringDispatch reads its database and the
// fake WeCom API from these.
const (
	crashChildDriver = "VISITBOT_CRASH_CHILD_DRIVER"
	crashChildDSN    = "VISITBOT_CRASH_CHILD_DSN"
	crashChildAPI    = "VISITBOT_CRASH_CHILD_WECOM_API"
)

// Crash test sizes: reps (each gets a "今日无推荐" text and a card), kills,
// the fake's answer latency and the claim TTL the children run with.
const (
	crashReps     = 300
	crashKills    = 20
	crashLatency  = 40 * time.Millisecond
	crashClaimTTL = 10 * time.Second
)

// crashConfig is the app the children run: WeCom against the parent's fake.
func crashConfig(api string) func(*config.Config) {
	return func(c *config.Config) {
		c.Console.Enabled = false
		c.WeCom.Enabled, c.WeCom.CorpID, c.WeCom.AgentID, c.WeCom.Secret = true, apptest.WeComCorp, apptest.WeComAgent, apptest.WeComSecret
		c.WeCom.Token, c.WeCom.EncodingAESKey, c.WeCom.APIBase = apptest.WeComToken, apptest.WeComAESKey, api
		c.Outbox.ClaimTTL, c.Outbox.PollInterval = crashClaimTTL, 50*time.Millisecond
		c.Outbox.BaseBackoff, c.Outbox.MaxBackoff = time.Second, 5*time.Second
		c.Outbox.Workers = 4 // fixed, so the queue outlasts the kills at any pacing
	}
}

// TestDispatcherCrashChild is the process TestSIGKILLDuringDispatch kills:
// the production dispatcher (internal/app wiring) on the parent's database,
// sending to the parent's fake WeCom, until it is killed.
func TestDispatcherCrashChild(t *testing.T) {
	dsn := os.Getenv(crashChildDSN)
	if dsn == "" {
		t.Skip("runs only as the child process of TestSIGKILLDuringDispatch")
	}
	s, err := models.Open(models.Options{Driver: os.Getenv(crashChildDriver), DSN: dsn, MaxOpenConns: 8, Clock: clock.System{}, Location: modelstest.Shanghai})
	if err != nil {
		t.Fatal(err)
	}
	a := apptest.OnStore(t, s, crashConfig(os.Getenv(crashChildAPI)))
	d, err := a.NewDispatcher(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Run(context.Background()); err != nil { // until SIGKILL
		t.Fatal(err)
	}
}

// TestSIGKILLDuringDispatch is a real crash: a child process runs the
// dispatcher against the fake WeCom API, which answers crashLatency after it
// accepted each message; the parent SIGKILLs it at random points
// crashKills times and restarts it, then lets the last one finish. No rep
// misses a message, the member is shown each message once, and every send
// the fake saw twice carried WeCom's duplicate check. It logs the measured
// duplicate window (fake accepted → row marked sent).
func TestSIGKILLDuringDispatch(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process 20 times (about a minute)")
	}
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) { crashRun(t, driver) })
	}
}

func crashRun(t *testing.T, driver string) {
	s, dsn := modelstest.Open(t, driver, clock.System{})
	fake := wecomfake.New(t, clock.System{}, apptest.WeComCorp, apptest.WeComSecret, apptest.WeComAgent)
	fake.SetLatency(crashLatency)
	want := crashQueue(t, s)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestDispatcherCrashChild$")
		cmd.Env = append(os.Environ(), crashChildDriver+"="+driver, crashChildDSN+"="+dsn, crashChildAPI+"="+fake.URL)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	pendingKills := 0
	for k := 0; k < crashKills; k++ {
		cmd := start()
		time.Sleep(150*time.Millisecond + time.Duration(rng.Int64N(int64(900*time.Millisecond))))
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if n := unsent(t, s); n > 0 {
			pendingKills++
		}
	}
	if pendingKills < crashKills/2 {
		t.Fatalf("only %d of %d kills hit a dispatcher with work left: queue more messages", pendingKills, crashKills)
	}
	// The last child finishes, taking over the dead ones' claims after claim_ttl.
	last := start()
	deadline := time.Now().Add(crashClaimTTL + 60*time.Second)
	for unsent(t, s) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	_ = last.Process.Kill()
	_ = last.Wait()
	if n := unsent(t, s); n > 0 {
		t.Fatalf("%d messages still unsent after the last restart", n)
	}

	shown := map[string]int{}
	for _, m := range fake.Sent() {
		shown[m.ToUser+"|"+m.MsgType]++
	}
	for key := range want {
		if shown[key] != 1 {
			t.Errorf("%s shown %d times, want once", key, shown[key])
		}
	}
	if len(shown) != len(want) {
		t.Errorf("fake showed %d distinct messages, want %d", len(shown), len(want))
	}
	dups := fake.Suppressed()
	for _, m := range append(fake.Sent(), dups...) {
		if !m.DuplicateCheck || time.Duration(m.DuplicateCheckInterval)*time.Second < crashClaimTTL {
			t.Fatalf("send to %s (%s) without a duplicate check covering the claim: %+v", m.ToUser, m.MsgType, m)
		}
	}
	window := crashWindows(t, s, append(fake.Sent(), dups...))
	t.Logf("%s: %d kills (%d with work left), %d messages, %d resent after a kill (all suppressed by the duplicate check); "+
		"accepted→sent p50 %s, p99 %s, max %s (fake answers after %s)",
		driver, crashKills, pendingKills, len(want), len(dups), window[len(window)/2], window[len(window)*99/100], window[len(window)-1], crashLatency)
}

// crashQueue seeds crashReps reps on WeCom and queues, per rep, the
// morning push's "今日无推荐" text and a visit-list card; it returns the
// keys (WeCom userid|msgtype) the fake must show once each.
func crashQueue(t *testing.T, s *models.Store) map[string]bool {
	ctx := context.Background()
	want := map[string]bool{}
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, modelstest.Shanghai)
	for i := range crashReps {
		wid := fmt.Sprintf("wx-rep%03d", i)
		u := &models.User{UserID: fmt.Sprintf("rep%03d", i), Name: "代表", Role: models.RoleRep, WeComUserID: &wid, Active: true}
		if err := s.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		to := bot.Recipient{UserID: u.ID, PlatformUserID: wid}
		card := cards.VisitList(cards.VisitListInput{TaskID: flows.NewTaskID("vl", "2026-12-01", u.ID), Day: day, RepName: "代表",
			Items: []cards.VisitItem{{Rank: 1, DoctorID: 1, DoctorName: "张主任", Hospital: "浙大一院", Heat: 80, Period: "AM"}}})
		for _, m := range []struct {
			purpose string
			msg     bot.Message
		}{{"morning_push", bot.Message{Text: flows.MsgNoRecommendation}}, {"crash_card", bot.Message{Card: &card}}} {
			row, err := outbox.NewMessage(outbox.Envelope{Platform: bot.WeCom, To: to, Purpose: m.purpose, Day: "2026-12-01"}, m.msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Outbox.Enqueue(ctx, row); err != nil {
				t.Fatal(err)
			}
		}
		want[wid+"|text"], want[wid+"|template_card"] = true, true
	}
	return want
}

func unsent(t *testing.T, s *models.Store) int64 {
	var n int64
	if err := s.DB(context.Background()).Model(&models.OutboxMessage{}).Where("status <> ?", models.OutboxSent).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// crashWindows is, per message, how long after the fake accepted the call
// that succeeded (the last one it saw) its row was marked sent: the window
// in which a crash sends it again. Sorted.
func crashWindows(t *testing.T, s *models.Store, calls []wecomfake.Sent) []time.Duration {
	rows, err := s.Outbox.OutboxMessages(context.Background(), models.OutboxSent, 2*crashReps)
	if err != nil {
		t.Fatal(err)
	}
	accepted := map[string]time.Time{}
	for _, m := range calls {
		if k := m.ToUser + "|" + m.MsgType; m.At.After(accepted[k]) {
			accepted[k] = m.At
		}
	}
	var out []time.Duration
	for _, r := range rows {
		var p outbox.Payload
		if err := json.Unmarshal([]byte(r.Payload), &p); err != nil || r.SentAt == nil {
			t.Fatalf("row %d: %v", r.ID, err)
		}
		kind := "text"
		if p.Card != nil {
			kind = "template_card"
		}
		if at, ok := accepted[p.To+"|"+kind]; ok {
			out = append(out, r.SentAt.Sub(at))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	if len(out) == 0 {
		t.Fatal("no sent rows matched the fake's messages")
	}
	return out
}
