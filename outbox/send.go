package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/models"
)

// process sends one claimed row and records the outcome. ctx only cancels
// waiting for a rate limit; the send itself and every database write run on
// a context that survives cancellation, so a stopping dispatcher finishes
// and records what it started.
func (d *Dispatcher) process(ctx context.Context, m *models.OutboxMessage) {
	work := context.WithoutCancel(ctx)
	platform := bot.Platform(m.Platform)
	log := d.log.With("outbox_id", m.ID, "platform", m.Platform, "purpose", m.Purpose, "attempt", m.Attempts)

	if m.Attempts > d.cfg.MaxAttempts {
		// Claimed again after its last attempt's owner died mid-send.
		d.kill(work, m, log, fmt.Sprintf("gave up: claim of attempt %d expired without a recorded result", m.Attempts-1))
		return
	}
	p, err := decodePayload(m)
	if err != nil {
		d.kill(work, m, log, err.Error())
		return
	}
	ms := d.messengers[platform]
	if ms == nil { // cannot happen: only our platforms are claimed
		d.retry(work, m, log, errors.New("no messenger for platform"), 0)
		return
	}

	if platform == bot.WeCom {
		ok, retryAt, err := d.members.acquire(work, m.Platform, m.RecipientID, d.clock.Now())
		if err != nil {
			d.deferTo(work, m, log, d.clock.Now().Add(d.cfg.PollInterval))
			log.Error("per-member rate window", "err", err)
			return
		}
		if !ok {
			d.metrics.deferred.WithLabelValues(m.Platform).Inc()
			d.deferTo(work, m, log, retryAt)
			log.Debug("held back by the per-member rate limit", "retry_at", retryAt)
			return
		}
		defer d.members.release(m.RecipientID)
	}
	if pacer := d.pacers[platform]; pacer != nil {
		if err := pacer.wait(ctx); err != nil {
			d.deferTo(work, m, log, d.clock.Now()) // stopping: hand it straight back
			return
		}
	}

	sendCtx, cancel := context.WithTimeout(work, d.timeout)
	start := d.clock.Now()
	res, err := d.send(sendCtx, ms, m, p)
	cancel()
	d.metrics.latency.WithLabelValues(m.Platform).Observe(d.clock.Now().Sub(start).Seconds())

	var retryAfter *bot.RetryAfterError
	switch {
	case err == nil:
		d.metrics.sent.WithLabelValues(m.Platform).Inc()
		d.recordSent(work, m, res, log)
	case errors.Is(err, bot.ErrPermanent):
		d.metrics.failed.WithLabelValues(m.Platform).Inc()
		d.kill(work, m, log, err.Error())
	case m.Attempts >= d.cfg.MaxAttempts:
		d.metrics.failed.WithLabelValues(m.Platform).Inc()
		d.kill(work, m, log, fmt.Sprintf("gave up after %d attempts: %v", m.Attempts, err))
	case errors.As(err, &retryAfter):
		d.metrics.failed.WithLabelValues(m.Platform).Inc()
		d.retry(work, m, log, err, retryAfter.After)
	default:
		d.metrics.failed.WithLabelValues(m.Platform).Inc()
		d.retry(work, m, log, err, 0)
	}
}

// recordSent marks the row sent. Until this commits the message is the one
// a crash would send twice, so a failed write is retried a few times.
func (d *Dispatcher) recordSent(ctx context.Context, m *models.OutboxMessage, res bot.SendResult, log *slog.Logger) {
	var err error
	for try := 1; try <= 3; try++ {
		if err = d.store.Outbox.MarkOutboxSent(ctx, m, res.MsgID, res.ResponseCode); err == nil {
			return
		}
		if errors.Is(err, models.ErrClaimLost) {
			log.Warn("sent after the claim expired; another dispatcher may have sent it too", "err", err)
			return
		}
		if d.sleep(ctx, time.Duration(try)*200*time.Millisecond) != nil {
			break
		}
	}
	log.Error("record sent message (it was delivered; it will be sent again after the claim expires)", "err", err)
}

// send makes the platform call for the row's kind.
func (d *Dispatcher) send(ctx context.Context, ms bot.Messenger, m *models.OutboxMessage, p Payload) (bot.SendResult, error) {
	to := bot.Recipient{UserID: m.RecipientID, PlatformUserID: p.To}
	if m.Kind == models.OutboxUpdate {
		u := p.Update
		err := ms.Update(ctx, to, bot.CardUpdate{TaskID: u.TaskID, ResponseCode: u.ResponseCode, ReplaceName: u.ReplaceName, Card: u.Card})
		return bot.SendResult{}, err
	}
	return ms.Send(ctx, to, bot.Message{Text: p.Text, Card: p.Card})
}

func (d *Dispatcher) retry(ctx context.Context, m *models.OutboxMessage, log *slog.Logger, cause error, retryAfter time.Duration) {
	wait := clock.Backoff(m.Attempts, d.cfg.BaseBackoff, d.cfg.MaxBackoff, retryAfter, d.jitter())
	next := d.clock.Now().Add(wait)
	if err := d.store.Outbox.RetryOutbox(ctx, m, next, cause.Error()); err != nil {
		log.Error("record retry", "err", err)
		return
	}
	log.Warn("send failed; will retry", "err", cause, "retry_in", wait.String())
}

func (d *Dispatcher) kill(ctx context.Context, m *models.OutboxMessage, log *slog.Logger, cause string) {
	if err := d.store.Outbox.KillOutbox(ctx, m, cause); err != nil {
		log.Error("record dead letter", "err", err)
		return
	}
	d.metrics.dead.WithLabelValues(m.Platform).Inc()
	log.Error("message is dead (see `visitbot outbox list -status dead`)", "err", cause)
}

func (d *Dispatcher) deferTo(ctx context.Context, m *models.OutboxMessage, log *slog.Logger, at time.Time) {
	if err := d.store.Outbox.DeferOutbox(ctx, m, at); err != nil {
		log.Error("release held-back message", "err", err)
	}
}
