package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"golang.org/x/time/rate"
)

// dispatcherSetting prefixes the heartbeat each running dispatcher keeps in
// the settings table: WeCom's 10,000 calls a minute and DingTalk's QPS are
// per corp, not per process, so each of N live dispatchers paces at 1/N of
// the corp's rate. A dispatcher that stops stops beating and its share goes
// back to the others within paceBeatTTL.
const dispatcherSetting = "outbox_dispatcher:"

// paceBeat is how often a dispatcher renews its heartbeat and recounts the
// live ones (two small statements a second); paceBeatTTL how long a
// heartbeat lives. For up to paceBeat after a second dispatcher starts, the
// first still paces at the full rate: the platform's 45009 answer is retried
// with backoff, so the overshoot costs retries, never a lost message.
const (
	paceBeat    = time.Second
	paceBeatTTL = 5 * paceBeat
)

// paceShare is this dispatcher's heartbeat and the number of live
// dispatchers its pacers divide their rates by.
type paceShare struct {
	key  string
	next time.Time
	n    int
}

func newPaceShare(replica string) *paceShare {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &paceShare{key: dispatcherSetting + clipKey(replica) + "/" + hex.EncodeToString(b[:]), n: 1}
}

// clipKey keeps a replica name short enough for the settings key (128).
func clipKey(s string) string {
	if len(s) > 96 {
		return s[:96]
	}
	return s
}

// refresh renews the heartbeat and, when the number of live dispatchers
// changed, re-divides the pacing; at most once per paceBeat. An error
// leaves the current share (the claim loop logs it).
func (d *Dispatcher) refreshPace(ctx context.Context) error {
	ps := d.share
	now := d.clock.Now()
	if now.Before(ps.next) {
		return nil
	}
	ps.next = now.Add(paceBeat)
	if err := d.store.Settings.PutSetting(ctx, ps.key, now.UTC().Format(time.RFC3339), paceBeatTTL); err != nil {
		return err
	}
	live, err := d.store.Settings.SettingsWithPrefix(ctx, dispatcherSetting)
	if err != nil {
		return err
	}
	n := max(1, len(live))
	d.shareMu.Lock()
	changed := n != ps.n
	ps.n = n
	d.shareMu.Unlock()
	if !changed {
		return nil
	}
	for _, l := range d.pacers {
		l.lim.SetLimitAt(now, rate.Limit(l.perSecond/float64(n)))
	}
	d.metrics.dispatchers.Set(float64(n))
	d.log.Info("outbox pacing shared", "dispatchers", n)
	return nil
}

// leavePace deletes the heartbeat when the dispatcher stops, so the others
// take its share at their next beat.
func (d *Dispatcher) leavePace(ctx context.Context) {
	_ = d.store.Settings.DeleteSetting(context.WithoutCancel(ctx), d.share.key)
}

// Dispatchers is the number of live dispatchers (every replica's) this one
// divides each platform's pacing by, as of its last heartbeat (1 alone).
func (d *Dispatcher) Dispatchers() int {
	d.shareMu.Lock()
	defer d.shareMu.Unlock()
	return d.share.n
}
