package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

func outboxRow(key string) *models.OutboxMessage {
	return &models.OutboxMessage{DedupeKey: key, Platform: "wecom", RecipientID: 1, Purpose: "p", Kind: models.OutboxText, Payload: `{"to":"u1","text":"x"}`}
}

func TestEnqueueRejectsMalformedRows(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		for name, mutate := range map[string]func(m *models.OutboxMessage){
			"no key":      func(m *models.OutboxMessage) { m.DedupeKey = "" },
			"long key":    func(m *models.OutboxMessage) { m.DedupeKey = strings.Repeat("k", 192) },
			"no platform": func(m *models.OutboxMessage) { m.Platform = "" },
			"bad kind":    func(m *models.OutboxMessage) { m.Kind = "fax" },
			"no payload":  func(m *models.OutboxMessage) { m.Payload = "" },
			"long task":   func(m *models.OutboxMessage) { m.TaskID = strings.Repeat("t", 129) },
		} {
			m := outboxRow("k-" + name)
			mutate(m)
			if err := s.Outbox.Enqueue(ctx, m); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		if rows, _ := s.Outbox.OutboxMessages(ctx, "", 10); len(rows) != 0 {
			t.Fatalf("%d rows written", len(rows))
		}
	})
}

// A dispatcher whose claim expired and was taken over cannot overwrite the
// new owner's state, except to record that the message did go out.
func TestClaimLostAfterTakeover(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clk := s.Clock().(*clock.Fake)
		for i, k := range []string{"a", "b"} {
			m := outboxRow(k)
			m.RecipientID = uint(i + 1) // two members: one claim takes both
			if err := s.Outbox.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		old, err := s.Outbox.ClaimOutbox(ctx, "old", []string{"wecom"}, 2, time.Minute)
		if err != nil || len(old) != 2 {
			t.Fatalf("claim: %d, %v", len(old), err)
		}
		if again, _ := s.Outbox.ClaimOutbox(ctx, "other", []string{"wecom"}, 2, time.Minute); len(again) != 0 {
			t.Fatalf("claimed rows claimed again: %d", len(again))
		}
		clk.Advance(time.Minute + time.Second)
		fresh, err := s.Outbox.ClaimOutbox(ctx, "new", []string{"wecom"}, 2, time.Minute)
		if err != nil || len(fresh) != 2 || fresh[0].Attempts != 2 {
			t.Fatalf("takeover: %+v, %v", fresh, err)
		}
		if err := s.Outbox.RetryOutbox(ctx, &old[0], clk.Now(), "late failure"); !errors.Is(err, models.ErrClaimLost) {
			t.Fatalf("late retry: %v", err)
		}
		if err := s.Outbox.KillOutbox(ctx, &old[0], "late"); !errors.Is(err, models.ErrClaimLost) {
			t.Fatalf("late kill: %v", err)
		}
		if err := s.Outbox.MarkOutboxSent(ctx, &old[1], "m1", ""); !errors.Is(err, models.ErrClaimLost) {
			t.Fatalf("late sent: %v", err)
		}
		row, _ := s.Outbox.OutboxMessageByID(ctx, old[1].ID)
		if row.Status != models.OutboxSent || row.MsgID != "m1" {
			t.Fatalf("late sent not recorded: %+v", row)
		}
		// The new owner's own result on that row is refused: it is already sent.
		if err := s.Outbox.RetryOutbox(ctx, &fresh[1], clk.Now(), "x"); !errors.Is(err, models.ErrClaimLost) {
			t.Fatalf("retry of a sent row: %v", err)
		}
		if err := s.Outbox.DeferOutbox(ctx, &fresh[0], clk.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		row, _ = s.Outbox.OutboxMessageByID(ctx, fresh[0].ID)
		if row.Status != models.OutboxPending || row.Attempts != 1 {
			t.Fatalf("deferred row: %+v", row)
		}
	})
}

func TestJobRunClaimAndLimits(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		r, err := s.Jobs.ClaimJobRun(ctx, "morning_push", "2026-12-01T07:25", "a")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Jobs.ClaimJobRun(ctx, "morning_push", "2026-12-01T07:25", "b"); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("second claim: %v", err)
		}
		if err := s.Jobs.RecordJobSkip(ctx, "morning_push", "2026-12-01T07:25", "b", "busy"); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("skip of a claimed slot: %v", err)
		}
		if _, err := s.Jobs.ClaimJobRun(ctx, "morning_push", strings.Repeat("s", 33), "a"); err == nil {
			t.Fatal("33-byte slot accepted")
		}
		long := strings.Repeat("错", 10000) // 30,000 bytes: cut on a rune boundary
		if err := s.Jobs.FinishJobRun(ctx, r.ID, models.JobFailed, long, "d"); err != nil {
			t.Fatal(err)
		}
		runs, _ := s.Jobs.JobRuns(ctx, "morning_push", 5)
		if len(runs) != 1 || len(runs[0].Error) > 16<<10 || !strings.HasPrefix(long, runs[0].Error) || runs[0].FinishedAt == nil {
			t.Fatalf("run = %d bytes of error, %+v", len(runs[0].Error), runs[0].FinishedAt)
		}
		if err := s.Jobs.FinishJobRun(ctx, 999, models.JobFailed, "", ""); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("finish of a missing run: %v", err)
		}
	})
}

// One member's rows are claimed one at a time, oldest due first; an older
// row waiting for a later attempt does not hold the newer ones back.
func TestClaimKeepsOneRecipientInOrder(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clk := s.Clock().(*clock.Fake)
		for _, k := range []string{"r1", "r2", "r3"} {
			if err := s.Outbox.Enqueue(ctx, outboxRow(k)); err != nil {
				t.Fatal(err)
			}
		}
		other := outboxRow("other")
		other.RecipientID = 2
		if err := s.Outbox.Enqueue(ctx, other); err != nil {
			t.Fatal(err)
		}
		first, err := s.Outbox.ClaimOutbox(ctx, "a", []string{"wecom"}, 10, time.Minute)
		if err != nil || len(first) != 2 || first[0].DedupeKey != "r1" || first[1].DedupeKey != "other" {
			t.Fatalf("first claim = %+v, %v; want r1 and other", first, err)
		}
		if again, _ := s.Outbox.ClaimOutbox(ctx, "b", []string{"wecom"}, 10, time.Minute); len(again) != 0 {
			t.Fatalf("claimed %s while r1 is in flight", again[0].DedupeKey)
		}
		if err := s.Outbox.DeferOutbox(ctx, &first[0], clk.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		next, err := s.Outbox.ClaimOutbox(ctx, "b", []string{"wecom"}, 10, time.Minute)
		if err != nil || len(next) != 1 || next[0].DedupeKey != "r2" {
			t.Fatalf("after r1 was deferred: %+v, %v; want r2", next, err)
		}
	})
}

// TestEnqueueAllQueuesEachKeyOnce: keys already queued and keys twice in the
// batch are queued once; the fresh rows get ids; a malformed row fails the
// call before anything is written.
func TestEnqueueAllQueuesEachKeyOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if err := s.Outbox.Enqueue(ctx, outboxRow("a")); err != nil {
			t.Fatal(err)
		}
		bad := outboxRow("bad")
		bad.Payload = ""
		if err := s.Outbox.EnqueueAll(ctx, []*models.OutboxMessage{outboxRow("z"), bad}); err == nil {
			t.Error("a batch with a malformed row was accepted")
		}
		var batch []*models.OutboxMessage
		for _, k := range []string{"a", "b", "c", "b"} {
			batch = append(batch, outboxRow(k))
		}
		for range 40 { // more than one INSERT
			batch = append(batch, outboxRow("n"+strings.Repeat("x", len(batch))))
		}
		err := s.Tx(ctx, func(ctx context.Context) error { return s.Outbox.EnqueueAll(ctx, batch) })
		if err != nil {
			t.Fatal(err)
		}
		if batch[0].ID != 0 || batch[1].ID == 0 || batch[2].ID == 0 || batch[3].ID != 0 || batch[43].ID == 0 {
			t.Errorf("ids a=%d b=%d c=%d b again=%d last=%d", batch[0].ID, batch[1].ID, batch[2].ID, batch[3].ID, batch[43].ID)
		}
		rows, err := s.Outbox.OutboxMessages(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 43 { // a, b, c and the 40 new ones; not z
			t.Errorf("%d rows queued, want 43", len(rows))
		}
	})
}
