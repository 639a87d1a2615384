// Package console is the local chat platform: a web page that renders the
// same cards WeCom shows and posts the same bot.Events. It is the demo
// platform and the end-to-end test double, reachable only when
// console.enabled is true.
package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/models"
)

// Console implements bot.Messenger by storing messages in console_messages,
// and feeds user actions into the Bot.
type Console struct {
	store *models.Store
	bot   *bot.Bot
	clock clock.Clock
}

// New returns a console bound to store and bot.
func New(store *models.Store, b *bot.Bot, clk clock.Clock) *Console {
	return &Console{store: store, bot: b, clock: clk}
}

// Platform is bot.Console.
func (c *Console) Platform() bot.Platform { return bot.Console }

// Body is the JSON stored per console message.
type Body struct {
	Text string      `json:"text,omitempty"`
	Card *cards.Card `json:"card,omitempty"`
	// Location is set for a location the user shared.
	Location *bot.Location `json:"location,omitempty"`
}

// Send stores an outbound message for the user.
func (c *Console) Send(ctx context.Context, to bot.Recipient, msg bot.Message) (bot.SendResult, error) {
	kind, taskID := "text", ""
	if msg.Card != nil {
		kind, taskID = "card", msg.Card.TaskID
	}
	id, err := c.store.Console.AddConsoleMessage(ctx, to.UserID, "out", kind, taskID, Body{Text: msg.Text, Card: msg.Card})
	if err != nil {
		return bot.SendResult{}, fmt.Errorf("console send: %w", err)
	}
	// A console card's "response code" is just a fresh random token, like WeCom's.
	return bot.SendResult{MsgID: fmt.Sprintf("console-%d", id), ResponseCode: randomToken()}, nil
}

// Update rewrites the user's copy of the card in place, as WeCom does.
func (c *Console) Update(ctx context.Context, to bot.Recipient, upd bot.CardUpdate) error {
	msg, err := c.store.Console.ConsoleCard(ctx, to.UserID, upd.TaskID)
	if err != nil {
		return fmt.Errorf("console update %s: %w", upd.TaskID, err)
	}
	var body Body
	if err := json.Unmarshal([]byte(msg.Body), &body); err != nil || body.Card == nil {
		return fmt.Errorf("console update %s: stored card unreadable", upd.TaskID)
	}
	switch {
	case upd.Card != nil:
		body.Card = upd.Card
	case upd.ReplaceName != "":
		body.Card.ReplaceText = upd.ReplaceName
	default:
		return errors.New("console update: nothing to change")
	}
	return c.store.Console.ReplaceConsoleBody(ctx, msg.ID, body)
}

// Post feeds one user action into the bot and delivers the reply to the
// console, exactly like a platform adapter does. clientID (from the page)
// makes a retried post a no-op: the retry returns bot.ErrDuplicate and
// changes nothing. An unknown userID is ErrUnknownUser.
func (c *Console) Post(ctx context.Context, userID string, clientID string, ev bot.Event) (bot.Reply, error) {
	u, err := c.user(ctx, userID)
	if err != nil {
		return bot.Reply{}, err
	}
	return c.postAs(ctx, u, clientID, ev)
}

func (c *Console) postAs(ctx context.Context, u *models.User, clientID string, ev bot.Event) (bot.Reply, error) {
	ev.Platform = bot.Console
	ev.From = u.UserID
	ev.At = c.clock.Now()
	if clientID != "" {
		ev.DeliveryKey = u.UserID + ":" + clientID
	}
	reply, err := c.bot.Handle(ctx, ev)
	if err != nil {
		// bot.ErrDuplicate included: a retried post shows nothing twice.
		return bot.Reply{}, err
	}
	// The echo of the user's own line is written after the bot's transaction
	// (which owns the delivery key), like a chat client shows a sent message:
	// a crash in between can lose the echo, never the effect.
	if ev.Kind == bot.EventText || ev.Kind == bot.EventLocation {
		if _, err := c.store.Console.AddConsoleMessage(ctx, u.ID, "in", string(ev.Kind), "", Body{Text: ev.Text, Location: ev.Location}); err != nil {
			return reply, err
		}
	}
	return reply, c.Deliver(ctx, u, ev, reply)
}

// Deliver shows a Reply to the user: the card update first, then texts and cards.
func (c *Console) Deliver(ctx context.Context, u *models.User, ev bot.Event, reply bot.Reply) error {
	to := bot.Recipient{UserID: u.ID, PlatformUserID: u.UserID}
	if reply.Update != nil {
		upd := *reply.Update
		if upd.TaskID == "" && ev.Action != nil {
			upd.TaskID = ev.Action.TaskID
		}
		if err := c.Update(ctx, to, upd); err != nil {
			return err
		}
	}
	for _, t := range reply.Texts {
		if _, err := c.Send(ctx, to, bot.Message{Text: t}); err != nil {
			return err
		}
	}
	for i := range reply.Cards {
		if _, err := c.Send(ctx, to, bot.Message{Card: &reply.Cards[i]}); err != nil {
			return err
		}
	}
	return nil
}

func randomToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
