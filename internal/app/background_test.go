package app

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/config"
	"visitbot/models"
	"visitbot/outbox"
)

// serve's background work: the dispatcher started by startBackground
// delivers a queued console message, and both goroutines stop on cancel.
func TestStartBackgroundDeliversThroughTheConsole(t *testing.T) {
	cfg := config.Default()
	cfg.Database.DSN = filepath.Join(t.TempDir(), "vb.db")
	cfg.Console.Enabled = true
	cfg.Outbox.PollInterval = 10 * time.Millisecond
	ctx := context.Background()
	a, err := New(ctx, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u := &models.User{UserID: "rep01", Name: "张三", Role: models.RoleRep, Active: true}
	if err := a.Store.Users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	m, err := outbox.NewMessage(outbox.Envelope{Platform: bot.Console, To: bot.Recipient{UserID: u.ID, PlatformUserID: u.UserID}, Purpose: "test", Day: a.Store.Today()}, bot.Message{Text: "早上好"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Outbox.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	bg, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if err := a.StartBackground(bg, &wg); err != nil {
		t.Fatal(err)
	}
	defer func() { stop(); wg.Wait() }()
	deadline := time.Now().Add(30 * time.Second) // a bound against hanging, not a performance assertion
	for {
		msgs, err := a.Store.Console.ConsoleMessages(ctx, u.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		// The console line is written by the send, the sent status right after it.
		row, err := a.Store.Outbox.OutboxMessageByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 1 && strings.Contains(msgs[0].Body, "早上好") && row.Status == models.OutboxSent {
			if !strings.HasPrefix(row.MsgID, "console-") {
				t.Fatalf("row = %+v", row)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("message not delivered; console has %d lines, row %+v", len(msgs), row)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A config naming a job nobody registered stops startup with the key.
func TestStartBackgroundRejectsUnregisteredJob(t *testing.T) {
	cfg := config.Default()
	cfg.Database.DSN = filepath.Join(t.TempDir(), "vb.db")
	cfg.Jobs["no_such_job"] = config.JobConfig{Schedule: "0 9 * * 1"} // config.Validate would refuse it too
	a, err := New(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var wg sync.WaitGroup
	err = a.StartBackground(context.Background(), &wg)
	if err == nil || !strings.Contains(err.Error(), "config jobs.no_such_job") {
		t.Fatalf("err = %v", err)
	}
}
