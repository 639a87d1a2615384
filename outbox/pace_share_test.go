package outbox_test

import (
	"context"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestDispatchersSharePacing: a second dispatcher on the same database (a
// second replica) halves each one's pacing, and a stopped one gives its
// share back: the corp's rate is shared, not multiplied.
func TestDispatchersSharePacing(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		clk := s.Clock().(*clock.Fake)
		cfg := testOutboxConfig()
		first := newDispatcher(t, s, cfg, nil)
		second := newDispatcher(t, s, cfg, nil)
		ctx, stop := context.WithCancel(context.Background())
		ran := make(chan error, 1)
		go func() { ran <- first.Run(ctx) }()
		waitFor(t, func() bool {
			v, _ := s.Settings.SettingsWithPrefix(context.Background(), "outbox_dispatcher:")
			return len(v) == 1
		})
		if err := second.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := second.Dispatchers(); n != 2 {
			t.Errorf("the second dispatcher shares the pacing with %d, want 2", n)
		}
		stop()
		if err := <-ran; err != nil && err != context.Canceled {
			t.Fatal(err)
		}
		clk.Advance(10 * time.Second) // past the next beat
		if err := second.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := second.Dispatchers(); n != 1 {
			t.Errorf("after the first stopped: shared with %d, want 1", n)
		}
	})
}

// waitFor polls cond for up to 5 s of wall time.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached in 5 s")
}
