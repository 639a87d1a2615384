package wecom

import (
	"context"

	"visitbot/bot"
	"visitbot/models"
	"visitbot/outbox"
)

// plan is how one bot.Reply reaches the user: at most one passive message
// in the HTTP answer, the rest through the API afterwards.
type plan struct {
	passiveText   string
	passiveButton string // update_button ReplaceName
	update        *bot.CardUpdate
	later         []bot.Message
}

// planReply picks the passive part: update_button after a card click when
// the update only greys the buttons, otherwise the first text. Whole-card
// updates, cards and further texts go through the API, in reply order.
func planReply(ev bot.Event, r bot.Reply) plan {
	var p plan
	texts := r.Texts
	if u := r.Update; u != nil {
		upd := *u
		if ev.Action != nil {
			if upd.TaskID == "" {
				upd.TaskID = ev.Action.TaskID
			}
			if upd.ResponseCode == "" {
				upd.ResponseCode = ev.Action.ResponseCode
			}
		}
		if upd.Card == nil && upd.ReplaceName != "" && ev.Kind == bot.EventCardAction {
			p.passiveButton = upd.ReplaceName
		} else {
			p.update = &upd
		}
	}
	if p.passiveButton == "" && len(texts) > 0 {
		p.passiveText, texts = texts[0], texts[1:]
	}
	for _, t := range texts {
		p.later = append(p.later, bot.Message{Text: t})
	}
	for i := range r.Cards {
		c := r.Cards[i]
		p.later = append(p.later, bot.Message{Card: &c})
	}
	return p
}

// deliver answers passively where possible and defers the rest.
func (cb *Callback) deliver(ev bot.Event, r bot.Reply) ([]byte, error) {
	if r.IsEmpty() {
		return nil, nil
	}
	p := planReply(ev, r)
	if p.update != nil || len(p.later) > 0 {
		cb.sendLater(ev.From, p.update, p.later)
	}
	now := cb.clock.Now()
	var plain []byte
	var err error
	switch {
	case p.passiveButton != "":
		plain, err = cb.passiveUpdateButton(ev.From, now, p.passiveButton)
	case p.passiveText != "":
		plain, err = cb.passiveText(ev.From, now, p.passiveText)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return cb.seal(plain, now)
}

// sendLater delivers through the Messenger after the callback has been
// answered, bounded in time and in concurrency (see Callback).
func (cb *Callback) sendLater(to string, upd *bot.CardUpdate, msgs []bot.Message) {
	if cb.messenger == nil {
		cb.log.Warn("wecom reply part dropped: no messenger configured", "messages", len(msgs), "update", upd != nil)
		return
	}
	select {
	case cb.slots <- struct{}{}:
	default:
		cb.log.Error("wecom reply part dropped: too many deferred deliveries in flight", "messages", len(msgs))
		return
	}
	cb.wg.Add(1)
	go func() {
		defer cb.wg.Done()
		defer func() { <-cb.slots }()
		ctx, cancel := context.WithTimeout(context.Background(), cb.asyncTO)
		defer cancel()
		rcpt := bot.Recipient{PlatformUserID: to}
		if upd != nil {
			if err := cb.messenger.Update(ctx, rcpt, *upd); err != nil {
				cb.log.Error("wecom deferred card update failed", "task_id", upd.TaskID, "err", err)
			}
		}
		for _, m := range msgs {
			if _, err := cb.messenger.Send(ctx, rcpt, m); err != nil {
				cb.log.Error("wecom deferred send failed", "card", m.Card != nil, "err", err)
				return
			}
		}
	}()
}

// queueLater is the bot.Splitter of the Outbox mode: it keeps the passive
// part of the reply and queues the rest in the delivery's transaction.
func (cb *Callback) queueLater(ctx context.Context, tx *models.Store, u *models.User, ev bot.Event, r bot.Reply) (bot.Reply, error) {
	p := planReply(ev, r)
	var passive bot.Reply
	switch {
	case p.passiveButton != "":
		passive.Update = &bot.CardUpdate{ReplaceName: p.passiveButton}
	case p.passiveText != "":
		passive.Texts = []string{p.passiveText}
	}
	to := bot.Recipient{UserID: u.ID, PlatformUserID: ev.From}
	return passive, outbox.QueueReply(ctx, tx, bot.WeCom, to, ev, p.update, p.later)
}
