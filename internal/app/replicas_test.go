package app

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"visitbot/bot/wecom/wecomfake"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/jobs"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/outbox"
	"visitbot/seed"
)

// weComConfig is a configuration on a fresh database of driver with WeCom
// enabled against a fake of its API (corp, secret and token named by name),
// and no console: reps without a WeCom id are unreachable.
func weComConfig(t *testing.T, driver, name string) (config.Config, *wecomfake.Server) {
	t.Helper()
	corp, secret, agent := "ww0000000000"+name, name+"-secret-value", 1000002
	fake := wecomfake.New(t, clock.System{}, corp, secret, agent)
	cfg := config.Default()
	cfg.Database.Driver, cfg.Database.DSN = driver, modelstest.NewDSN(t, driver)
	cfg.Log.Level = "error"
	w := &cfg.WeCom
	w.Enabled, w.CorpID, w.AgentID, w.Secret, w.Token = true, corp, agent, secret, name+"Token"
	w.EncodingAESKey, w.APIBase, w.CallbackWindow = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", fake.URL, 10*time.Minute
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg, fake
}

// TestTwoReplicasPushOnce is two `visitbot serve` processes on one database
// (two fully wired apps, each with its own scheduler and outbox dispatcher)
// firing morning_push for the same slot against the fake WeCom API: every
// rep gets exactly one message, and the slot runs once.
func TestTwoReplicasPushOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a world")
	}
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		cfg, fake := weComConfig(t, driver, "replica")
		replicas := make([]*App, 2)
		for i := range replicas {
			a, err := New(ctx, cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			replicas[i] = a
		}
		now := time.Now().In(cfg.Location())
		opts := seed.Options{Reps: 12, Doctors: 240, Seed: 5, Today: now}
		if err := seed.World(ctx, replicas[0].Store, opts); err != nil {
			t.Fatal(err)
		}
		// The next Tuesday 07:25: every seeded doctor's week has clinics then.
		slot := time.Date(now.Year(), now.Month(), now.Day(), 7, 25, 0, 0, cfg.Location())
		for slot.Weekday() != time.Tuesday || !slot.After(now) {
			slot = slot.AddDate(0, 0, 1)
		}
		results := make([]jobs.Result, 2)
		dispatchers := make([]*outbox.Dispatcher, 2)
		var wg sync.WaitGroup
		for i, a := range replicas {
			disp, err := a.NewDispatcher(false)
			if err != nil {
				t.Fatal(err)
			}
			sched, err := a.Scheduler()
			if err != nil {
				t.Fatal(err)
			}
			dispatchers[i] = disp
			wg.Add(1)
			go func() { defer wg.Done(); results[i] = sched.Fire(ctx, "morning_push", slot) }()
		}
		wg.Wait()
		ran := 0
		for _, r := range results {
			if r.Err != nil && !(r.Outcome == "" && errors.Is(r.Err, models.ErrConflict)) {
				t.Fatalf("fire: %v", r.Err) // only "claimed by the other replica" is expected
			}
			if r.Outcome == models.JobSucceeded {
				ran++
			}
		}
		if ran != 1 {
			t.Fatalf("the slot ran %d times: %+v", ran, results)
		}
		for _, d := range dispatchers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := d.Drain(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		perRep := map[string]int{}
		cardsSent := 0
		for _, m := range fake.Sent() {
			perRep[m.ToUser]++
			if m.Card != nil {
				cardsSent++
			}
		}
		reps, err := replicas[0].Store.Users.Users(ctx, models.RoleRep)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			if perRep[*r.WeComUserID] != 1 {
				t.Errorf("%s got %d messages, want exactly 1", r.UserID, perRep[*r.WeComUserID])
			}
		}
		if cardsSent != len(reps) {
			t.Errorf("%d visit-list cards for %d reps (on a Tuesday every rep has clinics)", cardsSent, len(reps))
		}
		if len(fake.Dropped()) != 0 {
			t.Errorf("WeCom dropped %d messages", len(fake.Dropped()))
		}
	})
}
