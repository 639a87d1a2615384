package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/models"
	"visitbot/outbox"
)

func TestJobCommands(t *testing.T) {
	env := []string{"VISITBOT_DATABASE_DSN=" + filepath.Join(t.TempDir(), "vb.db"), "VISITBOT_LOG_LEVEL=error"}
	code, out, stderr := runCLI(t, env, "job", "list")
	if code != 0 || !strings.Contains(out, "morning_push") || !strings.Contains(out, "25 7 * * *") || !strings.Contains(out, " 07:25") {
		t.Fatalf("job list: %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr = runCLI(t, env, "job", "run", "nightly_scores", "-date", "2026-12-01"); code != 0 || !strings.Contains(out, "succeeded") {
		t.Fatalf("job run nightly_scores: %d\n%s\n%s", code, out, stderr)
	}
	// morning_push on an empty world succeeds and says what it did.
	if code, out, stderr = runCLI(t, env, "job", "run", "-date", "2026-12-01", "morning_push"); code != 0 || !strings.Contains(out, "0 reps") {
		t.Fatalf("job run morning_push: %d %q %q", code, out, stderr)
	}
	for _, args := range [][]string{{"job"}, {"job", "run"}, {"job", "run", "nope"}, {"job", "run", "nightly_scores", "-date", "1.12.2026"}, {"job", "fly"}} {
		if code, _, stderr := runCLI(t, env, args...); code != 1 || !strings.Contains(stderr, "visitbot job: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	code, out, _ = runCLI(t, env, "job", "list", "-runs", "3")
	if code != 0 || !strings.Contains(out, "manual:2026-12-01:") || !strings.Contains(out, "succeeded") || !strings.Contains(out, "0 reps") {
		t.Fatalf("history:\n%s", out)
	}
}

func TestOutboxCommands(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "vb.db")
	env := []string{"VISITBOT_DATABASE_DSN=" + dsn, "VISITBOT_LOG_LEVEL=error"}
	if code, _, stderr := runCLI(t, env, "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	ctx := context.Background()
	s, err := models.Open(models.Options{Driver: "sqlite", DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 1; i <= 2; i++ {
		m, _ := outbox.NewMessage(outbox.Envelope{Platform: bot.WeCom, To: bot.Recipient{UserID: uint(i), PlatformUserID: fmt.Sprint("u", i)}, Purpose: "morning_push", Day: "2026-12-01"}, bot.Message{Text: "hi"})
		if err := s.Outbox.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := s.Outbox.ClaimOutbox(ctx, "test", []string{"wecom"}, 2, time.Minute)
	if err != nil || len(claimed) != 2 {
		t.Fatal(len(claimed), err)
	}
	for i := range claimed {
		if err := s.Outbox.KillOutbox(ctx, &claimed[i], "81013 user not found"); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := runCLI(t, env, "outbox", "list", "-status", "dead")
	if code != 0 || !strings.Contains(out, "dead 2") || !strings.Contains(out, "81013 user not found") || !strings.Contains(out, "morning_push") {
		t.Fatalf("outbox list: %d\n%s\n%s", code, out, stderr)
	}
	id := fmt.Sprint(claimed[0].ID)
	if code, out, _ := runCLI(t, env, "outbox", "replay", id); code != 0 || !strings.Contains(out, "queued again") {
		t.Fatalf("replay %s: %d %q", id, code, out)
	}
	if code, _, stderr := runCLI(t, env, "outbox", "replay", id); code != 1 || !strings.Contains(stderr, "only dead messages") {
		t.Fatalf("second replay: %d %q", code, stderr)
	}
	if code, out, _ := runCLI(t, env, "outbox", "replay", "all-dead"); code != 0 || !strings.Contains(out, "1 dead messages queued again") {
		t.Fatalf("replay all-dead: %d %q", code, out)
	}
	for _, args := range [][]string{{"outbox"}, {"outbox", "replay"}, {"outbox", "replay", "x"}, {"outbox", "replay", "999"}, {"outbox", "list", "-status", "lost"}, {"outbox", "list", "-limit", "0"}} {
		if code, _, stderr := runCLI(t, env, args...); code != 1 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	if code, out, _ := runCLI(t, env, "outbox", "list"); code != 0 || !strings.Contains(out, "pending 2") {
		t.Fatalf("after replay: %q", out)
	}
}

// job run -join: the first process claims the run, one started later with
// the same name finds it done and says so; a join name too long is refused.
func TestJobRunJoin(t *testing.T) {
	env := []string{"VISITBOT_DATABASE_DSN=" + filepath.Join(t.TempDir(), "vb.db"), "VISITBOT_LOG_LEVEL=error"}
	code, out, stderr := runCLI(t, env, "job", "run", "nightly_scores", "-date", "2026-12-01", "-join", "bench1")
	if code != 0 || !strings.Contains(out, "slot join:bench1") || !strings.Contains(out, "1 shards, 1 on this replica") {
		t.Fatalf("first: %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, env, "job", "run", "nightly_scores", "-date", "2026-12-01", "-join", "bench1")
	if code != 0 || !strings.Contains(out, "run by another process, helped: 0 shards") {
		t.Fatalf("second: %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr = runCLI(t, env, "job", "run", "nightly_scores", "-join", strings.Repeat("x", 40)); code != 1 || !strings.Contains(stderr, "join name") {
		t.Fatalf("long name: %d %q", code, stderr)
	}
}
