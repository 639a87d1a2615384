package wecom

import (
	"context"

	"visitbot/bot"
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

// deliver is the passive part of a reply (queueLater queued the rest).
func (cb *Callback) deliver(ev bot.Event, r bot.Reply) ([]byte, error) {
	if r.IsEmpty() {
		return nil, nil
	}
	p := planReply(ev, r)
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

// queueLater is the bot.Splitter of every WeCom callback: it keeps the
// passive part of the reply and queues the rest in the delivery's
// transaction (ctx carries it).
func (cb *Callback) queueLater(ctx context.Context, u bot.User, ev bot.Event, r bot.Reply) (bot.Reply, error) {
	p := planReply(ev, r)
	var passive bot.Reply
	switch {
	case p.passiveButton != "":
		passive.Update = &bot.CardUpdate{ReplaceName: p.passiveButton}
	case p.passiveText != "":
		passive.Texts = []string{p.passiveText}
	}
	to := bot.Recipient{UserID: u.ID, PlatformUserID: ev.From}
	return passive, cb.replies.QueueReply(ctx, bot.WeCom, to, ev, p.update, p.later)
}
