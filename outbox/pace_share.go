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

// paceShare keeps this dispatcher's share of each platform's pacing.
type paceShare struct {
	key  string
	base map[*paceLimiter]float64
	next time.Time
	n    int
}

func newPaceShare(replica string, pacers map[string]*paceLimiter, base map[string]float64) *paceShare {
	var b [4]byte
	_, _ = rand.Read(b[:])
	ps := &paceShare{key: dispatcherSetting + clipKey(replica) + "/" + hex.EncodeToString(b[:]), base: map[*paceLimiter]float64{}, n: 1}
	for p, l := range pacers {
		ps.base[l] = base[p]
	}
	return ps
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
	if ps == nil || now.Before(ps.next) {
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
	for l, base := range ps.base {
		l.lim.SetLimitAt(now, rate.Limit(base/float64(n)))
	}
	d.metrics.dispatchers.Set(float64(n))
	d.log.Info("outbox pacing shared", "dispatchers", n)
	return nil
}

// leavePace deletes the heartbeat when the dispatcher stops, so the others
// take its share at their next beat.
func (d *Dispatcher) leavePace(ctx context.Context) {
	if d.share != nil {
		_ = d.store.Settings.DeleteSetting(context.WithoutCancel(ctx), d.share.key)
	}
}

// Dispatchers is the number of live dispatchers (every replica's) this one
// divides each platform's pacing by, as of its last heartbeat (1 alone).
func (d *Dispatcher) Dispatchers() int {
	d.shareMu.Lock()
	defer d.shareMu.Unlock()
	return d.share.n
}
