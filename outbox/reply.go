package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"visitbot/bot"
	"visitbot/models"
)

// Replies is the bot.ReplyQueue of the platform adapters: reply parts become
// outbox rows in the transaction the caller's context carries.
type Replies struct{ store *models.Store }

var _ bot.ReplyQueue = Replies{}

// NewReplies queues replies through store.
func NewReplies(store *models.Store) Replies { return Replies{store: store} }

// QueueReply queues the parts of a chat reply that a platform cannot send
// back inside its callback answer: a card update, then the messages, in
// order. Call it inside the delivery's transaction (from a bot.Splitter) so
// the reply commits with its effect; the rows are keyed by the delivery, so
// a retried callback queues nothing twice.
func (q Replies) QueueReply(ctx context.Context, platform bot.Platform, to bot.Recipient, ev bot.Event, upd *bot.CardUpdate, msgs []bot.Message) error {
	tx := q.store
	sum := sha256.Sum256([]byte(string(platform) + "|" + ev.DeliveryKey + "|" + ev.From + "|" + ev.At.String()))
	tag := hex.EncodeToString(sum[:8])
	env := func(i int) Envelope {
		return Envelope{Platform: platform, To: to, Purpose: fmt.Sprintf("reply:%s:%d", tag, i), Day: tx.Today()}
	}
	var rows []*models.OutboxMessage
	if upd != nil {
		u := *upd
		if u.TaskID == "" && ev.Action != nil {
			u.TaskID = ev.Action.TaskID
		}
		row, err := NewUpdate(env(0), u)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	for i, m := range msgs {
		row, err := NewMessage(env(i+1), m)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	for _, row := range rows {
		if err := tx.Outbox.Enqueue(ctx, row); err != nil {
			return fmt.Errorf("queue reply: %w", err)
		}
	}
	return nil
}
