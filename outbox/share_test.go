package outbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// Two replicas (two stores on one database, each with its own dispatcher
// and its own platform connection) drain one queue: both send a share of
// it, and together they send every message exactly once. This is the
// outbox's side of issue 18's "shared across replicas".
func TestTwoReplicasShareDispatch(t *testing.T) {
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			s1, dsn := modelstest.Open(t, driver, clock.System{})
			s2, err := models.Open(models.Options{Driver: driver, DSN: dsn, MaxOpenConns: 8, Clock: clock.System{}, Location: modelstest.Shanghai})
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			const n = 200
			enqueueTexts(t, s1, bot.Console, n, each)
			fakes := []*fakeMessenger{newFake(bot.Console, clock.System{}), newFake(bot.Console, clock.System{})}
			// Run, as `visitbot serve` does (Drain returns as soon as it
			// finds nothing claimable, e.g. every due row locked by the other).
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var wg sync.WaitGroup
			for i, s := range []*models.Store{s1, s2} {
				fakes[i].latency = 5 * time.Millisecond
				d := newDispatcher(t, s, testOutboxConfig(), []bot.Messenger{fakes[i]})
				wg.Go(func() {
					if err := d.Run(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			for ctx.Err() == nil && countStatus(t, s1)[models.OutboxSent] < n {
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			wg.Wait()
			all := &fakeMessenger{}
			for i, f := range fakes {
				got := f.snapshot()
				if len(got) == 0 {
					t.Errorf("replica %d sent nothing: dispatch was not shared", i)
				}
				all.sends = append(all.sends, got...)
			}
			assertDelivered(t, all, n)
		})
	}
}
